/* template.c — the report-template engine: XML elements bound to SQL queries, laid out with layout.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "layout.h"
#include "outputs.h"
#include "template.h"

/*
 * The model: the XML is read once into a tree of nodes.  Each element kind
 * is one row of the table `kinds` below (its attributes, its children, and
 * the functions that run its query and lay it out), so a new kind of
 * element is one row and two small functions.
 */

/* Every attribute any element may carry; a kind allows a subset. */
enum attr {
	A_TITLE, A_SUBTITLE, A_ISSUER, A_DATE, A_AUTHOR, A_NAME, A_SQL, A_KEY,
	A_HEADER, A_ALIGN, A_FORMAT, A_WIDTH, A_NULL, A_LABEL, A_KIND, A_CATEGORY,
	A_VALUES, A_NAMES, A_UNIT, A_HEIGHT, A_WHEN, A_UNLESS, A_STYLE, A_EMPTY,
	A_NUMBER,
	A__COUNT
};
static const char *const attr_names[A__COUNT] = {
	"title", "subtitle", "issuer", "date", "author", "name", "sql", "key",
	"header", "align", "format", "width", "null", "label", "kind", "category",
	"values", "names", "unit", "height", "when", "unless", "style", "empty",
	"number",
};
#define AT(a) (1u << (a))

enum kind_id {
	K_REPORT, K_COVER, K_SECTION, K_SUBSECTION, K_QUERY, K_P, K_TABLE, K_COL,
	K_TOTAL, K_CHART, K_PAGEBREAK, K_REDHEAD, K_SIGNATURE, K__COUNT
};
#define KB(k) (1u << (k))
#define FLOW (KB(K_SECTION) | KB(K_SUBSECTION) | KB(K_QUERY) | KB(K_P) | KB(K_TABLE) | \
    KB(K_CHART) | KB(K_PAGEBREAK) | KB(K_REDHEAD) | KB(K_SIGNATURE))
#define COND (AT(A_WHEN) | AT(A_UNLESS))

struct node;
struct qctx;
struct rctx;

/* One row per element kind. */
struct kind {
	const char *name;
	unsigned attrs;      /* attributes allowed */
	unsigned required;   /* attributes that must be there */
	unsigned children;   /* kinds of child elements allowed */
	int text;            /* 1: character content is the element's text */
	int (*check)(struct qctx *q, struct node *n);  /* after the queries ran: columns, placeholders */
	void (*render)(struct rctx *c, struct node *n); /* lays it out, writes its CSV block */
};

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

static int check_section(struct qctx *, struct node *);
static int check_text_attrs(struct qctx *, struct node *);
static int check_p(struct qctx *, struct node *);
static int check_table(struct qctx *, struct node *);
static int check_chart(struct qctx *, struct node *);
static void render_report(struct rctx *, struct node *);
static void render_cover(struct rctx *, struct node *);
static void render_section(struct rctx *, struct node *);
static void render_query(struct rctx *, struct node *);
static void render_p(struct rctx *, struct node *);
static void render_table(struct rctx *, struct node *);
static void render_chart(struct rctx *, struct node *);
static void render_pagebreak(struct rctx *, struct node *);
static void render_redhead(struct rctx *, struct node *);
static void render_signature(struct rctx *, struct node *);

static const struct kind kinds[K__COUNT] = {
	/* the whole document: title for the PDF info, its flowed content */
	[K_REPORT] = {"report", AT(A_TITLE) | AT(A_AUTHOR) | AT(A_DATE), AT(A_TITLE),
	    FLOW | KB(K_COVER), 0, check_text_attrs, render_report},
	/* a cover page: issuing body, title, subtitle, date */
	[K_COVER] = {"cover", AT(A_TITLE) | AT(A_SUBTITLE) | AT(A_ISSUER) | AT(A_DATE),
	    AT(A_TITLE), 0, 0, check_text_attrs, render_cover},
	/* 一、 heading (heading role) and its content */
	[K_SECTION] = {"section", AT(A_TITLE) | COND, AT(A_TITLE), FLOW, 0,
	    check_section, render_section},
	/* （一） heading (kai role) and its content */
	[K_SUBSECTION] = {"subsection", AT(A_TITLE) | COND, AT(A_TITLE),
	    FLOW & ~KB(K_SECTION), 0, check_section, render_section},
	/* named values for placeholders {name.column} (first row) */
	[K_QUERY] = {"query", AT(A_NAME) | AT(A_SQL) | AT(A_TITLE), AT(A_NAME) | AT(A_SQL),
	    0, 0, check_text_attrs, render_query},
	/* a paragraph with placeholders */
	[K_P] = {"p", AT(A_STYLE) | COND, 0, 0, 1, check_p, render_p},
	/* a table: one row per result row, columns <col>, optional <total> */
	[K_TABLE] = {"table", AT(A_TITLE) | AT(A_SQL) | AT(A_EMPTY) | COND, AT(A_SQL),
	    KB(K_COL) | KB(K_TOTAL), 0, check_table, render_table},
	[K_COL] = {"col", AT(A_KEY) | AT(A_HEADER) | AT(A_ALIGN) | AT(A_FORMAT) | AT(A_WIDTH) |
	    AT(A_NULL), AT(A_KEY), 0, 0, NULL, NULL},
	/* the last row: sums of the numeric columns, or the row of its own query */
	[K_TOTAL] = {"total", AT(A_LABEL) | AT(A_SQL), 0, 0, 0, NULL, NULL},
	/* a bar or line chart over the rows of its query */
	[K_CHART] = {"chart", AT(A_KIND) | AT(A_TITLE) | AT(A_SQL) | AT(A_CATEGORY) | AT(A_VALUES) |
	    AT(A_NAMES) | AT(A_UNIT) | AT(A_HEIGHT) | COND,
	    AT(A_SQL) | AT(A_CATEGORY) | AT(A_VALUES), 0, 0, check_chart, render_chart},
	[K_PAGEBREAK] = {"pagebreak", COND, 0, 0, 0, check_section, render_pagebreak},
	/* the 版头 of a red-header document (GB/T 9704 §7.2): issuing-office mark, number, red rule */
	[K_REDHEAD] = {"redhead", AT(A_ISSUER) | AT(A_NUMBER), AT(A_ISSUER), 0, 0, check_text_attrs,
	    render_redhead},
	/* issuing body and date at the end (GB/T 9704 §7.3.5.2), after a blank line */
	[K_SIGNATURE] = {"signature", AT(A_ISSUER) | AT(A_DATE), AT(A_ISSUER) | AT(A_DATE), 0, 0,
	    check_text_attrs, render_signature},
};

/* ---- Positions ---------------------------------------------------------- */

/* Line and column (in characters, 1-based) in T's file of attribute NAME
 * of element ELEM whose start tag ends on LINE (what libxml2 records), plus
 * OFFSET bytes into its value; with NAME NULL, or when it cannot be found,
 * the element's '<'. */
static void
attr_pos(const struct tpl *t, const char *elem, long line, const char *name, long offset,
    long *oline, long *ocol)
{
	const char *base = t->raw.data, *end = t->raw.data + t->raw.len, *p = base, *at, *lt = NULL;
	size_t elen = strlen(elem);
	long l = 1;

	/* the end of LINE, then back to the last "<ELEM" before it */
	while (p < end && l <= line)
		if (*p++ == '\n')
			l++;
	for (const char *s = p - 1; s >= base; s--)
		if (*s == '<' && s + 1 + elen <= end && strncmp(s + 1, elem, elen) == 0 &&
		    (s + 1 + elen == end || isspace((unsigned char)s[1 + elen]) || s[1 + elen] == '>' ||
		    s[1 + elen] == '/')) {
			lt = s;
			break;
		}
	if (lt == NULL) {
		/* fall back to the start of LINE */
		p = base;
		l = 1;
		while (p < end && l < line)
			if (*p++ == '\n')
				l++;
		lt = p;
	}
	at = lt;
	if (name != NULL) {
		/* Attribute values cannot hold a raw '<': the start tag ends before the next one. */
		const char *stop = lt + 1 < end ? memchr(lt + 1, '<', (size_t)(end - lt - 1)) : NULL;
		size_t nlen = strlen(name);
		if (stop == NULL)
			stop = end;
		for (const char *s = lt + 1; s + nlen < stop; s++) {
			if (strncmp(s, name, nlen) != 0 || !isspace((unsigned char)s[-1]))
				continue;
			const char *e = s + nlen;
			while (e < stop && isspace((unsigned char)*e))
				e++;
			if (e >= stop || *e != '=')
				continue;
			e++;
			while (e < stop && isspace((unsigned char)*e))
				e++;
			if (e < stop && (*e == '"' || *e == '\''))
				e++;
			at = e + offset < end ? e + offset : end;
			break;
		}
	}
	jz_text_position(base, at, oline, ocol);
}

/* Reports CODE at the first occurrence of NEEDLE (LEN bytes) in the text of
 * element N, or at the element when it cannot be found. */
static void
text_diag(const struct tpl *t, const struct node *n, const char *needle, size_t len,
    enum diag_code code, ...)
{
	long line, col;
	va_list ap;
	const char *base = t->raw.data, *end = base + t->raw.len, *hit = NULL;

	attr_pos(t, n->kind->name, n->line, NULL, 0, &line, &col);
	/* from the element's '<' on */
	const char *s = base;
	for (long l = 1; s < end && l < line; s++)
		if (*s == '\n')
			l++;
	for (; s + len <= end; s++)
		if (memcmp(s, needle, len) == 0) {
			hit = s;
			break;
		}
	if (hit != NULL)
		jz_text_position(base, hit, &line, &col);
	va_start(ap, code);
	vdiag(code, t->path, line, col, ap);
	va_end(ap);
}

/* Reports CODE against attribute A of N (or the element when A < 0). */
static void
node_diag(const struct tpl *t, const struct node *n, int a, long offset, enum diag_code code, ...)
{
	long line, col;
	va_list ap;

	attr_pos(t, n->kind ? n->kind->name : n->elem, n->line, a >= 0 ? attr_names[a] : NULL, offset,
	    &line, &col);
	va_start(ap, code);
	vdiag(code, t->path, line, col, ap);
	va_end(ap);
}

/* ---- Loading ------------------------------------------------------------ */

static void
node_free(struct node *n)
{
	if (n == NULL)
		return;
	for (int i = 0; i < A__COUNT; i++)
		free(n->attr[i]);
	free(n->text);
	for (int i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n);
}

/* Collapses the whitespace of XML text: a run holding a line end vanishes
 * between two non-ASCII characters (Chinese wraps without spaces) and is one
 * space otherwise; leading and trailing whitespace goes. */
static char *
collapse_ws(const char *s)
{
	struct buf b = {0};
	const char *p = s;

	buf_puts(&b, "");
	while (*p != '\0') {
		if (isspace((unsigned char)*p)) {
			int newline = 0;
			const char *q = p;
			while (*q != '\0' && isspace((unsigned char)*q)) {
				if (*q == '\n')
					newline = 1;
				q++;
			}
			int prev_wide = b.len > 0 && ((unsigned char)b.data[b.len - 1] & 0x80);
			int next_wide = ((unsigned char)*q & 0x80) != 0;
			if (b.len > 0 && *q != '\0' && !(newline && (prev_wide || next_wide)))
				buf_putc(&b, ' ');
			p = q;
		} else
			buf_putc(&b, *p++);
	}
	return b.data;
}

struct loader {
	struct tpl *t;
	int errors;
};

static struct node *
build(struct loader *ld, xmlNode *x, struct node *parent)
{
	const struct kind *k = NULL;
	struct node *n;

	for (int i = 0; i < K__COUNT; i++)
		if (strcmp((const char *)x->name, kinds[i].name) == 0)
			k = &kinds[i];
	n = xcalloc(1, sizeof *n);
	n->line = xmlGetLineNo(x);
	n->parent = parent;
	n->elem = (const char *)x->name;
	if (k == NULL) {
		node_diag(ld->t, n, -1, 0, DIAG_TPL_ELEMENT, (const char *)x->name,
		    parent ? parent->kind->name : "(top)");
		ld->errors++;
		free(n);
		return NULL;
	}
	n->kind = k;
	if (parent != NULL && !(parent->kind->children & KB(k - kinds))) {
		node_diag(ld->t, n, -1, 0, DIAG_TPL_ELEMENT, k->name, parent->kind->name);
		ld->errors++;
	}
	for (xmlAttr *a = x->properties; a != NULL; a = a->next) {
		int id = -1;
		for (int i = 0; i < A__COUNT; i++)
			if (strcmp((const char *)a->name, attr_names[i]) == 0)
				id = i;
		if (id < 0 || !(k->attrs & AT(id))) {
			long line, col;
			attr_pos(ld->t, k->name, n->line, (const char *)a->name, 0, &line, &col);
			/* point at the name, not the value */
			col -= (long)strlen((const char *)a->name) + 2;
			diag(DIAG_TPL_ATTRIBUTE, ld->t->path, line, col > 0 ? col : 1,
			    (const char *)a->name, k->name);
			ld->errors++;
			continue;
		}
		xmlChar *v = xmlNodeListGetString(x->doc, a->children, 1);
		n->attr[id] = xstrdup(v ? (const char *)v : "");
		xmlFree(v);
	}
	for (int i = 0; i < A__COUNT; i++)
		if ((k->required & AT(i)) && n->attr[i] == NULL) {
			node_diag(ld->t, n, -1, 0, DIAG_TPL_MISSING, k->name, attr_names[i]);
			ld->errors++;
		}
	struct buf text = {0};
	for (xmlNode *c = x->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE) {
			if (k->text) {
				struct node tmp = {.line = xmlGetLineNo(c), .elem = (const char *)c->name};
				node_diag(ld->t, &tmp, -1, 0, DIAG_TPL_ELEMENT, (const char *)c->name, k->name);
				ld->errors++;
				continue;
			}
			struct node *kid = build(ld, c, n);
			if (kid != NULL) {
				n->kids = xrealloc(n->kids, (size_t)(n->nkids + 1) * sizeof *n->kids);
				n->kids[n->nkids++] = kid;
			}
		} else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			if (k->text)
				buf_puts(&text, (const char *)c->content);
			else {
				for (const xmlChar *s = c->content; *s; s++)
					if (!isspace(*s)) {
						struct node tmp = {.line = xmlGetLineNo(c), .elem = ""};
						node_diag(ld->t, &tmp, -1, 0, DIAG_TPL_TEXT, k->name);
						ld->errors++;
						break;
					}
			}
		}
	}
	if (k->text)
		n->text = collapse_ws(text.data ? text.data : "");
	buf_free(&text);
	return n;
}

static void
number_nodes(struct tpl *t, struct node *n)
{
	n->index = t->nnodes;
	t->nodes = xrealloc(t->nodes, (size_t)(t->nnodes + 1) * sizeof *t->nodes);
	t->nodes[t->nnodes++] = n;
	for (int i = 0; i < n->nkids; i++)
		number_nodes(t, n->kids[i]);
}

static void
xml_error(void *arg, xmlErrorPtr e)
{
	struct loader *ld = arg;

	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	char *msg = xstrdup(e->message ? e->message : "malformed XML");
	size_t len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	diag(DIAG_TPL_XML, ld->t->path, (long)e->line, (long)e->int2, msg);
	free(msg);
	ld->errors++;
}

struct tpl *
tpl_load(const char *path)
{
	struct tpl *t = xcalloc(1, sizeof *t);
	struct loader ld = {t, 0};
	xmlDoc *doc;

	t->path = xstrdup(path);
	if (file_read_all(path, &t->raw) != 0) {
		diag(DIAG_IO_READ, path, 0, 0, strerror(errno));
		tpl_free(t);
		return NULL;
	}
	buf_puts(&t->raw, "");
	if (template_utf8_check(path, t->raw.data, t->raw.len, DIAG_TPL_XML) != 0) {
		tpl_free(t);
		return NULL;
	}
	xmlSetStructuredErrorFunc(&ld, xml_error);
	/* UTF-8, as checked above, whatever its declaration says */
	doc = xmlReadMemory(t->raw.data, (int)t->raw.len, path, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (doc != NULL && doc->intSubset != NULL) {
		diag(DIAG_TPL_XML, path, 1, 1, "a template may not have a DOCTYPE");
		ld.errors++;
	}
	if (doc != NULL && ld.errors == 0) {
		xmlNode *root = xmlDocGetRootElement(doc);
		if (root == NULL || strcmp((const char *)root->name, "report") != 0) {
			diag(DIAG_TPL_XML, path, root ? (long)xmlGetLineNo(root) : 1, 1,
			    "the root element must be <report>");
			ld.errors++;
		} else
			t->root = build(&ld, root, NULL);
	}
	xmlFreeDoc(doc);
	if (doc == NULL && ld.errors == 0) {
		diag(DIAG_TPL_XML, path, 1, 1, "not an XML document");
		ld.errors++;
	}
	if (ld.errors == 0 && t->root != NULL) {
		number_nodes(t, t->root);
		/* query names are unique */
		for (int i = 0; i < t->nnodes; i++)
			for (int j = 0; j < i; j++)
				if (t->nodes[i]->kind == &kinds[K_QUERY] && t->nodes[j]->kind == &kinds[K_QUERY] &&
				    strcmp(t->nodes[i]->attr[A_NAME], t->nodes[j]->attr[A_NAME]) == 0) {
					node_diag(t, t->nodes[i], A_NAME, 0, DIAG_TPL_DUPLICATE,
					    t->nodes[i]->attr[A_NAME], t->nodes[j]->line);
					ld.errors++;
				}
	}
	if (ld.errors > 0 || t->root == NULL) {
		tpl_free(t);
		return NULL;
	}
	return t;
}

void
tpl_free(struct tpl *t)
{
	if (t == NULL)
		return;
	node_free(t->root);
	free(t->nodes);
	buf_free(&t->raw);
	free(t->path);
	free(t);
}

const char *
tpl_path(const struct tpl *t)
{
	return t->path;
}

/* ---- Queries ------------------------------------------------------------ */

static void
result_free(struct result *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < r->ncols; i++) {
		free(r->names[i]);
		free(r->shown_format[i]);
	}
	for (long i = 0; i < (long)r->nrows * r->ncols; i++)
		free(r->v[i].s);
	free(r->names);
	free(r->shown_format);
	free(r->v);
	free(r);
}

static int
result_col(const struct result *r, const char *name)
{
	for (int i = 0; i < r->ncols; i++)
		if (strcmp(r->names[i], name) == 0)
			return i;
	return -1;
}

/* The names of R's columns, for messages; the caller frees. */
static char *
result_cols_list(const struct result *r)
{
	struct buf b = {0};

	buf_puts(&b, "");
	for (int i = 0; i < r->ncols; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", r->names[i]);
	return b.data;
}

static int
whole_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '\0' || strlen(s) > 18)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* Runs the SQL of attribute A_SQL of N; returns the result or NULL after a
 * diagnostic. */
static struct result *
run_sql(const struct tpl_run *run, sqlite3 *db, const struct node *n)
{
	const struct tpl *t = run->t;
	const char *sql = n->attr[A_SQL], *tail = NULL;
	sqlite3_stmt *st = NULL;
	struct result *r;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK || st == NULL) {
		int off = sqlite3_error_offset(db);
		node_diag(t, n, A_SQL, off > 0 ? off : 0, DIAG_TPL_SQL,
		    (sqlite3_errcode(db) & 0xff) == SQLITE_AUTH ?
		    "a template query may not change the store or attach another database" :
		    st == NULL && sqlite3_errcode(db) == SQLITE_OK ? "empty statement" : sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return NULL;
	}
	for (; tail != NULL && *tail != '\0'; tail++)
		if (!isspace((unsigned char)*tail) && *tail != ';') {
			node_diag(t, n, A_SQL, tail - sql, DIAG_TPL_SQL,
			    "only one statement per query");
			sqlite3_finalize(st);
			return NULL;
		}
	if (!sqlite3_stmt_readonly(st)) {
		node_diag(t, n, A_SQL, 0, DIAG_TPL_SQL, "a template query may not change the store");
		sqlite3_finalize(st);
		return NULL;
	}
	for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
		const char *pname = sqlite3_bind_parameter_name(st, i);
		const struct tpl_param *p = NULL;
		if (pname != NULL)
			for (int j = 0; j < run->nparams; j++)
				if (strcmp(run->params[j].name, pname + 1) == 0)
					p = &run->params[j];
		if (p == NULL) {
			struct buf known = {0};
			buf_puts(&known, "");
			for (int j = 0; j < run->nparams; j++)
				buf_printf(&known, "%s:%s", j ? ", " : "", run->params[j].name);
			char *msg = xasprintf("unknown parameter %s (known: %s)",
			    pname ? pname : "?", known.data);
			const char *at = pname ? strstr(sql, pname) : NULL;
			node_diag(t, n, A_SQL, at ? at - sql : 0, DIAG_TPL_SQL, msg);
			free(msg);
			buf_free(&known);
			sqlite3_finalize(st);
			return NULL;
		}
		if (p->value == NULL)
			sqlite3_bind_null(st, i);
		else if (whole_number(p->value))
			sqlite3_bind_int64(st, i, strtoll(p->value, NULL, 10));
		else
			sqlite3_bind_text(st, i, p->value, -1, SQLITE_STATIC);
	}
	r = xcalloc(1, sizeof *r);
	r->ncols = sqlite3_column_count(st);
	r->names = xcalloc((size_t)r->ncols + 1, sizeof *r->names);
	r->shown_format = xcalloc((size_t)r->ncols + 1, sizeof *r->shown_format);
	for (int i = 0; i < r->ncols; i++)
		r->names[i] = xstrdup(sqlite3_column_name(st, i));
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((size_t)(r->nrows + 1) * r->ncols > cap) {
			cap = cap ? cap * 2 : (size_t)r->ncols * 16;
			r->v = xrealloc(r->v, cap * sizeof *r->v);
		}
		struct value *row = r->v + (size_t)r->nrows * r->ncols;
		for (int i = 0; i < r->ncols; i++) {
			struct value *v = &row[i];
			memset(v, 0, sizeof *v);
			v->type = sqlite3_column_type(st, i);
			if (v->type == SQLITE_INTEGER) {
				v->i = sqlite3_column_int64(st, i);
				v->d = (double)v->i;
			} else if (v->type == SQLITE_FLOAT)
				v->d = sqlite3_column_double(st, i);
			if (v->type != SQLITE_NULL) {
				const unsigned char *s = sqlite3_column_text(st, i);
				v->s = xstrdup(s ? (const char *)s : "");
				if (v->type == SQLITE_BLOB)
					v->type = SQLITE_TEXT;
			}
		}
		r->nrows++;
	}
	if (rc != SQLITE_DONE) {
		node_diag(t, n, A_SQL, 0, DIAG_TPL_SQL, sqlite3_errmsg(db));
		result_free(r);
		r = NULL;
	}
	sqlite3_finalize(st);
	return r;
}

/* ---- Placeholders --------------------------------------------------------
 * {param}, {query.column}, each optionally followed by :format and |text to
 * show for NULL.  {{ and }} stand for braces. */

struct qctx {
	struct tpl_run *run;
	int errors;
};

struct placeholder {
	char name[128], column[128], format[32];
	const char *null_text;  /* points into the template text, length null_len */
	size_t null_len;
};

static const char *const formats[] = {
	"thousands", "integer", "decimal1", "decimal2", "percent", "pct", "change",
	"change1", "text", NULL
};
/* For messages: every format. */
#define KNOWN_FORMATS "thousands, integer, decimal1, decimal2, percent, pct, change, change1, " \
	"more(unit), more1(unit), text"

/* The unit of a prose change format, "more(人次)" or "more1(个百分点)",
 * into UNIT (size ≥ 32; "" for a bare "more"); returns 0 for "more", 1
 * for "more1", -1 for another format. */
static int
more_format(const char *f, char *unit)
{
	int kind;
	size_t n;

	if (strncmp(f, "more1", 5) == 0) {
		kind = 1;
		f += 5;
	} else if (strncmp(f, "more", 4) == 0) {
		kind = 0;
		f += 4;
	} else
		return -1;
	unit[0] = '\0';
	if (*f == '\0')
		return kind;
	n = strlen(f);
	if (f[0] != '(' || f[n - 1] != ')' || n - 2 >= 32)
		return -1;
	memcpy(unit, f + 1, n - 2);
	unit[n - 2] = '\0';
	return strchr(unit, '(') == NULL && strchr(unit, ')') == NULL ? kind : -1;
}

static int
known_format(const char *f)
{
	char unit[32];

	for (int i = 0; formats[i]; i++)
		if (strcmp(formats[i], f) == 0)
			return 1;
	return more_format(f, unit) >= 0;
}

/* Parses the placeholder between S and E (without braces); returns 0 or -1. */
static int
parse_placeholder(const char *s, const char *e, struct placeholder *ph)
{
	const char *bar = memchr(s, '|', (size_t)(e - s));
	const char *stop = bar ? bar : e;
	const char *colon = memchr(s, ':', (size_t)(stop - s));
	const char *ref_end = colon ? colon : stop;
	const char *dot = memchr(s, '.', (size_t)(ref_end - s));

	memset(ph, 0, sizeof *ph);
	if (bar != NULL) {
		ph->null_text = bar + 1;
		ph->null_len = (size_t)(e - bar - 1);
	}
	if (colon != NULL) {
		if ((size_t)(stop - colon - 1) >= sizeof ph->format)
			return -1;
		memcpy(ph->format, colon + 1, (size_t)(stop - colon - 1));
	}
	if (dot != NULL) {
		if ((size_t)(dot - s) >= sizeof ph->name || (size_t)(ref_end - dot - 1) >= sizeof ph->column)
			return -1;
		memcpy(ph->name, s, (size_t)(dot - s));
		memcpy(ph->column, dot + 1, (size_t)(ref_end - dot - 1));
	} else {
		if ((size_t)(ref_end - s) >= sizeof ph->name)
			return -1;
		memcpy(ph->name, s, (size_t)(ref_end - s));
	}
	return ph->name[0] == '\0' || (dot && ph->column[0] == '\0') ? -1 : 0;
}

static const struct node *
find_query(const struct tpl *t, const char *name)
{
	for (int i = 0; i < t->nnodes; i++)
		if (t->nodes[i]->kind == &kinds[K_QUERY] && strcmp(t->nodes[i]->attr[A_NAME], name) == 0)
			return t->nodes[i];
	return NULL;
}

static const struct tpl_param *
find_param(const struct tpl_run *run, const char *name)
{
	for (int i = 0; i < run->nparams; i++)
		if (strcmp(run->params[i].name, name) == 0)
			return &run->params[i];
	return NULL;
}

/* Resolves PH against RUN: the value it stands for (NULL for a parameter)
 * into *V, the parameter into *P.  Returns 0, or -1 with a message in *ERR
 * (the caller frees). */
static int
resolve(const struct tpl_run *run, const struct placeholder *ph, const struct value **v,
    const struct tpl_param **p, struct result **res, int *col, char **err)
{
	*v = NULL;
	*p = NULL;
	*res = NULL;
	*col = -1;
	if (ph->format[0] != '\0' && !known_format(ph->format)) {
		*err = xasprintf("unknown format '%s' (known: " KNOWN_FORMATS ")", ph->format);
		return -1;
	}
	if (ph->column[0] == '\0') {
		if ((*p = find_param(run, ph->name)) == NULL) {
			struct buf known = {0};
			buf_puts(&known, "");
			for (int j = 0; j < run->nparams; j++)
				buf_printf(&known, "%s%s", j ? ", " : "", run->params[j].name);
			*err = xasprintf("unknown placeholder {%s} (parameters: %s; queries are "
			    "written {query.column})", ph->name, known.data);
			buf_free(&known);
			return -1;
		}
		return 0;
	}
	const struct node *q = find_query(run->t, ph->name);
	if (q == NULL) {
		*err = xasprintf("unknown placeholder {%s.%s}: no <query name=\"%s\">",
		    ph->name, ph->column, ph->name);
		return -1;
	}
	*res = run->res[q->index];
	if (*res == NULL) {
		*err = NULL;  /* its SQL failed, already reported */
		return -1;
	}
	*col = result_col(*res, ph->column);
	if (*col < 0) {
		char *cols = result_cols_list(*res);
		*err = xasprintf("unknown placeholder {%s.%s}: query '%s' has no column '%s' "
		    "(it has: %s)", ph->name, ph->column, ph->name, ph->column, cols);
		free(cols);
		return -1;
	}
	if ((*res)->nrows > 0)
		*v = &(*res)->v[*col];
	return 0;
}

char *
tpl_format_number(double value, int is_integer, const char *format, char *out)
{
	char tmp[40], unit[32];
	int more;

	if (format == NULL || *format == '\0')
		format = is_integer ? "thousands" : "decimal1";
	if ((more = more_format(format, unit)) == 0) {
		/* a change of a count in words: 增加1,234人次, 减少56人次, 持平 */
		long long v = llround(value);
		fmt_thousands(v < 0 ? -v : v, tmp);
		if (v == 0)
			snprintf(out, TPL_NUMBER_MAX, "持平");
		else
			snprintf(out, TPL_NUMBER_MAX, "%s%s%s", v > 0 ? "增加" : "减少", tmp, unit);
		return out;
	}
	if (more == 1) {
		/* of a rate, in one decimal: 提高1.2个百分点, 下降0.3个百分点, 持平 */
		long long tenths = llround(value * 10);
		if (tenths == 0)
			snprintf(out, TPL_NUMBER_MAX, "持平");
		else
			snprintf(out, TPL_NUMBER_MAX, "%s%lld.%lld%s", tenths > 0 ? "提高" : "下降",
			    llabs(tenths) / 10, llabs(tenths) % 10, unit);
		return out;
	}
	if (strcmp(format, "thousands") == 0 || (strcmp(format, "change") == 0 && is_integer)) {
		long long v = llround(value);
		fmt_thousands(v < 0 ? -v : v, tmp);
		snprintf(out, TPL_NUMBER_MAX, "%s%s", v < 0 ? "-" : (v > 0 && format[0] == 'c') ? "+" : "", tmp);
	} else if (strcmp(format, "integer") == 0)
		snprintf(out, TPL_NUMBER_MAX, "%lld", llround(value));
	else if (strcmp(format, "decimal2") == 0)
		snprintf(out, TPL_NUMBER_MAX, "%.2f", value);
	else if (strcmp(format, "percent") == 0)
		snprintf(out, TPL_NUMBER_MAX, "%.1f%%", value * 100.0 + 0.0);
	else if (strcmp(format, "pct") == 0)
		snprintf(out, TPL_NUMBER_MAX, "%.1f%%", value);
	else if (strcmp(format, "change1") == 0 || (!is_integer && strcmp(format, "change") == 0))
		snprintf(out, TPL_NUMBER_MAX, "%+.1f", value);
	else
		snprintf(out, TPL_NUMBER_MAX, "%.1f", value);
	if (strcmp(out, "-0.0%") == 0 || strcmp(out, "-0.0") == 0)
		memmove(out, out + 1, strlen(out));
	return out;
}

/* Appends V formatted as FORMAT (NULL: by its type) to B; NULL_TEXT for NULL. */
static void
put_value(struct buf *b, const struct value *v, const char *format, const char *null_text,
    size_t null_len)
{
	char tmp[TPL_NUMBER_MAX];

	if (v == NULL || v->type == SQLITE_NULL) {
		if (null_text != NULL)
			buf_add(b, null_text, null_len);
		else
			buf_puts(b, "—");
		return;
	}
	if ((format != NULL && strcmp(format, "text") == 0) || v->type == SQLITE_TEXT) {
		buf_puts(b, v->s);
		return;
	}
	buf_puts(b, tpl_format_number(v->d, v->type == SQLITE_INTEGER, format, tmp));
}

/* Expands the placeholders of TEXT into OUT (when not NULL).  With Q, checks
 * them (reporting against attribute A of N, or its text when A < 0) and
 * records the formats shown.  Returns 0 or -1. */
static int
expand(struct qctx *q, const struct tpl_run *run, const struct node *n, int a, const char *text,
    struct buf *out)
{
	const char *p = text;
	int bad = 0;

	if (out != NULL)
		buf_puts(out, "");
	while (*p != '\0') {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			if (out)
				buf_putc(out, p[0]);
			p += 2;
			continue;
		}
		if (*p != '{') {
			if (out)
				buf_putc(out, *p);
			p++;
			continue;
		}
		const char *e = strchr(p, '}');
		struct placeholder ph;
		const struct value *v;
		const struct tpl_param *param;
		struct result *res;
		int col;
		char *err = NULL;
		int failed = 0;
		if (e == NULL || parse_placeholder(p + 1, e, &ph) != 0)
			err = xasprintf("malformed placeholder '%.40s' (write {query.column}, "
			    "{query.column:format} or {parameter}; {{ for a brace)", p);
		else if (resolve(run, &ph, &v, &param, &res, &col, &err) != 0)
			failed = 1;
		else if (q != NULL && res != NULL && res->shown_format[col] == NULL)
			res->shown_format[col] = xstrdup(ph.format);
		if (err != NULL || failed) {
			if (q != NULL && err != NULL) {
				if (a >= 0)
					node_diag(run->t, n, a, p - text, DIAG_TPL_PLACEHOLDER, err);
				else
					text_diag(run->t, n, p, e ? (size_t)(e + 1 - p) : strlen(p),
					    DIAG_TPL_PLACEHOLDER, err);
				q->errors++;
			}
			free(err);
			bad = 1;
			if (e == NULL)
				break;
			p = e + 1;
			continue;
		}
		if (out != NULL) {
			if (param != NULL) {
				if (param->value != NULL)
					buf_puts(out, param->value);
				else if (ph.null_text)
					buf_add(out, ph.null_text, ph.null_len);
			} else
				put_value(out, v, ph.format[0] ? ph.format : NULL, ph.null_text, ph.null_len);
		}
		p = e + 1;
	}
	return bad ? -1 : 0;
}

/* A condition: when="q.col" holds when the value is there and not 0 or ''. */
static int
cond_value(const struct tpl_run *run, const char *ref, int *truth, char **err)
{
	struct placeholder ph;
	const struct value *v;
	const struct tpl_param *p;
	struct result *res;
	int col;

	if (parse_placeholder(ref, ref + strlen(ref), &ph) != 0) {
		*err = xasprintf("malformed condition '%s' (write query.column or a parameter)", ref);
		return -1;
	}
	if (resolve(run, &ph, &v, &p, &res, &col, err) != 0)
		return -1;
	if (p != NULL)
		*truth = p->value != NULL && *p->value != '\0' && strcmp(p->value, "0") != 0;
	else
		*truth = v != NULL && v->type != SQLITE_NULL &&
		    !(v->type != SQLITE_TEXT && v->d == 0) && !(v->type == SQLITE_TEXT && *v->s == '\0');
	return 0;
}

/* 1 when N is to be shown (its when/unless hold). */
static int
shown(const struct tpl_run *run, const struct node *n)
{
	int truth;
	char *err = NULL;

	if (n->attr[A_WHEN] != NULL) {
		if (cond_value(run, n->attr[A_WHEN], &truth, &err) != 0 || !truth) {
			free(err);
			return 0;
		}
	}
	if (n->attr[A_UNLESS] != NULL) {
		if (cond_value(run, n->attr[A_UNLESS], &truth, &err) != 0 || truth) {
			free(err);
			return 0;
		}
	}
	return 1;
}

static int
check_conditions(struct qctx *q, struct node *n)
{
	static const int which[] = {A_WHEN, A_UNLESS};
	int truth, bad = 0;

	for (int i = 0; i < 2; i++) {
		char *err = NULL;
		if (n->attr[which[i]] == NULL)
			continue;
		if (cond_value(q->run, n->attr[which[i]], &truth, &err) != 0) {
			if (err == NULL)
				continue;
			node_diag(q->run->t, n, which[i], 0, DIAG_TPL_PLACEHOLDER, err);
			free(err);
			q->errors++;
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* The attributes that hold text with placeholders. */
static const int text_attrs[] = {A_TITLE, A_SUBTITLE, A_ISSUER, A_DATE, A_AUTHOR, A_LABEL,
    A_HEADER, A_NAMES, A_UNIT, A_EMPTY, A_NULL, A_NUMBER};

static int
check_text_attrs(struct qctx *q, struct node *n)
{
	int bad = 0;

	for (size_t i = 0; i < sizeof text_attrs / sizeof *text_attrs; i++)
		if (n->attr[text_attrs[i]] != NULL &&
		    expand(q, q->run, n, text_attrs[i], n->attr[text_attrs[i]], NULL) != 0)
			bad = 1;
	return bad ? -1 : 0;
}

static int
check_section(struct qctx *q, struct node *n)
{
	int a = check_text_attrs(q, n), b = check_conditions(q, n);
	return a || b ? -1 : 0;
}

static int
check_p(struct qctx *q, struct node *n)
{
	int a = check_conditions(q, n);
	int b = expand(q, q->run, n, -1, n->text, NULL);
	static const char *const styles[] = {"body", "kai", "note", "center", "right", "noindent", "title", NULL};
	if (n->attr[A_STYLE] != NULL) {
		int ok = 0;
		for (int i = 0; styles[i]; i++)
			ok |= strcmp(styles[i], n->attr[A_STYLE]) == 0;
		if (!ok) {
			node_diag(q->run->t, n, A_STYLE, 0, DIAG_TPL_VALUE, n->attr[A_STYLE], "style",
			    "body, kai, note, center, right, noindent, title");
			q->errors++;
			return -1;
		}
	}
	return a || b ? -1 : 0;
}

static int
check_format_attr(struct qctx *q, struct node *n)
{
	if (n->attr[A_FORMAT] != NULL && !known_format(n->attr[A_FORMAT])) {
		node_diag(q->run->t, n, A_FORMAT, 0, DIAG_TPL_VALUE, n->attr[A_FORMAT], "format",
		    KNOWN_FORMATS);
		q->errors++;
		return -1;
	}
	if (n->attr[A_ALIGN] != NULL && strcmp(n->attr[A_ALIGN], "left") != 0 &&
	    strcmp(n->attr[A_ALIGN], "center") != 0 && strcmp(n->attr[A_ALIGN], "right") != 0) {
		node_diag(q->run->t, n, A_ALIGN, 0, DIAG_TPL_VALUE, n->attr[A_ALIGN], "align",
		    "left, center, right");
		q->errors++;
		return -1;
	}
	return 0;
}

static int
check_table(struct qctx *q, struct node *n)
{
	const struct result *r = q->run->res[n->index];
	int bad = check_section(q, n) != 0, ncols = 0;

	for (int i = 0; i < n->nkids; i++) {
		struct node *k = n->kids[i];
		if (k->kind == &kinds[K_COL]) {
			ncols++;
			bad |= check_text_attrs(q, k) != 0;
			bad |= check_format_attr(q, k) != 0;
			if (r != NULL && result_col(r, k->attr[A_KEY]) < 0) {
				char *cols = result_cols_list(r);
				node_diag(q->run->t, k, A_KEY, 0, DIAG_TPL_COLUMN, k->attr[A_KEY], cols);
				free(cols);
				q->errors++;
				bad = 1;
			}
		} else if (k->kind == &kinds[K_TOTAL]) {
			bad |= check_text_attrs(q, k) != 0;
			const struct result *tr = q->run->res[k->index];
			if (tr != NULL)
				for (int c = 0; c < tr->ncols; c++) {
					int found = 0;
					for (int j = 0; j < n->nkids; j++)
						if (n->kids[j]->kind == &kinds[K_COL] &&
						    strcmp(n->kids[j]->attr[A_KEY], tr->names[c]) == 0)
							found = 1;
					if (!found) {
						char *msg = xasprintf("the total's column '%s' is not a <col key> "
						    "of its table", tr->names[c]);
						node_diag(q->run->t, k, A_SQL, 0, DIAG_TPL_SQL, msg);
						free(msg);
						q->errors++;
						bad = 1;
					}
				}
		}
	}
	if (ncols == 0) {
		node_diag(q->run->t, n, -1, 0, DIAG_TPL_MISSING, "table", "col");
		q->errors++;
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* Splits a comma-separated list (ASCII or full-width commas); the caller
 * frees the array and its strings. */
static char **
split_list(const char *s, int *n)
{
	char **v = NULL;
	*n = 0;
	while (s != NULL && *s != '\0') {
		const char *e = s;
		size_t skip = 1;
		while (*e != '\0' && *e != ',' && strncmp(e, "，", 3) != 0)
			e++;
		if (strncmp(e, "，", 3) == 0)
			skip = 3;
		const char *a = s, *b = e;
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		v = xrealloc(v, (size_t)(*n + 1) * sizeof *v);
		v[(*n)++] = xstrndup(a, (size_t)(b - a));
		s = *e ? e + skip : e;
	}
	return v;
}

static void
free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
check_chart(struct qctx *q, struct node *n)
{
	const struct result *r = q->run->res[n->index];
	int bad = check_section(q, n) != 0, nv, nn;
	char **vals = split_list(n->attr[A_VALUES], &nv);
	char **names = split_list(n->attr[A_NAMES], &nn);

	if (n->attr[A_KIND] != NULL && strcmp(n->attr[A_KIND], "bar") != 0 &&
	    strcmp(n->attr[A_KIND], "line") != 0) {
		node_diag(q->run->t, n, A_KIND, 0, DIAG_TPL_VALUE, n->attr[A_KIND], "kind", "bar, line");
		q->errors++;
		bad = 1;
	}
	if (r != NULL) {
		char *cols = result_cols_list(r);
		if (result_col(r, n->attr[A_CATEGORY]) < 0) {
			node_diag(q->run->t, n, A_CATEGORY, 0, DIAG_TPL_COLUMN, n->attr[A_CATEGORY], cols);
			q->errors++;
			bad = 1;
		}
		for (int i = 0; i < nv; i++)
			if (result_col(r, vals[i]) < 0) {
				node_diag(q->run->t, n, A_VALUES, 0, DIAG_TPL_COLUMN, vals[i], cols);
				q->errors++;
				bad = 1;
			}
		free(cols);
	}
	if (nv == 0 || (n->attr[A_NAMES] != NULL && nn != nv)) {
		node_diag(q->run->t, n, A_NAMES, 0, DIAG_TPL_VALUE, n->attr[A_NAMES] ? n->attr[A_NAMES] : "",
		    "names", "one name per column of values");
		q->errors++;
		bad = 1;
	}
	free_list(vals, nv);
	free_list(names, nn);
	return bad ? -1 : 0;
}

static int
has_sql(const struct node *n)
{
	return n->attr[A_SQL] != NULL;
}

struct tpl_run *
tpl_query(const struct tpl *t, sqlite3 *db, const struct tpl_param *params, int nparams)
{
	struct tpl_run *run = xcalloc(1, sizeof *run);
	struct qctx q = {run, 0};

	run->t = t;
	run->nparams = nparams;
	run->params = xcalloc((size_t)nparams + 1, sizeof *run->params);
	for (int i = 0; i < nparams; i++) {
		run->params[i].name = xstrdup(params[i].name);
		run->params[i].value = params[i].value ? xstrdup(params[i].value) : NULL;
	}
	run->res = xcalloc((size_t)t->nnodes, sizeof *run->res);
	for (int i = 0; i < t->nnodes; i++)
		if (has_sql(t->nodes[i]) && (run->res[i] = run_sql(run, db, t->nodes[i])) == NULL)
			q.errors++;
	/* Placeholders need every query's columns: check once they all ran. */
	for (int i = 0; i < t->nnodes; i++)
			if (t->nodes[i]->kind->check != NULL)
				t->nodes[i]->kind->check(&q, t->nodes[i]);
	if (q.errors > 0) {
		tpl_run_free(run);
		return NULL;
	}
	struct buf title = {0};
	expand(NULL, run, t->root, A_TITLE, t->root->attr[A_TITLE], &title);
	run->title = title.data;
	return run;
}

void
tpl_run_free(struct tpl_run *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < r->t->nnodes; i++)
		result_free(r->res[i]);
	free(r->res);
	for (int i = 0; i < r->nparams; i++) {
		free((char *)r->params[i].name);
		free((char *)r->params[i].value);
	}
	free(r->params);
	free(r->title);
	free(r);
}

const char *
tpl_run_title(const struct tpl_run *r)
{
	return r->title;
}

void
tpl_run_fingerprint(const struct tpl_run *r, struct fingerprint *fp)
{
	const struct tpl *t = r->t;
	int stable_today = getenv("SOURCE_DATE_EPOCH") != NULL;

	fp_add_str(fp, t->path);
	fp_add(fp, t->raw.data, t->raw.len);
	for (int i = 0; i < r->nparams; i++) {
		if (!stable_today && strcmp(r->params[i].name, "today") == 0)
			continue;
		fp_add_str(fp, r->params[i].name);
		fp_add_str(fp, r->params[i].value);
	}
	for (int i = 0; i < t->nnodes; i++) {
		const struct result *res = r->res[i];
		char head[64];
		if (res == NULL)
			continue;
		snprintf(head, sizeof head, "%d:%d:%d", i, res->ncols, res->nrows);
		fp_add_str(fp, head);
		for (int c = 0; c < res->ncols; c++)
			fp_add_str(fp, res->names[c]);
		for (long k = 0; k < (long)res->nrows * res->ncols; k++)
			fp_add_str(fp, res->v[k].s ? res->v[k].s : "\x01NULL");
	}
}

/* ---- Rendering ---------------------------------------------------------- */

/* The bottom of the GB/T 9704 版心 (37 mm + 225 mm), and the room a heading
 * needs below it for a table's caption, header and first rows. */
#define BODY_BOTTOM_MM 262.0
#define KEEP_WITH_TABLE_MM 50.0

struct rctx {
	const struct tpl_run *run;
	struct doc *d;
	struct buf *csv;
	const char *section;  /* title of the current section, for CSV headings */
};

static void
csv_cell(struct buf *b, const char *s, int first)
{
	if (!first)
		buf_putc(b, ',');
	buf_csv_field(b, s);
}

static void
csv_end_row(struct buf *b)
{
	buf_puts(b, "\r\n");
}

/* Drops the thousands separators of a formatted number (CSV cells are numbers). */
static char *
csv_number(const char *s)
{
	char *c = xstrdup(s), *w = c;
	for (const char *p = s; *p; p++)
		if (*p != ',')
			*w++ = *p;
	*w = '\0';
	return c;
}

static int
numeric_format(const char *f)
{
	return f == NULL || strcmp(f, "text") != 0;
}

static char *
expand_attr(const struct rctx *c, const struct node *n, int a)
{
	struct buf b = {0};
	if (n->attr[a] == NULL)
		return NULL;
	expand(NULL, c->run, n, a, n->attr[a], &b);
	return b.data;
}

static void
render_kids(struct rctx *c, struct node *n)
{
	for (int i = 0; i < n->nkids; i++)
		if (n->kids[i]->kind->render != NULL)
			n->kids[i]->kind->render(c, n->kids[i]);
}

static void
render_report(struct rctx *c, struct node *n)
{
	render_kids(c, n);
}

static void
render_cover(struct rctx *c, struct node *n)
{
	char *title = expand_attr(c, n, A_TITLE), *subtitle = expand_attr(c, n, A_SUBTITLE);
	char *issuer = expand_attr(c, n, A_ISSUER), *date = expand_attr(c, n, A_DATE);
	struct text_style big = style_title, sub = style_heading2, small = style_body;
	const double left = 28, width = 156;

	big.size_pt = 26;  /* 一号 */
	big.bold = 1;
	big.line_pitch_pt = 40;
	sub.size_pt = 18;  /* 小二 */
	sub.align = ALIGN_CENTER;
	sub.indent_chars = 0;
	small.align = ALIGN_CENTER;
	small.indent_chars = 0;
	small.size_pt = 16;

	doc_field(c->d, "cover");
	if (issuer != NULL) {
		struct text_style red = style_title;
		red.color = 0xCC0000;
		red.size_pt = 26;
		red.letter_spacing_pt = 2;
		doc_text_box(c->d, &red, left, 50, width, 14, BOX_SHRINK | BOX_VCENTER, issuer);
		doc_line(c->d, left, 68, left + width, 68, 2.0, 0xCC0000);
	}
	if (subtitle != NULL)
		doc_text_box(c->d, &sub, left, 95, width, 16, BOX_WRAP | BOX_VCENTER, subtitle);
	doc_text_box(c->d, &big, left, 115, width, 40, BOX_WRAP | BOX_VCENTER, title);
	if (issuer != NULL)
		doc_text_box(c->d, &small, left, 225, width, 10, BOX_VCENTER, issuer);
	if (date != NULL)
		doc_text_box(c->d, &small, left, 236, width, 10, BOX_VCENTER, date);
	doc_page_break(c->d);
	free(title);
	free(subtitle);
	free(issuer);
	free(date);
}

static void
render_section(struct rctx *c, struct node *n)
{
	const char *saved = c->section;
	char *title;

	if (!shown(c->run, n))
		return;
	title = expand_attr(c, n, A_TITLE);
	doc_field(c->d, title);
	/* A heading followed by a table or chart keeps with its caption and
	 * first rows: the layout only keeps it with one line of text. */
	for (int i = 0; i < n->nkids; i++) {
		const struct node *k = n->kids[i];
		if (k->kind == &kinds[K_QUERY] || !shown(c->run, k))
			continue;
		if ((k->kind == &kinds[K_TABLE] || k->kind == &kinds[K_CHART]) &&
		    BODY_BOTTOM_MM - doc_cursor_y(c->d) < KEEP_WITH_TABLE_MM)
			doc_page_break(c->d);
		break;
	}
	doc_heading(c->d, n->kind == &kinds[K_SECTION] ? 1 : 2, title);
	c->section = title;
	render_kids(c, n);
	c->section = saved;
	free(title);
}

/* A query's CSV block: the columns its placeholders showed, as shown. */
static void
render_query(struct rctx *c, struct node *n)
{
	const struct result *r = c->run->res[n->index];
	char *title = expand_attr(c, n, A_TITLE);
	int any = 0;

	for (int i = 0; i < r->ncols; i++)
		any |= r->shown_format[i] != NULL;
	if (any) {
		csv_cell(c->csv, title ? title : c->section ? c->section : n->attr[A_NAME], 1);
		csv_end_row(c->csv);
		int first = 1;
		for (int i = 0; i < r->ncols; i++)
			if (r->shown_format[i] != NULL) {
				csv_cell(c->csv, r->names[i], first);
				first = 0;
			}
		csv_end_row(c->csv);
		for (int row = 0; row < r->nrows; row++) {
			first = 1;
			for (int i = 0; i < r->ncols; i++) {
				if (r->shown_format[i] == NULL)
					continue;
				struct buf b = {0};
				const char *f = r->shown_format[i][0] ? r->shown_format[i] : NULL;
				put_value(&b, &r->v[(size_t)row * r->ncols + i], f, "", 0);
				char *cell = numeric_format(f) && r->v[(size_t)row * r->ncols + i].type != SQLITE_TEXT
				    ? csv_number(b.data) : xstrdup(b.data);
				csv_cell(c->csv, cell, first);
				first = 0;
				free(cell);
				buf_free(&b);
			}
			csv_end_row(c->csv);
		}
		csv_end_row(c->csv);
	}
	free(title);
}

static void
render_p(struct rctx *c, struct node *n)
{
	struct buf b = {0};
	struct text_style s = style_body;
	const char *style = n->attr[A_STYLE] ? n->attr[A_STYLE] : "body";

	if (!shown(c->run, n))
		return;
	if (strcmp(style, "kai") == 0)
		s.role = "kai";
	else if (strcmp(style, "note") == 0) {
		s.size_pt = 12;
		s.line_pitch_pt = 20;
		s.indent_chars = 0;
	} else if (strcmp(style, "center") == 0) {
		s.align = ALIGN_CENTER;
		s.indent_chars = 0;
	} else if (strcmp(style, "right") == 0) {
		s.align = ALIGN_RIGHT;
		s.indent_chars = 0;
	} else if (strcmp(style, "noindent") == 0)
		s.indent_chars = 0;
	expand(NULL, c->run, n, -1, n->text, &b);
	if (strcmp(style, "title") == 0)
		doc_title(c->d, b.data);
	else
		doc_paragraph(c->d, &s, b.data);
	buf_free(&b);
}

/* The columns of table N and, per column, its result index and format. */
struct tcol {
	const struct node *col;
	int index;            /* in the table's result */
	const char *format;   /* NULL: by type */
	int numeric;          /* right-aligned, summed in a total without SQL */
};

static void
render_table(struct rctx *c, struct node *n)
{
	const struct result *r = c->run->res[n->index];
	const struct node *total = NULL;
	struct tcol *tc;
	struct table_col *cols;
	int ncols = 0;
	char *title;

	if (!shown(c->run, n))
		return;
	title = expand_attr(c, n, A_TITLE);
	tc = xcalloc((size_t)n->nkids, sizeof *tc);
	cols = xcalloc((size_t)n->nkids, sizeof *cols);
	for (int i = 0; i < n->nkids; i++) {
		const struct node *k = n->kids[i];
		if (k->kind == &kinds[K_TOTAL]) {
			total = k;
			continue;
		}
		struct tcol *t = &tc[ncols];
		t->col = k;
		t->index = result_col(r, k->attr[A_KEY]);
		t->format = k->attr[A_FORMAT];
		if (t->format != NULL)
			t->numeric = strcmp(t->format, "text") != 0;
		else {
			/* by the first non-NULL value */
			t->numeric = 0;
			for (int row = 0; row < r->nrows; row++) {
				const struct value *v = &r->v[(size_t)row * r->ncols + t->index];
				if (v->type != SQLITE_NULL) {
					t->numeric = v->type != SQLITE_TEXT;
					break;
				}
			}
		}
		cols[ncols].header = k->attr[A_HEADER] ? expand_attr(c, k, A_HEADER) : xstrdup(k->attr[A_KEY]);
		cols[ncols].width = k->attr[A_WIDTH] ? atof(k->attr[A_WIDTH]) : 1.0;
		if (cols[ncols].width <= 0)
			cols[ncols].width = 1.0;
		const char *al = k->attr[A_ALIGN];
		cols[ncols].align = al ? (strcmp(al, "right") == 0 ? ALIGN_RIGHT :
		    strcmp(al, "center") == 0 ? ALIGN_CENTER : ALIGN_LEFT) :
		    t->numeric ? ALIGN_RIGHT : ALIGN_LEFT;
		ncols++;
	}
	/* CSV: title, header */
	csv_cell(c->csv, title ? title : c->section ? c->section : "", 1);
	csv_end_row(c->csv);
	for (int i = 0; i < ncols; i++)
		csv_cell(c->csv, cols[i].header, i == 0);
	csv_end_row(c->csv);

	if (r->nrows == 0) {
		char *empty = expand_attr(c, n, A_EMPTY);
		struct text_style s = style_body;
		s.indent_chars = 2;
		if (title != NULL)
			doc_paragraph(c->d, &style_caption, title);
		doc_paragraph(c->d, &s, empty ? empty : "（无）");
		csv_cell(c->csv, empty ? empty : "（无）", 1);
		csv_end_row(c->csv);
		csv_end_row(c->csv);
		free(empty);
		free(title);
		free(tc);
		for (int i = 0; i < ncols; i++)
			free((char *)cols[i].header);
		free(cols);
		return;
	}

	struct table *tab = table_new(title, ncols, cols);
	char **cells = xcalloc((size_t)ncols, sizeof *cells);
	double *sums = xcalloc((size_t)ncols, sizeof *sums);
	int *sum_int = xcalloc((size_t)ncols, sizeof *sum_int);
	for (int i = 0; i < ncols; i++)
		sum_int[i] = 1;
	for (int row = 0; row < r->nrows; row++) {
		for (int i = 0; i < ncols; i++) {
			const struct value *v = &r->v[(size_t)row * r->ncols + tc[i].index];
			struct buf b = {0};
			put_value(&b, v, tc[i].format, tc[i].col->attr[A_NULL],
			    tc[i].col->attr[A_NULL] ? strlen(tc[i].col->attr[A_NULL]) : 0);
			cells[i] = b.data;
			if (v->type == SQLITE_INTEGER || v->type == SQLITE_FLOAT) {
				sums[i] += v->d;
				if (v->type == SQLITE_FLOAT)
					sum_int[i] = 0;
			}
		}
		table_row(tab, (const char *const *)cells);
		for (int i = 0; i < ncols; i++) {
			const struct value *v = &r->v[(size_t)row * r->ncols + tc[i].index];
			char *cell = tc[i].numeric && v->type != SQLITE_TEXT && v->type != SQLITE_NULL
			    ? csv_number(cells[i]) : xstrdup(cells[i]);
			csv_cell(c->csv, cell, i == 0);
			free(cell);
			free(cells[i]);
		}
		csv_end_row(c->csv);
	}
	if (total != NULL) {
		const struct result *tr = c->run->res[total->index];
		char *label = expand_attr(c, total, A_LABEL);
		for (int i = 0; i < ncols; i++) {
			struct buf b = {0};
			buf_puts(&b, "");
			if (tr != NULL) {
				int k = result_col(tr, tc[i].col->attr[A_KEY]);
				if (k >= 0 && tr->nrows > 0) {
					const struct value *v = &tr->v[k];
					put_value(&b, v, tc[i].format, tc[i].col->attr[A_NULL],
					    tc[i].col->attr[A_NULL] ? strlen(tc[i].col->attr[A_NULL]) : 0);
				}
			} else if (i > 0 && tc[i].numeric && (tc[i].format == NULL ||
			    (strcmp(tc[i].format, "percent") != 0 && strcmp(tc[i].format, "pct") != 0))) {
				char tmp[TPL_NUMBER_MAX];
				buf_puts(&b, tpl_format_number(sums[i], sum_int[i], tc[i].format, tmp));
			}
			if (i == 0 && b.len == 0)
				buf_puts(&b, label ? label : "合计");
			cells[i] = b.data;
		}
		table_total(tab, (const char *const *)cells);
		for (int i = 0; i < ncols; i++) {
			char *cell = tc[i].numeric && i > 0 ? csv_number(cells[i]) : xstrdup(cells[i]);
			csv_cell(c->csv, cell, i == 0);
			free(cell);
			free(cells[i]);
		}
		csv_end_row(c->csv);
		free(label);
	}
	csv_end_row(c->csv);
	doc_table(c->d, tab);
	table_free(tab);
	free(cells);
	free(sums);
	free(sum_int);
	free(title);
	free(tc);
	for (int i = 0; i < ncols; i++)
		free((char *)cols[i].header);
	free(cols);
}

static void
render_chart(struct rctx *c, struct node *n)
{
	const struct result *r = c->run->res[n->index];
	int nv, nn, cat;
	char **vals, **names, *title, *unit;

	if (!shown(c->run, n))
		return;
	vals = split_list(n->attr[A_VALUES], &nv);
	names = split_list(n->attr[A_NAMES], &nn);
	title = expand_attr(c, n, A_TITLE);
	unit = expand_attr(c, n, A_UNIT);
	cat = result_col(r, n->attr[A_CATEGORY]);

	const char **categories = xcalloc((size_t)r->nrows + 1, sizeof *categories);
	double *values = xcalloc((size_t)r->nrows * nv + 1, sizeof *values);
	struct chart_series *series = xcalloc((size_t)nv, sizeof *series);
	for (int row = 0; row < r->nrows; row++) {
		const struct value *v = &r->v[(size_t)row * r->ncols + cat];
		categories[row] = v->s ? v->s : "";
	}
	csv_cell(c->csv, title ? title : c->section ? c->section : "", 1);
	csv_end_row(c->csv);
	csv_cell(c->csv, n->attr[A_CATEGORY], 1);
	for (int s = 0; s < nv; s++) {
		int k = result_col(r, vals[s]);
		series[s].name = nn == nv ? names[s] : vals[s];
		series[s].values = values + (size_t)s * r->nrows;
		for (int row = 0; row < r->nrows; row++)
			values[(size_t)s * r->nrows + row] = r->v[(size_t)row * r->ncols + k].d;
		csv_cell(c->csv, series[s].name, 0);
	}
	csv_end_row(c->csv);
	for (int row = 0; row < r->nrows; row++) {
		csv_cell(c->csv, categories[row], 1);
		for (int s = 0; s < nv; s++) {
			const struct value *v = &r->v[(size_t)row * r->ncols + result_col(r, vals[s])];
			char tmp[64];
			if (v->type == SQLITE_NULL)
				csv_cell(c->csv, "", 0);
			else if (v->type == SQLITE_INTEGER) {
				snprintf(tmp, sizeof tmp, "%lld", v->i);
				csv_cell(c->csv, tmp, 0);
			} else {
				snprintf(tmp, sizeof tmp, "%.2f", v->d);
				csv_cell(c->csv, tmp, 0);
			}
		}
		csv_end_row(c->csv);
	}
	csv_end_row(c->csv);

	struct chart ch = {0};
	ch.kind = n->attr[A_KIND] && strcmp(n->attr[A_KIND], "line") == 0 ? CHART_LINE : CHART_BAR;
	ch.title = title;
	ch.unit = unit;
	ch.ncat = r->nrows;
	ch.categories = categories;
	ch.nseries = nv;
	ch.series = series;
	ch.height_mm = n->attr[A_HEIGHT] ? atof(n->attr[A_HEIGHT]) : 0;
	if (r->nrows > 0)
		doc_chart(c->d, &ch);
	free(categories);
	free(values);
	free(series);
	free_list(vals, nv);
	free_list(names, nn);
	free(title);
	free(unit);
}

static void
render_pagebreak(struct rctx *c, struct node *n)
{
	if (shown(c->run, n))
		doc_page_break(c->d);
}

/* The document's date for the PDF's information: the report's date="YYYY-MM-DD"
 * (noon, China Standard Time, so that the day is the same everywhere) when
 * given, else jz_now().  A document dated by its data is the same on every run. */
static long long
report_date(const struct rctx *c, const struct node *root)
{
	char *date = expand_attr(c, root, A_DATE);
	int y, m, d;
	long long t = jz_now();

	if (date != NULL && sscanf(date, "%d-%d-%d", &y, &m, &d) == 3 && y >= 1970 && m >= 1 && m <= 12 &&
	    d >= 1 && d <= 31) {
		struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 4};
		t = (long long)timegm(&tm);
	}
	free(date);
	return t;
}

struct doc *
tpl_render(const struct tpl_run *r, struct fontset *fs, struct buf *csv)
{
	struct doc_setup setup = {0};
	struct rctx c = {r, NULL, csv, NULL};
	char *author = expand_attr(&c, r->t->root, A_AUTHOR);
	int cover = 0;

	for (int i = 0; i < r->t->root->nkids; i++)
		cover |= r->t->root->kids[i]->kind == &kinds[K_COVER];
	setup.page_numbers = 1;
	setup.first_numbered_page = cover ? 2 : 1;
	setup.title = r->title;
	setup.author = author;
	setup.subject = r->title;
	setup.date = report_date(&c, r->t->root);
	c.d = doc_new(fs, &setup);
	if (c.d == NULL) {
		free(author);
		return NULL;
	}
	buf_add(csv, "\xEF\xBB\xBF", 3);
	render_report(&c, r->t->root);
	free(author);
	return c.d;
}

/* The 版头 of GB/T 9704-2012 §7.2 at the top of the current (first) page:
 * the issuing-office mark centred in red, its top 35 mm below the top of the
 * 版心; the document number centred on the third line below the mark (two
 * lines left blank); a red rule across the 版心 4 mm below the number.  The
 * flow goes on two blank lines below the rule, where the title stands. */
static void
render_redhead(struct rctx *c, struct node *n)
{
	char *issuer = expand_attr(c, n, A_ISSUER), *number = expand_attr(c, n, A_NUMBER);
	const double left = 28, width = 156, top = 37, line = 225.0 / 22, pt = 25.4 / 72;
	const unsigned red = 0xE60012;
	struct text_style mark = style_title, num = style_body;
	double mark_h, num_y, rule_y;

	mark.size_pt = 36;       /* 小初: twelve characters fill the 156 mm of the 版心 */
	mark.color = red;
	mark.bold = 1;
	mark.align = ALIGN_CENTER;
	mark.indent_chars = 0;
	mark.letter_spacing_pt = 0;
	num.align = ALIGN_CENTER;
	num.indent_chars = 0;
	mark_h = mark.size_pt * pt;

	doc_field(c->d, "issuing-office mark");
	doc_text_box(c->d, &mark, left, top + 35, width, mark_h, BOX_SHRINK | BOX_VCENTER, issuer);
	num_y = top + 35 + mark_h + 2 * line;
	if (number != NULL && number[0] != '\0') {
		doc_field(c->d, "document number");
		doc_text_box(c->d, &num, left, num_y, width, num.size_pt * pt, BOX_VCENTER, number);
	}
	rule_y = num_y + num.size_pt * pt + 4;
	doc_line(c->d, left, rule_y, left + width, rule_y, 1.5, red);
	doc_vspace(c->d, (rule_y + 2 * line - doc_cursor_y(c->d)) / pt);
	free(issuer);
	free(number);
}

/* The issuing body and the date closing a document without a seal (GB/T
 * 9704-2012 §7.3.5.2): one blank line after the text, the issuer two
 * characters from the right edge, the date on the next line starting two
 * characters to the right of the issuer (when the date is the longer, the
 * date keeps two characters from the edge and the issuer moves left). */
static void
render_signature(struct rctx *c, struct node *n)
{
	char *issuer = expand_attr(c, n, A_ISSUER), *date = expand_attr(c, n, A_DATE);
	struct text_style s = style_body;
	const double width = 156, em = s.size_pt * 25.4 / 72;
	double xi, xd;

	s.align = ALIGN_LEFT;
	s.indent_chars = 0;
	xi = width - 2 * em - doc_text_width(c->d, &s, issuer);
	xd = xi + 2 * em;
	if (xd + doc_text_width(c->d, &s, date) > width - 2 * em) {
		xd = width - 2 * em - doc_text_width(c->d, &s, date);
		xi = xd - 2 * em;
	}
	doc_field(c->d, "issuer");
	s.space_before_pt = 225.0 / 22 * 72 / 25.4;  /* one line of the grid */
	s.indent_chars = xi > 0 ? xi / em : 0;
	doc_paragraph(c->d, &s, issuer);
	doc_field(c->d, "date");
	s.space_before_pt = 0;
	s.indent_chars = xd > 0 ? xd / em : 0;
	doc_paragraph(c->d, &s, date);
	free(issuer);
	free(date);
}
