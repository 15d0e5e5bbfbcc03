/* xlsxread.c — reads workbooks with the workbook reader alone (no store)
 * and prints, per sheet, its kind, rows, errors and the reading speed (in
 * CPU time of the process, every thread's, then in wall time: a large
 * sheet is unpacked and parsed on threads of its own); for benchmarks and
 * for looking at a workbook by hand.  Diagnostics go to stderr.  Usage:
 * xlsxread [--cells] FILE...
 * (--cells prints every cell as the reader shows it, ROW:COL TEXT).  Keys
 * are left to the caller, as ingest leaves them to the store, so memory is
 * what ingest's reading of a sheet takes.  Exit status 1 when a sheet had
 * errors. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jingsai.h"
#include "xlsx_read.h"

static int
count_row(void *arg, const struct csv_row *row)
{
	(void)row;
	++*(long *)arg;
	return 0;
}

static int
print_cell(void *arg, long row, long col, const char *text, size_t len)
{
	(void)arg;
	printf("%ld:%ld %.*s\n", row, col, (int)len, text);
	return 0;
}

static double
cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	int status = 0, cells = 0;
	long total_rows = 0;
	double total_s = 0;

	if (argc > 1 && strcmp(argv[1], "--cells") == 0) {
		cells = 1;
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: xlsxread [--cells] FILE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct buf data = {0};
		if (file_read_all(argv[i], &data) != 0) {
			perror(argv[i]);
			status = 1;
			continue;
		}
		double t0 = cpu_now(), w0 = jz_wall_seconds();
		struct xlsx *x = xlsx_open(argv[i], data.data ? data.data : "", data.len);
		if (x == NULL) {
			status = 1;
			buf_free(&data);
			continue;
		}
		for (int s = 0; s < xlsx_sheets(x); s++) {
			if (cells) {
				printf("== %s\n", xlsx_sheet_name(x, s));
				if (xlsx_sheet_cells(x, s, print_cell, NULL, NULL) < 0)
					status = 1;
				continue;
			}
			struct csv_info info;
			long passed = 0;
			int kind = xlsx_sheet_kind(x, s);
			if (kind < 0) {
				printf("%s: sheet %s: %s\n", argv[i], xlsx_sheet_name(x, s),
				    kind == -2 ? "empty" : "no known header");
				if (kind == -1 && xlsx_sheet_read(x, s, NULL, NULL, NULL, 0) != 0)
					status = 1;
				continue;
			}
			int rc = xlsx_sheet_read(x, s, count_row, &passed, &info, CSV_KEYS_BY_CALLER);
			double t1 = cpu_now(), sec = t1 - t0, w1 = jz_wall_seconds(), wall = w1 - w0;
			printf("%s: sheet %s: %s, %ld rows, %ld passed, %d errors, %.3f s, %.0f rows/s; "
			    "wall %.3f s, %.0f rows/s\n",
			    argv[i], xlsx_sheet_name(x, s), csv_kind_name(info.kind), info.rows, passed,
			    info.errors, sec, sec > 0 ? (double)info.rows / sec : 0.0, wall,
			    wall > 0 ? (double)info.rows / wall : 0.0);
			total_rows += info.rows;
			total_s += sec;
			t0 = t1;
			w0 = w1;
			if (rc != 0)
				status = 1;
		}
		xlsx_close(x);
		buf_free(&data);
	}
	if (total_s > 0 && argc > 2)
		printf("total: %ld rows, %.3f s, %.0f rows/s\n", total_rows, total_s, (double)total_rows / total_s);
	return status;
}
