/* layout.c — the flow: headings, paragraphs and rules set one after another
 * down the 版心 in the GB/T 9704 styles, pages broken so that a heading keeps
 * with what follows it and no line is left alone, the outline, the page
 * numbers, and the finished document handed to a device. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jingsai.h"
#include "layout.h"
#include "layout_int.h"
#include "device.h"

/* Body text: 28 characters of 3号 fill the 156 mm line exactly.  16 pt is
 * 5.644 mm, so 28 of them would need 158 mm; like the character grid of a
 * word processor we set each character in a cell of 156/28 mm, i.e. with a
 * tracking of 156/28 mm − 16 pt ≈ −0.207 pt. */
#define GRID_TRACK_PT (156.0 / 28 * PT_PER_MM - 16.0)

const struct text_style style_title = {
	"title", 22, ALIGN_CENTER, 0, 0, 0, 0x000000, 0, GRID_PITCH_PT, 0, WRAP_TITLE
};
const struct text_style style_body = {
	"body", 16, ALIGN_JUSTIFY, 2, 0, 0, 0x000000, 0, 0, GRID_TRACK_PT, WRAP_CHARS
};
const struct text_style style_heading1 = {
	"heading", 16, ALIGN_LEFT, 2, 0, 0, 0x000000, 0, 0, GRID_TRACK_PT, WRAP_CHARS
};
const struct text_style style_heading2 = {
	"kai", 16, ALIGN_LEFT, 2, 0, 0, 0x000000, 0, 0, GRID_TRACK_PT, WRAP_CHARS
};
const struct text_style style_caption = {
	"heading", 14, ALIGN_CENTER, 0, 0, 0, 0x000000, 6, 3, 0, WRAP_WORDS
};
const struct text_style style_table = {
	"table", 12, ALIGN_LEFT, 0, 15, 0, 0x000000, 0, 0, 0, WRAP_WORDS
};

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

static void floats_place(struct doc *d);

/* Items [FROM, end) of page OLD appended to the current page, moved down by
 * SHIFT mm, and the outline entries that point at them from y FROM_Y on. */
static void
move_items(struct doc *d, int old, int from, double from_y, double shift)
{
	struct dl_page *src = &d->dl.pages[old], *pg = &d->dl.pages[d->cur];
	int n = src->nitems - from, i;

	if (pg->cap < (size_t)(pg->nitems + n)) {
		pg->cap = pg->nitems + n > 64 ? (size_t)(pg->nitems + n) : 64;
		pg->items = xrealloc(pg->items, pg->cap * sizeof *pg->items);
	}
	memcpy(pg->items + pg->nitems, src->items + from, n * sizeof *pg->items);
	src->nitems = from;
	for (i = pg->nitems; i < pg->nitems + n; i++) {
		pg->items[i].y += shift;
		if (pg->items[i].kind == DL_LINE)
			pg->items[i].y2 += shift;
	}
	pg->nitems += n;
	for (i = 0; i < d->dl.noutlines; i++)
		if (d->dl.outlines[i].page == old && d->dl.outlines[i].y_mm >= from_y - 1e-6) {
			d->dl.outlines[i].page = d->cur;
			d->dl.outlines[i].y_mm += shift;
		}
}

/* A new page for flowed content; headings that would otherwise end the page
 * move to the top of the new one (unless they already start their page). */
static void
flow_break(struct doc *d)
{
	double shift, y = d->y;
	int n;

	if (!keep_valid(d) || fabs(d->keep_y - d->setup.margin_top_mm) < 1e-6) {
		d->keep_page = -1;
		doc_new_page(d);
		/* blocks that did not fit on the page just filled open the new one */
		if (d->nfloats > 0 && !d->placing)
			floats_place(d);
		return;
	}
	doc_new_page(d);
	shift = d->setup.margin_top_mm - d->keep_y;
	n = d->keep_to - d->keep_from;
	move_items(d, d->keep_page, d->keep_from, d->keep_y, shift);
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
	doc_float_barrier(d);
	if (d->cur < 0 || d->dl.pages[d->cur].nitems > 0 || !at_page_top(d))
		doc_new_page(d);
}

/* A table's caption, header row and first rows take about this much room. */
#define KEEP_WITH_TABLE_MM 50.0

void
doc_keep_for_table(struct doc *d)
{
	if (doc_body_bottom(d) - doc_cursor_y(d) < KEEP_WITH_TABLE_MM)
		doc_page_break(d);
}

void
doc_vspace(struct doc *d, double pt)
{
	doc_float_barrier(d);
	doc_page(d);
	d->y += pt * MM_PER_PT;
	if (d->y > doc_body_bottom(d) + 0.01)
		flow_break(d);
}

/* ---- Flowed content ------------------------------------------------------------ */

/* How a paragraph's lines join the tail: as body, or as the signature
 * block (no break before them, no line of body). */
enum flow_unit { UNIT_BODY, UNIT_SIGNATURE };

/* Sets TEXT in S across the 版心 at the cursor, its lines tagged TAG;
 * returns the page and the y of its first line in *PAGE and *Y. */
static void
flow(struct doc *d, const struct text_style *s, const char *text, int keep_next,
    enum flow_unit unit, const char *tag, int *page, double *y)
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
		/* the same rules say where the page may break later */
		if (!d->placing && unit == UNIT_BODY)
			doc_tail_add(d, d->dl.pages[d->cur].nitems, d->y,
			    i == 0 || (i >= 2 && p->nlines - i >= 2), 1, NULL);
		else if (!d->placing)
			doc_tail_add(d, d->dl.pages[d->cur].nitems, d->y, 0, 0, NULL);
		para_place_line(d, p, i, d->setup.margin_left_mm, d->y, w, tag);
		d->y += pitch_mm;
	}
	if (p->nlines == 0) {
		*page = d->cur;
		*y = d->y;
	}
	para_free(p);
	d->y += s->space_after_pt * MM_PER_PT;
	if (unit == UNIT_SIGNATURE) {
		d->sig_page = d->cur;
		d->sig_end = d->dl.pages[d->cur].nitems;
	}
}

/* The height of TEXT set in S by flow below the cursor, on one page. */
static double
flow_height(struct doc *d, const struct text_style *s, const char *text)
{
	struct para *p = para_make(d, s, 0, text, d->setup.body_w_mm,
	    s->indent_chars * (s->size_pt + s->letter_spacing_pt));
	double h = s->space_before_pt * MM_PER_PT + p->nlines * style_pitch_pt(s) * MM_PER_PT;

	para_free(p);
	return h;
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

	/* a paragraph just after the date is its 附注 (GB/T 9704 §7.3.6),
	 * kept on the date's page */
	if (d->sig_page >= 0 && d->sig_page == d->cur && d->dl.pages[d->cur].nitems == d->sig_end) {
		doc_keep_with_previous(d, flow_height(d, s, text));
		flow(d, s, text, 0, UNIT_SIGNATURE, "note", &page, &y);
		return;
	}
	flow(d, s, text, 0, UNIT_BODY, "line", &page, &y);
	/* a caption in the flow (a table with no rows says so below it) keeps
	 * with what follows it when the page breaks later */
	if (s == &style_caption && !d->placing)
		d->tail_glue = 1;
}

void
doc_signature_line(struct doc *d, const struct text_style *s, const char *text, const char *tag)
{
	int page;
	double y;

	flow(d, s, text, 0, UNIT_SIGNATURE, tag, &page, &y);
}

void
doc_title(struct doc *d, const char *text)
{
	int page;
	double y;

	doc_float_barrier(d);
	flow(d, &style_title, text, 1, UNIT_BODY, "line", &page, &y);
	add_outline(d, 0, text, page, y);
	d->tail_glue = 1;           /* the title keeps with what follows it */
}

void
doc_heading(struct doc *d, int level, const char *text)
{
	int page;
	double y;

	int chain, before, from;

	doc_float_barrier(d);
	chain = keep_valid(d);
	before = d->cur;
	from = d->cur >= 0 ? d->dl.pages[d->cur].nitems : 0;

	flow(d, level <= 1 ? &style_heading1 : &style_heading2, text, 1, UNIT_BODY, "line", &page,
	    &y);
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
	}
	d->keep_page = page;
	d->keep_to = d->dl.pages[d->cur].nitems;
}

void
doc_hrule(struct doc *d, double width_pt, unsigned color)
{
	struct dl_item *it;

	doc_float_barrier(d);
	doc_need(d, width_pt * MM_PER_PT);
	it = dl_add(d, DL_LINE, "rule");
	it->x = d->setup.margin_left_mm;
	it->y = it->y2 = d->y + width_pt * MM_PER_PT / 2;
	it->x2 = d->setup.margin_left_mm + d->setup.body_w_mm;
	it->width_pt = width_pt;
	it->stroke = color;
	d->y += width_pt * MM_PER_PT;
}

/* ---- The tail: what keeps with what comes before it --------------------- */

int
doc_keeping_headings(const struct doc *d)
{
	return keep_valid(d);
}

void
doc_tail_add(struct doc *d, int item, double y_mm, int brk, int weight,
    struct tail_owner *owner)
{
	struct tail_unit *u;

	d->tail = xgrow(d->tail, d->ntail, &d->tail_cap, 64, sizeof *d->tail);
	u = &d->tail[d->ntail++];
	u->item = item;
	u->y = y_mm;
	u->brk = brk && !keep_valid(d) && !d->tail_glue;
	u->weight = weight;
	u->owner = owner;
	d->tail_glue = 0;
}

/* The latest unit of the tail where the page may break so that what
 * follows it, reopened, and H_MM more fit on a new page, carrying at least
 * LINES of body; -1: none. */
static int
tail_break(const struct doc *d, double h_mm, int lines)
{
	const double top = d->setup.margin_top_mm, bottom = doc_body_bottom(d);
	int weight = 0;

	for (int i = d->ntail - 1; i >= 0; i--) {
		const struct tail_unit *u = &d->tail[i];
		double reopen = u->owner != NULL ? u->owner->reopen_mm : 0;

		weight += u->weight;
		if (!u->brk || u->item <= 0 || u->y <= top + 1e-6 || weight < lines)
			continue;
		if (top + reopen + (d->y - u->y) + h_mm <= bottom + 0.01)
			return i;
	}
	return -1;
}

int
doc_keep_with_previous(struct doc *d, double h_mm)
{
	struct tail_owner **owners;
	struct tail_unit u;
	int i, old, nowners, chain;
	double y;

	doc_page(d);
	chain = d->sig_page == d->cur && d->dl.pages[d->cur].nitems == d->sig_end;
	if (d->y + h_mm <= doc_body_bottom(d) + 0.01 || at_page_top(d))
		return 0;
	i = tail_break(d, h_mm, 2);
	if (i < 0)
		i = tail_break(d, h_mm, 1);
	if (i < 0)
		return doc_need(d, h_mm);
	/* the units from I on go to a new page: what they refer to is kept
	 * until they are there */
	u = d->tail[i];
	owners = d->owners;
	nowners = d->nowners;
	d->owners = NULL;
	d->nowners = 0;
	d->owners_cap = 0;
	old = d->cur;
	y = d->y;
	d->keep_page = -1;
	doc_new_page(d);
	if (u.owner != NULL) {
		d->placing++;
		u.owner->reopen(d, u.owner->arg);
		d->placing--;
	}
	move_items(d, old, u.item, u.y, d->y - u.y);
	d->y = y + (d->y - u.y);
	if (chain) {
		d->sig_page = d->cur;
		d->sig_end = d->dl.pages[d->cur].nitems;
	}
	for (int k = 0; k < nowners; k++) {
		owners[k]->release(owners[k]->arg);
		free(owners[k]);
	}
	free(owners);
	return 1;
}

/* ---- Floats ------------------------------------------------------------ */

/* A table or chart whose beginning does not fit below the cursor waits, as
 * LaTeX's figures do, and the paragraphs after it fill the page; it opens
 * the next page.  A heading, a page break, a rule, the end of the document
 * or doc_float_barrier place it first, so it never leaves its section; a
 * block of the other kind that fits whole may pass it, one of the same kind
 * never does, so tables and charts keep their numbering order. */

static void
floats_place(struct doc *d)
{
	int i, n = d->nfloats;
	struct doc_float *f = d->floats;

	d->floats = NULL;
	d->nfloats = 0;
	for (i = 0; i < n; i++) {
		d->placing++;
		f[i].place(d, f[i].block);
		f[i].release(f[i].block);
		d->placing--;
	}
	free(f);
}

void
doc_float_barrier(struct doc *d)
{
	if (d->nfloats > 0 && !d->placing)
		floats_place(d);
}

double
doc_block_begin(struct doc *d, enum block_kind kind, double start_mm, double whole_mm,
    double squeeze_mm, int pinned)
{
	double room;
	int same = 0;

	if (d->placing)
		return 0;
	doc_page(d);
	room = doc_body_bottom(d) - d->y;
	for (int i = 0; i < d->nfloats; i++)
		same |= d->floats[i].kind == kind;
	if (d->nfloats > 0) {
		if (!same && !pinned && whole_mm <= room + 0.01)
			return 0;           /* fits whole: passes the waiting block */
		floats_place(d);
		room = doc_body_bottom(d) - d->y;
	}
	if (start_mm <= room + 0.01)
		return 0;
	if (start_mm - squeeze_mm <= room + 0.01 && !at_page_top(d))
		return start_mm - room;     /* fits a little shorter */
	if (pinned || keep_valid(d) || at_page_top(d))
		return 0;
	return -1;
}

void
doc_float_add(struct doc *d, enum block_kind kind, void *block,
    void (*place)(struct doc *d, const void *block), void (*release)(void *block))
{
	d->floats = xrealloc(d->floats, (d->nfloats + 1) * sizeof *d->floats);
	d->floats[d->nfloats].kind = kind;
	d->floats[d->nfloats].block = block;
	d->floats[d->nfloats].place = place;
	d->floats[d->nfloats].release = release;
	d->nfloats++;
}

/* ---- Output ------------------------------------------------------------ */

/* Page numbers "— N —", 4号, the dash 7 mm below the 版心; odd pages right,
 * even pages left, one character in from the edge of the 版心. */
static void
finish(struct doc *d)
{
	static const struct text_style num = {
		"number", 14, ALIGN_LEFT, 0, 0, 0, 0x000000, 0, 0, 0, WRAP_CHARS
	};
	int p, saved = d->cur;
	double saved_y = d->y;

	if (d->finished)
		return;
	doc_float_barrier(d);
	d->finished = 1;
	if (!d->setup.page_numbers)
		return;
	for (p = d->setup.first_numbered_page - 1; p < d->dl.npages; p++) {
		if (d->unnumbered_from > 0 && p >= d->unnumbered_from)
			break;
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

const struct dl_doc *
doc_finish(struct doc *d)
{
	finish(d);
	return &d->dl;
}

int
doc_check(struct doc *d)
{
	finish(d);
	if (d->missing > 0) {
		diag(DIAG_LAYOUT_NOT_WRITTEN, NULL, 0, 0,
		    d->setup.title != NULL ? d->setup.title : _("document"), d->missing);
		return -1;
	}
	return 0;
}

int
doc_render(struct doc *d, const struct device *dev, struct buf *out)
{
	if (doc_check(d) != 0)
		return -1;
	if (d->dl.npages == 0)
		doc_new_page(d);
	return dev->render(&d->dl, out);
}
