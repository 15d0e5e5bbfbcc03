/* companion.c — the companion files of a report: the CSV and the workbook
 * of the tables it shows (sheets.h), written beside it as
 * output/RELBASE.csv and output/RELBASE.xlsx through outputs.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "companion.h"
#include "outputs.h"
#include "sheets.h"

int
companions_needed(struct out_ctx *oc, const char *relbase, const char *fingerprint)
{
	char *csv = xasprintf("%s.csv", relbase), *xlsx = xasprintf("%s.xlsx", relbase);
	int needed = out_needed(oc, csv, fingerprint) || out_needed(oc, xlsx, fingerprint);

	free(csv);
	free(xlsx);
	return needed;
}

void
companions_unchanged(struct out_ctx *oc, const char *relbase)
{
	char *csv = xasprintf("%s.csv", relbase), *xlsx = xasprintf("%s.xlsx", relbase);

	out_unchanged(oc, csv);
	out_unchanged(oc, xlsx);
	free(csv);
	free(xlsx);
}

int
companions_write(struct out_ctx *oc, const char *relbase, const char *fingerprint,
    const struct sheets *sheets, const char *title, long long date)
{
	char *csv_rel = xasprintf("%s.csv", relbase), *xlsx_rel = xasprintf("%s.xlsx", relbase);
	/* libxlsxwriter writes only to a file: one in the same folder, named as
	 * run.c sweeps away what a killed run leaves (NAME.tmp.PID) */
	char *scratch = xasprintf("%s/%s.xlsx.part.tmp.%ld", oc->opts->output_dir, relbase,
	    (long)getpid());
	char *folder = xstrdup(scratch);
	struct buf csv = {0}, xlsx = {0};
	int rc = -1;

	*strrchr(folder, '/') = '\0';
	sheets_write_csv(sheets, &csv);
	if (mkdir_p(folder) != 0)
		diag(DIAG_IO_WRITE, folder, 0, 0, strerror(errno));
	else if (sheets_write_xlsx(sheets, title, date, scratch, &xlsx) == 0 &&
	    out_write(oc, csv_rel, fingerprint, csv.data, csv.len) == 0 &&
	    out_write(oc, xlsx_rel, fingerprint, xlsx.data, xlsx.len) == 0)
		rc = 0;
	buf_free(&csv);
	buf_free(&xlsx);
	free(folder);
	free(scratch);
	free(csv_rel);
	free(xlsx_rel);
	return rc;
}
