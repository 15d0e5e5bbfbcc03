/* fuzz_xlsx.c — libFuzzer target for the workbook reader: any bytes, opened
 * as an .xlsx, must give diagnostics and rows as a CSV file would (every
 * sheet read as a table of its kind, and as an annual return), and no
 * crash, leak, hang or undefined behaviour.  The seeds are small workbooks
 * (forms, openpyxl and libxlsxwriter files, hostile ones); libFuzzer's
 * mutations mostly break the zip, so the dictionary carries the XML
 * vocabulary for the stored (uncompressed) seeds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ar_xlsx.h"
#include "jingsai.h"
#include "xlsx_read.h"

static void
sink(const struct diag_msg *m, void *arg)
{
	(void)arg;
	if (m->text == NULL || m->text[0] == '\0')
		abort();
}

static int
row_fn(void *arg, const struct csv_row *row)
{
	(void)arg;
	for (int i = 0; i < row->nfields; i++)
		if (row->field[i] == NULL || !utf8_valid(row->field[i], strlen(row->field[i]), NULL))
			abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	diag_set_sink(sink, NULL, NULL, NULL);
	struct xlsx *x = xlsx_open("fuzz.xlsx", (const char *)data, size);
	if (x != NULL) {
		for (int s = 0; s < xlsx_sheets(x); s++) {
			struct csv_info info;
			xlsx_sheet_kind(x, s);
			xlsx_sheet_read(x, s, row_fn, NULL, &info, 0);
		}
		int errors;
		xmlDocPtr doc = ar_xlsx_read(x, "fuzz.xlsx", "2025-01-15T10:00:00+08:00", NULL, NULL, &errors);
		if (doc != NULL) {
			struct annual_return *ar = ar_from_doc(doc);
			ar_free(ar);
			ar_xlsx_free(doc);
		}
		xlsx_close(x);
	}
	diag_set_sink(NULL, NULL, NULL, NULL);
	return 0;
}
