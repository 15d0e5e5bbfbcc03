/* xlsx_read.h — reading Excel workbooks (.xlsx) that offices send: the zip
 * opened with libzip, every XML part streamed with libxml2, each cell given
 * as the text Excel shows for it. */
#ifndef XLSX_READ_H
#define XLSX_READ_H

#include <stddef.h>

#include "csv_read.h"

/* Limits on what a workbook may hold: beyond them it is refused (a zip bomb,
 * a hostile file) before or while it is read, never read into memory. */
#define XLSX_MAX_PART (1LL << 30)      /* bytes of one worksheet, unpacked */
#define XLSX_MAX_META (64LL << 20)     /* bytes of any other part, unpacked */
#define XLSX_MAX_RATIO 250             /* unpacked : packed, past the first MiB */
#define XLSX_MAX_STRINGS 1000000       /* shared strings */
#define XLSX_MAX_ROWS 1048576          /* rows of a sheet (Excel's own limit) */
#define XLSX_MAX_COLS 16384            /* columns of a sheet (XFD) */

struct xlsx;

/* 1 when the LEN bytes at DATA start like a zip archive (an .xlsx). */
int xlsx_is_zip(const char *data, size_t len);
/* 1 when they start like an OLE2 compound file (an .xls of Excel 97-2003). */
int xlsx_is_ole2(const char *data, size_t len);

/* Opens the workbook PATH whose LEN bytes are at DATA (kept, not copied:
 * they must outlive the workbook): checks every entry of the zip, reads the
 * sheet list, the shared strings and the number formats.  Returns the
 * workbook (xlsx_close frees it), or NULL after every problem was reported
 * through diag() as PATH:LINE:COL. */
struct xlsx *xlsx_open(const char *path, const char *data, size_t len);
void xlsx_close(struct xlsx *x);

/* The worksheets, in workbook order. */
int xlsx_sheets(const struct xlsx *x);
const char *xlsx_sheet_name(const struct xlsx *x, int sheet);
/* 1 when the sheet is hidden (the lists behind a form's drop-downs). */
int xlsx_sheet_hidden(const struct xlsx *x, int sheet);

/* Called for every cell with a value, in row order then column order:
 * ROW and COL from 1, TEXT (LEN bytes, NUL-terminated) as Excel shows the
 * cell.  Returns 0 to go on, -1 to stop reading the sheet. */
typedef int (*xlsx_cell_fn)(void *arg, long row, long col, const char *text, size_t len);
/* Called at the end of every row that had a cell; 0 to go on, -1 to stop. */
typedef int (*xlsx_row_end_fn)(void *arg, long row);

/* Streams the cells of SHEET.  While it runs, diagnostics of any stage end
 * with "(sheet NAME)".  The callbacks run on the calling thread (a large
 * sheet is meanwhile unpacked and parsed on two others, a few batches of
 * cells ahead), and so does every diagnostic.  Returns 0, 1 when a
 * callback stopped it, or -1 after a diagnostic (the part is damaged or
 * hostile). */
int xlsx_sheet_cells(struct xlsx *x, int sheet, xlsx_cell_fn cell, xlsx_row_end_fn row_end,
    void *arg);

/* The CSV kind the header of SHEET names (looked for in its first five
 * rows with a value), or -1; -2 when the sheet has no value at all. */
int xlsx_sheet_kind(struct xlsx *x, int sheet);

/* Reads SHEET as a table of a CSV kind: the same header search, habits,
 * validation and keys as a CSV file (csv_rows.c), with rows and cell
 * columns for lines and columns.  FN, ARG, INFO and FLAGS as for
 * csv_read_flags (INFO's encoding is "xlsx").  Returns 0 when the sheet had
 * no error, else -1. */
int xlsx_sheet_read(struct xlsx *x, int sheet, csv_row_fn fn, void *arg, struct csv_info *info,
    int flags);

/* The name of SHEET, for diag_set_context while it is read (static storage). */
const char *xlsx_sheet_context(const struct xlsx *x, int sheet);

#endif
