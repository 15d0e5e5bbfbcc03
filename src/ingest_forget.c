/* ingest_forget.c — what a file contributed taken out of the store, when
 * `forget` says so or when a new content of its path replaces it; a CSV
 * row removed brings back the row of an earlier file with the same key
 * (SPEC 3.2: the latest remaining file wins). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv_read.h"
#include "ingest_int.h"
#include "refcheck.h"
#include "store.h"

/* The CSV kind of a file of KIND ("participation", ...), or -1 (an annual
 * return, or unknown). */
static int
csv_kind_of(const char *kind)
{
	for (int k = 0; k < CSV__KINDS; k++)
		if (kind != NULL && strcmp(kind, csv_kind_name((enum csv_kind)k)) == 0)
			return k;
	return -1;
}

/* Brings back, for every key of kind K that no row holds any more, the
 * latest earlier row kept of it (see store.c); returns how many, or -1
 * after a diagnostic.  (No temporary table: forget calls this while it
 * reads the file table.) */
static long
restore_earlier(struct run *r, enum csv_kind k)
{
	const struct csv_kind_def *kd = csv_kind_def(k);
	const int *key = csv_kind_key(k);
	struct buf on = {0}, by = {0}, same = {0};
	char *sql;
	long n = -1;

	for (int i = 0; key[i] >= 0; i++) {
		const char *c = kd->cols[key[i]].column;
		buf_printf(&on, "%st.%s = e.%s", i ? " AND " : "", c, c);
		buf_printf(&by, "%se.%s", i ? ", " : "", c);
		buf_printf(&same, "t.%s = %s_earlier.%s AND ", c, kd->table, c);
	}
	sql = xasprintf("INSERT INTO %s SELECT * FROM %s_earlier WHERE rowid IN "
	    "(SELECT max(e.rowid) FROM %s_earlier e WHERE NOT EXISTS (SELECT 1 FROM %s t WHERE %s) "
	    "GROUP BY %s)", kd->table, kd->table, kd->table, kd->table, on.data, by.data);
	if (store_exec(r->db, sql) == 0) {
		n = sqlite3_changes(r->db);
		free(sql);
		/* what came back is no longer an earlier row */
		sql = xasprintf("DELETE FROM %s_earlier WHERE EXISTS (SELECT 1 FROM %s t WHERE %s"
		    "t.file_id = %s_earlier.file_id AND t.line = %s_earlier.line)",
		    kd->table, kd->table, same.data, kd->table, kd->table);
		if (n > 0 && store_exec(r->db, sql) != 0)
			n = -1;
	}
	free(sql);
	buf_free(&on);
	buf_free(&by);
	buf_free(&same);
	return n;
}

/* Removes what file ID (of KIND) contributed; returns the rows removed, or
 * -1 after a diagnostic.  With NEW_ID, counts for an annual return only the
 * projects and studios the new return (of file NEW_ID) no longer has.  A
 * CSV row removed whose key an earlier file also had brings that file's row
 * back (SPEC 3.2: the latest remaining file wins); *RESTORED counts them. */
long
ingest_remove_contribution(struct run *r, long long id, const char *kind, long long new_id,
    long *restored)
{
	int k = csv_kind_of(kind);
	char *sql;
	long n = 0;

	*restored = 0;
	/* a workbook of several kinds: every kind's rows */
	int all = kind != NULL && strcmp(kind, "workbook") == 0;
	for (int kk = all ? 0 : k; kk >= 0 && kk < CSV__KINDS && (all || kk == k); kk++) {
		const char *table = csv_kind_def((enum csv_kind)kk)->table;
		sql = xasprintf("DELETE FROM %s_earlier WHERE file_id = %lld; "
		    "DELETE FROM %s WHERE file_id = %lld", table, id, table, id);
		int rc = store_exec(r->db, sql);
		free(sql);
		if (rc != 0)
			return -1;
		long gone = sqlite3_changes(r->db), back = 0;
		if (gone > 0 && (back = restore_earlier(r, (enum csv_kind)kk)) < 0)
			return -1;
		if (gone > 0 && kk == CSV_ENTERPRISES)
			r->refs_removed |= REFS_ENTERPRISES;
		if (gone > 0 && kk == CSV_ACHIEVEMENTS)
			r->refs_removed |= REFS_ENTRIES;
		n += gone;
		*restored += back;
	}
	if (k >= 0 || all)
		return n;
	/* Annual returns: their projects and studios go with them (cascade). */
	sql = xasprintf("SELECT (SELECT count(*) FROM project p WHERE p.return_id IN (SELECT id FROM annual_return WHERE file_id = %lld)"
	    "   AND p.id NOT IN (SELECT id FROM project WHERE return_id IN (SELECT id FROM annual_return WHERE file_id = %lld)))"
	    " + (SELECT count(*) FROM studio s WHERE s.return_id IN (SELECT id FROM annual_return WHERE file_id = %lld)"
	    "   AND s.id NOT IN (SELECT id FROM studio WHERE return_id IN (SELECT id FROM annual_return WHERE file_id = %lld)))",
	    id, new_id, id, new_id);
	sqlite3_stmt *st = store_prepare(r->db, sql);
	free(sql);
	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sql = xasprintf("DELETE FROM annual_return WHERE file_id = %lld", id);
	int rc = store_exec(r->db, sql);
	free(sql);
	if (n > 0)  /* projects (or studios) gone */
		r->refs_removed |= REFS_PROJECTS;
	return rc != 0 ? -1 : n;
}

int
ingest_forget(sqlite3 *db, const struct jz_opts *o, const char *path, long *rows_removed,
    long *rows_back)
{
	struct run r = {.db = db, .opts = o};
	char real[PATH_MAX];
	int status = JZ_EXIT_OK, found = 0;

	*rows_removed = 0;
	*rows_back = 0;
	if (realpath(o->input_dir, real) != NULL)
		r.input_real = xstrdup(real);
	char *key = ingest_store_key(&r, path);
	if (store_begin(db) != 0) {
		free(key);
		free(r.input_real);
		return JZ_EXIT_FAILURE;
	}
	sqlite3_stmt *st = store_prepare(db, "SELECT id, kind FROM file WHERE path = ? AND status = 'accepted'");
	if (st == NULL)
		status = JZ_EXIT_FAILURE;
	else {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		while (status == JZ_EXIT_OK && sqlite3_step(st) == SQLITE_ROW) {
			long long id = sqlite3_column_int64(st, 0);
			const char *kind = (const char *)sqlite3_column_text(st, 1);
			long restored;
			long n = ingest_remove_contribution(&r, id, kind, 0, &restored);
			if (n < 0) {
				status = JZ_EXIT_FAILURE;
				break;
			}
			*rows_back += restored;
			if (csv_kind_of(kind) < 0) {
				/* An annual return: count its rows as stored. */
				sqlite3_stmt *c = store_prepare(db, "SELECT rows FROM file WHERE id = ?");
				if (c != NULL) {
					sqlite3_bind_int64(c, 1, id);
					if (sqlite3_step(c) == SQLITE_ROW)
						n = sqlite3_column_int64(c, 0);
					sqlite3_finalize(c);
				}
			}
			*rows_removed += n;
			found++;
		}
		sqlite3_finalize(st);
	}
	if (status == JZ_EXIT_OK && found) {
		st = store_prepare(db, "UPDATE file SET status = 'forgotten' WHERE path = ? AND status = 'accepted'");
		if (st == NULL)
			status = JZ_EXIT_FAILURE;
		else {
			sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				{ store_fail(&r); status = JZ_EXIT_FAILURE; }
			sqlite3_finalize(st);
		}
	}
	char *shown = jz_escape_name(path);
	if (status == JZ_EXIT_OK && !found) {
		diag(DIAG_FORGET_UNKNOWN, NULL, 0, 0, shown);
		status = JZ_EXIT_USAGE;
	}
	if (status == JZ_EXIT_OK) {
		if (store_commit(db) != 0)
			status = JZ_EXIT_FAILURE;
		else if (access(path, F_OK) == 0)
			diag(DIAG_FORGET_PRESENT, shown, 0, 0);
		if (status == JZ_EXIT_OK && r.refs_removed && refcheck_report(db, r.refs_removed, o->input_dir) < 0)
			status = JZ_EXIT_FAILURE;
	} else
		store_rollback(db);
	free(shown);
	free(key);
	free(r.input_real);
	return status;
}
