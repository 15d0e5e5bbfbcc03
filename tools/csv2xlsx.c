/* csv2xlsx.c — writes CSV files (UTF-8) into one workbook with libxlsxwriter,
 * a sheet per file, as an office's spreadsheet would hold them: digits of up
 * to 15 characters as number cells, everything else (credit codes too) as
 * text.  For tests (a workbook written by libxlsxwriter) and for make bench
 * (a workbook of the city's participation rows).  Streams the rows
 * (constant-memory mode).  Usage: csv2xlsx OUT.xlsx SHEET=FILE.csv... */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "jingsai.h"

struct sheet {
	lxw_worksheet *ws;
	lxw_row_t row;
	lxw_col_t col;
};

static void
on_field(void *s, size_t len, void *arg)
{
	struct sheet *sh = arg;
	const char *v = s;
	int digits = len > 0 && len <= 15;

	for (size_t i = 0; i < len && digits; i++)
		digits = v[i] >= '0' && v[i] <= '9';
	if (digits)
		worksheet_write_number(sh->ws, sh->row, sh->col, strtod(v, NULL), NULL);
	else if (len > 0)
		worksheet_write_string(sh->ws, sh->row, sh->col, v, NULL);
	sh->col++;
}

static void
on_row(int c, void *arg)
{
	(void)c;
	struct sheet *sh = arg;
	sh->row++;
	sh->col = 0;
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: csv2xlsx OUT.xlsx SHEET=FILE.csv...\n");
		return 2;
	}
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
	lxw_workbook *wb = workbook_new_opt(argv[1], &opt);
	if (wb == NULL)
		return 1;
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (eq == NULL) {
			fprintf(stderr, "csv2xlsx: %s: not SHEET=FILE\n", argv[i]);
			return 2;
		}
		*eq = '\0';
		struct buf data = {0};
		if (file_read_all(eq + 1, &data) != 0) {
			perror(eq + 1);
			return 1;
		}
		struct sheet sh = {workbook_add_worksheet(wb, argv[i]), 0, 0};
		struct csv_parser p;
		size_t skip = data.len >= 3 && memcmp(data.data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
		csv_init(&p, CSV_APPEND_NULL);
		csv_parse(&p, data.data + skip, data.len - skip, on_field, on_row, &sh);
		csv_fini(&p, on_field, on_row, &sh);
		csv_free(&p);
		buf_free(&data);
	}
	return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}
