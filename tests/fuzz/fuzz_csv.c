/* fuzz_csv.c — libFuzzer target for the CSV reader: any bytes must give
 * diagnostics with a position, rows with sane fields, and no crash, leak
 * or undefined behaviour; read as ingest reads a file too (mapped, its
 * pages handed back as read, duplicate keys left to the caller), with the
 * same rows and encoding. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csv_read.h"
#include "jingsai.h"

static void
sink(const struct diag_msg *m, void *arg)
{
	/* every diagnostic about the file points into it */
	if (m->file != NULL && m->level != DIAG_FATAL && (m->line < 1 || m->column < 1))
		abort();
	if (m->text == NULL || m->text[0] == '\0')
		abort();
}

static int
row_fn(void *arg, const struct csv_row *row)
{
	int n;

	if (row->line < 1 || csv_kind_columns(row->kind, &n) == NULL || n != row->nfields)
		abort();
	for (int i = 0; i < row->nfields; i++) {
		const char *f = row->field[i];
		if (f == NULL || row->column[i] < 1 || row->field_line[i] < row->line)
			abort();
		if (!utf8_valid(f, strlen(f), NULL))
			abort();
		for (const char *p = f; *p; p++)
			if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
				abort();
	}
	return 0;
}

/* DATA read as ingest reads a file; INFO from the plain reading. */
static void
read_mapped(const uint8_t *data, size_t size, const struct csv_info *plain)
{
	struct csv_info info;
	int fd = memfd_create("fuzz.csv", MFD_CLOEXEC);
	void *p;

	if (fd < 0 || size == 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return;
	}
	p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return;
	csv_read_flags("fuzz.csv", p, size, row_fn, NULL, &info, CSV_MAPPED | CSV_KEYS_BY_CALLER);
	if (info.rows != plain->rows || info.encoding == NULL ||
	    strcmp(info.encoding, plain->encoding) != 0)
		abort();
	munmap(p, size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_info info;

	diag_set_sink(sink, NULL, NULL, NULL);
	csv_sniff((const char *)data, size);
	int rc = csv_read("fuzz.csv", (const char *)data, size, row_fn, NULL, &info);
	if ((rc == 0) != (info.errors == 0) || info.encoding == NULL)
		abort();
	read_mapped(data, size, &info);
	if (size >= 18) {
		char code[19];
		memcpy(code, data, 18);
		code[18] = '\0';
		credit_code_valid(code);
	}
	diag_reset();
	return 0;
}
