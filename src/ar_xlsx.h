/* ar_xlsx.h — the annual return as a workbook, in the layout `jingsai forms`
 * writes: one sheet of labelled cells (region, year, time submitted, the
 * innovation, green, safety and team figures), one of projects and one of
 * studios as rows.  Read into the same XML model as an annual return file
 * and checked against the same schema (annual-return.xsd): one schema of the
 * return, two readers. */
#ifndef AR_XLSX_H
#define AR_XLSX_H

#include <libxml/tree.h>

#include "xlsx_read.h"
#include "xml_read.h"

#define AR_SHEET_MAIN     "基本情况"
#define AR_SHEET_PROJECTS "竞赛项目"
#define AR_SHEET_STUDIOS  "劳模创新工作室"
#define AR_LABEL_REGION    "地区"
#define AR_LABEL_YEAR      "年度"
#define AR_LABEL_SUBMITTED "报送时间"

/* A column of the projects or studios sheet: the XML attribute it fills,
 * its Chinese names ('|' between; the first is the header forms write) and,
 * for a coded value, the codes with the Chinese the form offers
 * ("city|市级"; NULL-terminated; NULL when any text goes). */
struct ar_column {
	const char *attribute;
	const char *zh;
	const char *const *values;
	int required;
};
extern const struct ar_column ar_project_columns[];
extern const struct ar_column ar_studio_columns[];
extern const int ar_project_ncolumns, ar_studio_ncolumns;

/* 1 when workbook X is laid out as an annual return (it has a sheet of
 * labelled cells naming 地区 and 年度). */
int ar_xlsx_is_return(struct xlsx *x);

/* The annual return of workbook X (read from PATH) as an XML document in
 * the annual-return namespace, each element's _private pointing at where it
 * came from (for ar_xlsx_position); TRACKS resolves a track's name to its
 * code (NULL: none).  SUBMITTED_DEFAULT ("2025-01-15T10:00:00+08:00") is
 * the time submitted when the workbook has no 报送时间 cell.  The document
 * is then checked against annual-return.xsd: every error reported as
 * PATH:ROW:COL ... (sheet NAME), counted in *ERRORS.  Returns the document
 * (ar_xlsx_free frees it) or NULL when X is no annual return at all. */
typedef const char *(*ar_track_fn)(void *arg, const char *name);
xmlDocPtr ar_xlsx_read(struct xlsx *x, const char *path, const char *submitted_default,
    ar_track_fn tracks, void *arg, int *errors);
void ar_xlsx_free(xmlDocPtr doc);

/* Where ATTRIBUTE of the ELEMENT ("annual-return", "project", "studio") at
 * LINE (its row) of DOC came from: returns its column and sets the
 * diagnostics' sheet context (diag_set_context) to its sheet; call
 * diag_set_context(NULL) after the diagnostic. */
long ar_xlsx_position(xmlDocPtr doc, const char *element, long line, const char *attribute);

#endif
