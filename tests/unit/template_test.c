/* template_test.c — the report-template engine: number formats, placeholders,
 * totals, the tables of the companion CSV and workbook (their headers and
 * cells), and errors with their line and column. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "layout.h"
#include "sheets.h"
#include "template.h"

static struct diag_msg last;
static char last_text[1024], last_file[256];
static int errors;

static void
sink(const struct diag_msg *m, void *arg)
{
	(void)arg;
	if (m->level < DIAG_ERROR)
		return;
	errors++;
	last = *m;
	snprintf(last_text, sizeof last_text, "%s", m->text);
	snprintf(last_file, sizeof last_file, "%s", m->file ? m->file : "");
	last.text = last_text;
	last.file = last_file;
}

static char *
write_tpl(const char *text)
{
	char *path = xstrdup("/tmp/jingsai-tpl-XXXXXX");
	int fd = mkstemp(path);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return path;
}

/* Runs TEXT against DB; returns the companion CSV (caller frees) or NULL;
 * the tables it was written from in *SHEETS, when not NULL (caller frees). */
static char *
run_sheets(sqlite3 *db, const char *text, struct fontset *fs, struct sheets *sheets)
{
	char *path = write_tpl(text);
	struct tpl *t = tpl_load(path);
	struct tpl_param params[] = {{"year", "2025"}, {"region", NULL}};
	struct tpl_run *r = t ? tpl_query(t, db, params, 2) : NULL;
	struct sheets mine = {0};
	struct buf csv = {0};
	char *out = NULL;

	if (sheets == NULL)
		sheets = &mine;
	if (r != NULL && fs != NULL) {
		struct doc *d = tpl_render(r, fs, sheets);
		if (d != NULL) {
			sheets_write_csv(sheets, &csv);
			out = xstrdup(csv.data ? csv.data : "");
		}
		doc_free(d);
	} else if (r != NULL)
		out = xstrdup("");
	buf_free(&csv);
	sheets_free(&mine);
	tpl_run_free(r);
	tpl_free(t);
	unlink(path);
	free(path);
	return out;
}

/* Number formats: value, whether an integer, format, what it prints. */
static const struct {
	double value;
	int is_integer;
	const char *format, *want, *what;
} formats[] = {
	{1234567, 1, NULL, "1,234,567", "default: thousands"},
	{0.1234, 0, "percent", "12.3%", "percent of a fraction"},
	{12.34, 0, "pct", "12.3%", "pct of a percentage"},
	{1503, 1, "change", "+1,503", "change: sign"},
	{-2, 1, "change", "-2", "change: negative"},
	{0, 1, "change", "0", "change: zero unsigned"},
	{2.75, 0, "change1", "+2.8", "change1: one decimal"},
	{2025, 1, "integer", "2025", "integer: no separators"},
	{42460, 1, "more(人次)", "增加42,460人次", "more: a rise in words, with its unit"},
	{-2084, 1, "more(人次)", "减少2,084人次", "more: a fall in words, with its unit"},
	{0, 1, "more(人次)", "持平", "more: no change, no unit"},
	{7, 1, "more", "增加7", "more: without a unit"},
	{0.75, 0, "more1(个百分点)", "提高0.8个百分点", "more1: a rate up, one decimal"},
	{-0.04, 0, "more1(个百分点)", "持平", "more1: under half a tenth is no change"},
	{-12.25, 0, "more1(个百分点)", "下降12.3个百分点", "more1: a rate down"},
	/* a half of the decimal goes up, whatever the double below it */
	{138585.0 / 10000, 0, "percent", "1385.9%", "percent: 138 585 of a target of 10 000 is 1385.85%, shown 1385.9%"},
	{2.675, 0, "decimal2", "2.68", "decimal2: 2.675 (2.67499999… as a double) is 2.68"},
	{1.005, 0, "decimal2", "1.01", "decimal2: 1.005 is 1.01"},
	{0.15, 0, "decimal1", "0.2", "decimal1: 0.15 (0.1499999… as a double) is 0.2"},
	{-0.15, 0, "change1", "-0.2", "change1: -0.15 is -0.2, away from zero"},
	{1.0 / 3, 0, "percent", "33.3%", "percent: a third is not near a half"},
	{57.05, 0, "pct", "57.1%", "pct: 57.05 is 57.1%"},
	{0.35 - 0.2, 0, "more1(个百分点)", "提高0.2个百分点", "more1: 0.35 - 0.2 is 0.15, one tenth and a half"},
};

static char *
run(sqlite3 *db, const char *text, struct fontset *fs)
{
	return run_sheets(db, text, fs, NULL);
}

int
main(void)
{
	char b[TPL_NUMBER_MAX];
	sqlite3 *db;
	struct fontset *fs;

	for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
		CHECK_STR(tpl_format_number(formats[i].value, formats[i].is_integer, formats[i].format, b),
		    formats[i].want, formats[i].what);

	diag_set_sink(sink, NULL, NULL, NULL);
	sqlite3_open(":memory:", &db);
	sqlite3_exec(db, "CREATE TABLE r(name TEXT, n INTEGER, share REAL, y INTEGER);"
	    "INSERT INTO r VALUES ('甲', 1200, 0.5, 2025), ('乙', NULL, 0.25, 2025), ('丙', 5, 0.25, 2024);",
	    NULL, NULL, NULL);
	fs = fontset_open("fonts");

	char *csv = run(db,
	    "<report title=\"T{year}\">\n"
	    "<query name=\"q\" sql=\"SELECT SUM(n) AS total FROM r WHERE y = :year\"/>\n"
	    "<section title=\"一、总体\"><p>共{q.total}人，{{括号}}</p>\n"
	    "<table title=\"表1\" sql=\"SELECT name, n, share FROM r WHERE y = :year ORDER BY name\">\n"
	    "<col key=\"name\" header=\"名称\"/><col key=\"n\" header=\"人数\" null=\"未报送\"/>\n"
	    "<col key=\"share\" header=\"占比\" format=\"percent\"/><total/></table></section></report>\n", fs);
	CHECK(csv != NULL, "a good template renders");
	if (csv != NULL) {
		CHECK(strncmp(csv, "\xEF\xBB\xBF", 3) == 0, "CSV starts with a BOM");
		CHECK(strstr(csv, "q\r\ntotal\r\n1200\r\n") != NULL, "CSV: the paragraph's number, without separator");
		CHECK(strstr(csv, "表1\r\n名称,人数,占比\r\n乙,未报送,25.0%\r\n甲,1200,50.0%\r\n合计,1200,\r\n") != NULL,
		    "CSV: rows, NULL text, percent, sum without the percentages");
		free(csv);
	}

	/* Chinese headers for a query's columns and a chart's categories; the
	 * cells carry numbers as numbers, rounded as shown. */
	struct sheets sh = {0};
	csv = run_sheets(db,
	    "<report title=\"T\">\n"
	    "<query name=\"q\" title=\"概况\" sql=\"SELECT SUM(n) AS total, 0.12345 AS rate, 2025 AS y FROM r\">\n"
	    "<col key=\"total\" header=\"人数\"/><col key=\"rate\" header=\"比率\"/><col key=\"y\" header=\"年度\"/></query>\n"
	    "<p>{q.total}，{q.rate:percent}，{q.y:integer}</p>\n"
	    "<chart title=\"图1\" label=\"地区\" sql=\"SELECT name, n FROM r WHERE n IS NOT NULL ORDER BY name\" "
	    "category=\"name\" values=\"n\" names=\"人数\"/></report>\n", fs, &sh);
	CHECK(csv != NULL && strstr(csv, "概况\r\n人数,比率,年度\r\n1205,12.3%,2025\r\n") != NULL,
	    "a query's columns named by its <col header>");
	CHECK(csv != NULL && strstr(csv, "图1\r\n地区,人数\r\n丙,5\r\n甲,1200\r\n") != NULL,
	    "a chart's category column named by its label");
	CHECK(sh.n == 2 && sh.t[0].cells[0].kind == CELL_NUMBER && sh.t[0].cells[0].value == 1205 &&
	    sh.t[0].cells[1].kind == CELL_PERCENT && sh.t[0].cells[1].value == 0.123 &&
	    sh.t[0].cells[2].kind == CELL_PLAIN, "cells: a count, a percentage rounded as shown, a year");
	sheets_free(&sh);
	free(csv);
	errors = 0;
	csv = run(db, "<report title=\"x\"><query name=\"q\" sql=\"SELECT 1 AS a\"><col key=\"b\" header=\"乙\"/></query>"
	    "<p>{q.a}</p></report>\n", fs);
	CHECK(csv == NULL && errors == 1 && strstr(last.text, "unknown column 'b'"),
	    "a query's <col> names one of its columns");
	free(csv);

	errors = 0;
	csv = run(db, "<report title=\"x\">\n<table sql=\"SELECT nme FROM r\">\n<col key=\"name\"/></table></report>\n", fs);
	CHECK(csv == NULL && errors == 1, "bad SQL fails");
	CHECK(last.line == 2 && last.column == 20, "bad SQL: line and column of the name in the SQL");
	CHECK(strstr(last.text, "no such column: nme") != NULL, "bad SQL: SQLite's message");
	free(csv);

	errors = 0;
	csv = run(db, "<report title=\"x\">\n<query name=\"q\" sql=\"SELECT 1 AS a\"/>\n<p>\n  值{q.b}</p></report>\n", fs);
	CHECK(csv == NULL && errors == 1, "unknown placeholder fails");
	CHECK(last.line == 4 && last.column == 4, "unknown placeholder: its line and column");
	free(csv);

	errors = 0;
	csv = run(db, "<report title=\"x\"><p>{nothing}</p><unknown/></report>\n", fs);
	CHECK(csv == NULL && errors == 1 && strstr(last.text, "<unknown> is not allowed in <report>"),
	    "unknown element fails at load");
	free(csv);

	errors = 0;
	csv = run(db, "<report title=\"x\"><table sql=\"SELECT 1 AS a WHERE :nope\"><col key=\"a\"/></table></report>\n", fs);
	CHECK(csv == NULL && errors == 1 && strstr(last.text, "unknown parameter :nope"), "unknown SQL parameter");
	free(csv);

	errors = 0;
	csv = run(db, "<report title=\"x\"><table sql=\"INSERT INTO r VALUES (1,2,3,4)\"><col key=\"a\"/></table></report>\n", fs);
	CHECK(csv == NULL && errors == 1 && strstr(last.text, "may not change the store"), "a writing query is refused");
	free(csv);

	errors = 0;
	csv = run(db, "<report title=\"x\"><query name=\"q\" sql=\"SELECT 5 AS d\"/>\n"
	    "<p>比上年{q.d:more(人次)|—}</p></report>\n", fs);
	CHECK(csv != NULL && errors == 0, "a more(unit) placeholder is known");
	free(csv);
	errors = 0;
	csv = run(db, "<report title=\"x\"><query name=\"q\" sql=\"SELECT 5 AS d\"/>\n"
	    "<p>比上年{q.d:more(人次|—}</p></report>\n", fs);
	CHECK(csv == NULL && errors == 1 && strstr(last.text, "unknown format 'more(人次'") &&
	    strstr(last.text, "more(unit)"), "an unclosed more( is an unknown format, and the list says more(unit)");
	free(csv);

	fontset_free(fs);
	sqlite3_close(db);
	return CHECK_DONE();
}
