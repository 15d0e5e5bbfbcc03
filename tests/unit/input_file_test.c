/* input_file_test.c — submitted files opened and mapped safely: links,
 * FIFOs and replaced files refused; a file truncated while it is read gives
 * zeros and an error, not SIGBUS. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "input_file.h"
#include "jingsai.h"

static char dir[] = "/tmp/jingsai-input-XXXXXX";

static char *
make(const char *name, size_t len, char fill)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *data = xmalloc(len + 1);
	memset(data, fill, len);
	CHECK(atomic_write(path, data, len) == 0, "fixture written");
	free(data);
	return path;
}

int
main(void)
{
	struct input_map m;
	struct stat st;
	enum input_refusal why;
	int fd;

	CHECK(mkdtemp(dir) != NULL, "temporary folder");
	char *plain = make("plain.csv", 10000, 'a');

	/* A regular file maps, whole, and unmaps cleanly. */
	CHECK(input_map(&m, plain, NULL, &why) == 0 && m.len == 10000 && m.data[9999] == 'a',
	    "a regular file maps");
	st = m.st;
	CHECK(input_unmap(&m) == 0, "and unmaps without complaint");

	/* The file walked, and no other. */
	CHECK(input_map(&m, plain, &st, &why) == 0 && input_unmap(&m) == 0, "the same file again");
	char *other = make("other.csv", 10000, 'b');
	rename(other, plain);
	struct stat got;
	CHECK(input_open(plain, &st, &got, &why) < 0 && why == INPUT_REPLACED,
	    "a file put in the place of the one walked is refused");

	/* A symbolic link, a FIFO, a folder: refused, and a FIFO without waiting. */
	char *link = xasprintf("%s/link.csv", dir);
	CHECK(symlink("/etc/passwd", link) == 0, "link made");
	CHECK(input_open(link, NULL, &st, &why) < 0 && why == INPUT_NOT_REGULAR,
	    "a symbolic link is not followed");
	char *fifo = xasprintf("%s/fifo.csv", dir);
	CHECK(mkfifo(fifo, 0600) == 0, "FIFO made");
	CHECK(input_open(fifo, NULL, &st, &why) < 0 && why == INPUT_NOT_REGULAR,
	    "a FIFO is refused at once (no writer, no wait)");
	CHECK(input_open(dir, NULL, &st, &why) < 0 && why == INPUT_NOT_REGULAR, "a folder is refused");

	/* Truncated while mapped: zeros past the new end, no SIGBUS, an error. */
	char *big = make("big.csv", 1 << 20, 'x');
	CHECK(input_map(&m, big, NULL, &why) == 0, "a large file maps");
	CHECK(truncate(big, 5000) == 0, "the file is cut to 5000 bytes under the mapping");
	long xs = 0, zeros = 0;
	for (size_t i = 0; i < m.len; i++) {
		if (m.data[i] == 'x')
			xs++;
		else if (m.data[i] == '\0')
			zeros++;
	}
	CHECK(xs >= 5000 && xs + zeros == 1 << 20, "reading on gives zeros where the file ends");
	CHECK(input_unmap(&m) == -1, "and input_unmap says the file changed");
	/* again, for the guard is ready for the next file */
	fd = open(big, O_WRONLY | O_TRUNC);
	char block[8192];
	memset(block, 'y', sizeof block);
	int whole = fd >= 0;
	for (int i = 0; i < 64; i++)
		whole &= write(fd, block, sizeof block) == (ssize_t)sizeof block;
	close(fd);
	CHECK(whole, "the file written again, 512 KiB");
	CHECK(input_map(&m, big, NULL, &why) == 0 && truncate(big, 0) == 0, "mapped, then emptied");
	CHECK(m.data[m.len - 1] == '\0', "its last byte reads as zero");
	CHECK(input_unmap(&m) == -1, "changed, said so");

	/* Rewritten in place, same size: the change is seen too. */
	char *same = make("same.csv", 4096, 'c');
	CHECK(input_map(&m, same, NULL, &why) == 0, "mapped");
	struct timespec later[2] = {{0, UTIME_OMIT}, {m.st.st_mtim.tv_sec + 5, 0}};
	fd = open(same, O_WRONLY);
	CHECK(fd >= 0 && pwrite(fd, "d", 1, 0) == 1 && futimens(fd, later) == 0, "rewritten");
	close(fd);
	CHECK(input_unmap(&m) == -1, "a file rewritten while read is an error");

	/* Office and system litter, by name. */
	static const char *const litter[] = {"~$报表.xlsx", "~$x.csv", ".~lock.x.csv#", ".~x.csv",
	    "Thumbs.db", "thumbs.DB", "desktop.ini", "Desktop.ini", ".DS_Store", ".hidden.csv",
	    "x.tmp", "~WRL0001.tmp", "x.BAK", "x.csv~", "__MACOSX"};
	static const char *const submissions[] = {"x.csv", "报表.xml", "thumbs.csv", "x.tmp.csv",
	    "desktop.ini.csv", "a~b.csv", "bak.csv", "tmp"};
	int all = 1;
	for (size_t i = 0; i < sizeof litter / sizeof *litter; i++)
		all &= input_is_litter(litter[i]);
	CHECK(all, "office and system litter is known by its name");
	all = 1;
	for (size_t i = 0; i < sizeof submissions / sizeof *submissions; i++)
		all &= !input_is_litter(submissions[i]);
	CHECK(all, "submissions are not litter");

	char *cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		perror("rm");
	free(cmd);
	free(plain), free(other), free(link), free(fifo), free(big), free(same);
	return CHECK_DONE();
}
