/* template.h — report templates: XML documents whose sections, paragraphs,
 * tables and charts are bound to SQL queries over the store.
 *
 * A template is used in three steps, so that the time spent in SQL and the
 * time spent typesetting can be told apart, and so that a nightly run can
 * skip a document whose inputs did not change:
 *
 *   tpl_load     parse and check the XML (elements, attributes, placeholders);
 *   tpl_query    run every query on a read-only connection with the
 *                parameters (:year, :region, ...), check every column a
 *                table, chart or placeholder names; the result can be
 *                fingerprinted (tpl_run_fingerprint);
 *   tpl_render   lay the document out (layout.h) and gather the tables of its
 *                companion CSV and workbook (sheets.h).
 *
 * Every error is reported through diag() as TEMPLATE:LINE:COL and makes the
 * step fail, so that no document is written from a broken template.  The
 * format is documented in templates/README.md. */
#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <sqlite3.h>

#include "jingsai.h"

struct doc;
struct fontset;
struct fingerprint;

/* A parsed template (immutable after tpl_load). */
struct tpl;
/* The results of every query of a template for one set of parameters. */
struct tpl_run;

/* Named values bound to the SQL (":year") and usable in text ("{year}").
 * A value that reads as a whole number is bound as an integer. */
struct tpl_param {
	const char *name;  /* without the colon */
	const char *value; /* NULL binds NULL */
};

/* Parses the template at PATH.  Returns it (free with tpl_free), or NULL
 * after diagnostics naming PATH:LINE:COL. */
struct tpl *tpl_load(const char *path);
void tpl_free(struct tpl *t);
/* The template's path and the title of its root element (placeholders not
 * expanded); borrowed from T. */
const char *tpl_path(const struct tpl *t);

/* Runs every query of T on DB (which should be read-only: statements that
 * would write are refused) with the NPARAMS parameters.  Returns the results
 * (free with tpl_run_free), or NULL after diagnostics (bad SQL with SQLite's
 * message, unknown column or placeholder, unknown parameter). */
struct tpl_run *tpl_query(const struct tpl *t, sqlite3 *db,
    const struct tpl_param *params, int nparams);
void tpl_run_free(struct tpl_run *r);

/* Adds the template's bytes, the parameters and every query result to FP.
 * The parameter "today" (the date of the day) is left out unless
 * SOURCE_DATE_EPOCH is set: a report is not rebuilt only because a night
 * has passed; it shows the date of the day its figures last changed. */
void tpl_run_fingerprint(const struct tpl_run *r, struct fingerprint *fp);

/* The expanded title of the report (for the PDF's document info); borrowed. */
const char *tpl_run_title(const struct tpl_run *r);

/* Lays the document out with the fonts of FS (borrowed; it must outlive the
 * document) and adds to SHEETS every table, chart and number shown, one
 * after another, each headed by its title and with Chinese column names:
 * what its companion CSV and workbook hold (sheets.h).  Returns the
 * document (render it with doc_render, free it with doc_free), or NULL
 * after a diagnostic. */
struct sheets;
struct doc *tpl_render(const struct tpl_run *r, struct fontset *fs, struct sheets *sheets);

/* Formats VALUE (a number, or NULL) as FORMAT names it (thousands, integer,
 * decimal1, decimal2, percent, pct, change, change1, more(unit),
 * more1(unit), text) into OUT (TPL_NUMBER_MAX bytes); returns OUT.  Exposed
 * for tests. */
#define TPL_NUMBER_MAX 96
char *tpl_format_number(double value, int is_integer, const char *format, char *out);

#endif
