/* device.h — the display list the layout builds, the font faces it points
 * to, and the device interface that renders it (PDF or layout dump).
 *
 * Internal to the typesetting core (fonts.c, layout.c, table.c, chart.c,
 * dev_pdf.c, dev_dump.c); documents use layout.h only. */
#ifndef DEVICE_H
#define DEVICE_H

#include <stdint.h>
#include <stdio.h>

#include "layout.h"

#define MM_PER_PT (25.4 / 72.0)
#define PT_PER_MM (72.0 / 25.4)

/* ---- Font faces (fonts.c) ----------------------------------------------- */
struct jz_face;

/* Finds the font of ROLE's chain that has code point CP.  Returns 0 and sets
 * *FACE and *GID, or -1 when no font of the chain has it.  An unknown role
 * uses the chain of "body" (after one warning). */
int fontset_lookup(struct fontset *fs, const char *role, long cp,
    struct jz_face **face, unsigned *gid);
/* Advance of GID in em, truncated to 1/1000 em the way the PDF /W array has it. */
double face_advance_em(struct jz_face *f, unsigned gid);
/* The blank beside the ink of GID, in em, left and right of it within its
 * advance (0 when it has no outline).  Punctuation adjustment removes only
 * blank, never ink, whatever side of its em a font puts a mark on. */
void face_blanks_em(struct jz_face *f, unsigned gid, double *left, double *right);
/* The PostScript name of the face (for the dump and errors). */
const char *face_name(const struct jz_face *f);
/* A stable number of the face within its fontset (dump, ordering). */
int face_id(const struct jz_face *f);

/* Subsets F to the code points CPS[0..N) (each must be covered by F) and
 * appends to OUT a TrueType font whose only cmap (3,1, format 4) maps
 * CODES[i] to the glyph of CPS[i] (GIDS[i] in the subset).  Codes are the
 * glyph ids when no two code points share a glyph, else 0x20 + the rank of
 * the new glyph id; small and BMP either way.  Returns 0, or -1 after a
 * diagnostic. */
int face_subset(struct jz_face *f, const uint32_t *cps, int n, uint16_t *codes, uint16_t *gids,
    struct buf *out);

/* ---- Display list -------------------------------------------------------- */
enum dl_kind {
	DL_LINEBOX,   /* a laid-out line (dump only): x, y, w, h, text */
	DL_RUN,       /* glyphs of one face at one size with uniform spacing */
	DL_LINE,      /* x, y → x2, y2 */
	DL_RECT,      /* x, y, w, h */
	DL_CIRCLE,    /* centre x, y, radius w */
	DL_QR,        /* x, y, size w; modules */
	DL_SHARED     /* shared block number `block` (dl_doc.shared) drawn here */
};

struct dl_glyph {
	uint32_t cp;             /* the character (what the text extracts to) */
	uint16_t gid;            /* glyph id in the full font */
	float adv_pt;            /* natural advance at the run's size */
	uint16_t extra;          /* extra advance after it, 1/1000 em (¼ em, name spacing) */
};
#define DL_EXTRA_MAX 2047

struct dl_item {
	enum dl_kind kind;
	const char *tag;         /* what it is, for the dump: "text", "cell", "bar", "axis" ... */
	double x, y, w, h;       /* mm from the top-left corner (RUN: baseline start) */
	double x2, y2;           /* LINE end */
	double width_pt;         /* stroke width (0: none) */
	unsigned stroke;         /* 0xRRGGBB */
	long fill;               /* < 0: none */
	/* RUN */
	struct jz_face *face;
	double size_pt;
	double spacing_pt;       /* extra space after every glyph (PDF Tc) */
	int bold;                /* fake bold: fill + stroke */
	int nglyphs;
	struct dl_glyph *glyphs; /* owned */
	/* LINEBOX: the text of the line (owned) */
	char *text;
	/* QR */
	int qr_width;
	unsigned char *modules;  /* owned, qr_width² bytes; NULL: see dl_qr_modules */
	const unsigned char *(*qr_fetch)(void *arg, int index, int *width);
	void *qr_arg;
	int qr_index;
	/* SHARED */
	int block;
};

/* The modules of the QR item IT and their width (*WIDTH), fetched when
 * they were still being made at layout; NULL for no code. */
const unsigned char *dl_qr_modules(const struct dl_item *it, int *width);

struct dl_page {
	double w_mm, h_mm;
	int nitems, cap;
	struct dl_item *items;
};

struct dl_outline {
	int page;                /* 0-based */
	double y_mm;
	int level;               /* 0 title, 1, 2 */
	char *title;             /* owned */
};

/* The document as the devices see it (read-only for them). */
struct dl_doc {
	int npages;
	struct dl_page *pages;
	int noutlines;
	struct dl_outline *outlines;
	int nshared;
	struct dl_page *shared;  /* shared blocks: items as on a page, placed by DL_SHARED */
	const struct doc_setup *setup;
	const char *title, *author, *subject, *keywords;
	long long date;
};

/* ---- Layout internals (layout.c; used by table.c and chart.c) ---------- */
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
	 * page keep_page, top at keep_y, outlines from keep_outline on) move to
	 * the next page with what follows them when that does not fit.  Valid
	 * while nothing else has been added to the page; keep_page -1: none. */
	int keep_page, keep_from, keep_to, keep_outline;
	double keep_y;
	/* Tables and charts waiting for the next page (floats), owned copies. */
	struct doc_float *floats;
	int nfloats;
	int placing;             /* a block is being placed: no float moves meanwhile */
};

/* Floats (layout.c; tables and charts in the flow). */
enum block_kind { BLOCK_TABLE, BLOCK_CHART };
struct doc_float {
	enum block_kind kind;
	struct table *table;     /* owned; NULL for a chart */
	struct chart *chart;     /* owned (chart_copy); NULL for a table */
};
/* A block whose beginning needs START_MM and which takes WHOLE_MM in all is
 * about to be set: returns 1 to set it now (waiting blocks set first when
 * it may not pass them), 0 when it should wait (doc_float_add a copy). */
int doc_block_begin(struct doc *d, enum block_kind kind, double start_mm, double whole_mm,
    int pinned);
/* Takes T or C (copies, owned from now on) as a waiting block. */
void doc_float_add(struct doc *d, enum block_kind kind, struct table *t, struct chart *c);
/* table.c, chart.c: copies for a block that waits, and their release. */
struct table *table_copy(const struct table *t);
struct chart *chart_copy(const struct chart *c);
void chart_copy_free(struct chart *c);

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

double style_pitch_pt(const struct text_style *s);
/* Shapes TEXT in style S at SIZE (0: the style's) and breaks it into lines
 * of W_MM (no breaking but forced ones when W_MM <= 0).  The caller frees
 * with para_free. */
struct para *para_make(struct doc *d, const struct text_style *s, double size, const char *text,
    double w_mm, double indent_pt);
void para_free(struct para *p);
/* linebreak.c: marks the break opportunities of P's glyphs (G[].brk), the
 * ¼ em gaps and what its punctuation may give up; U16 is P's text in UTF-16
 * (NU units), U2G maps a unit to its glyph (U2G[NU] = P->n). */
void lb_mark(struct doc *d, struct para *p, const unsigned short *u16, int nu, const int *u2g);
/* Measures line LI of P again (after its glyphs' gaps changed). */
void para_line_measure(struct para *p, int li);
/* What line LI of P, set in AVAIL pt, removes left and right of each of
 * its glyphs (CL, CR indexed from the line's start): the pair rule, the
 * edges, and the compression that makes an overlong line fit. */
void para_line_cuts(const struct para *p, int li, double avail, float *cl, float *cr);
/* Breaks P again into lines of W_MM (after para_make with another width). */
void para_break(struct para *p, double w_mm);
/* The widest piece of P that no line break may split (a word, a name, a
 * number with its unit), and P's widest line when only forced breaks are
 * taken; pt, with punctuation at the edges trimmed.  What a table column
 * needs at least, and what it would take to set every cell on one line. */
double para_min_width(const struct para *p);
double para_max_width(const struct para *p);
/* Emits line I of P with its line box top at Y_MM, in the column X_MM..+W_MM. */
void para_place_line(struct doc *d, const struct para *p, int i, double x_mm, double y_mm,
    double w_mm, const char *tag);
/* The current page, made when there is none. */
struct dl_page *doc_page(struct doc *d);
struct dl_item *dl_add(struct doc *d, enum dl_kind kind, const char *tag);
/* Bottom of the 版心, mm from the top; starts a new page and returns 1 when
 * H_MM does not fit below the cursor. */
double doc_body_bottom(const struct doc *d);
int doc_need(struct doc *d, double h_mm);
/* Text at a point: ALIGN relative to X_MM, baseline-centred line at Y_MM (top of line box). */
void doc_label(struct doc *d, const struct text_style *s, double x_mm, double y_mm,
    enum align align, const char *tag, const char *text);

/* ---- Devices ------------------------------------------------------------ */
/* A device renders a finished display list.  Returns 0, or -1 after a
 * diagnostic. */
int dev_pdf_render(const struct dl_doc *dl, struct buf *out);
void dev_dump_render(const struct dl_doc *dl, FILE *fp);

#endif
