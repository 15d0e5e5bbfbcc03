/* cert_award.c — who receives which certificate: the awards rows and the
 * derived awards of SPEC §4, checked, de-duplicated and put in ceremony order. */
#include <stdlib.h>
#include <string.h>

#include <unicode/ucol.h>

#include "cert.h"
#include "programme.h"
#include "rank.h"
#include "store.h"

#define REGION_ORD_UNKNOWN 1000000

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL && *t != '\0' ? xstrdup((const char *)t) : NULL;
}

int
cert_awards_load(sqlite3 *db, struct cert_set *set)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT code, title, recipient_kind, template, "
	    "women_only, ord FROM award ORDER BY ord, code");
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct prog_award *a;
		set->awards = xrealloc(set->awards, (size_t)(set->nawards + 1) * sizeof *set->awards);
		a = &set->awards[set->nawards++];
		memset(a, 0, sizeof *a);
		a->code = col_dup(st, 0);
		a->title = col_dup(st, 1);
		a->recipient_kind = col_dup(st, 2);
		a->template = col_dup(st, 3);
		a->women_only = sqlite3_column_int(st, 4);
		a->ord = sqlite3_column_int(st, 5);
		if (a->code == NULL)
			a->code = xstrdup("?");
		if (a->title == NULL)
			a->title = xstrdup(a->code);
		if (a->recipient_kind == NULL)
			a->recipient_kind = xstrdup("person");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
		return -1;
	}
	/* Which award each rule gives; a store whose programme was written
	 * before the rules were kept gives both the award of old. */
	st = store_prepare(db, "SELECT rule, award FROM award_rule "
	    "UNION ALL SELECT r.rule, ?1 FROM (SELECT 'top-ten' AS rule UNION ALL SELECT 'skills') r "
	    "WHERE NOT EXISTS (SELECT 1 FROM programme WHERE key = 'tables')");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, PROGRAMME_RULES_AWARD, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *rule = (const char *)sqlite3_column_text(st, 0);
		const struct prog_award *a = cert_award_find(set, (const char *)sqlite3_column_text(st, 1));
		if (a == NULL)
			continue;
		if (strcmp(rule, programme_rule_name(PROG_RULE_TOP_TEN)) == 0) {
			set->top_ten = a;
			set->awards[a - set->awards].rules |= PROG_RULE_TOP_TEN;
		} else if (strcmp(rule, programme_rule_name(PROG_RULE_SKILLS)) == 0) {
			set->skills = a;
			set->awards[a - set->awards].rules |= PROG_RULE_SKILLS;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

const struct prog_award *
cert_award_find(const struct cert_set *set, const char *code)
{
	return prog_award_find(set->awards, (size_t)set->nawards, code);
}

static void
rec_free(struct cert_rec *r)
{
	free(r->recipient);
	free(r->credit_code);
	free(r->kind);
	free(r->gender);
	free(r->unit);
	free(r->region);
	free(r->source);
	free(r->file);
	free(r->serial);
	free(r->fields);
}

void
cert_set_free(struct cert_set *set)
{
	for (int i = 0; i < set->nrecs; i++)
		rec_free(&set->recs[i]);
	free(set->recs);
	for (int i = 0; i < set->nunknown; i++) {
		free(set->unknown[i].file);
		free(set->unknown[i].credit_code);
		free(set->unknown[i].recipient);
	}
	free(set->unknown);
	prog_awards_free(set->awards, (size_t)set->nawards);
	memset(set, 0, sizeof *set);
}

static struct cert_rec *
rec_add(struct cert_set *set)
{
	struct cert_rec *r;

	set->recs = xgrow(set->recs, set->nrecs, &set->caprecs, 64, sizeof *set->recs);
	r = &set->recs[set->nrecs++];
	memset(r, 0, sizeof *r);
	r->seen = set->nrecs - 1;
	return r;
}

/* The enterprise of CREDIT_CODE: its name, region and region order. */
struct unit_info {
	char *name, *region;
	int region_ord;
};

static void
unit_lookup(sqlite3_stmt *st, const char *credit_code, struct unit_info *u)
{
	u->name = u->region = NULL;
	u->region_ord = REGION_ORD_UNKNOWN;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, credit_code, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		u->name = col_dup(st, 0);
		u->region = col_dup(st, 1);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			u->region_ord = sqlite3_column_int(st, 2);
	}
}

/* Checks that a recipient of KIND and GENDER may receive award A; reports
 * at FILE:LINE (or, for derived awards, names SOURCE).  Returns 0 or -1. */
static int
fits_award(const struct prog_award *a, const char *recipient, const char *kind,
    const char *gender, const char *file, long line, const char *source)
{
	if (strcmp(kind, a->recipient_kind) != 0) {
		if (source != NULL) {
			diag(DIAG_CERT_DERIVED_KIND, NULL, 0, 0, a->code, recipient, source, a->title,
			    a->recipient_kind);
		} else
			diag(DIAG_CERT_KIND, file, line, 0, recipient, kind, a->code, a->title, a->recipient_kind);
		return -1;
	}
	if (a->women_only && (gender == NULL || strcmp(gender, "女") != 0)) {
		if (source != NULL) {
			diag(DIAG_CERT_DERIVED_WOMEN, NULL, 0, 0, a->code, recipient, source, a->title);
		} else
			diag(DIAG_CERT_WOMEN, file, line, 0, a->code, a->title, recipient,
			    gender ? gender : "");
		return -1;
	}
	return 0;
}

/* Adds a certificate to SET (taking nothing: the strings are copied). */
static void
add_rec(struct cert_set *set, int year, const struct prog_award *a, const char *recipient,
    const char *kind, const char *gender, const char *credit_code, const struct unit_info *u,
    const char *source, const char *file, long line)
{
	struct cert_rec *r = rec_add(set);

	r->year = year;
	r->award = a;
	r->recipient = xstrdup(recipient);
	r->credit_code = xstrdup(credit_code);
	r->kind = xstrdup(kind);
	r->gender = gender ? xstrdup(gender) : NULL;
	r->unit = u->name ? xstrdup(u->name) : NULL;
	r->region = u->region ? xstrdup(u->region) : NULL;
	r->region_ord = u->region_ord;
	r->source = xstrdup(source);
	r->file = file ? xstrdup(file) : NULL;
	r->line = line;
}

static int
gather_rows(sqlite3 *db, sqlite3_stmt *unit_st, int year, const char *award, struct cert_set *set)
{
	sqlite3_stmt *st = store_prepare(db,
	    "SELECT a.award, a.recipient, a.recipient_kind, a.gender, a.credit_code, f.path, a.line "
	    "FROM award_row a LEFT JOIN file f ON f.id = a.file_id "
	    "WHERE a.year = ?1 AND (?2 IS NULL OR a.award = ?2) "
	    "ORDER BY f.path, a.line, a.award, a.recipient");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, year);
	if (award != NULL)
		sqlite3_bind_text(st, 2, award, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		const char *recipient = (const char *)sqlite3_column_text(st, 1);
		const char *kind = (const char *)sqlite3_column_text(st, 2);
		const char *gender = (const char *)sqlite3_column_text(st, 3);
		const char *credit = (const char *)sqlite3_column_text(st, 4);
		const char *file = (const char *)sqlite3_column_text(st, 5);
		long line = sqlite3_column_int64(st, 6);
		const struct prog_award *a = cert_award_find(set, code ? code : "");
		struct unit_info u;

		if (gender != NULL && *gender == '\0')
			gender = NULL;
		if (a == NULL) {
			diag(DIAG_CERT_AWARD, file, line, 0, code ? code : "");
			set->errors++;
			continue;
		}
		if (fits_award(a, recipient, kind, gender, file, line, NULL) != 0) {
			set->errors++;
			continue;
		}
		unit_lookup(unit_st, credit, &u);
		if (u.name == NULL) {
			struct cert_unknown_unit *k;
			set->unknown = xrealloc(set->unknown, (size_t)(set->nunknown + 1) * sizeof *k);
			k = &set->unknown[set->nunknown++];
			k->file = file ? xstrdup(file) : NULL;
			k->line = line;
			k->credit_code = xstrdup(credit);
			k->recipient = xstrdup(recipient);
		}
		add_rec(set, year, a, recipient, kind, gender, credit, &u, "awards", file, line);
		free(u.name);
		free(u.region);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

void
cert_report_unknown_units(const struct cert_set *set)
{
	for (int i = 0; i < set->nunknown; i++)
		diag(DIAG_CERT_NO_UNIT, set->unknown[i].file, set->unknown[i].line, 0,
		    set->unknown[i].credit_code, set->unknown[i].recipient);
}

/* A person named by a rule gets the award A the rule gives. */
static void
add_derived(struct cert_set *set, const struct prog_award *a, sqlite3_stmt *unit_st, int year,
    const char *name, const char *gender, const char *credit, const char *source, const char *file,
    long line)
{
	struct unit_info u;

	if (gender != NULL && *gender == '\0')
		gender = NULL;
	if (fits_award(a, name, "person", gender, file, line, source) != 0) {
		set->errors++;
		return;
	}
	unit_lookup(unit_st, credit, &u);
	add_rec(set, year, a, name, "person", gender, credit, &u, source, file, line);
	free(u.name);
	free(u.region);
}

/* Rank-1 persons of the city skills contests of YEAR. */
static int
gather_skills(sqlite3 *db, sqlite3_stmt *unit_st, int year, struct cert_set *set)
{
	sqlite3_stmt *st = store_prepare(db,
	    "SELECT s.name, s.gender, s.credit_code, f.path, s.line FROM skill s "
	    "LEFT JOIN file f ON f.id = s.file_id "
	    "WHERE s.year = ?1 AND s.city_contest = 1 AND s.rank = 1 "
	    "ORDER BY s.competition, s.name");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, year);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		add_derived(set, set->skills, unit_st, year, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
		    "skills", (const char *)sqlite3_column_text(st, 3), sqlite3_column_int64(st, 4));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* First completers of the top-ten entries of round YEAR-1 – YEAR (the
 * ranking is the bulletin's, rank.h). */
static int
gather_top_ten(sqlite3 *db, sqlite3_stmt *unit_st, int year, struct cert_set *set)
{
	char round[32];
	struct ranked_entry *e;
	sqlite3_stmt *st;
	int n = 0, has;

	snprintf(round, sizeof round, "%d-%d", year - 1, year);
	/* Rounds are biennial: most years end none. */
	st = store_prepare(db, "SELECT 1 FROM achievement WHERE round = ?1 LIMIT 1");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, round, -1, SQLITE_STATIC);
	has = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!has)
		return 0;
	e = rank_round(db, round, &n);
	if (e == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		if (e[i].rank >= 1 && e[i].rank <= 10 && e[i].first_completer != NULL)
			add_derived(set, set->top_ten, unit_st, year, e[i].first_completer, e[i].gender,
			    e[i].credit_code ? e[i].credit_code : "", "top-ten", NULL, 0);
	rank_free(e, n);
	return 0;
}

/* Order for de-duplication: award, recipient, credit code, then first seen. */
static int
cmp_identity(const void *pa, const void *pb)
{
	const struct cert_rec *a = pa, *b = pb;
	int c;

	if ((c = strcmp(a->award->code, b->award->code)) != 0)
		return c;
	if ((c = strcmp(a->recipient, b->recipient)) != 0)
		return c;
	if ((c = strcmp(a->credit_code, b->credit_code)) != 0)
		return c;
	return (a->seen > b->seen) - (a->seen < b->seen);
}

/* Keeps one certificate per person, award and year; the first one seen
 * (awards rows before derived ones) wins, and records every source. */
static void
dedup(struct cert_set *set, int first_new)
{
	struct cert_rec *v;
	int n = set->nrecs - first_new, out = 0;

	if (n <= 0)
		return;
	v = set->recs + first_new;

	qsort(v, (size_t)n, sizeof *v, cmp_identity);
	for (int i = 0; i < n; i++) {
		if (out > 0 && strcmp(v[out - 1].award->code, v[i].award->code) == 0 &&
		    strcmp(v[out - 1].recipient, v[i].recipient) == 0 &&
		    strcmp(v[out - 1].credit_code, v[i].credit_code) == 0) {
			struct cert_rec *k = &v[out - 1];
			if (strstr(k->source, v[i].source) == NULL) {
				char *s = xasprintf("%s,%s", k->source, v[i].source);
				free(k->source);
				k->source = s;
			}
			if (k->gender == NULL && v[i].gender != NULL) {
				k->gender = v[i].gender;
				v[i].gender = NULL;
			}
			rec_free(&v[i]);
			continue;
		}
		if (out != i)
			v[out] = v[i];
		out++;
	}
	set->nrecs = first_new + out;
}

int
cert_gather(sqlite3 *db, int year, const char *award, struct cert_set *set)
{
	sqlite3_stmt *unit_st = store_prepare(db,
	    "SELECT e.name, e.region, r.ord FROM enterprise e LEFT JOIN region r ON r.code = e.region "
	    "WHERE e.credit_code = ?1");
	int first = set->nrecs, rc = 0;

	if (unit_st == NULL)
		return -1;
	if (gather_rows(db, unit_st, year, award, set) != 0)
		rc = -1;
	else {
		/* The rules, for the awards they give (the programme may give none). */
		const struct prog_award *top = set->top_ten, *skills = set->skills;
		if (top != NULL && (award == NULL || strcmp(award, top->code) == 0) &&
		    gather_top_ten(db, unit_st, year, set) != 0)
			rc = -1;
		else if (skills != NULL && (award == NULL || strcmp(award, skills->code) == 0) &&
		    gather_skills(db, unit_st, year, set) != 0)
			rc = -1;
	}
	sqlite3_finalize(unit_st);
	if (rc == 0)
		dedup(set, first);
	return rc;
}

/* ---- Ceremony order ---- */

static UCollator *ceremony_collator;

static int
cmp_ceremony(const void *pa, const void *pb)
{
	const struct cert_rec *a = pa, *b = pb;
	UErrorCode err = U_ZERO_ERROR;
	int c;

	if (a->award->ord != b->award->ord)
		return a->award->ord < b->award->ord ? -1 : 1;
	if ((c = strcmp(a->award->code, b->award->code)) != 0)
		return c;
	if (a->region_ord != b->region_ord)
		return a->region_ord < b->region_ord ? -1 : 1;
	if (ceremony_collator != NULL) {
		c = ucol_strcollUTF8(ceremony_collator, a->recipient, -1, b->recipient, -1, &err);
		if (U_SUCCESS(err) && c != UCOL_EQUAL)
			return c == UCOL_LESS ? -1 : 1;
	}
	if ((c = strcmp(a->recipient, b->recipient)) != 0)
		return c;
	return strcmp(a->credit_code, b->credit_code);
}

void
cert_sort_ceremony(struct cert_set *set)
{
	UErrorCode err = U_ZERO_ERROR;

	if (set->nrecs < 2)
		return;
	/* zh: pinyin order, what a ceremony list follows. */
	ceremony_collator = ucol_open("zh", &err);
	if (U_FAILURE(err))
		ceremony_collator = NULL;
	qsort(set->recs, (size_t)set->nrecs, sizeof *set->recs, cmp_ceremony);
	if (ceremony_collator != NULL)
		ucol_close(ceremony_collator);
	ceremony_collator = NULL;
}
