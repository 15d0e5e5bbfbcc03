/* ingest.c — a run of `ingest` or `check`: the submissions found, each
 * stored in its own savepoint (accepted whole or rejected whole), in
 * dependency order. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest_int.h"
#include "input_file.h"
#include "programme.h"
#include "refcheck.h"
#include "store.h"

/*
 * How a run goes.
 *
 * 1. Every path is walked; each file is hashed (streamed, SHA-256) and its
 *    kind recognised from its first bytes: XML ('<' first) or the CSV kind
 *    its header names.  A file whose path and bytes the store already holds
 *    as accepted is unchanged and not read again.
 * 2. Files are taken kind by kind in dependency order (enum slot), by path
 *    within a kind: enterprises and annual returns exist before the rows
 *    that name them, so a participation file may name a project of a file
 *    that sorts after it, whatever the order the operator put them in.
 *    CSV rows whose key is stored already replace it: the latest file wins.
 * 3. Each file is one transaction (BEGIN IMMEDIATE and a savepoint): a
 *    file with any error is rolled back to nothing (its diagnostics are
 *    recorded in `rejection`), the others stay.  `check` wraps the whole
 *    run in one transaction that it rolls back at the end, so it validates
 *    references exactly as `ingest` would and changes nothing.
 *
 * Reference checks (SPEC 2, 3.2): regions resolve through programme.xml
 * (names and aliases to codes); tracks and awards must exist there; a
 * participation row must name a current project and a known enterprise;
 * achievements, skills and awards rows must name a known enterprise too,
 * since the unit's name and region printed on certificates and in the
 * bulletin come from the enterprises file; scores must name a known
 * achievement entry of their round.
 */

/* A file being stored: its bytes and what the store knew of its path. */
struct storing {
	struct input_map map;    /* the file, mapped (input_map) */
	const char *data;        /* its bytes */
	size_t len;
	int outer;               /* the savepoint began the transaction (store_savepoint) */
	long long file_id;       /* this content's row in `file` */
	long long old_id;        /* the accepted earlier content of the path, or 0 */
	char *old_kind;          /* that content's kind (owned), or NULL */
	long old_rows;           /* the rows it stored */
	char encoding[32];       /* as read */
	long rows;               /* stored; -1 store failure, -2 not a submission */
};

/* The accepted earlier content of F's path, if any, into S.  Returns 0 or -1. */
static int
find_earlier(struct run *r, const struct infile *f, struct storing *s)
{
	sqlite3_stmt *st = store_prepare(r->db, "SELECT id, kind, rows FROM file WHERE path = ? AND status = 'accepted' AND sha256 <> ?");

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, f->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->sha256, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		s->old_id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_text(st, 1))
			s->old_kind = xstrdup((const char *)sqlite3_column_text(st, 1));
		s->old_rows = (long)sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return 0;
}

/* This content's row in `file`, accepted for now, into S->file_id: reused
 * (its rejection forgotten) when these bytes were seen before.  Returns 0 or -1. */
static int
file_row_accepted(struct run *r, const struct infile *f, struct storing *s)
{
	sqlite3_stmt *st;

	if (f->prior_id != 0) {
		st = store_prepare(r->db, "UPDATE file SET status = 'accepted', kind = ?, size = ?, ingested_at = ?, rows = 0 WHERE id = ?");
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 4, f->prior_id);
	} else {
		st = store_prepare(r->db, "INSERT INTO file (kind, size, ingested_at, path, sha256, status) VALUES (?, ?, ?, ?, ?, 'accepted')");
		if (st == NULL)
			return -1;
		sqlite3_bind_text(st, 4, f->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, f->sha256, -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 1, ingest_file_kind(f), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, f->size);
	sqlite3_bind_text(st, 3, r->now, -1, SQLITE_STATIC);
	if (step_done(r, st) != 0) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	s->file_id = f->prior_id ? f->prior_id : sqlite3_last_insert_rowid(r->db);
	if (f->prior_id) {
		char *sql = xasprintf("DELETE FROM rejection WHERE file_id = %lld", s->file_id);
		int rc = store_exec(r->db, sql);
		free(sql);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Rows the earlier content OLD_ID of the path loses to the new one are not
 * kept as earlier rows (store.c): that content is going.  Returns 0 or -1. */
static int
replacing_set(struct run *r, long long old_id)
{
	char *sql = xasprintf("DELETE FROM replacing; INSERT INTO replacing VALUES (%lld)", old_id);
	int rc = store_exec(r->db, sql);

	free(sql);
	return rc;
}

/* The earlier content OLD_ID is replaced: marked so, and the replacing
 * table emptied.  Returns 0 or -1. */
static int
replacing_done(struct run *r, long long old_id)
{
	char *sql = xasprintf("DELETE FROM replacing; "
	    "UPDATE file SET status = 'replaced' WHERE id = %lld", old_id);
	int rc = store_exec(r->db, sql);

	free(sql);
	return rc;
}

/* Records the rows and the encoding of the accepted file FILE_ID.  Returns 0 or -1. */
static int
file_row_counts(struct run *r, long long file_id, long rows, const char *encoding)
{
	sqlite3_stmt *st = store_prepare(r->db, "UPDATE file SET rows = ?, encoding = ? WHERE id = ?");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, rows);
	sqlite3_bind_text(st, 2, encoding, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, file_id);
	rc = step_done(r, st);
	sqlite3_finalize(st);
	return rc;
}

/* Reads F's content into the store by its kind; returns the rows stored,
 * -1 on a store failure, -2 when F is not a submission after all.  Errors
 * are counted by the sink. */
static long
load_content(struct run *r, const struct infile *f, struct storing *s)
{
	long rows;

	if (s->len == 0) {
		diag(DIAG_IN_EMPTY, f->shown, 1, 1);
		rows = 0;
	} else if (f->workbook == WB_XLS) {
		diag(DIAG_XLSX_XLS, f->shown, 0, 0);
		rows = 0;
	} else if (f->workbook == WB_XLSX) {
		rows = ingest_load_workbook(r, f, s->file_id, s->old_id, s->data, s->len, s->encoding);
	} else if (f->slot == SLOT_XML) {
		rows = ingest_load_xml(r, f, s->file_id, s->old_id, s->data, s->len);
		strcpy(s->encoding, "UTF-8");
		r->projects_stale = 1;
	} else if (f->slot == SLOT_OTHER &&
	    memchr(s->data, '\0', s->len < SNIFF_BYTES ? s->len : SNIFF_BYTES)) {
		const char *nul = memchr(s->data, '\0', s->len < SNIFF_BYTES ? s->len : SNIFF_BYTES);
		diag(DIAG_IN_BINARY, f->shown, 1, 1, 0, (long)(nul - s->data));
		rows = 0;
	} else {
		rows = ingest_load_csv(r, f, s->file_id, s->data, s->len, s->encoding);
		if (f->slot == SLOT_ENTERPRISES)
			r->enterprises_stale = 1;
	}
	return rows;
}

/* F had errors: nothing of it stays, but the rejection is recorded.
 * Returns 0 or -1. */
static int
reject_file(struct run *r, const struct infile *f, struct storing *s)
{
	long long id;

	if (store_exec(r->db, "ROLLBACK TO file") != 0 || ingest_record_rejection(r, f, &id) != 0 ||
	    ingest_retire_rejections(r, f) != 0 ||
	    ingest_record_receipt(r, f, ingest_file_kind(f), id, 0, 0, 0, 0) != 0 ||
	    store_release(r->db, "file", s->outer, 1) != 0)
		return -1;
	r->sum->rejected++;
	/* A correction rejected: what the county sent before still counts. */
	if (s->old_id != 0)
		diag(DIAG_IN_EARLIER_KEPT, f->shown, 0, 0, s->old_rows);
	return 0;
}

/* Why F could not be read, for its receipt: the diagnostic just kept (F
 * being the file read), or, when the system gave a reason (ERR), that
 * diagnostic with the reason in Chinese too, whatever the locale. */
static char *
unreadable_text(const struct run *r, int err)
{
	if (err != 0)
		return xasprintf(jz_doc_text(N_("cannot read the file: %s")), jz_doc_strerror(err));
	return xstrdup(r->nkept > 0 ? r->kept[0].message : "");
}

/* F could not be opened or read (its diagnostic is printed, F->unreadable
 * says why): it is recorded as rejected, so that its region's receipt names
 * it.  Returns 0 or -1. */
static int
reject_unreadable(struct run *r, struct infile *f)
{
	long long id;
	int outer, ok;

	ingest_kept_clear(r);
	ingest_notes_clear(r);
	r->kept = xgrow(r->kept, 0, &r->capkept, 16, sizeof *r->kept);
	r->kept[0].line = 0;
	r->kept[0].column = 0;
	r->kept[0].message = xstrdup(f->unreadable);
	r->nkept = 1;
	if (store_savepoint(r->db, "file", &outer) != 0)
		return -1;
	ok = ingest_record_rejection(r, f, &id) == 0 && ingest_retire_rejections(r, f) == 0 &&
	    ingest_record_receipt(r, f, ingest_file_kind(f), id, 0, 0, 0, 0) == 0;
	ingest_kept_clear(r);
	return store_release(r->db, "file", outer, ok) == 0 && ok ? 0 : -1;
}

/* F is accepted: what the earlier content of its path stored and F does
 * not goes (earlier rows of other files coming back), and F's row gets its
 * counts.  Returns 0 or -1. */
static int
accept_file(struct run *r, const struct infile *f, struct storing *s)
{
	struct ingest_summary *sum = r->sum;
	long vanished = 0, restored = 0;

	if (s->old_id != 0) {
		vanished = ingest_remove_contribution(r, s->old_id, s->old_kind, s->file_id, &restored);
		if (vanished < 0 || replacing_done(r, s->old_id) != 0)
			return -1;
		if (vanished > 0)
			diag(DIAG_IN_VANISHED, f->shown, 0, 0, vanished);
		if (restored > 0)
			diag(DIAG_IN_RESTORED, f->shown, 0, 0, restored);
		sum->changed++;
		sum->rows_vanished += vanished;
	}
	if (file_row_counts(r, s->file_id, s->rows, s->encoding) != 0 ||
	    ingest_retire_rejections(r, f) != 0 ||
	    ingest_record_receipt(r, f, ingest_file_kind(f), s->file_id, 1, s->rows, s->old_id != 0,
	    vanished) != 0 ||
	    store_release(r->db, "file", s->outer, 1) != 0)
		return -1;
	sum->accepted++;
	sum->rows += s->rows;
	return 0;
}

/* Stores F in its own savepoint (its own transaction, begun IMMEDIATE, when
 * no run-wide one is open: another writer is waited for).  Returns 0
 * (accepted or rejected: see the summary) or -1 on a store failure. */
static int
process_file(struct run *r, struct infile *f)
{
	struct storing s = {0};
	enum input_refusal why;
	int rc = -1, open = 0;

	r->cur = f;
	r->cur_errors = 0;
	ingest_kept_clear(r);
	ingest_notes_clear(r);
	/* the file hashed, and no other: not replaced, not changed since */
	if (input_map(&s.map, f->path, &f->st, &why) != 0) {
		int err = why == INPUT_ERRNO ? errno : 0;
		input_refusal_diag(f->shown, why);
		r->sum->rejected++;
		f->unreadable = unreadable_text(r, err);
		r->cur = NULL;
		return r->check_only ? 0 : reject_unreadable(r, f);
	}
	s.data = s.map.data;
	s.len = s.map.len;
	if (store_savepoint(r->db, "file", &s.outer) != 0)
		goto out;
	open = 1;
	if (find_earlier(r, f, &s) != 0 || file_row_accepted(r, f, &s) != 0 ||
	    (s.old_id != 0 && replacing_set(r, s.old_id) != 0))
		goto out;
	s.rows = load_content(r, f, &s);
	/* cut short or rewritten while read: what was read is not the file */
	if (s.rows >= 0 && input_changed(&s.map))
		diag(DIAG_IN_CHANGED, f->shown, 0, 0);
	if (s.rows == -2) {
		/* Not a submission after all: leave no trace. */
		open = 0;
		store_release(r->db, "file", s.outer, 0);
		r->sum->files--;
		rc = 0;
	} else if (s.rows >= 0)
		rc = r->cur_errors > 0 ? reject_file(r, f, &s) : accept_file(r, f, &s);
out:
	/* a failure leaves nothing of the file (a savepoint already released
	 * makes the rollback a no-op) */
	if (rc != 0 && open)
		store_release(r->db, "file", s.outer, 0);
	input_unmap(&s.map);
	free(s.old_kind);
	r->cur = NULL;
	return rc;
}

int
ingest_paths(sqlite3 *db, const struct jz_opts *o, int npaths, char *const *paths,
    int check_only, struct ingest_summary *sum)
{
	struct run r = {.db = db, .opts = o, .sum = sum, .check_only = check_only,
	    .enterprises_stale = 1, .projects_stale = 1};
	sqlite3 *own = NULL;
	struct store_load *load = NULL;
	int status = JZ_EXIT_OK, covers_input = npaths == 0, in_txn = 0;
	char real[PATH_MAX];

	memset(sum, 0, sizeof *sum);
	if (db == NULL) {
		if ((own = store_open(":memory:", 0)) == NULL)
			return JZ_EXIT_FAILURE;
		r.db = own;
	}
	diag_set_sink(ingest_sink, &r, &r.old_fn, &r.old_arg);
	if (realpath(o->input_dir, real) != NULL)
		r.input_real = xstrdup(real);
	time_t now = (time_t)jz_now();
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(r.now, sizeof r.now, "%Y-%m-%dT%H:%M:%SZ", &tm);

	/* The reference data first. */
	char *prog_path = path_join(o->input_dir, "programme.xml");
	r.prog = programme_load(prog_path);
	if (r.prog == NULL) {
		free(prog_path);
		status = JZ_EXIT_FAILURE;
		goto out;
	}
	/* `check` runs in one transaction rolled back at the end; `ingest`
	 * commits each file (its savepoint is then the transaction). */
	if (check_only) {
		if (store_begin(r.db) != 0) {
			free(prog_path);
			status = JZ_EXIT_FAILURE;
			goto out;
		}
		in_txn = 1;
	}
	if (programme_store(r.db, r.prog, prog_path, &sum->programme_changed) != 0) {
		free(prog_path);
		status = JZ_EXIT_FAILURE;
		goto out;
	}
	free(prog_path);

	/* Find, hash and recognise. */
	for (int i = 0; i < npaths; i++) {
		if (r.input_real != NULL && realpath(paths[i], real) != NULL && strcmp(real, r.input_real) == 0)
			covers_input = 1;
		if (ingest_walk(&r, paths[i], 1) != 0)
			status = JZ_EXIT_REJECTED;
	}
	if (npaths == 0 && ingest_walk(&r, o->input_dir, 1) != 0)
		status = JZ_EXIT_REJECTED;
	for (size_t i = 0; i < r.nfiles; i++) {
		struct infile *f = &r.files[i];
		strmap_add(&r.seen_keys, f->key, 0);
		sum->files++;
		if (jz_interrupted) {
			f->slot = SLOT_OTHER + 1; /* not processed: the run stops */
			continue;
		}
		if (f->folder) {           /* a folder that cannot be read: said why */
			sum->rejected++;
			f->slot = SLOT_OTHER + 1;
			continue;
		}
		if (!check_only && ingest_known_unchanged(&r, f))
			continue;
		/* why it cannot be read is kept for its receipt */
		r.cur = f;
		ingest_kept_clear(&r);
		if (ingest_recognise(f) != 0) {
			sum->rejected++;
			f->slot = SLOT_OTHER + 1; /* not processed */
			f->unreadable = unreadable_text(&r, f->read_errno);
		}
		r.cur = NULL;
		ingest_kept_clear(&r);
	}
	if (ingest_find_prior(&r) != 0) {
		status = JZ_EXIT_FAILURE;
		goto out;
	}
	for (size_t i = 0; i < r.nfiles; i++) {
		struct infile *f = &r.files[i];
		/* `check` validates stored files again (and counts them as
		 * stored); `ingest` skips them. */
		if (strcmp(f->prior_status, "accepted") == 0 && f->slot <= SLOT_OTHER) {
			sum->unchanged++;
			if (!check_only)
				f->slot = SLOT_OTHER + 1;
		}
	}
	qsort(r.files, r.nfiles, sizeof *r.files, ingest_by_slot);
	r.entry_known = store_prepare(r.db, "SELECT 1 FROM achievement WHERE round = ? AND entry_id = ?");
	if (r.entry_known == NULL) {
		status = JZ_EXIT_FAILURE;
		goto out;
	}
	/* each file is committed on its own (`check` commits nothing) */
	if (!check_only)
		load = store_load_begin(r.db);
	for (size_t i = 0; i < r.nfiles && !jz_interrupted; i++) {
		if (r.files[i].unreadable != NULL && !check_only &&
		    reject_unreadable(&r, &r.files[i]) != 0) {
			status = JZ_EXIT_FAILURE;
			goto out;
		}
		if (r.files[i].slot > SLOT_OTHER)
			continue;
		if (process_file(&r, &r.files[i]) != 0) {
			status = JZ_EXIT_FAILURE;
			goto out;
		}
		store_load_committed(load);
	}
	store_load_end(load);
	load = NULL;
	if (covers_input && (ingest_warn_disappeared(&r) != 0 ||
	    (!check_only && ingest_retire_folders(&r) != 0))) {
		status = JZ_EXIT_FAILURE;
		goto out;
	}
	if (r.refs_removed && refcheck_report(r.db, r.refs_removed, o->input_dir) < 0) {
		status = JZ_EXIT_FAILURE;
		goto out;
	}
	if (!check_only)
		ingest_record_metadata(&r);
	if (!check_only && ingest_receipts_prune(&r) != 0) {
		status = JZ_EXIT_FAILURE;
		goto out;
	}
	if (sum->rejected > 0 && status < JZ_EXIT_REJECTED)
		status = JZ_EXIT_REJECTED;
out:
	store_load_end(load);
	sqlite3_finalize(r.entry_known);
	if (in_txn)
		store_rollback(r.db);
	diag_set_sink(r.old_fn, r.old_arg, NULL, NULL);
	ingest_kept_clear(&r);
	free(r.kept);
	for (size_t i = 0; i < r.nfiles; i++) {
		free(r.files[i].path);
		free(r.files[i].shown);
		free(r.files[i].key);
		free(r.files[i].unreadable);
	}
	free(r.files);
	strmap_free(&r.seen_keys);
	strmap_free(&r.enterprises);
	strmap_free(&r.projects);
	programme_free(r.prog);
	free(r.input_real);
	store_close(own);
	return status;
}
