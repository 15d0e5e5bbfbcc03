/* furniture.c — the page furniture of GB/T 9704-2012 documents, placed from
 * the page setup (the 版心's edges): covers, the red header (版头) and the
 * signature that closes a document. */
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

/* The cover of a report: the issuing body in red over a red rule at the
 * top of the 版心, the subtitle and the title (一号, bold) in its upper
 * half, the issuing body and the date near its foot. */
void
doc_report_cover(struct doc *d, const char *title, const char *subtitle, const char *issuer,
    const char *date)
{
	struct text_style big = style_title, sub = style_heading2, small = style_body;
	const double left = d->setup.margin_left_mm, width = d->setup.body_w_mm;
	const double top = d->setup.margin_top_mm, bottom = doc_body_bottom(d);

	big.size_pt = 26;  /* 一号 */
	big.bold = 1;
	big.line_pitch_pt = 40;
	sub.size_pt = 18;  /* 小二 */
	sub.align = ALIGN_CENTER;
	sub.indent_chars = 0;
	small.align = ALIGN_CENTER;
	small.indent_chars = 0;
	small.size_pt = 16;

	doc_field(d, "cover");
	if (issuer != NULL) {
		struct text_style red = style_title;
		red.color = 0xCC0000;
		red.size_pt = 26;
		red.letter_spacing_pt = 2;
		doc_text_box(d, &red, left, top + 13, width, 14, BOX_SHRINK | BOX_VCENTER, issuer);
		doc_line(d, left, top + 31, left + width, top + 31, 2.0, 0xCC0000);
	}
	if (subtitle != NULL)
		doc_text_box(d, &sub, left, top + 58, width, 16, BOX_WRAP | BOX_VCENTER, subtitle);
	doc_text_box(d, &big, left, top + 78, width, 40, BOX_WRAP | BOX_VCENTER, title);
	if (issuer != NULL)
		doc_text_box(d, &small, left, bottom - 37, width, 10, BOX_VCENTER, issuer);
	if (date != NULL)
		doc_text_box(d, &small, left, bottom - 26, width, 10, BOX_VCENTER, date);
	doc_page_break(d);
}

/* The 版头 of GB/T 9704-2012 §7.2 at the top of the current (first) page:
 * the issuing-office mark centred in red, its top 35 mm below the top of the
 * 版心; the document number centred on the third line below the mark (two
 * lines left blank); a red rule across the 版心 4 mm below the number.  The
 * flow goes on two blank lines below the rule, where the title stands. */
void
doc_redhead(struct doc *d, const char *issuer, const char *number)
{
	const double left = d->setup.margin_left_mm, width = d->setup.body_w_mm;
	const double top = d->setup.margin_top_mm, line = d->setup.body_h_mm / 22, pt = MM_PER_PT;
	const unsigned red = 0xE60012;
	struct text_style mark = style_title, num = style_body;
	double mark_h, num_y, rule_y;

	mark.size_pt = 36;       /* 小初: twelve characters fill the 156 mm of the 版心 */
	mark.color = red;
	mark.bold = 1;
	mark.align = ALIGN_CENTER;
	mark.indent_chars = 0;
	mark.letter_spacing_pt = 0;
	num.align = ALIGN_CENTER;
	num.indent_chars = 0;
	mark_h = mark.size_pt * pt;

	doc_field(d, "issuing-office mark");
	doc_text_box(d, &mark, left, top + 35, width, mark_h, BOX_SHRINK | BOX_VCENTER, issuer);
	num_y = top + 35 + mark_h + 2 * line;
	if (number != NULL && number[0] != '\0') {
		doc_field(d, "document number");
		doc_text_box(d, &num, left, num_y, width, num.size_pt * pt, BOX_VCENTER, number);
	}
	rule_y = num_y + num.size_pt * pt + 4;
	doc_line(d, left, rule_y, left + width, rule_y, 1.5, red);
	doc_vspace(d, (rule_y + 2 * line - doc_cursor_y(d)) / pt);
}

/* The issuing body and the date closing a document without a seal (GB/T
 * 9704-2012 §7.3.5.2): one blank line after the text, the issuer two
 * characters from the right edge, the date on the next line starting two
 * characters to the right of the issuer (when the date is the longer, the
 * date keeps two characters from the edge and the issuer moves left). */
void
doc_signature(struct doc *d, const char *issuer, const char *date)
{
	struct text_style s = style_body;
	const double width = d->setup.body_w_mm, em = s.size_pt * 25.4 / 72;
	double xi, xd;

	s.align = ALIGN_LEFT;
	s.indent_chars = 0;
	xi = width - 2 * em - doc_text_width(d, &s, issuer);
	xd = xi + 2 * em;
	if (xd + doc_text_width(d, &s, date) > width - 2 * em) {
		xd = width - 2 * em - doc_text_width(d, &s, date);
		xi = xd - 2 * em;
	}
	doc_field(d, "issuer");
	s.space_before_pt = d->setup.body_h_mm / 22 * 72 / 25.4;  /* one line of the grid */
	/* the issuer and the date stay together, on the page of the body's end */
	doc_need(d, (s.space_before_pt + 2 * s.line_pitch_pt) * 25.4 / 72);
	s.indent_chars = xi > 0 ? xi / em : 0;
	doc_paragraph(d, &s, issuer);
	doc_field(d, "date");
	s.space_before_pt = 0;
	s.indent_chars = xd > 0 ? xd / em : 0;
	doc_paragraph(d, &s, date);
}
