/* chart.c — bar (grouped) and line charts drawn in vector: axis with round
 * ticks (right of its widest label), grid, a legend, category names wrapped
 * between words, and value labels placed where they collide with nothing
 * (above the bar, inside it, or as near it as is free, on a leader when
 * further out), each on a white halo over the grid.  Every label of a chart
 * is set in one size. */
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
#define LEADER_PT 0.3            /* a leader from a bar to its label further out */
#define LEADER_COLOR 0x808080
#define CHART_SQUEEZE 0.25       /* of its height a chart gives up to fit a page */
#define CAT_LINES_MAX 3

static void
fmt_value(double v, char *out)
{
	if (fabs(v - llround(v)) < 1e-9)
		fmt_thousands(llround(v), out);
	else
		snprintf(out, 32, "%.1f", jz_round_half(v, 1));
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
	int labels;              /* the labels placed (and their leaders) from this one on */
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
collides(const struct obstacles *o, const struct box *b, int skip, double air)
{
	for (int i = 0; i < o->n; i++) {
		double a = i >= o->labels ? air : 0;

		if (i != skip && b->x0 - a < o->b[i].x1 && o->b[i].x0 < b->x1 + a && b->y0 < o->b[i].y1 &&
		    o->b[i].y0 < b->y1)
			return 1;
	}
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

/* Where a value label goes: centred at CX, its baseline at BASE, white on
 * its bar when INSIDE. */
struct label_at {
	double cx, base;
	int inside;
	int tight;               /* its halo no wider than its box (set close beside a bar) */
	double lx, ly0, ly1;     /* a leader from its bar or point: x, from y0 to y1; ly0 == ly1: none */
};

/* The value label TEXT where AT says: its leader, a white halo (HALO_MM
 * round its ink, or its box when tight), then the text (white on its bar
 * when inside, COLOR otherwise). */
static void
value_label(struct doc *d, const struct label_at *at, unsigned color, const char *text)
{
	struct text_style vs = label_style;

	vs.color = at->inside ? 0xFFFFFF : color;
	if (at->ly0 != at->ly1) {
		struct dl_item *l = dl_add(d, DL_LINE, "leader");

		l->x = l->x2 = at->lx;
		l->y = at->ly0;
		l->y2 = at->ly1;
		l->width_pt = LEADER_PT;
		l->stroke = LEADER_COLOR;
	}
	if (!at->inside) {
		struct box b = label_box(at->cx, at->base, doc_text_width(d, &label_style, text));
		struct dl_item *h = dl_add(d, DL_RECT, "halo");

		if (at->tight) {
			h->x = b.x0;
			h->y = b.y0;
			h->w = b.x1 - b.x0;
			h->h = b.y1 - b.y0;
		} else {
			h->x = b.x0 - HALO_MM + 0.3;
			h->y = b.y0 - HALO_MM + 0.2;
			h->w = b.x1 - b.x0 + 2 * HALO_MM - 0.6;
			h->h = b.y1 - b.y0 + 2 * HALO_MM - 0.4;
		}
		h->fill = 0xFFFFFF;
	}
	doc_label(d, &vs, at->cx, at->base - base_off(), ALIGN_CENTER, "value", text);
}

/* CX moved as little as it takes for a label of width W to stay within
 * AREA's width, its halo (TIGHT: as wide as its box) AXIS_GAP mm clear of
 * the value axis at its left. */
#define AXIS_GAP 0.3
static double
within(const struct box *area, double cx, double w, int tight)
{
	double lo = area->x0 + AXIS_GAP + (tight ? 0 : HALO_MM - 0.3) + w / 2 + 0.3;
	double hi = area->x1 - w / 2 - 0.3;

	return hi < lo ? cx : fmin(fmax(cx, lo), hi);
}

/* Whether a label of width W centred at CX with its baseline at BASE is
 * within AREA and collides with nothing (but obstacle SKIP), nor does
 * LEADER, its leader, when not NULL; AIR: mm more between it and the
 * labels placed, on either side. */
static int
label_free(const struct obstacles *o, const struct box *area, double cx, double base, double w,
    int skip, const struct box *leader, double air)
{
	struct box b = label_box(cx, base, w);

	if (b.y0 < area->y0 || b.y1 > area->y1)
		return 0;
	return !collides(o, &b, skip, air) && (leader == NULL || !collides(o, leader, skip, 0));
}

/* Places the label TEXT of a value at CX whose bar (or point) ends at Y
 * (END_IN: the bar's other end, for inside placement; NAN for a point),
 * pointing up when UP: beyond the end, inside the bar, or (a point) on the
 * other side, whichever first collides with nothing (obstacle OWN, the
 * value's own bar, aside when inside).  Else it goes to the free place
 * nearest the end, further out and sideways as far as a label may go and
 * still stand over its bar (over all of it, or the middle half of the label
 * over its middle; a millimetre sideways counts as SIDEWAYS further out):
 * over the bars beside it, its halo no wider than its box there, and more
 * than LEADER_AFTER out, on a leader from the end that crosses nothing
 * either.  A label keeps within AREA (the plot and the band above it; off
 * the value axis and its labels).  The label and its leader become
 * obstacles; *AT says where they go.  Returns 0 when no place is free (the
 * label then stands beyond the end). */
#define SIDEWAYS 0.5
#define LEADER_AFTER 1.0         /* mm further out than beyond the end */
#define LABEL_AIR 1.0            /* mm more between two labels side by side there: half an em */
static int
place_value(struct doc *d, struct obstacles *o, const struct box *area, double cx, double y,
    double end_in, int up, double bar_w, const char *text, int own, struct label_at *at)
{
	double w = doc_text_width(d, &label_style, text), h = ASC_MM + DESC_MM;
	double gap = isnan(end_in) ? 1.2 : 0.3, bases[3], near, far, shift, best = INFINITY;
	double end_x = cx, from = isnan(end_in) ? (up ? y - 1.3 : y + 1.3) : y;
	int inside[3], n = 0, pick = -1;

	memset(at, 0, sizeof *at);
	cx = within(area, cx, w, 0);
	near = up ? y - gap - DESC_MM : y + gap + ASC_MM;
	bases[n] = near;
	inside[n++] = 0;
	if (!isnan(end_in) && fabs(end_in - y) >= h + 1 && bar_w >= w + 0.6) {
		bases[n] = up ? y + 0.5 + ASC_MM : y - 0.5 - DESC_MM;
		inside[n++] = 1;
	}
	if (isnan(end_in)) {         /* a point: the other side first */
		bases[n] = up ? y + gap + ASC_MM : y - gap - DESC_MM;
		inside[n++] = 0;
	}
	for (int i = 0; i < n && pick < 0; i++)
		if (label_free(o, area, cx, bases[i], w, inside[i] ? own : -1, NULL, 0))
			pick = i;
	at->cx = cx;
	at->base = bases[pick < 0 ? 0 : pick];
	at->inside = pick >= 0 && inside[pick];
	/* further out, in half millimetres, and sideways in quarters */
	far = fabs((up ? area->y0 + ASC_MM : area->y1 - DESC_MM) - near);
	shift = fmax((w - bar_w) / 2, w / 4);
	for (double dist = 0.5; pick < 0 && dist <= far + 1e-9 && dist < best; dist += 0.5)
		for (int k = 0; k <= 2 * (int)ceil(shift / 0.25); k++) {
			double x = within(area, cx + (k % 2 ? -1 : 1) * fmin((k + 1) / 2 * 0.25, shift), w, 1);
			double base = up ? near - dist : near + dist, score = dist + SIDEWAYS * fabs(x - cx);
			struct box lb = label_box(x, base, w), leader = {end_x - 0.1, up ? lb.y1 : from,
			    end_x + 0.1, up ? from : lb.y0};

			if (score < best && label_free(o, area, x, base, w, -1,
			    dist > LEADER_AFTER ? &leader : NULL, LABEL_AIR)) {
				best = score;
				at->cx = x;
				at->base = base;
				at->tight = 1;
				if (dist > LEADER_AFTER) {
					at->lx = end_x;
					at->ly0 = from;
					at->ly1 = up ? lb.y1 : lb.y0;
				} else
					at->ly0 = at->ly1 = 0;
			}
		}
	{
		struct box b = label_box(at->cx, at->base, w);

		obstacle_add(o, b.x0, b.y0, b.x1, b.y1);
		if (at->ly0 != at->ly1)
			obstacle_add(o, at->lx - 0.3, at->ly0, at->lx + 0.3, at->ly1);
	}
	return pick >= 0 || best < INFINITY;
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

/* The plot of a chart: the value axis at X0, the categories from X0 to X1,
 * GW each; values LO (at YBOT) to HI (at YTOP). */
struct frame {
	double x0, x1, gw, ytop, ybot, lo, hi;
};

static double
mapy(const struct frame *f, double v)
{
	return f->ybot - (v - f->lo) / (f->hi - f->lo) * (f->ybot - f->ytop);
}

/* A bar of C, series S of category K: its left edge X and the width of its
 * series' slot BW (the bar is 0.92 of it). */
static void
bar_at(const struct chart *c, const struct frame *f, int k, int s, double *x, double *bw)
{
	double inner = f->gw * 0.7;

	*bw = c->nseries > 0 ? inner / c->nseries : 0;
	*x = f->x0 + f->gw * k + (f->gw - inner) / 2 + *bw * s;
}

/* The value labels of C placed in the frame F (AT: one per value, category
 * by category for bars, series by series for lines), with the bars, lines
 * and points of F and the obstacles of BASE (unit, legend) to keep off.
 * Returns how many found no free place. */
static int
plan_labels(struct doc *d, const struct chart *c, const struct frame *f,
    const struct obstacles *base, struct label_at *at)
{
	struct obstacles obs = {0};
	double h = ASC_MM + DESC_MM;
	struct box area = {f->x0, f->ytop - 2 * h, f->x1 + 4, f->ybot};
	char num[32];
	int s, k, failed = 0;

	for (int i = 0; i < base->n; i++)
		obstacle_add(&obs, base->b[i].x0, base->b[i].y0, base->b[i].x1, base->b[i].y1);
	if (c->kind == CHART_BAR) {
		/* bars first, all of them obstacles; then the labels */
		int bar0 = obs.n;

		obs.labels = bar0 + c->ncat * c->nseries;

		for (k = 0; k < c->ncat; k++)
			for (s = 0; s < c->nseries; s++) {
				double bx, bw, y0 = mapy(f, 0), y1 = mapy(f, c->series[s].values[k]);

				bar_at(c, f, k, s, &bx, &bw);
				obstacle_add(&obs, bx, y1 < y0 ? y1 : y0, bx + bw * 0.92,
				    (y1 < y0 ? y1 : y0) + fabs(y0 - y1));
			}
		for (k = 0; k < c->ncat; k++)
			for (s = 0; s < c->nseries; s++) {
				double val = c->series[s].values[k], bx, bw;

				bar_at(c, f, k, s, &bx, &bw);
				fmt_value(val, num);
				failed += !place_value(d, &obs, &area, bx + bw * 0.46, mapy(f, val), mapy(f, 0),
				    val >= 0, bw * 0.92, num, bar0 + k * c->nseries + s, &at[k * c->nseries + s]);
			}
	} else {
		/* the lines are obstacles too: labels and their halos stay off them
		 * (as dots a millimetre apart); and the points */
		for (s = 0; s < c->nseries; s++)
			for (k = 1; k < c->ncat; k++) {
				double ax = f->x0 + f->gw * (k - 0.5), ay = mapy(f, c->series[s].values[k - 1]);
				double bx = f->x0 + f->gw * (k + 0.5), by = mapy(f, c->series[s].values[k]);

				for (int q = 1; q < 40; q++) {
					double px = ax + (bx - ax) * q / 40, py = ay + (by - ay) * q / 40;

					obstacle_add(&obs, px - 0.4, py - 0.4, px + 0.4, py + 0.4);
				}
			}
		for (s = 0; s < c->nseries; s++)
			for (k = 0; k < c->ncat; k++) {
				double cx = f->x0 + f->gw * (k + 0.5), cy = mapy(f, c->series[s].values[k]);

				obstacle_add(&obs, cx - 1.2, cy - 1.2, cx + 1.2, cy + 1.2);
			}
		obs.labels = obs.n;
		/* a point's label goes above it when its series is the highest
		 * there, below when the lowest */
		for (s = 0; s < c->nseries; s++)
			for (k = 0; k < c->ncat; k++) {
				double cx = f->x0 + f->gw * (k + 0.5), v0 = c->series[s].values[k];
				int above = 0, below = 0;

				for (int o = 0; o < c->nseries; o++) {
					above += c->series[o].values[k] > v0 || (c->series[o].values[k] == v0 && o < s);
					below += c->series[o].values[k] < v0 || (c->series[o].values[k] == v0 && o > s);
				}
				fmt_value(v0, num);
				failed += !place_value(d, &obs, &area, cx, mapy(f, v0), NAN,
				    above == 0 || below > 0 ? 1 : 0, 0, num, -1, &at[s * c->ncat + k]);
			}
	}
	free(obs.b);
	return failed;
}

/* Value axes a label that finds no place may add, a step each, to give the
 * labels room above the bars. */
#define EXTRA_STEPS 3

void
doc_chart(struct doc *d, const struct chart *c)
{
	double h = c->height_mm > 0 ? c->height_mm : 70;
	double left = d->setup.margin_left_mm, width = d->setup.body_w_mm;
	double caption_h = style_pitch_pt(&style_caption) * MM_PER_PT +
	    (style_caption.space_before_pt + style_caption.space_after_pt) * MM_PER_PT;
	double lab_h = style_pitch_pt(&label_style) * MM_PER_PT;
	double ytop, ybot, vmin = 0, vmax = 0, step, lo, hi, v, top, need, squeeze, ticks_w = 0;
	struct obstacles base = {0};
	struct label_at *at = xcalloc((size_t)c->ncat * c->nseries + 1, sizeof *at);
	struct frame f;
	char num[32];
	int s, k, ticks, cat_lines;

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
	/* the value axis stands right of its widest label (of every tick the
	 * axis may get), 18 mm from the edge at least */
	for (ticks = 0, v = lo; v <= hi + (EXTRA_STEPS + 1.5) * step && ticks < 50; v += step, ticks++) {
		fmt_value(fabs(v) < step * 1e-9 ? 0 : v, num);
		ticks_w = fmax(ticks_w, doc_text_width(d, &label_style, num));
	}
	f.x0 = left + fmax(18, ticks_w + 1.5);
	f.x1 = left + width - 4;
	f.gw = c->ncat > 0 ? (f.x1 - f.x0) / c->ncat : 0;
	cat_lines = c->ncat > 0 ? category_lines(d, c, f.gw) : 1;
	if (cat_lines > 1)
		h += (cat_lines - 1) * lab_h;
	/* (its 3 mm below count: a chart a little too tall for the rest of the
	 * page gives up to a quarter of its height rather than leave it empty) */
	need = (c->title != NULL ? caption_h : 0) + h + 3;
	squeeze = doc_block_begin(d, BLOCK_CHART, need, need, h * CHART_SQUEEZE, c->pinned);
	if (squeeze < 0) {
		doc_float_add(d, BLOCK_CHART, chart_copy(c), float_place, chart_copy_free);
		free(at);
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
	/* room above the highest bar for its label */
	if (ybot - (vmax - lo) / (hi - lo) * (ybot - ytop) < ytop + lab_h && vmax > lo)
		hi += step;
	f.ytop = ytop;
	f.ybot = ybot;
	f.lo = lo;

	/* what the labels keep off besides the plot: the unit, the legend */
	if (c->unit != NULL) {
		char *u = xasprintf("单位：%s", c->unit);

		obstacle_add(&base, left, top + 1, left + doc_text_width(d, &label_style, u),
		    top + 1 + lab_h);
		free(u);
	}
	{
		double lx = f.x0 + 2;

		for (s = 0; s < c->nseries; s++) {
			const char *name = c->series[s].name != NULL ? c->series[s].name : "";
			double nw = doc_text_width(d, &label_style, name);

			obstacle_add(&base, lx, top + 1.5, lx + 5 + nw, top + 5.5);
			lx += 5 + nw + 6;
		}
	}
	/* the labels where they collide with nothing: when some cannot, the
	 * axis goes a step higher (the bars shorter), up to EXTRA_STEPS */
	for (int extra = 0;; extra++) {
		f.hi = hi;
		if (plan_labels(d, c, &f, &base, at) == 0 || extra == EXTRA_STEPS)
			break;
		hi += step;
	}
#define MAPY(val) mapy(&f, (val))

	/* grid and tick labels */
	for (ticks = 0, v = lo; v <= hi + step / 2 && ticks < 50; v += step, ticks++) {
		struct dl_item *g = dl_add(d, DL_LINE, "grid");

		g->x = f.x0;
		g->x2 = f.x1;
		g->y = g->y2 = MAPY(v);
		g->width_pt = 0.3;
		g->stroke = 0xCCCCCC;
		fmt_value(fabs(v) < step * 1e-9 ? 0 : v, num);
		doc_label(d, &label_style, f.x0 - 1.5, MAPY(v) - lab_h / 2, ALIGN_RIGHT, "tick", num);
	}
	if (c->unit != NULL) {
		char *u = xasprintf("单位：%s", c->unit);

		doc_label(d, &label_style, left, top + 1, ALIGN_LEFT, "unit", u);
		free(u);
	}
	{
		struct dl_item *a = dl_add(d, DL_LINE, "axis");
		a->x = a->x2 = f.x0;
		a->y = ytop;
		a->y2 = ybot;
		a->width_pt = 0.8;
		a = dl_add(d, DL_LINE, "axis");
		a->x = f.x0;
		a->x2 = f.x1;
		a->y = a->y2 = MAPY(0);
		a->width_pt = 0.8;
	}
	/* legend, top right of the unit */
	{
		double lx = f.x0 + 2;

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
			lx += 5 + nw + 6;
		}
	}
	/* category names below the axis, wrapped between words, one size */
	for (k = 0; k < c->ncat; k++) {
		const char *cat = c->categories != NULL && c->categories[k] != NULL ? c->categories[k] : "";
		struct text_style cs = label_style;
		struct para *p;
		double cx = f.x0 + f.gw * (k + 0.5);

		cs.align = ALIGN_CENTER;
		p = para_make(d, &cs, 0, cat, f.gw - 1, 0);
		for (int i = 0; i < p->nlines && i < CAT_LINES_MAX; i++)
			para_place_line(d, p, i, cx - (f.gw - 1) / 2, ybot + 1 + i * lab_h, f.gw - 1,
			    "category");
		para_free(p);
	}
	if (c->kind == CHART_BAR) {
		for (k = 0; k < c->ncat; k++)
			for (s = 0; s < c->nseries; s++) {
				double bx, bw, y0 = MAPY(0), y1 = MAPY(c->series[s].values[k]);
				struct dl_item *b = dl_add(d, DL_RECT, "bar");

				bar_at(c, &f, k, s, &bx, &bw);
				b->x = bx;
				b->w = bw * 0.92;
				b->y = y1 < y0 ? y1 : y0;
				b->h = fabs(y0 - y1);
				b->fill = palette[s % NPALETTE];
			}
		for (k = 0; k < c->ncat; k++)
			for (s = 0; s < c->nseries; s++) {
				const struct label_at *l = &at[k * c->nseries + s];

				fmt_value(c->series[s].values[k], num);
				value_label(d, l, label_style.color, num);
			}
	} else {
		for (s = 0; s < c->nseries; s++) {
			unsigned col = palette[s % NPALETTE];

			for (k = 1; k < c->ncat; k++) {
				struct dl_item *l = dl_add(d, DL_LINE, "series");

				l->x = f.x0 + f.gw * (k - 0.5);
				l->y = MAPY(c->series[s].values[k - 1]);
				l->x2 = f.x0 + f.gw * (k + 0.5);
				l->y2 = MAPY(c->series[s].values[k]);
				l->width_pt = 1.5;
				l->stroke = col;
			}
		}
		for (s = 0; s < c->nseries; s++) {
			unsigned col = palette[s % NPALETTE];

			for (k = 0; k < c->ncat; k++) {
				struct dl_item *m = dl_add(d, DL_CIRCLE, "point");

				m->x = f.x0 + f.gw * (k + 0.5);
				m->y = MAPY(c->series[s].values[k]);
				m->w = 0.9;
				m->width_pt = 0.8;
				m->stroke = col;
				m->fill = 0xFFFFFF;
			}
		}
		for (s = 0; s < c->nseries; s++)
			for (k = 0; k < c->ncat; k++) {
				const struct label_at *l = &at[s * c->ncat + k];

				fmt_value(c->series[s].values[k], num);
				value_label(d, l, palette[s % NPALETTE], num);
			}
	}
#undef MAPY
	free(base.b);
	free(at);
	d->y = top + h + 3;
	d->placing--;
}
