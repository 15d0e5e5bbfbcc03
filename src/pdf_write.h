/* pdf_write.h — the PDF device's own writer: the display list to the bytes
 * that libharu (dev_pdf.c) and pdf_pack.c make of it, without building
 * libharu's document, and for a document of thousands of pages (print.pdf)
 * a page at a time, as the pages are laid out.  The PDF device writes every
 * document without bookmarks with it (dev_pdf.c).
 *
 * A document is written in two passes over its pages: the first notes what
 * each page uses (characters of each font, shared blocks), since the fonts
 * come first in the file; the second writes the pages.  A caller that lays
 * out one page at a time lays each out twice and drops it after each pass
 * (doc_pages_drop), so that memory holds one page whatever their number;
 * between the passes it checks that every character had a font
 * (doc_check).  Not for documents with bookmarks. */
#ifndef PDF_WRITE_H
#define PDF_WRITE_H

#include "jingsai.h"

struct dl_doc;

/* Where the bytes go: returns 0, or -1 after a diagnostic. */
typedef int (*pdfw_sink)(void *arg, const void *data, size_t len);

struct pdfw;
/* A PDF of DL (its information and shared blocks; its pages come later,
 * into DL's list of pages), written to SINK.  Free with pdfw_free. */
struct pdfw *pdfw_new(const struct dl_doc *dl, pdfw_sink sink, void *arg);
/* First pass: notes the pages DL holds now.  Returns 0. */
int pdfw_note(struct pdfw *w);
/* Second pass: writes the pages DL holds now (the same pages, in the same
 * order, as the first pass saw), the fonts before the first of them.
 * Returns 0, or -1 after a diagnostic. */
int pdfw_write(struct pdfw *w);
/* Writes what comes after the pages (page tree, objects, cross-reference
 * stream).  Returns 0, or -1 after a diagnostic. */
int pdfw_finish(struct pdfw *w);
void pdfw_free(struct pdfw *w);

/* The whole of DL (without bookmarks) appended to OUT.  Returns 0, or -1
 * after a diagnostic. */
int pdfw_render(const struct dl_doc *dl, struct buf *out);

#endif
