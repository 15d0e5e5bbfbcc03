/* filestat.h — what a file looked like when its bytes were last read or
 * written (size, times, inode), kept in the store's `file_stat` table, so
 * that a file whose metadata has not moved since is known to hold the same
 * bytes without reading it, as git's index does.
 *
 * Two trees use it: "input" (paths as in file.path) and "output" (paths as
 * in document.path). */
#ifndef FILESTAT_H
#define FILESTAT_H

#include <sqlite3.h>
#include <sys/stat.h>

/* The metadata compared.  ctime moves with any change of the inode (an edit,
 * a chmod, a rename, a `touch -d` that puts an old mtime back), so a file
 * edited by hand never keeps all four. */
struct filestat {
	long long size;
	long long mtime_ns, ctime_ns;
	long long inode;
};

/* Fills FS from SB. */
void filestat_from(struct filestat *fs, const struct stat *sb);
/* Fills FS from PATH (followed when a symbolic link).  Returns 0, or -1
 * with errno set. */
int filestat_get(const char *path, struct filestat *fs);
int filestat_same(const struct filestat *a, const struct filestat *b);

/* 1 when FS was seen only before the clock moved on, so that any later
 * change of the file gets other times: then, and only then, FS may be
 * recorded as standing for the file's bytes.  (A file changed again within
 * the same clock tick would keep its times; git calls such an entry racy.) */
int filestat_settled(const struct filestat *fs);
/* Waits (a few milliseconds at most) until FS is settled; returns
 * filestat_settled. */
int filestat_settle(const struct filestat *fs);

/* The row of TREE and PATH: 1 with *FS and SHA256 filled, 0 when there is
 * none, -1 after a diagnostic. */
int filestat_lookup(sqlite3 *db, const char *tree, const char *path, struct filestat *fs,
    char sha256[65]);
/* Records that TREE/PATH, with metadata FS, holds the bytes of SHA256 —
 * when FS is settled; otherwise forgets what was recorded for it, so that
 * its bytes are read next time.  Returns 0, or -1 after a diagnostic. */
int filestat_record(sqlite3 *db, const char *tree, const char *path, const struct filestat *fs,
    const char *sha256);

#endif
