/* ingest_csv.c — a CSV submission into the store: each row the reader
 * passes (csv_read.c has checked its fields) converted and stored in its
 * kind's table, replacing the row of another file with the same key, its
 * references checked (regions, years, projects, enterprises, entries,
 * awards). */
#include <stdlib.h>
#include <string.h>

#include "csv_read.h"
#include "ingest_int.h"
#include "programme.h"
#include "store.h"

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

/* ---- CSV files --------------------------------------------------------------- */

const struct kind_def ingest_kinds[CSV__KINDS] = {
	[CSV_ENTERPRISES] = {"enterprise", 7, {{"credit_code", C_TEXT}, {"name", C_TEXT},
	    {"region", C_REGION}, {"ownership", C_TEXT}, {"above_scale", C_YES_NO},
	    {"industry", C_TEXT_NULL}, {"employees", C_INT_NULL}}},
	[CSV_PARTICIPATION] = {"participation", 4, {{"year", C_INT}, {"project_id", C_TEXT},
	    {"credit_code", C_TEXT}, {"participants", C_INT}}},
	[CSV_ACHIEVEMENTS] = {"achievement", 8, {{"round", C_TEXT}, {"entry_id", C_TEXT},
	    {"category", C_TEXT}, {"title", C_TEXT}, {"first_completer", C_TEXT},
	    {"gender", C_TEXT_NULL}, {"credit_code", C_TEXT}, {"completers", C_TEXT_NULL}}},
	[CSV_SCORES] = {"score", 4, {{"round", C_TEXT}, {"entry_id", C_TEXT}, {"judge", C_TEXT},
	    {"score", C_REAL}}},
	[CSV_SKILLS] = {"skill", 8, {{"year", C_INT}, {"competition", C_TEXT},
	    {"city_contest", C_YES_NO}, {"rank", C_INT}, {"name", C_TEXT},
	    {"gender", C_TEXT_NULL}, {"credit_code", C_TEXT}, {"score", C_REAL_NULL}}},
	[CSV_AWARDS] = {"award_row", 7, {{"year", C_INT}, {"award", C_TEXT}, {"recipient", C_TEXT},
	    {"recipient_kind", C_TEXT}, {"gender", C_TEXT_NULL}, {"credit_code", C_TEXT},
	    {"reason", C_TEXT_NULL}}},
};

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
	int ix_year, ix_credit, ix_project, ix_award, ix_kind, ix_gender, ix_round, ix_entry;
};

static int
field_index(enum csv_kind k, const char *name)
{
	return csv_column_index(k, name);
}

/* Checks the references of ROW; returns the number of errors reported. */
static int
check_row(struct csv_job *j, const struct csv_row *row)
{
	struct run *r = j->r;
	const struct programme *p = r->prog;
	int errors = 0;

#define AT(i) r->cur->shown, row->field_line[i], row->column[i]
	if (j->kind == CSV_ENTERPRISES) {
		int i = field_index(j->kind, "region");
		const char *code = programme_region(p, row->field[i]);
		if (code == NULL) {
			diag(DIAG_REF_REGION, AT(i), row->field[i], programme_region_list(p));
			errors++;
		}
		ingest_note_region(r, code);
		return errors;
	}
	if (j->ix_year >= 0)
		ingest_note_year(r, row->field[j->ix_year]);
	else if (j->ix_round >= 0)
		ingest_note_year(r, row->field[j->ix_round]);
	if (j->ix_year >= 0) {
		int year = atoi(row->field[j->ix_year]);
		if (year < p->first_year || year > p->last_year) {
			diag(DIAG_YEAR_PERIOD, AT(j->ix_year), year, p->first_year, p->last_year);
			errors++;
		}
	}
	if (j->ix_project >= 0 && !strmap_get(&r->projects, row->field[j->ix_project], NULL)) {
		diag(DIAG_REF_PROJECT, AT(j->ix_project), row->field[j->ix_project]);
		errors++;
	}
	long region;
	if (j->ix_credit >= 0 && !strmap_get(&r->enterprises, row->field[j->ix_credit], &region)) {
		diag(DIAG_REF_ENTERPRISE, AT(j->ix_credit), row->field[j->ix_credit]);
		errors++;
	} else if (j->ix_credit >= 0)
		ingest_note_region_index(r, region - 1);
	if (j->kind == CSV_SCORES) {
		sqlite3_bind_text(r->entry_known, 1, row->field[j->ix_round], -1, SQLITE_STATIC);
		sqlite3_bind_text(r->entry_known, 2, row->field[j->ix_entry], -1, SQLITE_STATIC);
		int rc = sqlite3_step(r->entry_known);
		sqlite3_reset(r->entry_known);
		if (rc == SQLITE_DONE) {
			diag(DIAG_REF_ENTRY, AT(j->ix_entry), row->field[j->ix_entry], row->field[j->ix_round]);
			errors++;
		} else if (rc != SQLITE_ROW)
			j->failed = 1;
	}
	if (j->kind == CSV_AWARDS) {
		const char *code = row->field[j->ix_award];
		const struct prog_award *w = programme_award(p, code);
		if (w == NULL) {
			diag(DIAG_REF_AWARD, AT(j->ix_award), code, programme_award_list(p));
			errors++;
		} else {
			const char *kind = row->field[j->ix_kind], *gender = row->field[j->ix_gender];
			if (strcmp(kind, w->recipient_kind) != 0) {
				diag(DIAG_RECIPIENT_KIND, AT(j->ix_kind), kind, w->code, w->recipient_kind);
				errors++;
			}
			if (w->women_only && strcmp(gender, "女") != 0) {
				diag(DIAG_WOMEN_ONLY, AT(j->ix_gender), w->code, gender);
				errors++;
			}
		}
	}
#undef AT
	return errors;
}

/* Binds V, converted by CONV, to parameter B of ST. */
static void
bind_value(const struct run *r, sqlite3_stmt *st, int b, enum conv conv, const char *v)
{
	switch (conv) {
	case C_TEXT:
		sqlite3_bind_text(st, b, v, -1, SQLITE_STATIC);
		break;
	case C_TEXT_NULL:
		if (*v)
			sqlite3_bind_text(st, b, v, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, b);
		break;
	case C_INT_NULL:
		if (!*v) {
			sqlite3_bind_null(st, b);
			break;
		}
		/* fall through */
	case C_INT:
		sqlite3_bind_int64(st, b, strtoll(v, NULL, 10));
		break;
	case C_REAL_NULL:
		if (!*v) {
			sqlite3_bind_null(st, b);
			break;
		}
		/* fall through */
	case C_REAL:
		sqlite3_bind_double(st, b, strtod(v, NULL));
		break;
	case C_YES_NO:
		sqlite3_bind_int(st, b, strcmp(v, "是") == 0);
		break;
	case C_REGION:
		/* NULL when unknown: the store refuses the row */
		sqlite3_bind_text(st, b, programme_region(r->prog, v), -1, SQLITE_STATIC);
		break;
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
		if (ingest_kinds[j->kind].field[key[i]].conv == C_INT)
			buf_printf(&b, "%lld", strtoll(v, NULL, 10));
		else
			buf_puts(&b, v);
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
		bind_value(j->r, st, i + 1, ingest_kinds[j->kind].field[key[i]].conv, row->field[key[i]]);
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
	const struct kind_def *kd = &ingest_kinds[j->kind];
	int b = 1;

	for (int i = 0; i < kd->nfields; i++, b++) {
		const char *v = row->field[i];
		bind_value(j->r, st, b, kd->field[i].conv, v);
		if (j->kind == CSV_ENTERPRISES && strcmp(kd->field[i].column, "ownership") == 0) {
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
	if (rc == SQLITE_DONE && sqlite3_changes(r->db) == 0) {
		/* the key is there: replace the row, unless this file's */
		sqlite3_reset(st);
		st = j->update;
		bind_row(j, st, row);
		rc = sqlite3_step(st);
	}
	char *why = rc != SQLITE_DONE ? xstrdup(sqlite3_errmsg(r->db)) : NULL;
	/* a row of another file replaced: the later file wins */
	int replaced = st == j->update && rc == SQLITE_DONE && sqlite3_changes(r->db) > 0;
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
	int errors = check_row(j, row);
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
	const struct kind_def *kd = &ingest_kinds[k];
	const int *key = csv_kind_key(k);
	struct buf cols = {0}, vals = {0}, set = {0}, where = {0};
	int n = 0, param[sizeof kd->field / sizeof kd->field[0]];

	for (int i = 0; i < kd->nfields; i++) {
		param[i] = ++n;
		buf_printf(&cols, "%s, ", kd->field[i].column);
		buf_printf(&vals, "?%d, ", n);
		buf_printf(&set, "%s = ?%d, ", kd->field[i].column, n);
		if (k == CSV_ENTERPRISES && strcmp(kd->field[i].column, "ownership") == 0) {
			++n;
			buf_puts(&cols, "nonpublic, ");
			buf_printf(&vals, "?%d, ", n);
			buf_printf(&set, "nonpublic = ?%d, ", n);
		}
	}
	for (int i = 0; key[i] >= 0; i++)
		buf_printf(&where, "%s%s = ?%d", i ? " AND " : "", kd->field[key[i]].column,
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
	const struct kind_def *kd = &ingest_kinds[k];
	const int *key = csv_kind_key(k);
	struct buf where = {0};

	for (int i = 0; key[i] >= 0; i++)
		buf_printf(&where, "%s = ? AND ", kd->field[key[i]].column);
	char *sql = xasprintf("SELECT line FROM %s WHERE %sfile_id = ?", kd->table, where.data);
	buf_free(&where);
	return sql;
}

/* Reads the CSV file F (DATA/LEN) into the store as FILE_ID; returns the rows
 * stored, or -1 on a store failure.  Errors are counted by the sink. */
long
ingest_load_csv(struct run *r, const struct infile *f, long long file_id, const char *data, size_t len,
    char encoding[32])
{
	struct csv_job j = {.r = r, .kind = (enum csv_kind)f->csv_kind, .file_id = file_id};
	struct csv_info info = {0};

	if (f->csv_kind < 0 || f->csv_kind >= CSV__KINDS) {
		/* Not a known header: the reader says what is wrong with it. */
		csv_read_flags(f->shown, data, len, NULL, NULL, &info, CSV_MAPPED);
		if (r->cur_errors == 0)
			diag(DIAG_CSV_HEADER_KIND, f->shown, 1, 1);
		return 0;
	}
	if (fresh_sets(r) != 0)
		return -1;
	char *sql = row_sql(j.kind, 0);
	j.insert = store_prepare(r->db, sql);
	free(sql);
	sql = row_sql(j.kind, 1);
	j.update = j.insert ? store_prepare(r->db, sql) : NULL;
	free(sql);
	sql = line_of_sql(j.kind);
	j.line_of = j.update ? store_prepare(r->db, sql) : NULL;
	free(sql);
	if (j.line_of == NULL) {
		sqlite3_finalize(j.insert);
		sqlite3_finalize(j.update);
		return -1;
	}
	j.ix_year = j.kind == CSV_PARTICIPATION || j.kind == CSV_SKILLS || j.kind == CSV_AWARDS ?
	    field_index(j.kind, "year") : -1;
	j.ix_credit = j.kind != CSV_SCORES ? field_index(j.kind, "credit_code") : -1;
	j.ix_project = j.kind == CSV_PARTICIPATION ? field_index(j.kind, "project_id") : -1;
	j.ix_award = field_index(j.kind, "award");
	j.ix_kind = field_index(j.kind, "recipient_kind");
	j.ix_gender = field_index(j.kind, "gender");
	j.ix_round = field_index(j.kind, "round");
	j.ix_entry = field_index(j.kind, "entry_id");
	csv_read_flags(f->shown, data, len, on_csv_row, &j, &info, CSV_KEYS_BY_CALLER | CSV_MAPPED);
	sqlite3_finalize(j.insert);
	sqlite3_finalize(j.update);
	sqlite3_finalize(j.line_of);
	strmap_free(&j.unstored);
	snprintf(encoding, 32, "%s", info.encoding ? info.encoding : "");
	return j.failed ? -1 : j.rows;
}
