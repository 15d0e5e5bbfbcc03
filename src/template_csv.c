/* template_csv.c — the companion CSV of a report: every table, chart and
 * number shown, one block after another, each headed by its title; UTF-8
 * with a BOM and CRLF, as Excel on Chinese Windows reads it, numbers
 * without their thousands separators. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template_int.h"

void
tpl_csv_begin(struct buf *csv)
{
	buf_add(csv, "\xEF\xBB\xBF", 3);
}

void
tpl_csv_cell(struct buf *b, const char *s, int first)
{
	if (!first)
		buf_putc(b, ',');
	buf_csv_field(b, s);
}

void
tpl_csv_end_row(struct buf *b)
{
	buf_puts(b, "\r\n");
}

/* Drops the thousands separators of a formatted number (CSV cells are numbers). */
char *
tpl_csv_number(const char *s)
{
	char *c = xstrdup(s), *w = c;
	for (const char *p = s; *p; p++)
		if (*p != ',')
			*w++ = *p;
	*w = '\0';
	return c;
}

static int
numeric_format(const char *f)
{
	return f == NULL || strcmp(f, "text") != 0;
}

void
tpl_csv_query(struct buf *csv, const struct result *r, const char *heading)
{
	int any = 0;

	for (int i = 0; i < r->ncols; i++)
		any |= r->shown_format[i] != NULL;
	if (any) {
		tpl_csv_cell(csv, heading, 1);
		tpl_csv_end_row(csv);
		int first = 1;
		for (int i = 0; i < r->ncols; i++)
			if (r->shown_format[i] != NULL) {
				tpl_csv_cell(csv, r->names[i], first);
				first = 0;
			}
		tpl_csv_end_row(csv);
		for (int row = 0; row < r->nrows; row++) {
			first = 1;
			for (int i = 0; i < r->ncols; i++) {
				if (r->shown_format[i] == NULL)
					continue;
				struct buf b = {0};
				const char *f = r->shown_format[i][0] ? r->shown_format[i] : NULL;
				tpl_put_value(&b, &r->v[(size_t)row * r->ncols + i], f, "", 0);
				char *cell = numeric_format(f) && r->v[(size_t)row * r->ncols + i].type != SQLITE_TEXT
				    ? tpl_csv_number(b.data) : xstrdup(b.data);
				tpl_csv_cell(csv, cell, first);
				first = 0;
				free(cell);
				buf_free(&b);
			}
			tpl_csv_end_row(csv);
		}
		tpl_csv_end_row(csv);
	}
}

void
tpl_csv_chart(struct buf *csv, const char *heading, const char *category,
    const struct result *r, int cat, const int *cols, char *const *names, int nseries)
{
	tpl_csv_cell(csv, heading, 1);
	tpl_csv_end_row(csv);
	tpl_csv_cell(csv, category, 1);
	for (int s = 0; s < nseries; s++)
		tpl_csv_cell(csv, names[s], 0);
	tpl_csv_end_row(csv);
	for (int row = 0; row < r->nrows; row++) {
		const struct value *c = &r->v[(size_t)row * r->ncols + cat];
		tpl_csv_cell(csv, c->s ? c->s : "", 1);
		for (int s = 0; s < nseries; s++) {
			const struct value *v = &r->v[(size_t)row * r->ncols + cols[s]];
			char tmp[64];
			if (v->type == SQLITE_NULL)
				tpl_csv_cell(csv, "", 0);
			else if (v->type == SQLITE_INTEGER) {
				snprintf(tmp, sizeof tmp, "%lld", v->i);
				tpl_csv_cell(csv, tmp, 0);
			} else {
				snprintf(tmp, sizeof tmp, "%.2f", v->d);
				tpl_csv_cell(csv, tmp, 0);
			}
		}
		tpl_csv_end_row(csv);
	}
	tpl_csv_end_row(csv);
}
