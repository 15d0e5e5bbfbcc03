/* rank_test.c — the ranking rule of SPEC §4 on hand-made rounds: trimmed and
 * plain means, exact ties at rank 3 and at rank 10, too few scores, and the
 * scores that are reported rather than counted. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rank.h"
#include "store.h"

static int seen[DIAG__COUNT];
static long seen_line[DIAG__COUNT];

static void
record(const struct diag_msg *m, void *arg)
{
	(void)arg;
	seen[m->code]++;
	seen_line[m->code] = m->line;
}

static void
entry(sqlite3 *db, const char *round, const char *id, const char *category, long line)
{
	char *sql = xasprintf("INSERT INTO achievement VALUES ('%s', '%s', '%s', '成果%s', '完成人%s', '男',"
	    " '91320600000000000X', '甲、乙', 1, %ld)", round, id, category, id, id, line);
	store_exec(db, sql);
	free(sql);
}

/* Scores of entry ID by judges J1, J2, ... from file 2, lines from LINE on. */
static void
scores(sqlite3 *db, const char *id, int n, const double *v, long line)
{
	for (int i = 0; i < n; i++) {
		char *sql = xasprintf("INSERT INTO score VALUES ('2023-2024', '%s', 'J%d', %.1f, 2, %ld)",
		    id, i + 1, v[i], line + i);
		store_exec(db, sql);
		free(sql);
	}
}

static const struct ranked_entry *
find(const struct ranked_entry *r, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (strcmp(r[i].entry_id, id) == 0)
			return &r[i];
	return NULL;
}

static const char *
printed(const struct ranked_entry *e, char out[32])
{
	return e ? rank_format_score(e->sum_tenths, e->counted, out) : "(missing)";
}

int
main(void)
{
	char s[32];

	/* The pure pieces. */
	int four[] = {900, 800, 700, 605};
	long long sum;
	int count;
	rank_mean(four, 4, &sum, &count);
	CHECK(sum == 3005 && count == 4, "4 scores: plain mean");
	CHECK_STR(rank_format_score(sum, count, s), "75.13", "75.125 prints 75.13 (half up)");
	int five[] = {1000, 900, 900, 900, 0};
	rank_mean(five, 5, &sum, &count);
	CHECK(sum == 2700 && count == 3, "5 scores: one highest and one lowest dropped");
	int nine[] = {880, 905, 910, 870, 999, 100, 900, 890, 895};
	rank_mean(nine, 9, &sum, &count);
	CHECK(sum == 880 + 905 + 910 + 870 + 900 + 890 + 895 && count == 7, "9 scores: trimmed to 7");
	int same[] = {800, 800, 800, 800, 800};
	rank_mean(same, 5, &sum, &count);
	CHECK(sum == 2400 && count == 3, "5 equal scores: one of each end dropped");
	CHECK_STR(rank_format_score(2551, 3, s), "85.03", "85.0333 prints 85.03");
	CHECK_STR(rank_format_score(2551, 3, s), rank_format_score(850300, 1000, (char[32]){0}),
	    "85.0333 and 85.03 print alike");
	CHECK(rank_compare_means(2551, 3, 8503, 10) > 0, "85.0333 ranks above 85.03 although both print 85.03");
	CHECK(rank_compare_means(2550, 3, 4250, 5) == 0, "85 of 3 equals 85 of 5 exactly");
	CHECK_STR(rank_format_score(1000, 1, s), "100.00", "100 prints 100.00");
	CHECK_STR(rank_format_score(0, 3, s), "0.00", "0 prints 0.00");
	CHECK_STR(rank_format_score(10, 8, s), "0.13", "0.125 prints 0.13");

	/* A store with a hand-made round. */
	sqlite3 *db = store_open(":memory:", 0);
	CHECK(db != NULL, "in-memory store");
	if (db == NULL)
		return CHECK_DONE();
	store_exec(db, "INSERT INTO file(id, path, sha256, size, ingested_at, status) VALUES"
	    " (1, 'input/achievements.csv', 'x', 0, '2025-01-01T00:00:00Z', 'accepted'),"
	    " (2, 'input/scores.csv', 'y', 0, '2025-01-01T00:00:00Z', 'accepted'),"
	    " (3, 'input/scores-late.csv', 'z', 0, '2025-01-02T00:00:00Z', 'accepted')");

	/* 科技创新成果: 4 vs 5 vs 9 judges, a tie at rank 3, an entry with 2 scores. */
	const char *tech = "科技创新成果";
	entry(db, "2023-2024", "T01", tech, 2);
	scores(db, "T01", 3, (double[]){95, 95, 95}, 10);                 /* 95.00 rank 1 */
	entry(db, "2023-2024", "T02", tech, 3);
	scores(db, "T02", 9, (double[]){88, 90.5, 91, 87, 99.9, 10, 90, 89, 89.5}, 20); /* 625/7 = 89.2857 rank 2 */
	entry(db, "2023-2024", "T03", tech, 4);
	scores(db, "T03", 3, (double[]){85, 85, 85}, 30);                 /* 85.00 rank 3 */
	entry(db, "2023-2024", "T04", tech, 5);
	scores(db, "T04", 5, (double[]){100, 85, 85, 85, 0}, 40);         /* 85.00 trimmed: rank 3 */
	entry(db, "2023-2024", "T05", tech, 6);
	scores(db, "T05", 4, (double[]){100, 85, 85, 70}, 50);            /* 85.00 plain: rank 3 */
	entry(db, "2023-2024", "T06", tech, 7);
	scores(db, "T06", 4, (double[]){90, 80, 70, 60.5}, 60);           /* 75.125: rank 6 */
	entry(db, "2023-2024", "T07", tech, 8);
	scores(db, "T07", 2, (double[]){100, 100}, 70);                   /* 2 scores: left out */
	entry(db, "2023-2024", "T08", tech, 9);
	scores(db, "T08", 5, (double[]){100, 100, 60, 60, 60}, 80);       /* trimmed 73.33, plain 76: rank 7 */

	/* 先进操作法: nine distinct, three tied at 10, one behind them. */
	const char *op = "先进操作法";
	for (int i = 1; i <= 13; i++) {
		char id[8];
		snprintf(id, sizeof id, "M%02d", i);
		entry(db, "2023-2024", id, op, 100 + i);
		double v = i <= 9 ? 99 - i : i <= 12 ? 80 : 79.9;
		scores(db, id, 3, (double[]){v, v, v}, 200 + 10 * i);
	}

	/* Another round's entry must not appear. */
	entry(db, "2021-2022", "T01", tech, 300);
	store_exec(db, "INSERT INTO score VALUES ('2021-2022', 'T01', 'J1', 50, 2, 301)");

	/* Reported, not counted. */
	store_exec(db, "INSERT INTO score VALUES ('2023-2024', 'X99', 'J1', 90, 2, 400)");   /* unknown entry */
	store_exec(db, "INSERT INTO score VALUES ('2023-2024', 'T06', 'J9', 100.5, 2, 401)"); /* out of range */
	store_exec(db, "INSERT INTO score VALUES ('2023-2024', 'T06', 'J8', 85.25, 2, 402)"); /* two decimals */
	store_exec(db, "INSERT INTO score VALUES ('2023-2024', 'T06', 'J7', -1, 2, 403)");    /* negative */
	/* The same judge again under another spelling, in a later file: the later score counts. */
	store_exec(db, "INSERT INTO score VALUES ('2023-2024', 'T01', ' j１', 92, 3, 5)");

	diag_set_sink(record, NULL, NULL, NULL);
	int n = -1;
	struct ranked_entry *r = rank_round(db, "2023-2024", &n);
	diag_set_sink(NULL, NULL, NULL, NULL);
	CHECK(r != NULL, "rank_round returns the round");
	if (r == NULL)
		return CHECK_DONE();
	CHECK(n == 7 + 13, "7 ranked 科技创新成果 and 13 先进操作法");
	CHECK(find(r, n, "T07") == NULL, "an entry with 2 scores is left out");
	CHECK(seen[DIAG_RANK_FEW_SCORES] == 1 && seen_line[DIAG_RANK_FEW_SCORES] == 8,
	    "an entry with 2 scores is reported at its achievement line");
	CHECK(seen[DIAG_RANK_UNKNOWN_ENTRY] == 1 && seen_line[DIAG_RANK_UNKNOWN_ENTRY] == 400,
	    "a score of an unknown entry is reported at its line");
	CHECK(seen[DIAG_RANK_SCORE_RANGE] == 3, "scores out of range or with two decimals are reported");
	CHECK(seen[DIAG_RANK_JUDGE_TWICE] == 1 && seen_line[DIAG_RANK_JUDGE_TWICE] == 5,
	    "a judge scoring an entry twice is reported at the later line");

	/* Order: 科技创新成果 first, by rank, then entry id. */
	CHECK(strcmp(r[0].category, tech) == 0 && strcmp(r[7].category, op) == 0, "categories in bulletin order");
	const char *order[] = {"T01", "T02", "T03", "T04", "T05", "T06", "T08"};
	int ranks[] = {1, 2, 3, 3, 3, 6, 7};
	int good = 1;
	for (int i = 0; i < 7; i++)
		good &= strcmp(r[i].entry_id, order[i]) == 0 && r[i].rank == ranks[i];
	CHECK(good, "科技创新成果 ranks 1 2 3 3 3 6 7 (tie at 3, next skips)");

	const struct ranked_entry *e = find(r, n, "T01");
	CHECK(e && e->nscores == 3, "T01: the judge's two scores count once");
	CHECK_STR(printed(e, s), "94.00", "T01: the later score (92) counts");
	e = find(r, n, "T02");
	CHECK(e && e->nscores == 9 && e->counted == 7, "T02: 9 judges, 7 counted");
	CHECK_STR(printed(e, s), "89.29", "T02: 625/7 prints 89.29");
	e = find(r, n, "T04");
	CHECK(e && e->nscores == 5 && e->counted == 3, "T04: 5 judges, trimmed");
	CHECK_STR(printed(e, s), "85.00", "T04: trimmed mean 85.00");
	e = find(r, n, "T05");
	CHECK(e && e->nscores == 4 && e->counted == 4, "T05: 4 judges, plain mean");
	e = find(r, n, "T06");
	CHECK(e && e->nscores == 4, "T06: bad scores are not counted");
	CHECK_STR(printed(e, s), "75.13", "T06: 75.125 prints 75.13");
	CHECK(e && e->score > 75.12 && e->score < 75.13, "T06: score holds the exact mean as a double");
	e = find(r, n, "T08");
	CHECK_STR(printed(e, s), "73.33", "T08: 5 judges trimmed, not the plain 76.00");
	CHECK(e && strcmp(e->first_completer, "完成人T08") == 0 && strcmp(e->completers, "甲、乙") == 0,
	    "entry fields come through");

	int top = 0, tied10 = 0;
	for (int i = 0; i < n; i++)
		if (strcmp(r[i].category, op) == 0) {
			top += r[i].rank <= RANK_TOP;
			tied10 += r[i].rank == 10;
		}
	CHECK(top == 12 && tied10 == 3, "先进操作法: a tie at 10 puts 12 entries in the top ten");
	e = find(r, n, "M13");
	CHECK(e && e->rank == 13, "先进操作法: the entry after three tied at 10 ranks 13");
	e = find(r, n, "M09");
	CHECK(e && e->rank == 9, "先进操作法: ninth is 9");
	rank_free(r, n);

	/* A round without entries: an empty array, not an error. */
	memset(seen, 0, sizeof seen);
	diag_set_sink(record, NULL, NULL, NULL);
	r = rank_round(db, "2019-2020", &n);
	diag_set_sink(NULL, NULL, NULL, NULL);
	CHECK(r != NULL && n == 0 && seen[DIAG_RANK_NO_ENTRIES] == 1, "an empty round: no entries, a warning");
	rank_free(r, n);

	/* A broken store: NULL and *N = 0. */
	store_exec(db, "DROP TABLE score");
	diag_set_sink(record, NULL, NULL, NULL);
	n = 5;
	r = rank_round(db, "2023-2024", &n);
	diag_set_sink(NULL, NULL, NULL, NULL);
	CHECK(r == NULL && n == 0, "a store error gives NULL and 0");
	store_close(db);
	return CHECK_DONE();
}
