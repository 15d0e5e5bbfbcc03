/* table.c — tables in the flow: relative column widths, cells wrapped within
 * their column, the header row repeated on every page, rows never split,
 * numbers right-aligned, a bold totals row at the end. */
#include <stdlib.h>
#include <string.h>

#include "jingsai.h"
#include "layout.h"
#include "layout_int.h"

#define PAD_X 1.5                /* mm inside a cell, left and right */
#define PAD_Y 1.0                /* mm above and below the text */
#define RULE_PT 0.5
#define FRAME_PT 1.0
#define HEADER_FILL 0xEEEEEE

struct table {
	char *title;
	int ncols;
	struct table_col *cols;  /* headers owned */
	int nrows, cap;
	char **cells;            /* nrows × ncols, owned */
	char **total;            /* ncols or NULL */
};

static char **
copy_row(int n, const char *const *cells)
{
	char **row = xcalloc(n, sizeof *row);
	int i;

	for (i = 0; i < n; i++)
		row[i] = xstrdup(cells[i] != NULL ? cells[i] : "");
	return row;
}

struct table *
table_new(const char *title, int ncols, const struct table_col *cols)
{
	struct table *t = xcalloc(1, sizeof *t);
	int i;

	t->title = title != NULL ? xstrdup(title) : NULL;
	t->ncols = ncols;
	t->cols = xcalloc(ncols, sizeof *t->cols);
	for (i = 0; i < ncols; i++) {
		t->cols[i] = cols[i];
		t->cols[i].header = xstrdup(cols[i].header != NULL ? cols[i].header : "");
		if (t->cols[i].width <= 0)
			t->cols[i].width = 1;
	}
	return t;
}

void
table_row(struct table *t, const char *const *cells)
{
	char **row = copy_row(t->ncols, cells);

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->cells = xrealloc(t->cells, (size_t)t->cap * t->ncols * sizeof *t->cells);
	}
	memcpy(t->cells + (size_t)t->nrows * t->ncols, row, t->ncols * sizeof *row);
	free(row);
	t->nrows++;
}

void
table_total(struct table *t, const char *const *cells)
{
	int i;

	if (t->total != NULL)
		for (i = 0; i < t->ncols; i++)
			free(t->total[i]);
	free(t->total);
	t->total = copy_row(t->ncols, cells);
}

void
table_free(struct table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < (size_t)t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	if (t->total != NULL)
		for (i = 0; i < (size_t)t->ncols; i++)
			free(t->total[i]);
	free(t->total);
	for (i = 0; i < (size_t)t->ncols; i++)
		free((char *)t->cols[i].header);
	free(t->cols);
	free(t->title);
	free(t);
}

/* One row laid out: its cells as paragraphs and its height. */
struct trow {
	struct para **p;
	struct text_style *st;
	double h;
};

static void
row_make(struct doc *d, const struct table *t, const double *w, char *const *cells, int kind,
    struct trow *r)
{
	int c, maxl = 1;

	r->p = xcalloc(t->ncols, sizeof *r->p);
	r->st = xcalloc(t->ncols, sizeof *r->st);
	for (c = 0; c < t->ncols; c++) {
		r->st[c] = style_table;
		r->st[c].align = kind == 0 ? ALIGN_CENTER : t->cols[c].align;
		r->st[c].bold = kind != 1;
		r->p[c] = para_make(d, &r->st[c], 0, cells[c], w[c] - 2 * PAD_X, 0);
		if (r->p[c]->nlines > maxl)
			maxl = r->p[c]->nlines;
	}
	r->h = maxl * style_pitch_pt(&style_table) * MM_PER_PT + 2 * PAD_Y;
}

static void
row_free(const struct table *t, struct trow *r)
{
	int c;

	for (c = 0; c < t->ncols; c++)
		para_free(r->p[c]);
	free(r->p);
	free(r->st);
}

static void
row_draw(struct doc *d, const struct table *t, const double *x, const double *w,
    const struct trow *r, int kind, int first_on_page)
{
	double y = d->y, pitch = style_pitch_pt(&style_table) * MM_PER_PT;
	int c, i;

	if (kind == 0) {
		struct dl_item *bg = dl_add(d, DL_RECT, "header");

		bg->x = x[0];
		bg->y = y;
		bg->w = x[t->ncols] - x[0];
		bg->h = r->h;
		bg->fill = HEADER_FILL;
	}
	for (c = 0; c < t->ncols; c++)
		for (i = 0; i < r->p[c]->nlines; i++)
			para_place_line(d, r->p[c], i, x[c] + PAD_X, y + PAD_Y + i * pitch,
			    w[c] - 2 * PAD_X, kind == 0 ? "th" : kind == 2 ? "total" : "td");
	if (first_on_page)
		doc_line(d, x[0], y, x[t->ncols], y, FRAME_PT, 0);
	doc_line(d, x[0], y + r->h, x[t->ncols], y + r->h, kind == 1 ? RULE_PT : FRAME_PT, 0);
	for (c = 0; c <= t->ncols; c++)
		doc_line(d, x[c], y, x[c], y + r->h, c == 0 || c == t->ncols ? FRAME_PT : RULE_PT, 0);
	d->y += r->h;
}

void
doc_table(struct doc *d, const struct table *t)
{
	double *x, *w, sum = 0, left = d->setup.margin_left_mm, width = d->setup.body_w_mm;
	struct trow head, row;
	double caption_h = 0;
	int c, i, first = 1;

	x = xcalloc(t->ncols + 1, sizeof *x);
	w = xcalloc(t->ncols, sizeof *w);
	for (c = 0; c < t->ncols; c++)
		sum += t->cols[c].width;
	x[0] = left;
	for (c = 0; c < t->ncols; c++) {
		w[c] = width * t->cols[c].width / sum;
		x[c + 1] = x[c] + w[c];
	}
	{
		char **hc = xcalloc(t->ncols, sizeof *hc);

		for (c = 0; c < t->ncols; c++)
			hc[c] = (char *)t->cols[c].header;
		row_make(d, t, w, hc, 0, &head);
		free(hc);
	}
	/* the caption, the header and the first row stay together */
	if (t->title != NULL)
		caption_h = style_pitch_pt(&style_caption) * MM_PER_PT +
		    (style_caption.space_before_pt + style_caption.space_after_pt) * MM_PER_PT;
	{
		double first_h = 0;

		if (t->nrows > 0 || t->total != NULL) {
			struct trow r0;

			row_make(d, t, w, t->nrows > 0 ? t->cells : t->total, t->nrows > 0 ? 1 : 2, &r0);
			first_h = r0.h;
			row_free(t, &r0);
		}
		doc_need(d, caption_h + head.h + first_h);
	}
	if (t->title != NULL)
		doc_paragraph(d, &style_caption, t->title);
	row_draw(d, t, x, w, &head, 0, 1);
	for (i = 0; i <= t->nrows; i++) {
		char *const *cells = i < t->nrows ? t->cells + (size_t)i * t->ncols : t->total;
		int kind = i < t->nrows ? 1 : 2;

		if (cells == NULL)
			break;
		row_make(d, t, w, cells, kind, &row);
		if (d->y + row.h > doc_body_bottom(d) + 0.01) {
			doc_new_page(d);
			row_draw(d, t, x, w, &head, 0, 1);
		}
		row_draw(d, t, x, w, &row, kind, 0);
		row_free(t, &row);
		first = 0;
	}
	(void)first;
	row_free(t, &head);
	d->y += 3;
	free(x);
	free(w);
}
