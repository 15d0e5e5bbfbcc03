/* template_render.c — a report laid out from its template and the
 * results of its queries: the cover, headings, paragraphs, tables, charts,
 * the red header and signature (layout.h), each table, chart and query
 * also adding its sheet to the companion CSV and workbook (template_sheets.c). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layout.h"
#include "sheets.h"
#include "template_int.h"

struct rctx {
	const struct tpl_run *run;
	struct doc *d;
	struct sheets *sheets;
	const char *section;  /* title of the current section, for the sheets' headings */
};

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
static void render_attachments(struct rctx *, struct node *);
static void render_attachment(struct rctx *, struct node *);
static void render_colophon(struct rctx *, struct node *);

/* How each kind is laid out (and writes its CSV block); NULL: by its parent. */
static void (*const renders[K__COUNT])(struct rctx *, struct node *) = {
	[K_REPORT] = render_report,
	[K_COVER] = render_cover,
	[K_SECTION] = render_section,
	[K_SUBSECTION] = render_section,
	[K_QUERY] = render_query,
	[K_P] = render_p,
	[K_TABLE] = render_table,
	[K_CHART] = render_chart,
	[K_PAGEBREAK] = render_pagebreak,
	[K_REDHEAD] = render_redhead,
	[K_SIGNATURE] = render_signature,
	[K_ATTACHMENTS] = render_attachments,
	[K_ATTACHMENT] = render_attachment,
	[K_COLOPHON] = render_colophon,
};

static char *
expand_attr(const struct rctx *c, const struct node *n, int a)
{
	struct buf b = {0};
	if (n->attr[a] == NULL)
		return NULL;
	tpl_expand(NULL, c->run, n, a, n->attr[a], &b);
	return b.data;
}

static void
render_kids(struct rctx *c, struct node *n)
{
	for (int i = 0; i < n->nkids; i++)
		if (renders[TPL_KIND(n->kids[i])] != NULL)
			renders[TPL_KIND(n->kids[i])](c, n->kids[i]);
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

	doc_report_cover(c->d, title, subtitle, issuer, date);
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

	if (!tpl_shown(c->run, n))
		return;
	title = expand_attr(c, n, A_TITLE);
	doc_field(c->d, title);
	/* A heading followed by a table or chart keeps with its caption and
	 * first rows: the layout only keeps it with one line of text. */
	for (int i = 0; i < n->nkids; i++) {
		const struct node *k = n->kids[i];
		if (k->kind == &tpl_kinds[K_QUERY] || !tpl_shown(c->run, k))
			continue;
		if (k->kind == &tpl_kinds[K_TABLE] || k->kind == &tpl_kinds[K_CHART])
			doc_keep_for_table(c->d);
		break;
	}
	doc_heading(c->d, n->kind == &tpl_kinds[K_SECTION] ? 1 : 2, title);
	c->section = title;
	render_kids(c, n);
	c->section = saved;
	free(title);
}
/* A query's sheet: the columns its placeholders showed, as shown. */
static void
render_query(struct rctx *c, struct node *n)
{
	const struct result *r = c->run->res[n->index];
	char *title = expand_attr(c, n, A_TITLE);
	char **headers = xcalloc((size_t)r->ncols + 1, sizeof *headers);

	/* each column named by the query's <col key header>, else by its key */
	for (int i = 0; i < n->nkids; i++) {
		int k = tpl_result_col(r, n->kids[i]->attr[A_KEY]);
		if (k >= 0 && headers[k] == NULL)
			headers[k] = expand_attr(c, n->kids[i], A_HEADER);
	}
	tpl_sheet_query(c->sheets, r, title ? title : c->section ? c->section : n->attr[A_NAME],
	    headers);
	for (int i = 0; i < r->ncols; i++)
		free(headers[i]);
	free(headers);
	free(title);
}

static void
render_p(struct rctx *c, struct node *n)
{
	struct buf b = {0};
	struct text_style s = style_body;
	const char *style = n->attr[A_STYLE] ? n->attr[A_STYLE] : "body";

	if (!tpl_shown(c->run, n))
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
	tpl_expand(NULL, c->run, n, -1, n->text, &b);
	if (strcmp(style, "title") == 0)
		doc_title(c->d, b.data);
	else
		doc_paragraph(c->d, &s, b.data);
	buf_free(&b);
}

/* The columns of table N and, per column, its result index and format. */
struct tcol {
	const struct node *col; /* <col>, or the <cols> it comes from */
	const char *key;      /* the column's name in the table's result */
	int index;            /* in the table's result */
	const char *format;   /* NULL: by type */
	int numeric;          /* right-aligned, summed in a total without SQL */
};

/* Whether S is a dash standing for a missing figure (—, -, －). */
static int
is_dash(const char *s)
{
	return strcmp(s, "—") == 0 || strcmp(s, "-") == 0 || strcmp(s, "－") == 0;
}

static void
render_table(struct rctx *c, struct node *n)
{
	const struct result *r = c->run->res[n->index];
	const struct node *total = NULL;
	struct tcol *tc;
	struct table_col *cols;
	int ncols = 0;
	char *title;

	if (!tpl_shown(c->run, n))
		return;
	title = expand_attr(c, n, A_TITLE);
	/* the columns: each <col>, and each row of the query of a <cols> */
	int room = n->nkids;
	for (int i = 0; i < n->nkids; i++)
		if (n->kids[i]->kind == &tpl_kinds[K_COLS])
			room += c->run->res[n->kids[i]->index]->nrows;
	tc = xcalloc((size_t)room, sizeof *tc);
	cols = xcalloc((size_t)room, sizeof *cols);
	for (int i = 0; i < n->nkids; i++) {
		const struct node *k = n->kids[i];
		const struct result *spread = NULL;
		if (k->kind == &tpl_kinds[K_TOTAL]) {
			total = k;
			continue;
		}
		if (k->kind == &tpl_kinds[K_COLS])
			spread = c->run->res[k->index];
		for (int j = 0; j < (spread ? spread->nrows : 1); j++) {
			const struct value *row = spread ? &spread->v[(size_t)j * spread->ncols] : NULL;
			struct tcol *t = &tc[ncols];
			t->col = k;
			t->key = row ? row[0].s : k->attr[A_KEY];
			t->index = tpl_result_col(r, t->key);
			t->format = k->attr[A_FORMAT];
			int missing = 0; /* every value NULL or a dash */
			if (t->format != NULL)
				t->numeric = strcmp(t->format, "text") != 0 && strcmp(t->format, "path") != 0;
			else {
				/* by the first non-NULL value */
				t->numeric = 0;
				for (int rw = 0; rw < r->nrows; rw++) {
					const struct value *v = &r->v[(size_t)rw * r->ncols + t->index];
					if (v->type != SQLITE_NULL) {
						t->numeric = v->type != SQLITE_TEXT;
						break;
					}
				}
				/* a column whose every value is missing (NULL, or the dash
				 * its query gives for a year before the programme) stands
				 * for numbers (2020年 in the reports of the first year): its
				 * 无数据 or — goes right, as those of 增减 and 占全市 beside
				 * it do, not against the left rule as text would */
				missing = r->nrows > 0;
				for (int rw = 0; rw < r->nrows && missing; rw++) {
					const struct value *v = &r->v[(size_t)rw * r->ncols + t->index];
					missing = v->type == SQLITE_NULL || (v->type == SQLITE_TEXT &&
					    v->s != NULL && is_dash(v->s));
				}
			}
			if (row != NULL)
				cols[ncols].header = xstrdup(spread->ncols > 1 && row[1].s ? row[1].s : t->key);
			else
				cols[ncols].header = k->attr[A_HEADER] ? expand_attr(c, k, A_HEADER) : xstrdup(t->key);
			cols[ncols].width = k->attr[A_WIDTH] ? atof(k->attr[A_WIDTH]) : 1.0;
			if (cols[ncols].width <= 0)
				cols[ncols].width = 1.0;
			const char *al = k->attr[A_ALIGN];
			cols[ncols].align = al ? (strcmp(al, "right") == 0 ? ALIGN_RIGHT :
			    strcmp(al, "center") == 0 ? ALIGN_CENTER : ALIGN_LEFT) :
			    t->numeric || missing ? ALIGN_RIGHT : ALIGN_LEFT;
			cols[ncols].names = k->attr[A_WRAP] != NULL && strcmp(k->attr[A_WRAP], "names") == 0;
			cols[ncols].min_mm = k->attr[A_MIN_WIDTH] ? atof(k->attr[A_MIN_WIDTH]) : 0;
			cols[ncols].max_mm = k->attr[A_MAX_WIDTH] ? atof(k->attr[A_MAX_WIDTH]) : 0;
			ncols++;
		}
	}
	/* the sheet: title, header */
	struct sheet *sh = sheets_add(c->sheets, title ? title : c->section ? c->section : "", ncols);
	for (int i = 0; i < ncols; i++)
		sheet_header(sh, i, cols[i].header);

	if (r->nrows == 0) {
		char *empty = expand_attr(c, n, A_EMPTY);
		struct text_style s = style_body;
		s.indent_chars = 2;
		if (title != NULL)
			doc_paragraph(c->d, &style_caption, title);
		doc_paragraph(c->d, &s, empty ? empty : "（无）");
		sheet_text(&sheet_row(sh)[0], empty ? empty : "（无）");
		free(empty);
		free(title);
		free(tc);
		for (int i = 0; i < ncols; i++)
			free((char *)cols[i].header);
		free(cols);
		return;
	}

	struct table *tab = table_new(title, ncols, cols);
	if (n->attr[A_FLOAT] != NULL && strcmp(n->attr[A_FLOAT], "no") == 0)
		table_pin(tab);
	char **cells = xcalloc((size_t)ncols, sizeof *cells);
	double *sums = xcalloc((size_t)ncols, sizeof *sums);
	int *sum_int = xcalloc((size_t)ncols, sizeof *sum_int);
	for (int i = 0; i < ncols; i++)
		sum_int[i] = 1;
	for (int row = 0; row < r->nrows; row++) {
		for (int i = 0; i < ncols; i++) {
			const struct value *v = &r->v[(size_t)row * r->ncols + tc[i].index];
			struct buf b = {0};
			tpl_put_value(&b, v, tc[i].format, tc[i].col->attr[A_NULL],
			    tc[i].col->attr[A_NULL] ? strlen(tc[i].col->attr[A_NULL]) : 0);
			cells[i] = b.data;
			if (v->type == SQLITE_INTEGER || v->type == SQLITE_FLOAT) {
				sums[i] += v->d;
				if (v->type == SQLITE_FLOAT)
					sum_int[i] = 0;
			}
		}
		table_row(tab, (const char *const *)cells);
		struct sheet_cell *sc = sheet_row(sh);
		for (int i = 0; i < ncols; i++) {
			const struct value *v = &r->v[(size_t)row * r->ncols + tc[i].index];
			tpl_sheet_value(&sc[i], v, tc[i].format, tc[i].col->attr[A_NULL]);
			free(cells[i]);
		}
	}
	if (total != NULL) {
		const struct result *tr = c->run->res[total->index];
		char *label = expand_attr(c, total, A_LABEL);
		struct sheet_cell *sc = sheet_row(sh);
		sh->total = 1;
		for (int i = 0; i < ncols; i++) {
			struct buf b = {0};
			buf_puts(&b, "");
			if (tr != NULL) {
				int k = tpl_result_col(tr, tc[i].key);
				if (k >= 0 && tr->nrows > 0) {
					const struct value *v = &tr->v[k];
					tpl_put_value(&b, v, tc[i].format, tc[i].col->attr[A_NULL],
					    tc[i].col->attr[A_NULL] ? strlen(tc[i].col->attr[A_NULL]) : 0);
					tpl_sheet_value(&sc[i], v, tc[i].format, tc[i].col->attr[A_NULL]);
				}
			} else if (i > 0 && tc[i].numeric && (tc[i].format == NULL ||
			    (strcmp(tc[i].format, "percent") != 0 && strcmp(tc[i].format, "pct") != 0))) {
				char tmp[TPL_NUMBER_MAX];
				struct value sum = {sum_int[i] ? SQLITE_INTEGER : SQLITE_FLOAT,
				    (long long)sums[i], sums[i], NULL};
				buf_puts(&b, tpl_format_number(sums[i], sum_int[i], tc[i].format, tmp));
				tpl_sheet_value(&sc[i], &sum, tc[i].format, NULL);
			}
			if (i == 0 && b.len == 0) {
				buf_puts(&b, label ? label : "合计");
				sheet_text(&sc[0], b.data);
			}
			cells[i] = b.data;
		}
		table_total(tab, (const char *const *)cells);
		for (int i = 0; i < ncols; i++)
			free(cells[i]);
		free(label);
	}
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

	if (!tpl_shown(c->run, n))
		return;
	vals = tpl_split_list(n->attr[A_VALUES], &nv);
	names = tpl_split_list(n->attr[A_NAMES], &nn);
	title = expand_attr(c, n, A_TITLE);
	unit = expand_attr(c, n, A_UNIT);
	cat = tpl_result_col(r, n->attr[A_CATEGORY]);

	const char **categories = xcalloc((size_t)r->nrows + 1, sizeof *categories);
	double *values = xcalloc((size_t)r->nrows * nv + 1, sizeof *values);
	struct chart_series *series = xcalloc((size_t)nv, sizeof *series);
	int *cols = xcalloc((size_t)nv + 1, sizeof *cols);
	char **series_names = xcalloc((size_t)nv + 1, sizeof *series_names);
	for (int row = 0; row < r->nrows; row++) {
		const struct value *v = &r->v[(size_t)row * r->ncols + cat];
		categories[row] = v->s ? v->s : "";
	}
	for (int s = 0; s < nv; s++) {
		int k = cols[s] = tpl_result_col(r, vals[s]);
		series[s].name = series_names[s] = nn == nv ? names[s] : vals[s];
		series[s].values = values + (size_t)s * r->nrows;
		for (int row = 0; row < r->nrows; row++)
			values[(size_t)s * r->nrows + row] = r->v[(size_t)row * r->ncols + k].d;
	}
	char *category = expand_attr(c, n, A_LABEL);
	tpl_sheet_chart(c->sheets, title ? title : c->section ? c->section : "",
	    category != NULL ? category : "类别", r, cat, cols, series_names, nv);
	free(category);

	struct chart ch = {0};
	ch.kind = n->attr[A_KIND] && strcmp(n->attr[A_KIND], "line") == 0 ? CHART_LINE : CHART_BAR;
	ch.title = title;
	ch.unit = unit;
	ch.ncat = r->nrows;
	ch.categories = categories;
	ch.nseries = nv;
	ch.series = series;
	ch.height_mm = n->attr[A_HEIGHT] ? atof(n->attr[A_HEIGHT]) : 0;
	ch.pinned = n->attr[A_FLOAT] != NULL && strcmp(n->attr[A_FLOAT], "no") == 0;
	if (r->nrows > 0)
		doc_chart(c->d, &ch);
	free(categories);
	free(values);
	free(series);
	free(cols);
	free(series_names);
	tpl_free_list(vals, nv);
	tpl_free_list(names, nn);
	free(title);
	free(unit);
}

static void
render_pagebreak(struct rctx *c, struct node *n)
{
	if (tpl_shown(c->run, n))
		doc_page_break(c->d);
}

/* The document's date for the PDF's information: the report's date="YYYY-MM-DD"
 * when given, 00:00 in the programme's time zone (the run's parameter
 * time_zone; default Asia/Shanghai), else jz_now().  A document dated by its
 * data is the same on every run. */
static long long
report_date(const struct rctx *c, const struct node *root)
{
	char *date = expand_attr(c, root, A_DATE);
	const char *zone = JZ_DEFAULT_ZONE;
	int y, m, d;
	long long t = jz_now(), day;

	for (int i = 0; i < c->run->nparams; i++)
		if (strcmp(c->run->params[i].name, "time_zone") == 0 && c->run->params[i].value != NULL)
			zone = c->run->params[i].value;
	if (date != NULL && sscanf(date, "%d-%d-%d", &y, &m, &d) == 3 && y >= 1970 && m >= 1 && m <= 12 &&
	    d >= 1 && d <= 31 && (day = jz_zone_midnight(y, m, d, zone)) >= 0)
		t = day;
	free(date);
	return t;
}

struct doc *
tpl_render(const struct tpl_run *r, struct fontset *fs, struct sheets *sheets)
{
	struct doc_setup setup = {0};
	struct rctx c = {r, NULL, sheets, NULL};
	char *author = expand_attr(&c, r->t->root, A_AUTHOR);
	int cover = 0;

	for (int i = 0; i < r->t->root->nkids; i++)
		cover |= r->t->root->kids[i]->kind == &tpl_kinds[K_COVER];
	setup.page_numbers = 1;
	setup.first_numbered_page = cover ? 2 : 1;
	setup.title = r->title;
	setup.author = author;
	setup.subject = r->title;
	setup.date = report_date(&c, r->t->root);
	if (r->t->root->attr[A_PUNCTUATION] != NULL && strcmp(r->t->root->attr[A_PUNCTUATION], "none") == 0)
		setup.punctuation = PUNCT_NONE;
	c.d = doc_new(fs, &setup);
	if (c.d == NULL) {
		free(author);
		return NULL;
	}
	render_report(&c, r->t->root);
	free(author);
	return c.d;
}

/* The 版头 of a red-header document (doc_redhead). */
static void
render_redhead(struct rctx *c, struct node *n)
{
	char *issuer = expand_attr(c, n, A_ISSUER), *number = expand_attr(c, n, A_NUMBER);

	doc_redhead(c->d, issuer, number);
	free(issuer);
	free(number);
}

/* The issuing body and the date closing the document (doc_signature). */
static void
render_signature(struct rctx *c, struct node *n)
{
	char *issuer = expand_attr(c, n, A_ISSUER), *date = expand_attr(c, n, A_DATE);

	doc_signature(c->d, issuer, date);
	free(issuer);
	free(date);
}

/* The <attachment> elements of the document that are shown, in order. */
static int
attachments_shown(const struct rctx *c, const struct node **out)
{
	const struct node *root = c->run->t->root;
	int n = 0;

	for (int i = 0; i < root->nkids; i++)
		if (root->kids[i]->kind == &tpl_kinds[K_ATTACHMENT] && tpl_shown(c->run, root->kids[i])) {
			if (out != NULL)
				out[n] = root->kids[i];
			n++;
		}
	return n;
}

/* The note of the attachments (doc_attachment_note), from their titles. */
static void
render_attachments(struct rctx *c, struct node *n)
{
	int count = attachments_shown(c, NULL);
	const struct node **at = xcalloc((size_t)count + 1, sizeof *at);
	char **titles = xcalloc((size_t)count + 1, sizeof *titles);

	if (tpl_shown(c->run, n)) {
		attachments_shown(c, at);
		for (int i = 0; i < count; i++)
			titles[i] = expand_attr(c, at[i], A_TITLE);
		doc_attachment_note(c->d, (const char *const *)titles, count);
	}
	for (int i = 0; i < count; i++)
		free(titles[i]);
	free(titles);
	free(at);
}

/* An attachment: its page, marker and title (doc_attachment), then its content. */
static void
render_attachment(struct rctx *c, struct node *n)
{
	int count, number = 0;
	const struct node **at;
	char *title;

	if (!tpl_shown(c->run, n))
		return;
	count = attachments_shown(c, NULL);
	at = xcalloc((size_t)count + 1, sizeof *at);
	attachments_shown(c, at);
	for (int i = 0; i < count; i++)
		if (at[i] == n)
			number = count > 1 ? i + 1 : 0;
	free(at);
	title = expand_attr(c, n, A_TITLE);
	doc_field(c->d, title);
	doc_attachment(c->d, number, title);
	c->section = title;
	render_kids(c, n);
	c->section = NULL;
	free(title);
}

/* The 版记 (doc_colophon). */
static void
render_colophon(struct rctx *c, struct node *n)
{
	char *copy = expand_attr(c, n, A_COPY_TO), *printer = expand_attr(c, n, A_PRINTER);
	char *date = expand_attr(c, n, A_DATE);

	if (tpl_shown(c->run, n))
		doc_colophon(c->d, copy, printer, date);
	free(copy);
	free(printer);
	free(date);
}
