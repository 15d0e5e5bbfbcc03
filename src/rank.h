/* rank.h — the biennial ranking of SPEC §4: scores per entry, trimmed or
 * plain mean, ranks with ties (并列), per category.  Shared by the bulletin
 * and by the derived MEDAL awards of the certificates.
 *
 * Scores have at most one decimal, so every score is held as an integer
 * count of tenths and every comparison is made on exact rationals
 * (a.sum * b.count against b.sum * a.count): "equal scores, exactly, before
 * rounding" is exact.  The printed score is the exact mean rounded half up
 * (away from zero) to two decimals: 85.125 prints 85.13. */
#ifndef RANK_H
#define RANK_H

#include <sqlite3.h>

/* Entries of rank ≤ RANK_TOP are the top ten (more than ten on a tie). */
#define RANK_TOP 10

struct ranked_entry {
	char *entry_id, *category, *title, *first_completer, *gender, *credit_code, *completers;
	double score;     /* the (trimmed) mean */
	int nscores;
	int rank;         /* 1-based within its category; ties share, next skips */
	/* The exact mean is sum_tenths / (10 * counted). */
	long long sum_tenths; /* sum of the counted scores, in tenths */
	int counted;      /* scores counted: nscores, or nscores - 2 when trimmed */
};

/* Ranks every entry of ROUND ("2023-2024") in DB, per category (科技创新成果
 * first, then 先进操作法), sorted by category, rank, entry_id.  Stores the
 * count in *N.  Returns a malloc'd array the caller frees with rank_free
 * (non-NULL even when no entry qualifies), or NULL after a diagnostic (and
 * then *N = 0).  Reported with the file and line stored with each row:
 * entries with fewer than three scores (warning; left out), scores for
 * entries the round does not have (warning), scores out of 0–100 or with
 * more than one decimal (error; the score is not counted), and one judge
 * scoring the same entry twice under names that differ only in spacing or
 * letter case (warning; the later row counts). */
struct ranked_entry *rank_round(sqlite3 *db, const char *round, int *n);
void rank_free(struct ranked_entry *entries, int n);

/* The exact mean of SUM_TENTHS / (10 × COUNT) rounded half up to two
 * decimals, written to OUT ("85.13"); returns OUT. */
char *rank_format_score(long long sum_tenths, int count, char out[32]);

/* Compares two exact means; returns <0, 0, >0 as A is lower, equal, higher. */
int rank_compare_means(long long a_sum, int a_count, long long b_sum, int b_count);

/* The exact (trimmed) mean of NSCORES scores given in tenths: stores the
 * counted sum and count in *SUM and *COUNT (trimmed when NSCORES ≥ 5). */
void rank_mean(const int *tenths, int nscores, long long *sum, int *count);

#endif
