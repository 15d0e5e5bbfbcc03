/* ingest_xlsx.c — a workbook into the store: where it goes in the order of
 * kinds, then an annual return (ingest_xml.c) or each sheet of a CSV kind
 * (ingest_csv.c), kind by kind; sheets that are not data are noted or
 * reported. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ar_xlsx.h"
#include "ingest_int.h"
#include "input_file.h"
#include "xlsx_read.h"

/*
 * Where the workbook F goes in the order of kinds: an annual return's
 * place, or that of the last kind among its sheets, so that the registers
 * and annual returns of the other files are in when its rows name them (its
 * own sheets are taken in the order of kinds: a register on one sheet is in
 * before the participation on the next).  Quiet: what is wrong with it is
 * reported when it is read.
 */
enum slot
ingest_workbook_slot(struct infile *f)
{
	static const enum slot slots[CSV__KINDS] = {
	    [CSV_ENTERPRISES] = SLOT_ENTERPRISES, [CSV_PARTICIPATION] = SLOT_PARTICIPATION,
	    [CSV_ACHIEVEMENTS] = SLOT_ACHIEVEMENTS, [CSV_SCORES] = SLOT_SCORES,
	    [CSV_SKILLS] = SLOT_SKILLS, [CSV_AWARDS] = SLOT_AWARDS};
	enum slot slot = SLOT_OTHER;
	int found = 0;
	diag_sink_fn old_fn;
	void *old_arg;
	struct input_map m;
	enum input_refusal why;

	/* a look before its turn comes; the file read then must be the same */
	if (input_map(&m, f->path, &f->st, &why) != 0)
		return SLOT_OTHER;
	diag_set_sink(diag_discard, NULL, &old_fn, &old_arg);
	struct xlsx *x = xlsx_open(f->shown, m.data, m.len);
	if (x != NULL && ar_xlsx_is_return(x))
		slot = SLOT_XML;
	else if (x != NULL)
		for (int s = 0; s < xlsx_sheets(x); s++) {
			int k = xlsx_sheet_kind(x, s);
			if (k < 0)
				continue;
			if (!found || slots[k] > slot)
				slot = slots[k];
			found = 1;
			f->csv_kind = f->csv_kind == -1 || f->csv_kind == k ? k : KIND_SEVERAL;
		}
	xlsx_close(x);
	diag_set_sink(old_fn, old_arg, NULL, NULL);
	input_unmap(&m);
	return slot;
}

/* 1 for the sheet a form explains itself on (not data). */
static int
instruction_sheet(const char *name)
{
	return strcmp(name, "填表说明") == 0 || strcmp(name, "说明") == 0;
}

/*
 * Reads the workbook F (DATA/LEN) into the store as FILE_ID: an annual
 * return, or every sheet of a CSV kind, kind by kind in the order of kinds,
 * through the same rows and rules as a CSV file.  Empty sheets are noted;
 * hidden sheets and a form's 填表说明 are not data; any other sheet without
 * a known header is an error.  Returns the rows stored, or -1 on a store
 * failure.
 */
long
ingest_load_workbook(struct run *r, const struct infile *f, long long file_id, long long old_id,
    const char *data, size_t len, char encoding[32])
{
	struct xlsx *x = xlsx_open(f->shown, data, len);
	long rows = 0;
	int sheets_read = 0;

	snprintf(encoding, 32, "xlsx");
	if (x == NULL)
		return 0;
	if (f->slot == SLOT_XML) {
		rows = ingest_load_return_workbook(r, f, x, file_id, old_id);
		xlsx_close(x);
		return rows;
	}
	int n = xlsx_sheets(x), *kind = xcalloc((size_t)n + 1, sizeof *kind);
	for (int s = 0; s < n; s++)
		kind[s] = xlsx_sheet_kind(x, s);
	for (int k = 0; k < CSV__KINDS && rows >= 0; k++)
		for (int s = 0; s < n && rows >= 0; s++) {
			if (kind[s] != k)
				continue;
			long got = ingest_load_sheet(r, x, s, (enum csv_kind)k, file_id);
			rows = got < 0 ? -1 : rows + got;
			sheets_read++;
		}
	for (int s = 0; s < n && rows >= 0; s++) {
		if (kind[s] >= 0 || xlsx_sheet_hidden(x, s) || instruction_sheet(xlsx_sheet_name(x, s)))
			continue;
		if (kind[s] == -2) {
			diag_set_context(xlsx_sheet_context(x, s));
			diag(DIAG_XLSX_EMPTY_SHEET, f->shown, 0, 0);
			diag_set_context(NULL);
			continue;
		}
		/* not a known header: the reader says what is wrong with it */
		int before = r->cur_errors;
		xlsx_sheet_read(x, s, NULL, NULL, NULL, 0);
		if (r->cur_errors == before) {
			diag_set_context(xlsx_sheet_context(x, s));
			diag(DIAG_CSV_HEADER_KIND, f->shown, 1, 1);
			diag_set_context(NULL);
		}
	}
	if (rows >= 0 && sheets_read == 0 && r->cur_errors == 0)
		diag(DIAG_XLSX_NO_SHEET, f->shown, 0, 0);
	free(kind);
	xlsx_close(x);
	return rows;
}

