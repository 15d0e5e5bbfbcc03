/* template_sheets.c — the tables of a report as its companion files hold
 * them (sheets.h): every table, chart and number shown, one sheet after
 * another, each headed by its title; the CSV writer and the workbook writer
 * then write the same figures. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sheets.h"
#include "template_int.h"

/* V rounded to DECIMALS places, as shown (so that the CSV and the workbook
 * hold what the report shows, and the same number). */
static double
shown(double v, int decimals)
{
	return jz_round_half(v, decimals);
}

void
tpl_sheet_value(struct sheet_cell *c, const struct value *v, const char *format,
    const char *null_text)
{
	if (v == NULL || v->type == SQLITE_NULL) {
		sheet_text(c, null_text != NULL ? null_text : "—");
		return;
	}
	if ((format != NULL && (strcmp(format, "text") == 0 || strcmp(format, "path") == 0)) ||
	    v->type == SQLITE_TEXT) {
		sheet_text(c, v->s);
		return;
	}
	int integer = v->type == SQLITE_INTEGER;
	if (format == NULL || *format == '\0')
		format = integer ? "thousands" : "decimal1";
	if (strcmp(format, "thousands") == 0)
		sheet_number(c, shown(v->d, 0), 0);
	else if (strcmp(format, "integer") == 0) {
		sheet_number(c, shown(v->d, 0), 0);
		c->kind = CELL_PLAIN;
	} else if (strcmp(format, "decimal2") == 0)
		sheet_number(c, shown(v->d, 2), 2);
	else if (strcmp(format, "decimal1") == 0)
		sheet_number(c, shown(v->d, 1), 1);
	else if (strcmp(format, "percent") == 0)
		sheet_percent(c, jz_round_half(v->d, 3));      /* 12.3% shown */
	else if (strcmp(format, "pct") == 0)
		sheet_percent(c, (double)llround(jz_round_half(v->d, 1) * 10) / 1000.0);
	else if (strcmp(format, "change") == 0)
		sheet_change(c, shown(v->d, integer ? 0 : 1), integer ? 0 : 1);
	else if (strcmp(format, "change1") == 0)
		sheet_change(c, shown(v->d, 1), 1);
	else if (strncmp(format, "more1", 5) == 0)
		sheet_change(c, shown(v->d, 1), 1);
	else if (strncmp(format, "more", 4) == 0)
		/* a change the report says in words (增加1,503人次): a signed
		 * number here, its unit in the column's header */
		sheet_change(c, shown(v->d, integer ? 0 : 1), integer ? 0 : 1);
	else {
		char tmp[TPL_NUMBER_MAX];
		sheet_text(c, tpl_format_number(v->d, integer, format, tmp));
	}
}

void
tpl_sheet_query(struct sheets *s, const struct result *r, const char *heading,
    char *const *headers)
{
	int ncols = 0, k = 0;

	for (int i = 0; i < r->ncols; i++)
		ncols += r->shown_format[i] != NULL;
	if (ncols == 0)
		return;
	struct sheet *t = sheets_add(s, heading, ncols);
	for (int i = 0; i < r->ncols; i++) {
		if (r->shown_format[i] == NULL)
			continue;
		sheet_header(t, k++, headers[i] != NULL ? headers[i] : r->names[i]);
	}
	for (int row = 0; row < r->nrows; row++) {
		struct sheet_cell *cells = sheet_row(t);
		k = 0;
		for (int i = 0; i < r->ncols; i++) {
			if (r->shown_format[i] == NULL)
				continue;
			const char *f = r->shown_format[i][0] ? r->shown_format[i] : NULL;
			tpl_sheet_value(&cells[k++], &r->v[(size_t)row * r->ncols + i], f, "");
		}
	}
}

void
tpl_sheet_chart(struct sheets *s, const char *heading, const char *category,
    const struct result *r, int cat, const int *cols, char *const *names, int nseries)
{
	struct sheet *t = sheets_add(s, heading, nseries + 1);

	sheet_header(t, 0, category);
	for (int i = 0; i < nseries; i++)
		sheet_header(t, i + 1, names[i]);
	for (int row = 0; row < r->nrows; row++) {
		struct sheet_cell *cells = sheet_row(t);
		const struct value *c = &r->v[(size_t)row * r->ncols + cat];
		sheet_text(&cells[0], c->s ? c->s : "");
		for (int i = 0; i < nseries; i++) {
			const struct value *v = &r->v[(size_t)row * r->ncols + cols[i]];
			if (v->type == SQLITE_INTEGER)
				sheet_number(&cells[i + 1], v->d, 0);
			else if (v->type != SQLITE_NULL)
				sheet_number(&cells[i + 1], shown(v->d, 2), 2);
		}
	}
}
