/* dlist.h — the display list: a document as the layout leaves it (pages of
 * positioned glyph runs, rules, shapes and QR codes, shared blocks, the
 * outline) and as a device renders it (device.h).
 *
 * The layout (layout.c and the files of layout_int.h) builds it; devices
 * only read it.  Positions are millimetres from the top-left corner of the
 * page, sizes and line widths points, colours 0xRRGGBB. */
#ifndef DLIST_H
#define DLIST_H

#include <stdint.h>

#define MM_PER_PT (25.4 / 72.0)
#define PT_PER_MM (72.0 / 25.4)

struct jz_face;
struct doc_setup;

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
	int16_t extra;           /* advance added after it, 1/1000 em: the ¼ em before Latin,
	                            less what punctuation adjustment takes off */
};
#define DL_EXTRA_MAX 1023
#define DL_EXTRA_MIN (-1024)

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

struct dl_page {
	double w_mm, h_mm;
	int nitems;
	size_t cap;
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

/* Appends an empty page of W_MM × H_MM to *PAGES (*N of them, grown as
 * needed); returns its index. */
int dl_page_append(struct dl_page **pages, int *n, double w_mm, double h_mm);
/* Appends an item of KIND to PG, zeroed but for KIND, TAG (not copied:
 * a string constant) and no fill; returns it, valid until the next add. */
struct dl_item *dl_page_add(struct dl_page *pg, enum dl_kind kind, const char *tag);
/* Frees what DL owns (pages, shared blocks, items, outline), not the
 * strings of its document information, and empties it. */
void dl_doc_clear(struct dl_doc *dl);

/* Frees DL's pages (not its shared blocks or outline) and empties the list
 * of pages: a document written a page at a time. */
void dl_pages_clear(struct dl_doc *dl);

/* The modules of the QR item IT and their width (*WIDTH), fetched when
 * they were still being made at layout; NULL for no code. */
const unsigned char *dl_qr_modules(const struct dl_item *it, int *width);

#endif
