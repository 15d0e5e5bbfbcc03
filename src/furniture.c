/* furniture.c — the page furniture of GB/T 9704-2012 documents, placed from
 * the page setup (the 版心's edges): covers, the red header (版头), the
 * signature that closes a document, the note of its attachments, the
 * markers and titles of the attachments, and the 版记 on its last page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	/* after the tables and charts still waiting; the blank line, the issuer
	 * and the date on one page, never without body text above them: when
	 * they do not fit, the last lines of the body (or rows of a table) go
	 * to the next page with them (GB/T 9704 §7.3.5) */
	doc_float_barrier(d);
	s.space_before_pt = d->setup.body_h_mm / 22 * 72 / 25.4;  /* one line of the grid */
	doc_keep_with_previous(d, (s.space_before_pt + 2 * style_pitch_pt(&s)) * MM_PER_PT);
	doc_field(d, "issuer");
	s.indent_chars = xi > 0 ? xi / em : 0;
	doc_signature_line(d, &s, issuer, "issuer");
	doc_field(d, "date");
	s.space_before_pt = 0;
	s.indent_chars = xd > 0 ? xd / em : 0;
	doc_signature_line(d, &s, date, "date");
}

/* A line of text in S with its left at X_MM and its top at Y_MM, W_MM wide. */
static void
line_at(struct doc *d, const struct text_style *s, double x_mm, double y_mm, double w_mm,
    const char *text)
{
	doc_text_box(d, s, x_mm, y_mm, w_mm, 0, 0, text);
}

static double prefix_width(struct doc *d, const struct text_style *s, const char *prefix);

/* Width in mm of PREFIX when text follows it on its line (a mark at its end
 * keeps its whole em there). */
static double
prefix_width(struct doc *d, const struct text_style *s, const char *prefix)
{
	char *with = xasprintf("%s一", prefix);
	double w = doc_text_width(d, s, with) - doc_text_width(d, s, "一");

	free(with);
	return w;
}

void
doc_attachment_note(struct doc *d, const char *const *titles, int n)
{
	struct text_style s = style_body;
	const double left = d->setup.margin_left_mm, width = d->setup.body_w_mm;
	const double pitch = style_pitch_pt(&s) * MM_PER_PT, em = s.size_pt * MM_PER_PT;
	double x_label;

	if (n <= 0)
		return;
	doc_float_barrier(d);
	s.align = ALIGN_LEFT;
	s.indent_chars = 0;
	s.wrap = WRAP_WORDS;
	doc_field(d, "attachments");
	/* one blank line below the body */
	doc_vspace(d, pitch / MM_PER_PT);
	x_label = left + 2 * em + prefix_width(d, &s, "附件：");
	for (int i = 0; i < n; i++) {
		/* 附件：1．TITLE, the title's next lines under its first character */
		char *prefix = n > 1 ? xasprintf("%s%d．", i == 0 ? "附件：" : "", i + 1) :
		    xstrdup("附件：");
		char *text = xasprintf("%s%s", prefix, titles[i] != NULL ? titles[i] : "");
		double x0 = i == 0 ? left + 2 * em : x_label, pw = prefix_width(d, &s, prefix);
		double x_title = x0 + pw;
		struct para *p = para_make(d, &s, 0, text, left + width - x_title, -pw * PT_PER_MM);

		doc_need(d, p->nlines * pitch);
		for (int k = 0; k < p->nlines; k++) {
			if (k > 0)
				doc_need(d, pitch);
			para_place_line(d, p, k, x_title, d->y, left + width - x_title, "line");
			d->y += pitch;
		}
		para_free(p);
		free(text);
		free(prefix);
	}
}

void
doc_attachment(struct doc *d, int number, const char *title)
{
	struct text_style mark = style_heading1;
	const double pitch = d->setup.body_h_mm / 22;
	char label[32];

	doc_page_break(d);
	mark.indent_chars = 0;
	if (number > 0)
		snprintf(label, sizeof label, "附件%d", number);
	else
		snprintf(label, sizeof label, "附件");
	doc_field(d, "attachment");
	doc_paragraph(d, &mark, label);
	/* the title on the third line */
	d->y = d->setup.margin_top_mm + 2 * pitch;
	if (title != NULL && title[0] != '\0')
		doc_title(d, title);
}

/* Rules of the 版记: the first and the last 0.35 mm, those between 0.25 mm. */
#define COLOPHON_THICK_PT (0.35 * PT_PER_MM)
#define COLOPHON_THIN_PT (0.25 * PT_PER_MM)
#define COLOPHON_ROW_MM 7.0

void
doc_colophon(struct doc *d, const char *copy_to, const char *printer, const char *date)
{
	struct text_style s = style_body;
	const double left = d->setup.margin_left_mm, width = d->setup.body_w_mm;
	const double bottom = doc_body_bottom(d);
	double em, h, y, x_copy;
	struct para *copy = NULL;
	char *printed = NULL;
	int lines = 0;

	doc_float_barrier(d);
	s.size_pt = 14;          /* 4号 */
	s.align = ALIGN_LEFT;
	s.indent_chars = 0;
	s.letter_spacing_pt = 0;
	s.line_pitch_pt = COLOPHON_ROW_MM * PT_PER_MM;
	s.wrap = WRAP_NAMES;     /* the offices copied to break between their names */
	em = s.size_pt * MM_PER_PT;
	doc_field(d, "colophon");
	/* 抄送：… wraps under the first name, one character in from each edge */
	x_copy = left + em + prefix_width(d, &s, "抄送：");
	if (copy_to != NULL && copy_to[0] != '\0') {
		size_t len = strlen(copy_to);
		char *text = xasprintf("抄送：%s%s", copy_to,
		    len >= 3 && strcmp(copy_to + len - 3, "。") == 0 ? "" : "。");
		double pw = x_copy - left - em;

		copy = para_make(d, &s, 0, text, left + width - em - x_copy, -pw * PT_PER_MM);
		lines = copy->nlines;
		free(text);
	}
	h = (lines + 1) * COLOPHON_ROW_MM;
	/* the last page, an even one, with room for it at its foot */
	doc_page(d);
	if (d->dl.pages[d->cur].nitems > 0 && (d->y + h > bottom + 0.01 || (d->cur + 1) % 2 != 0)) {
		int first_added = d->cur + 1;

		doc_new_page(d);
		if ((d->cur + 1) % 2 != 0)
			doc_new_page(d);
		d->unnumbered_from = first_added;
	}
	y = bottom - h;
	doc_line(d, left, y, left + width, y, COLOPHON_THICK_PT, 0);
	if (copy != NULL) {
		for (int k = 0; k < copy->nlines; k++)
			para_place_line(d, copy, k, x_copy, y + k * COLOPHON_ROW_MM,
			    left + width - em - x_copy, "colophon");
		y += lines * COLOPHON_ROW_MM;
		doc_line(d, left, y, left + width, y, COLOPHON_THIN_PT, 0);
	}
	if (printer != NULL)
		line_at(d, &s, left + em, y, width - 2 * em, printer);
	if (date != NULL) {
		struct text_style r = s;

		r.align = ALIGN_RIGHT;
		printed = xasprintf("%s印发", date);
		doc_text_box(d, &r, left + em, y, width - 2 * em, 0, 0, printed);
	}
	y += COLOPHON_ROW_MM;
	doc_line(d, left, y, left + width, y, COLOPHON_THICK_PT, 0);
	d->y = bottom;
	para_free(copy);
	free(printed);
}
