/* backup_cmd.c — the backup at the end of a command that changed the store
 * (store_finish), and the operator's `jingsai backup` and `jingsai restore
 * FILE`. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "lock.h"
#include "store.h"

int
store_finish(sqlite3 *db, const char *db_path)
{
	int rc = 0;

	if (db == NULL)
		return 0;
	if ((sqlite3_total_changes64(db) > 0 || store_backup_owed(db_path)) && strcmp(db_path, ":memory:") != 0)
		rc = store_backup(db, db_path, NULL, NULL);
	store_close(db);
	return rc;
}

int
cmd_backup(const struct jz_opts *o, const struct jz_args *a)
{
	(void)a;
	sqlite3 *db;
	char *made = NULL;
	int rc;

	if ((db = store_open_existing(o->db_path, 0, DIAG_STORE_NONE)) == NULL)
		return JZ_EXIT_FAILURE;
	rc = store_backup(db, o->db_path, NULL, &made);
	store_close(db);
	if (rc != 0)
		return JZ_EXIT_FAILURE;
	if (!o->quiet)
		printf(_("%s: backup of %s, checked\n"), made, o->db_path);
	free(made);
	return JZ_EXIT_OK;
}

/* A one-line account of the register in DB: "12 certificates (2024-2025)". */
static char *
register_summary(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	char *s = NULL;

	if (sqlite3_prepare_v2(db, "SELECT count(*), min(year), max(year) FROM certificate", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		long long n = sqlite3_column_int64(st, 0);
		if (n == 0)
			s = xstrdup(_("no certificates"));
		else if (sqlite3_column_int(st, 1) == sqlite3_column_int(st, 2))
			s = xasprintf(ngettext("%lld certificate of %d", "%lld certificates of %d",
			    (unsigned long)n), n, sqlite3_column_int(st, 1));
		else
			s = xasprintf(ngettext("%lld certificate of %d-%d", "%lld certificates of %d-%d",
			    (unsigned long)n), n, sqlite3_column_int(st, 1), sqlite3_column_int(st, 2));
	}
	sqlite3_finalize(st);
	return s ? s : xstrdup(_("no certificate table"));
}

/* Moves the store at PATH (and its -wal and -shm) aside as
 * PATH.damaged-STAMP; returns the new name (caller frees) or NULL. */
static char *
move_aside(const char *path)
{
	static const char *const ext[] = {"", "-wal", "-shm"};
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	char *aside;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%SZ", &tm);
	aside = xasprintf("%s.damaged-%s", path, stamp);
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
		char *from = xasprintf("%s%s", path, ext[i]), *to = xasprintf("%s%s", aside, ext[i]);
		int rc = rename(from, to);
		if (rc != 0 && (errno != ENOENT || i == 0)) {
			diag(DIAG_STORE_ASIDE, from, 0, 0, strerror(errno));
			free(from);
			free(to);
			free(aside);
			return NULL;
		}
		free(from);
		free(to);
	}
	return aside;
}

int
cmd_restore(const struct jz_opts *o, const struct jz_args *a)
{
	const char *file = a->argv[0];
	char *kept = NULL, *what = NULL;
	sqlite3 *src = NULL, *cur = NULL, *dst = NULL;
	sqlite3_backup *copy;
	const char *bad;
	int lock_fd, version, kind, status = JZ_EXIT_FAILURE;
	struct stat sb;

	if ((lock_fd = lock_store(o->db_path, &status)) < 0)
		return status;

	/* 1. The backup must be a whole store this program can read. */
	if (stat(file, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		diag(DIAG_STORE_RESTORE, file, 0, 0, _("not a file"), stat(file, &sb) != 0 ?
		    strerror(errno) : _("not a regular file"));
		goto out;
	}
	if (sqlite3_open_v2(file, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    (kind = store_identify(src, &version)) != STORE_OURS) {
		diag(DIAG_STORE_RESTORE, file, 0, 0, _("not a backup of a jingsai store"),
		    src ? sqlite3_errmsg(src) : _("cannot open it"));
		goto out;
	}
	if (version > STORE_SCHEMA_VERSION) {
		diag(DIAG_STORE_NEWER, file, 0, 0, version, STORE_SCHEMA_VERSION);
		goto out;
	}
	if ((bad = store_check(src)) != NULL) {
		diag(DIAG_STORE_RESTORE, file, 0, 0, _("this backup"), _(bad));
		goto out;
	}

	/* 2. The store it replaces is kept: backed up when it is a store,
	 *    moved aside when it is damaged; another program's file is left. */
	if (access(o->db_path, F_OK) == 0) {
		if (sqlite3_open_v2(o->db_path, &cur, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
			kind = STORE_NOT_DB;
		else
			kind = store_identify(cur, &version);
		if (kind == STORE_FOREIGN) {
			diag(DIAG_STORE_FOREIGN, o->db_path, 0, 0);
			goto out;
		}
		if (kind == STORE_OURS && store_backup(cur, o->db_path, "before-restore", &kept) != 0)
			kind = STORE_NOT_DB;
		sqlite3_close(cur);
		cur = NULL;
		if (kind == STORE_NOT_DB && (kept = move_aside(o->db_path)) == NULL)
			goto out;
	} else {
		char *copy = xstrdup(o->db_path);
		mkdir_p(dirname(copy));
		free(copy);
	}

	/* 3. Page by page into the store, under SQLite's own locks. */
	if (sqlite3_open_v2(o->db_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		diag(DIAG_STORE_RESTORE, o->db_path, 0, 0, _("cannot open"), sqlite3_errmsg(dst));
		goto out;
	}
	sqlite3_busy_timeout(dst, STORE_BUSY_MS);
	copy = sqlite3_backup_init(dst, "main", src, "main");
	if (copy == NULL || sqlite3_backup_step(copy, -1) != SQLITE_DONE) {
		sqlite3_backup_finish(copy);
		diag(DIAG_STORE_RESTORE, o->db_path, 0, 0, _("cannot write"), sqlite3_errmsg(dst));
		goto out;
	}
	if (sqlite3_backup_finish(copy) != SQLITE_OK ||
	    sqlite3_exec(dst, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK) {
		diag(DIAG_STORE_RESTORE, o->db_path, 0, 0, _("cannot write"), sqlite3_errmsg(dst));
		goto out;
	}
	if ((bad = store_check(dst)) != NULL) {
		diag(DIAG_STORE_RESTORE, o->db_path, 0, 0, _("after restoring, the store"), _(bad));
		goto out;
	}
	what = register_summary(dst);
	if (!o->quiet) {
		printf(_("%s: restored from %s (%s)\n"), o->db_path, file, what);
		if (kept != NULL)
			printf(_("the store it replaced is kept as %s\n"), kept);
	}
	status = JZ_EXIT_OK;
out:
	sqlite3_close(src);
	sqlite3_close(cur);
	sqlite3_close(dst);
	free(what);
	free(kept);
	lock_release(lock_fd);
	return status;
}
