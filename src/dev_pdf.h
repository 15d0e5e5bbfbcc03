/* dev_pdf.h — the PDF device's own state, shared by its files: the pages
 * drawn with libharu (dev_pdf.c), the fonts embedded (pdf_font.c), and the
 * writer that makes the same bytes directly (pdf_write.c, which takes the
 * codes of characters, KEY, from here).  Nothing else includes it. */
#ifndef DEV_PDF_H
#define DEV_PDF_H

#include <stdint.h>

#include <hb.h>
#include <hpdf.h>

struct dl_doc;
struct jz_face;

/* A character and its extra advance: one code of the subset font each. */
#define KEY(cp, extra) ((uint32_t)(cp) | ((uint32_t)(extra) & 0x7FF) << 21)
#define KEY_CP(key) ((key) & 0x1FFFFF)
/* the extra back from its 11 bits, signed (DL_EXTRA_MIN … DL_EXTRA_MAX) */
#define KEY_EXTRA(key) ((int)(((key) >> 21) ^ 0x400) - 0x400)

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
