/* pdf_write.h — the PDF device that writes the display list itself: the
 * same bytes as dev_pdf.c and pdf_pack.c make of it through libharu, without
 * building libharu's document, and for a document of thousands of pages
 * (print.pdf) a page at a time, as the pages are laid out.
 *
 * A document is written in two passes over its pages: the first notes what
 * each page uses (characters of each font, shared blocks), since the fonts
 * come first in the file; the second writes the pages.  A caller that lays
 * out one page at a time lays each out twice and drops it after each pass
 * (doc_pages_drop), so that memory holds one page whatever their number.
 * Documents with bookmarks are not for this device (dev_pdf.c writes them). */
#ifndef PDF_WRITE_H
#define PDF_WRITE_H

#include "layout.h"

/* Where the bytes go: returns 0, or -1 after a diagnostic. */
typedef int (*pdfw_sink)(void *arg, const void *data, size_t len);

struct pdfw;
/* A PDF of D (its information and shared blocks; its pages come later),
 * written to SINK.  The caller frees it with pdfw_free. */
struct pdfw *pdfw_new(struct doc *d, pdfw_sink sink, void *arg);
/* First pass: notes the pages D holds now.  Returns 0. */
int pdfw_note(struct pdfw *w);
/* Second pass: writes the pages D holds now (the same pages, in the same
 * order, as the first pass saw), the fonts before the first of them.
 * Returns 0, or -1 after a diagnostic (among them: characters of the
 * pages noted that no font has; then nothing is written). */
int pdfw_write(struct pdfw *w);
/* Writes what comes after the pages (page tree, objects, cross-reference
 * stream).  Returns 0, or -1 after a diagnostic. */
int pdfw_finish(struct pdfw *w);
void pdfw_free(struct pdfw *w);

/* The whole of D (laid out, in memory) appended to OUT: the same bytes as
 * doc_render_pdf.  Returns 0, or -1 after a diagnostic. */
int pdfw_render(struct doc *d, struct buf *out);

#endif
