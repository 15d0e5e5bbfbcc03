/* csv_write.c — the one writer of the CSV files the program writes (sheets.h):
 * UTF-8 with a BOM and CRLF, RFC 4180 quoting, and no cell that a
 * spreadsheet would run as a formula or silently turn into a date. */
#include <stdlib.h>
#include <string.h>

#include "sheets.h"

/*
 * Why each rule:
 *
 * - The BOM makes Excel on Chinese Windows read UTF-8 (without it, it reads
 *   the local code page, GBK, and shows Chinese as mojibake); CRLF is what
 *   it writes itself.
 * - A cell beginning with = + - @ (or tab or CR, which some spreadsheets
 *   skip before looking) is run as a formula: "=1+1公司" would show 2公司,
 *   "=HYPERLINK(…)" would send data away.  OWASP's CSV-injection guidance:
 *   put a ' before it, so that it shows as written.  A real number ("-5",
 *   "+56", "-1.5%") is left alone: it is a number, not a formula.
 * - Excel turns some text into dates or numbers it cannot give back: 1/11
 *   and 3月5日 become dates, 007 becomes 7, an 18-digit code loses its last
 *   digits.  The same leading ' keeps them as written.
 */

void
csv_begin(struct buf *out)
{
	buf_puts(out, "\xEF\xBB\xBF");
}

void
csv_end_row(struct buf *out)
{
	buf_puts(out, "\r\n");
}

/* Skips at least MIN and at most MAX ASCII digits at *P; returns how many
 * (0 when fewer than MIN, *P then unchanged). */
static int
digits(const char **p, int min, int max)
{
	int n = 0;

	while (n < max && (*p)[n] >= '0' && (*p)[n] <= '9')
		n++;
	if (n < min || ((*p)[n] >= '0' && (*p)[n] <= '9'))
		return 0;
	*p += n;
	return n;
}

/* Skips the UTF-8 text WORD at *P; returns 1 when it was there. */
static int
word(const char **p, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(*p, w, n) != 0)
		return 0;
	*p += n;
	return 1;
}

int
csv_is_number(const char *s)
{
	const char *p = s;

	if (*p == '+' || *p == '-')
		p++;
	if (!digits(&p, 1, 400))
		return 0;
	if (*p == '.') {
		p++;
		if (!digits(&p, 1, 400))
			return 0;
	}
	if (*p == '%')
		p++;
	return *p == '\0';
}

/* 1 when Excel would read S as a date or a time, or as a number other than
 * the one written. */
static int
read_otherwise(const char *s)
{
	const char *p = s;
	int n;

	/* 1/11, 2024/1/11, 1-11, 2024-1-11, 1.2.3 */
	if ((n = digits(&p, 1, 4)) > 0 && (*p == '/' || *p == '-' || *p == '.')) {
		char sep = *p++;
		if (digits(&p, 1, 2)) {
			if (*p == '\0' && sep != '.')
				return 1;
			if (*p == sep) {
				p++;
				if (digits(&p, 1, 4) && *p == '\0')
					return 1;
			}
		}
	}
	/* 2024年3月, 2024年3月5日, 3月5日 */
	p = s;
	if (digits(&p, 1, 4) && word(&p, "年")) {
		if (digits(&p, 1, 2) && word(&p, "月") && (*p == '\0' || (digits(&p, 1, 2) && word(&p, "日") && *p == '\0')))
			return 1;
	}
	p = s;
	if (digits(&p, 1, 2) && word(&p, "月") && digits(&p, 1, 2) && word(&p, "日") && *p == '\0')
		return 1;
	/* 10:30, 10:30:00 */
	p = s;
	if (digits(&p, 1, 2) && *p == ':' && (p++, digits(&p, 2, 2)) &&
	    (*p == '\0' || (*p == ':' && (p++, digits(&p, 2, 2)) && *p == '\0')))
		return 1;
	/* 007; digits beyond what a spreadsheet keeps or shows whole; 1E5 */
	p = s;
	if ((n = digits(&p, 1, 400)) > 0) {
		if (*p == '\0')
			return (s[0] == '0' && n > 1) || n > 11;
		if (*p == '.' && (p++, digits(&p, 1, 400)) == 0)
			return 0;
		if (*p == 'e' || *p == 'E') {
			p++;
			if (*p == '+' || *p == '-')
				p++;
			return digits(&p, 1, 400) && *p == '\0';
		}
	}
	return 0;
}

void
csv_text(struct buf *out, const char *s, int first)
{
	if (s == NULL)
		s = "";
	if (!first)
		buf_putc(out, ',');
	if ((strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0' && !csv_is_number(s)) ||
	    read_otherwise(s)) {
		char *kept = xasprintf("'%s", s);
		buf_csv_field(out, kept);
		free(kept);
		return;
	}
	buf_csv_field(out, s);
}

void
csv_number(struct buf *out, const char *plain, int first)
{
	if (plain == NULL || !csv_is_number(plain)) {
		csv_text(out, plain, first);
		return;
	}
	if (!first)
		buf_putc(out, ',');
	buf_puts(out, plain);
}

void
sheets_write_csv(const struct sheets *ts, struct buf *out)
{
	csv_begin(out);
	for (int i = 0; i < ts->n; i++) {
		const struct sheet *t = &ts->t[i];
		csv_text(out, t->title, 1);
		csv_end_row(out);
		for (int c = 0; c < t->ncols; c++)
			csv_text(out, t->header[c], c == 0);
		csv_end_row(out);
		for (int r = 0; r < t->nrows; r++) {
			const struct sheet_cell *row = &t->cells[(size_t)r * (size_t)t->ncols];
			for (int c = 0; c < t->ncols; c++) {
				if (row[c].kind == CELL_TEXT)
					csv_text(out, row[c].text, c == 0);
				else
					csv_number(out, row[c].text, c == 0);
			}
			csv_end_row(out);
		}
		csv_end_row(out);
	}
}
