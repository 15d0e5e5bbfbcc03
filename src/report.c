/* report.c — a report from a template: the document through each device and
 * its companion CSV and workbook, skipped when nothing it shows changed. */
#include <stdlib.h>
#include <string.h>

#include "companion.h"
#include "dlist.h"
#include "layout.h"
#include "outputs.h"
#include "report.h"
#include "sheets.h"

static int
read_only_authorizer(void *arg, int action, const char *a, const char *b, const char *dbname,
    const char *trigger)
{
	(void)arg;
	(void)a;
	(void)b;
	(void)dbname;
	(void)trigger;
	switch (action) {
	case SQLITE_SELECT: case SQLITE_READ: case SQLITE_FUNCTION: case SQLITE_RECURSIVE:
		return SQLITE_OK;
	default:
		return SQLITE_DENY;
	}
}

void
report_read_only(sqlite3 *ro)
{
	sqlite3_set_authorizer(ro, read_only_authorizer, NULL);
}

int
report_build(struct out_ctx *oc, sqlite3 *ro, struct fontset *fs, const struct tpl *t,
    const struct tpl_param *params, int nparams, const char *relbase, const char *kind,
    struct report_timing *tm)
{
	struct report_timing unused = {0};
	struct out_doc od;
	struct sheets sheets = {0};
	struct tpl_run *run;
	struct doc *d = NULL;
	char fpr[65];
	int rc = -1;
	double t0 = jz_wall_seconds(), c0 = jz_cpu_seconds();

	if (tm == NULL)
		tm = &unused;
	out_doc_init(&od, oc, relbase);
	run = tpl_query(t, ro, params, nparams);
	tm->sql += jz_wall_seconds() - t0;
	tm->sql_cpu += jz_cpu_seconds() - c0;
	if (run == NULL)
		goto done;
	struct fingerprint *fp = fp_new(oc);
	fp_add_str(fp, kind);
	tpl_run_fingerprint(run, fp);
	fp_done(fp, fpr);
	if (!out_doc_needed(oc, &od, fpr) && !companions_needed(oc, relbase, fpr)) {
		out_doc_unchanged(oc, &od);
		companions_unchanged(oc, relbase);
		rc = 0;
		goto done;
	}
	t0 = jz_wall_seconds();
	c0 = jz_cpu_seconds();
	d = tpl_render(run, fs, &sheets);
	if (d != NULL && out_doc_render(&od, oc, d) == 0) {
		tm->documents++;
		tm->pages += doc_page_count(d);
		tm->typeset += jz_wall_seconds() - t0;
		tm->typeset_cpu += jz_cpu_seconds() - c0;
		if (companions_write(oc, relbase, fpr, &sheets, tpl_run_title(run),
		    doc_finish(d)->date) == 0 &&
		    out_doc_write(oc, &od, fpr) == 0)
			rc = 0;
	} else {
		tm->typeset += jz_wall_seconds() - t0;
		tm->typeset_cpu += jz_cpu_seconds() - c0;
	}
done:
	/* an interrupted run says so once, in run.c */
	if (rc != 0 && !jz_interrupted) {
		diag(DIAG_REPORT_FAILED, NULL, 0, 0, od.relpath[0]);
		oc->failed++;
	}
	doc_free(d);
	tpl_run_free(run);
	out_doc_free(&od);
	sheets_free(&sheets);
	return rc;
}
