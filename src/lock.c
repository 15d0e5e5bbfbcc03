/* lock.c — the run lock: one exclusive flock() on a file next to the store. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "jingsai.h"
#include "lock.h"

char *
lock_path_for(const char *db_path)
{
	char *copy = xstrdup(db_path);
	char *path = path_join(dirname(copy), "jingsai.lock");

	free(copy);
	return path;
}

/* The pid the holder wrote into the lock file, or 0. */
static long
read_holder(int fd)
{
	char text[32];
	ssize_t n = pread(fd, text, sizeof text - 1, 0);
	long pid;
	char *end;

	if (n <= 0)
		return 0;
	text[n] = '\0';
	pid = strtol(text, &end, 10);
	return end != text && pid > 0 ? pid : 0;
}

int
lock_acquire(const char *path, long *holder)
{
	char *copy = xstrdup(path);
	char text[32];
	int fd, len;

	*holder = 0;
	mkdir_p(dirname(copy));
	free(copy);
	/* Never O_TRUNC: the file may belong to the holder, whose pid we want. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int saved = errno;
		if (saved == EWOULDBLOCK) {
			*holder = read_holder(fd);
			close(fd);
			return -2;
		}
		close(fd);
		errno = saved;
		return -1;
	}
	/* The pid is only a courtesy for the message of a second run: the lock
	 * itself is the flock, which dies with the process. */
	len = snprintf(text, sizeof text, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)len, 0) != len) {
		/* Still locked; only the message of a second run is poorer. */
	}
	return fd;
}

int
lock_store(const char *db_path, int *status)
{
	char *path = lock_path_for(db_path);
	long holder;
	int fd = lock_acquire(path, &holder);

	if (fd == -2) {
		if (holder > 0)
			diag(DIAG_RUN_LOCKED, path, 0, 0, holder);
		else
			diag(DIAG_RUN_LOCKED_BY, path, 0, 0);
		*status = JZ_EXIT_LOCKED;
	} else if (fd < 0) {
		diag(DIAG_RUN_LOCK, NULL, 0, 0, path, strerror(errno));
		*status = JZ_EXIT_FAILURE;
	}
	free(path);
	return fd < 0 ? -1 : fd;
}

void
lock_release(int fd)
{
	if (fd < 0)
		return;
	/* Leave the file (removing it would race with a run that just opened it). */
	if (ftruncate(fd, 0) != 0) {
		/* Harmless: the next holder overwrites it. */
	}
	flock(fd, LOCK_UN);
	close(fd);
}
