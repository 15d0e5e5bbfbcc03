/* sheets.c — the tables of a document as its CSV and workbook hold them (sheets.h). */
#include <stdlib.h>
#include <string.h>

#include "sheets.h"

struct sheet *
sheets_add(struct sheets *ts, const char *title, int ncols)
{
	struct sheet *t;

	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? 2 * ts->cap : 8;
		ts->t = xrealloc(ts->t, (size_t)ts->cap * sizeof *ts->t);
	}
	t = &ts->t[ts->n++];
	memset(t, 0, sizeof *t);
	t->title = xstrdup(title != NULL ? title : "");
	t->ncols = ncols > 0 ? ncols : 1;
	t->header = xcalloc((size_t)t->ncols, sizeof *t->header);
	for (int i = 0; i < t->ncols; i++)
		t->header[i] = xstrdup("");
	return t;
}

void
sheet_header(struct sheet *t, int col, const char *name)
{
	if (col < 0 || col >= t->ncols)
		return;
	free(t->header[col]);
	t->header[col] = xstrdup(name != NULL ? name : "");
}

struct sheet_cell *
sheet_row(struct sheet *t)
{
	struct sheet_cell *row;

	if (t->nrows == t->caprows) {
		t->caprows = t->caprows ? 2 * t->caprows : 16;
		t->cells = xrealloc(t->cells, (size_t)t->caprows * (size_t)t->ncols * sizeof *t->cells);
	}
	row = &t->cells[(size_t)t->nrows++ * (size_t)t->ncols];
	for (int i = 0; i < t->ncols; i++) {
		memset(&row[i], 0, sizeof row[i]);
		row[i].text = xstrdup("");
	}
	return row;
}

void
sheet_text(struct sheet_cell *c, const char *s)
{
	free(c->text);
	c->kind = CELL_TEXT;
	c->text = xstrdup(s != NULL ? s : "");
}

void
sheet_number(struct sheet_cell *c, double v, int decimals)
{
	free(c->text);
	c->kind = CELL_NUMBER;
	c->value = v;
	c->decimals = decimals;
	c->text = xasprintf("%.*f", decimals, jz_round_half(v, decimals));
	if (strcmp(c->text, "-0") == 0 || strncmp(c->text, "-0.", 3) == 0) {
		/* no negative zero */
		int zero = 1;
		for (const char *p = c->text + 1; *p; p++)
			zero &= *p == '0' || *p == '.';
		if (zero)
			memmove(c->text, c->text + 1, strlen(c->text));
	}
}

void
sheet_percent(struct sheet_cell *c, double v)
{
	free(c->text);
	c->kind = CELL_PERCENT;
	c->value = v;
	c->decimals = 1;
	c->text = xasprintf("%.1f%%", jz_round_half(v * 100.0, 1));
	if (strcmp(c->text, "-0.0%") == 0)
		memmove(c->text, c->text + 1, strlen(c->text));
}

void
sheet_change(struct sheet_cell *c, double v, int decimals)
{
	sheet_number(c, v, decimals);
	c->kind = CELL_CHANGE;
	if (c->text[0] != '-' && strspn(c->text, "0.") != strlen(c->text)) {
		char *signed_text = xasprintf("+%s", c->text);
		free(c->text);
		c->text = signed_text;
	}
}

void
sheets_free(struct sheets *ts)
{
	for (int i = 0; i < ts->n; i++) {
		struct sheet *t = &ts->t[i];
		for (int c = 0; c < t->ncols; c++)
			free(t->header[c]);
		free(t->header);
		for (size_t k = 0; k < (size_t)t->nrows * (size_t)t->ncols; k++)
			free(t->cells[k].text);
		free(t->cells);
		free(t->title);
	}
	free(ts->t);
	memset(ts, 0, sizeof *ts);
}
