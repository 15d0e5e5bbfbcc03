/* para.c — Chinese text set into lines: font fallback per character, ICU
 * line breaking with the clreq prohibitions, justification, the quarter em
 * between Han and Latin, the GB/T 9704 grid; and text set in a box or at a
 * point (certificates, labels of charts, page numbers). */
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

static int
is_han(uint32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	    (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF) || c == 0x3007;
}

static int
is_latin_digit(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

static int
in_list(uint32_t c, const uint32_t *list)
{
	for (; *list != 0; list++)
		if (*list == c)
			return 1;
	return 0;
}

/* clreq "basic": characters that may not start a line ... */
static const uint32_t no_start[] = {
	0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F,  /* 、。，．：；！？ */
	0xFF09, 0x300B, 0x3009, 0x300D, 0x300F, 0x3011, 0x3015, 0x3017,  /* ）》〉」』】〕〗 */
	0x3019, 0x301B, 0xFF3D, 0xFF5D, 0x201D, 0x2019, 0x00B7, 0x30FB,  /* 〙〛］｝”’·・ */
	0x2030, 0xFF05, 0x2103, 0x203C, 0x2047, 0x2048, 0x2049,          /* ‰％℃‼⁇⁈⁉ */
	')', ']', '}', ',', '.', ':', ';', '!', '?', '%', 0
};
/* ... and that may not end one. */
static const uint32_t no_end[] = {
	0xFF08, 0x300A, 0x3008, 0x300C, 0x300E, 0x3010, 0x3014, 0x3016,  /* （《〈「『【〔〖 */
	0x3018, 0x301A, 0xFF3B, 0xFF5B, 0x201C, 0x2018,                  /* 〘〚［｛“‘ */
	'(', '[', '{', 0
};

static int
is_space(uint32_t c)
{
	return c == ' ' || c == 0x3000 || c == '\t';
}

static int
is_control(uint32_t c)
{
	return c < 0x20 || c == 0x7F || c == 0x200B;
}

/* A gap between A and B that justification may widen. */
static int
stretchable(uint32_t a, uint32_t b)
{
	if (is_space(a) || is_space(b))
		return 1;
	/* not inside Latin words and numbers such as 3,000,000 or 105.5% */
	return !(a < 0x250 && b < 0x250) &&
	    !((a == 0x2014 && b == 0x2014) || (a == 0x2026 && b == 0x2026));
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

/* Decodes and maps TEXT to glyphs; marks break opportunities.  Returns the
 * number of glyphs in *OUT (the caller frees). */
static int
shape(struct doc *d, const struct text_style *s, double size, const char *text, struct tg **out)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t len = strlen(text), off = 0;
	struct tg *g;
	UChar *u16;
	int *u2g;
	int n = 0, nu = 0, i;

	g = xcalloc(len + 1, sizeof *g);
	u16 = xmalloc((2 * len + 1) * sizeof *u16);
	u2g = xmalloc((2 * len + 2) * sizeof *u2g);
	while (off < len) {
		int adv;
		long cp = utf8_decode(p + off, len - off, &adv);

		if (cp < 0) {
			diag(DIAG_LAYOUT_BAD_UTF8, NULL, 0, 0, d->field != NULL ? d->field : "text",
			    (long)off);
			d->missing++;
			cp = 0xFFFD;
		}
		off += adv;
		if (cp == '\r')
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
		if (is_control((uint32_t)cp)) {
			g[n].face = NULL;
			g[n].adv = 0;
		} else if (fontset_lookup(d->fs, s->role, cp, &g[n].face, &g[n].gid) != 0) {
			report_missing(d, s->role, (uint32_t)cp);
			g[n].face = NULL;
			g[n].adv = size;
		} else
			g[n].adv = face_advance_em(g[n].face, g[n].gid) * size;
		n++;
	}
	u2g[nu] = n;

	/* Break opportunities: ICU's UAX #14 for zh ... */
	if (d->brk != NULL && nu > 0) {
		UErrorCode err = U_ZERO_ERROR;
		int32_t pos;

		ubrk_setText(d->brk, u16, nu, &err);
		if (U_SUCCESS(err)) {
			for (pos = ubrk_next(d->brk); pos != UBRK_DONE && pos < nu;
			    pos = ubrk_next(d->brk)) {
				int st = ubrk_getRuleStatus(d->brk);
				g[u2g[pos]].brk = st >= UBRK_LINE_HARD ? 2 : 1;
			}
		}
	} else {
		for (i = 1; i < n; i++)
			g[i].brk = 1;
	}
	/* ... then the clreq prohibitions, and the opening/closing quotes that
	 * ICU 72 treats as ambiguous but Chinese text breaks around. */
	for (i = 1; i < n; i++) {
		uint32_t a = g[i - 1].cp, b = g[i].cp;

		if (g[i].brk == 2)
			continue;
		if (g[i].brk == 0 && ((b == 0x201C || b == 0x2018) && (is_han(a) || in_list(a, no_start))))
			g[i].brk = 1;
		if (g[i].brk == 0 && ((a == 0x201D || a == 0x2019) && (is_han(b) || in_list(b, no_end))))
			g[i].brk = 1;
		if (in_list(b, no_start) || in_list(a, no_end) ||
		    (a == 0x2014 && b == 0x2014) || (a == 0x2026 && b == 0x2026))
			g[i].brk = 0;
		/* a quarter em between Han and Latin letters or digits */
		if ((is_han(a) && is_latin_digit(b)) || (is_latin_digit(a) && is_han(b)))
			g[i].gap = size / 4;
	}
	free(u16);
	free(u2g);
	*out = g;
	return n;
}

static double
cell(const struct para *p, int i)
{
	return p->g[i].adv + p->ls;
}

/* Width of glyphs [start, end) as a line: gaps inside, trailing spaces out. */
static double
line_width(const struct para *p, int start, int end)
{
	double w = 0;
	int i;

	while (end > start && (is_space(p->g[end - 1].cp) || is_control(p->g[end - 1].cp)))
		end--;
	for (i = start; i < end; i++)
		w += cell(p, i) + (i > start ? p->g[i].gap : 0);
	return w;
}

static void
add_line(struct para *p, int start, int end, int last)
{
	struct pline *l;

	p->lines = xrealloc(p->lines, (p->nlines + 1) * sizeof *p->lines);
	l = &p->lines[p->nlines++];
	l->start = start;
	l->end = end;
	l->last = last;
	l->natural = line_width(p, start, end);
}

/* Greedy filling: the longest line that fits and ends at an allowed break. */
static void
break_lines(struct para *p, double width_pt)
{
	int start = 0, n = p->n;

	while (start < n) {
		double avail = width_pt - (p->nlines == 0 ? p->first_indent_pt : 0);
		double w = 0;
		int j, last_ok = -1, end = n, hard = 0;

		for (j = start; j < n; j++) {
			double cw;

			if (j > start && p->g[j].brk == 2) {
				end = j;
				hard = 1;
				break;
			}
			if (j > start && p->g[j].brk >= 1)
				last_ok = j;
			cw = cell(p, j) + (j > start ? p->g[j].gap : 0);
			if (width_pt > 0 && w + cw > avail + 0.01 && !is_space(p->g[j].cp) &&
			    !is_control(p->g[j].cp)) {
				end = last_ok > start ? last_ok : (j > start ? j : start + 1);
				break;
			}
			w += cw;
		}
		add_line(p, start, end, hard || end >= n);
		start = end;
		/* spaces after a soft break do not begin the next line */
		if (!hard)
			while (start < n && is_space(p->g[start].cp))
				start++;
	}
}

static void balance(struct para *p, double width_pt);

struct para *
para_make(struct doc *d, const struct text_style *s, double size, const char *text,
    double w_mm, double indent_pt)
{
	struct para *p = xcalloc(1, sizeof *p);

	p->s = s;
	p->size = size > 0 ? size : s->size_pt;
	p->ls = s->letter_spacing_pt;
	p->first_indent_pt = indent_pt;
	p->n = shape(d, s, p->size, text != NULL ? text : "", &p->g);
	break_lines(p, w_mm > 0 ? w_mm * PT_PER_MM : 0);
	if (w_mm > 0)
		balance(p, w_mm * PT_PER_MM);
	return p;
}

/* Centred text of several lines (titles) reads better with lines of even
 * length: re-break at the narrowest width that needs no more lines. */
static void
balance(struct para *p, double width_pt)
{
	int want = p->nlines, k;
	double lo, hi, total = 0;

	if (p->s->align != ALIGN_CENTER || want < 2)
		return;
	for (k = 0; k < p->nlines; k++)
		total += p->lines[k].natural;
	lo = total / want;
	hi = width_pt;
	for (k = 0; k < 12; k++) {
		double mid = (lo + hi) / 2;

		p->nlines = 0;
		break_lines(p, mid);
		if (p->nlines > want)
			lo = mid;
		else
			hi = mid;
	}
	p->nlines = 0;
	break_lines(p, hi);
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
emit_run(struct doc *d, const struct para *p, const double *xs, const uint16_t *ex, int x0,
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
	double avail = width - indent, off = indent, extra = 0, x, pitch, base_mm;
	double *xs;
	uint16_t *ex;            /* extra advance after each glyph, 1/1000 em */
	int end = l->end, i, nstretch = 0, run;
	enum align al = p->s->align;
	struct dl_item *box;
	struct buf text = {0};

	while (end > l->start && (is_space(p->g[end - 1].cp) || is_control(p->g[end - 1].cp)))
		end--;
	if (al == ALIGN_JUSTIFY) {
		for (i = l->start + 1; i < end; i++)
			nstretch += stretchable(p->g[i - 1].cp, p->g[i].cp);
		if (!l->last && nstretch > 0 && avail > l->natural)
			extra = (avail - l->natural) / nstretch;
	} else if (al == ALIGN_CENTER)
		off += (avail - l->natural) / 2;
	else if (al == ALIGN_RIGHT)
		off += avail - l->natural;

	/* A gap before a character (the ¼ em) widens the character
	 * before it: the PDF gets a variant of that glyph with a wider /W entry,
	 * so text extraction sees no hole and adds no space. */
	xs = xmalloc((end - l->start + 1) * sizeof *xs);
	ex = xcalloc(end - l->start + 1, sizeof *ex);
	for (i = l->start + 1; i < end; i++)
		if (p->g[i].gap > 0 && p->g[i - 1].face != NULL && !p->g[i].keep_gap) {
			long units = lround(p->g[i].gap * 1000 / p->size);

			if (units > 0 && units <= DL_EXTRA_MAX)
				ex[i - 1 - l->start] = (uint16_t)units;
		}
	x = off;
	for (i = l->start; i < end; i++) {
		if (i > l->start) {
			uint16_t e = ex[i - 1 - l->start];

			x += e > 0 ? e * p->size / 1000 : p->g[i].gap;
			if (extra > 0 && stretchable(p->g[i - 1].cp, p->g[i].cp))
				x += extra;
		}
		xs[i - l->start] = x;
		x += cell(p, i);
	}
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
		if (!is_control(p->g[i].cp) && !is_space(p->g[i].cp))
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
		p->lines[0].natural = line_width(p, 0, p->n);
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
			p->lines[0].natural = line_width(p, 0, p->n);
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
