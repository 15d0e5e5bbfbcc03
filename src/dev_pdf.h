/* dev_pdf.h — the PDF device's own state, shared by its files: the pages
 * drawn with libharu (dev_pdf.c), the fonts embedded (pdf_font.c), and the
 * writer that makes the same bytes directly (pdf_write.c, which takes the
 * codes of characters, KEY, the units and the subset of each face from
 * here, so that the two cannot drift apart).  Nothing else includes it. */
#ifndef DEV_PDF_H
#define DEV_PDF_H

#include <math.h>
#include <stdint.h>

#include <hb.h>
#include <hpdf.h>

#include "jingsai.h"
#include "dlist.h"

struct jz_face;

/* A character and its extra advance: one code of the subset font each. */
#define KEY(cp, extra) ((uint32_t)(cp) | ((uint32_t)(extra) & 0x7FF) << 21)
#define KEY_CP(key) ((key) & 0x1FFFFF)
/* the extra back from its 11 bits, signed (DL_EXTRA_MIN … DL_EXTRA_MAX) */
#define KEY_EXTRA(key) ((int)(((key) >> 21) ^ 0x400) - 0x400)

/* Millimetres of the display list as points of the page. */
static inline double
px(double mm)
{
	return mm * PT_PER_MM;
}

/* A position or length in points as the content stream has it: to 0.01 pt
 * (3.5 µm), which libharu then writes with two decimals instead of five.
 * dev_pdf.c gives libharu these and pdf_write.c writes them, alike. */
static inline HPDF_REAL
pt(double v)
{
	return (HPDF_REAL)(round(v * 100) / 100);
}

/* V as four upper-case hex digits (what printf's %04X gives, without it:
 * a certificate has a few hundred of them). */
static inline void
put_hex4(struct buf *b, unsigned v)
{
	static const char digits[] = "0123456789ABCDEF";
	char s[4] = {digits[(v >> 12) & 15], digits[(v >> 8) & 15], digits[(v >> 4) & 15], digits[v & 15]};

	buf_add(b, s, 4);
}

/* A face as used by one document. */
struct used {
	struct jz_face *face;
	hb_set_t *keys;          /* KEY(cp, extra) of the characters drawn with it */
	hb_map_t *gid;           /* key → glyph id in the full font */
	hb_map_t *code;          /* key → code in the subset font */
	HPDF_Font font;
};

struct pdfctx {
	const struct dl_doc *dl;
	int *uses;               /* pages each shared block is drawn on */
	HPDF_Dict *forms;        /* its form XObject, once made */
	HPDF_Doc pdf;
	HPDF_STATUS error, detail;
	int nused;
	struct used *used;
};

/* Keeps the first libharu error of the document in C. */
static inline void
pdf_error(struct pdfctx *c, HPDF_STATUS error, HPDF_STATUS detail)
{
	if (c->error == 0) {
		c->error = error;
		c->detail = detail;
	}
}

/* ---- pdf_font.c ---- */
/* A code of a subset font: the character it stands for, its width and
 * its glyph. */
struct pdf_coded {
	uint16_t code;
	uint16_t gid;            /* the glyph in the subset */
	uint32_t cp;
	unsigned width;          /* 1/1000 em, the extra of its key included */
};

/* A face subset to the characters one document draws with it: what both
 * writers of the PDF device (libharu's in pdf_font.c, pdf_write.c's)
 * embed, so that they write the same font, map and ToUnicode CMap. */
struct pdf_subset {
	struct buf font;         /* the subset font file, as HarfBuzz made it */
	struct pdf_coded *codes; /* its codes, sorted */
	int n;
	int identity;            /* every code is its glyph: no CIDToGIDMap */
};

/* Subsets FACE to the characters KEYS (KEY(cp, extra); GID: key → glyph
 * in the full font) into S, and sets CODE: key → code in the subset.
 * Returns 0 (free S with pdf_subset_free), or -1 after a diagnostic
 * (S holds nothing). */
int pdf_subset_make(struct jz_face *face, hb_set_t *keys, hb_map_t *gid, hb_map_t *code,
    struct pdf_subset *s);
void pdf_subset_free(struct pdf_subset *s);
/* Six capital letters naming S's font, from its content and SALT (the
 * how-manieth font of the document: subsets of equal content differ). */
void pdf_subset_tag(const struct pdf_subset *s, int salt, char tag[7]);
/* S's ToUnicode CMap appended to B: each run of consecutive codes (within
 * one first byte) one bfrange with an array of characters, each code
 * alone one bfchar, in blocks of 100. */
void pdf_subset_tounicode(const struct pdf_subset *s, struct buf *b);
/* S's CIDToGIDMap appended to B (for S not identity): the glyph of every
 * code up to the last, two bytes each, 0 for codes not used. */
void pdf_subset_gidmap(const struct pdf_subset *s, struct buf *b);


/* Gathers the characters of each face that the pages of DL, and the shared
 * blocks they show (c->uses), draw: one struct used per face in c->used. */
void pdf_fonts_collect(struct pdfctx *c, const struct dl_doc *dl);
/* The face F as used by the document, or NULL. */
struct used *pdf_font_find(struct pdfctx *c, struct jz_face *f);
/* Subsets U's face to its characters and makes it a libharu font of C's
 * document (u->font), SALT telling apart subsets of equal content.
 * Returns 0, or -1 (the error, when libharu's, in C). */
int pdf_font_load(struct pdfctx *c, struct used *u, int salt);

#endif
