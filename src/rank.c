/* rank.c — the biennial ranking (SPEC §4), in exact integer tenths. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rank.h"
#include "store.h"

/* One judge's counted score of an entry while the scores are gathered. */
struct judged {
	char *judge_key;  /* judge name without spacing, ASCII lower case */
	int tenths;
	char *path;       /* where the score came from */
	long line;
};

/* An entry of the round while its scores are gathered. */
struct candidate {
	struct ranked_entry e;
	char *path;       /* where the achievement row came from */
	long line;
	struct judged *scores;
	int nscores;
	size_t cap;
	int category_ord; /* 0 科技创新成果, 1 先进操作法, 2 anything else */
};

/* The category order of the bulletin; others (rejected at ingest) come last. */
static const char *const category_order[] = {"科技创新成果", "先进操作法"};

void
rank_mean(const int *tenths, int nscores, long long *sum, int *count)
{
	long long s = 0;
	int lo = 0, hi = 0;

	for (int i = 0; i < nscores; i++) {
		s += tenths[i];
		if (tenths[i] < tenths[lo])
			lo = i;
		if (tenths[i] > tenths[hi])
			hi = i;
	}
	if (nscores >= 5) {
		/* One highest and one lowest dropped (the same value when all are equal). */
		*sum = s - tenths[lo] - tenths[hi];
		*count = nscores - 2;
	} else {
		*sum = s;
		*count = nscores;
	}
}

int
rank_compare_means(long long a_sum, int a_count, long long b_sum, int b_count)
{
	long long l = a_sum * b_count, r = b_sum * a_count;

	if (a_count == 0 || b_count == 0)
		return (a_count != 0) - (b_count != 0);
	return (l > r) - (l < r);
}

char *
rank_format_score(long long sum_tenths, int count, char out[32])
{
	if (count <= 0) {
		strcpy(out, "—");
		return out;
	}
	/* mean in hundredths = 10 * sum / count; half up: floor((20 sum + count) / (2 count)). */
	int neg = sum_tenths < 0;
	long long s = neg ? -sum_tenths : sum_tenths;
	long long h = (20 * s + count) / (2LL * count);
	snprintf(out, 32, "%s%lld.%02lld", neg && h ? "-" : "", h / 100, h % 100);
	return out;
}

/* The judge's name as compared for "the same judge": without ASCII and
 * ideographic spaces, fullwidth ASCII folded to ASCII, ASCII lower case. */
static char *
judge_key(const char *name)
{
	struct buf b = {0};
	const unsigned char *s = (const unsigned char *)name;
	size_t len = strlen(name);

	buf_puts(&b, "");
	for (size_t i = 0; i < len;) {
		int adv;
		long cp = utf8_decode(s + i, len - i, &adv);
		i += adv;
		if (cp == ' ' || cp == '\t' || cp == 0xA0 || cp == 0x3000)
			continue;
		if (cp >= 0xFF01 && cp <= 0xFF5E)
			cp -= 0xFEE0;
		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		if (cp < 0)
			cp = 0xFFFD;
		utf8_encode(&b, cp);
	}
	return b.data;
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static int
cmp_candidate_id(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	return strcmp(x->e.entry_id, y->e.entry_id);
}

/* Category order, then higher exact mean, then entry id. */
static int
cmp_ranked(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	int c;

	if (x->category_ord != y->category_ord)
		return x->category_ord - y->category_ord;
	if ((c = strcmp(x->e.category, y->e.category)) != 0)
		return c;
	if ((c = rank_compare_means(x->e.sum_tenths, x->e.counted, y->e.sum_tenths, y->e.counted)) != 0)
		return -c;
	return strcmp(x->e.entry_id, y->e.entry_id);
}

static void
free_entry_strings(struct ranked_entry *e)
{
	free(e->entry_id);
	free(e->category);
	free(e->title);
	free(e->first_completer);
	free(e->gender);
	free(e->credit_code);
	free(e->completers);
}

static void
free_candidate(struct candidate *c)
{
	for (int i = 0; i < c->nscores; i++) {
		free(c->scores[i].judge_key);
		free(c->scores[i].path);
	}
	free(c->scores);
	free(c->path);
}

/* Adds one judge's score to C, replacing an earlier score of the same judge. */
static void
add_score(struct candidate *c, const char *judge, int tenths, const char *path, long line)
{
	char *key = judge_key(judge);

	for (int i = 0; i < c->nscores; i++) {
		struct judged *j = &c->scores[i];
		if (strcmp(j->judge_key, key) != 0)
			continue;
		diag(DIAG_RANK_JUDGE_TWICE, path, line, 0, judge, c->e.entry_id, j->path, j->line);
		free(key);
		free(j->path);
		j->tenths = tenths;
		j->path = xstrdup(path);
		j->line = line;
		return;
	}
	c->scores = xgrow(c->scores, c->nscores, &c->cap, 8, sizeof *c->scores);
	c->scores[c->nscores++] = (struct judged){key, tenths, xstrdup(path), line};
}

/* Loads the round's entries, sorted by entry id, into *OUT; returns their
 * count, or -1 after a diagnostic. */
static int
load_entries(sqlite3 *db, const char *round, struct candidate **out)
{
	sqlite3_stmt *st = store_prepare(db,
	    "SELECT a.entry_id, a.category, a.title, a.first_completer, a.gender, a.credit_code,"
	    " a.completers, COALESCE(f.path, '(unknown file)'), a.line"
	    " FROM achievement a LEFT JOIN file f ON f.id = a.file_id"
	    " WHERE a.round = ?1 ORDER BY a.entry_id");
	struct candidate *cs = NULL;
	int n = 0, rc;
	size_t cap = 0;

	*out = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, round, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cs = xgrow(cs, n, &cap, 64, sizeof *cs);
		struct candidate *c = &cs[n++];
		memset(c, 0, sizeof *c);
		c->e.entry_id = col_dup(st, 0);
		c->e.category = col_dup(st, 1);
		c->e.title = col_dup(st, 2);
		c->e.first_completer = col_dup(st, 3);
		c->e.gender = col_dup(st, 4);
		c->e.credit_code = col_dup(st, 5);
		c->e.completers = col_dup(st, 6);
		c->path = col_dup(st, 7);
		c->line = sqlite3_column_int64(st, 8);
		c->category_ord = 2;
		for (int k = 0; k < 2; k++)
			if (c->e.category && strcmp(c->e.category, category_order[k]) == 0)
				c->category_ord = k;
		if (c->e.category == NULL)
			c->e.category = xstrdup("");
	}
	sqlite3_finalize(st);
	*out = cs;
	if (rc != SQLITE_DONE) {
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
		return -1 - n; /* the caller frees the N loaded */
	}
	return n;
}

/* Reads the round's scores into the candidates; returns 0, or -1 after a
 * diagnostic. */
static int
load_scores(sqlite3 *db, const char *round, struct candidate *cs, int n)
{
	/* Later files after earlier ones, so that the later score of a judge counts. */
	sqlite3_stmt *st = store_prepare(db,
	    "SELECT s.entry_id, s.judge, s.score, COALESCE(f.path, '(unknown file)'), s.line"
	    " FROM score s LEFT JOIN file f ON f.id = s.file_id"
	    " WHERE s.round = ?1 ORDER BY s.file_id, s.line, s.entry_id, s.judge");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, round, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *entry_id = (const char *)sqlite3_column_text(st, 0);
		const char *judge = (const char *)sqlite3_column_text(st, 1);
		const char *score_text = (const char *)sqlite3_column_text(st, 2);
		double score = sqlite3_column_double(st, 2);
		const char *path = (const char *)sqlite3_column_text(st, 3);
		long line = sqlite3_column_int64(st, 4);
		struct candidate key = {.e.entry_id = (char *)(entry_id ? entry_id : "")};
		struct candidate *c = n ? bsearch(&key, cs, n, sizeof *cs, cmp_candidate_id) : NULL;

		if (judge == NULL)
			judge = "";
		if (score_text == NULL)
			score_text = "(none)";
		if (c == NULL) {
			diag(DIAG_RANK_UNKNOWN_ENTRY, path, line, 0, judge, key.e.entry_id, round);
			continue;
		}
		double t = score * 10.0;
		long long tenths = llround(t);
		if (sqlite3_column_type(st, 2) == SQLITE_TEXT || !isfinite(t) ||
		    fabs(t - (double)tenths) > 1e-6 || tenths < 0 || tenths > 1000) {
			diag(DIAG_RANK_SCORE_RANGE, path, line, 0, score_text, judge, c->e.entry_id);
			continue;
		}
		add_score(c, judge, (int)tenths, path, line);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

struct ranked_entry *
rank_round(sqlite3 *db, const char *round, int *n)
{
	struct candidate *cs;
	struct ranked_entry *out = NULL;
	int ncand, nout = 0, failed = 0;

	*n = 0;
	ncand = load_entries(db, round, &cs);
	if (ncand < 0) {
		ncand = -1 - ncand;
		failed = 1;
	} else if (load_scores(db, round, cs, ncand) != 0)
		failed = 1;

	/* The mean of each entry with at least three scores; the others reported. */
	int kept = 0;
	for (int i = 0; i < ncand; i++) {
		struct candidate *c = &cs[i];
		int *tenths = xmalloc((c->nscores + 1) * sizeof *tenths);
		for (int k = 0; k < c->nscores; k++)
			tenths[k] = c->scores[k].tenths;
		c->e.nscores = c->nscores;
		rank_mean(tenths, c->nscores, &c->e.sum_tenths, &c->e.counted);
		free(tenths);
		c->e.score = c->e.counted ? (double)c->e.sum_tenths / (10.0 * c->e.counted) : 0;
		if (!failed && c->nscores < 3) {
			diag(DIAG_RANK_FEW_SCORES, c->path, c->line, 0, c->e.entry_id, c->e.title ? c->e.title : "",
			    c->nscores);
			free_entry_strings(&c->e);
			free_candidate(c);
			continue;
		}
		cs[kept++] = *c;
	}
	ncand = kept;
	if (failed) {
		for (int i = 0; i < ncand; i++) {
			free_entry_strings(&cs[i].e);
			free_candidate(&cs[i]);
		}
		free(cs);
		return NULL;
	}

	/* Rank within each category: one more than the entries strictly above. */
	if (ncand > 1)
		qsort(cs, ncand, sizeof *cs, cmp_ranked);
	out = xcalloc(ncand + 1, sizeof *out);
	for (int i = 0, start = 0; i < ncand; i++) {
		struct candidate *c = &cs[i];
		if (i == 0 || strcmp(c->e.category, out[i - 1].category) != 0) {
			start = i;
			c->e.rank = 1;
		} else if (rank_compare_means(c->e.sum_tenths, c->e.counted, out[i - 1].sum_tenths,
		    out[i - 1].counted) == 0)
			c->e.rank = out[i - 1].rank; /* 并列 */
		else
			c->e.rank = i - start + 1;   /* the next rank skips */
		out[i] = c->e;
		free_candidate(c);
	}
	nout = ncand;
	free(cs);
	if (nout == 0)
		diag(DIAG_RANK_NO_ENTRIES, NULL, 0, 0, round);
	*n = nout;
	return out;
}

void
rank_free(struct ranked_entry *entries, int n)
{
	if (entries == NULL)
		return;
	for (int i = 0; i < n; i++)
		free_entry_strings(&entries[i]);
	free(entries);
}
