/* refcheck.c — stored rows whose reference went away when a file was replaced or forgotten. */
#include <stdlib.h>
#include <string.h>

#include "jingsai.h"
#include "refcheck.h"
#include "store.h"

/*
 * Ingest checks every reference of a row as it comes in (a participation
 * row names a current project and a known enterprise, a score names an
 * achievement).  What it cannot see then is a reference that goes away
 * later: an enterprises file corrected without a credit code, a forgotten
 * annual return, a return superseded by one that lists other projects.  The
 * rows stay (nothing is lost, and they count again when the reference comes
 * back), but until then no report counts them; the operator is told, at the
 * first row of each missing key, and how many rows it concerns.
 *
 * Each query yields the dangling key as shown, its row count and its first
 * row (file id × 2^32 + line, so that one MIN finds both).
 */
static const struct rule {
	unsigned what;   /* REFS_* */
	enum diag_code code;
	const char *sql;
} rules[] = {
	{REFS_PROJECTS, DIAG_REF_GONE_PROJECT,
	 "SELECT project_id, COUNT(*), MIN(file_id * 4294967296 + line) FROM participation\n"
	 "WHERE project_id NOT IN (SELECT id FROM cur_project) GROUP BY project_id"},
	{REFS_ENTERPRISES, DIAG_REF_GONE_ENTERPRISE,
	 "WITH k(credit_code, file_id, line) AS (\n"
	 "  SELECT credit_code, file_id, line FROM participation\n"
	 "  UNION ALL SELECT credit_code, file_id, line FROM achievement\n"
	 "  UNION ALL SELECT credit_code, file_id, line FROM skill\n"
	 "  UNION ALL SELECT credit_code, file_id, line FROM award_row)\n"
	 "SELECT credit_code, COUNT(*), MIN(file_id * 4294967296 + line) FROM k\n"
	 "WHERE credit_code NOT IN (SELECT credit_code FROM enterprise) GROUP BY credit_code"},
	{REFS_ENTRIES, DIAG_REF_GONE_ENTRY,
	 "SELECT round || ' ' || entry_id, COUNT(*), MIN(file_id * 4294967296 + line) FROM score s\n"
	 "WHERE NOT EXISTS (SELECT 1 FROM achievement a WHERE a.round = s.round AND a.entry_id = s.entry_id)\n"
	 "GROUP BY round, entry_id"},
};

enum { SHOWN_PER_RULE = 20 };

/* The path of stored file ID as an operator finds it (under INPUT_DIR when
 * stored relative to it); NULL when unknown.  The caller frees it. */
static char *
file_shown(sqlite3 *db, sqlite3_int64 id, const char *input_dir)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT path FROM file WHERE id = ?");
	char *shown = NULL;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(st, 0);
		if (p != NULL)
			shown = p[0] == '/' || input_dir == NULL ? xstrdup(p) : path_join(input_dir, p);
	}
	sqlite3_finalize(st);
	return shown;
}

long
refcheck_report(sqlite3 *db, unsigned what, const char *input_dir)
{
	long total = 0;

	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		sqlite3_stmt *st;
		long keys = 0, rows = 0, more_keys = 0, more_rows = 0;
		int rc;

		if (!(what & rules[i].what))
			continue;
		if ((st = store_prepare(db, rules[i].sql)) == NULL)
			return -1;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			long n = (long)sqlite3_column_int64(st, 1);
			sqlite3_int64 first = sqlite3_column_int64(st, 2);
			keys++;
			rows += n;
			if (keys > SHOWN_PER_RULE) {
				more_keys++;
				more_rows += n;
				continue;
			}
			char *shown = file_shown(db, first >> 32, input_dir);
			diag(rules[i].code, shown, (long)(first & 0xffffffff), 1,
			    (const char *)sqlite3_column_text(st, 0), n);
			free(shown);
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
			return -1;
		}
		if (more_keys > 0)
			diag(DIAG_REF_GONE_MORE, NULL, 0, 0, more_keys, more_rows);
		total += rows;
	}
	return total;
}
