/* xlsx_test.c — the workbook reader on large sheets, the ones parsed and
 * unpacked on threads of their own: a sheet gives exactly the rows and
 * diagnostics that the same rows give as a CSV file (inline and shared
 * strings, deflated and stored entries); a callback that stops ends the
 * reading; an error in the sheet's XML is reported once, after every cell
 * before it; an entry whose CRC or packed data is wrong is refused with
 * the reason.  Workbooks are made here with libzip, byte for byte. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <zip.h>

#include "check.h"
#include "csv_read.h"
#include "jingsai.h"
#include "xlsx_read.h"

#define ROWS 20000 /* a sheet of some 3 MB: over the size that gets threads */

static struct buf events; /* what the reader did, in order */

static void
sink(const struct diag_msg *m, void *arg)
{
	(void)arg;
	/* the file and the sheet differ between a CSV file and a workbook,
	 * and so do columns: a CSV file's count characters, a sheet's cells */
	const char *text = m->text;
	const char *sheet = strstr(text, " (sheet ");
	int n = sheet ? (int)(sheet - text) : (int)strlen(text);
	buf_printf(&events, "diag %ld: %s: %.*s\n", m->line, diag_level_name(m->level), n, text);
	if (m->hint != NULL)
		buf_printf(&events, "diag %ld: note: %s\n", m->line, m->hint);
}

static int
record_row(void *arg, const struct csv_row *row)
{
	(void)arg;
	buf_printf(&events, "row %ld:", row->line);
	for (int i = 0; i < row->nfields; i++)
		buf_printf(&events, " %s", row->field[i]);
	buf_puts(&events, "\n");
	return 0;
}

/* ---- The rows, as CSV and as a worksheet ---- */

/* Cell C (0-3) of data row R (from 2: row 1 is the header), "" for none. */
static const char *
value(int r, int c, char *s, size_t size)
{
	char code[19];

	switch (c) {
	case 0:
		snprintf(s, size, "2024");
		break;
	case 1:
		if (r % 1201 == 0)
			return ""; /* a required cell left empty */
		snprintf(s, size, r % 7 == 0 ? "2024-320614-%03d&A" : "2024-320614-%03d", r % 500);
		break;
	case 2:
		snprintf(code, sizeof code, "91320614%09d", r);
		code[17] = credit_code_check_char(code);
		if (r % 1499 == 0)
			code[17] = code[17] == 'X' ? 'Y' : 'X'; /* a wrong check character */
		code[18] = '\0';
		snprintf(s, size, "%s", code);
		break;
	default:
		if (r % 997 == 0)
			snprintf(s, size, "x%d", r); /* not a number */
		else
			snprintf(s, size, "%d", r % 3000 + 1);
		break;
	}
	return s;
}

static const char *const header[] = {"年度", "项目编号", "统一社会信用代码", "参与人次"};

static void
make_csv(struct buf *csv)
{
	char s[64];

	buf_printf(csv, "%s,%s,%s,%s\n", header[0], header[1], header[2], header[3]);
	for (int r = 2; r <= ROWS + 1; r++)
		for (int c = 0; c < 4; c++)
			buf_printf(csv, "%s%s", value(r, c, s, sizeof s), c < 3 ? "," : "\n");
	buf_printf(csv, "合计,,,%d\n", 12345);
	buf_puts(csv, "填表人：张三\n");
}

static void
put_xml_text(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			buf_puts(b, "&amp;");
		else
			buf_putc(b, *s);
	}
}

/* Text cell TEXT at column C (0-based) of row R: inline, or shared string
 * number *N (its text appended to STRINGS). */
static void
text_cell(struct buf *b, int r, int c, const char *text, struct buf *strings, int *n)
{
	if (strings == NULL) {
		buf_printf(b, "<c r=\"%c%d\" t=\"inlineStr\"><is><t>", 'A' + c, r);
		put_xml_text(b, text);
		buf_puts(b, "</t></is></c>");
		return;
	}
	buf_printf(b, "<c r=\"%c%d\" t=\"s\"><v>%d</v></c>", 'A' + c, r, (*n)++);
	buf_puts(strings, "<si><t>");
	put_xml_text(strings, text);
	buf_puts(strings, "</t></si>");
}

/* The worksheet of make_csv's rows (STRINGS: shared strings, else inline);
 * TAIL replaces the rows from BREAK_AT on when not NULL. */
static void
make_sheet(struct buf *xml, struct buf *strings, int break_at, const char *tail)
{
	char s[64];
	int n = 0;

	buf_puts(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>");
	if (strings != NULL)
		buf_puts(strings, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">");
	buf_puts(xml, "<row r=\"1\">");
	for (int c = 0; c < 4; c++)
		text_cell(xml, 1, c, header[c], strings, &n);
	buf_puts(xml, "</row>");
	for (int r = 2; r <= ROWS + 1; r++) {
		if (r == break_at) {
			buf_puts(xml, tail);
			break;
		}
		buf_printf(xml, "<row r=\"%d\">", r);
		for (int c = 0; c < 4; c++) {
			const char *v = value(r, c, s, sizeof s);
			if (v[0] == '\0')
				continue;
			if (c == 0 || (c == 3 && v[0] != 'x'))
				buf_printf(xml, "<c r=\"%c%d\"><v>%s</v></c>", 'A' + c, r, v);
			else
				text_cell(xml, r, c, v, strings, &n);
		}
		buf_puts(xml, "</row>");
	}
	if (break_at == 0) {
		buf_printf(xml, "<row r=\"%d\">", ROWS + 2);
		text_cell(xml, ROWS + 2, 0, "合计", strings, &n);
		buf_printf(xml, "<c r=\"D%d\"><v>12345</v></c></row>", ROWS + 2);
		buf_printf(xml, "<row r=\"%d\">", ROWS + 3);
		text_cell(xml, ROWS + 3, 0, "填表人：张三", strings, &n);
		buf_puts(xml, "</row>");
	}
	buf_puts(xml, "</sheetData></worksheet>");
	if (strings != NULL)
		buf_puts(strings, "</sst>");
}

/* ---- Workbooks ---- */

static char dir[] = "/tmp/jingsai-xlsx-test.XXXXXX";

static void
add(zip_t *z, const char *name, const char *data, size_t len, int store)
{
	zip_source_t *src = zip_source_buffer(z, data, len, 0);
	zip_int64_t i = zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8);
	zip_set_file_compression(z, (zip_uint64_t)i, store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0);
}

/* Writes a workbook of one sheet 参与 (XML SHEET, shared strings STRINGS or
 * none) into the test folder; returns its path (static). */
static const char *
make_book(const char *name, const struct buf *sheet, const struct buf *strings, int store)
{
	static char path[256];
	static const char *rels =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
	    "</Relationships>";
	static const char *book =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
	    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
	    "<sheets><sheet name=\"参与\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
	static const char *book_rels =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
	    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
	    "</Relationships>";
	int err;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	if (z == NULL)
		return path;
	add(z, "_rels/.rels", rels, strlen(rels), 0);
	add(z, "xl/workbook.xml", book, strlen(book), 0);
	add(z, "xl/_rels/workbook.xml.rels", book_rels, strlen(book_rels), 0);
	add(z, "xl/worksheets/sheet1.xml", sheet->data, sheet->len, store);
	if (strings != NULL)
		add(z, "xl/sharedStrings.xml", strings->data, strings->len, 0);
	zip_close(z);
	return path;
}

/* ---- Reading ---- */

/* CHECK_STR for long texts: names the first line that differs. */
static void
check_same(const char *got, const char *want, const char *name)
{
	const char *g = got ? got : "", *w = want ? want : "";
	size_t i = 0, line = 1;

	for (; g[i] != '\0' && g[i] == w[i]; i++)
		line += g[i] == '\n';
	if (g[i] == w[i]) {
		printf("PASS: %s\n", name);
		return;
	}
	while (i > 0 && g[i - 1] != '\n')
		i--;
	printf("FAIL: %s (line %zu: got \"%.*s\", want \"%.*s\")\n", name, line,
	    (int)strcspn(g + i, "\n"), g + i, (int)strcspn(w + i, "\n"), w + i);
	check_failures++;
}

static void
read_csv(const struct buf *csv)
{
	buf_reset(&events);
	csv_read("p.csv", csv->data, csv->len, record_row, NULL, NULL);
}

/* Reads PATH's first sheet as a table into events; returns
 * xlsx_sheet_read's value (-2: the workbook did not open). */
static int
read_book(const char *path, struct buf *data)
{
	buf_reset(&events);
	buf_reset(data);
	if (file_read_all(path, data) != 0)
		return -2;
	struct xlsx *x = xlsx_open(path, data->data, data->len);
	if (x == NULL)
		return -2;
	int rc = xlsx_sheet_read(x, 0, record_row, NULL, NULL, 0);
	xlsx_close(x);
	return rc;
}

struct stop {
	long cells, rows, stop_at;
};

static int
count_cell(void *arg, long row, long col, const char *text, size_t len)
{
	struct stop *s = arg;

	(void)col, (void)text, (void)len;
	s->cells++;
	return row >= s->stop_at ? -1 : 0;
}

static int
count_row_end(void *arg, long row)
{
	struct stop *s = arg;

	(void)row;
	s->rows++;
	return 0;
}

static int
log_cell(void *arg, long row, long col, const char *text, size_t len)
{
	(void)arg;
	buf_printf(&events, "cell %ld:%ld %.*s\n", row, col, (int)len, text);
	return 0;
}

static int
log_row_end(void *arg, long row)
{
	(void)arg;
	buf_printf(&events, "end %ld\n", row);
	return 0;
}

/* Sets the CRC of entry NAME, in its local header and in the central
 * directory, to its CRC with one bit flipped. */
static void
break_crc(const char *path, const char *name)
{
	struct buf b = {0};
	size_t n = strlen(name);

	if (file_read_all(path, &b) != 0)
		return;
	unsigned char *d = (unsigned char *)b.data;
	for (size_t i = 0; i + 46 + n <= b.len; i++) {
		if (d[i] != 'P' || d[i + 1] != 'K')
			continue;
		if (d[i + 2] == 3 && d[i + 3] == 4 && d[i + 26] == n && d[i + 27] == 0 &&
		    memcmp(d + i + 30, name, n) == 0)
			d[i + 14] ^= 1; /* local header: CRC at 14 */
		else if (d[i + 2] == 1 && d[i + 3] == 2 && d[i + 28] == n && d[i + 29] == 0 &&
		    memcmp(d + i + 46, name, n) == 0)
			d[i + 16] ^= 1; /* central directory: CRC at 16 */
	}
	FILE *f = fopen(path, "wb");
	if (f != NULL) {
		fwrite(b.data, 1, b.len, f);
		fclose(f);
	}
	buf_free(&b);
}

int
main(void)
{
	struct buf csv = {0}, sheet = {0}, strings = {0}, data = {0}, want = {0};

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	diag_set_sink(sink, NULL, NULL, NULL);

	/* The rows as CSV: what every workbook below must give. */
	make_csv(&csv);
	read_csv(&csv);
	buf_add(&want, events.data, events.len);
	CHECK(strstr(want.data, "row 20001: 2024 2024-320614-001 91320614000020001T 2002\n") != NULL &&
	    strstr(want.data, "diag 19940: error: 'x19940' in column") != NULL &&
	    strstr(want.data, "diag 1201: error:") != NULL && strstr(want.data, "diag 1499: error:") != NULL &&
	    strstr(want.data, "diag 20002: note: totals row skipped") != NULL,
	    "CSV rows read, with errors and notes");

	make_sheet(&sheet, NULL, 0, NULL);
	CHECK(sheet.len > 2 * (1 << 20), "the sheet is large enough for threads");
	read_book(make_book("inline.xlsx", &sheet, NULL, 0), &data);
	check_same(events.data, want.data, "inline strings, deflated: the CSV's rows and diagnostics");
	read_book(make_book("stored.xlsx", &sheet, NULL, 1), &data);
	check_same(events.data, want.data, "inline strings, stored: the CSV's rows and diagnostics");
	buf_reset(&sheet);
	make_sheet(&sheet, &strings, 0, NULL);
	read_book(make_book("shared.xlsx", &sheet, &strings, 0), &data);
	check_same(events.data, want.data, "shared strings: the CSV's rows and diagnostics");

	/* The header is found on the caller's thread; a stop ends the reading. */
	buf_reset(&sheet);
	make_sheet(&sheet, NULL, 0, NULL);
	const char *path = make_book("stop.xlsx", &sheet, NULL, 0);
	buf_reset(&data);
	file_read_all(path, &data);
	struct xlsx *x = xlsx_open(path, data.data, data.len);
	CHECK(x != NULL && xlsx_sheet_kind(x, 0) == CSV_PARTICIPATION, "kind of a large sheet");
	struct stop s = {.stop_at = 5000};
	int rc = x ? xlsx_sheet_cells(x, 0, count_cell, count_row_end, &s) : -9;
	CHECK(rc == 1, "a callback's stop: 1");
	CHECK(s.rows == 4999 && s.cells == 4999 * 4 - 4999 / 1201 + 1,
	    "no cell after the stop (the stopping cell is row 5000's first)");
	s = (struct stop){.stop_at = 1};
	rc = x ? xlsx_sheet_cells(x, 0, count_cell, count_row_end, &s) : -9;
	CHECK(rc == 1 && s.cells == 1 && s.rows == 0, "a stop at the first cell");
	s = (struct stop){.stop_at = ROWS + 10};
	rc = x ? xlsx_sheet_cells(x, 0, count_cell, count_row_end, &s) : -9;
	CHECK(rc == 0 && s.rows == ROWS + 3, "read to the end: every row");
	xlsx_close(x);

	/* An error of the sheet after 15 000 rows: reported once, after them. */
	buf_reset(&sheet);
	make_sheet(&sheet, NULL, 15001, "<row r=\"15000\"><c r=\"A15000\"><v>1</v></c></row></sheetData></worksheet>");
	path = make_book("order.xlsx", &sheet, NULL, 0);
	buf_reset(&data);
	file_read_all(path, &data);
	x = xlsx_open(path, data.data, data.len);
	buf_reset(&events);
	rc = x ? xlsx_sheet_cells(x, 0, log_cell, log_row_end, NULL) : -9;
	CHECK(rc == -1, "rows out of order: -1");
	const char *tail = "cell 15000:4 ";
	const char *at = strstr(events.data ? events.data : "", tail);
	CHECK(at != NULL && strstr(at, "end 15000\ndiag 15000: error: row number 15000 out of order") != NULL &&
	    strstr(at, "diag") == strstr(at, "diag 15000:") && strstr(strstr(at, "diag") + 1, "diag") == NULL,
	    "the error once, after the last row before it");
	xlsx_close(x);

	buf_reset(&sheet);
	make_sheet(&sheet, NULL, 9001, "<row r=\"9001\"><c r=\"B9000\"><v>1</v></c></row></sheetData></worksheet>");
	read_book(make_book("ref.xlsx", &sheet, NULL, 0), &data);
	CHECK(strstr(events.data, "row 9000:") != NULL &&
	    strstr(events.data, "diag 9001: error: bad cell reference 'B9000'\n") != NULL,
	    "a bad cell reference after the rows before it");
	buf_reset(&sheet);
	make_sheet(&sheet, NULL, 12001, "<row r=\"12001\"><c r=\"A12001\"><v>1</v></c>");
	read_book(make_book("cut.xlsx", &sheet, NULL, 0), &data);
	CHECK(strstr(events.data, "row 12000:") != NULL &&
	    strstr(events.data, "error: the workbook is damaged (its part xl/worksheets/sheet1.xml is not well-formed XML)") != NULL,
	    "a sheet cut short: its rows, then the XML error");

	/* Damaged entries: a wrong CRC (deflated and stored), bad packed data. */
	buf_reset(&sheet);
	make_sheet(&sheet, NULL, 0, NULL);
	path = make_book("crc.xlsx", &sheet, NULL, 0);
	break_crc(path, "xl/worksheets/sheet1.xml");
	rc = read_book(path, &data);
	CHECK(rc == -1 && strstr(events.data, "error: not a readable workbook (.xlsx): open it in Excel or WPS") != NULL &&
	    strstr(events.data, "note: zip: xl/worksheets/sheet1.xml: CRC error") != NULL,
	    "deflated sheet with a wrong CRC refused");
	path = make_book("crc-stored.xlsx", &sheet, NULL, 1);
	break_crc(path, "xl/worksheets/sheet1.xml");
	rc = read_book(path, &data);
	CHECK(rc == -1 && strstr(events.data, "error: not a readable workbook (.xlsx): open it in Excel or WPS") != NULL &&
	    strstr(events.data, "note: zip: xl/worksheets/sheet1.xml: CRC error") != NULL,
	    "stored sheet with a wrong CRC refused");
	path = make_book("crc-book.xlsx", &sheet, NULL, 0);
	break_crc(path, "xl/workbook.xml");
	rc = read_book(path, &data);
	CHECK(rc == -2 && strstr(events.data, "error: not a readable workbook (.xlsx): open it in Excel or WPS") != NULL &&
	    strstr(events.data, "note: zip: xl/workbook.xml: CRC error") != NULL,
	    "a small part with a wrong CRC refused");

	diag_set_sink(NULL, NULL, NULL, NULL);
	for (const char *const *f = (const char *const[]){"inline.xlsx", "stored.xlsx", "shared.xlsx",
	    "stop.xlsx", "order.xlsx", "ref.xlsx", "cut.xlsx", "crc.xlsx", "crc-stored.xlsx",
	    "crc-book.xlsx", NULL}; *f != NULL; f++) {
		char p[256];
		snprintf(p, sizeof p, "%s/%s", dir, *f);
		unlink(p);
	}
	rmdir(dir);
	buf_free(&csv);
	buf_free(&sheet);
	buf_free(&strings);
	buf_free(&data);
	buf_free(&want);
	buf_free(&events);
	return CHECK_DONE();
}
