/* backup.c — copies of the store, the only register of certificate serials,
 * signing records, bulletin numbers and history: made online (VACUUM INTO),
 * checked, named by time, kept in generations, found again for a restore. */
#define _GNU_SOURCE /* renameat2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

#define DEFAULT_KEEP 7

static char *config_dir; /* NULL: "backup" beside the store */
static int config_keep = DEFAULT_KEEP;
static int held;         /* store_backup_hold was called */

void
store_backup_hold(void)
{
	held = 1;
}

void
store_backup_config(const char *dir, int keep)
{
	free(config_dir);
	config_dir = dir != NULL && *dir != '\0' ? xstrdup(dir) : NULL;
	config_keep = keep >= 1 ? keep : DEFAULT_KEEP;
}

char *
store_backup_dir(const char *db_path)
{
	char *copy, *dir;

	if (config_dir != NULL)
		return xstrdup(config_dir);
	copy = xstrdup(db_path);
	const char *parent = dirname(copy);
	dir = strcmp(parent, ".") == 0 ? xstrdup("backup") : path_join(parent, "backup");
	free(copy);
	return dir;
}

/* "jingsai-20251204-185047Z" (+ "-2" ... for a second in the same second)
 * followed by ".db": a regular generation, which pruning may remove.
 * Returns the length of the stem (without ".db"), or 0 for any other name. */
static size_t
generation_stem(const char *name)
{
	static const char form[] = "jingsai-DDDDDDDD-DDDDDDZ";
	size_t n = strlen(name), i;

	if (n < sizeof form - 1 + 3 || strcmp(name + n - 3, ".db") != 0)
		return 0;
	for (i = 0; i < sizeof form - 1; i++)
		if (form[i] == 'D' ? name[i] < '0' || name[i] > '9' : name[i] != form[i])
			return 0;
	if (i < n - 3) {
		/* a collision suffix: "-N" */
		if (name[i++] != '-' || i == n - 3)
			return 0;
		for (; i < n - 3; i++)
			if (name[i] < '0' || name[i] > '9')
				return 0;
	}
	return n - 3;
}

/* Any backup of ours: "jingsai-" + 8 digits of a date. */
static int
is_backup(const char *name)
{
	size_t n = strlen(name);

	if (strncmp(name, "jingsai-", 8) != 0 || n < 20 || strcmp(name + n - 3, ".db") != 0)
		return 0;
	for (int i = 8; i < 16; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	return 1;
}

/* Orders backups by time (the name's stamp), then "…Z" before "…Z-2". */
static int
by_time(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t nx = strlen(x) - 3, ny = strlen(y) - 3;
	int c = strncmp(x + 8, y + 8, 16);

	if (c != 0)
		return c;
	if (nx != ny)
		return nx < ny ? -1 : 1;
	return strncmp(x, y, nx);
}

/* The names of backups in DIR (REGULAR: only the generations), oldest
 * first; *N their number.  The caller frees each and the array. */
static char **
list_backups(const char *dir, int regular, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		if (regular ? generation_stem(e->d_name) == 0 : !is_backup(e->d_name))
			continue;
		names = xrealloc(names, (*n + 1) * sizeof *names);
		names[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(names, *n, sizeof *names, by_time);
	return names;
}

/* 1 when the backup at PATH records certificate SERIAL for RECIPIENT. */
static int
has_certificate(const char *path, const char *serial, const char *recipient)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int found = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT 1 FROM certificate WHERE serial = ?1 AND recipient = ?2",
	    -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, recipient, -1, SQLITE_STATIC);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return found;
}

char *
store_backup_newest(const char *db_path, const char *serial, const char *recipient)
{
	char *dir = store_backup_dir(db_path), *newest = NULL;
	size_t n;
	char **names = list_backups(dir, 0, &n);

	for (size_t i = n; i-- > 0 && serial != NULL && recipient != NULL && newest == NULL; ) {
		char *path = path_join(dir, names[i]);
		if (has_certificate(path, serial, recipient))
			newest = path;
		else
			free(path);
	}
	if (newest == NULL && n > 0)
		newest = path_join(dir, names[n - 1]);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
	return newest;
}

const char *
store_check(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	const char *why = NULL;
	int version;

	if (store_identify(db, &version) != STORE_OURS)
		why = N_("is not a jingsai store");
	else if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
		why = N_("fails PRAGMA integrity_check");
	sqlite3_finalize(st);
	return why;
}

/* Opens the copy at PATH read-write (never creating it), leaves it in
 * rollback-journal mode, a single self-contained file, and checks it.
 * Returns NULL when it is a whole store, else the reason (static). */
static const char *
check_copy(const char *path)
{
	sqlite3 *db = NULL;
	const char *why;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		why = N_("cannot be opened");
	else if (sqlite3_exec(db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
		why = N_("cannot be read");
	else
		why = store_check(db);
	sqlite3_close(db);
	return why;
}

/* fsync of the file or folder at PATH; returns 0 or -1 with errno set. */
static int
sync_path(const char *path, int dir)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	if (rc != 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

/* Removes the oldest regular generations in DIR beyond the number kept. */
static void
prune(const char *dir)
{
	size_t n;
	char **names = list_backups(dir, 1, &n);

	for (size_t i = 0; i < n; i++) {
		if (i + (size_t)config_keep < n) {
			char *path = path_join(dir, names[i]);
			if (unlink(path) != 0 && errno != ENOENT)
				diag(DIAG_STORE_BACKUP_PRUNE, path, 0, 0, strerror(errno));
			free(path);
		}
		free(names[i]);
	}
	free(names);
}

/* Removes the temporary copies (".jingsai-backup.tmp.PID") that backups
 * killed half-way left in DIR. */
static void
sweep(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long pid;
		if (strncmp(e->d_name, ".jingsai-backup.tmp.", 20) != 0)
			continue;
		/* NAME.tmp.PID, or its journal: only when PID is gone */
		pid = strtol(e->d_name + 20, &end, 10);
		if (pid > 0 && (*end == '\0' || *end == '-') && kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
			char *path = path_join(dir, e->d_name);
			unlink(path);
			free(path);
		}
	}
	closedir(d);
}

void
store_backup_sweep(const char *db_path)
{
	char *dir = store_backup_dir(db_path);

	sweep(dir);
	free(dir);
}

/* The mark of a backup owed, beside the store (not in it: a copy made
 * later must not carry it): left by a backup that failed, so that the next
 * command makes one although it changes nothing (a quiet night, after a
 * night whose backup found its folder full or shut, made none). */
static char *
owed_mark(const char *db_path)
{
	return xasprintf("%s.backup-owed", db_path);
}

int
store_backup_owed(const char *db_path)
{
	char *mark = owed_mark(db_path);
	int owed = access(mark, F_OK) == 0;

	free(mark);
	return owed;
}

/* Leaves or takes away the mark, after a backup that failed or was made. */
static void
owe(const char *db_path, int owed)
{
	char *mark = owed_mark(db_path);
	int fd;

	if (!owed)
		unlink(mark);
	else if ((fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
		close(fd);
	free(mark);
}

int
store_backup(sqlite3 *db, const char *db_path, const char *why, char **made)
{
	char *dir = store_backup_dir(db_path), *tmp = NULL, *final = NULL;
	const char *bad;
	sqlite3_stmt *st = NULL;
	char stamp[32];
	time_t now = time(NULL); /* when it was made, not SOURCE_DATE_EPOCH */
	struct tm tm;
	int rc = -1;

	if (made != NULL)
		*made = NULL;
	if (held && why == NULL) {
		diag(DIAG_STORE_BACKUP_HELD, NULL, 0, 0, dir);
		free(dir);
		return 0;
	}
	if (mkdir_p(dir) != 0) {
		diag(DIAG_STORE_BACKUP, dir, 0, 0, _("cannot make the folder"), strerror(errno));
		goto out;
	}
	/* said as it is, not as SQLite's "unable to open database file" */
	if (access(dir, W_OK | X_OK) != 0) {
		diag(DIAG_STORE_BACKUP, dir, 0, 0, _("cannot write in the folder"), strerror(errno));
		goto out;
	}
	sweep(dir);
	tmp = xasprintf("%s/.jingsai-backup.tmp.%ld", dir, (long)getpid());
	unlink(tmp); /* VACUUM INTO wants no file there */
	if (sqlite3_prepare_v2(db, "VACUUM INTO ?1", -1, &st, NULL) != SQLITE_OK) {
		diag(DIAG_STORE_BACKUP, dir, 0, 0, _("cannot copy the store"), sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_text(st, 1, tmp, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		diag(DIAG_STORE_BACKUP, dir, 0, 0, _("cannot copy the store"), sqlite3_errmsg(db));
		goto out;
	}
	if ((bad = check_copy(tmp)) != NULL) {
		diag(DIAG_STORE_BACKUP, dir, 0, 0, _("the copy"), _(bad));
		goto out;
	}
	if (sync_path(tmp, 0) != 0) {
		diag(DIAG_STORE_BACKUP, dir, 0, 0, _("cannot write the copy"), strerror(errno));
		goto out;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "jingsai-%Y%m%d-%H%M%SZ", &tm);
	for (int k = 1; ; k++) {
		char suffix[48] = "";
		if (why != NULL)
			snprintf(suffix, sizeof suffix, "-%s", why);
		if (k > 1)
			snprintf(suffix + strlen(suffix), sizeof suffix - strlen(suffix), "-%d", k);
		free(final);
		final = xasprintf("%s/%s%s.db", dir, stamp, suffix);
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
			break;
		if (errno != EEXIST || k > 1000) {
			diag(DIAG_STORE_BACKUP, dir, 0, 0, _("cannot name the copy"), strerror(errno));
			goto out;
		}
	}
	free(tmp);
	tmp = NULL;
	sync_path(dir, 1);
	/* Only now, with a good copy in place, go the oldest. */
	if (why == NULL)
		prune(dir);
	if (made != NULL) {
		*made = final;
		final = NULL;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(final);
	free(dir);
	if (why == NULL)
		owe(db_path, rc != 0);
	return rc;
}
