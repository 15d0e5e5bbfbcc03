/* face.h — font faces as the layout and the devices use them (fonts.c):
 * which face of a role's chain sets a character, its advances, its name,
 * and a subset of it to embed.  Documents use the fontset calls of
 * layout.h only. */
#ifndef FACE_H
#define FACE_H

#include <stdint.h>

#include "jingsai.h"

struct fontset;
struct jz_face;

/* Whether CP is drawn by no face: a default-ignorable character of Unicode
 * (variation selectors FE00-FE0F and E0100-E01EF after a character, soft
 * hyphen, zero-width joiners, BOM, direction marks, as names copied from a
 * web page, a word processor or another system bring), which text shows as
 * nothing.  The character before it keeps its ordinary glyph: fonts for
 * simplified Chinese have no variation sequences.  U+200B, the zero-width
 * space, is not among them: the layout keeps it as a break opportunity. */
static inline int
face_ignorable(uint32_t cp)
{
	return cp == 0x00AD || cp == 0x034F || cp == 0x061C || (cp >= 0x115F && cp <= 0x1160) ||
	    (cp >= 0x17B4 && cp <= 0x17B5) || (cp >= 0x180B && cp <= 0x180F) ||
	    (cp >= 0x200C && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164 || (cp >= 0xFE00 && cp <= 0xFE0F) ||
	    cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF0 && cp <= 0xFFF8) ||
	    (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0x1D173 && cp <= 0x1D17A) ||
	    (cp >= 0xE0000 && cp <= 0xE0FFF);
}

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
 * glyph ids when no two code points share a glyph, else 0x20 + the new
 * glyph id for the first code of a glyph and codes past those for the
 * others; small and BMP either way.  Returns 0, or -1 after a diagnostic. */
int face_subset(struct jz_face *f, const uint32_t *cps, int n, uint16_t *codes, uint16_t *gids,
    struct buf *out);

#endif
