/* ingest_reject.c — what a rejected file leaves: every error reported
 * while it is read is kept (the run's diagnostics sink, which passes them
 * on), then recorded in the store's `rejection` table with the file's row;
 * earlier rejected contents of the same path are retired. */
#include <stdlib.h>
#include <string.h>

#include "ingest_int.h"
#include "store.h"

#define REJECTION_ROWS 1000        /* diagnostics kept per rejected file in the store */

void
ingest_sink(const struct diag_msg *m, void *arg)
{
	struct run *r = arg;

	if (r->cur != NULL && m->level >= DIAG_ERROR) {
		r->cur_errors++;
		if (r->nkept < REJECTION_ROWS) {
			r->kept = xgrow(r->kept, r->nkept, &r->capkept, 16, sizeof *r->kept);
			r->kept[r->nkept].line = m->line;
			r->kept[r->nkept].column = m->column;
			/* the appendix and receipts are Chinese whatever the locale */
			r->kept[r->nkept++].message = xstrdup(m->doc_text);
		} else
			r->dropped++;
	}
	if (r->old_fn != NULL) {
		r->old_fn(m, r->old_arg);
		return;
	}
	if (m->level == DIAG_NOTE && !r->opts->verbose)
		return;
	if (m->level == DIAG_WARNING && r->opts->quiet)
		return;
	diag_print(stderr, m);
}

void
ingest_kept_clear(struct run *r)
{
	for (size_t i = 0; i < r->nkept; i++)
		free(r->kept[i].message);
	r->nkept = 0;
	r->dropped = 0;
}

int
ingest_record_rejection(struct run *r, const struct infile *f, long long *id_out)
{
	sqlite3_stmt *st;
	long long id = f->prior_id;

	if (id != 0) {
		st = store_prepare(r->db, "UPDATE file SET status = 'rejected', rows = 0, kind = ?, ingested_at = "
		    "CASE WHEN status = 'rejected' THEN ingested_at ELSE ? END WHERE id = ?");
		if (st == NULL)
			return -1;
		sqlite3_bind_text(st, 1, ingest_file_kind(f), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, id);
	} else {
		st = store_prepare(r->db, "INSERT INTO file (path, sha256, size, kind, ingested_at, status) "
		    "VALUES (?, ?, ?, ?, ?, 'rejected')");
		if (st == NULL)
			return -1;
		sqlite3_bind_text(st, 1, f->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, f->sha256, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, f->size);
		sqlite3_bind_text(st, 4, ingest_file_kind(f), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->now, -1, SQLITE_STATIC);
	}
	int rc = step_done(r, st);
	sqlite3_finalize(st);
	if (rc != 0)
		return -1;
	if (id == 0)
		id = sqlite3_last_insert_rowid(r->db);
	*id_out = id;
	char *sql = xasprintf("DELETE FROM rejection WHERE file_id = %lld", id);
	rc = store_exec(r->db, sql);
	free(sql);
	st = store_prepare(r->db, "INSERT INTO rejection (file_id, line, col, message) VALUES (?, ?, ?, ?)");
	if (rc != 0 || st == NULL)
		return -1;
	for (size_t i = 0; i < r->nkept && rc == 0; i++) {
		sqlite3_bind_int64(st, 1, id);
		if (r->kept[i].line > 0) {
			sqlite3_bind_int64(st, 2, r->kept[i].line);
			sqlite3_bind_int64(st, 3, r->kept[i].column > 0 ? r->kept[i].column : 1);
		} else {
			sqlite3_bind_null(st, 2);
			sqlite3_bind_null(st, 3);
		}
		sqlite3_bind_text(st, 4, r->kept[i].message, -1, SQLITE_STATIC);
		rc = step_done(r, st);
		sqlite3_clear_bindings(st);
	}
	if (rc == 0 && r->dropped > 0) {
		char *more = xasprintf(jz_doc_text(N_("… and %ld more errors")), r->dropped);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 4, more, -1, SQLITE_TRANSIENT);
		rc = step_done(r, st);
		free(more);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Marks earlier rejected contents of F's path as replaced: the data-quality
 * appendix lists only the latest rejection of each path.  Returns 0 or -1. */
int
ingest_retire_rejections(struct run *r, const struct infile *f)
{
	sqlite3_stmt *st = store_prepare(r->db, "UPDATE file SET status = 'replaced' "
	    "WHERE path = ? AND status = 'rejected' AND sha256 <> ?");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, f->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->sha256, -1, SQLITE_STATIC);
	rc = step_done(r, st);
	sqlite3_finalize(st);
	return rc;
}
