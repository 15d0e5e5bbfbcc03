/* filestat.c — the store's record of file metadata, so that unchanged files need not be read. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "filestat.h"
#include "store.h"

void
filestat_from(struct filestat *fs, const struct stat *sb)
{
	fs->size = (long long)sb->st_size;
	fs->mtime_ns = (long long)sb->st_mtim.tv_sec * 1000000000LL + sb->st_mtim.tv_nsec;
	fs->ctime_ns = (long long)sb->st_ctim.tv_sec * 1000000000LL + sb->st_ctim.tv_nsec;
	fs->inode = (long long)sb->st_ino;
}

int
filestat_get(const char *path, struct filestat *fs)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return -1;
	filestat_from(fs, &sb);
	return 0;
}

int
filestat_same(const struct filestat *a, const struct filestat *b)
{
	return a->size == b->size && a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns &&
	    a->inode == b->inode;
}

/*
 * The kernel stamps a change with the clock it reads then (a coarse clock,
 * ticking every few milliseconds, or a finer one).  Once the coarse clock
 * reads later than both times of FS, any later change gets times later than
 * those, so the metadata can no longer stay what it is while the bytes
 * change.  A file system with whole-second times (nanoseconds all zero) is
 * never trusted: a change within the same second would keep them.
 */
int
filestat_settled(const struct filestat *fs)
{
	struct timespec now;
	long long t, latest = fs->mtime_ns > fs->ctime_ns ? fs->mtime_ns : fs->ctime_ns;

	if (fs->mtime_ns % 1000000000LL == 0 && fs->ctime_ns % 1000000000LL == 0)
		return 0;
	if (clock_gettime(CLOCK_REALTIME_COARSE, &now) != 0)
		return 0;
	t = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
	return t > latest;
}

int
filestat_settle(const struct filestat *fs)
{
	/* one tick of the coarse clock is 1–10 ms */
	for (int i = 0; i < 25 && !filestat_settled(fs); i++) {
		struct timespec ms = {0, 1000000};
		nanosleep(&ms, NULL);
	}
	return filestat_settled(fs);
}

int
filestat_lookup(sqlite3 *db, const char *tree, const char *path, struct filestat *fs,
    char sha256[65])
{
	sqlite3_stmt *st = store_cached(db, "SELECT size, mtime_ns, ctime_ns, inode, sha256 "
	    "FROM file_stat WHERE tree = ?1 AND path = ?2");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, tree, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *h = sqlite3_column_text(st, 4);
		fs->size = sqlite3_column_int64(st, 0);
		fs->mtime_ns = sqlite3_column_int64(st, 1);
		fs->ctime_ns = sqlite3_column_int64(st, 2);
		fs->inode = sqlite3_column_int64(st, 3);
		snprintf(sha256, 65, "%s", h ? (const char *)h : "");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
	return -1;
}

int
filestat_record(sqlite3 *db, const char *tree, const char *path, const struct filestat *fs,
    const char *sha256)
{
	sqlite3_stmt *st;
	int rc;

	if (!filestat_settled(fs)) {
		st = store_cached(db, "DELETE FROM file_stat WHERE tree = ?1 AND path = ?2");
		if (st == NULL)
			return -1;
		sqlite3_bind_text(st, 1, tree, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	} else {
		st = store_cached(db, "INSERT OR REPLACE INTO file_stat "
		    "(tree, path, size, mtime_ns, ctime_ns, inode, sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
		if (st == NULL)
			return -1;
		sqlite3_bind_text(st, 1, tree, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, fs->size);
		sqlite3_bind_int64(st, 4, fs->mtime_ns);
		sqlite3_bind_int64(st, 5, fs->ctime_ns);
		sqlite3_bind_int64(st, 6, fs->inode);
		sqlite3_bind_text(st, 7, sha256, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_DONE)
		return 0;
	diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
	return -1;
}
