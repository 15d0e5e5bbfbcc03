/* input_file.c — submitted files opened and mapped safely (see input_file.h).
 *
 * Files are mapped rather than read, so that the CSV reader's memory does not
 * grow with a file.  A mapped file that shrinks while it is read (another
 * process truncates or rewrites it) makes the kernel send SIGBUS at the first
 * page past its new end; the handler here puts zero pages in the place of
 * the rest of the mapping and notes it, the parser reads zeros (and reports
 * them, or not), and input_unmap says the file changed: the file is then
 * rejected as a whole and read again by the next run.  A SIGBUS anywhere
 * else is what it always was. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "input_file.h"
#include "jingsai.h"

#define SLOTS 8  /* files mapped at once (one at a time, in practice) */

/* The mappings the handler may repair: set before the mapping is read,
 * cleared after it is unmapped. */
static struct {
	char *volatile base;
	volatile size_t len;
	volatile sig_atomic_t hit;   /* the file shrank under it */
} slots[SLOTS];
static int guard_installed;
static struct sigaction old_bus;

static void
on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	char *addr = si != NULL ? (char *)si->si_addr : NULL;
	int saved = errno;

	(void)ctx;
	for (int i = 0; i < SLOTS; i++) {
		char *base = slots[i].base;
		size_t len = slots[i].len;
		if (base == NULL || addr < base || addr >= base + len)
			continue;
		uintptr_t page = (uintptr_t)addr & ~((uintptr_t)sysconf(_SC_PAGESIZE) - 1);
		size_t rest = (size_t)(base + len - (char *)page);
		/* zero pages over the rest of the mapping; the access is retried */
		if (mmap((void *)page, rest, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
		    != MAP_FAILED) {
			slots[i].hit = 1;
			errno = saved;
			return;
		}
		break;
	}
	/* not ours: as if there were no handler */
	sigaction(sig, &old_bus, NULL);
	if (old_bus.sa_handler == SIG_DFL || old_bus.sa_handler == SIG_IGN)
		signal(sig, SIG_DFL);
	errno = saved;
}

static void
guard_install(void)
{
	struct sigaction sa;

	if (guard_installed)
		return;
	guard_installed = 1;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
}

/* Office and system litter, by name (fnmatch, any letter case); one row per
 * kind of litter, the program that leaves it said. */
static const char *const litter[] = {
	".*",                         /* hidden: .DS_Store (macOS), .~lock.x.csv# (LibreOffice),
	                               * .~x.csv (WPS), ._x.csv (macOS zips) */
	"~$*",                        /* Excel's and Word's owner file of an open document */
	"Thumbs.db", "ehthumbs.db",   /* Windows Explorer's thumbnails */
	"desktop.ini",                /* Windows folder settings */
	"*.tmp",                      /* Office's and others' temporary files */
	"*.bak", "*~",                /* backups of editors and tools */
	"__MACOSX",                   /* folder of resource forks in a zip made on a Mac */
	"$RECYCLE.BIN", "System Volume Information",  /* Windows, on shared drives */
};

int
input_is_litter(const char *name)
{
	for (size_t i = 0; i < sizeof litter / sizeof *litter; i++)
		if (fnmatch(litter[i], name, FNM_CASEFOLD | FNM_PERIOD) == 0)
			return 1;
	return 0;
}

void
input_refusal_diag(const char *shown, enum input_refusal why)
{
	switch (why) {
	case INPUT_OK: break;
	case INPUT_ERRNO: diag(DIAG_IN_READ, shown, 0, 0, strerror(errno)); break;
	case INPUT_NOT_REGULAR: diag(DIAG_IN_NOT_REGULAR, shown, 0, 0); break;
	default: diag(DIAG_IN_CHANGED, shown, 0, 0); break;
	}
}

/* 1 when A and B are the same file, unchanged. */
static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int
input_open(const char *path, const struct stat *expect, struct stat *got, enum input_refusal *why)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	*why = INPUT_OK;
	if (fd < 0) {
		/* O_NOFOLLOW on a link: ELOOP */
		*why = errno == ELOOP ? INPUT_NOT_REGULAR : INPUT_ERRNO;
		return -1;
	}
	if (fstat(fd, got) != 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		*why = INPUT_ERRNO;
		return -1;
	}
	if (!S_ISREG(got->st_mode))
		*why = INPUT_NOT_REGULAR;
	else if (expect != NULL && !same_file(expect, got))
		*why = INPUT_REPLACED;
	if (*why != INPUT_OK) {
		close(fd);
		return -1;
	}
	return fd;
}

int
input_map(struct input_map *m, const char *path, const struct stat *expect, enum input_refusal *why)
{
	static const char empty[1];
	void *p;

	memset(m, 0, sizeof *m);
	m->slot = -1;
	m->data = empty;
	if ((m->fd = input_open(path, expect, &m->st, why)) < 0)
		return -1;
	m->len = (size_t)m->st.st_size;
	if (m->len == 0)
		return 0;
	guard_install();
	for (int i = 0; i < SLOTS && m->slot < 0; i++)
		if (slots[i].base == NULL)
			m->slot = i;
	p = m->slot >= 0 ? mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, m->fd, 0) : MAP_FAILED;
	if (p == MAP_FAILED) {
		int saved = m->slot >= 0 ? errno : EMFILE;
		close(m->fd);
		m->fd = -1;
		m->slot = -1;
		errno = saved;
		*why = INPUT_ERRNO;
		return -1;
	}
	slots[m->slot].hit = 0;
	slots[m->slot].len = m->len;
	slots[m->slot].base = p;
	madvise(p, m->len, MADV_SEQUENTIAL);
	m->data = p;
	return 0;
}

int
input_changed(const struct input_map *m)
{
	struct stat now;

	if (m->slot >= 0 && slots[m->slot].hit)
		return 1;
	/* rewritten in place (same size or larger) leaves no SIGBUS */
	return m->fd >= 0 && (fstat(m->fd, &now) != 0 || !same_file(&m->st, &now));
}

int
input_unmap(struct input_map *m)
{
	int changed = input_changed(m);

	if (m->slot >= 0) {
		munmap((void *)m->data, m->len);
		slots[m->slot].base = NULL;
		slots[m->slot].len = 0;
		m->slot = -1;
	}
	if (m->fd >= 0) {
		close(m->fd);
		m->fd = -1;
	}
	return changed ? -1 : 0;
}
