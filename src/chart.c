/* chart.c — bar (grouped) and line charts drawn in vector: axis with round
 * ticks, grid, a legend, category names wrapped between words, and value
 * labels placed where they collide with nothing (above the bar, inside it,
 * or staggered), each on a white halo over the grid.  Every label of a
 * chart is set in one size. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jingsai.h"
#include "layout.h"
#include "layout_int.h"

static const unsigned palette[] = {
	0xC0392B, 0x2E86C1, 0x27AE60, 0xE67E22, 0x8E44AD, 0x7F8C8D
};
#define NPALETTE (sizeof palette / sizeof palette[0])

/* Every label of a chart: 小五 (9 pt), the smallest size of the documents'
 * text; category names wrap onto more lines rather than get smaller. */
static const struct text_style label_style = {
	"table", 9, ALIGN_LEFT, 0, 11, 0, 0x333333, 0, 0, 0, WRAP_WORDS
};
#define HALO_MM 0.5              /* white around a label over the grid */
#define CHART_SQUEEZE 0.25       /* of its height a chart gives up to fit a page */
#define CAT_LINES_MAX 3

static void
fmt_value(double v, char *out)
{
	if (fabs(v - llround(v)) < 1e-9)
		fmt_thousands(llround(v), out);
	else
		snprintf(out, 32, "%.1f", v);
}

/* A round step giving about five intervals over SPAN. */
static double
nice_step(double span)
{
	double raw = span / 5, mag, norm;

	if (raw <= 0)
		return 1;
	mag = pow(10, floor(log10(raw)));
	norm = raw / mag;
	return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
}

/* ---- Copies for a chart that waits for the next page ------------------ */

static struct chart *
chart_copy(const struct chart *c)
{
	struct chart *k = xcalloc(1, sizeof *k);
	char **cats = xcalloc((size_t)c->ncat + 1, sizeof *cats);
	struct chart_series *ser = xcalloc((size_t)c->nseries + 1, sizeof *ser);

	*k = *c;
	k->title = c->title != NULL ? xstrdup(c->title) : NULL;
	k->unit = c->unit != NULL ? xstrdup(c->unit) : NULL;
	for (int i = 0; i < c->ncat; i++)
		cats[i] = xstrdup(c->categories != NULL && c->categories[i] != NULL ? c->categories[i] : "");
	for (int s = 0; s < c->nseries; s++) {
		double *v = xcalloc((size_t)c->ncat + 1, sizeof *v);

		memcpy(v, c->series[s].values, (size_t)c->ncat * sizeof *v);
		ser[s].name = c->series[s].name != NULL ? xstrdup(c->series[s].name) : NULL;
		ser[s].values = v;
	}
	k->categories = (const char *const *)cats;
	k->series = ser;
	return k;
}

static void
chart_copy_free(void *block)
{
	struct chart *c = block;

	if (c == NULL)
		return;
	for (int i = 0; i < c->ncat; i++)
		free((char *)c->categories[i]);
	free((char **)c->categories);
	for (int s = 0; s < c->nseries; s++) {
		free((char *)c->series[s].name);
		free((double *)c->series[s].values);
	}
	free((struct chart_series *)c->series);
	free((char *)c->title);
	free((char *)c->unit);
	free(c);
}

/* A chart that waited for its page, set there. */
static void
float_place(struct doc *d, const void *block)
{
	doc_chart(d, block);
}

/* ---- Collisions ------------------------------------------------------------ */

struct box {
	double x0, y0, x1, y1;
};

/* What labels must not touch: bars, points, the legend, labels placed. */
struct obstacles {
	int n, cap;
	struct box *b;
};

static void
obstacle_add(struct obstacles *o, double x0, double y0, double x1, double y1)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->b = xrealloc(o->b, o->cap * sizeof *o->b);
	}
	o->b[o->n].x0 = fmin(x0, x1);
	o->b[o->n].x1 = fmax(x0, x1);
	o->b[o->n].y0 = fmin(y0, y1);
	o->b[o->n].y1 = fmax(y0, y1);
	o->n++;
}

static int
collides(const struct obstacles *o, const struct box *b, int skip)
{
	for (int i = 0; i < o->n; i++)
		if (i != skip && b->x0 < o->b[i].x1 && o->b[i].x0 < b->x1 && b->y0 < o->b[i].y1 &&
		    o->b[i].y0 < b->y1)
			return 1;
	return 0;
}

/* Where doc_label's baseline is below the top of its line box, and how far
 * a label's ink (with a little air) reaches above and below it; mm. */
static double
base_off(void)
{
	return ((style_pitch_pt(&label_style) - label_style.size_pt) / 2 + 0.88 * label_style.size_pt) *
	    MM_PER_PT;
}
#define ASC_MM (0.82 * label_style.size_pt * MM_PER_PT + 0.2)
#define DESC_MM (0.18 * label_style.size_pt * MM_PER_PT + 0.2)

/* The ink box of a label of width W centred at CX with its baseline at BASE. */
static struct box
label_box(double cx, double base, double w)
{
	struct box b = {cx - w / 2 - 0.3, base - ASC_MM, cx + w / 2 + 0.3, base + DESC_MM};

	return b;
}

/* A value label: white halo, then the text (white on its bar when inside,
 * COLOR otherwise). */
static void
value_label(struct doc *d, double cx, double base, const struct box *b, int inside,
    unsigned color, const char *text)
{
	struct text_style vs = label_style;

	vs.color = inside ? 0xFFFFFF : color;
	if (!inside) {
		struct dl_item *h = dl_add(d, DL_RECT, "halo");

		h->x = b->x0 - HALO_MM + 0.3;
		h->y = b->y0 - HALO_MM + 0.2;
		h->w = b->x1 - b->x0 + 2 * HALO_MM - 0.6;
		h->h = b->y1 - b->y0 + 2 * HALO_MM - 0.4;
		h->fill = 0xFFFFFF;
	}
	doc_label(d, &vs, cx, base - base_off(), ALIGN_CENTER, "value", text);
}

/* Places the label TEXT of a value at CX whose bar (or point) ends at Y
 * (END_IN: the bar's other end, for inside placement; NAN for a point),
 * pointing up when UP: beyond the end, inside the bar, then staggered
 * further out, or (a point) on the other side, whichever first collides
 * with nothing (obstacle OWN, the value's own bar, aside when inside). */
static void
place_value(struct doc *d, struct obstacles *o, double cx, double y, double end_in, int up,
    double bar_w, const char *text, double ytop, double ybot, int own, unsigned color)
{
	double w = doc_text_width(d, &label_style, text), h = ASC_MM + DESC_MM;
	double bases[8], gap = isnan(end_in) ? 1.2 : 0.3;
	int inside[8], n = 0, pick = -1;

	bases[n] = up ? y - gap - DESC_MM : y + gap + ASC_MM;
	inside[n++] = 0;
	if (!isnan(end_in) && fabs(end_in - y) >= h + 1 && bar_w >= w + 0.6) {
		bases[n] = up ? y + 0.5 + ASC_MM : y - 0.5 - DESC_MM;
		inside[n++] = 1;
	}
	if (isnan(end_in)) {         /* a point: the other side first */
		bases[n] = up ? y + gap + ASC_MM : y - gap - DESC_MM;
		inside[n++] = 0;
	}
	for (int k = 1; k <= 4; k++) {
		bases[n] = up ? y - gap - DESC_MM - k * (h + 0.2) : y + gap + ASC_MM + k * (h + 0.2);
		inside[n++] = 0;
	}
	for (int i = 0; i < n && pick < 0; i++) {
		struct box b = label_box(cx, bases[i], w);

		if (b.y0 < ytop - 2 * h || b.y1 > ybot)
			continue;
		if (!collides(o, &b, inside[i] ? own : -1))
			pick = i;
	}
	if (pick < 0)
		pick = 0;
	{
		struct box b = label_box(cx, bases[pick], w);

		value_label(d, cx, bases[pick], &b, inside[pick], color, text);
		obstacle_add(o, b.x0, b.y0, b.x1, b.y1);
	}
}

/* ---- The chart ------------------------------------------------------------ */

/* Lines the category names take at GW mm each (wrapped between words). */
static int
category_lines(struct doc *d, const struct chart *c, double gw)
{
	struct text_style cs = label_style;
	int most = 1;

	cs.align = ALIGN_CENTER;
	for (int k = 0; k < c->ncat; k++) {
		const char *cat = c->categories != NULL && c->categories[k] != NULL ? c->categories[k] : "";
		struct para *p = para_make(d, &cs, 0, cat, gw - 1, 0);

		if (p->nlines > most)
			most = p->nlines;
		para_free(p);
	}
	return most > CAT_LINES_MAX ? CAT_LINES_MAX : most;
}

void
doc_chart(struct doc *d, const struct chart *c)
{
	double h = c->height_mm > 0 ? c->height_mm : 70;
	double left = d->setup.margin_left_mm, width = d->setup.body_w_mm;
	double caption_h = style_pitch_pt(&style_caption) * MM_PER_PT +
	    (style_caption.space_before_pt + style_caption.space_after_pt) * MM_PER_PT;
	double lab_h = style_pitch_pt(&label_style) * MM_PER_PT;
	double x0, x1, ytop, ybot, vmin = 0, vmax = 0, step, lo, hi, v, gw, top, need, squeeze;
	struct obstacles obs = {0};
	char num[32];
	int s, k, ticks, cat_lines;

	x0 = left + 18;
	x1 = left + width - 4;
	gw = c->ncat > 0 ? (x1 - x0) / c->ncat : 0;
	cat_lines = c->ncat > 0 ? category_lines(d, c, gw) : 1;
	if (cat_lines > 1)
		h += (cat_lines - 1) * lab_h;
	/* (its 3 mm below count: a chart a little too tall for the rest of the
	 * page gives up to a quarter of its height rather than leave it empty) */
	need = (c->title != NULL ? caption_h : 0) + h + 3;
	squeeze = doc_block_begin(d, BLOCK_CHART, need, need, h * CHART_SQUEEZE, c->pinned);
	if (squeeze < 0) {
		doc_float_add(d, BLOCK_CHART, chart_copy(c), float_place, chart_copy_free);
		return;
	}
	h -= squeeze;
	need -= squeeze + 3;
	d->placing++;
	doc_need(d, need);
	/* the page may break before the chart (it counts as two lines of body) */
	doc_tail_add(d, d->dl.pages[d->cur].nitems,
	    d->y + (c->title != NULL ? style_caption.space_before_pt * MM_PER_PT : 0), 1, 2, NULL);
	if (c->title != NULL)
		doc_paragraph(d, &style_caption, c->title);
	top = d->y;
	ytop = top + 10;
	ybot = top + h - 2 - cat_lines * lab_h;

	for (s = 0; s < c->nseries; s++)
		for (k = 0; k < c->ncat; k++) {
			double x = c->series[s].values[k];
			if (x > vmax)
				vmax = x;
			if (x < vmin)
				vmin = x;
		}
	step = nice_step(vmax - vmin);
	hi = ceil(vmax / step - 1e-9) * step;
	lo = floor(vmin / step + 1e-9) * step;
	if (hi <= lo)
		hi = lo + step;
	/* room above the highest bar for its label */
	if (ybot - (vmax - lo) / (hi - lo) * (ybot - ytop) < ytop + lab_h && vmax > lo)
		hi += step;
#define MAPY(val) (ybot - ((val) - lo) / (hi - lo) * (ybot - ytop))

	/* grid and tick labels */
	for (ticks = 0, v = lo; v <= hi + step / 2 && ticks < 50; v += step, ticks++) {
		struct dl_item *g = dl_add(d, DL_LINE, "grid");

		g->x = x0;
		g->x2 = x1;
		g->y = g->y2 = MAPY(v);
		g->width_pt = 0.3;
		g->stroke = 0xCCCCCC;
		fmt_value(fabs(v) < step * 1e-9 ? 0 : v, num);
		doc_label(d, &label_style, x0 - 1.5, MAPY(v) - lab_h / 2, ALIGN_RIGHT, "tick", num);
	}
	if (c->unit != NULL) {
		char *u = xasprintf("单位：%s", c->unit);
		double uw = doc_text_width(d, &label_style, u);

		doc_label(d, &label_style, left, top + 1, ALIGN_LEFT, "unit", u);
		obstacle_add(&obs, left, top + 1, left + uw, top + 1 + lab_h);
		free(u);
	}
	{
		struct dl_item *a = dl_add(d, DL_LINE, "axis");
		a->x = a->x2 = x0;
		a->y = ytop;
		a->y2 = ybot;
		a->width_pt = 0.8;
		a = dl_add(d, DL_LINE, "axis");
		a->x = x0;
		a->x2 = x1;
		a->y = a->y2 = MAPY(0);
		a->width_pt = 0.8;
	}
	/* legend, top right of the unit */
	{
		double lx = x0 + 2;

		for (s = 0; s < c->nseries; s++) {
			struct dl_item *sw = dl_add(d, DL_RECT, "legend");
			const char *name = c->series[s].name != NULL ? c->series[s].name : "";
			double nw = doc_text_width(d, &label_style, name);

			sw->x = lx;
			sw->y = top + 2;
			sw->w = 4;
			sw->h = 3;
			sw->fill = palette[s % NPALETTE];
			doc_label(d, &label_style, lx + 5, top + 3.5 - lab_h / 2, ALIGN_LEFT, "legend", name);
			obstacle_add(&obs, lx, top + 1.5, lx + 5 + nw, top + 5.5);
			lx += 5 + nw + 6;
		}
	}
	/* category names below the axis, wrapped between words, one size */
	for (k = 0; k < c->ncat; k++) {
		const char *cat = c->categories != NULL && c->categories[k] != NULL ? c->categories[k] : "";
		struct text_style cs = label_style;
		struct para *p;
		double cx = x0 + gw * (k + 0.5);

		cs.align = ALIGN_CENTER;
		p = para_make(d, &cs, 0, cat, gw - 1, 0);
		for (int i = 0; i < p->nlines && i < CAT_LINES_MAX; i++)
			para_place_line(d, p, i, cx - (gw - 1) / 2, ybot + 1 + i * lab_h, gw - 1, "category");
		para_free(p);
	}
	if (c->kind == CHART_BAR) {
		double inner = gw * 0.7, bw = c->nseries > 0 ? inner / c->nseries : 0;

		/* bars first, all of them obstacles; then the labels */
		int bar0 = obs.n;

		for (k = 0; k < c->ncat; k++)
			for (s = 0; s < c->nseries; s++) {
				double val = c->series[s].values[k];
				double bx = x0 + gw * k + (gw - inner) / 2 + bw * s;
				double y0 = MAPY(0), y1 = MAPY(val);
				struct dl_item *b = dl_add(d, DL_RECT, "bar");

				b->x = bx;
				b->w = bw * 0.92;
				b->y = y1 < y0 ? y1 : y0;
				b->h = fabs(y0 - y1);
				b->fill = palette[s % NPALETTE];
				obstacle_add(&obs, b->x, b->y, b->x + b->w, b->y + b->h);
			}
		for (k = 0; k < c->ncat; k++)
			for (s = 0; s < c->nseries; s++) {
				double val = c->series[s].values[k];
				double bx = x0 + gw * k + (gw - inner) / 2 + bw * s;

				fmt_value(val, num);
				place_value(d, &obs, bx + bw * 0.46, MAPY(val), MAPY(0), val >= 0, bw * 0.92,
				    num, ytop, ybot, bar0 + k * c->nseries + s, label_style.color);
			}
	} else {
		for (s = 0; s < c->nseries; s++) {
			unsigned col = palette[s % NPALETTE];

			for (k = 0; k < c->ncat; k++) {
				double cx = x0 + gw * (k + 0.5), cy = MAPY(c->series[s].values[k]);

				if (k > 0) {
					struct dl_item *l = dl_add(d, DL_LINE, "series");
					l->x = x0 + gw * (k - 0.5);
					l->y = MAPY(c->series[s].values[k - 1]);
					l->x2 = cx;
					l->y2 = cy;
					l->width_pt = 1.5;
					l->stroke = col;
					/* the line is an obstacle too: labels and their halos
					 * stay off it (as dots a millimetre apart) */
					for (int q = 1; q < 40; q++) {
						double px = l->x + (l->x2 - l->x) * q / 40, py = l->y + (l->y2 - l->y) * q / 40;

						obstacle_add(&obs, px - 0.4, py - 0.4, px + 0.4, py + 0.4);
					}
				}
			}
		}
		for (s = 0; s < c->nseries; s++) {
			unsigned col = palette[s % NPALETTE];

			for (k = 0; k < c->ncat; k++) {
				double cx = x0 + gw * (k + 0.5), cy = MAPY(c->series[s].values[k]);
				struct dl_item *m = dl_add(d, DL_CIRCLE, "point");

				m->x = cx;
				m->y = cy;
				m->w = 0.9;
				m->width_pt = 0.8;
				m->stroke = col;
				m->fill = 0xFFFFFF;
				obstacle_add(&obs, cx - 1.2, cy - 1.2, cx + 1.2, cy + 1.2);
			}
		}
		/* a point's label goes above it when its series is the highest
		 * there, below when the lowest, in its series' colour */
		for (s = 0; s < c->nseries; s++)
			for (k = 0; k < c->ncat; k++) {
				double cx = x0 + gw * (k + 0.5), v0 = c->series[s].values[k];
				int above = 0, below = 0;

				for (int o = 0; o < c->nseries; o++) {
					above += c->series[o].values[k] > v0 || (c->series[o].values[k] == v0 && o < s);
					below += c->series[o].values[k] < v0 || (c->series[o].values[k] == v0 && o > s);
				}
				fmt_value(v0, num);
				place_value(d, &obs, cx, MAPY(v0), NAN, above == 0 || below > 0 ? 1 : 0, 0, num,
				    ytop, ybot, -1, palette[s % NPALETTE]);
			}
	}
#undef MAPY
	free(obs.b);
	d->y = top + h + 3;
	d->placing--;
}
