/* csv_test.c — the CSV reader: credit codes, encodings, quoting, header
 * matching, every field rule, and the fixtures of tests/fixtures/csv against
 * their expected rows and diagnostics (NAME.csv -> NAME.expected). */
#include <dirent.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "csv_read.h"
#include "jingsai.h"

#define FIXTURES "tests/fixtures/csv"

static struct buf diags; /* "FILE:LINE:COL: level: text" lines */

static void
sink(const struct diag_msg *m, void *arg)
{
	(void)arg;
	const char *file = m->file ? strrchr(m->file, '/') : NULL;
	buf_printf(&diags, "%s:%ld:%ld: %s: %s\n", file ? file + 1 : m->file ? m->file : "-",
	    m->line, m->column, diag_level_name(m->level), m->text);
}

static void
put_escaped(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			buf_puts(b, "\\n");
		else if (*s == '\r')
			buf_puts(b, "\\r");
		else
			buf_putc(b, *s);
	}
}

/* ---- A callback that records fields ---- */

struct fields {
	int ncols;
	struct buf out;
	int rows;
	int stop_after;
};

static int
record(void *arg, const struct csv_row *row)
{
	struct fields *f = arg;

	buf_printf(&f->out, "%ld:", row->line);
	for (int i = 0; i < f->ncols; i++) {
		buf_puts(&f->out, i ? " | " : " ");
		put_escaped(&f->out, row->field[i]);
		if (row->field_line[i] != row->line)
			buf_printf(&f->out, "@%ld:%ld", row->field_line[i], row->column[i]);
		else
			buf_printf(&f->out, "@%ld", row->column[i]);
	}
	buf_putc(&f->out, '\n');
	f->rows++;
	return f->stop_after && f->rows >= f->stop_after ? -1 : 0;
}

/* Reads DATA of a kind known to the test; returns rows and diagnostics as
 * text (the caller frees it), and csv_read's result in *RET. */
static char *
read_rows(const char *path, const char *data, size_t len, int *ret, struct csv_info *info)
{
	struct fields f = {0};
	struct csv_info local;
	int kind = csv_sniff(data, len);

	if (info == NULL)
		info = &local;
	csv_kind_columns(kind >= 0 ? (enum csv_kind)kind : CSV_SCORES, &f.ncols);
	buf_reset(&diags);
	diag_set_sink(sink, NULL, NULL, NULL);
	int rc = csv_read(path, data, len, record, &f, info);
	diag_set_sink(NULL, NULL, NULL, NULL);
	if (ret != NULL)
		*ret = rc;
	if (diags.len)
		buf_add(&f.out, diags.data, diags.len);
	buf_putc(&f.out, '\0');
	return f.out.data;
}

static char *
fixture_output(const char *name)
{
	char *path = xasprintf("%s/%s", FIXTURES, name);
	struct buf data = {0};
	struct buf out = {0};
	struct csv_info info = {0};
	int rc;

	if (file_read_all(path, &data) != 0) {
		free(path);
		return xstrdup("(cannot read fixture)\n");
	}
	char *rows = read_rows(path, data.data ? data.data : "", data.len, &rc, &info);
	buf_printf(&out, "kind %s, encoding %s, rows %ld, errors %d, return %d, sniff %d\n",
	    csv_kind_name(info.kind), info.encoding, info.rows, info.errors, rc,
	    csv_sniff(data.data ? data.data : "", data.len));
	buf_puts(&out, rows);
	free(rows);
	buf_free(&data);
	free(path);
	return out.data;
}

/* Every NAME.csv of the fixtures against NAME.expected.  With
 * CSV_TEST_UPDATE=1 in the environment the expected files are (re)written,
 * to be reviewed before they are committed. */
static void
check_fixtures(void)
{
	DIR *d = opendir(FIXTURES);
	struct dirent *e;
	int update = getenv("CSV_TEST_UPDATE") != NULL, seen = 0;

	CHECK(d != NULL, "fixtures folder is there");
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".csv") != 0)
			continue;
		seen++;
		char *got = fixture_output(e->d_name);
		char *exp_path = xasprintf("%s/%.*s.expected", FIXTURES, (int)(n - 4), e->d_name);
		struct buf want = {0};
		if (update)
			atomic_write(exp_path, got, strlen(got));
		char *name = xasprintf("fixture %s gives its expected rows and diagnostics", e->d_name);
		if (file_read_all(exp_path, &want) != 0)
			buf_puts(&want, "(no expected file)");
		CHECK_STR(got, want.data, name);
		free(name);
		buf_free(&want);
		free(exp_path);
		free(got);
	}
	closedir(d);
	CHECK(seen >= 30, "all fixtures were found");
}

/* ---- Pieces ------------------------------------------------------------------ */

static void
check_credit_codes(void)
{
	/* Published codes of real companies, and codes made with the algorithm. */
	CHECK(credit_code_valid("91440300708461136T"), "credit code 91440300708461136T is valid");
	CHECK(credit_code_valid("9144030071526726XG"), "credit code 9144030071526726XG is valid");
	CHECK(credit_code_valid("91330100716105852F"), "credit code 91330100716105852F is valid");
	CHECK(credit_code_valid("91320600MA1MXK0L10"), "check character 0");
	CHECK(credit_code_valid("123206004660000003"), "a public institution's code");
	CHECK(credit_code_check_char("91320623MA1P3Q4R5") == 'J', "check character J");
	CHECK(!credit_code_valid("91320600MA1MXK0L11"), "a wrong check character is refused");
	CHECK(!credit_code_valid("91320600MA1MXK0L1"), "17 characters are refused");
	CHECK(!credit_code_valid("91320600MA1MXK0L100"), "19 characters are refused");
	CHECK(!credit_code_valid("91320681ma1t0u1w2h"), "lower case is refused");
	CHECK(!credit_code_valid("91320600MA1MXKOL10"), "the letter O is not in the alphabet");
	CHECK(!credit_code_valid(""), "an empty code is refused");
	CHECK(credit_code_check_char("9132060IMA1MXK0L1") == 0, "no check character for a bad alphabet");
}

static void
check_sniff(void)
{
	const char *h;

	h = "credit_code,name,region,ownership,above_scale,industry,employees\n";
	CHECK(csv_sniff(h, strlen(h)) == CSV_ENTERPRISES, "sniff: enterprises");
	h = "participants, credit_code ,\"year\",project_id\r\n1,2,3,4\r\n";
	CHECK(csv_sniff(h, strlen(h)) == CSV_PARTICIPATION, "sniff: permuted, spaced, quoted, CRLF");
	h = "\xef\xbb\xbfround,entry_id,judge,score";
	CHECK(csv_sniff(h, strlen(h)) == CSV_SCORES, "sniff: BOM, no line end");
	h = "round,entry_id,category,title,first_completer,gender,credit_code,completers\n";
	CHECK(csv_sniff(h, strlen(h)) == CSV_ACHIEVEMENTS, "sniff: achievements");
	h = "year,competition,city_contest,rank,name,gender,credit_code,score\n";
	CHECK(csv_sniff(h, strlen(h)) == CSV_SKILLS, "sniff: skills");
	h = "year,award,recipient,recipient_kind,gender,credit_code,reason\n";
	CHECK(csv_sniff(h, strlen(h)) == CSV_AWARDS, "sniff: awards");
	h = "round,entry_id,judge,score,foo\n";
	CHECK(csv_sniff(h, strlen(h)) == CSV_SCORES, "sniff: a header with one unknown column is still scores");
	h = "year,award,recipient,recipient_kind,credit_code\n";
	CHECK(csv_sniff(h, strlen(h)) == CSV_AWARDS, "sniff: a header missing a column is still awards");
	h = "<?xml version=\"1.0\"?>\n<annual-return/>\n";
	CHECK(csv_sniff(h, strlen(h)) == -1, "sniff: XML is not CSV");
	h = "姓名,单位,日期\n";
	CHECK(csv_sniff(h, strlen(h)) == -1, "sniff: an unknown header");
	h = "name,year\n";
	CHECK(csv_sniff(h, strlen(h)) == -1, "sniff: two common names are not enough");
	CHECK(csv_sniff("", 0) == -1, "sniff: empty data");
	h = "\r\n  \n\nround,entry_id,judge,score\n";
	CHECK(csv_sniff(h, strlen(h)) == CSV_SCORES, "sniff: blank lines before the header, as csv_read");
	static const char u16[] = "\xff\xfer\0o\0u\0n\0d\0,\0e\0n\0t\0r\0y\0_\0i\0d\0,\0j\0u\0d\0g\0e\0,\0s\0c\0o\0r\0e\0\n\0";
	CHECK(csv_sniff(u16, sizeof u16 - 1) == CSV_SCORES, "sniff: UTF-16 is recognised (and csv_read refuses it)");
	CHECK_STR(csv_kind_name(CSV_PARTICIPATION), "participation", "kind name");
	CHECK_STR(csv_kind_name(CSV__KINDS), "unknown", "kind name of an unknown kind");
	CHECK(csv_column_index(CSV_AWARDS, "gender") == 4, "column index");
}

/* Exact messages and positions of single error cases, in memory. */
static void
expect_diag(const char *data, const char *want, const char *name)
{
	int rc;
	char *out = read_rows("t.csv", data, strlen(data), &rc, NULL);
	char *hit = strstr(out, want);
	CHECK(hit != NULL && rc == -1, name);
	if (hit == NULL)
		printf("    got:\n%s", out);
	free(out);
}

static void
check_errors(void)
{
	const char *p = "year,project_id,credit_code,participants\n";
	char *d;

	d = xasprintf("%s2024,P1,91320600MA1MXK0L10,-5\n", p);
	expect_diag(d, "t.csv:2:28: error: '-5' in column 'participants' is negative: write a count from 0, e.g. 120\n", "negative count");
	free(d);
	d = xasprintf("%s2024,P1,91320600MA1MXK0L11,5\n", p);
	expect_diag(d, "t.csv:2:9: error: credit code '91320600MA1MXK0L11' fails its check: with these first 17 characters the last one is 0; copy the code from the business licence\n",
	    "bad check character");
	free(d);
	d = xasprintf("%s2024,P1,9132060,5\n", p);
	expect_diag(d, "t.csv:2:9: error: credit code '9132060' has 7 characters: a unified social credit code has 18; copy it from the business licence\n",
	    "short credit code");
	free(d);
	d = xasprintf("%s24,P1,91320600MA1MXK0L10,5\n", p);
	expect_diag(d, "t.csv:2:1: error: '24' in column 'year' is not a year: write four digits, e.g. 2024\n", "short year");
	free(d);
	d = xasprintf("%s2024,,91320600MA1MXK0L10,5\n", p);
	expect_diag(d, "t.csv:2:6: error: column 'project_id' is empty: fill it in\n", "empty required value");
	free(d);
	d = xasprintf("%s2024,P1,91320600MA1MXK0L10,5,6\n", p);
	expect_diag(d, "t.csv:2:30: error: this row has 5 cells, the header row 4: look for a comma too many or too few\n", "too many fields");
	free(d);
	d = xasprintf("%s2024,P1,91320600MA1MXK0L10\n", p);
	expect_diag(d, "t.csv:2:1: error: this row has 3 cells, the header row 4: look for a comma too many or too few\n", "too few fields");
	free(d);
	d = xasprintf("%s2024,\"P1,91320600MA1MXK0L10,5\n2024,P2,91320600MA1MXK0L10,5\n", p);
	expect_diag(d, "t.csv:2:6: error: this double quote (\") is never closed: add the closing quote, or delete this one\n",
	    "unterminated quote at the quote");
	free(d);
	d = xasprintf("%s2024,P\"1,91320600MA1MXK0L10,5\n", p);
	expect_diag(d, "t.csv:2:7: error: a double quote inside a cell that does not start with one", "stray quote");
	free(d);
	d = xasprintf("%s2024,\"P\nX\"1,91320600MA1MXK0L10,5\n", p);
	expect_diag(d, "t.csv:3:3: error: unexpected '1' after the closing quote of the cell that begins at 2:6 (a double quote inside a quoted cell is written twice)\n",
	    "text after a closing quote, and where the field began");
	free(d);
	d = xasprintf("year,project_id,credit_code,participants,foo\n");
	expect_diag(d, "t.csv:1:42: error: unknown column 'foo': delete it or correct its name (the columns of this form are: year, project_id, credit_code, participants)\n", "unknown column");
	free(d);
	d = xasprintf("year,project_id,credit_code,participants,year\n");
	expect_diag(d, "t.csv:1:42: error: column 'year' appears twice in the header row: delete one\n", "duplicate column");
	free(d);
	d = xasprintf("year,project_id,credit_code\n");
	expect_diag(d, "t.csv:1:1: error: the header row lacks column 'participants': add it\n", "missing column");
	free(d);
	d = xasprintf("foo,bar\n1,2\n");
	expect_diag(d, "t.csv:1:1: error: header row not recognised (foo,bar): the first row must hold the column names of one of the forms (enterprise register, participation, achievements, scores, skills results, awards)\n", "unrecognised header");
	free(d);
	expect_diag("", "t.csv:1:1: error: the CSV file is empty: it has no header row\n", "empty file");
	expect_diag("\n\n  \n", "t.csv:1:1: error: the CSV file is empty: it has no header row\n", "blank file");
	d = xasprintf("%s2024,P1,91320600MA1MXK0L10,5\n2024,P1,91320600MA1MXK0L10,7\n", p);
	expect_diag(d, "t.csv:3:1: error: duplicate row: year 2024, project_id P1, credit_code 91320600MA1MXK0L10 as on line 2, and a file may hold that once: delete or correct one of the two rows\n",
	    "duplicate key names both lines");
	free(d);
	d = xasprintf("%s2024,P1,91320600MA1MXK0L10,9999999999\n", p);
	expect_diag(d, "t.csv:2:28: error: '9999999999' in column 'participants' is too large: at most 999999999\n", "huge count");
	free(d);
	d = xasprintf("%s2024,P1,91320600MA1MXK0L10,1.5\n", p);
	expect_diag(d, "t.csv:2:28: error: '1.5' in column 'participants' is not a whole number: write digits only, e.g. 120\n", "fractional count");
	free(d);
	/* an invalid UTF-8 byte in otherwise UTF-8 Chinese text */
	d = xasprintf("%s2024,南通南通南通南通,91320600MA1MXK0L10,5\n2024,南通\xff,91320600MA1MXK0L10,5\n", p);
	expect_diag(d, "t.csv:3:8: error: invalid byte 0xFF in UTF-8 text: save the file again as \"CSV UTF-8\" from Excel or WPS\n", "invalid UTF-8 byte at its line and column");
	free(d);
	d = xasprintf("%s2024,P1,91320600MA1MXK0L10,\x01\n", p);
	expect_diag(d, "t.csv:2:28: error: control character 0x01 in the text", "control character");
	free(d);
}

static void
check_reading(void)
{
	const char *lf = "round,entry_id,judge,score\n2023-2024,A1,J1,90\n2023-2024,A1,J2,80.5\n";
	const char *crlf = "round,entry_id,judge,score\r\n2023-2024,A1,J1,90\r\n2023-2024,A1,J2,80.5\r\n";
	const char *cr = "round,entry_id,judge,score\r2023-2024,A1,J1,90\r2023-2024,A1,J2,80.5\r";
	const char *bom = "\xef\xbb\xbfround,entry_id,judge,score\n2023-2024,A1,J1,90\n2023-2024,A1,J2,80.5";
	const char *want = "2: 2023-2024@1 | A1@11 | J1@14 | 90@17\n3: 2023-2024@1 | A1@11 | J2@14 | 80.5@17\n";
	int rc;
	struct csv_info info;
	char *out;

	out = read_rows("t.csv", lf, strlen(lf), &rc, &info);
	CHECK_STR(out, want, "LF");
	CHECK(rc == 0 && info.rows == 2 && info.kind == CSV_SCORES && strcmp(info.encoding, "UTF-8") == 0,
	    "LF: info");
	free(out);
	out = read_rows("t.csv", crlf, strlen(crlf), &rc, NULL);
	CHECK_STR(out, want, "CRLF reads as LF");
	free(out);
	out = read_rows("t.csv", cr, strlen(cr), &rc, NULL);
	CHECK_STR(out, want, "a lone CR ends a line");
	free(out);
	out = read_rows("t.csv", bom, strlen(bom), &rc, &info);
	CHECK_STR(out, want, "BOM stripped, no final line end");
	CHECK_STR(info.encoding, "UTF-8 with BOM", "BOM: encoding");
	free(out);

	/* A short GBK file whose only Chinese (郑伟: D6A3 CEB0) is also valid
	 * UTF-8 (U+05A3 U+03B0) is GBK; a middle dot amid UTF-8 Chinese is not. */
	const char *gbk = "round,entry_id,judge,score\n2023-2024,A1,\xd6\xa3\xce\xb0,90\n";
	out = read_rows("t.csv", gbk, strlen(gbk), &rc, &info);
	CHECK_STR(out, "2: 2023-2024@1 | A1@11 | 郑伟@14 | 90@17\n"
	    "t.csv:1:1: note: read as GB18030 (GBK): its 2 non-ASCII characters are valid UTF-8 too, "
	    "but as UTF-8 not one is Chinese\n", "short GBK looking like UTF-8: read as GBK, with a note");
	CHECK_STR(info.encoding, "GB18030", "short GBK looking like UTF-8: encoding");
	free(out);
	const char *dot = "round,entry_id,judge,score\n2023-2024,A1,阿依·买买提,90\n";
	out = read_rows("t.csv", dot, strlen(dot), &rc, &info);
	CHECK_STR(out, "2: 2023-2024@1 | A1@11 | 阿依·买买提@14 | 90@21\n", "UTF-8 Chinese with a middle dot");
	CHECK_STR(info.encoding, "UTF-8", "UTF-8 Chinese with a middle dot: encoding");
	free(out);

	/* Quoting: commas, doubled quotes, newlines (LF and CRLF) inside quotes,
	 * spaces around fields. */
	const char *q = "round,entry_id,judge,score\n"
	    "\"2023-2024\", \"A,1\" ,\"J \"\"X\"\"\",90\n"
	    "2023-2024,\"A\r\n2\",  J3  ,\"88.5\"\n"
	    "2023-2024,A3,\"J\n\n4\",77\n";
	out = read_rows("t.csv", q, strlen(q), &rc, NULL);
	CHECK_STR(out,
	    "2: 2023-2024@1 | A,1@14 | J \"X\"@21 | 90@31\n"
	    "3: 2023-2024@1 | A\\r\\n2@11 | J3@4:6 | 88.5@4:11\n"
	    "5: 2023-2024@1 | A3@11 | J\\n\\n4@14 | 77@7:4\n",
	    "quoted fields with commas, quotes and newlines");
	CHECK(rc == 0, "quoted fields: no error");
	free(out);

	/* Column order is free: every permutation of participation's header. */
	static const char *cols[4] = {"year", "project_id", "credit_code", "participants"};
	static const char *vals[4] = {"2024", "2024-320602-001", "91320600MA1MXK0L10", "120"};
	int perm_ok = 1, perms = 0;
	for (int a = 0; a < 4; a++)
		for (int b = 0; b < 4; b++)
			for (int c = 0; c < 4; c++)
				for (int e = 0; e < 4; e++) {
					int o[4] = {a, b, c, e};
					if (a == b || a == c || a == e || b == c || b == e || c == e)
						continue;
					struct buf t = {0};
					for (int i = 0; i < 4; i++)
						buf_printf(&t, "%s%s", i ? "," : "", cols[o[i]]);
					buf_putc(&t, '\n');
					for (int i = 0; i < 4; i++)
						buf_printf(&t, "%s%s", i ? "," : "", vals[o[i]]);
					buf_putc(&t, '\n');
					out = read_rows("t.csv", t.data, t.len, &rc, NULL);
					if (rc != 0 || strncmp(out, "2: 2024@", 8) != 0 ||
					    strstr(out, "| 2024-320602-001@") == NULL || strstr(out, "| 120@") == NULL)
						perm_ok = 0;
					perms++;
					free(out);
					buf_free(&t);
				}
	CHECK(perm_ok && perms == 24, "all 24 column orders give the same fields");

	/* Rows of empty cells (Excel) and blank lines are skipped. */
	const char *blank = "round,entry_id,judge,score\n,,,\n\n   \n2023-2024,A1,J1,90\n, ,,\n";
	out = read_rows("t.csv", blank, strlen(blank), &rc, &info);
	CHECK_STR(out, "5: 2023-2024@1 | A1@11 | J1@14 | 90@17\n", "empty rows and blank lines skipped");
	CHECK(info.rows == 1, "empty rows are not counted");
	free(out);

	/* Empty header cells after the last column (Excel) are ignored while
	 * their column stays empty. */
	const char *trail = "round,entry_id,judge,score,,\n2023-2024,A1,J1,90,,\n2023-2024,A1,J2,91, ,x\n";
	out = read_rows("t.csv", trail, strlen(trail), &rc, &info);
	CHECK_STR(out, "2: 2023-2024@1 | A1@11 | J1@14 | 90@17\n"
	    "t.csv:3:22: error: 'x' in column 6, which has no name in the header row: name the column or delete the value\n",
	    "unnamed empty columns are ignored, a value in one is not");
	free(out);

	/* Ideographic spaces around a value are trimmed; the column follows. */
	const char *ideo = "round,entry_id,judge,score\n2023-2024,\xe3\x80\x80" "A1\xe3\x80\x80,\xc2\xa0J1\xc2\xa0,90\n";
	out = read_rows("t.csv", ideo, strlen(ideo), &rc, NULL);
	CHECK_STR(out, "2: 2023-2024@1 | A1@12 | J1@17 | 90@21\n", "ideographic and no-break spaces trimmed");
	free(out);

	/* Errors are all reported, good rows still reach the callback. */
	const char *mixed = "round,entry_id,judge,score\n2023-2024,A1,J1,101\n2023-2024,A1,J2,80\n2022-2024,A1,J3,8.25\n";
	out = read_rows("t.csv", mixed, strlen(mixed), &rc, &info);
	CHECK(rc == -1 && info.errors == 3 && info.rows == 3, "every bad field of every row is reported");
	CHECK(strstr(out, "3: 2023-2024@1 | A1@11 | J2@14 | 80@17\n") != NULL, "good rows still reach the callback");
	CHECK(strstr(out, "2: ") == NULL && strstr(out, "4: ") == NULL, "bad rows do not");
	free(out);

	/* The callback can stop the read. */
	struct fields f = {.ncols = 4, .stop_after = 1};
	rc = csv_read("t.csv", lf, strlen(lf), record, &f, NULL);
	CHECK(rc == -1 && f.rows == 1, "a callback returning -1 stops the read");
	buf_free(&f.out);

	/* Thousands of bad rows: the first 1000 errors are shown, the rest counted. */
	struct buf many = {0};
	buf_puts(&many, "round,entry_id,judge,score\n");
	for (int i = 0; i < 1500; i++)
		buf_printf(&many, "2023-2024,A%d,J1,200\n", i);
	out = read_rows("t.csv", many.data, many.len, &rc, &info);
	int shown = 0;
	for (const char *o = out; (o = strstr(o, ": error: '")) != NULL; o++)
		shown++;
	CHECK(rc == -1 && info.errors == 1500 && shown == 1000, "at most 1000 errors shown per file, all counted");
	CHECK(strstr(out, "t.csv:1502:1: error: 500 more errors in this file not shown") != NULL, "... and the rest summed up");
	free(out);
	buf_free(&many);

	/* A field may not grow past 1 MiB (hostile or broken input). */
	struct buf big = {0};
	buf_puts(&big, "round,entry_id,judge,score\n2023-2024,A1,J1,90\n2023-2024,\"");
	for (int i = 0; i < 150000; i++)
		buf_puts(&big, "A1,J1,90\n");
	out = read_rows("t.csv", big.data, big.len, &rc, &info);
	CHECK(rc == -1 && strstr(out, "t.csv:3:11: error: a cell longer than 1048576 bytes (a double quote never closed?)\n") != NULL,
	    "a field longer than 1 MiB is refused at its start");
	CHECK(strstr(out, "2: 2023-2024@1") != NULL, "... the rows before it were read");
	free(out);
	buf_free(&big);

	/* No callback: validation only. */
	CHECK(csv_read("t.csv", lf, strlen(lf), NULL, NULL, &info) == 0 && info.rows == 2, "validation without a callback");
}

/* GB18030 bigger than one conversion chunk: lines and columns stay right
 * across chunk boundaries. */
static void
check_gb18030_chunks(void)
{
	struct buf u = {0};
	int rows = 4000;

	buf_puts(&u, "credit_code,name,region,ownership,above_scale,industry,employees\r\n");
	for (int i = 0; i < rows; i++) {
		char code[19];
		snprintf(code, sizeof code, "91320600MA1M%05d", i);
		code[17] = credit_code_check_char(code);
		code[18] = '\0';
		buf_printf(&u, "%s,南通第%d船舶厂,320602,国有,是,\"船舶,修造\",%d\r\n", code, i, i);
	}
	buf_puts(&u, "91320600MA1MXK0L10,南通船舶厂,320602,国营,是,,1\r\n");

	iconv_t cd = iconv_open("GB18030", "UTF-8");
	size_t cap = u.len * 2, inleft = u.len, outleft = cap;
	char *gb = xmalloc(cap), *in = u.data, *o = gb;
	CHECK(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1, "test data converts to GB18030");
	iconv_close(cd);

	int rc;
	struct csv_info info;
	char *out = read_rows("gb.csv", gb, (size_t)(o - gb), &rc, &info);
	CHECK_STR(info.encoding, "GB18030", "GB18030 detected");
	CHECK(info.rows == rows + 1 && info.errors == 1, "GB18030: every row read across chunks");
	CHECK(strstr(out, "4001: 91320600MA1M03999C@1 | 南通第3999船舶厂@20 | 320602@31 | 国有@38 | 是@41 | 船舶,修造@43 | 3999@51\n") != NULL,
	    "GB18030: columns count characters, not bytes");
	CHECK(strstr(out, "gb.csv:4002:33: error: '国营' is not a value of column 'ownership': write one of 国有 集体 民营 外资 港澳台 其他\n") != NULL,
	    "GB18030: error position after many chunks");
	free(out);
	free(gb);
	buf_free(&u);
}

/* ---- The reader's flags: CSV_MAPPED, CSV_KEYS_BY_CALLER ---- */

/* A caller that finds duplicate keys itself (as ingest's store does): the
 * credit codes seen, with their lines, searched one by one. */
struct own_keys {
	struct fields f;
	char (*code)[19];
	long *line;
	int n;
};

static int
record_own_keys(void *arg, const struct csv_row *row)
{
	struct own_keys *k = arg;

	for (int i = 0; i < k->n; i++)
		if (strcmp(k->code[i], row->field[0]) == 0)
			return (int)k->line[i];
	snprintf(k->code[k->n], sizeof k->code[0], "%s", row->field[0]);
	k->line[k->n++] = row->line;
	return record(&k->f, row);
}

/* An enterprises file of ROWS rows, CRLF, with a few errors and duplicate keys far apart. */
static void
enterprises_text(struct buf *u, int rows)
{
	buf_puts(u, "credit_code,name,region,ownership,above_scale,industry,employees\r\n");
	for (int i = 0; i < rows; i++) {
		char code[19];
		int n = i % 997 == 996 ? i / 3 : i; /* every 997th row repeats an earlier key */
		snprintf(code, sizeof code, "91320600MA1M%05d", n);
		code[17] = credit_code_check_char(code);
		code[18] = '\0';
		buf_printf(u, "%s,南通第%d船舶厂,320602,%s,是,\"船舶,\n修造\",%d\r\n", code, i,
		    i % 1499 == 1498 ? "国营" : "国有", i);
	}
}

static void
check_flags(void)
{
	struct buf u = {0};
	int rows = 40000, rc_mem, rc_map;
	struct csv_info info_mem, info_map;

	/* CSV_MAPPED: a file of several MiB read from a mapping whose pages are
	 * handed back as it goes reads exactly as from memory. */
	enterprises_text(&u, rows);
	char *want = read_rows("big.csv", u.data, u.len, &rc_mem, &info_mem);
	char tmp[] = "/tmp/jingsai-csv-test.XXXXXX";
	int fd = mkstemp(tmp);
	CHECK(fd >= 0 && write(fd, u.data, u.len) == (ssize_t)u.len, "test file written");
	const char *map = mmap(NULL, u.len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	unlink(tmp);
	CHECK(map != MAP_FAILED, "test file mapped");
	struct fields f = {0};
	csv_kind_columns(CSV_ENTERPRISES, &f.ncols);
	buf_reset(&diags);
	diag_set_sink(sink, NULL, NULL, NULL);
	rc_map = csv_read_flags("big.csv", map, u.len, record, &f, &info_map, CSV_MAPPED);
	diag_set_sink(NULL, NULL, NULL, NULL);
	buf_add(&f.out, diags.data, diags.len);
	buf_putc(&f.out, '\0');
	CHECK(strstr(want, "big.csv:1994:1: error: duplicate row: credit_code") != NULL &&
	    strstr(want, "error: '国营' is not a value of column 'ownership'") != NULL, "the big file has its errors");
	CHECK(rc_map == rc_mem && info_map.rows == info_mem.rows && info_map.errors == info_mem.errors &&
	    strcmp(f.out.data, want) == 0, "CSV_MAPPED: rows and diagnostics as read from memory");
	munmap((void *)map, u.len);
	buf_free(&f.out);

	/* CSV_KEYS_BY_CALLER: the callback sees every good row and names the
	 * first line of a repeated key; the reader reports it as it would. */
	buf_reset(&u);
	enterprises_text(&u, 2100);
	free(want);
	want = read_rows("keys.csv", u.data, u.len, &rc_mem, &info_mem);
	struct own_keys k = {0};
	k.code = xcalloc(2100, sizeof *k.code);
	k.line = xcalloc(2100, sizeof *k.line);
	csv_kind_columns(CSV_ENTERPRISES, &k.f.ncols);
	buf_reset(&diags);
	diag_set_sink(sink, NULL, NULL, NULL);
	rc_map = csv_read_flags("keys.csv", u.data, u.len, record_own_keys, &k, &info_map, CSV_KEYS_BY_CALLER);
	diag_set_sink(NULL, NULL, NULL, NULL);
	buf_add(&k.f.out, diags.data, diags.len);
	buf_putc(&k.f.out, '\0');
	CHECK(strstr(want, "keys.csv:1994:1: error: duplicate row: credit_code 91320600MA1M00332Q as on line 666, and a file may hold that once: delete or correct one of the two rows\n") != NULL,
	    "duplicate keys far apart found by the reader's own key set");
	CHECK(rc_map == rc_mem && info_map.errors == info_mem.errors && strcmp(k.f.out.data, want) == 0,
	    "CSV_KEYS_BY_CALLER: the caller's duplicates reported exactly as the reader's own");
	free(k.code);
	free(k.line);
	buf_free(&k.f.out);
	free(want);
	buf_free(&u);
}

int
main(void)
{
	check_credit_codes();
	check_sniff();
	check_errors();
	check_reading();
	check_gb18030_chunks();
	check_flags();
	check_fixtures();
	buf_free(&diags);
	return CHECK_DONE();
}
