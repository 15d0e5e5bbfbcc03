/* template_query.c — a template's queries run on a read-only connection
 * with the report's parameters, the placeholders ({param},
 * {query.column:format|null text}) and number formats, the conditions
 * (when, unless), and the checks that need the queries' columns: every
 * column a table, chart or placeholder names, every format and style. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "outputs.h"
#include "template_int.h"

static int check_report(struct qctx *, struct node *);
static int check_section(struct qctx *, struct node *);
static int check_text_attrs(struct qctx *, struct node *);
static int check_p(struct qctx *, struct node *);
static int check_table(struct qctx *, struct node *);
static int check_chart(struct qctx *, struct node *);
static int check_query(struct qctx *, struct node *);

/* What each kind checks once every query ran: columns, placeholders. */
static int (*const checks[K__COUNT])(struct qctx *, struct node *) = {
	[K_REPORT] = check_report,
	[K_COVER] = check_text_attrs,
	[K_SECTION] = check_section,
	[K_SUBSECTION] = check_section,
	[K_QUERY] = check_query,
	[K_P] = check_p,
	[K_TABLE] = check_table,
	[K_CHART] = check_chart,
	[K_PAGEBREAK] = check_section,
	[K_REDHEAD] = check_text_attrs,
	[K_SIGNATURE] = check_text_attrs,
	[K_ATTACHMENTS] = check_section,
	[K_ATTACHMENT] = check_section,
	[K_COLOPHON] = check_section,
};

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

int
tpl_result_col(const struct result *r, const char *name)
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
		if ((sqlite3_errcode(db) & 0xff) == SQLITE_AUTH)
			tpl_node_diag(t, n, A_SQL, off > 0 ? off : 0, DIAG_TPL_SQL_ATTACH);
		else if (st == NULL && sqlite3_errcode(db) == SQLITE_OK)
			tpl_node_diag(t, n, A_SQL, 0, DIAG_TPL_SQL_EMPTY);
		else
			tpl_node_diag(t, n, A_SQL, off > 0 ? off : 0, DIAG_TPL_SQL, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return NULL;
	}
	for (; tail != NULL && *tail != '\0'; tail++)
		if (!isspace((unsigned char)*tail) && *tail != ';') {
			tpl_node_diag(t, n, A_SQL, tail - sql, DIAG_TPL_SQL_ONE);
			sqlite3_finalize(st);
			return NULL;
		}
	if (!sqlite3_stmt_readonly(st)) {
		tpl_node_diag(t, n, A_SQL, 0, DIAG_TPL_SQL_WRITE);
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
			const char *at = pname ? strstr(sql, pname) : NULL;
			tpl_node_diag(t, n, A_SQL, at ? at - sql : 0, DIAG_TPL_SQL_PARAM,
			    pname ? pname : "?", known.data);
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
		tpl_node_diag(t, n, A_SQL, 0, DIAG_TPL_SQL, sqlite3_errmsg(db));
		result_free(r);
		r = NULL;
	}
	sqlite3_finalize(st);
	return r;
}
/* ---- Columns from a query (<cols>) ----------------------------------------
 * A table whose columns are not known when the template is written (one per
 * track of the programme) takes them from the query of its <cols>: a column
 * per row, whose first value is its key and second its header.  The table's
 * own query then gives long rows: BY names the column holding the key of the
 * cell a row fills, VALUE the column holding what goes there.  Rows that
 * agree on every other column, one after another, make one table row. */

static int
value_same(const struct value *a, const struct value *b)
{
	if (a->type == SQLITE_NULL || b->type == SQLITE_NULL)
		return a->type == b->type;
	return strcmp(a->s, b->s) == 0;
}

static void
value_copy(struct value *to, const struct value *from)
{
	*to = *from;
	to->s = from->s ? xstrdup(from->s) : NULL;
}

/* R with columns BY and VALUE spread into one column per row of COLS, named
 * by the row's first value; the caller frees it. */
static struct result *
spread(const struct result *r, const struct result *cols, int by, int value)
{
	struct result *o = xcalloc(1, sizeof *o);
	int kept = r->ncols - 2, *keep = xcalloc((size_t)r->ncols, sizeof *keep), k = 0;
	size_t cap = 0;

	for (int i = 0; i < r->ncols; i++)
		if (i != by && i != value)
			keep[k++] = i;
	o->ncols = kept + cols->nrows;
	o->names = xcalloc((size_t)o->ncols + 1, sizeof *o->names);
	o->shown_format = xcalloc((size_t)o->ncols + 1, sizeof *o->shown_format);
	for (int i = 0; i < kept; i++)
		o->names[i] = xstrdup(r->names[keep[i]]);
	for (int j = 0; j < cols->nrows; j++) {
		const struct value *key = &cols->v[(size_t)j * cols->ncols];
		o->names[kept + j] = xstrdup(key->s ? key->s : "");
	}
	for (int row = 0; row < r->nrows; row++) {
		const struct value *in = r->v + (size_t)row * r->ncols;
		struct value *out = o->nrows > 0 ? o->v + (size_t)(o->nrows - 1) * o->ncols : NULL;
		int same = out != NULL;
		for (int i = 0; same && i < kept; i++)
			same = value_same(&out[i], &in[keep[i]]);
		if (!same) {
			if ((size_t)(o->nrows + 1) * o->ncols > cap) {
				cap = cap ? cap * 2 : (size_t)o->ncols * 16;
				o->v = xrealloc(o->v, cap * sizeof *o->v);
			}
			out = o->v + (size_t)o->nrows++ * o->ncols;
			memset(out, 0, (size_t)o->ncols * sizeof *out);
			for (int i = 0; i < o->ncols; i++)
				out[i].type = SQLITE_NULL;
			for (int i = 0; i < kept; i++)
				value_copy(&out[i], &in[keep[i]]);
		}
		/* the cell this row fills; a key no column has is left out */
		for (int j = 0; j < cols->nrows && in[by].type != SQLITE_NULL; j++)
			if (value_same(&cols->v[(size_t)j * cols->ncols], &in[by])) {
				free(out[kept + j].s);
				value_copy(&out[kept + j], &in[value]);
				break;
			}
	}
	free(keep);
	return o;
}

/* Spreads the results of the tables that have a <cols> (see above).
 * Returns the number of errors reported. */
static int
spread_tables(struct tpl_run *run)
{
	const struct tpl *t = run->t;
	int errors = 0;

	for (int i = 0; i < t->nnodes; i++) {
		const struct node *n = t->nodes[i], *table = n->parent;
		struct result *r, *cols = run->res[i];
		int by, value;

		if (n->kind != &tpl_kinds[K_COLS] || cols == NULL || (r = run->res[table->index]) == NULL)
			continue;
		by = tpl_result_col(r, n->attr[A_BY]);
		value = tpl_result_col(r, n->attr[A_VALUE]);
		if (by < 0 || value < 0 || by == value) {
			char *list = result_cols_list(r);
			tpl_node_diag(t, n, by < 0 ? A_BY : A_VALUE, 0, DIAG_TPL_COLUMN,
			    by < 0 ? n->attr[A_BY] : n->attr[A_VALUE], list);
			free(list);
			errors++;
			continue;
		}
		run->res[table->index] = spread(r, cols, by, value);
		result_free(r);
	}
	return errors;
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
	"change1", "text", "quoted", "path", NULL
};
/* For messages: every format. */
#define KNOWN_FORMATS "thousands, integer, decimal1, decimal2, percent, pct, change, change1, " \
	"more(unit), more1(unit), text, quoted, path"

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
		if (t->nodes[i]->kind == &tpl_kinds[K_QUERY] && strcmp(t->nodes[i]->attr[A_NAME], name) == 0)
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

/* A problem found where it cannot be reported yet (resolving a placeholder
 * or a condition): a row of the catalogue and its arguments, for the caller
 * to report where it points. */
struct problem {
	enum diag_code code;  /* DIAG__COUNT: none, or reported already */
	char *arg[5];         /* owned */
};

static void
problem_set(struct problem *pb, enum diag_code code, const char *a, const char *b, const char *c,
    const char *d, const char *e)
{
	const char *args[5] = {a, b, c, d, e};

	pb->code = code;
	for (int i = 0; i < 5; i++)
		pb->arg[i] = xstrdup(args[i] != NULL ? args[i] : "");
}

static void
problem_free(struct problem *pb)
{
	for (int i = 0; i < 5; i++)
		free(pb->arg[i]);
	memset(pb, 0, sizeof *pb);
	pb->code = DIAG__COUNT;
}

/* Reports PB at attribute A of N (offset OFFSET), or at NEEDLE (LEN bytes)
 * of N's text when A < 0 and NEEDLE is given. */
static void
problem_report(const struct tpl *t, const struct node *n, int a, long offset, const char *needle,
    size_t len, const struct problem *pb)
{
	if (a >= 0 || needle == NULL)
		tpl_node_diag(t, n, a, offset, pb->code, pb->arg[0], pb->arg[1], pb->arg[2], pb->arg[3],
		    pb->arg[4]);
	else
		tpl_text_diag(t, n, needle, len, pb->code, pb->arg[0], pb->arg[1], pb->arg[2], pb->arg[3],
		    pb->arg[4]);
}

/* Resolves PH against RUN: the value it stands for (NULL for a parameter)
 * into *V, the parameter into *P.  Returns 0, or -1 with the problem in *PB
 * (code DIAG__COUNT when it was reported already; problem_free frees it). */
static int
resolve(const struct tpl_run *run, const struct placeholder *ph, const struct value **v,
    const struct tpl_param **p, struct result **res, int *col, struct problem *pb)
{
	*v = NULL;
	*p = NULL;
	*res = NULL;
	*col = -1;
	if (ph->format[0] != '\0' && !known_format(ph->format)) {
		problem_set(pb, DIAG_TPL_FORMAT, ph->format, KNOWN_FORMATS, NULL, NULL, NULL);
		return -1;
	}
	if (ph->column[0] == '\0') {
		if ((*p = find_param(run, ph->name)) == NULL) {
			struct buf known = {0};
			buf_puts(&known, "");
			for (int j = 0; j < run->nparams; j++)
				buf_printf(&known, "%s%s", j ? ", " : "", run->params[j].name);
			problem_set(pb, DIAG_TPL_PARAMETER, ph->name, known.data, NULL, NULL, NULL);
			buf_free(&known);
			return -1;
		}
		return 0;
	}
	const struct node *q = find_query(run->t, ph->name);
	if (q == NULL) {
		problem_set(pb, DIAG_TPL_NO_QUERY, ph->name, ph->column, ph->name, NULL, NULL);
		return -1;
	}
	*res = run->res[q->index];
	if (*res == NULL)
		return -1;  /* its SQL failed, already reported */
	*col = tpl_result_col(*res, ph->column);
	if (*col < 0) {
		char *cols = result_cols_list(*res);
		problem_set(pb, DIAG_TPL_NO_COLUMN, ph->name, ph->column, ph->name, ph->column, cols);
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
		long long v = llround(jz_round_half(value, 0));
		fmt_thousands(v < 0 ? -v : v, tmp);
		if (v == 0)
			snprintf(out, TPL_NUMBER_MAX, "持平");
		else
			snprintf(out, TPL_NUMBER_MAX, "%s%s%s", v > 0 ? "增加" : "减少", tmp, unit);
		return out;
	}
	if (more == 1) {
		/* of a rate, in one decimal: 提高1.2个百分点, 下降0.3个百分点, 持平 */
		long long tenths = llround(jz_round_half(value, 1) * 10);
		if (tenths == 0)
			snprintf(out, TPL_NUMBER_MAX, "持平");
		else
			snprintf(out, TPL_NUMBER_MAX, "%s%lld.%lld%s", tenths > 0 ? "提高" : "下降",
			    llabs(tenths) / 10, llabs(tenths) % 10, unit);
		return out;
	}
	/* Rounded half up, as the companions hold the same figure
	 * (template_sheets.c) and SQL's round() gives a chart's. */
	if (strcmp(format, "thousands") == 0 || (strcmp(format, "change") == 0 && is_integer)) {
		long long v = llround(jz_round_half(value, 0));
		fmt_thousands(v < 0 ? -v : v, tmp);
		snprintf(out, TPL_NUMBER_MAX, "%s%s", v < 0 ? "-" : (v > 0 && format[0] == 'c') ? "+" : "", tmp);
	} else if (strcmp(format, "integer") == 0)
		snprintf(out, TPL_NUMBER_MAX, "%lld", llround(jz_round_half(value, 0)));
	else if (strcmp(format, "decimal2") == 0)
		snprintf(out, TPL_NUMBER_MAX, "%.2f", jz_round_half(value, 2));
	else if (strcmp(format, "percent") == 0)
		snprintf(out, TPL_NUMBER_MAX, "%.1f%%", jz_round_half(value * 100.0, 1));
	else if (strcmp(format, "pct") == 0)
		snprintf(out, TPL_NUMBER_MAX, "%.1f%%", jz_round_half(value, 1));
	else if (strcmp(format, "change1") == 0 || (!is_integer && strcmp(format, "change") == 0))
		snprintf(out, TPL_NUMBER_MAX, "%+.1f", jz_round_half(value, 1));
	else
		snprintf(out, TPL_NUMBER_MAX, "%.1f", jz_round_half(value, 1));
	if (strcmp(out, "-0.0%") == 0 || strcmp(out, "-0.0") == 0)
		memmove(out, out + 1, strlen(out));
	return out;
}

/* Appends TEXT as running text shows a name (format "quoted"): in “…”,
 * unless it carries quotation marks of its own already, as the programme
 * “建功‘十四五’奋进新征程”主题劳动和技能竞赛 does (GB/T 15834 §4.1: quotation
 * marks do not double). */
static void
put_quoted(struct buf *b, const char *text)
{
	static const char *const marks[] = {"“", "”", "「", "」", "\"", NULL};

	for (int i = 0; marks[i] != NULL; i++)
		if (strstr(text, marks[i]) != NULL) {
			buf_puts(b, text);
			return;
		}
	buf_printf(b, "“%s”", text);
}

/* Appends V formatted as FORMAT (NULL: by its type) to B; NULL_TEXT for NULL. */
void
tpl_put_value(struct buf *b, const struct value *v, const char *format, const char *null_text,
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
	if (format != NULL && strcmp(format, "quoted") == 0) {
		put_quoted(b, v->s);
		return;
	}
	if (format != NULL && strcmp(format, "path") == 0 && v->type == SQLITE_TEXT) {
		/* a line may break after each / (a zero-width space: drawn as
		 * nothing, and only here, not in the companion files) */
		for (const char *p = v->s; *p != '\0'; p++) {
			buf_putc(b, *p);
			if (*p == '/' && p[1] != '\0')
				buf_puts(b, "\u200B");
		}
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
int
tpl_expand(struct qctx *q, const struct tpl_run *run, const struct node *n, int a, const char *text,
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
		struct problem pb = {.code = DIAG__COUNT};
		int failed = 0;
		if (e == NULL || parse_placeholder(p + 1, e, &ph) != 0) {
			char shown[64];
			snprintf(shown, sizeof shown, "%.40s", p);
			problem_set(&pb, DIAG_TPL_PLACEHOLDER, shown, NULL, NULL, NULL, NULL);
		} else if (resolve(run, &ph, &v, &param, &res, &col, &pb) != 0)
			failed = 1;
		else if (q != NULL && res != NULL && res->shown_format[col] == NULL)
			res->shown_format[col] = xstrdup(ph.format);
		if (pb.code != DIAG__COUNT || failed) {
			if (q != NULL && pb.code != DIAG__COUNT) {
				problem_report(run->t, n, a, p - text, p, e ? (size_t)(e + 1 - p) : strlen(p), &pb);
				q->errors++;
			}
			problem_free(&pb);
			bad = 1;
			if (e == NULL)
				break;
			p = e + 1;
			continue;
		}
		if (out != NULL) {
			if (param != NULL) {
				if (param->value != NULL && strcmp(ph.format, "quoted") == 0)
					put_quoted(out, param->value);
				else if (param->value != NULL)
					buf_puts(out, param->value);
				else if (ph.null_text)
					buf_add(out, ph.null_text, ph.null_len);
			} else
				tpl_put_value(out, v, ph.format[0] ? ph.format : NULL, ph.null_text, ph.null_len);
		}
		p = e + 1;
	}
	return bad ? -1 : 0;
}

/* A condition: when="q.col" holds when the value is there and not 0 or ''. */
static int
cond_value(const struct tpl_run *run, const char *ref, int *truth, struct problem *pb)
{
	struct placeholder ph;
	const struct value *v;
	const struct tpl_param *p;
	struct result *res;
	int col;

	if (parse_placeholder(ref, ref + strlen(ref), &ph) != 0) {
		problem_set(pb, DIAG_TPL_CONDITION, ref, NULL, NULL, NULL, NULL);
		return -1;
	}
	if (resolve(run, &ph, &v, &p, &res, &col, pb) != 0)
		return -1;
	if (p != NULL)
		*truth = p->value != NULL && *p->value != '\0' && strcmp(p->value, "0") != 0;
	else
		*truth = v != NULL && v->type != SQLITE_NULL &&
		    !(v->type != SQLITE_TEXT && v->d == 0) && !(v->type == SQLITE_TEXT && *v->s == '\0');
	return 0;
}

/* 1 when N is to be shown (its when/unless hold). */
int
tpl_shown(const struct tpl_run *run, const struct node *n)
{
	int truth;
	struct problem pb = {.code = DIAG__COUNT};

	if (n->attr[A_WHEN] != NULL) {
		if (cond_value(run, n->attr[A_WHEN], &truth, &pb) != 0 || !truth) {
			problem_free(&pb);
			return 0;
		}
	}
	if (n->attr[A_UNLESS] != NULL) {
		if (cond_value(run, n->attr[A_UNLESS], &truth, &pb) != 0 || truth) {
			problem_free(&pb);
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
		struct problem pb = {.code = DIAG__COUNT};
		if (n->attr[which[i]] == NULL)
			continue;
		if (cond_value(q->run, n->attr[which[i]], &truth, &pb) != 0) {
			if (pb.code == DIAG__COUNT)
				continue;
			problem_report(q->run->t, n, which[i], 0, NULL, 0, &pb);
			problem_free(&pb);
			q->errors++;
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* The attributes that hold text with placeholders. */
static const int text_attrs[] = {A_TITLE, A_SUBTITLE, A_ISSUER, A_DATE, A_AUTHOR, A_LABEL,
    A_HEADER, A_NAMES, A_UNIT, A_EMPTY, A_NULL, A_NUMBER, A_COPY_TO, A_PRINTER};

/* Attribute A of N, when given, is one of the words of CHOICES (a list
 * separated by ", "); else an error.  Returns 0 or -1. */
static int
check_choice(struct qctx *q, struct node *n, int a, const char *what, const char *choices)
{
	const char *v = n->attr[a], *c = choices;
	size_t len;

	if (v == NULL)
		return 0;
	len = strlen(v);
	while (*c != '\0') {
		const char *e = strstr(c, ", ");
		size_t l = e != NULL ? (size_t)(e - c) : strlen(c);

		if (l == len && strncmp(c, v, len) == 0)
			return 0;
		c += l + (e != NULL ? 2 : 0);
	}
	tpl_node_diag(q->run->t, n, a, 0, DIAG_TPL_VALUE, v, what, choices);
	q->errors++;
	return -1;
}

/* Attribute A of N, when given, is a length in millimetres above 0. */
static int
check_mm(struct qctx *q, struct node *n, int a)
{
	char *end;
	double v;

	if (n->attr[a] == NULL)
		return 0;
	v = strtod(n->attr[a], &end);
	if (end != n->attr[a] && *end == '\0' && v > 0)
		return 0;
	tpl_node_diag(q->run->t, n, a, 0, DIAG_TPL_VALUE, n->attr[a], "width in millimetres",
	    "a number above 0, such as 25");
	q->errors++;
	return -1;
}

/* 0 when R (NULL: not run) has a column NAME; else says so at attribute A
 * of N, with the columns R has, and returns 1. */
static int
check_column(struct qctx *q, const struct result *r, const struct node *n, int a, const char *name)
{
	char *cols;

	if (r == NULL || tpl_result_col(r, name) >= 0)
		return 0;
	cols = result_cols_list(r);
	tpl_node_diag(q->run->t, n, a, 0, DIAG_TPL_COLUMN, name, cols);
	free(cols);
	q->errors++;
	return 1;
}

static int
check_text_attrs(struct qctx *q, struct node *n)
{
	int bad = 0;

	for (size_t i = 0; i < sizeof text_attrs / sizeof *text_attrs; i++)
		if (n->attr[text_attrs[i]] != NULL &&
		    tpl_expand(q, q->run, n, text_attrs[i], n->attr[text_attrs[i]], NULL) != 0)
			bad = 1;
	return bad ? -1 : 0;
}

static int
check_report(struct qctx *q, struct node *n)
{
	int a = check_text_attrs(q, n), b = check_choice(q, n, A_PUNCTUATION, "punctuation",
	    "adjust, none");
	return a || b ? -1 : 0;
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
	int b = tpl_expand(q, q->run, n, -1, n->text, NULL);
	static const char *const styles[] = {"body", "kai", "note", "center", "right", "noindent", "title", NULL};
	if (n->attr[A_STYLE] != NULL) {
		int ok = 0;
		for (int i = 0; styles[i]; i++)
			ok |= strcmp(styles[i], n->attr[A_STYLE]) == 0;
		if (!ok) {
			tpl_node_diag(q->run->t, n, A_STYLE, 0, DIAG_TPL_VALUE, n->attr[A_STYLE], "style",
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
		tpl_node_diag(q->run->t, n, A_FORMAT, 0, DIAG_TPL_VALUE, n->attr[A_FORMAT], "format",
		    KNOWN_FORMATS);
		q->errors++;
		return -1;
	}
	if (n->attr[A_ALIGN] != NULL && strcmp(n->attr[A_ALIGN], "left") != 0 &&
	    strcmp(n->attr[A_ALIGN], "center") != 0 && strcmp(n->attr[A_ALIGN], "right") != 0) {
		tpl_node_diag(q->run->t, n, A_ALIGN, 0, DIAG_TPL_VALUE, n->attr[A_ALIGN], "align",
		    "left, center, right");
		q->errors++;
		return -1;
	}
	{
		int a = check_choice(q, n, A_WRAP, "wrap", "words, names");
		int b = check_mm(q, n, A_MIN_WIDTH), c = check_mm(q, n, A_MAX_WIDTH);

		return a || b || c ? -1 : 0;
	}
}

static int
check_table(struct qctx *q, struct node *n)
{
	const struct result *r = q->run->res[n->index];
	int bad = check_section(q, n) != 0, ncols = 0, spreads = 0;

	bad |= check_choice(q, n, A_FLOAT, "float", "yes, no") != 0;
	for (int i = 0; i < n->nkids; i++) {
		struct node *k = n->kids[i];
		if (k->kind == &tpl_kinds[K_COL]) {
			ncols++;
			bad |= check_text_attrs(q, k) != 0;
			bad |= check_format_attr(q, k) != 0;
			bad |= check_column(q, r, k, A_KEY, k->attr[A_KEY]);
		} else if (k->kind == &tpl_kinds[K_COLS]) {
			const struct result *cr = q->run->res[k->index];
			bad |= check_format_attr(q, k) != 0;
			if (cr == NULL)
				continue;
			if (++spreads > 1) {
				tpl_node_diag(q->run->t, k, -1, 0, DIAG_TPL_SQL, "a table has one <cols> at most");
				q->errors++;
				bad = 1;
			}
			/* its keys name columns of their own, not those of the query */
			for (int row = 0; r != NULL && row < cr->nrows; row++) {
				const struct value *key = &cr->v[(size_t)row * cr->ncols];
				if (key->s == NULL || tpl_result_col(r, key->s) < r->ncols - cr->nrows + row) {
					char *msg = xasprintf("<cols> gives a column '%s' that is empty or a column "
					    "of its table's query already", key->s ? key->s : "");
					tpl_node_diag(q->run->t, k, A_SQL, 0, DIAG_TPL_SQL, msg);
					free(msg);
					q->errors++;
					bad = 1;
				}
			}
			ncols += cr->nrows;
		} else if (k->kind == &tpl_kinds[K_TOTAL]) {
			bad |= check_text_attrs(q, k) != 0;
			const struct result *tr = q->run->res[k->index];
			if (tr != NULL)
				for (int c = 0; c < tr->ncols; c++) {
					int found = 0;
					for (int j = 0; j < n->nkids; j++)
						if (n->kids[j]->kind == &tpl_kinds[K_COL] &&
						    strcmp(n->kids[j]->attr[A_KEY], tr->names[c]) == 0)
							found = 1;
						else if (n->kids[j]->kind == &tpl_kinds[K_COLS] && r != NULL &&
						    q->run->res[n->kids[j]->index] != NULL &&
						    tpl_result_col(r, tr->names[c]) >= r->ncols -
						    q->run->res[n->kids[j]->index]->nrows)
							found = 1;
					if (!found) {
						tpl_node_diag(q->run->t, k, A_SQL, 0, DIAG_TPL_TOTAL_COLUMN,
						    tr->names[c]);
						q->errors++;
						bad = 1;
					}
				}
		}
	}
	if (ncols == 0) {
		tpl_node_diag(q->run->t, n, -1, 0, DIAG_TPL_NO_COL);
		q->errors++;
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* Splits a comma-separated list (ASCII or full-width commas); the caller
 * frees the array and its strings. */
char **
tpl_split_list(const char *s, int *n)
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

void
tpl_free_list(char **v, int n)
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
	char **vals = tpl_split_list(n->attr[A_VALUES], &nv);
	char **names = tpl_split_list(n->attr[A_NAMES], &nn);

	bad |= check_choice(q, n, A_FLOAT, "float", "yes, no") != 0;
	if (n->attr[A_KIND] != NULL && strcmp(n->attr[A_KIND], "bar") != 0 &&
	    strcmp(n->attr[A_KIND], "line") != 0) {
		tpl_node_diag(q->run->t, n, A_KIND, 0, DIAG_TPL_VALUE, n->attr[A_KIND], "kind", "bar, line");
		q->errors++;
		bad = 1;
	}
	bad |= check_column(q, r, n, A_CATEGORY, n->attr[A_CATEGORY]);
	for (int i = 0; i < nv; i++)
		bad |= check_column(q, r, n, A_VALUES, vals[i]);
	if (nv == 0 || (n->attr[A_NAMES] != NULL && nn != nv)) {
		tpl_node_diag(q->run->t, n, A_NAMES, 0, DIAG_TPL_NAMES, n->attr[A_NAMES] ? n->attr[A_NAMES] : "");
		q->errors++;
		bad = 1;
	}
	tpl_free_list(vals, nv);
	tpl_free_list(names, nn);
	return bad ? -1 : 0;
}

/* A query: its title's placeholders, and each <col key> one of its columns. */
static int
check_query(struct qctx *q, struct node *n)
{
	const struct result *r = q->run->res[n->index];
	int bad = check_text_attrs(q, n) != 0;

	for (int i = 0; i < n->nkids; i++) {
		struct node *k = n->kids[i];
		bad |= check_text_attrs(q, k) != 0;
		bad |= check_column(q, r, k, A_KEY, k->attr[A_KEY]);
	}
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
	q.errors += spread_tables(run);
	/* Placeholders need every query's columns: check once they all ran. */
	for (int i = 0; i < t->nnodes; i++)
			if (checks[TPL_KIND(t->nodes[i])] != NULL)
				checks[TPL_KIND(t->nodes[i])](&q, t->nodes[i]);
	if (q.errors > 0) {
		tpl_run_free(run);
		return NULL;
	}
	struct buf title = {0};
	tpl_expand(NULL, run, t->root, A_TITLE, t->root->attr[A_TITLE], &title);
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
	int stable_today = jz_clock_fixed();

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
