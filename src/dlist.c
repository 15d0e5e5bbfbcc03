/* dlist.c — the display list's pages and items: appending, the QR modules a
 * device draws, and freeing what the list owns. */
#include <stdlib.h>
#include <string.h>

#include "jingsai.h"
#include "dlist.h"

int
dl_page_append(struct dl_page **pages, int *n, double w_mm, double h_mm)
{
	struct dl_page *pg;

	/* room doubles at each power of two: a thousand pages are not a
	 * thousand copies of the array */
	if ((*n & (*n - 1)) == 0)
		*pages = xrealloc(*pages, (size_t)(*n ? 2 * *n : 1) * sizeof **pages);
	pg = &(*pages)[*n];
	memset(pg, 0, sizeof *pg);
	pg->w_mm = w_mm;
	pg->h_mm = h_mm;
	return (*n)++;
}

struct dl_item *
dl_page_add(struct dl_page *pg, enum dl_kind kind, const char *tag)
{
	struct dl_item *it;

	pg->items = xgrow(pg->items, pg->nitems, &pg->cap, 16, sizeof *pg->items);
	it = &pg->items[pg->nitems++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->tag = tag;
	it->fill = -1;
	return it;
}

static void
item_free(struct dl_item *it)
{
	free(it->glyphs);
	free(it->text);
	free(it->modules);
}

static void
pages_free(struct dl_page *pages, int n)
{
	int p, i;

	for (p = 0; p < n; p++) {
		for (i = 0; i < pages[p].nitems; i++)
			item_free(&pages[p].items[i]);
		free(pages[p].items);
	}
	free(pages);
}

void
dl_doc_clear(struct dl_doc *dl)
{
	int i;

	pages_free(dl->pages, dl->npages);
	dl->pages = NULL;
	dl->npages = 0;
	pages_free(dl->shared, dl->nshared);
	dl->shared = NULL;
	dl->nshared = 0;
	for (i = 0; i < dl->noutlines; i++)
		free(dl->outlines[i].title);
	free(dl->outlines);
	dl->outlines = NULL;
	dl->noutlines = 0;
}

void
dl_pages_clear(struct dl_doc *dl)
{
	pages_free(dl->pages, dl->npages);
	dl->pages = NULL;
	dl->npages = 0;
}

const unsigned char *
dl_qr_modules(const struct dl_item *it, int *width)
{
	if (it->modules != NULL || it->qr_fetch == NULL) {
		*width = it->qr_width;
		return it->modules;
	}
	*width = 0;
	return it->qr_fetch(it->qr_arg, it->qr_index, width);
}
