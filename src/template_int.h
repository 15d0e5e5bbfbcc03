/* template_int.h — the report-template engine's model, shared by its
 * stages: loading and checking the XML (template_load.c), queries,
 * placeholders and number formats (template_query.c), the tables of the
 * companion CSV and workbook (template_sheets.c) and laying the report out
 * (template_render.c).  Each
 * calls only those before it in that list.  Callers use template.h.
 *
 * The XML is read once into a tree of nodes.  Each element kind is one row
 * of the grammar, tpl_kinds (its attributes and children), and one row of
 * each later stage's table, indexed by the same enum kind_id: the check that
 * runs once its queries ran (template_query.c) and the function that lays
 * it out (template_render.c), as mandoc's validators and formatters each
 * keep one array indexed by macro.  A new kind of element is a row in each
 * and two small functions. */
#ifndef TEMPLATE_INT_H
#define TEMPLATE_INT_H

#include <sqlite3.h>

#include "jingsai.h"
#include "template.h"

/* Every attribute any element may carry; a kind allows a subset. */
enum attr {
	A_TITLE, A_SUBTITLE, A_ISSUER, A_DATE, A_AUTHOR, A_NAME, A_SQL, A_KEY,
	A_HEADER, A_ALIGN, A_FORMAT, A_WIDTH, A_NULL, A_LABEL, A_KIND, A_CATEGORY,
	A_VALUES, A_NAMES, A_UNIT, A_HEIGHT, A_WHEN, A_UNLESS, A_STYLE, A_EMPTY,
	A_NUMBER, A_BY, A_VALUE, A_WRAP, A_MIN_WIDTH, A_MAX_WIDTH, A_FLOAT, A_PUNCTUATION,
	A_COPY_TO, A_PRINTER,
	A__COUNT             /* at most 64: attribute sets are bits of an unsigned long long */
};
#define AT(a) (1ull << (a))

enum kind_id {
	K_REPORT, K_COVER, K_SECTION, K_SUBSECTION, K_QUERY, K_P, K_TABLE, K_COL,
	K_COLS, K_TOTAL, K_CHART, K_PAGEBREAK, K_REDHEAD, K_SIGNATURE, K_ATTACHMENTS, K_ATTACHMENT,
	K_COLOPHON, K__COUNT
};
#define KB(k) (1u << (k))
#define FLOW (KB(K_SECTION) | KB(K_SUBSECTION) | KB(K_QUERY) | KB(K_P) | KB(K_TABLE) | \
    KB(K_CHART) | KB(K_PAGEBREAK) | KB(K_REDHEAD) | KB(K_SIGNATURE) | KB(K_ATTACHMENTS))
#define COND (AT(A_WHEN) | AT(A_UNLESS))

struct node;
struct qctx;

/* One row per element kind: its grammar. */
struct kind {
	const char *name;
	unsigned long long attrs;    /* attributes allowed */
	unsigned long long required; /* attributes that must be there */
	unsigned children;   /* kinds of child elements allowed */
	int text;            /* 1: character content is the element's text */
};
/* The grammar, indexed by enum kind_id (template_load.c). */
extern const struct kind tpl_kinds[K__COUNT];
/* The kind of node N, as an index of the stages' tables. */
#define TPL_KIND(n) ((enum kind_id)((n)->kind - tpl_kinds))

/* A value of a query result. */
struct value {
	int type;            /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_NULL */
	long long i;
	double d;
	char *s;             /* the text form (NULL for SQLITE_NULL) */
};

struct result {
	int ncols, nrows;
	char **names;        /* ncols column names */
	struct value *v;     /* nrows × ncols */
	char **shown_format; /* per column: the format a placeholder showed it with, or NULL */
};

struct node {
	const struct kind *kind;
	long line;
	char *attr[A__COUNT];  /* NULL when absent */
	char *text;            /* K_P: whitespace-collapsed content */
	struct node **kids;
	int nkids;
	struct node *parent;
	int index;             /* document order; results are indexed by it */
	const char *elem;      /* element name while kind is unknown (messages only) */
};

struct tpl {
	char *path;
	struct buf raw;        /* the file's bytes */
	struct node *root;
	struct node **nodes;   /* every node in document order */
	int nnodes;
};

struct tpl_run {
	const struct tpl *t;
	struct tpl_param *params;  /* copied */
	int nparams;
	struct result **res;       /* per node index; NULL when the node has no SQL */
	char *title;               /* expanded report title */
};

/* ---- template_load.c ---- */
/* Reports CODE against attribute A of N (or the element when A < 0), OFFSET
 * bytes into its value, as T's PATH:LINE:COL. */
void tpl_node_diag(const struct tpl *t, const struct node *n, int a, long offset,
    enum diag_code code, ...);
/* Reports CODE at the first occurrence of NEEDLE (LEN bytes) in the text of
 * element N, or at the element when it cannot be found. */
void tpl_text_diag(const struct tpl *t, const struct node *n, const char *needle, size_t len,
    enum diag_code code, ...);

/* ---- template_query.c ---- */
/* The index of column NAME in R, or -1. */
int tpl_result_col(const struct result *r, const char *name);
/* Appends V formatted as FORMAT (NULL: by its type) to B; NULL_TEXT (NULL_LEN
 * bytes; NULL: "—") for NULL. */
void tpl_put_value(struct buf *b, const struct value *v, const char *format, const char *null_text,
    size_t null_len);
/* Expands the placeholders of TEXT into OUT (when not NULL).  With Q, checks
 * them (reporting against attribute A of N, or its text when A < 0) and
 * records the formats shown.  Returns 0 or -1. */
int tpl_expand(struct qctx *q, const struct tpl_run *run, const struct node *n, int a,
    const char *text, struct buf *out);
/* 1 when N is to be shown (its when/unless hold). */
int tpl_shown(const struct tpl_run *run, const struct node *n);
/* Splits a comma-separated list (ASCII or full-width commas) into *N
 * strings; free with tpl_free_list. */
char **tpl_split_list(const char *s, int *n);
void tpl_free_list(char **v, int n);

/* ---- template_sheets.c: the tables the companion CSV and workbook hold ---- */
struct sheets;
struct sheet_cell;
/* Sets C to V as FORMAT shows it (NULL: by its type): a number, a
 * percentage or a change with the value rounded as shown, or text (text
 * values, "text", more(unit)); NULL_TEXT (NULL: "—") for NULL. */
void tpl_sheet_value(struct sheet_cell *c, const struct value *v, const char *format,
    const char *null_text);
/* The sheet of a query: HEADING, then the columns of R that placeholders
 * showed, as they showed them, column I headed by HEADERS[I] (the query's
 * <col header>; NULL: the column's name); nothing when none was shown. */
void tpl_sheet_query(struct sheets *s, const struct result *r, const char *heading,
    char *const *headers);
/* The sheet of a chart: HEADING, a header of CATEGORY and the NSERIES
 * NAMES, then one row per row of R: column CAT, then the columns COLS[]. */
void tpl_sheet_chart(struct sheets *s, const char *heading, const char *category,
    const struct result *r, int cat, const int *cols, char *const *names, int nseries);

#endif
