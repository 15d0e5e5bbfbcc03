/* para.c — Chinese text set into lines: font fallback per character, the
 * lines linebreak.c chooses placed with their punctuation adjusted and the
 * slack spread (justification), the quarter em between Han and Latin, the
 * GB/T 9704 grid; and text set in a box or at a point (certificates, labels
 * of charts, page numbers). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hb.h>
#include <unicode/ubrk.h>
#include <unicode/utypes.h>

#include "jingsai.h"
#include "layout.h"
#include "layout_int.h"
#include "face.h"

/* ---- Characters ------------------------------------------------------------ */

/* The step, in 1/1000 em, of what punctuation adjustment takes off a glyph. */
#define CUT_STEP 25

/* Full-width punctuation: CJK Symbols and Punctuation, the full-width
 * forms, and the curly quotation marks. */
static int
is_mark(uint32_t c)
{
	return (c >= 0x3001 && c <= 0x301F) || (c >= 0xFF01 && c <= 0xFF0F) ||
	    (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
	    (c >= 0xFF5B && c <= 0xFF65) || (c >= 0x2018 && c <= 0x201D);
}

/* A gap between A and B that justification may widen. */
static int
stretchable(uint32_t a, uint32_t b)
{
	if (lb_is_space(a) || lb_is_space(b))
		return 1;
	/* not inside Latin words and numbers such as 3,000,000 or 105.5%, nor
	 * between two punctuation marks set together (）； stays 1.5 em) */
	return !(a < 0x250 && b < 0x250) &&
	    !((a == 0x2014 && b == 0x2014) || (a == 0x2026 && b == 0x2026)) &&
	    !(is_mark(a) && is_mark(b));
}

double
style_pitch_pt(const struct text_style *s)
{
	if (s->line_pitch_pt > 0)
		return s->line_pitch_pt;
	if (s->size_pt * 1.2 <= GRID_PITCH_PT + 1e-9)
		return GRID_PITCH_PT;
	return s->size_pt * 1.25;
}

/* The characters already reported for a named field (a certificate's
 * recipient) in this process: a field printed in two documents (print.pdf,
 * then its single file, made by a worker process that inherits this) is
 * reported once.  Text without a name is reported once per document. */
static struct strmap reported_fields;

static void
report_missing(struct doc *d, const char *role, uint32_t cp)
{
	struct buf ch = {0};

	d->missing++;
	if (hb_set_has(d->reported, cp))
		return;
	hb_set_add(d->reported, cp);
	if (d->field != NULL) {
		char *key = xasprintf("%s U+%04lX", d->field, (long)cp);
		int first = strmap_add(&reported_fields, key, 0);
		free(key);
		if (!first)
			return;
	}
	utf8_encode(&ch, cp);
	diag(DIAG_LAYOUT_NO_GLYPH, NULL, 0, 0, d->field != NULL ? d->field : "text",
	    role != NULL ? role : "body", (long)cp, ch.data);
	buf_free(&ch);
}

/* Notes U+FFFD in the text being shaped: counted as a character without a
 * font (the document is not written), said once per field. */
static void
report_replacement(struct doc *d)
{
	d->missing++;
	if (hb_set_has(d->reported, 0xFFFD))
		return;
	hb_set_add(d->reported, 0xFFFD);
	if (d->field != NULL) {
		char *key = xasprintf("%s U+FFFD", d->field);
		int first = strmap_add(&reported_fields, key, 0);
		free(key);
		if (!first)
			return;
	}
	diag(DIAG_LAYOUT_REPLACEMENT, NULL, 0, 0, d->field != NULL ? d->field : "text");
}

/* Decodes and maps TEXT to glyphs.  Returns the number of glyphs in *OUT,
 * and the text in UTF-16 with the glyph of each unit (the caller frees the
 * three arrays). */
static int
shape(struct doc *d, const struct text_style *s, double size, const char *text, struct tg **out,
    UChar **u16_out, int *nu_out, int **u2g_out)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t len = strlen(text), off = 0;
	struct tg *g;
	UChar *u16;
	int *u2g;
	int n = 0, nu = 0;

	g = xcalloc(len + 1, sizeof *g);
	u16 = xmalloc((2 * len + 1) * sizeof *u16);
	u2g = xmalloc((2 * len + 2) * sizeof *u2g);
	while (off < len) {
		int adv, bad = 0;
		long cp = utf8_decode(p + off, len - off, &adv);

		if (cp < 0) {
			diag(DIAG_LAYOUT_BAD_UTF8, NULL, 0, 0, d->field != NULL ? d->field : "text",
			    (long)off);
			d->missing++;
			cp = 0xFFFD;
			bad = 1;
		}
		off += adv;
		if (cp == '\r' || face_ignorable((uint32_t)cp))
			continue;
		if (cp == '\t')
			cp = ' ';
		g[n].cp = (uint32_t)cp;
		if (cp < 0x10000) {
			u2g[nu] = n;
			u16[nu++] = (UChar)cp;
		} else {
			u2g[nu] = n;
			u16[nu++] = (UChar)(0xD800 + ((cp - 0x10000) >> 10));
			u2g[nu] = n;
			u16[nu++] = (UChar)(0xDC00 + ((cp - 0x10000) & 0x3FF));
		}
		if (lb_is_control((uint32_t)cp)) {
			g[n].face = NULL;
			g[n].adv = 0;
		} else if (cp == 0xFFFD) {
			/* a character lost before the text came in: fonts draw a
			 * mark for it (HanaMin's �), which would print in its place */
			if (!bad)
				report_replacement(d);
			g[n].face = NULL;
			g[n].adv = size;
		} else if (fontset_lookup(d->fs, s->role, cp, &g[n].face, &g[n].gid) != 0) {
			report_missing(d, s->role, (uint32_t)cp);
			g[n].face = NULL;
			g[n].adv = size;
		} else
			g[n].adv = face_advance_em(g[n].face, g[n].gid) * size;
		n++;
	}
	u2g[nu] = n;

	*out = g;
	*u16_out = u16;
	*nu_out = nu;
	*u2g_out = u2g;
	return n;
}

struct para *
para_make(struct doc *d, const struct text_style *s, double size, const char *text,
    double w_mm, double indent_pt)
{
	struct para *p = xcalloc(1, sizeof *p);
	UChar *u16;
	int *u2g, nu;

	p->s = s;
	p->size = size > 0 ? size : s->size_pt;
	p->ls = s->letter_spacing_pt;
	p->first_indent_pt = indent_pt;
	p->n = shape(d, s, p->size, text != NULL ? text : "", &p->g, &u16, &nu, &u2g);
	lb_mark(d, p, u16, nu, u2g);
	free(u16);
	free(u2g);
	para_break(p, w_mm);
	return p;
}

void
para_free(struct para *p)
{
	if (p == NULL)
		return;
	free(p->g);
	free(p->lines);
	free(p);
}

static void
emit_run(struct doc *d, const struct para *p, const double *xs, const int16_t *ex, int x0,
    int from, int to, double x_mm, double base_mm, double spacing)
{
	struct dl_item *it = dl_add(d, DL_RUN, "text");
	int k;

	it->x = x_mm + xs[from - x0] * MM_PER_PT;
	it->y = base_mm;
	it->face = p->g[from].face;
	it->size_pt = p->size;
	it->spacing_pt = spacing;
	it->bold = p->s->bold;
	it->stroke = p->s->color;
	it->fill = p->s->color;
	it->nglyphs = to - from;
	it->glyphs = xmalloc(it->nglyphs * sizeof *it->glyphs);
	for (k = from; k < to; k++) {
		it->glyphs[k - from].cp = p->g[k].cp;
		it->glyphs[k - from].gid = (uint16_t)p->g[k].gid;
		it->glyphs[k - from].adv_pt = (float)p->g[k].adv;
		it->glyphs[k - from].extra = ex[k - x0];
	}
	it->w = (xs[to - 1 - x0] + p->g[to - 1].adv - xs[from - x0]) * MM_PER_PT;
}

void
para_place_line(struct doc *d, const struct para *p, int li, double x_mm, double y_mm,
    double w_mm, const char *tag)
{
	const struct pline *l = &p->lines[li];
	double width = w_mm * PT_PER_MM, indent = li == 0 ? p->first_indent_pt : 0;
	double avail = width - indent, off = indent, extra = 0, x, pitch, base_mm, set;
	double *xs;
	int16_t *ex;             /* advance added after each glyph, 1/1000 em */
	float *cl, *cr;          /* what punctuation adjustment takes left and right of each */
	int end = l->end, i, nstretch = 0, run, n;
	enum align al = p->s->align;
	struct dl_item *box;
	struct buf text = {0};

	end = lb_visible_end(p, l->start, end);
	n = end - l->start;
	/* what punctuation adjustment takes: the pairs, the edges as far as
	 * the line needs, and a line that took in a mark more than its width
	 * gives back what its marks may give up */
	cl = xcalloc(n + 1, sizeof *cl);
	cr = xcalloc(n + 1, sizeof *cr);
	para_line_cuts(p, li, avail, cl, cr);

	/* What comes between a glyph and the next goes into the advance of the
	 * first: the ¼ em before Latin widens it, and the blank punctuation
	 * adjustment takes off (its own right, the next one's left) narrows
	 * it.  The PDF gets a variant of the glyph with that /W entry, so runs
	 * stay whole and text extraction sees neither hole nor overlap. */
	xs = xmalloc((n + 1) * sizeof *xs);
	ex = xcalloc(n + 1, sizeof *ex);
	set = -cl[0];            /* the width of the line as set */
	for (i = l->start; i < end; i++) {
		double cut = i + 1 < end ? cr[i - l->start] + cl[i + 1 - l->start] : 0;
		/* in steps of 1/40 em: a few variants of a mark, not one a line
		 * (the justification takes up what rounding leaves) */
		long units = -lround(cut * 1000 / p->size / CUT_STEP) * CUT_STEP;

		if (i + 1 < end && p->g[i + 1].gap > 0 && !p->g[i + 1].keep_gap)
			units += lround(p->g[i + 1].gap * 1000 / p->size);
		if (p->g[i].face != NULL && units >= DL_EXTRA_MIN && units <= DL_EXTRA_MAX)
			ex[i - l->start] = (int16_t)units;
		set += p->g[i].adv + p->ls + units * p->size / 1000;
		if (i + 1 < end && p->g[i + 1].keep_gap)
			set += p->g[i + 1].gap;
	}
	if (n > 0)
		set -= cr[n - 1];        /* the last mark's right blank, trimmed at the edge */
	if (al == ALIGN_JUSTIFY) {
		/* spread what is left (or, rounding aside, take back what is over) */
		for (i = l->start + 1; i < end; i++)
			nstretch += stretchable(p->g[i - 1].cp, p->g[i].cp);
		if (!l->last && nstretch > 0 && (avail > set || l->natural > avail))
			extra = (avail - set) / nstretch;
	} else if (al == ALIGN_CENTER)
		off += (avail - set) / 2;
	else if (al == ALIGN_RIGHT)
		off += avail - set;

	/* a mark that gives up its left blank at the start is drawn that much
	 * to the left */
	x = off - cl[0];
	for (i = l->start; i < end; i++) {
		if (i > l->start) {
			long units = -lround((cr[i - 1 - l->start] + cl[i - l->start]) * 1000 / p->size /
			    CUT_STEP) * CUT_STEP;

			if (p->g[i].gap > 0 && !p->g[i].keep_gap)
				units += lround(p->g[i].gap * 1000 / p->size);
			/* encoded in the glyph before, or (no glyph to carry it) a shift */
			x += ex[i - 1 - l->start] != 0 || units == 0 ? ex[i - 1 - l->start] * p->size / 1000 :
			    units * p->size / 1000;
			if (p->g[i].keep_gap)
				x += p->g[i].gap;
			if (extra != 0 && stretchable(p->g[i - 1].cp, p->g[i].cp))
				x += extra;
		}
		xs[i - l->start] = x;
		x += p->g[i].adv + p->ls;
	}
	free(cl);
	free(cr);
	pitch = style_pitch_pt(p->s);
	base_mm = y_mm + ((pitch - p->size) / 2 + 0.88 * p->size) * MM_PER_PT;

	box = dl_add(d, DL_LINEBOX, tag);
	box->x = x_mm;
	box->y = y_mm;
	box->w = w_mm;
	box->h = pitch * MM_PER_PT;
	for (i = l->start; i < end; i++)
		if (p->g[i].face != NULL)
			utf8_encode(&text, p->g[i].cp);
	box->text = text.data != NULL ? text.data : xstrdup("");

	/* runs: same face, uniform spacing */
	for (i = l->start; i < end; i = run) {
		double sp;

		if (p->g[i].face == NULL) {
			run = i + 1;
			continue;
		}
		sp = i + 1 < end ? xs[i + 1 - l->start] - xs[i - l->start] - p->g[i].adv -
		    ex[i - l->start] * p->size / 1000 : p->ls;
		for (run = i + 1; run < end; run++) {
			if (p->g[run].face != p->g[i].face)
				break;
			if (fabs(xs[run - l->start] - xs[run - 1 - l->start] - p->g[run - 1].adv -
			    ex[run - 1 - l->start] * p->size / 1000 - sp) > 1e-6)
				break;
		}
		emit_run(d, p, xs, ex, l->start, i, run, x_mm, base_mm, sp);
	}
	free(xs);
	free(ex);
}

/* ---- Fixed positions ------------------------------------------------------------ */

static int
count_visible(const struct para *p)
{
	int i, k = 0;

	for (i = 0; i < p->n; i++)
		if (!lb_is_control(p->g[i].cp) && !lb_is_space(p->g[i].cp))
			k++;
	return k;
}

/* The width of P's widest line, pt. */
static double
widest_line(const struct para *p)
{
	double widest = 0;

	for (int i = 0; i < p->nlines; i++)
		if (p->lines[i].natural > widest)
			widest = p->lines[i].natural;
	return widest;
}

double
doc_text_box(struct doc *d, const struct text_style *s, double x_mm, double y_mm, double w_mm,
    double h_mm, int flags, const char *text)
{
	double size = s->size_pt, pitch_mm, top;
	struct para *p;
	int i, tries, fits;

	p = para_make(d, s, size, text, (flags & BOX_WRAP) ? w_mm : 0, 0);
	if ((flags & BOX_NAME_SPACING) && count_visible(p) == 2 && p->n == 2) {
		/* 张  三: the second character moves to the third cell (a real gap:
		 * text extraction shows the space, as printed) */
		p->g[1].gap += p->size + p->ls;
		p->g[1].keep_gap = 1;
		para_line_measure(p, 0);
	}
	for (tries = 0; (flags & BOX_SHRINK) && tries < 8 && p->nlines > 0; tries++) {
		double widest = widest_line(p);

		if (widest <= w_mm * PT_PER_MM + 0.01 || size <= 4)
			break;
		size = size * (w_mm * PT_PER_MM) / widest * 0.999;
		if (size < 4)
			size = 4;
		para_free(p);
		p = para_make(d, s, size, text, (flags & BOX_WRAP) ? w_mm : 0, 0);
		if ((flags & BOX_NAME_SPACING) && count_visible(p) == 2 && p->n == 2) {
			p->g[1].gap += p->size + p->ls;
			p->g[1].keep_gap = 1;
			para_line_measure(p, 0);
		}
	}
	{
		struct text_style st = *s;

		st.size_pt = size;
		p->s = &st;
		pitch_mm = style_pitch_pt(&st) * MM_PER_PT;
		top = y_mm;
		if (flags & BOX_VCENTER)
			top = y_mm + (h_mm - p->nlines * pitch_mm) / 2;
		for (i = 0; i < p->nlines; i++)
			para_place_line(d, p, i, x_mm, top + i * pitch_mm, w_mm, "box");
		p->s = s;
	}
	fits = widest_line(p) <= w_mm * PT_PER_MM + 0.01;
	para_free(p);
	return fits ? size : -size;
}

void
doc_label(struct doc *d, const struct text_style *s, double x_mm, double y_mm, enum align align,
    const char *tag, const char *text)
{
	struct text_style st = *s;
	struct para *p;
	double w;

	st.align = align;
	p = para_make(d, &st, 0, text, 0, 0);
	if (p->nlines > 0) {
		w = p->lines[0].natural * MM_PER_PT;
		if (align == ALIGN_CENTER)
			x_mm -= w / 2;
		else if (align == ALIGN_RIGHT)
			x_mm -= w;
		st.align = ALIGN_LEFT;
		para_place_line(d, p, 0, x_mm, y_mm, w + 1, tag);
	}
	para_free(p);
}

double
doc_text_width(struct doc *d, const struct text_style *s, const char *text)
{
	struct para *p = para_make(d, s, 0, text, 0, 0);
	double w = 0;
	int i;

	for (i = 0; i < p->nlines; i++)
		if (p->lines[i].natural > w)
			w = p->lines[i].natural;
	para_free(p);
	return w * MM_PER_PT;
}
