/* xlsx_write.c — the workbook beside a report's CSV (sheets.h), made with
 * libxlsxwriter: a sheet per table, numbers as numbers, what the office
 * would rather open than the CSV. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "sheets.h"

/* Columns are never narrower or wider than these (in characters). */
#define WIDTH_MIN 6
#define WIDTH_MAX 60

/* The formats of a workbook, made once per workbook. */
struct formats {
	lxw_format *title, *header, *text, *total_text;
	lxw_format *number[3], *total_number[3];  /* 0, 1, 2 decimals */
	lxw_format *plain[3], *total_plain[3];
	lxw_format *change[3], *total_change[3];
	lxw_format *percent, *total_percent;
};

static lxw_format *
number_format(lxw_workbook *wb, const char *num_format, int bold)
{
	lxw_format *f = workbook_add_format(wb);

	format_set_num_format(f, num_format);
	if (bold)
		format_set_bold(f);
	return f;
}

static void
formats_make(lxw_workbook *wb, struct formats *f)
{
	static const char *const number[] = {"#,##0", "#,##0.0", "#,##0.00"};
	static const char *const plain[] = {"0", "0.0", "0.00"};
	static const char *const change[] = {"+#,##0;-#,##0;0", "+#,##0.0;-#,##0.0;0.0",
	    "+#,##0.00;-#,##0.00;0.00"};

	f->title = workbook_add_format(wb);
	format_set_bold(f->title);
	format_set_font_size(f->title, 14);
	f->header = workbook_add_format(wb);
	format_set_bold(f->header);
	format_set_bottom(f->header, LXW_BORDER_THIN);
	format_set_text_wrap(f->header);
	format_set_align(f->header, LXW_ALIGN_CENTER);
	format_set_align(f->header, LXW_ALIGN_VERTICAL_CENTER);
	f->text = workbook_add_format(wb);
	format_set_num_format(f->text, "@");
	f->total_text = workbook_add_format(wb);
	format_set_num_format(f->total_text, "@");
	format_set_bold(f->total_text);
	for (int i = 0; i < 3; i++) {
		f->number[i] = number_format(wb, number[i], 0);
		f->plain[i] = number_format(wb, plain[i], 0);
		f->total_plain[i] = number_format(wb, plain[i], 1);
		f->total_number[i] = number_format(wb, number[i], 1);
		f->change[i] = number_format(wb, change[i], 0);
		f->total_change[i] = number_format(wb, change[i], 1);
	}
	f->percent = number_format(wb, "0.0%", 0);
	f->total_percent = number_format(wb, "0.0%", 1);
}

/* The width S takes on screen, in characters: CJK and full-width forms
 * count two. */
static int
text_width(const char *s)
{
	int w = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';) {
		int adv;
		long cp = utf8_decode(p, strlen((const char *)p), &adv);
		w += cp >= 0x1100 && (cp <= 0x115F || (cp >= 0x2E80 && cp <= 0xA4CF) ||
		    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
		    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
		    (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000) ? 2 : 1;
		p += adv;
	}
	return w;
}

/* The width of a number cell as the workbook shows it (thousands separated). */
static int
number_width(const struct sheet_cell *c)
{
	int len = (int)strlen(c->text), digits = 0;

	for (const char *p = c->text; *p >= '0' || *p == '+' || *p == '-'; p++)
		digits += *p >= '0' && *p <= '9';
	return len + (digits > 3 ? (digits - 1) / 3 : 0);
}

/* A sheet name from TITLE: at most 31 characters, none of []:*?/\, unique
 * among the N names in USED (which it joins).  Caller frees. */
static char *
sheet_name(const char *title, char **used, int n)
{
	struct buf b = {0};
	int chars = 0;

	for (const unsigned char *p = (const unsigned char *)title; *p != '\0' && chars < 28;) {
		int adv;
		long cp = utf8_decode(p, strlen((const char *)p), &adv);
		if (cp < 0 || strchr("[]:*?/\\'", (int)*p) != NULL || cp == 0x3000)
			buf_putc(&b, ' ');
		else
			buf_add(&b, p, (size_t)adv);
		p += adv;
		chars++;
	}
	/* neither empty nor starting or ending with a space */
	char *name = xstrdup(b.data != NULL ? b.data : "");
	buf_free(&b);
	char *s = name;
	while (*s == ' ')
		s++;
	memmove(name, s, strlen(s) + 1);
	for (size_t len = strlen(name); len > 0 && name[len - 1] == ' ';)
		name[--len] = '\0';
	if (name[0] == '\0') {
		free(name);
		name = xasprintf("表%d", n + 1);
	}
	for (int k = 2;; k++) {
		int taken = 0;
		for (int i = 0; i < n && !taken; i++)
			taken = strcmp(used[i], name) == 0;
		if (!taken)
			return name;
		char *again = xasprintf("%s（%d）", name, k);
		free(name);
		name = again;
	}
}

/* Writes table T as sheet WS. */
static void
write_sheet(lxw_worksheet *ws, const struct sheet *t, const struct formats *f)
{
	int *width = xcalloc((size_t)t->ncols, sizeof *width);

	worksheet_write_string(ws, 0, 0, t->title, f->title);
	for (int c = 0; c < t->ncols; c++) {
		worksheet_write_string(ws, 1, (lxw_col_t)c, t->header[c], f->header);
		width[c] = text_width(t->header[c]);
	}
	for (int r = 0; r < t->nrows; r++) {
		const struct sheet_cell *row = &t->cells[(size_t)r * (size_t)t->ncols];
		int total = t->total && r == t->nrows - 1;
		lxw_row_t at = (lxw_row_t)(r + 2);
		for (int c = 0; c < t->ncols; c++) {
			const struct sheet_cell *x = &row[c];
			int d = x->decimals < 0 ? 0 : x->decimals > 2 ? 2 : x->decimals, w;
			switch (x->kind) {
			case CELL_NUMBER:
				worksheet_write_number(ws, at, (lxw_col_t)c, x->value,
				    total ? f->total_number[d] : f->number[d]);
				w = number_width(x);
				break;
			case CELL_PLAIN:
				worksheet_write_number(ws, at, (lxw_col_t)c, x->value,
				    total ? f->total_plain[d] : f->plain[d]);
				w = (int)strlen(x->text);
				break;
			case CELL_CHANGE:
				worksheet_write_number(ws, at, (lxw_col_t)c, x->value,
				    total ? f->total_change[d] : f->change[d]);
				w = number_width(x);
				break;
			case CELL_PERCENT:
				worksheet_write_number(ws, at, (lxw_col_t)c, x->value,
				    total ? f->total_percent : f->percent);
				w = (int)strlen(x->text);
				break;
			default:
				if (x->text[0] != '\0')
					worksheet_write_string(ws, at, (lxw_col_t)c, x->text,
					    total ? f->total_text : f->text);
				w = text_width(x->text);
				break;
			}
			if (w > width[c])
				width[c] = w;
		}
	}
	for (int c = 0; c < t->ncols; c++) {
		int w = width[c] + 2;
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
		    w < WIDTH_MIN ? WIDTH_MIN : w > WIDTH_MAX ? WIDTH_MAX : w, NULL);
	}
	/* the title and the header stay in view */
	worksheet_freeze_panes(ws, 2, 0);
	free(width);
}

int
sheets_write_xlsx(const struct sheets *ts, const char *title, long long date, const char *scratch,
    struct buf *out)
{
	lxw_workbook_options options = {.constant_memory = LXW_FALSE};
	lxw_doc_properties props = {0};
	lxw_workbook *wb;
	struct formats f;
	char **used = xcalloc((size_t)ts->n + 1, sizeof *used);
	lxw_error err;
	int rc = 0;

	wb = workbook_new_opt(scratch, &options);
	if (wb == NULL) {
		diag(DIAG_IO_WRITE, scratch, 0, 0, strerror(errno ? errno : EIO));
		free(used);
		return -1;
	}
	props.title = (char *)(title != NULL ? title : "");
	props.created = (time_t)date;
	workbook_set_properties(wb, &props);
	formats_make(wb, &f);
	for (int i = 0; i < ts->n; i++) {
		used[i] = sheet_name(ts->t[i].title, used, i);
		lxw_worksheet *ws = workbook_add_worksheet(wb, used[i]);
		if (ws != NULL)
			write_sheet(ws, &ts->t[i], &f);
	}
	if (ts->n == 0)
		workbook_add_worksheet(wb, NULL);
	err = workbook_close(wb);
	if (err != LXW_NO_ERROR) {
		diag(DIAG_XLSX_WRITE, scratch, 0, 0, lxw_strerror(err));
		rc = -1;
	} else if (file_read_all(scratch, out) != 0) {
		diag(DIAG_IO_READ, scratch, 0, 0, strerror(errno));
		rc = -1;
	}
	unlink(scratch);
	for (int i = 0; i < ts->n; i++)
		free(used[i]);
	free(used);
	return rc;
}
