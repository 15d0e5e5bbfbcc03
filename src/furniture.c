/* furniture.c — the page furniture of documents, placed from the page
 * setup: a cover. */
#include "jingsai.h"
#include "layout.h"
#include "layout_int.h"

void
doc_cover(struct doc *d, const char *title, const char *subtitle, const char *issuer,
    const char *date_text)
{
	struct text_style t = style_title, sub = style_heading2, foot = style_body;
	double left = d->setup.margin_left_mm, w = d->setup.body_w_mm;
	double h = d->setup.page_h_mm;

	if (d->cur < 0 || d->dl.pages[d->cur].nitems > 0)
		doc_new_page(d);
	t.size_pt = 26;
	t.line_pitch_pt = 40;
	sub.align = ALIGN_CENTER;
	sub.indent_chars = 0;
	foot.align = ALIGN_CENTER;
	foot.indent_chars = 0;
	if (title != NULL)
		doc_text_box(d, &t, left, h * 0.28, w, 0, BOX_WRAP, title);
	if (subtitle != NULL)
		doc_text_box(d, &sub, left, h * 0.45, w, 0, BOX_WRAP, subtitle);
	if (issuer != NULL)
		doc_text_box(d, &foot, left, h * 0.72, w, 0, 0, issuer);
	if (date_text != NULL)
		doc_text_box(d, &foot, left, h * 0.72 + 12, w, 0, 0, date_text);
	doc_new_page(d);
}
