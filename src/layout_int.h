/* layout_int.h — the layout's internals, shared by the files of the
 * typesetting core: the document being laid out and its pages (page.c),
 * where lines break and how wide they are (linebreak.c), text shaped and
 * set into lines (para.c), the flow (layout.c), tables (table.c), charts
 * (chart.c) and page furniture (furniture.c).  Each file calls only those
 * before it in that list, so none calls back (a table or chart that waits
 * for the next page is placed through the functions it left with the
 * flow, and the last rows of a table that go on with the signature are
 * reopened through those it left with the tail).  Documents use layout.h
 * only. */
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
	void *wbrk;              /* ICU's word UBreakIterator, made when first needed */
	int finished;            /* page furniture added */
	int last_title, last_h1; /* outline parents */
	/* Keep-with-next: the headings just set (items [keep_from, keep_to) of
	 * page keep_page, top at keep_y, and their outline entries) move to
	 * the next page with what follows them when that does not fit.  Valid
	 * while nothing else has been added to the page; keep_page -1: none. */
	int keep_page, keep_from, keep_to;
	double keep_y;
	/* Tables and charts waiting for the next page (floats), in order. */
	struct doc_float *floats;
	int nfloats;
	int placing;             /* a block is being placed: no float moves meanwhile */
	int unnumbered_from;     /* pages from this index on carry no number (版记 pages); 0: none */
	/* The tail of the flow: what was set on the current page, unit by unit
	 * (a line of a paragraph, a table's start or row, a chart), and where
	 * the page may break, so that what must keep with what comes before it
	 * (the signature) takes the last of it to a new page.  Cleared with
	 * every new page. */
	struct tail_unit *tail;
	int ntail;
	size_t tail_cap;
	struct tail_owner **owners;  /* what the units refer to (owned) */
	int nowners;
	size_t owners_cap;
	int tail_glue;           /* the next unit keeps with the one before (after a title or caption) */
	/* The signature block just set (issuer and date, then its 附注):
	 * items up to sig_end of page sig_page; sig_page -1: none. */
	int sig_page, sig_end;
};

/* A unit of the tail: it begins with item ITEM of the current page, its
 * top at Y.  BRK: the page may break before it (no heading kept with it,
 * no widow or orphan, no table rows stranded); WEIGHT: the lines of body it
 * counts for (a chart, a table's start: two; the signature: none).  OWNER:
 * what a page opening with it sets first (a table's 表N（续） and header),
 * NULL: nothing. */
struct tail_unit {
	int item;
	double y;
	int brk, weight;
	struct tail_owner *owner;
};
struct tail_owner {
	double reopen_mm;        /* the height of what reopen sets */
	void (*reopen)(struct doc *d, void *arg);
	void (*release)(void *arg);
	void *arg;
};

/* A table or chart that waits (a float): what places it, and what frees it. */
enum block_kind { BLOCK_TABLE, BLOCK_CHART };
struct doc_float {
	enum block_kind kind;
	void *block;                                  /* owned copy */
	void (*place)(struct doc *d, const void *block);
	void (*release)(void *block);
};

/* A character being laid out. */
struct tg {
	uint32_t cp;
	struct jz_face *face;    /* NULL: not drawn (line feed, or no font has it) */
	unsigned gid;
	double adv;              /* natural advance, pt */
	double gap;              /* extra space before it, pt (¼ em Han/Latin, name spacing) */
	int brk;                 /* before it: BRK_NO, BRK_PIECE, BRK_OK or BRK_HARD */
	int keep_gap;            /* the gap is a visible space (name spacing), not glyph width */
	/* full-width punctuation (0 for anything else, or with PUNCT_NONE) */
	float sl, sr;            /* blank that may go at its left / right, pt */
	float il, ir;            /* blank beside its ink, left / right, pt */
	float tl, tr;            /* removed for good by the adjacent-pair rule, pt */
};

/* Break opportunities before a character. */
enum {
	BRK_NO,                  /* never (clreq prohibitions, inside —— or ……) */
	BRK_PIECE,               /* inside an unbreakable piece: only when it is wider than the line */
	BRK_OK,                  /* allowed */
	BRK_HARD                 /* forced (line feed, U+2028) */
};

struct pline {
	int start, end;          /* glyphs [start, end) */
	double natural;          /* width in pt without trailing spaces, edge marks trimmed */
	double shrink;           /* how much punctuation compression may take off it, pt */
	int trim_start;          /* its first mark loses its left blank (line start) */
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
	int broken;              /* pieces broken inside because wider than the line */
	double penalty;          /* WRAP_TITLE: what its breaks cost (0: all at phrase boundaries) */
};

#define GRID_PITCH_PT (225.0 / 22 * PT_PER_MM)

/* Characters: a blank that a line may end in (and justification widen),
 * and a control character, neither drawn at a line's end. */
static inline int
lb_is_space(uint32_t c)
{
	return c == ' ' || c == 0x3000 || c == '\t';
}

static inline int
lb_is_control(uint32_t c)
{
	return c < 0x20 || c == 0x7F || c == 0x200B || c == 0x2028 || c == 0x2029;
}

/* linebreak.c: the end of P's glyphs [START, END) without the spaces and
 * controls that trail them. */
int lb_visible_end(const struct para *p, int start, int end);
/* Marks the break opportunities of P's glyphs (G[].brk), the
 * ¼ em gaps and what its punctuation may give up; U16 is P's text in UTF-16
 * (NU units), U2G maps a unit to its glyph (U2G[NU] = P->n). */
void lb_mark(struct doc *d, struct para *p, const unsigned short *u16, int nu, const int *u2g);
/* Breaks P (again) into lines of W_MM; only forced breaks when W_MM <= 0. */
void para_break(struct para *p, double w_mm);
/* P (broken at W_MM), when its last line holds one or two characters,
 * re-broken into as many lines of even length at the best word boundaries
 * (南通/经济技术/开发区, not 南通经济/技术开发/区); at most four lines. */
void para_even_lines(struct para *p, double w_mm);
/* Measures line LI of P again (after its glyphs' gaps changed). */
void para_line_measure(struct para *p, int li);
/* What line LI of P, set in AVAIL pt, removes left and right of each of
 * its glyphs (CL, CR indexed from the line's start): the pair rule, the
 * edges (a justified line: only as far as it needs), and the compression
 * that makes an overlong line fit (a mark pulled back). */
void para_line_cuts(const struct para *p, int li, double avail, float *cl, float *cr);
/* The widest piece of P that no line break may split (a word, a name, a
 * number with its unit), and P's widest line when only forced breaks are
 * taken; pt, with punctuation at the edges trimmed.  What a table column
 * needs at least, and what it would take to set every cell on one line. */
double para_min_width(const struct para *p);
double para_max_width(const struct para *p);

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
/* page.c: the tail emptied (its owners released), as a new page does. */
void doc_tail_clear(struct doc *d);
/* page.c: OWNER (made by the caller, owned from now on) kept until the
 * tail is cleared; returns it. */
struct tail_owner *doc_tail_own(struct doc *d, struct tail_owner *owner);

/* layout.c: starts a new page and returns 1 when H_MM does not fit below the cursor. */
int doc_need(struct doc *d, double h_mm);
/* A block whose beginning needs START_MM and which takes WHOLE_MM in all,
 * and could be up to SQUEEZE_MM shorter (a chart), is about to be set.
 * Returns -1 when it should wait (give it to doc_float_add), else it is to
 * be set now (the waiting blocks it may not pass set first): the
 * millimetres it is to give up to fit the page, 0 when none (it fits, or it
 * goes to the next page). */
double doc_block_begin(struct doc *d, enum block_kind kind, double start_mm, double whole_mm,
    double squeeze_mm, int pinned);
/* A unit of the tail begins at item ITEM of the current page, its top at
 * Y_MM (see struct tail_unit); BRK is cleared when headings kept with what
 * follows them stand just before it. */
void doc_tail_add(struct doc *d, int item, double y_mm, int brk, int weight,
    struct tail_owner *owner);
/* Whether headings just set are the last thing on the current page. */
int doc_keeping_headings(const struct doc *d);
/* H_MM must be set on the page of what comes before it (the signature and
 * its 附注, GB/T 9704 §7.3.5): when it does not fit below the cursor, the
 * last units of the page from the latest break that carries at least two
 * lines of body (one when none does) go to a new page, reopened by their
 * owner, and H_MM follows them there; when nothing may go, a new page.
 * Returns 1 when the cursor went to a new page. */
int doc_keep_with_previous(struct doc *d, double h_mm);
/* A paragraph of the signature block, its lines tagged TAG: units that
 * no page break may come before. */
void doc_signature_line(struct doc *d, const struct text_style *s, const char *text,
    const char *tag);
/* BLOCK (a copy, owned from now on) waits for the next page; PLACE sets
 * it there (with D->placing raised), RELEASE frees it. */
void doc_float_add(struct doc *d, enum block_kind kind, void *block,
    void (*place)(struct doc *d, const void *block), void (*release)(void *block));

#endif
