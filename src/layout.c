/* layout.c — documents, pages, and Chinese text set into lines: font
 * fallback per character, ICU line breaking with the clreq prohibitions,
 * justification, the quarter em between Han and Latin, the GB/T 9704 grid. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hb.h>
#include <unicode/ubrk.h>
#include <unicode/utypes.h>

#include "jingsai.h"
#include "layout.h"
#include "device.h"

/* Body text: 28 characters of 3号 fill the 156 mm line exactly.  16 pt is
 * 5.644 mm, so 28 of them would need 158 mm; like the character grid of a
 * word processor we set each character in a cell of 156/28 mm, i.e. with a
 * tracking of 156/28 mm − 16 pt ≈ −0.207 pt. */
#define GRID_TRACK_PT (156.0 / 28 * PT_PER_MM - 16.0)

const struct text_style style_title = {
	"title", 22, ALIGN_CENTER, 0, 0, 0, 0x000000, 0, GRID_PITCH_PT, 0
};
const struct text_style style_body = {
	"body", 16, ALIGN_JUSTIFY, 2, 0, 0, 0x000000, 0, 0, GRID_TRACK_PT
};
const struct text_style style_heading1 = {
	"heading", 16, ALIGN_LEFT, 2, 0, 0, 0x000000, 0, 0, GRID_TRACK_PT
};
const struct text_style style_heading2 = {
	"kai", 16, ALIGN_LEFT, 2, 0, 0, 0x000000, 0, 0, GRID_TRACK_PT
};
const struct text_style style_caption = {
	"heading", 14, ALIGN_CENTER, 0, 0, 0, 0x000000, 6, 3, 0
};
const struct text_style style_table = {
	"table", 12, ALIGN_LEFT, 0, 16, 0, 0x000000, 0, 0, 0
};

/* ---- Documents ------------------------------------------------------------ */

struct doc *
doc_new(struct fontset *fs, const struct doc_setup *setup)
{
	struct doc *d = xcalloc(1, sizeof *d);
	struct doc_setup *s = &d->setup;
	UErrorCode err = U_ZERO_ERROR;

	d->fs = fs;
	if (setup != NULL)
		*s = *setup;
	if (s->page_w_mm <= 0 || s->page_h_mm <= 0) {
		s->page_w_mm = 210;
		s->page_h_mm = 297;
	}
	if (s->body_w_mm <= 0 || s->body_h_mm <= 0) {
		s->margin_top_mm = 37;
		s->margin_left_mm = 28;
		s->body_w_mm = 156;
		s->body_h_mm = 225;
	}
	if (s->first_numbered_page <= 0)
		s->first_numbered_page = 1;
	d->info[0] = s->title != NULL ? xstrdup(s->title) : NULL;
	d->info[1] = s->author != NULL ? xstrdup(s->author) : NULL;
	d->info[2] = s->subject != NULL ? xstrdup(s->subject) : NULL;
	d->info[3] = s->keywords != NULL ? xstrdup(s->keywords) : NULL;
	s->title = d->info[0];
	s->author = d->info[1];
	s->subject = d->info[2];
	s->keywords = d->info[3];
	d->dl.setup = s;
	d->dl.title = s->title;
	d->dl.author = s->author;
	d->dl.subject = s->subject;
	d->dl.keywords = s->keywords;
	d->dl.date = s->date;
	d->cur = -1;
	d->in_shared = -1;
	d->last_title = d->last_h1 = -1;
	d->keep_page = -1;
	d->reported = hb_set_create();
	d->brk = ubrk_open(UBRK_LINE, "zh", NULL, 0, &err);
	if (U_FAILURE(err))
		d->brk = NULL;
	return d;
}

static void
item_free(struct dl_item *it)
{
	free(it->glyphs);
	free(it->text);
	free(it->modules);
}

void
doc_free(struct doc *d)
{
	int p, i;

	if (d == NULL)
		return;
	for (p = 0; p < d->dl.npages; p++) {
		for (i = 0; i < d->dl.pages[p].nitems; i++)
			item_free(&d->dl.pages[p].items[i]);
		free(d->dl.pages[p].items);
	}
	free(d->dl.pages);
	for (p = 0; p < d->dl.nshared; p++) {
		for (i = 0; i < d->dl.shared[p].nitems; i++)
			item_free(&d->dl.shared[p].items[i]);
		free(d->dl.shared[p].items);
	}
	free(d->dl.shared);
	for (i = 0; i < d->dl.noutlines; i++)
		free(d->dl.outlines[i].title);
	free(d->dl.outlines);
	for (i = 0; i < 4; i++)
		free(d->info[i]);
	free(d->field);
	hb_set_destroy(d->reported);
	if (d->brk != NULL)
		ubrk_close(d->brk);
	free(d);
}

void
doc_field(struct doc *d, const char *label)
{
	free(d->field);
	d->field = label != NULL ? xstrdup(label) : NULL;
}

/* Appends an empty page of D's size to *PAGES (*N of them); returns its index. */
static int
page_append(const struct doc *d, struct dl_page **pages, int *n)
{
	struct dl_page *pg;

	/* room doubles at each power of two: a thousand pages are not a
	 * thousand copies of the array */
	if ((*n & (*n - 1)) == 0)
		*pages = xrealloc(*pages, (size_t)(*n ? 2 * *n : 1) * sizeof **pages);
	pg = &(*pages)[*n];
	memset(pg, 0, sizeof *pg);
	pg->w_mm = d->setup.page_w_mm;
	pg->h_mm = d->setup.page_h_mm;
	return (*n)++;
}

void
doc_new_page(struct doc *d)
{
	d->cur = page_append(d, &d->dl.pages, &d->dl.npages);
	d->y = d->setup.margin_top_mm;
}

struct dl_page *
doc_page(struct doc *d)
{
	if (d->in_shared >= 0)
		return &d->dl.shared[d->in_shared];
	if (d->cur < 0)
		doc_new_page(d);
	return &d->dl.pages[d->cur];
}

struct dl_item *
dl_add(struct doc *d, enum dl_kind kind, const char *tag)
{
	struct dl_page *pg = doc_page(d);
	struct dl_item *it;

	if (pg->nitems == pg->cap) {
		pg->cap = pg->cap ? pg->cap * 2 : 16;
		pg->items = xrealloc(pg->items, pg->cap * sizeof *pg->items);
	}
	it = &pg->items[pg->nitems++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->tag = tag;
	it->fill = -1;
	return it;
}

double
doc_body_bottom(const struct doc *d)
{
	return d->setup.margin_top_mm + d->setup.body_h_mm;
}

static int
at_page_top(const struct doc *d)
{
	return d->cur >= 0 && fabs(d->y - d->setup.margin_top_mm) < 1e-6;
}

/* Whether headings just set are still the last thing on the current page. */
static int
keep_valid(const struct doc *d)
{
	return d->keep_page >= 0 && d->keep_page == d->cur &&
	    d->dl.pages[d->cur].nitems == d->keep_to;
}

/* A new page for flowed content; headings that would otherwise end the page
 * move to the top of the new one (unless they already start their page). */
static void
flow_break(struct doc *d)
{
	struct dl_page *old, *pg;
	double shift, y = d->y;
	int n, i;

	if (!keep_valid(d) || fabs(d->keep_y - d->setup.margin_top_mm) < 1e-6) {
		d->keep_page = -1;
		doc_new_page(d);
		return;
	}
	doc_new_page(d);
	old = &d->dl.pages[d->keep_page];
	pg = &d->dl.pages[d->cur];
	shift = d->setup.margin_top_mm - d->keep_y;
	n = d->keep_to - d->keep_from;
	pg->cap = n > 64 ? n : 64;
	pg->items = xrealloc(pg->items, pg->cap * sizeof *pg->items);
	memcpy(pg->items, old->items + d->keep_from, n * sizeof *pg->items);
	pg->nitems = n;
	old->nitems = d->keep_from;
	for (i = 0; i < n; i++) {
		pg->items[i].y += shift;
		if (pg->items[i].kind == DL_LINE)
			pg->items[i].y2 += shift;
	}
	for (i = d->keep_outline; i < d->dl.noutlines; i++) {
		d->dl.outlines[i].page = d->cur;
		d->dl.outlines[i].y_mm += shift;
	}
	d->y = y + shift;
	d->keep_page = d->cur;
	d->keep_y = d->setup.margin_top_mm;
	d->keep_to = n;
	d->keep_from = 0;
}

int
doc_need(struct doc *d, double h_mm)
{
	doc_page(d);
	if (d->y + h_mm > doc_body_bottom(d) + 0.01 && !at_page_top(d)) {
		flow_break(d);
		return 1;
	}
	return 0;
}

double
doc_cursor_y(const struct doc *d)
{
	return d->cur < 0 ? d->setup.margin_top_mm : d->y;
}

int
doc_page_count(const struct doc *d)
{
	return d->dl.npages;
}

void
doc_page_break(struct doc *d)
{
	if (d->cur < 0 || d->dl.pages[d->cur].nitems > 0 || !at_page_top(d))
		doc_new_page(d);
}

void
doc_vspace(struct doc *d, double pt)
{
	doc_page(d);
	d->y += pt * MM_PER_PT;
	if (d->y > doc_body_bottom(d) + 0.01)
		flow_break(d);
}

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

static void
report_missing(struct doc *d, const char *role, uint32_t cp)
{
	struct buf ch = {0};

	d->missing++;
	if (hb_set_has(d->reported, cp))
		return;
	hb_set_add(d->reported, cp);
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

/* ---- Flowed content ------------------------------------------------------------ */

/* Sets TEXT in S across the 版心 at the cursor; returns the page and the y
 * of its first line in *PAGE and *Y. */
static void
flow(struct doc *d, const struct text_style *s, const char *text, int keep_next, int *page,
    double *y)
{
	double w = d->setup.body_w_mm, pitch_mm = style_pitch_pt(s) * MM_PER_PT;
	struct para *p;
	int i;

	doc_page(d);
	if (!at_page_top(d))
		d->y += s->space_before_pt * MM_PER_PT;
	p = para_make(d, s, 0, text, w, s->indent_chars * (s->size_pt + s->letter_spacing_pt));
	for (i = 0; i < p->nlines; i++) {
		int lines = 1;

		/* no first line alone at the bottom (a heading keeps a line of room
		 * after it), no last line alone at the top: a paragraph of two or
		 * three lines stays whole, a longer one leaves two behind */
		if (i == 0)
			lines = keep_next ? 2 : p->nlines <= 3 ? p->nlines : 2;
		else if (i == p->nlines - 2 && i >= 2)
			lines = 2;
		if (d->y + pitch_mm * lines > doc_body_bottom(d) + 0.01 && !at_page_top(d))
			flow_break(d);
		if (i == 0) {
			*page = d->cur;
			*y = d->y;
		}
		para_place_line(d, p, i, d->setup.margin_left_mm, d->y, w, "line");
		d->y += pitch_mm;
	}
	if (p->nlines == 0) {
		*page = d->cur;
		*y = d->y;
	}
	para_free(p);
	d->y += s->space_after_pt * MM_PER_PT;
}

static void
add_outline(struct doc *d, int level, const char *text, int page, double y)
{
	struct dl_outline *o;

	d->dl.outlines = xrealloc(d->dl.outlines, (d->dl.noutlines + 1) * sizeof *d->dl.outlines);
	o = &d->dl.outlines[d->dl.noutlines++];
	o->page = page;
	o->y_mm = y;
	o->level = level;
	o->title = xstrdup(text);
}

void
doc_paragraph(struct doc *d, const struct text_style *s, const char *text)
{
	int page;
	double y;

	flow(d, s, text, 0, &page, &y);
}

void
doc_title(struct doc *d, const char *text)
{
	int page;
	double y;

	flow(d, &style_title, text, 1, &page, &y);
	add_outline(d, 0, text, page, y);
}

void
doc_heading(struct doc *d, int level, const char *text)
{
	int page;
	double y;

	int chain = keep_valid(d), before = d->cur;
	int from = d->cur >= 0 ? d->dl.pages[d->cur].nitems : 0;

	flow(d, level <= 1 ? &style_heading1 : &style_heading2, text, 1, &page, &y);
	add_outline(d, level <= 1 ? 1 : 2, text, page, y);
	if (page != d->cur) {          /* a heading across pages: nothing to keep */
		d->keep_page = -1;
		return;
	}
	/* headings in a row move together; flow_break may have moved the
	 * earlier ones to this page already */
	if (!(chain && d->keep_page == page)) {
		d->keep_from = page == before ? from : 0;
		d->keep_y = y;
		d->keep_outline = d->dl.noutlines - 1;
	}
	d->keep_page = page;
	d->keep_to = d->dl.pages[d->cur].nitems;
}

void
doc_hrule(struct doc *d, double width_pt, unsigned color)
{
	struct dl_item *it;

	doc_need(d, width_pt * MM_PER_PT);
	it = dl_add(d, DL_LINE, "rule");
	it->x = d->setup.margin_left_mm;
	it->y = it->y2 = d->y + width_pt * MM_PER_PT / 2;
	it->x2 = d->setup.margin_left_mm + d->setup.body_w_mm;
	it->width_pt = width_pt;
	it->stroke = color;
	d->y += width_pt * MM_PER_PT;
}

void
doc_cover(struct doc *d, const char *title, const char *subtitle, const char *issuer,
    const char *date_text)
{
	struct text_style t = style_title, sub = style_heading2, foot = style_body;
	double left = d->setup.margin_left_mm, w = d->setup.body_w_mm;
	double h = d->setup.page_h_mm;

	if (d->cur < 0 || d->dl.pages[d->cur].nitems > 0)
		doc_new_page(d);
	t.size_pt = 26;
	t.line_pitch_pt = 40;
	sub.align = ALIGN_CENTER;
	sub.indent_chars = 0;
	foot.align = ALIGN_CENTER;
	foot.indent_chars = 0;
	if (title != NULL)
		doc_text_box(d, &t, left, h * 0.28, w, 0, BOX_WRAP, title);
	if (subtitle != NULL)
		doc_text_box(d, &sub, left, h * 0.45, w, 0, BOX_WRAP, subtitle);
	if (issuer != NULL)
		doc_text_box(d, &foot, left, h * 0.72, w, 0, 0, issuer);
	if (date_text != NULL)
		doc_text_box(d, &foot, left, h * 0.72 + 12, w, 0, 0, date_text);
	doc_new_page(d);
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

void
doc_line(struct doc *d, double x1_mm, double y1_mm, double x2_mm, double y2_mm, double width_pt,
    unsigned color)
{
	struct dl_item *it = dl_add(d, DL_LINE, "line");

	it->x = x1_mm;
	it->y = y1_mm;
	it->x2 = x2_mm;
	it->y2 = y2_mm;
	it->width_pt = width_pt;
	it->stroke = color;
}

void
doc_rect(struct doc *d, double x_mm, double y_mm, double w_mm, double h_mm, double width_pt,
    unsigned stroke, long fill)
{
	struct dl_item *it = dl_add(d, DL_RECT, "rect");

	it->x = x_mm;
	it->y = y_mm;
	it->w = w_mm;
	it->h = h_mm;
	it->width_pt = width_pt;
	it->stroke = stroke;
	it->fill = fill;
}

void
doc_circle(struct doc *d, double cx_mm, double cy_mm, double r_mm, double width_pt,
    unsigned stroke, long fill)
{
	struct dl_item *it = dl_add(d, DL_CIRCLE, "circle");

	it->x = cx_mm;
	it->y = cy_mm;
	it->w = r_mm;
	it->width_pt = width_pt;
	it->stroke = stroke;
	it->fill = fill;
}

/* A QR item of D, SIZE_MM square at X_MM, Y_MM, without its modules yet. */
static struct dl_item *
qr_item(struct doc *d, double x_mm, double y_mm, double size_mm)
{
	struct dl_item *it = dl_add(d, DL_QR, "qr");

	it->x = x_mm;
	it->y = y_mm;
	it->w = size_mm;
	return it;
}

void
doc_qr(struct doc *d, double x_mm, double y_mm, double size_mm, const unsigned char *modules,
    int width)
{
	struct dl_item *it = qr_item(d, x_mm, y_mm, size_mm);

	it->qr_width = width;
	it->modules = xmalloc((size_t)width * width);
	memcpy(it->modules, modules, (size_t)width * width);
}

void
doc_qr_later(struct doc *d, double x_mm, double y_mm, double size_mm, doc_qr_fetch fetch,
    void *arg, int index)
{
	struct dl_item *it = qr_item(d, x_mm, y_mm, size_mm);

	it->qr_fetch = fetch;
	it->qr_arg = arg;
	it->qr_index = index;
}

const unsigned char *
dl_qr_modules(const struct dl_item *it, int *width)
{
	if (it->modules != NULL || it->qr_fetch == NULL) {
		*width = it->qr_width;
		return it->modules;
	}
	*width = 0;
	return it->qr_fetch(it->qr_arg, it->qr_index, width);
}

int
doc_shared_begin(struct doc *d)
{
	return d->in_shared = page_append(d, &d->dl.shared, &d->dl.nshared);
}

void
doc_shared_end(struct doc *d)
{
	d->in_shared = -1;
}

void
doc_shared_place(struct doc *d, int n)
{
	if (d->in_shared < 0 && n >= 0 && n < d->dl.nshared)
		dl_add(d, DL_SHARED, "shared")->block = n;
}

/* ---- Output ------------------------------------------------------------ */

/* Page numbers "— N —", 4号, the dash 7 mm below the 版心; odd pages right,
 * even pages left, one character in from the edge of the 版心. */
static void
finish(struct doc *d)
{
	static const struct text_style num = {
		"number", 14, ALIGN_LEFT, 0, 0, 0, 0x000000, 0, 0, 0
	};
	int p, saved = d->cur;
	double saved_y = d->y;

	if (d->finished)
		return;
	d->finished = 1;
	if (!d->setup.page_numbers)
		return;
	for (p = d->setup.first_numbered_page - 1; p < d->dl.npages; p++) {
		int n = p - (d->setup.first_numbered_page - 1) + 1;
		char *s = xasprintf("— %d —", n);
		double size_mm = 14 * MM_PER_PT;
		/* line box top so that the dash (≈0.35 em above the baseline) sits 7 mm below */
		double base = doc_body_bottom(d) + 7 + 0.35 * size_mm;
		double top = base - ((style_pitch_pt(&num) - 14) / 2 + 0.88 * 14) * MM_PER_PT;

		d->cur = p;
		if (n % 2 == 1)
			doc_label(d, &num, d->setup.margin_left_mm + d->setup.body_w_mm - size_mm, top,
			    ALIGN_RIGHT, "folio", s);
		else
			doc_label(d, &num, d->setup.margin_left_mm + size_mm, top, ALIGN_LEFT, "folio", s);
		free(s);
	}
	d->cur = saved;
	d->y = saved_y;
}

int
doc_render_pdf(struct doc *d, struct buf *out)
{
	finish(d);
	if (d->missing > 0) {
		diag(DIAG_LAYOUT_NOT_WRITTEN, NULL, 0, 0,
		    d->setup.title != NULL ? d->setup.title : "document", d->missing);
		return -1;
	}
	if (d->dl.npages == 0)
		doc_new_page(d);
	return dev_pdf_render(&d->dl, out);
}

int
doc_write_pdf(struct doc *d, const char *path)
{
	struct buf out = {0};
	int rc;

	rc = doc_render_pdf(d, &out);
	if (rc == 0 && atomic_write(path, out.data, out.len) != 0) {
		diag(DIAG_IO_WRITE, path, 0, 0, strerror(errno));
		rc = -1;
	}
	buf_free(&out);
	return rc;
}

void
doc_write_dump(struct doc *d, FILE *fp)
{
	finish(d);
	dev_dump_render(&d->dl, fp);
}
