/* report.h — a report from a template (template.h): the document through
 * each device of the output context and its companion CSV and workbook
 * (companion.h), skipped when its inputs did not change.  The annual
 * reports and the receipts are made this way. */
#ifndef REPORT_H
#define REPORT_H

#include <sqlite3.h>

#include "template.h"

struct out_ctx;
struct fontset;

/* Time spent, for --verbose (and `make bench`). */
struct report_timing {
	double sql, typeset;          /* seconds, wall clock */
	double sql_cpu, typeset_cpu;  /* seconds of processor time */
	int documents, pages;
};

/* Lets RO (a read-only connection, its temporary tables made) do nothing
 * but read from now on: a template cannot attach another database or
 * create anything. */
void report_read_only(sqlite3 *ro);

/* One document: T run on RO with PARAMS, written as output/RELBASE.pdf (one
 * file per device of OC), RELBASE.csv and RELBASE.xlsx, unless its inputs
 * (the results of its queries, KIND, the template) are those it was last
 * written from.  Adds to TM (may be NULL).  Returns 0, or -1 after a
 * diagnostic (the document then counts as failed in OC). */
int report_build(struct out_ctx *oc, sqlite3 *ro, struct fontset *fs, const struct tpl *t,
    const struct tpl_param *params, int nparams, const char *relbase, const char *kind,
    struct report_timing *tm);

#endif
