/* bulletin.c — the biennial bulletin (通报) of a round: its ranking, its
 * document number and date, and the red-header document built from
 * templates/bulletin.xml.
 *
 * The ranking is rank_round's (shared with the derived MEDAL awards); it is
 * written to the store's `ranking` table so that the template's SQL can join
 * it with the achievements, units and regions.  The document number and the
 * date of issue are kept in `bulletin_issue`: a number is issued on a date,
 * and the same store gives the same bulletin on every later run. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "layout.h"
#include "companion.h"
#include "outputs.h"
#include "programme.h"
#include "sheets.h"
#include "rank.h"
#include "store.h"
#include "template.h"

/* The bulletin's own tables, made on first use. */
static const char bulletin_schema[] =
"CREATE TABLE IF NOT EXISTS bulletin_issue (\n"
"  round  TEXT PRIMARY KEY,     -- 2023-2024\n"
"  number INTEGER NOT NULL,     -- N of PREFIX〔YYYY〕N号\n"
"  issued TEXT NOT NULL         -- date of issue, YYYY-MM-DD (the programme's time zone)\n"
");\n"
"CREATE TABLE IF NOT EXISTS ranking (  -- rank_round's result, per round\n"
"  round    TEXT NOT NULL,\n"
"  entry_id TEXT NOT NULL,\n"
"  category TEXT NOT NULL,\n"
"  cat_ord  INTEGER NOT NULL,   -- 1 科技创新成果, 2 先进操作法\n"
"  rank     INTEGER NOT NULL,   -- ties share a rank, the next skips\n"
"  score    TEXT NOT NULL,      -- two decimals, rounded half up from the exact mean\n"
"  mean     REAL NOT NULL,\n"
"  nscores  INTEGER NOT NULL,\n"
"  counted  INTEGER NOT NULL,   -- nscores, or nscores - 2 when trimmed\n"
"  PRIMARY KEY (round, entry_id)\n"
");\n";

/* What the bulletin reads before ranking, for the fingerprint: the round's
 * rows, the units and regions they name, the issue.  ?1 is the round. */
static const char *const fingerprint_sql[] = {
	"SELECT entry_id, category, title, first_completer, gender, credit_code, completers"
	" FROM achievement WHERE round = ?1 ORDER BY entry_id",
	"SELECT entry_id, judge, score, file_id, line FROM score WHERE round = ?1"
	" ORDER BY entry_id, judge",
	"SELECT e.credit_code, e.name, e.region FROM enterprise e"
	" WHERE e.credit_code IN (SELECT credit_code FROM achievement WHERE round = ?1)"
	" ORDER BY e.credit_code",
	"SELECT code, name, kind, ord FROM region ORDER BY code",
	"SELECT alias, code FROM region_alias ORDER BY alias",
	"SELECT key, value FROM programme ORDER BY key",
};

/* 1 when ROUND is two consecutive years "YYYY-YYYY"; stores them. */
static int
round_valid(const char *round, int *first, int *last)
{
	if (strlen(round) != 9 || round[4] != '-')
		return 0;
	for (int i = 0; i < 9; i++)
		if (i != 4 && !isdigit((unsigned char)round[i]))
			return 0;
	*first = atoi(round);
	*last = atoi(round + 5);
	return *first >= 1900 && *last == *first + 1;
}

/* Adds every row of SQL with ?1 bound to ROUND to FP; returns 0 or -1. */
static int
fp_add_round_query(struct fingerprint *fp, sqlite3 *db, const char *sql, const char *round)
{
	sqlite3_stmt *st = store_prepare(db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, round, -1, SQLITE_TRANSIENT);
	return fp_add_stmt(fp, st);
}

/* Today in the programme's time zone, from jz_now(). */
static void
today(sqlite3 *db, int *y, int *m, int *d)
{
	char *zone = programme_get(db, "time_zone", JZ_DEFAULT_ZONE);

	if (jz_zone_date(jz_now(), zone, y, m, d) != 0)
		jz_zone_date(jz_now(), JZ_DEFAULT_ZONE, y, m, d);
	free(zone);
}

/* The document number and date of ROUND's bulletin: NUMBER when given (a new
 * number is issued today; the same number keeps its date), else the number
 * last used (else 1, issued today).  Records them; returns 0 or -1. */
static int
issue(sqlite3 *db, const char *round, long number, long *out_number, int *y, int *m, int *d)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT number, issued FROM bulletin_issue WHERE round = ?1");
	long have = 0;
	int hy = 0, hm = 0, hd = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, round, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *issued = (const char *)sqlite3_column_text(st, 1);
		have = sqlite3_column_int64(st, 0);
		if (issued == NULL || sscanf(issued, "%d-%d-%d", &hy, &hm, &hd) != 3)
			have = 0;
	}
	sqlite3_finalize(st);
	if (have > 0 && (number == 0 || number == have)) {
		*out_number = have;
		*y = hy, *m = hm, *d = hd;
		return 0;
	}
	*out_number = number > 0 ? number : 1;
	today(db, y, m, d);
	st = store_prepare(db, "INSERT OR REPLACE INTO bulletin_issue (round, number, issued)"
	    " VALUES (?1, ?2, printf('%04d-%02d-%02d', ?3, ?4, ?5))");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, round, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, *out_number);
	sqlite3_bind_int(st, 3, *y);
	sqlite3_bind_int(st, 4, *m);
	sqlite3_bind_int(st, 5, *d);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	if (rc != 0)
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

/* Replaces ROUND's rows of `ranking` with the N entries of R; returns 0 or -1. */
static int
store_ranking(sqlite3 *db, const char *round, const struct ranked_entry *r, int n)
{
	sqlite3_stmt *del, *ins;
	int rc = 0, outer;

	if (store_savepoint(db, "ranking", &outer) != 0)
		return -1;
	del = store_prepare(db, "DELETE FROM ranking WHERE round = ?1");
	ins = store_prepare(db, "INSERT INTO ranking (round, entry_id, category, cat_ord, rank, score,"
	    " mean, nscores, counted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	if (del == NULL || ins == NULL)
		rc = -1;
	else {
		sqlite3_bind_text(del, 1, round, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(del) != SQLITE_DONE)
			rc = -1;
	}
	for (int i = 0; rc == 0 && i < n; i++) {
		char score[32];
		rank_format_score(r[i].sum_tenths, r[i].counted, score);
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, round, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 2, r[i].entry_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 3, r[i].category, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(ins, 4, strcmp(r[i].category, "科技创新成果") == 0 ? 1 :
		    strcmp(r[i].category, "先进操作法") == 0 ? 2 : 3);
		sqlite3_bind_int(ins, 5, r[i].rank);
		sqlite3_bind_text(ins, 6, score, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(ins, 7, r[i].score);
		sqlite3_bind_int(ins, 8, r[i].nscores);
		sqlite3_bind_int(ins, 9, r[i].counted);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = -1;
	}
	if (rc != 0)
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	if (rc != 0) {
		store_release(db, "ranking", outer, 0);
		return -1;
	}
	return store_release(db, "ranking", outer, 1);
}

/* Lays the bulletin out from the template at TPL_PATH with PARAMS, into
 * the files of OD (PDF) and the tables of its companions, SHEETS, and the
 * report's title into *TITLE (the caller frees); returns 0 or -1 after a
 * diagnostic. */
static int
render(const struct out_ctx *oc, const char *tpl_path, const struct tpl_param *params, int nparams,
    struct out_doc *od, struct sheets *sheets, char **title)
{
	struct tpl *t = NULL;
	struct tpl_run *run = NULL;
	struct fontset *fs = NULL;
	struct doc *d = NULL;
	sqlite3 *ro = NULL;
	int rc = -1;

	if ((t = tpl_load(tpl_path)) == NULL)
		goto out;
	if ((ro = store_open(oc->opts->db_path, 1)) == NULL)
		goto out;
	if ((run = tpl_query(t, ro, params, nparams)) == NULL)
		goto out;
	if ((fs = fontset_open(oc->opts->fonts_dir)) == NULL)
		goto out;
	if ((d = tpl_render(run, fs, sheets)) == NULL)
		goto out;
	*title = xstrdup(tpl_run_title(run));
	rc = out_doc_render(od, oc, d);
out:
	doc_free(d);
	fontset_free(fs);
	tpl_run_free(run);
	store_close(ro);
	tpl_free(t);
	return rc;
}

int
bulletin_build(struct out_ctx *oc, const char *round, long number)
{
	sqlite3 *db = oc->db;
	struct fingerprint *fp;
	struct ranked_entry *ranked = NULL;
	struct out_doc od;
	struct sheets sheets = {0};
	char fpr[65], *tpl_path, *relbase = NULL, *title = NULL;
	int first, last, y, m, d, n = 0, status = JZ_EXIT_OK;
	long issued_number;

	if (!round_valid(round, &first, &last)) {
		diag(DIAG_BULLETIN_ROUND, NULL, 0, 0, round);
		return JZ_EXIT_USAGE;
	}
	if (store_exec(db, bulletin_schema) != 0)
		return JZ_EXIT_FAILURE;
	/* No number is used up by a round nobody submitted. */
	sqlite3_stmt *any = store_prepare(db, "SELECT 1 FROM achievement WHERE round = ?1 LIMIT 1");
	if (any == NULL)
		return JZ_EXIT_FAILURE;
	sqlite3_bind_text(any, 1, round, -1, SQLITE_TRANSIENT);
	int have_entries = sqlite3_step(any) == SQLITE_ROW;
	sqlite3_finalize(any);
	if (!have_entries) {
		diag(DIAG_BULLETIN_NO_ROUND, NULL, 0, 0, round);
		return JZ_EXIT_REJECTED;
	}
	if (issue(db, round, number, &issued_number, &y, &m, &d) != 0)
		return JZ_EXIT_FAILURE;

	tpl_path = path_join(oc->opts->templates_dir, "bulletin.xml");
	relbase = xasprintf("bulletin/%s/bulletin", round);
	out_doc_init(&od, oc, relbase);

	/* Everything the bulletin is made from, before any work. */
	fp = fp_new(oc);
	fp_add_file(fp, tpl_path);
	char issue_text[64];
	snprintf(issue_text, sizeof issue_text, "%s %ld %04d-%02d-%02d", round, issued_number, y, m, d);
	fp_add_str(fp, issue_text);
	for (size_t i = 0; i < sizeof fingerprint_sql / sizeof *fingerprint_sql; i++)
		if (fp_add_round_query(fp, db, fingerprint_sql[i], round) != 0)
			status = JZ_EXIT_FAILURE;
	fp_done(fp, fpr);
	if (status != JZ_EXIT_OK)
		goto out;
	if (!out_doc_needed(oc, &od, fpr) && !companions_needed(oc, relbase, fpr)) {
		out_doc_unchanged(oc, &od);
		companions_unchanged(oc, relbase);
		goto out;
	}

	ranked = rank_round(db, round, &n);
	if (ranked == NULL) {
		status = JZ_EXIT_FAILURE;
		goto out;
	}
	if (n == 0) {
		diag(DIAG_BULLETIN_EMPTY, NULL, 0, 0, round);
		status = JZ_EXIT_REJECTED;
		goto out;
	}
	if (store_ranking(db, round, ranked, n) != 0) {
		status = JZ_EXIT_FAILURE;
		goto out;
	}

	/* The template's parameters: bound to its SQL as :name, shown as {name}. */
	char first_s[8], last_s[8], number_s[24], year_s[8], iso_date[16], *doc_number, *date, *prefix;
	snprintf(first_s, sizeof first_s, "%d", first);
	snprintf(last_s, sizeof last_s, "%d", last);
	snprintf(number_s, sizeof number_s, "%ld", issued_number);
	snprintf(year_s, sizeof year_s, "%d", y);
	snprintf(iso_date, sizeof iso_date, "%04d-%02d-%02d", y, m, d);
	prefix = programme_get(db, "doc_prefix", "");
	doc_number = xasprintf("%s〔%d〕%ld号", prefix, y, issued_number);
	date = fmt_date_arabic(y, m, d);
	char *zone = programme_get(db, "time_zone", JZ_DEFAULT_ZONE);
	/* the workbook's date: the day of issue, as the PDF's */
	long long issued = jz_zone_midnight(y, m, d, zone);
	if (issued < 0)
		issued = jz_zone_midnight(y, m, d, JZ_DEFAULT_ZONE);
	struct tpl_param params[] = {
		{"round", round}, {"first_year", first_s}, {"last_year", last_s},
		{"number", number_s}, {"issue_year", year_s}, {"doc_number", doc_number},
		{"date", date}, {"issue_date", iso_date}, {"time_zone", zone},
	};
	if (render(oc, tpl_path, params, sizeof params / sizeof *params, &od, &sheets, &title) != 0) {
		oc->failed++;
		status = JZ_EXIT_FAILURE;
	} else if (out_doc_write(oc, &od, fpr) != 0 ||
	    companions_write(oc, relbase, fpr, &sheets, title, issued) != 0)
		status = JZ_EXIT_FAILURE;
	free(zone);
	free(prefix);
	free(doc_number);
	free(date);
out:
	rank_free(ranked, n);
	out_doc_free(&od);
	sheets_free(&sheets);
	free(title);
	free(tpl_path);
	free(relbase);
	return status;
}

int
cmd_bulletin(const struct jz_opts *o, const struct jz_args *a)
{
	struct out_ctx oc;
	int first, last, status;

	if (!round_valid(a->argv[0], &first, &last)) {
		diag(DIAG_BULLETIN_ROUND, NULL, 0, 0, a->argv[0]);
		return JZ_EXIT_USAGE;
	}
	if (a->number < 0) {
		char shown[32];
		snprintf(shown, sizeof shown, "%ld", a->number);
		diag(DIAG_USAGE_NUMBER, NULL, 0, 0, shown);
		return JZ_EXIT_USAGE;
	}
	if (out_begin(&oc, o) != 0)
		return JZ_EXIT_FAILURE;
	status = out_end(&oc, bulletin_build(&oc, a->argv[0], a->number));
	if (status == JZ_EXIT_OK && diag_count(DIAG_ERROR) + diag_count(DIAG_FATAL) > 0)
		status = JZ_EXIT_REJECTED;
	return status;
}
