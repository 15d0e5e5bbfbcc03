/* chart.c — bar (grouped) and line charts drawn in vector: axis with round
 * ticks, grid, value labels, category labels and a legend. */
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

static const struct text_style label_style = {
	"table", 9, ALIGN_LEFT, 0, 11, 0, 0x333333, 0, 0, 0
};

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

void
doc_chart(struct doc *d, const struct chart *c)
{
	double h = c->height_mm > 0 ? c->height_mm : 70;
	double left = d->setup.margin_left_mm, width = d->setup.body_w_mm;
	double caption_h = style_pitch_pt(&style_caption) * MM_PER_PT +
	    (style_caption.space_before_pt + style_caption.space_after_pt) * MM_PER_PT;
	double lab_h = style_pitch_pt(&label_style) * MM_PER_PT;
	double x0, x1, ytop, ybot, vmin = 0, vmax = 0, step, lo, hi, v, gw, top;
	char num[32];
	int s, k, ticks;

	doc_need(d, (c->title != NULL ? caption_h : 0) + h);
	if (c->title != NULL)
		doc_paragraph(d, &style_caption, c->title);
	top = d->y;
	x0 = left + 18;
	x1 = left + width - 4;
	ytop = top + 10;
	ybot = top + h - 9;

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
		doc_label(d, &label_style, left, top + 1, ALIGN_LEFT, "unit", u);
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
	/* legend */
	{
		double lx = x0 + 2;

		for (s = 0; s < c->nseries; s++) {
			struct dl_item *sw = dl_add(d, DL_RECT, "legend");
			const char *name = c->series[s].name != NULL ? c->series[s].name : "";

			sw->x = lx;
			sw->y = top + 2;
			sw->w = 4;
			sw->h = 3;
			sw->fill = palette[s % NPALETTE];
			doc_label(d, &label_style, lx + 5, top + 3.5 - lab_h / 2, ALIGN_LEFT, "legend", name);
			lx += 5 + doc_text_width(d, &label_style, name) + 6;
		}
	}
	gw = c->ncat > 0 ? (x1 - x0) / c->ncat : 0;
	for (k = 0; k < c->ncat; k++) {
		double cx = x0 + gw * (k + 0.5);
		const char *cat = c->categories != NULL && c->categories[k] != NULL ? c->categories[k] : "";

		struct text_style cs = label_style;

		cs.align = ALIGN_CENTER;
		doc_text_box(d, &cs, cx - gw / 2, ybot + 1, gw, lab_h, BOX_SHRINK, cat);
	}
	if (c->kind == CHART_BAR) {
		double inner = gw * 0.7, bw = c->nseries > 0 ? inner / c->nseries : 0;

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
				fmt_value(val, num);
				{
					/* a value wider than its bar gets smaller, not over its neighbour */
					struct text_style vs = label_style;
					double tw = doc_text_width(d, &vs, num);

					if (tw > bw * 0.98)
						vs.size_pt = vs.size_pt * bw * 0.98 / tw < 5 ? 5 :
						    vs.size_pt * bw * 0.98 / tw;
					doc_label(d, &vs, bx + bw * 0.46, (val >= 0 ? y1 - lab_h : y1),
					    ALIGN_CENTER, "value", num);
				}
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
				}
			}
			for (k = 0; k < c->ncat; k++) {
				double cx = x0 + gw * (k + 0.5), cy = MAPY(c->series[s].values[k]);
				struct dl_item *m = dl_add(d, DL_CIRCLE, "point");

				m->x = cx;
				m->y = cy;
				m->w = 0.9;
				m->width_pt = 0.8;
				m->stroke = col;
				m->fill = 0xFFFFFF;
				fmt_value(c->series[s].values[k], num);
				doc_label(d, &label_style, cx, cy - lab_h - 0.5, ALIGN_CENTER, "value", num);
			}
		}
	}
#undef MAPY
	d->y = top + h + 3;
}
