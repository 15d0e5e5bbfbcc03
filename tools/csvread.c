/* csvread.c — reads CSV submissions with the reader alone (no store) and
 * prints, per file, its kind, encoding, rows, errors and the reading speed
 * (in CPU time of the process, so that a busy machine does not skew it,
 * then in wall time, to compare with the workbook reader's threads);
 * for benchmarks and for looking at a file by hand.  Diagnostics go to
 * stderr.  Usage: csvread FILE...  With several files, a total line closes.
 * Exit status 1 when a file had errors. */
#include <stdlib.h>
#include <time.h>

#include "csv_read.h"
#include "jingsai.h"

static int
count_row(void *arg, const struct csv_row *row)
{
	(void)row;
	++*(long *)arg;
	return 0;
}

int
main(int argc, char **argv)
{
	int status = 0;
	long total_rows = 0;
	double total_s = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: csvread FILE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct buf data = {0};
		struct csv_info info;
		struct timespec t0, t1;
		long passed = 0;

		if (file_read_all(argv[i], &data) != 0) {
			perror(argv[i]);
			status = 1;
			continue;
		}
		double w0 = jz_wall_seconds();
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
		int rc = csv_read(argv[i], data.data ? data.data : "", data.len, count_row, &passed, &info);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
		double w = jz_wall_seconds() - w0;
		double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		printf("%s: %s, %s, %ld rows, %ld passed, %d errors, %.3f s, %.0f rows/s, %.1f MB/s; "
		    "wall %.3f s, %.0f rows/s\n",
		    argv[i], csv_kind_name(info.kind), info.encoding, info.rows, passed, info.errors, s,
		    s > 0 ? (double)info.rows / s : 0.0, s > 0 ? (double)data.len / s / 1e6 : 0.0, w,
		    w > 0 ? (double)info.rows / w : 0.0);
		total_rows += info.rows;
		total_s += s;
		if (rc != 0)
			status = 1;
		buf_free(&data);
	}
	if (argc > 2)
		printf("total: %ld rows, %.3f s, %.0f rows/s\n", total_rows, total_s,
		    total_s > 0 ? (double)total_rows / total_s : 0.0);
	return status;
}
