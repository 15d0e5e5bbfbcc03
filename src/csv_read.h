/* csv_read.h — the CSV reader: recognises the six CSV kinds of SPEC §3.2 by
 * their header, decodes UTF-8 / GB18030, parses with libcsv and validates
 * every field, handing each good row to a callback. */
#ifndef CSV_READ_H
#define CSV_READ_H

#include <stddef.h>

enum csv_kind {
	CSV_ENTERPRISES,
	CSV_PARTICIPATION,
	CSV_ACHIEVEMENTS,
	CSV_SCORES,
	CSV_SKILLS,
	CSV_AWARDS,
	CSV__KINDS /* also: "not recognised" in csv_info.kind */
};

/* One validated data row, as the callback sees it.  Everything points into
 * the reader's memory and is valid only during the callback. */
struct csv_row {
	long line;                /* line where the row starts (1-based) */
	const char *const *field; /* the fields in SPEC §3.2 column order (see
	                           * csv_kind_columns), UTF-8, NUL-terminated,
	                           * surrounding spaces trimmed; "" when empty */
	const long *column;       /* 1-based character column where each field
	                           * starts in its line */
	const long *field_line;   /* line where each field starts: differs from
	                           * LINE only after a newline inside quotes */
	enum csv_kind kind;       /* the file's kind */
	int nfields;              /* number of fields: the kind's columns */
};

/* Called once per good row, in file order.  Returns 0 to go on, -1 to stop
 * the read (csv_read then returns -1).  Under CSV_KEYS_BY_CALLER it may
 * also return the line (> 0) of an earlier row of the file with the same
 * key: the reader then reports the row as a duplicate of that line. */
typedef int (*csv_row_fn)(void *arg, const struct csv_row *row);

/* Flags of csv_read_flags. */
enum {
	/* The callback finds duplicate keys (the store does, ingest_csv.c): the
	 * reader keeps no set of keys and hands it every good row. */
	CSV_KEYS_BY_CALLER = 1,
	/* DATA is a private read-only mapping of a file (mmap, page-aligned):
	 * the reader hands back each page once read (madvise), so that the
	 * file's pages do not pile up in the process's memory. */
	CSV_MAPPED = 2
};

/* What csv_read found out about a file. */
struct csv_info {
	enum csv_kind kind;   /* CSV__KINDS when the header was not recognised */
	const char *encoding; /* "UTF-8", "UTF-8 with BOM" or "GB18030" (static) */
	long rows;            /* data rows read (header and blank lines not counted) */
	int errors;           /* errors reported for this file */
};

/* Returns the kind (>= 0) when the first line of DATA is the header of a
 * known kind (any encoding, any column order; a header that names at least
 * half of a kind's columns counts, so that csv_read can then say what is
 * wrong with it), else -1.  Reads at most the first 64 KiB. */
int csv_sniff(const char *data, size_t len);

/* Reads the LEN bytes at DATA (the content of PATH, used in diagnostics):
 * decodes, parses and validates them and calls FN (if not NULL) with ARG for
 * every row without error.  Fills *INFO when INFO is not NULL.  Returns 0
 * when the file has no error, -1 otherwise; every error is reported through
 * diag() as PATH:LINE:COLUMN.  Memory use does not grow with the file size,
 * except for the set of keys seen (16 to 32 bytes a row) that finds
 * duplicates. */
int csv_read(const char *path, const char *data, size_t len, csv_row_fn fn, void *arg,
    struct csv_info *info);

/* csv_read with FLAGS (CSV_KEYS_BY_CALLER: no key set; with CSV_MAPPED
 * too, memory use does not grow with the file at all). */
int csv_read_flags(const char *path, const char *data, size_t len, csv_row_fn fn, void *arg,
    struct csv_info *info, int flags);

/* "enterprises", "participation", "achievements", "scores", "skills",
 * "awards"; "unknown" for anything else. */
const char *csv_kind_name(enum csv_kind k);

/* The column names of kind K in SPEC §3.2 order (the order of
 * csv_row.field); stores their count in *N.  NULL for an unknown kind. */
const char *const *csv_kind_columns(enum csv_kind k, int *n);

/* Index of column NAME in kind K's order, or -1. */
int csv_column_index(enum csv_kind k, const char *name);

/* Returns 1 when CODE is an 18-character 统一社会信用代码 whose last
 * character is the GB 32100-2015 check character of the first 17, else 0. */
int credit_code_valid(const char *code);

/* The check character GB 32100-2015 gives the first 17 characters of CODE,
 * or 0 when one of them is not in the code's alphabet. */
char credit_code_check_char(const char *code);

/* ---- Between csv_read.c and csv_validate.c -------------------------------- */

/* Matches the NAMES of a header row (N of them, trimmed) against the kinds.
 * Returns the best kind, or -1 when none matches at least half of its
 * columns.  MAP[i] receives the column index of NAMES[i] in that kind, or -1
 * when unknown to it, or -2 when a repeat of an earlier column. */
int csv_header_match(const char *const *names, int n, int *map);

/* Validates the fields of one row of kind K (column order of the kind);
 * reports every bad field through diag() at PATH:FIELD_LINE:COLUMN (PATH
 * NULL: reports nothing).  Returns the number of errors. */
int csv_validate_row(enum csv_kind k, const char *path, const char *const *field,
    const long *field_line, const long *column);

/* The key columns of kind K, as indices in column order, ending with -1. */
const int *csv_kind_key(enum csv_kind k);

#endif
