/* layout.h — the typesetting core every document stands on.
 *
 * Callers describe *what* goes on the page: flowed headings, paragraphs,
 * tables and charts (reports, bulletin), or text in fixed boxes, rules,
 * rectangles and QR codes (certificates, the red header).  The layout turns
 * that into pages of positioned glyph runs and shapes (a display list); a
 * device renders the display list: the PDF device (libharu, fonts subset
 * with HarfBuzz) or the layout dump (plain text, for tests).
 *
 * Units: millimetres for positions on the page, measured from the top-left
 * corner; points for font sizes and line widths.  Colours are 0xRRGGBB.
 * Text is UTF-8 throughout. */
#ifndef LAYOUT_H
#define LAYOUT_H

#include <stdio.h>

#include "jingsai.h"

/* ---- Fonts (fonts.c) ----------------------------------------------------
 * fonts/roles.conf maps each role to a fallback chain of font files; files
 * found in the fonts folder win over system fonts. */
struct fontset;

/* Loads the role table from FONTS_DIR; returns NULL after a diagnostic. */
struct fontset *fontset_open(const char *fonts_dir);
void fontset_free(struct fontset *fs);

/* Narrows the faces for a batch of documents that set only the characters
 * added (the certificates of an award: a thousand subsets of the same few
 * hundred characters).  Each face that sets one of them in the role given
 * is cut down once to the characters it sets there, and later subsets come
 * from that small face: HarfBuzz subsets a face of a few hundred glyphs in
 * a twentieth of a millisecond, where a large CJK face needs 1.4 ms, or
 * 0.2 s of preprocessing first.  A document with a character outside the
 * narrowed face is subset from the whole face, as without narrowing.
 * Processes forked after fontset_narrow_end share the narrowed faces. */
struct fontset_narrow;
struct fontset_narrow *fontset_narrow_begin(struct fontset *fs);
/* TEXT (UTF-8) will be set in ROLE. */
void fontset_narrow_add(struct fontset_narrow *nw, const char *role, const char *text);
/* Narrows the faces and frees NW. */
void fontset_narrow_end(struct fontset_narrow *nw);

/* ---- Documents ---------------------------------------------------------- */
struct doc;

/* How full-width punctuation is set (W3C clreq §3.1.6, GB/T 15834).
 * PUNCT_ADJUST: two adjacent marks take at most 1.5 em (the blank half of
 * the first closing mark, or of the second opening mark, goes; brackets stay
 * against their content), a mark at the start or end of a line gives up its
 * outer blank half as far as the line needs (all of it unless justified),
 * and a line that ends with a mark that may not start the next one pulls it
 * back by compressing its other marks (clreq's push-in).  No mark inside a
 * line is compressed to take in one more character: body text keeps the
 * GB/T 9704 grid.
 * PUNCT_NONE: every mark keeps its full em, for forms that keep a grid. */
enum punct_style { PUNCT_ADJUST, PUNCT_NONE };

struct doc_setup {
	double page_w_mm, page_h_mm;    /* 0, 0: A4 portrait (210 × 297) */
	double margin_top_mm;           /* 版心 position and size; 0: GB/T 9704 (37, 28, 156 × 225) */
	double margin_left_mm;
	double body_w_mm, body_h_mm;
	int page_numbers;               /* 1: "— N —" 4号, 7 mm below the 版心, odd right, even left */
	int first_numbered_page;        /* page that shows "— 1 —" (after a cover: 2); 0 = 1 */
	const char *title, *author, *subject, *keywords; /* document info, may be NULL */
	long long date;                 /* creation date (seconds since epoch), jz_now() */
	enum punct_style punctuation;   /* PUNCT_ADJUST (default): clreq compression; PUNCT_NONE */
};

/* A new empty document using fonts of FS (borrowed: FS must outlive it). */
struct doc *doc_new(struct fontset *fs, const struct doc_setup *setup);
void doc_free(struct doc *d);

enum align { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT, ALIGN_JUSTIFY };

/* Where lines may break.  Everywhere, a number stays whole with its sign,
 * separators, percent sign and unit (198,597人次, ≥3,000,000, 86.8%,
 * 2025年1月15日), and so does a code or serial (2024-320682-007); the clreq
 * prohibitions hold.  Beyond that:
 *   WRAP_CHARS  body text: between any two Han characters (the page grid);
 *   WRAP_WORDS  table cells, captions, labels: between words only, by ICU's
 *               dictionary segmentation (南通/经济/技术/开发/区; 有限公司
 *               whole); the short items of a 、 list stay whole;
 *   WRAP_NAMES  a personal name or a 、 list of names: between items only;
 *   WRAP_TITLE  as WRAP_WORDS, into balanced lines in the GB/T 9704 §7.3.3
 *               shape (梯形 or 菱形), preferring phrase boundaries (after a
 *               closing quote or 的, before 关于 or 通报); U+2028 forces a break.
 * Only a piece wider than the whole line is broken inside (para.broken). */
enum wrap { WRAP_CHARS, WRAP_WORDS, WRAP_NAMES, WRAP_TITLE };

struct text_style {
	const char *role;        /* font role: title, body, heading, kai, number ... */
	double size_pt;
	enum align align;
	double indent_chars;     /* first-line indent, in characters of this size */
	double line_pitch_pt;    /* baseline to baseline; 0: the page grid (225 mm / 22 lines) */
	int bold;                /* fake bold (stroke + fill) when the font has no bold */
	unsigned color;          /* 0xRRGGBB */
	double space_before_pt, space_after_pt;
	double letter_spacing_pt;/* extra space after each character */
	enum wrap wrap;          /* where lines may break (0: WRAP_CHARS) */
};

/* GB/T 9704 presets. */
extern const struct text_style style_title;    /* 2号 title role, centred */
extern const struct text_style style_body;     /* 3号 body role, justified, indent 2 */
extern const struct text_style style_heading1; /* 一、 3号 heading (黑体) role */
extern const struct text_style style_heading2; /* （一） 3号 kai role */
extern const struct text_style style_caption;  /* table / chart titles, 4号, centred */
extern const struct text_style style_table;    /* table cells, 小四 */

/* Names what the following text is ("recipient of 2025-MEDAL-0001"), so that
 * a character no font of the role has is reported against it.  Copied. */
void doc_field(struct doc *d, const char *label);

/* ---- Flowed content: placed at the current position, new page as needed. */
void doc_title(struct doc *d, const char *text);                      /* style_title + outline */
void doc_heading(struct doc *d, int level, const char *text);         /* level 1 or 2 + outline */
void doc_paragraph(struct doc *d, const struct text_style *s, const char *text);
void doc_vspace(struct doc *d, double pt);
void doc_page_break(struct doc *d);
/* Before a heading that introduces a table or chart: a new page unless the
 * table's caption, header and first rows would fit below the cursor (the
 * flow keeps a heading with one line of what follows only). */
void doc_keep_for_table(struct doc *d);
/* A horizontal rule across the 版心 at the current position. */
void doc_hrule(struct doc *d, double width_pt, unsigned color);
/* Current vertical position, mm from the page top; and the page number (1-based). */
double doc_cursor_y(const struct doc *d);
/* The bottom of the 版心, mm from the page top. */
double doc_body_bottom(const struct doc *d);
int doc_page_count(const struct doc *d);

/* Tables, laid out from their content (CSS 2.1 automatic table layout,
 * Typst's auto columns): a column is never narrower than its widest
 * unbreakable piece, and gets its widest cell when there is room; the room
 * there is not is taken from the columns of long text, by fair shares
 * weighted by `width`, so short columns never wrap.  Cells break between
 * words (WRAP_WORDS) or names.  A table whose pieces do not fit side by side
 * in 小四 is set in 五号, or else 小五 (on every page it goes on to); one too
 * wide even then has its widest pieces broken, with a warning naming the
 * table and the row.  A table starts on the page where its caption, header
 * and three rows fit; each page it goes on to opens with its number and
 * （续） (表1（续）) and the header (centred both ways) again;
 * no row is split; a page holds at least three rows of a table (or all of
 * it) and the last page never gets fewer than three.  Cells are UTF-8
 * (format numbers with fmt_thousands). */
struct table_col {
	const char *header;
	double width;            /* relative weight: a hint for sharing the 版心 (0: 1) */
	enum align align;
	int names;               /* 1: personal names, or 、 lists of them (WRAP_NAMES) */
	double min_mm, max_mm;   /* limits of its width, 0: none */
};
struct table;
struct table *table_new(const char *title, int ncols, const struct table_col *cols);
void table_row(struct table *t, const char *const *cells);
void table_total(struct table *t, const char *const *cells); /* the last row, bold */
/* The table stays where it stands in the text even when its beginning does
 * not fit on the page (by default it waits for the next page while the
 * paragraphs after it fill this one, as a float). */
void table_pin(struct table *t);
void doc_table(struct doc *d, const struct table *t);
void table_free(struct table *t);

/* Charts, drawn in vector with axis, labels and values. */
enum chart_kind { CHART_BAR, CHART_LINE };
struct chart_series {
	const char *name;
	const double *values;    /* ncat values */
};
struct chart {
	enum chart_kind kind;
	const char *title;
	const char *unit;        /* axis unit, may be NULL */
	int ncat;
	const char *const *categories;
	int nseries;
	const struct chart_series *series;
	double height_mm;        /* 0: 70 mm */
	int pinned;              /* 1: stays where it stands in the text (no float) */
};
void doc_chart(struct doc *d, const struct chart *c);
/* Tables and charts still waiting for a page are set here (before the
 * signature of a document, say); headings and page breaks do it too. */
void doc_float_barrier(struct doc *d);

/* A cover page: TITLE (一号, title role, centred, wrapped) at a third of the
 * page, SUBTITLE (三号 kai) below it, ISSUER and DATE_TEXT (三号) near the
 * bottom; any may be NULL.  Takes a page of its own (set first_numbered_page
 * to 2 so it carries no number); what follows starts on the next page. */
void doc_cover(struct doc *d, const char *title, const char *subtitle, const char *issuer,
    const char *date_text);

/* ---- GB/T 9704 page furniture (furniture.c), placed from the page setup.
 * A report's cover: ISSUER in red over a red rule at the top of the 版心,
 * SUBTITLE and TITLE (一号, bold) in its upper half, ISSUER and DATE near
 * its foot; any but TITLE may be NULL.  What follows starts on a new page. */
void doc_report_cover(struct doc *d, const char *title, const char *subtitle, const char *issuer,
    const char *date);
/* The 版头 of a red-header document (§7.2) on the first page: the
 * issuing-office mark ISSUER in red, 35 mm below the top of the 版心; the
 * document NUMBER (NULL or "": none) two lines below it; a red rule 4 mm
 * below the number.  The flow goes on two lines below the rule. */
void doc_redhead(struct doc *d, const char *issuer, const char *number);
/* The issuing body and DATE closing a document (§7.3.5.2): a blank line,
 * ISSUER two characters from the right edge of the 版心, DATE below it
 * starting two characters further right; never on a page without body text
 * (the last lines of the body, or a table's last rows, go on with them).  A
 * paragraph right after it is its 附注 (§7.3.6), kept on the date's page. */
void doc_signature(struct doc *d, const char *issuer, const char *date);
/* The note of the attachments after the body (§7.3.5.1): a blank line, then
 * "附件：" two characters in, and the N TITLES numbered "1．" … (a single one
 * unnumbered), each title's lines aligned on its first character. */
void doc_attachment_note(struct doc *d, const char *const *titles, int n);
/* An attachment (§7.3.5 and §8) begins: a new page, the marker "附件N" (3号
 * 黑体, N from 1; 0: "附件" alone) at the top left, TITLE (2号) centred on
 * the third line; its content follows. */
void doc_attachment(struct doc *d, int number, const char *title);
/* The 版记 (§10) at the foot of the last page, which must be an even one (a
 * blank page is added when it would not be; such added pages carry no page
 * number): COPY_TO (抄送, may be NULL) and the PRINTER (印发机关) with the
 * DATE of printing (…印发) between rules, the last rule on the 版心's last
 * line.  Nothing may follow it. */
void doc_colophon(struct doc *d, const char *copy_to, const char *printer, const char *date);

/* ---- Fixed positions (certificates, red header, cover). */
void doc_new_page(struct doc *d);
enum {
	BOX_SHRINK = 1,          /* shrink the size until the text fits the box on one line */
	BOX_NAME_SPACING = 2,    /* two-character names spaced to the width of three */
	BOX_WRAP = 4,            /* break into lines within the box (style's pitch) */
	BOX_VCENTER = 8          /* centre vertically in the box */
};
/* TEXT in the box at X, Y of W × H mm.  Returns the size it was set in (pt):
 * S's size, or less with BOX_SHRINK; the negative of it when the text is
 * wider than the box even so (BOX_SHRINK stops at 4 pt). */
double doc_text_box(struct doc *d, const struct text_style *s, double x_mm, double y_mm,
    double w_mm, double h_mm, int flags, const char *text);
void doc_line(struct doc *d, double x1_mm, double y1_mm, double x2_mm, double y2_mm,
    double width_pt, unsigned color);
/* FILL < 0: not filled; WIDTH_PT 0: not stroked. */
void doc_rect(struct doc *d, double x_mm, double y_mm, double w_mm, double h_mm,
    double width_pt, unsigned stroke, long fill);
void doc_circle(struct doc *d, double cx_mm, double cy_mm, double r_mm,
    double width_pt, unsigned stroke, long fill);
/* A QR code: WIDTH × WIDTH modules, module (row r, col c) dark when
 * modules[r * WIDTH + c] & 1 (libqrencode's layout), SIZE_MM square. */
void doc_qr(struct doc *d, double x_mm, double y_mm, double size_mm,
    const unsigned char *modules, int width);
/* A QR code whose modules are still being made while D is laid out:
 * FETCH(ARG, INDEX, &width) gives them when the page is drawn (waiting for
 * them, if need be), or NULL for no code.  What it gives must last as long
 * as D. */
typedef const unsigned char *(*doc_qr_fetch)(void *arg, int index, int *width);
void doc_qr_later(struct doc *d, double x_mm, double y_mm, double size_mm,
    doc_qr_fetch fetch, void *arg, int index);

/* Shared blocks: what many pages have alike (a certificate's border and
 * fixed wording) laid out once and written once per document, each page
 * referring to it.  Between doc_shared_begin and doc_shared_end, the
 * fixed-position calls above draw into the block instead of a page;
 * doc_shared_begin returns the block's number.  doc_shared_place draws
 * block N on the current page (a new one when there is none), beneath what
 * is added to the page after it. */
int doc_shared_begin(struct doc *d);
void doc_shared_end(struct doc *d);
void doc_shared_place(struct doc *d, int n);

/* Width in mm of TEXT in style S (for callers that place things side by side). */
double doc_text_width(struct doc *d, const struct text_style *s, const char *text);

/* ---- Output ---------------------------------------------------------------
 * A device (device.h: the PDF, the layout dump) renders the finished
 * document; the layout never names one. */
struct device;
struct dl_doc;
/* Adds the page furniture (page numbers), then renders D with DEV,
 * appending to OUT; a document without a page gets a blank one.  Fails
 * (returns -1 after a diagnostic naming the field and the code point) when
 * any character had no font in its role's chain; nothing is rendered then.
 * D can be rendered again, by another device. */
int doc_render(struct doc *d, const struct device *dev, struct buf *out);
/* Adds the page furniture and returns D's display list as it is, for a
 * device to render even when characters had no font (tests and tools that
 * want to see the layout of a document doc_render refuses). */
const struct dl_doc *doc_finish(struct doc *d);
/* Adds the page furniture; returns 0, or -1 after the diagnostic doc_render
 * gives when characters had no font (what a document written a page at a
 * time checks after its first pass). */
int doc_check(struct doc *d);
/* Frees the pages laid out so far, keeping the shared blocks: for a
 * document written a page at a time (pdf_write.h), without bookmarks or
 * page numbers.  The next page laid out is the first again. */
void doc_pages_drop(struct doc *d);

/* ---- Text helpers (text.c) ---- */
/* 1234567 → "1,234,567" into OUT (size ≥ 32). */
char *fmt_thousands(long long value, char *out);
/* 2025, 4, 28 → "二〇二五年四月二十八日"; the caller frees. */
char *fmt_date_chinese(int year, int month, int day);
/* 2025, 1, 15 → "2025年1月15日"; the caller frees. */
char *fmt_date_arabic(int year, int month, int day);

#endif
