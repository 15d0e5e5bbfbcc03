/* layout_int.h — the layout's internals, shared by the files of the
 * typesetting core: the document being laid out and its pages (page.c),
 * text shaped and broken into lines (para.c), the flow (layout.c), tables
 * (table.c), charts (chart.c) and page furniture (furniture.c).  Each file
 * calls only those before it in that list, so none calls back.  Documents
 * use layout.h only. */
#ifndef LAYOUT_INT_H
#define LAYOUT_INT_H

#include <stdint.h>

#include "jingsai.h"
#include "dlist.h"
#include "layout.h"

struct UBreakIterator;

struct doc {
	struct fontset *fs;      /* borrowed */
	struct doc_setup setup;  /* defaults applied; strings point into info[] */
	char *info[4];           /* title, author, subject, keywords (owned) */
	struct dl_doc dl;
	int cur;                 /* current page (0-based), -1 before the first */
	int in_shared;           /* shared block being drawn (0-based), -1 none */
	double y;                /* cursor, mm from the page top */
	char *field;             /* what the text is, for errors (owned) */
	int missing;             /* characters that no font has */
	void *reported;          /* hb_set_t of code points already reported */
	void *brk;               /* UBreakIterator, reused */
	int finished;            /* page furniture added */
	int last_title, last_h1; /* outline parents */
	/* Keep-with-next: the headings just set (items [keep_from, keep_to) of
	 * page keep_page, top at keep_y, outlines from keep_outline on) move to
	 * the next page with what follows them when that does not fit.  Valid
	 * while nothing else has been added to the page; keep_page -1: none. */
	int keep_page, keep_from, keep_to, keep_outline;
	double keep_y;
};

/* A character being laid out. */
struct tg {
	uint32_t cp;
	struct jz_face *face;    /* NULL: not drawn (line feed, or no font has it) */
	unsigned gid;
	double adv;              /* natural advance, pt */
	double gap;              /* extra space before it, pt (¼ em Han/Latin, name spacing) */
	int brk;                 /* before it: 0 no break, 1 break allowed, 2 forced */
	int keep_gap;            /* the gap is a visible space (name spacing), not glyph width */
};

struct pline {
	int start, end;          /* glyphs [start, end) */
	double natural;          /* width in pt without trailing spaces */
	int last;                /* last line of the paragraph or before a forced break */
};

/* Shaped and broken text. */
struct para {
	const struct text_style *s;
	double size;             /* effective size (after shrinking) */
	double ls;               /* letter spacing, pt */
	int n;
	struct tg *g;
	int nlines;
	struct pline *lines;
	double first_indent_pt;
};

#define GRID_PITCH_PT (225.0 / 22 * PT_PER_MM)

/* para.c: the line pitch of S, pt (the grid's unless S sets one or is too large). */
double style_pitch_pt(const struct text_style *s);
/* Shapes TEXT in style S at SIZE (0: the style's) and breaks it into lines
 * of W_MM (no breaking but forced ones when W_MM <= 0).  The caller frees
 * with para_free. */
struct para *para_make(struct doc *d, const struct text_style *s, double size, const char *text,
    double w_mm, double indent_pt);
void para_free(struct para *p);
/* Emits line I of P with its line box top at Y_MM, in the column X_MM..+W_MM. */
void para_place_line(struct doc *d, const struct para *p, int i, double x_mm, double y_mm,
    double w_mm, const char *tag);
/* Text at a point: ALIGN relative to X_MM, baseline-centred line at Y_MM (top of line box). */
void doc_label(struct doc *d, const struct text_style *s, double x_mm, double y_mm,
    enum align align, const char *tag, const char *text);

/* page.c: the current page, made when there is none; an item added to it. */
struct dl_page *doc_page(struct doc *d);
struct dl_item *dl_add(struct doc *d, enum dl_kind kind, const char *tag);

/* layout.c: starts a new page and returns 1 when H_MM does not fit below the cursor. */
int doc_need(struct doc *d, double h_mm);

#endif
