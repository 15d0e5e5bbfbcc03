/* csv_read.h — the CSV reader: recognises the six CSV kinds of SPEC §3.2 by
 * their header, decodes UTF-8 / GB18030, parses with libcsv and validates
 * every field, handing each good row to a callback. */
#ifndef CSV_READ_H
#define CSV_READ_H

#include <stddef.h>

#define CSV_MAX_COLS 64 /* columns of a header, at most */

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

/* Index of column NAME in kind K's order, or -1.  NAME is the English
 * identifier (any case) or one of the Chinese names; spaces and line breaks
 * inside it, a '*' marking a required column and a unit in brackets after
 * it ("职工人数（人）") do not matter.  -4 (CSV_IGNORED) for 序号, the
 * running number Excel tables start with. */
int csv_column_index(enum csv_kind k, const char *name);
#define CSV_IGNORED (-4)

/* ---- The one table of CSV kinds (csv_validate.c) --------------------------
 * One row per column of every kind: its English identifier, its Chinese
 * names, the store column, the rule of its values, how it goes into the
 * store and what it refers to.  Adding a column or a name is one edit there;
 * the readers, the header matching, the store statements, the reference
 * checks and the fill-in forms all loop over these rows. */

/* What a column holds; the rules are in csv_validate.c's check_field(). */
enum csv_type {
	CT_TEXT,   /* any text */
	CT_LIST,   /* names separated by 、, none of them empty */
	CT_YEAR,   /* 4 digits */
	CT_COUNT,  /* whole number >= 0 (Excel's 1,234 / 120.0 / １２０ taken) */
	CT_RANK,   /* whole number >= 1 (the same) */
	CT_CREDIT, /* 统一社会信用代码, GB 32100-2015 */
	CT_ENUM,   /* one of col.values (or a synonym of one) */
	CT_ROUND,  /* YYYY-YYYY, consecutive years */
	CT_SCORE   /* 0-100, at most one decimal */
};

/* May the value be empty? */
enum csv_need {
	CN_REQUIRED,
	CN_OPTIONAL,
	CN_PERSON /* required when the row's recipient_kind is person */
};

/* How a field goes into its store column. */
enum csv_conv {
	CV_TEXT,      /* as is */
	CV_TEXT_NULL, /* empty -> NULL */
	CV_INT,
	CV_INT_NULL,
	CV_REAL,
	CV_REAL_NULL,
	CV_YES_NO,    /* 是 -> 1, 否 -> 0 */
	CV_REGION,    /* code, name or alias -> code (programme.xml) */
	CV_AWARD      /* code or title -> code (programme.xml) */
};

/* What a field refers to, checked when the file is ingested. */
enum csv_ref {
	CR_NONE,
	CR_REGION,     /* a region of programme.xml */
	CR_PERIOD,     /* a year within the programme period */
	CR_PROJECT,    /* a project of a current annual return */
	CR_ENTERPRISE, /* a credit code of the enterprises register */
	CR_ENTRY,      /* an achievement entry of the row's round */
	CR_AWARD       /* an award of programme.xml that fits recipient_kind, gender */
};

struct csv_column {
	const char *name;   /* English identifier, matched without regard to case */
	const char *zh;     /* Chinese names, '|' between them; the first is the
	                     * one the forms write */
	const char *column; /* store column */
	enum csv_type type;
	enum csv_need need;
	const char *const *values; /* CT_ENUM: "value|synonym|...", NULL-terminated;
	                            * the first of each is what the store gets */
	enum csv_conv conv;
	enum csv_ref ref;
};

struct csv_kind_def {
	const char *name;  /* "enterprises" */
	const char *zh;    /* "企业名录": forms' file and sheet name */
	const char *table; /* store table */
	const struct csv_column *cols;
	int ncols;
	int key[5];         /* key columns (indices into cols), -1 ends */
	int recipient_kind; /* column deciding CN_PERSON, or -1 */
	int recipient;      /* column naming the recipient in messages, or -1 */
};

/* The row of kind K (NULL for an unknown kind). */
const struct csv_kind_def *csv_kind_def(enum csv_kind k);

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
 * NULL: reports nothing), naming column I as LABEL[I] (the header's own
 * words: 性别 when the form says 性别; LABEL NULL: the English names).
 * Returns the number of errors. */
int csv_validate_row(enum csv_kind k, const char *path, const char *const *field,
    const long *field_line, const long *column, const char *const *label);

/* Makes Excel's spellings of the fields of one row of kind K plain, in
 * place (each field's bytes must be writable; none grows): counts written
 * 1,234 / 120.0 / １２０ become 1234 / 120 / 120, a synonym of an
 * enumeration (个人) becomes the store's word (person).  Validation comes
 * after. */
void csv_normalize_row(enum csv_kind k, char **field);

/* ---- The rows of a table, whichever reader found them (csv_rows.c) ---------
 * A reader (csv_read.c for CSV text, xlsx_read.c for worksheets) hands over
 * each row field by field; csv_rows finds the header among the first five
 * rows, skips Excel's title, totals and note rows with a note, validates
 * every field and passes the good rows to the callback. */
struct csv_rows;

/* A new table read from PATH (named in diagnostics); FN, ARG and FLAGS as
 * for csv_read_flags.  SPARSE: a row may end before the header does (its
 * missing cells are empty), as worksheet rows do; else such a row is
 * ragged.  csv_rows_finish frees it. */
struct csv_rows *csv_rows_new(const char *path, csv_row_fn fn, void *arg, int flags, int sparse);
/* Adds the LEN bytes at S (UTF-8, not NUL-terminated) as the next field of
 * the row being gathered; it starts at LINE:COL (COL: characters in a CSV
 * line, cells in a worksheet row). */
void csv_rows_field(struct csv_rows *t, const char *s, size_t len, long line, long col);
/* Ends the row being gathered and takes it. */
void csv_rows_end_row(struct csv_rows *t);
/* Hands the good rows held back to the callback: call it before reporting
 * anything yourself, so that diagnostics stay in line order. */
void csv_rows_flush(struct csv_rows *t);
/* 1 once no more rows are taken (a fatal error, or the callback said so). */
int csv_rows_stopped(const struct csv_rows *t);
/* The reader reported an error that ends the table: counted, and no more
 * rows are taken. */
void csv_rows_fail(struct csv_rows *t);
/* The reader reported an error of its own about the table (cells merged
 * over its rows): counted; rows are still taken. */
void csv_rows_count_error(struct csv_rows *t);
/* The rows taken as data so far (good or not): not the header, the rows
 * above it, blank, totals or note rows. */
long csv_rows_data_rows(const struct csv_rows *t);
/* The kind of the header found, or -1 while none is. */
int csv_rows_kind(const struct csv_rows *t);
/* Ends the table (LINE: where the input ended, for the last messages):
 * reports a missing header and the notes held, fills INFO's kind, rows and
 * errors (when INFO is not NULL), frees T.  Returns 0 when the table had
 * no error, else -1. */
int csv_rows_finish(struct csv_rows *t, long line, struct csv_info *info);

/* 1 when NAME (a header cell, as csv_column_index takes it) is ENGLISH
 * (any case; NULL: none) or one of the '|'-separated Chinese names ZH. */
int csv_names_match(const char *english, const char *zh, const char *name);
/* A whole number as Excel writes it (1,234 / 120.0 / １２０) made plain in
 * place; anything else is left as it is. */
void csv_normalize_count(char *v);
/* A year as offices write it (２０２５ in full-width digits, 2025年) made
 * plain in place; anything else is left as it is. */
void csv_normalize_year(char *v);
/* 1 when a row whose first cell is V is a note below a table (填表人：…). */
int csv_is_note_text(const char *v);

/* The word a form shows for recipient kind CODE (person → 个人, unit → 单位,
 * team → 班组), or CODE itself (static storage). */
const char *csv_recipient_kind_word(const char *code);

/* The key columns of kind K, as indices in column order, ending with -1. */
const int *csv_kind_key(enum csv_kind k);

#endif
