/* page.c — a document being laid out and its pages: the current page, the
 * items added to it, what is drawn at fixed positions (rules, rectangles,
 * circles, QR codes) and the shared blocks many pages show alike. */
#include <stdlib.h>
#include <string.h>

#include <hb.h>
#include <unicode/ubrk.h>
#include <unicode/utypes.h>

#include "jingsai.h"
#include "layout.h"
#include "layout_int.h"

/* ---- Documents ------------------------------------------------------------ */

struct doc *
doc_new(struct fontset *fs, const struct doc_setup *setup)
{
	struct doc *d = xcalloc(1, sizeof *d);
	struct doc_setup *s = &d->setup;
	UErrorCode err = U_ZERO_ERROR;

	d->fs = fs;
	if (setup != NULL)
		*s = *setup;
	if (s->page_w_mm <= 0 || s->page_h_mm <= 0) {
		s->page_w_mm = 210;
		s->page_h_mm = 297;
	}
	if (s->body_w_mm <= 0 || s->body_h_mm <= 0) {
		s->margin_top_mm = 37;
		s->margin_left_mm = 28;
		s->body_w_mm = 156;
		s->body_h_mm = 225;
	}
	if (s->first_numbered_page <= 0)
		s->first_numbered_page = 1;
	d->info[0] = s->title != NULL ? xstrdup(s->title) : NULL;
	d->info[1] = s->author != NULL ? xstrdup(s->author) : NULL;
	d->info[2] = s->subject != NULL ? xstrdup(s->subject) : NULL;
	d->info[3] = s->keywords != NULL ? xstrdup(s->keywords) : NULL;
	s->title = d->info[0];
	s->author = d->info[1];
	s->subject = d->info[2];
	s->keywords = d->info[3];
	d->dl.setup = s;
	d->dl.title = s->title;
	d->dl.author = s->author;
	d->dl.subject = s->subject;
	d->dl.keywords = s->keywords;
	d->dl.date = s->date;
	d->cur = -1;
	d->in_shared = -1;
	d->last_title = d->last_h1 = -1;
	d->keep_page = -1;
	d->sig_page = -1;
	d->reported = hb_set_create();
	d->brk = ubrk_open(UBRK_LINE, "zh", NULL, 0, &err);
	if (U_FAILURE(err))
		d->brk = NULL;
	return d;
}

void
doc_free(struct doc *d)
{
	int i;

	if (d == NULL)
		return;
	dl_doc_clear(&d->dl);
	for (i = 0; i < 4; i++)
		free(d->info[i]);
	free(d->field);
	hb_set_destroy(d->reported);
	if (d->brk != NULL)
		ubrk_close(d->brk);
	if (d->wbrk != NULL)
		ubrk_close(d->wbrk);
	/* tables and charts still waiting for a page */
	for (i = 0; i < d->nfloats; i++)
		d->floats[i].release(d->floats[i].block);
	free(d->floats);
	doc_tail_clear(d);
	free(d->tail);
	free(d->owners);
	free(d);
}

void
doc_field(struct doc *d, const char *label)
{
	free(d->field);
	d->field = label != NULL ? xstrdup(label) : NULL;
}

void
doc_pages_drop(struct doc *d)
{
	dl_pages_clear(&d->dl);
	d->cur = -1;
	d->keep_page = -1;
	d->sig_page = -1;
	doc_tail_clear(d);
}

void
doc_tail_clear(struct doc *d)
{
	for (int i = 0; i < d->nowners; i++) {
		d->owners[i]->release(d->owners[i]->arg);
		free(d->owners[i]);
	}
	d->nowners = 0;
	d->ntail = 0;
	d->tail_glue = 0;
}

struct tail_owner *
doc_tail_own(struct doc *d, struct tail_owner *owner)
{
	d->owners = xgrow(d->owners, d->nowners, &d->owners_cap, 4, sizeof *d->owners);
	d->owners[d->nowners++] = owner;
	return owner;
}

void
doc_new_page(struct doc *d)
{
	doc_tail_clear(d);
	d->cur = dl_page_append(&d->dl.pages, &d->dl.npages, d->setup.page_w_mm, d->setup.page_h_mm);
	d->y = d->setup.margin_top_mm;
}

struct dl_page *
doc_page(struct doc *d)
{
	if (d->in_shared >= 0)
		return &d->dl.shared[d->in_shared];
	if (d->cur < 0)
		doc_new_page(d);
	return &d->dl.pages[d->cur];
}

struct dl_item *
dl_add(struct doc *d, enum dl_kind kind, const char *tag)
{
	return dl_page_add(doc_page(d), kind, tag);
}

double
doc_body_bottom(const struct doc *d)
{
	return d->setup.margin_top_mm + d->setup.body_h_mm;
}

/* ---- Fixed positions: shapes, QR codes, shared blocks ------------------ */

void
doc_line(struct doc *d, double x1_mm, double y1_mm, double x2_mm, double y2_mm, double width_pt,
    unsigned color)
{
	struct dl_item *it = dl_add(d, DL_LINE, "line");

	it->x = x1_mm;
	it->y = y1_mm;
	it->x2 = x2_mm;
	it->y2 = y2_mm;
	it->width_pt = width_pt;
	it->stroke = color;
}

void
doc_rect(struct doc *d, double x_mm, double y_mm, double w_mm, double h_mm, double width_pt,
    unsigned stroke, long fill)
{
	struct dl_item *it = dl_add(d, DL_RECT, "rect");

	it->x = x_mm;
	it->y = y_mm;
	it->w = w_mm;
	it->h = h_mm;
	it->width_pt = width_pt;
	it->stroke = stroke;
	it->fill = fill;
}

void
doc_circle(struct doc *d, double cx_mm, double cy_mm, double r_mm, double width_pt,
    unsigned stroke, long fill)
{
	struct dl_item *it = dl_add(d, DL_CIRCLE, "circle");

	it->x = cx_mm;
	it->y = cy_mm;
	it->w = r_mm;
	it->width_pt = width_pt;
	it->stroke = stroke;
	it->fill = fill;
}

/* A QR item of D, SIZE_MM square at X_MM, Y_MM, without its modules yet. */
static struct dl_item *
qr_item(struct doc *d, double x_mm, double y_mm, double size_mm)
{
	struct dl_item *it = dl_add(d, DL_QR, "qr");

	it->x = x_mm;
	it->y = y_mm;
	it->w = size_mm;
	return it;
}

void
doc_qr(struct doc *d, double x_mm, double y_mm, double size_mm, const unsigned char *modules,
    int width)
{
	struct dl_item *it = qr_item(d, x_mm, y_mm, size_mm);

	it->qr_width = width;
	it->modules = xmalloc((size_t)width * width);
	memcpy(it->modules, modules, (size_t)width * width);
}

void
doc_qr_later(struct doc *d, double x_mm, double y_mm, double size_mm, doc_qr_fetch fetch,
    void *arg, int index)
{
	struct dl_item *it = qr_item(d, x_mm, y_mm, size_mm);

	it->qr_fetch = fetch;
	it->qr_arg = arg;
	it->qr_index = index;
}

int
doc_shared_begin(struct doc *d)
{
	return d->in_shared = dl_page_append(&d->dl.shared, &d->dl.nshared, d->setup.page_w_mm,
	    d->setup.page_h_mm);
}

void
doc_shared_end(struct doc *d)
{
	d->in_shared = -1;
}

void
doc_shared_place(struct doc *d, int n)
{
	if (d->in_shared < 0 && n >= 0 && n < d->dl.nshared)
		dl_add(d, DL_SHARED, "shared")->block = n;
}
