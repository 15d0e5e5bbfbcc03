/* receipt.c — the receipts (回执) for the counties: after a run that changed
 * something, for each region whose files changed, what became of every file
 * of that region read that day, output/receipts/REGION/YYYY-MM-DD.pdf with
 * its .csv and .xlsx, from templates/receipt.xml. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "layout.h"
#include "outputs.h"
#include "programme.h"
#include "receipt.h"
#include "report.h"
#include "store.h"
#include "template.h"

#define RECEIPT_TEMPLATE "receipt.xml"
/* The receipt of files whose region cannot be told: for the office. */
#define UNASSIGNED "未归属"

/*
 * What a receipt shows comes from the store: ingest records, in
 * receipt_file, every file a run read with its region, year(s), outcome and
 * what it replaced (rejections keep their messages, in Chinese, in
 * `rejection`).  A receipt covers a day, not a run: a second run on the
 * same day that changes something rewrites the region's receipt of that
 * day with every file read that day, its latest outcome.  A run that changed
 * nothing of a region leaves its receipt alone (and writes none).  The
 * nightly `jingsai run` writes them, also for what a `jingsai ingest` by
 * hand changed since: a receipt not yet written is marked so in the store.
 */

/* One receipt: T run for REGION ('' for 未归属) and DAY into
 * output/receipts/NAME/DAY.  Returns 0 or -1 after a diagnostic. */
static int
build_receipt(struct out_ctx *oc, sqlite3 *ro, struct fontset *fs, const struct tpl *t,
    const char *region, const char *name, const char *day, const char *issuer,
    const char *programme, const char *zone)
{
	int y = 0, m = 0, d = 0;
	char *today, *relbase;
	int rc;

	sscanf(day, "%d-%d-%d", &y, &m, &d);
	today = fmt_date_arabic(y, m, d);
	struct tpl_param params[] = {
		{"region", region}, {"region_name", name}, {"day", day}, {"today", today},
		{"issuer", issuer}, {"programme", programme}, {"time_zone", zone},
	};
	relbase = xasprintf("receipts/%s/%s", name, day);
	rc = report_build(oc, ro, fs, t, params, (int)(sizeof params / sizeof *params), relbase,
	    "receipt", NULL);
	free(relbase);
	free(today);
	return rc;
}

/* Marks the rows of REGION and DAY as in a written receipt.  Returns 0 or -1. */
static int
mark_receipted(sqlite3 *db, const char *region, const char *day)
{
	sqlite3_stmt *st = store_prepare(db, "UPDATE receipt_file SET receipted = 1 "
	    "WHERE region = ?1 AND day = ?2 AND NOT receipted");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	if (rc != 0)
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int
receipts_build(struct out_ctx *oc, struct buf *made)
{
	const struct jz_opts *o = oc->opts;
	sqlite3 *ro = NULL;
	sqlite3_stmt *st = NULL;
	struct fontset *fs = NULL;
	struct tpl *t = NULL;
	char *issuer = NULL, *programme = NULL, *zone = NULL, *path;
	char **todo = NULL;  /* region, day, name: three per receipt */
	int n = 0, failures = 0;

	/* the regions and days with news not yet in a receipt, in report order */
	st = store_prepare(oc->db, "SELECT DISTINCT r.region, r.day, g.name, IFNULL(g.ord, 1000000) "
	    "FROM receipt_file r LEFT JOIN region g ON g.code = r.region "
	    "WHERE r.changed AND NOT r.receipted ORDER BY 2, 4, 1");
	if (st == NULL)
		return JZ_EXIT_FAILURE;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *region = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 2);
		todo = xrealloc(todo, (size_t)(n + 1) * 3 * sizeof *todo);
		todo[3 * n] = xstrdup(region);
		todo[3 * n + 1] = xstrdup((const char *)sqlite3_column_text(st, 1));
		todo[3 * n + 2] = xstrdup(region[0] ? (name ? name : region) : UNASSIGNED);
		n++;
	}
	sqlite3_finalize(st);
	if (n == 0)
		return JZ_EXIT_OK;

	jz_doc_check();
	path = path_join(o->templates_dir, RECEIPT_TEMPLATE);
	t = tpl_load(path);
	free(path);
	if (t == NULL || (ro = store_open(o->db_path, 1)) == NULL ||
	    (fs = fontset_open(o->fonts_dir)) == NULL)
		failures++;
	else {
		report_read_only(ro);
		issuer = programme_get(ro, "issuer", "");
		programme = programme_get(ro, "name", "");
		zone = programme_get(ro, "time_zone", JZ_DEFAULT_ZONE);
		for (int i = 0; i < n; i++) {
			const char *region = todo[3 * i], *day = todo[3 * i + 1], *name = todo[3 * i + 2];
			if (build_receipt(oc, ro, fs, t, region, name, day, issuer, programme, zone) != 0 ||
			    mark_receipted(oc->db, region, day) != 0)
				failures++;
			else if (made != NULL)
				buf_printf(made, "%s%s", made->len ? _(", ") : "", name);
		}
	}
	for (int i = 0; i < 3 * n; i++)
		free(todo[i]);
	free(todo);
	tpl_free(t);
	fontset_free(fs);
	store_close(ro);
	free(issuer);
	free(programme);
	free(zone);
	return failures ? JZ_EXIT_FAILURE : JZ_EXIT_OK;
}
