/* dev_dump.c — the layout dump device: every page, line box, glyph run, rule
 * and shape as one line of text with its coordinates (mm from the top-left
 * corner), so tests can assert layout without parsing PDF. */
#include <math.h>

#include "jingsai.h"
#include "device.h"
#include "dlist.h"
#include "face.h"

static void
put_text(struct buf *out, const struct dl_item *it)
{
	int i;

	buf_puts(out, " \"");
	for (i = 0; i < it->nglyphs; i++)
		utf8_encode(out, it->glyphs[i].cp);
	buf_putc(out, '"');
}

/* Each glyph's advance as set, in 1/1000 em: its own width and its extra. */
static void
put_advances(struct buf *out, const struct dl_item *it)
{
	buf_puts(out, " adv");
	for (int i = 0; i < it->nglyphs; i++)
		buf_printf(out, "%c%ld", i == 0 ? '=' : ',',
		    lround(it->glyphs[i].adv_pt * 1000 / it->size_pt) + it->glyphs[i].extra);
}

/* FNV-1a over the dark modules of an N×N QR code, so that a dump shows when
 * what the code says changed (its URL, serial or keyed hash). */
static unsigned
dark_modules_hash(const unsigned char *m, int n)
{
	unsigned h = 2166136261u;

	for (int i = 0; m != NULL && i < n * n; i++)
		h = (h ^ (m[i] & 1u)) * 16777619u;
	return h;
}

/* A length or size as printed (%.2f, %.3f): nudged a billionth away from
 * zero, so that a value that is a decimal half exactly (9 pt is 3.175 mm)
 * rounds the same way whichever compiler's last bit it carries, and a dump
 * is the same from every build. */
static double
pr(double v)
{
	return v + copysign(1e-9, v);
}

static void
put_items(struct buf *out, const struct dl_page *pg)
{
	int i;

	for (i = 0; i < pg->nitems; i++) {
		const struct dl_item *it = &pg->items[i];

		switch (it->kind) {
		case DL_LINEBOX:
			buf_printf(out, "  line %s x=%.2f y=%.2f w=%.2f h=%.2f \"%s\"\n", it->tag,
			    pr(it->x), pr(it->y), pr(it->w), pr(it->h), it->text);
			break;
		case DL_RUN:
			buf_printf(out, "    run %s x=%.2f base=%.2f w=%.2f font=%s size=%.2f sp=%.3f%s color=%06x n=%d",
			    it->tag, pr(it->x), pr(it->y), pr(it->w), face_name(it->face), pr(it->size_pt),
			    pr(it->spacing_pt), it->bold ? " bold" : "", it->stroke, it->nglyphs);
			put_advances(out, it);
			put_text(out, it);
			buf_putc(out, '\n');
			break;
		case DL_LINE:
			buf_printf(out, "  rule %s x1=%.2f y1=%.2f x2=%.2f y2=%.2f width=%.2f color=%06x\n",
			    it->tag, pr(it->x), pr(it->y), pr(it->x2), pr(it->y2), pr(it->width_pt), it->stroke);
			break;
		case DL_RECT:
			buf_printf(out, "  rect %s x=%.2f y=%.2f w=%.2f h=%.2f width=%.2f stroke=%06x fill=%s%06lx\n",
			    it->tag, pr(it->x), pr(it->y), pr(it->w), pr(it->h), pr(it->width_pt), it->stroke,
			    it->fill < 0 ? "-" : "", it->fill < 0 ? 0 : it->fill);
			break;
		case DL_CIRCLE:
			buf_printf(out, "  circle %s cx=%.2f cy=%.2f r=%.2f width=%.2f stroke=%06x fill=%s%06lx\n",
			    it->tag, pr(it->x), pr(it->y), pr(it->w), pr(it->width_pt), it->stroke,
			    it->fill < 0 ? "-" : "", it->fill < 0 ? 0 : it->fill);
			break;
		case DL_QR: {
			int n;
			const unsigned char *m = dl_qr_modules(it, &n);
			buf_printf(out, "  qr x=%.2f y=%.2f size=%.2f modules=%d dark=%08x\n", pr(it->x), pr(it->y),
			    pr(it->w), n, dark_modules_hash(m, n));
			break;
		}
		case DL_SHARED:
			buf_printf(out, "  shared %d\n", it->block + 1);
			break;
		}
	}
}

/* Shared blocks first ("shared N", then their items as on a page), then
 * each page, where "  shared N" says where a block is drawn. */
int
dev_dump_render(const struct dl_doc *dl, struct buf *out)
{
	int p, i;

	for (p = 0; p < dl->nshared; p++) {
		buf_printf(out, "shared %d\n", p + 1);
		put_items(out, &dl->shared[p]);
	}
	for (p = 0; p < dl->npages; p++) {
		buf_printf(out, "page %d %.2f %.2f\n", p + 1, pr(dl->pages[p].w_mm), pr(dl->pages[p].h_mm));
		put_items(out, &dl->pages[p]);
	}
	for (i = 0; i < dl->noutlines; i++)
		buf_printf(out, "outline %d page=%d y=%.2f \"%s\"\n", dl->outlines[i].level,
		    dl->outlines[i].page + 1, pr(dl->outlines[i].y_mm), dl->outlines[i].title);
	buf_puts(out, "");
	return 0;
}
