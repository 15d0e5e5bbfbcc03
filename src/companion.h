/* companion.h — a report's companion CSV and workbook (companion.c). */
#ifndef COMPANION_H
#define COMPANION_H

struct out_ctx;
struct sheets;

/* 1 when output/RELBASE.csv or .xlsx must be (re)written for FINGERPRINT
 * (out_needed). */
int companions_needed(struct out_ctx *oc, const char *relbase, const char *fingerprint);
/* Counts both as up to date (out_unchanged). */
void companions_unchanged(struct out_ctx *oc, const char *relbase);
/* Writes SHEETS as output/RELBASE.csv (UTF-8 with BOM, CRLF) and
 * output/RELBASE.xlsx (a sheet per table; TITLE and DATE, the document's
 * date in seconds since the epoch, in its properties), each as out_write
 * does, recorded with FINGERPRINT.  Returns 0, or -1 after a diagnostic. */
int companions_write(struct out_ctx *oc, const char *relbase, const char *fingerprint,
    const struct sheets *sheets, const char *title, long long date);

#endif
