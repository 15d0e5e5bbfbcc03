/* sheets.h — the tables of a document as its companion files hold them (a
 * "sheet" each, not to be confused with the laid-out tables of table.c): the
 * CSV, every table one block after another (csv_write.c), and the workbook,
 * a sheet per table (xlsx_write.c).  Whoever lays a document out (the
 * template engine) fills a struct sheets as it goes; the writers read it.
 *
 * A cell keeps both what the CSV shows (numbers plain: 1234, 12.3%, +56)
 * and, for a number, its value and how the workbook formats it, so that
 * the two files hold the same figures. */
#ifndef SHEETS_H
#define SHEETS_H

#include "jingsai.h"

enum cell_kind {
	CELL_TEXT,    /* text, as shown */
	CELL_NUMBER,  /* VALUE with DECIMALS places, thousands separated in the workbook */
	CELL_PLAIN,   /* VALUE with DECIMALS places, digits only (years, codes) */
	CELL_PERCENT, /* VALUE a fraction: 0.123 is 12.3% (one decimal) */
	CELL_CHANGE   /* VALUE signed: +1,234 / -56 / 0, DECIMALS places */
};

struct sheet_cell {
	enum cell_kind kind;
	char *text;      /* what the CSV holds (owned) */
	double value;    /* numbers */
	int decimals;    /* places shown, numbers */
};

struct sheet {
	char *title;       /* owned; the sheet's name comes from it */
	int ncols;
	char **header;     /* ncols names (owned) */
	struct sheet_cell *cells; /* nrows × ncols, row after row */
	int nrows, caprows;
	int total;         /* 1: the last row is a total (bold in the workbook) */
};

/* Zero-initialised is empty. */
struct sheets {
	struct sheet *t;
	int n, cap;
};

/* Adds a table of NCOLS columns titled TITLE (copied) to TS and returns it
 * (valid until the next sheets_add); its header names are empty until set. */
struct sheet *sheets_add(struct sheets *ts, const char *title, int ncols);
/* Sets the name of column COL (copied). */
void sheet_header(struct sheet *t, int col, const char *name);
/* Adds a row and returns its NCOLS cells, each an empty text. */
struct sheet_cell *sheet_row(struct sheet *t);
/* Sets C to the text S (copied; NULL reads as empty). */
void sheet_text(struct sheet_cell *c, const char *s);
/* Sets C to the number V shown with DECIMALS places (its CSV text: plain). */
void sheet_number(struct sheet_cell *c, double v, int decimals);
/* Sets C to the fraction V, shown as a percentage with one decimal. */
void sheet_percent(struct sheet_cell *c, double v);
/* Sets C to the signed change V with DECIMALS places ("+56", "-1.5", "0"). */
void sheet_change(struct sheet_cell *c, double v, int decimals);
/* Releases everything TS holds; TS is empty again. */
void sheets_free(struct sheets *ts);

/* ---- The CSV (csv_write.c): UTF-8 with a BOM, CRLF ----------------------
 * Every CSV the program writes goes through these: Excel on Chinese Windows
 * opens it as is, and a cell from input data never acts as a formula. */

/* Starts a CSV file in OUT: the byte-order mark. */
void csv_begin(struct buf *out);
/* Appends the text cell S (NULL reads as empty) to OUT, after a comma
 * unless FIRST.  Quoted as RFC 4180 says when it holds a comma, a quote or
 * a line break.  A cell that a spreadsheet would run as a formula (= + - @
 * tab or CR first, OWASP's list) gets a leading ', unless it is a real
 * number (-5, +56); so does one it would turn into a date or a number
 * that loses digits (1/11, 3月5日, 007, an 18-digit code), kept as text. */
void csv_text(struct buf *out, const char *s, int first);
/* Appends a number cell, PLAIN as written (1234, 12.5, 12.3%, +56): it is
 * checked to be a number, and written as text (csv_text) otherwise. */
void csv_number(struct buf *out, const char *plain, int first);
/* Ends a row: CRLF. */
void csv_end_row(struct buf *out);
/* 1 when S reads as a number in a spreadsheet (digits with an optional
 * sign, decimals and percent sign), else 0. */
int csv_is_number(const char *s);
/* Writes every table of TS into OUT after a BOM: its title on a row, the
 * header, the rows, then an empty row. */
void sheets_write_csv(const struct sheets *ts, struct buf *out);

/* ---- The workbook (xlsx_write.c, libxlsxwriter) --------------------------
 * Writes TS as an .xlsx into OUT: a sheet per table (named from its title),
 * the title on top, the header row bold and frozen, numbers as numbers
 * (thousands separated, percentages as percentages), the total row bold,
 * columns as wide as their widest cell.  TITLE and DATE (seconds since the
 * epoch: the date of the document the tables are from) go into the
 * document's properties, so the same tables give the same bytes whenever
 * they are written.  libxlsxwriter writes only to a file: SCRATCH names one
 * it may use (removed after).  Returns 0, or -1 after a diagnostic. */
int sheets_write_xlsx(const struct sheets *ts, const char *title, long long date,
    const char *scratch, struct buf *out);

#endif
