/* ingest_csv.c — a CSV submission into the store: each row the reader
 * passes (csv_read.c has checked its fields) converted and stored in its
 * kind's table, replacing the row of another file with the same key, its
 * references checked (regions, years, projects, enterprises, entries,
 * awards). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "csv_read.h"
#include "ingest_int.h"
#include "programme.h"
#include "store.h"
#include "xlsx_read.h"

/* ---- Reference sets ------------------------------------------------------ */

static int
load_set(struct run *r, struct strmap *set, const char *sql)
{
	sqlite3_stmt *st = store_prepare(r->db, sql);
	int rc;

	strmap_free(set);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		strmap_add(set, (const char *)sqlite3_column_text(st, 0), 0);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(r);
}

/* The enterprises, each with 1 + its region's index (for the receipts). */
static int
load_enterprises(struct run *r)
{
	sqlite3_stmt *st = store_prepare(r->db, "SELECT credit_code, region FROM enterprise");
	int rc;

	strmap_free(&r->enterprises);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		strmap_add(&r->enterprises, (const char *)sqlite3_column_text(st, 0),
		    1 + ingest_region_index(r, (const char *)sqlite3_column_text(st, 1)));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(r);
}

static int
fresh_sets(struct run *r)
{
	if (r->enterprises_stale) {
		if (load_enterprises(r) != 0)
			return -1;
		r->enterprises_stale = 0;
	}
	if (r->projects_stale) {
		if (load_set(r, &r->projects, "SELECT DISTINCT id FROM cur_project") != 0)
			return -1;
		r->projects_stale = 0;
	}
	return 0;
}

/*
 * Duplicate keys within a file are found by the store, not by a set of keys
 * in memory (which would grow with the file): each row is inserted unless
 * its key is there; when it is, an UPDATE replaces a row of another file
 * (SPEC 3.2: the later file wins; the store's trigger keeps the replaced
 * row) but leaves alone a row of this same file from an earlier line, so
 * that a row changing nothing is a duplicate, and the line stored with the
 * first one says where that was.  (Two statements, not one UPSERT: an
 * UPSERT carries the table's UPDATE trigger on every row, 12 % of the time
 * of an ingest, where the plain INSERT carries none.)  (A row of this file at this line or a later one
 * is not of this reading: `check` reads stored files again under their own
 * id, and finds what their first reading stored.)  Every row without a CSV error is stored, also after the file has
 * errors (it is rolled back then anyway), so that duplicates are found
 * among the bad rows too.  A row the store refuses (a region or an award
 * the schema's references do not know) keeps its key in memory instead,
 * with its line: only bad rows cost memory.
 */

/* The state of one CSV file being read. */
struct csv_job {
	struct run *r;
	enum csv_kind kind;
	long long file_id;
	sqlite3_stmt *insert;    /* the INSERT of a row whose key is not there */
	sqlite3_stmt *update;    /* the UPDATE of a row whose key is */
	sqlite3_stmt *line_of;   /* the line of this file's stored row with a key */
	struct strmap unstored; /* key_text of rows the store refused -> line */
	long rows;
	int failed;          /* store failure: stop */
	int ix_kind, ix_gender, ix_round; /* columns CR_AWARD and CR_ENTRY look at, or -1 */
	int refs_read;       /* the references held in memory were checked by the reading thread */
};

/* Which references check_row looks up. */
enum refs { REFS_ALL, REFS_MEMORY, REFS_STORE };

/* The award that NAME (a code or a title) means, or NULL: forms offer the
 * titles, the store keeps the code. */
static const struct prog_award *
award_named(const struct programme *p, const char *name)
{
	const struct prog_award *w = programme_award(p, name);

	for (size_t i = 0; w == NULL && i < p->nawards; i++)
		if (strcmp(p->awards[i].title, name) == 0)
			w = &p->awards[i];
	return w;
}

/* Checks the references of ROW, column by column as the table of kinds
 * says (csv_read.h, enum csv_ref): WHICH, those held in memory (the
 * programme's, the sets of projects and enterprises), those looked up in
 * the store (entries of a round), or all; returns the number of errors
 * reported. */
static int
check_row(struct csv_job *j, const struct csv_row *row, enum refs which)
{
	struct run *r = j->r;
	const struct programme *p = r->prog;
	const struct csv_kind_def *kd = csv_kind_def(j->kind);
	int errors = 0;

#define AT(i) r->cur->shown, row->field_line[i], row->column[i]
	if (j->ix_round >= 0)
		ingest_note_year(r, row->field[j->ix_round]);  /* for the receipt */
	for (int i = 0; i < kd->ncols; i++) {
		const char *v = row->field[i];
		if ((which == REFS_MEMORY && kd->cols[i].ref == CR_ENTRY) ||
		    (which == REFS_STORE && kd->cols[i].ref != CR_ENTRY))
			continue;
		switch (kd->cols[i].ref) {
		case CR_NONE:
			break;
		case CR_REGION: {
			const char *code = programme_region(p, v);
			if (code == NULL) {
				diag(DIAG_REF_REGION, AT(i), v, programme_region_list(p));
				errors++;
			}
			ingest_note_region(r, code);
			break;
		}
		case CR_PERIOD: {
			int year = atoi(v);
			ingest_note_year(r, v);
			if (year < p->first_year || year > p->last_year) {
				diag(DIAG_YEAR_PERIOD, AT(i), year, p->first_year, p->last_year);
				errors++;
			}
			break;
		}
		case CR_PROJECT:
			if (!strmap_get(&r->projects, v, NULL)) {
				diag(DIAG_REF_PROJECT, AT(i), v);
				errors++;
			}
			break;
		case CR_ENTERPRISE: {
			long region;
			if (!strmap_get(&r->enterprises, v, &region)) {
				diag(DIAG_REF_ENTERPRISE, AT(i), v);
				errors++;
			} else
				ingest_note_region_index(r, region - 1);
			break;
		}
		case CR_ENTRY: {
			const char *round = row->field[j->ix_round];
			sqlite3_bind_text(r->entry_known, 1, round, -1, SQLITE_STATIC);
			sqlite3_bind_text(r->entry_known, 2, v, -1, SQLITE_STATIC);
			int rc = sqlite3_step(r->entry_known);
			sqlite3_reset(r->entry_known);
			if (rc == SQLITE_DONE) {
				diag(DIAG_REF_ENTRY, AT(i), v, round);
				errors++;
			} else if (rc != SQLITE_ROW)
				j->failed = 1;
			break;
		}
		case CR_AWARD: {
			const struct prog_award *w = award_named(p, v);
			if (w == NULL) {
				diag(DIAG_REF_AWARD, AT(i), v, programme_award_list(p));
				errors++;
				break;
			}
			const char *kind = row->field[j->ix_kind], *gender = row->field[j->ix_gender];
			if (strcmp(kind, w->recipient_kind) != 0) {
				/* in the words of the form's drop-down, not the store's */
				char written[32];
				snprintf(written, sizeof written, "%s", csv_recipient_kind_word(kind));
				diag(DIAG_RECIPIENT_KIND, AT(j->ix_kind), written, w->code, w->title,
				    csv_recipient_kind_word(w->recipient_kind));
				errors++;
			}
			if (w->women_only && strcmp(gender, "女") != 0) {
				diag(DIAG_WOMEN_ONLY, AT(j->ix_gender), w->code, w->title, gender);
				errors++;
			}
			break;
		}
		}
	}
#undef AT
	return errors;
}

/* Binds V, converted by CONV, to parameter B of ST. */
static void
bind_value(const struct run *r, sqlite3_stmt *st, int b, enum csv_conv conv, const char *v)
{
	switch (conv) {
	case CV_TEXT:
		sqlite3_bind_text(st, b, v, -1, SQLITE_STATIC);
		break;
	case CV_TEXT_NULL:
		if (*v)
			sqlite3_bind_text(st, b, v, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, b);
		break;
	case CV_INT_NULL:
		if (!*v) {
			sqlite3_bind_null(st, b);
			break;
		}
		/* fall through */
	case CV_INT:
		sqlite3_bind_int64(st, b, strtoll(v, NULL, 10));
		break;
	case CV_REAL_NULL:
		if (!*v) {
			sqlite3_bind_null(st, b);
			break;
		}
		/* fall through */
	case CV_REAL:
		sqlite3_bind_double(st, b, strtod(v, NULL));
		break;
	case CV_YES_NO:
		sqlite3_bind_int(st, b, strcmp(v, "是") == 0);
		break;
	case CV_REGION:
		/* NULL when unknown: the store refuses the row */
		sqlite3_bind_text(st, b, programme_region(r->prog, v), -1, SQLITE_STATIC);
		break;
	case CV_AWARD: {
		/* a title as the code; NULL when unknown: the store refuses the row */
		const struct prog_award *w = award_named(r->prog, v);
		sqlite3_bind_text(st, b, w ? w->code : NULL, -1, SQLITE_STATIC);
		break;
	}
	}
}

/* The key of ROW as one string: its key fields joined by U+001F, numbers
 * as the store holds them.  Caller frees. */
static char *
key_text(const struct csv_job *j, const struct csv_row *row)
{
	const int *key = csv_kind_key(j->kind);
	struct buf b = {0};

	for (int i = 0; key[i] >= 0; i++) {
		const char *v = row->field[key[i]];
		if (i > 0)
			buf_puts(&b, "\x1f");
		const struct csv_column *c = &csv_kind_def(j->kind)->cols[key[i]];
		const struct prog_award *w = c->conv == CV_AWARD ? award_named(j->r->prog, v) : NULL;
		if (c->conv == CV_INT)
			buf_printf(&b, "%lld", strtoll(v, NULL, 10));
		else
			buf_puts(&b, w ? w->code : v);
	}
	return b.data ? b.data : xstrdup("");
}

/* The line of the row with ROW's key that this file stored, or 0; on a
 * store failure, 0 with j->failed set. */
static long
stored_line(struct csv_job *j, const struct csv_row *row)
{
	const int *key = csv_kind_key(j->kind);
	sqlite3_stmt *st = j->line_of;
	long line = 0;
	int i;

	for (i = 0; key[i] >= 0; i++)
		bind_value(j->r, st, i + 1, csv_kind_def(j->kind)->cols[key[i]].conv, row->field[key[i]]);
	sqlite3_bind_int64(st, i + 1, j->file_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		line = (long)sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		store_fail(j->r);
		j->failed = 1;
	}
	sqlite3_reset(st);
	return line;
}

/* Binds the values of ROW to ST (insert_sql and update_sql number them
 * alike): its fields, 非公企业 after an enterprise's ownership, file, line. */
static void
bind_row(struct csv_job *j, sqlite3_stmt *st, const struct csv_row *row)
{
	const struct csv_kind_def *kd = csv_kind_def(j->kind);
	int b = 1;

	for (int i = 0; i < kd->ncols; i++, b++) {
		const char *v = row->field[i];
		bind_value(j->r, st, b, kd->cols[i].conv, v);
		if (j->kind == CSV_ENTERPRISES && strcmp(kd->cols[i].column, "ownership") == 0) {
			/* 非公企业: neither 国有 nor 集体. */
			b++;
			sqlite3_bind_int(st, b, strcmp(v, "国有") != 0 && strcmp(v, "集体") != 0);
		}
	}
	sqlite3_bind_int64(st, b++, j->file_id);
	sqlite3_bind_int64(st, b, row->line);
}

/* Stores ROW (every row without a CSV error, in file order) and checks its
 * references.  Returns 0, the line of an earlier row of the file with the
 * same key (the reader reports the duplicate), or -1 on a store failure. */
static int
on_csv_row(void *arg, const struct csv_row *row)
{
	struct csv_job *j = arg;
	struct run *r = j->r;
	sqlite3_stmt *st = j->insert;
	long first;
	char *key = NULL;

	if (j->failed)
		return -1;
	if (j->unstored.n > 0) {
		key = key_text(j, row);
		if (strmap_get(&j->unstored, key, &first)) {
			free(key);
			return (int)first;
		}
	}
	bind_row(j, st, row);
	int rc = sqlite3_step(st);
	sqlite3_int64 before = 0;
	if (rc == SQLITE_DONE && sqlite3_changes(r->db) == 0) {
		/* the key is there: replace the row, unless this file's */
		sqlite3_reset(st);
		st = j->update;
		bind_row(j, st, row);
		before = sqlite3_total_changes64(r->db);
		rc = sqlite3_step(st);
	}
	char *why = rc != SQLITE_DONE ? xstrdup(sqlite3_errmsg(r->db)) : NULL;
	/* A row of another file replaced: the later file wins.  The row of
	 * the earlier content of this file's path is not another file's: the
	 * trigger TABLE_keep_earlier keeps a replaced row only when it is
	 * another file's, and its insert is the second change counted. */
	int replaced = st == j->update && rc == SQLITE_DONE && sqlite3_changes(r->db) > 0 &&
	    sqlite3_total_changes64(r->db) - before > 1;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE && sqlite3_changes(r->db) == 0) {
		/* The key is stored already, by this file. */
		free(key);
		first = stored_line(j, row);
		return j->failed ? -1 : (int)first;
	}
	if (rc != SQLITE_DONE && (rc & 0xFF) != SQLITE_CONSTRAINT)
		goto fail;
	if (rc != SQLITE_DONE) {
		/* Refused: check_row below says why.  Its key goes to memory. */
		first = stored_line(j, row);
		if (j->failed || first != 0) {
			free(key);
			free(why);
			return j->failed ? -1 : (int)first;
		}
		if (key == NULL)
			key = key_text(j, row);
		strmap_add(&j->unstored, key, row->line);
	}
	free(key);
	key = NULL;
	int errors = check_row(j, row, j->refs_read ? REFS_STORE : REFS_ALL);
	if (j->failed) {
		free(why);
		return -1;
	}
	if (rc != SQLITE_DONE && errors == 0)
		goto fail; /* a constraint check_row does not know */
	free(why);
	if (errors == 0) {
		j->rows++;
		r->notes.replaced_rows += replaced;
	}
	return 0;
fail:
	diag(DIAG_STORE, NULL, 0, 0, why);
	free(why);
	free(key);
	j->failed = 1;
	return -1;
}

/* The INSERT (UPDATE false) or the UPDATE (true) of a row of kind K (see
 * above), with the values numbered as bind_row binds them; caller frees. */
static char *
row_sql(enum csv_kind k, int update)
{
	const struct csv_kind_def *kd = csv_kind_def(k);
	const int *key = csv_kind_key(k);
	struct buf cols = {0}, vals = {0}, set = {0}, where = {0};
	int n = 0, param[CSV_MAX_COLS];

	for (int i = 0; i < kd->ncols; i++) {
		param[i] = ++n;
		buf_printf(&cols, "%s, ", kd->cols[i].column);
		buf_printf(&vals, "?%d, ", n);
		buf_printf(&set, "%s = ?%d, ", kd->cols[i].column, n);
		if (k == CSV_ENTERPRISES && strcmp(kd->cols[i].column, "ownership") == 0) {
			++n;
			buf_puts(&cols, "nonpublic, ");
			buf_printf(&vals, "?%d, ", n);
			buf_printf(&set, "nonpublic = ?%d, ", n);
		}
	}
	for (int i = 0; key[i] >= 0; i++)
		buf_printf(&where, "%s%s = ?%d", i ? " AND " : "", kd->cols[key[i]].column,
		    param[key[i]]);
	char *sql = update ?
	    xasprintf("UPDATE %s SET %sfile_id = ?%d, line = ?%d WHERE %s "
		"AND (file_id <> ?%d OR line >= ?%d)", kd->table, set.data, n + 1, n + 2,
		where.data, n + 1, n + 2) :
	    xasprintf("INSERT INTO %s (%sfile_id, line) VALUES (%s?%d, ?%d) ON CONFLICT DO NOTHING",
		kd->table, cols.data, vals.data, n + 1, n + 2);
	buf_free(&cols);
	buf_free(&vals);
	buf_free(&set);
	buf_free(&where);
	return sql;
}

/* The query of the line this file stored with a key of kind K; caller frees. */
static char *
line_of_sql(enum csv_kind k)
{
	const struct csv_kind_def *kd = csv_kind_def(k);
	const int *key = csv_kind_key(k);
	struct buf where = {0};

	for (int i = 0; key[i] >= 0; i++)
		buf_printf(&where, "%s = ? AND ", kd->cols[key[i]].column);
	char *sql = xasprintf("SELECT line FROM %s WHERE %sfile_id = ?", kd->table, where.data);
	buf_free(&where);
	return sql;
}

/* Readies J to store rows of kind KIND as FILE_ID; returns 0, or -1 on a
 * store failure. */
static int
job_open(struct run *r, struct csv_job *j, enum csv_kind kind, long long file_id)
{
	memset(j, 0, sizeof *j);
	j->r = r;
	j->kind = kind;
	j->file_id = file_id;
	if (fresh_sets(r) != 0)
		return -1;
	char *sql = row_sql(kind, 0);
	j->insert = store_prepare(r->db, sql);
	free(sql);
	sql = row_sql(kind, 1);
	j->update = j->insert ? store_prepare(r->db, sql) : NULL;
	free(sql);
	sql = line_of_sql(kind);
	j->line_of = j->update ? store_prepare(r->db, sql) : NULL;
	free(sql);
	if (j->line_of == NULL) {
		sqlite3_finalize(j->insert);
		sqlite3_finalize(j->update);
		return -1;
	}
	j->ix_kind = csv_kind_def(kind)->recipient_kind;
	j->ix_gender = csv_column_index(kind, "gender");
	j->ix_round = csv_column_index(kind, "round");
	return 0;
}

/* Releases J; returns the rows it stored, or -1 on a store failure. */
static long
job_close(struct csv_job *j)
{
	sqlite3_finalize(j->insert);
	sqlite3_finalize(j->update);
	sqlite3_finalize(j->line_of);
	strmap_free(&j->unstored);
	if (j->kind == CSV_ENTERPRISES)
		j->r->enterprises_stale = 1;
	return j->failed ? -1 : j->rows;
}

/* ---- Reading beside storing ------------------------------------------------
 *
 * Reading a file (decoding, parsing, checking every field and the
 * references held in memory) is about a third of its ingest, storing its
 * rows the rest.  A file of many rows is read by a thread of its own while
 * this one stores what it has read, batch by batch, in file order.  That
 * is the way of a file about which nothing is to be said: at the first
 * diagnostic of either thread, a key the file repeats or a row the store
 * refuses, both stop, what was stored of the file is rolled back (an inner
 * savepoint), and the file is read again the plain way, one row at a time
 * on this thread, which says everything in its order.  The sets of
 * references do not change while a file is read, and the reading thread
 * touches neither the store nor the run's diagnostics.
 */
#define PIPE_MIN_BYTES (1 << 20)  /* smaller files: the plain way */
#define PIPE_ROWS 512              /* rows in a batch */
#define PIPE_BATCHES 8             /* batches read ahead */
#define PIPE_COLS 16               /* columns of a row, at most */

/* A row as read, its fields in the batch's text. */
struct pipe_row {
	long line;
	size_t off[PIPE_COLS];
	long column[PIPE_COLS], field_line[PIPE_COLS];
};

struct pipe_batch {
	int n;
	struct pipe_row rows[PIPE_ROWS];
	struct buf text;
};

/* What the two threads share; LOCK guards the ring and the flags. */
struct pipe {
	struct csv_job *j;
	const struct infile *f;
	const char *data;
	size_t len;
	pthread_mutex_t lock;
	pthread_cond_t moved;     /* a batch was filled or emptied, or a flag set */
	struct pipe_batch *ring;  /* PIPE_BATCHES */
	int head, count;          /* the filled batches: COUNT from HEAD on */
	int fill;                 /* the batch the reading thread fills (its own) */
	int done;                 /* the reading thread has read the whole file */
	int give_up;              /* either thread said something: the plain way
	                           * (also read without the lock: a hint) */
	struct csv_info info;
	int nfields;
};

/* Either thread's diagnostics sink: anything said ends the fast way. */
static void
pipe_said(const struct diag_msg *m, void *arg)
{
	struct pipe *p = arg;

	(void)m;
	pthread_mutex_lock(&p->lock);
	__atomic_store_n(&p->give_up, 1, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&p->moved);
	pthread_mutex_unlock(&p->lock);
}

/* Hands the batch being filled over to the storing thread, waiting for a
 * free one; returns -1 when the fast way was given up. */
static int
pipe_push(struct pipe *p)
{
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	if (p->ring[p->fill].n > 0) {
		p->count++;
		p->fill = (p->fill + 1) % PIPE_BATCHES;
	}
	pthread_cond_broadcast(&p->moved);
	/* the next batch to fill is free once fewer than all are filled */
	while (p->count == PIPE_BATCHES && !p->give_up)
		pthread_cond_wait(&p->moved, &p->lock);
	rc = p->give_up ? -1 : 0;
	pthread_mutex_unlock(&p->lock);
	return rc;
}

/* The reader's callback on the reading thread: checks the references held
 * in memory and copies the row into the batch being filled. */
static int
pipe_row(void *arg, const struct csv_row *row)
{
	struct pipe *p = arg;
	/* the storing thread does not touch it until it is handed over */
	struct pipe_batch *b = &p->ring[p->fill];
	struct pipe_row *pr;

	if (check_row(p->j, row, REFS_MEMORY) != 0 || __atomic_load_n(&p->give_up, __ATOMIC_RELAXED))
		return -1;
	pr = &b->rows[b->n++];
	pr->line = row->line;
	for (int i = 0; i < row->nfields; i++) {
		pr->off[i] = b->text.len;
		buf_add(&b->text, row->field[i], strlen(row->field[i]) + 1);
		pr->column[i] = row->column[i];
		pr->field_line[i] = row->field_line[i];
	}
	if (b->n == PIPE_ROWS)
		return pipe_push(p);
	return 0;
}

static void *
pipe_read(void *arg)
{
	struct pipe *p = arg;
	int rc;

	diag_set_thread_sink(pipe_said, p);
	rc = csv_read_flags(p->f->shown, p->data, p->len, pipe_row, p, &p->info,
	    CSV_KEYS_BY_CALLER | CSV_MAPPED);
	if (rc == 0)
		pipe_push(p);
	diag_set_thread_sink(NULL, NULL);
	pthread_mutex_lock(&p->lock);
	if (rc != 0)   /* an error said, or the fast way given up */
		__atomic_store_n(&p->give_up, 1, __ATOMIC_RELAXED);
	p->done = 1;
	pthread_cond_broadcast(&p->moved);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Stores the rows the reading thread hands over; returns 0 when the whole
 * file went in the fast way, -1 when it was given up. */
static int
pipe_store(struct pipe *p)
{
	const char *field[PIPE_COLS];

	for (;;) {
		struct pipe_batch *b;
		int stop = 0;

		pthread_mutex_lock(&p->lock);
		while (p->count == 0 && !p->done && !p->give_up)
			pthread_cond_wait(&p->moved, &p->lock);
		if (p->give_up || p->count == 0) {
			int rc = p->give_up ? -1 : 0;
			pthread_mutex_unlock(&p->lock);
			return rc;
		}
		b = &p->ring[p->head];
		pthread_mutex_unlock(&p->lock);
		for (int k = 0; k < b->n && !stop; k++) {
			struct pipe_row *pr = &b->rows[k];
			struct csv_row row = {pr->line, field, pr->column, pr->field_line, p->j->kind,
			    p->nfields};
			for (int i = 0; i < p->nfields; i++)
				field[i] = b->text.data + pr->off[i];
			/* a key stored already by this file, or a failure */
			stop = on_csv_row(p->j, &row) != 0 || p->j->failed;
		}
		b->n = 0;
		buf_reset(&b->text);
		pthread_mutex_lock(&p->lock);
		if (stop)
			__atomic_store_n(&p->give_up, 1, __ATOMIC_RELAXED);
		p->head = (p->head + 1) % PIPE_BATCHES;
		p->count--;
		pthread_cond_broadcast(&p->moved);
		pthread_mutex_unlock(&p->lock);
	}
}

/* Reads F (DATA/LEN) into J the fast way (above); returns 1 when it went
 * in whole, its encoding in INFO, 0 when nothing of it stayed in the
 * store and nothing was said (the plain way must follow), -1 on a store
 * failure. */
static int
pipe_load(struct csv_job *j, const struct infile *f, const char *data, size_t len,
    struct csv_info *info)
{
	struct pipe p = {.j = j, .f = f, .data = data, .len = len};
	pthread_t reader;
	int rc;

	p.nfields = csv_kind_def(j->kind)->ncols;
	if (len < PIPE_MIN_BYTES || p.nfields > PIPE_COLS || store_exec(j->r->db, "SAVEPOINT rows") != 0)
		return len < PIPE_MIN_BYTES || p.nfields > PIPE_COLS ? 0 : -1;
	p.ring = xcalloc(PIPE_BATCHES, sizeof *p.ring);
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.moved, NULL);
	j->refs_read = 1;
	diag_set_thread_sink(pipe_said, &p);
	if (pthread_create(&reader, NULL, pipe_read, &p) != 0)
		rc = -1;
	else {
		rc = pipe_store(&p);
		if (rc != 0) {
			/* let the reading thread stop */
			pthread_mutex_lock(&p.lock);
			__atomic_store_n(&p.give_up, 1, __ATOMIC_RELAXED);
			pthread_cond_broadcast(&p.moved);
			pthread_mutex_unlock(&p.lock);
		}
		pthread_join(reader, NULL);
		if (p.give_up)
			rc = -1;
	}
	diag_set_thread_sink(NULL, NULL);
	j->refs_read = 0;
	for (int i = 0; i < PIPE_BATCHES; i++)
		buf_free(&p.ring[i].text);
	free(p.ring);
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.moved);
	if (rc == 0) {
		*info = p.info;
		return store_exec(j->r->db, "RELEASE rows") == 0 ? 1 : -1;
	}
	return store_exec(j->r->db, "ROLLBACK TO rows; RELEASE rows") == 0 ? 0 : -1;
}

/* Reads the CSV file F (DATA/LEN) into the store as FILE_ID; returns the rows
 * stored, or -1 on a store failure.  Errors are counted by the sink. */
long
ingest_load_csv(struct run *r, const struct infile *f, long long file_id, const char *data, size_t len,
    char encoding[32])
{
	struct csv_job j;
	struct csv_info info = {0};
	int fast;

	if (f->csv_kind < 0 || f->csv_kind >= CSV__KINDS) {
		/* Not a known header: the reader says what is wrong with it. */
		csv_read_flags(f->shown, data, len, NULL, NULL, &info, CSV_MAPPED);
		if (r->cur_errors == 0)
			diag(DIAG_CSV_HEADER_KIND, f->shown, 1, 1);
		return 0;
	}
	if (job_open(r, &j, (enum csv_kind)f->csv_kind, file_id) != 0)
		return -1;
	fast = pipe_load(&j, f, data, len, &info);
	if (fast == 0) {
		/* given up, or a small file: the plain way, from the start */
		job_close(&j);
		if (job_open(r, &j, (enum csv_kind)f->csv_kind, file_id) != 0)
			return -1;
		csv_read_flags(f->shown, data, len, on_csv_row, &j, &info, CSV_KEYS_BY_CALLER | CSV_MAPPED);
	} else if (fast < 0)
		j.failed = 1;
	snprintf(encoding, 32, "%s", info.encoding ? info.encoding : "");
	return job_close(&j);
}

long
ingest_load_sheet(struct run *r, struct xlsx *x, int sheet, enum csv_kind kind, long long file_id)
{
	struct csv_job j;
	struct csv_info info;

	if (job_open(r, &j, kind, file_id) != 0)
		return -1;
	xlsx_sheet_read(x, sheet, on_csv_row, &j, &info, CSV_KEYS_BY_CALLER);
	return job_close(&j);
}
