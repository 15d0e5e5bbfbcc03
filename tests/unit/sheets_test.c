/* sheets_test.c — the CSV writer (BOM, CRLF, quoting, formulas and dates kept
 * as text, numbers plain) and the workbook writer (same bytes for the same
 * tables, a zip with a sheet per table). */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "sheets.h"

/* The cell S as csv_text writes it, without BOM or comma. */
static char *
cell(const char *s)
{
	struct buf b = {0};

	csv_text(&b, s, 1);
	buf_puts(&b, "");
	return b.data;
}

static void
check_cell(const char *s, const char *want, const char *name)
{
	char *got = cell(s);
	CHECK_STR(got, want, name);
	free(got);
}

static void
check_csv_cells(void)
{
	/* OWASP: a cell a spreadsheet would run as a formula gets a leading ' */
	check_cell("=1+1公司", "'=1+1公司", "= first: neutralised");
	check_cell("@SUM(A1)班组", "'@SUM(A1)班组", "@ first: neutralised");
	check_cell("-2+3", "'-2+3", "- first, not a number: neutralised");
	check_cell("+86 513 1234", "'+86 513 1234", "+ first, not a number: neutralised");
	check_cell("\t=cmd", "'\t=cmd", "tab first: neutralised");
	check_cell("\r=cmd", "\"'\r=cmd\"", "CR first: neutralised, and quoted for its line break");
	check_cell("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
	    "neutralised, then quoted with its quotes doubled");
	/* real numbers are numbers, not formulas */
	check_cell("-5", "-5", "a negative number stays");
	check_cell("+56", "+56", "a signed change stays");
	check_cell("-1.5%", "-1.5%", "a negative percentage stays");
	check_cell("12.3%", "12.3%", "a percentage stays");
	/* what Excel would turn into a date, or a number other than written */
	check_cell("1/11", "'1/11", "1/11: kept as text, not a date");
	check_cell("2024-1-11", "'2024-1-11", "2024-1-11: kept as text");
	check_cell("2025-01-15", "'2025-01-15", "an ISO date: kept as text");
	check_cell("3月5日", "'3月5日", "3月5日: kept as text");
	check_cell("2024年3月", "'2024年3月", "2024年3月: kept as text");
	check_cell("10:30", "'10:30", "a time: kept as text");
	check_cell("007", "'007", "leading zeros kept");
	check_cell("123206004660000003", "'123206004660000003", "an 18-digit code keeps its digits");
	check_cell("1E5", "'1E5", "1E5 is not 100000");
	/* and what it reads as written */
	check_cell("2023-2024", "2023-2024", "a round is not a date");
	check_cell("2024-320602-001", "2024-320602-001", "a project id is not a date");
	check_cell("320602", "320602", "a region code");
	check_cell("91320614MA1XYW0012", "91320614MA1XYW0012", "a credit code");
	check_cell("12.5", "12.5", "a decimal is a number");
	check_cell("崇川区", "崇川区", "Chinese text as is");
	check_cell("—", "—", "an em dash is not a minus");
	check_cell("a,b", "\"a,b\"", "a comma quotes the cell");
	check_cell("", "", "an empty cell");
	CHECK(csv_is_number("1234") && csv_is_number("-5") && csv_is_number("12.3%") &&
	    !csv_is_number("1,234") && !csv_is_number("1.") && !csv_is_number("-") && !csv_is_number(""),
	    "csv_is_number: plain numbers only");
	struct buf b = {0};
	csv_number(&b, "=1+1", 1);
	csv_number(&b, "1234", 0);
	buf_puts(&b, "");
	CHECK_STR(b.data, "'=1+1,1234", "csv_number writes a number as is, anything else as text");
	buf_free(&b);
}

static void
fill(struct sheets *ts)
{
	struct sheet *t = sheets_add(ts, "表1　各地区参与情况", 4);
	sheet_header(t, 0, "地区");
	sheet_header(t, 1, "参与职工（人次）");
	sheet_header(t, 2, "覆盖率");
	sheet_header(t, 3, "增减");
	struct sheet_cell *r = sheet_row(t);
	sheet_text(&r[0], "崇川区");
	sheet_number(&r[1], 1234567, 0);
	sheet_percent(&r[2], 0.1234);
	sheet_change(&r[3], 56, 0);
	r = sheet_row(t);
	sheet_text(&r[0], "=1+1公司");
	sheet_number(&r[1], 12.25, 1);
	sheet_percent(&r[2], -0.0001);
	sheet_change(&r[3], -1.5, 1);
	r = sheet_row(t);
	sheet_text(&r[0], "全市");
	sheet_number(&r[1], 1234579.25, 0);
	sheet_text(&r[2], "未报送");
	sheet_change(&r[3], 0, 0);
	t->total = 1;
	t = sheets_add(ts, "表1　各地区参与情况", 1);   /* the same title: a sheet name of its own */
	sheet_header(t, 0, "说明");
	sheet_text(&sheet_row(t)[0], "无");
}

static void
check_tables_csv(void)
{
	struct sheets ts = {0};
	struct buf b = {0};

	fill(&ts);
	sheets_write_csv(&ts, &b);
	buf_puts(&b, "");
	CHECK_STR(b.data,
	    "\xEF\xBB\xBF" "表1　各地区参与情况\r\n"
	    "地区,参与职工（人次）,覆盖率,增减\r\n"
	    "崇川区,1234567,12.3%,+56\r\n"
	    "'=1+1公司,12.3,0.0%,-1.5\r\n"   /* 12.25, a half, rounded up */
	    "全市,1234579,未报送,0\r\n"
	    "\r\n"
	    "表1　各地区参与情况\r\n"
	    "说明\r\n"
	    "无\r\n"
	    "\r\n",
	    "tables as CSV: BOM, blocks, CRLF, numbers plain, formulas neutralised");
	buf_free(&b);
	sheets_free(&ts);
	CHECK(ts.n == 0 && ts.t == NULL, "sheets_free empties");
}

static void
check_tables_xlsx(void)
{
	struct sheets ts = {0};
	struct buf one = {0}, two = {0};
	char scratch[] = "/tmp/sheets_test.XXXXXX";
	int fd = mkstemp(scratch);

	if (fd >= 0)
		close(fd);
	fill(&ts);
	int rc1 = sheets_write_xlsx(&ts, "测试", 1735689600, scratch, &one);
	int rc2 = sheets_write_xlsx(&ts, "测试", 1735689600, scratch, &two);
	CHECK(rc1 == 0 && rc2 == 0 && one.len > 1000, "workbook written");
	CHECK(one.len == two.len && memcmp(one.data, two.data, one.len) == 0,
	    "the same tables give the same bytes");
	CHECK(one.len > 4 && memcmp(one.data, "PK\x03\x04", 4) == 0, "a zip file");
	CHECK(memmem(one.data, one.len, "xl/worksheets/sheet2.xml", 24) != NULL, "a sheet per table");
	CHECK(access(scratch, F_OK) != 0, "the scratch file is removed");
	buf_free(&one);
	buf_free(&two);
	sheets_free(&ts);
}

int
main(void)
{
	check_csv_cells();
	check_tables_csv();
	check_tables_xlsx();
	return CHECK_DONE();
}
