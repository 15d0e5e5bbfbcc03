/* ar_xlsx.c — the annual return as a workbook (the layout of `jingsai forms`)
 * read into the XML model of an annual return and checked against the same
 * schema, annual-return.xsd, with every error placed at its sheet, row and
 * cell. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlschemas.h>

#include "ar_xlsx.h"
#include "jingsai.h"

#define AR_MAX_CELLS 200000 /* cells of an annual return's sheets, at most */
#define AR_MAX_ATTRS 16     /* attributes of one element */

static const char *const project_levels[] = {"city|市级", "county|县级|县（市、区）级|区级", "enterprise|企业级", NULL};
static const char *const project_statuses[] = {"申报", "推进", "评估", "总结", NULL};
static const char *const studio_levels[] = {"city-demo|市示范性|市级示范性|市示范", "city|市级",
    "county|县级|县（市、区）级|区级", "enterprise|企业级", NULL};

/* One row per column of the two sheets of rows; the schema's attributes. */
const struct ar_column ar_project_columns[] = {
	{"id", "项目编号", NULL, 1},
	{"track", "竞赛类别|竞赛类型|赛道", NULL, 1},
	{"level", "级别|项目级别", project_levels, 1},
	{"status", "进展阶段|阶段|状态", project_statuses, 1},
	{"name", "项目名称|竞赛项目名称", NULL, 1},
	{"organizer", "组织单位|主办单位", NULL, 0},
};
const struct ar_column ar_studio_columns[] = {
	{"id", "工作室编号|编号", NULL, 1},
	{"name", "工作室名称|名称", NULL, 1},
	{"leader", "领衔人|带头人", NULL, 0},
	{"level", "级别|工作室级别", studio_levels, 1},
	{"founded", "成立年份|命名年份", NULL, 0},
};
const int ar_project_ncolumns = sizeof ar_project_columns / sizeof ar_project_columns[0];
const int ar_studio_ncolumns = sizeof ar_studio_columns / sizeof ar_studio_columns[0];

/* Where an element's attributes came from; hangs on the element's _private. */
struct origin {
	const char *context; /* "sheet NAME" (the workbook's) */
	long row;            /* of the element */
	int n;
	struct {
		const char *attribute;
		long row, col;
	} at[AR_MAX_ATTRS];
};

/* ---- The cells of a sheet ------------------------------------------------------------ */

struct cell {
	long row, col;
	char *text;
};

struct grid {
	struct cell *cells;
	size_t n, cap;
	int overflow;
};

static int
grid_cell(void *arg, long row, long col, const char *text, size_t len)
{
	struct grid *g = arg;

	if (g->n == AR_MAX_CELLS) {
		g->overflow = 1;
		return -1;
	}
	g->cells = xgrow(g->cells, g->n, &g->cap, 256, sizeof *g->cells);
	g->cells[g->n].row = row;
	g->cells[g->n].col = col;
	g->cells[g->n++].text = xstrndup(text, len);
	return 0;
}

static void
grid_free(struct grid *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->cells[i].text);
	free(g->cells);
	memset(g, 0, sizeof *g);
}

/* The text of the cell at ROW, COL, or "". */
static const char *
grid_at(const struct grid *g, long row, long col)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->cells[i].row == row && g->cells[i].col == col)
			return g->cells[i].text;
	return "";
}

/* The cells of SHEET, or -1 after a diagnostic. */
static int
grid_read(struct xlsx *x, int sheet, struct grid *g)
{
	memset(g, 0, sizeof *g);
	if (xlsx_sheet_cells(x, sheet, grid_cell, NULL, g) < 0) {
		grid_free(g);
		return -1;
	}
	return 0;
}

/* ---- Labels ---------------------------------------------------------------------------- */

/* What a label of the main sheet stands for: -1 region, -2 year, -3
 * submitted, 0.. a count (enum ar_count), -9 nothing. */
static int
label_of(const char *text)
{
	if (csv_names_match(NULL, AR_LABEL_REGION "|所属地区|填报地区", text))
		return -1;
	if (csv_names_match(NULL, AR_LABEL_YEAR "|年份", text))
		return -2;
	if (csv_names_match(NULL, AR_LABEL_SUBMITTED "|填报时间|报送日期", text))
		return -3;
	for (int c = 0; c < AR__COUNTS; c++)
		if (csv_names_match(ar_counts[c].attribute, ar_counts[c].zh, text))
			return c;
	return -9;
}

/* The sheet of labelled cells: the one named 基本情况, else the first one
 * with both 地区 and 年度 labels.  -1 when there is none. */
static int
main_sheet(struct xlsx *x, struct grid *g)
{
	int found = -1;

	for (int s = 0; s < xlsx_sheets(x) && found < 0; s++)
		if (strcmp(xlsx_sheet_name(x, s), AR_SHEET_MAIN) == 0)
			found = s;
	for (int s = 0; s < xlsx_sheets(x); s++) {
		if (found >= 0 && s != found)
			continue;
		if (grid_read(x, s, g) != 0)
			return -1;
		int region = 0, year = 0;
		for (size_t i = 0; i < g->n; i++) {
			int l = label_of(g->cells[i].text);
			region |= l == -1;
			year |= l == -2;
		}
		if (region && year)
			return s;
		grid_free(g);
		if (found >= 0)
			return -1;
	}
	return -1;
}

int
ar_xlsx_is_return(struct xlsx *x)
{
	struct grid g;
	diag_sink_fn old_fn;
	void *old_arg;

	/* quietly: reading the workbook for real reports what is wrong */
	diag_set_sink(diag_discard, NULL, &old_fn, &old_arg);
	int s = main_sheet(x, &g);
	diag_set_sink(old_fn, old_arg, NULL, NULL);
	grid_free(&g);
	return s >= 0;
}

/* ---- Building the document ---------------------------------------------------------- */

static struct origin *
origin_new(xmlNodePtr el, const char *context, long row)
{
	struct origin *o = xcalloc(1, sizeof *o);

	o->context = context;
	o->row = row;
	el->_private = o;
	el->line = (unsigned short)(row < 65535 ? row : 65535);
	return o;
}

static void
origin_add(struct origin *o, const char *attribute, long row, long col)
{
	if (o->n < AR_MAX_ATTRS) {
		o->at[o->n].attribute = attribute;
		o->at[o->n].row = row;
		o->at[o->n++].col = col;
	}
}

/* The code that VALUE means among VALUES ("city|市级"), or VALUE. */
static const char *
coded(const char *const *values, const char *value)
{
	for (int i = 0; values != NULL && values[i] != NULL; i++)
		if (csv_names_match(NULL, values[i], value)) {
			static char code[32];
			size_t n = strcspn(values[i], "|");
			snprintf(code, sizeof code, "%.*s", (int)n, values[i]);
			return code;
		}
	return value;
}

/* A time submitted as a cell shows it (2025-01-15 10:00:00, 2025/1/15
 * 10:00, 2025.1.15, 2025年1月15日) as xs:dateTime at +08:00; anything else,
 * a day that is not in its month included, as it is, for the schema to
 * refuse with the value as written. */
static void
to_datetime(const char *v, char *out, size_t size)
{
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h = 0, mi = 0, s = 0, n = 0;
	char sep1[8], sep2[8];

	if (sscanf(v, "%4d%7[-/.年]%2d%7[-/.月]%2d%n", &y, sep1, &mo, sep2, &d, &n) == 5) {
		const char *rest = v + n;
		if (strncmp(rest, "日", 3) == 0)
			rest += 3;
		while (*rest == ' ' || *rest == 'T')
			rest++;
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		int real = mo >= 1 && mo <= 12 && d >= 1 && d <= days[mo - 1] && (mo != 2 || d < 29 || leap);
		if (real && (*rest == '\0' || (sscanf(rest, "%2d:%2d:%2d", &h, &mi, &s) >= 2 &&
		    h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 60))) {
			snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y, mo, d, h, mi, s);
			return;
		}
	}
	snprintf(out, size, "%s", v);
}

static void
set_attr(xmlNodePtr el, const char *name, const char *value)
{
	xmlSetProp(el, (const xmlChar *)name, (const xmlChar *)value);
}

/* Adds the rows of the sheet of projects or studios (COLS, NCOLS) under
 * PARENT as elements named ELEMENT.  Returns the number of rows. */
static long
add_rows(struct xlsx *x, const char *path, int sheet, const struct grid *g, const struct ar_column *cols, int ncols,
    xmlNodePtr parent, xmlNsPtr ns, const char *element, ar_track_fn tracks, void *arg)
{
	long header = 0, colmap[8] = {0};
	long last = 0;

	for (size_t i = 0; i < g->n; i++)
		if (g->cells[i].row > last)
			last = g->cells[i].row;
	/* the header: the first of the first five rows that names half the columns */
	for (long row = 1; row <= last && header == 0; row++) {
		int hits = 0;
		long map[8] = {0};
		for (size_t i = 0; i < g->n; i++) {
			if (g->cells[i].row != row)
				continue;
			for (int c = 0; c < ncols; c++)
				if (map[c] == 0 && csv_names_match(cols[c].attribute, cols[c].zh, g->cells[i].text)) {
					map[c] = g->cells[i].col;
					hits++;
				}
		}
		if (hits * 2 >= ncols) {
			header = row;
			memcpy(colmap, map, sizeof map);
		} else if (row >= 5)
			break;
	}
	if (header == 0)
		return 0;
	long rows = 0;
	for (long row = header + 1; row <= last; row++) {
		const char *first = NULL;
		for (int c = 0; c < ncols && first == NULL; c++)
			if (colmap[c] && grid_at(g, row, colmap[c])[0] != '\0')
				first = grid_at(g, row, colmap[c]);
		if (first == NULL)
			continue; /* blank, or only a 序号 */
		/* notes below the table */
		long firstcol = 0;
		for (size_t i = 0; i < g->n; i++)
			if (g->cells[i].row == row && (firstcol == 0 || g->cells[i].col < firstcol)) {
				firstcol = g->cells[i].col;
				first = g->cells[i].text;
			}
		if (csv_is_note_text(first)) {
			diag_set_context(xlsx_sheet_context(x, sheet));
			diag(DIAG_CSV_SKIP_NOTE, path, row, firstcol, first);
			diag_set_context(NULL);
			continue;
		}
		xmlNodePtr el = xmlNewChild(parent, ns, (const xmlChar *)element, NULL);
		struct origin *o = origin_new(el, xlsx_sheet_context(x, sheet), row);
		for (int c = 0; c < ncols; c++) {
			origin_add(o, cols[c].attribute, row, colmap[c] ? colmap[c] : 1);
			const char *v = colmap[c] ? grid_at(g, row, colmap[c]) : "";
			if (v[0] == '\0')
				continue;
			if (strcmp(cols[c].attribute, "track") == 0 && tracks != NULL && tracks(arg, v) != NULL)
				v = tracks(arg, v);
			char year[64];
			if (strcmp(cols[c].attribute, "founded") == 0 && strlen(v) < sizeof year) {
				strcpy(year, v);   /* ２０１９, 2019年 */
				csv_normalize_year(year);
				v = year;
			}
			set_attr(el, cols[c].attribute, coded(cols[c].values, v));
		}
		rows++;
	}
	return rows;
}

/* The sheet whose header names COLS, other than SKIP; -1 if none. */
static int
rows_sheet(struct xlsx *x, const char *name, const struct ar_column *cols, int ncols, int skip,
    struct grid *g)
{
	for (int s = 0; s < xlsx_sheets(x); s++)
		if (s != skip && strcmp(xlsx_sheet_name(x, s), name) == 0)
			return grid_read(x, s, g) == 0 ? s : -1;
	for (int s = 0; s < xlsx_sheets(x); s++) {
		if (s == skip || xlsx_sheet_hidden(x, s))
			continue;
		if (grid_read(x, s, g) != 0)
			return -1;
		for (size_t i = 0; i < g->n; i++) {
			if (g->cells[i].row > 5)
				continue;
			int hits = 0;
			for (size_t k = 0; k < g->n; k++)
				if (g->cells[k].row == g->cells[i].row)
					for (int c = 0; c < ncols; c++)
						hits += csv_names_match(cols[c].attribute, cols[c].zh, g->cells[k].text);
			if (hits * 2 >= ncols && hits >= 3)
				return s;
		}
		grid_free(g);
	}
	return -1;
}

/* ---- Validation, with positions ---------------------------------------------------- */

struct validation {
	const char *path;
	int errors;
	struct xml_field_seen seen;  /* a field is reported once */
};

/* The first of '|'-separated NAMES ("级别|项目级别" → 级别), into OUT. */
static const char *
first_name(const char *names, char *out, size_t size)
{
	snprintf(out, size, "%.*s", (int)strcspn(names, "|"), names);
	return out;
}

/* The column of ELEMENT (project, studio) for ATTRIBUTE, or NULL. */
static const struct ar_column *
column_of(const char *element, const char *attribute)
{
	const struct ar_column *cols = strcmp(element, "project") == 0 ? ar_project_columns :
	    strcmp(element, "studio") == 0 ? ar_studio_columns : NULL;
	int n = cols == ar_project_columns ? ar_project_ncolumns : ar_studio_ncolumns;

	for (int i = 0; cols != NULL && i < n; i++)
		if (strcmp(cols[i].attribute, attribute) == 0)
			return &cols[i];
	return NULL;
}

/* xml_cells.label: the label the form shows for a field. */
static const char *
cell_label(const char *element, const char *attribute)
{
	static char label[64];
	const struct ar_column *c = column_of(element, attribute);

	if (c != NULL)
		return first_name(c->zh, label, sizeof label);
	if (strcmp(element, "annual-return") == 0)
		return strcmp(attribute, "region") == 0 ? AR_LABEL_REGION :
		    strcmp(attribute, "year") == 0 ? AR_LABEL_YEAR :
		    strcmp(attribute, "submitted") == 0 ? AR_LABEL_SUBMITTED : NULL;
	for (int i = 0; i < AR__COUNTS; i++)
		if (strcmp(ar_counts[i].element, element) == 0 && strcmp(ar_counts[i].attribute, attribute) == 0)
			return first_name(ar_counts[i].zh, label, sizeof label);
	return NULL;
}

/* xml_cells.values: the words a cell of the form takes (市级、县级、企业级):
 * of each value, its first Chinese name. */
static const char *
cell_values(const char *element, const char *attribute)
{
	static char list[256];
	const struct ar_column *c = column_of(element, attribute);
	size_t len = 0;

	if (c == NULL || c->values == NULL)
		return NULL;
	list[0] = '\0';
	for (int i = 0; c->values[i] != NULL && len + 32 < sizeof list; i++) {
		const char *v = c->values[i], *bar = strchr(v, '|');
		const char *zh = bar != NULL ? bar + 1 : v;
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%.*s", i ? "、" : "",
		    (int)strcspn(zh, "|"), zh);
	}
	return list;
}

static const struct xml_cells form_cells = {cell_label, cell_values};

static const struct origin *
origin_of(xmlNodePtr node, const char **attribute)
{
	if (node != NULL && node->type == XML_ATTRIBUTE_NODE) {
		*attribute = (const char *)node->name;
		node = node->parent;
	}
	return node != NULL && node->type == XML_ELEMENT_NODE ? node->_private : NULL;
}

static void
position(const struct origin *o, const char *attribute, long *row, long *col)
{
	*row = o ? o->row : 0;
	*col = 1;
	for (int i = 0; o != NULL && attribute != NULL && i < o->n; i++)
		if (strcmp(o->at[i].attribute, attribute) == 0) {
			*row = o->at[i].row;
			*col = o->at[i].col;
		}
}

/* Reports the element NODE (at O) whose id an earlier row of its sheet has
 * already, at its id's cell; 0 when there is no such row. */
static int
duplicate_id(struct validation *v, xmlNodePtr node, const struct origin *o)
{
	if (node == NULL || node->type != XML_ELEMENT_NODE || node->parent == NULL)
		return 0;
	const struct ar_column *c = column_of((const char *)node->name, "id");
	xmlChar *id = xmlGetProp(node, (const xmlChar *)"id");
	long first = 0;
	for (xmlNodePtr n = node->parent->children; n != NULL && n != node && id != NULL && first == 0; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || n->_private == NULL)
			continue;
		xmlChar *other = xmlGetProp(n, (const xmlChar *)"id");
		if (other != NULL && xmlStrEqual(other, id))
			first = ((const struct origin *)n->_private)->row;
		xmlFree(other);
	}
	if (c == NULL || first == 0) {
		xmlFree(id);
		return 0;
	}
	char label[64];
	long row, col;
	position(o, "id", &row, &col);
	diag_set_context(o->context);
	diag(DIAG_AR_DUPLICATE, v->path, row, col, first_name(c->zh, label, sizeof label), (const char *)id, first);
	diag_set_context(NULL);
	xmlFree(id);
	return 1;
}

static void
on_invalid(void *arg, xmlErrorPtr e)
{
	struct validation *v = arg;
	const char *attribute = NULL;
	char name[64] = "";

	if (e->level == XML_ERR_WARNING)
		return;
	const struct origin *o = origin_of(e->node, &attribute);
	const char *a = e->message ? strstr(e->message, "attribute '") : NULL;
	if (attribute == NULL && a != NULL) {
		a += strlen("attribute '");
		size_t n = strcspn(a, "'");
		if (n < sizeof name) {
			memcpy(name, a, n);
			name[n] = '\0';
			attribute = name;
		}
	}
	long row, col;
	position(o, attribute, &row, &col);
	v->errors++;
	/* A track that is neither a code nor a track's name (群众性创新) is
	 * named by the reference check, with the tracks to choose from: the
	 * schema's words about the characters of a code would say it twice,
	 * and less helpfully. */
	if (attribute != NULL && strcmp(attribute, "track") == 0 && e->code != XML_SCHEMAV_CVC_COMPLEX_TYPE_4)
		return;
	/* An id given twice: both rows named, in the sheet's words. */
	if (e->code == XML_SCHEMAV_CVC_IDC && e->str1 != NULL && o != NULL && duplicate_id(v, e->node, o))
		return;
	/* in the same terms as an annual return file's, at the cell */
	diag_set_context(o ? o->context : NULL);
	xml_report_invalid(v->path, row, col, e, &v->seen);
	diag_set_context(NULL);
}

/* ---- Reading ------------------------------------------------------------------------------ */

xmlDocPtr
ar_xlsx_read(struct xlsx *x, const char *path, const char *submitted_default, ar_track_fn tracks,
    void *arg, int *errors)
{
	struct grid g;
	int main = main_sheet(x, &g);

	*errors = 0;
	if (main < 0) {
		grid_free(&g);
		return NULL;
	}
	const char *context = xlsx_sheet_context(x, main);
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root = xmlNewNode(NULL, (const xmlChar *)"annual-return");
	xmlNsPtr ns = xmlNewNs(root, (const xmlChar *)AR_NAMESPACE, NULL);
	xmlSetNs(root, ns);
	xmlDocSetRootElement(doc, root);

	/* The labelled cells: the value is the next cell to the right. */
	struct origin *ro = NULL;
	long count_row[AR__COUNTS] = {0}, count_col[AR__COUNTS] = {0};
	char *count_value[AR__COUNTS] = {0};
	const char *region = NULL, *year = NULL, *submitted = NULL;
	long region_row = 0, region_col = 0, year_row = 0, year_col = 0, sub_row = 0, sub_col = 0;
	for (size_t i = 0; i < g.n; i++) {
		int l = label_of(g.cells[i].text);
		if (l == -9)
			continue;
		long row = g.cells[i].row, col = g.cells[i].col + 1;
		const char *v = grid_at(&g, row, col);
		if (l == -1 && region == NULL)
			region = v, region_row = row, region_col = col;
		else if (l == -2 && year == NULL)
			year = v, year_row = row, year_col = col;
		else if (l == -3 && submitted == NULL)
			submitted = v, sub_row = row, sub_col = col;
		else if (l >= 0 && count_row[l] == 0) {
			count_row[l] = row;
			count_col[l] = col;
			count_value[l] = xstrdup(v);
			csv_normalize_count(count_value[l]);
		}
	}
	ro = origin_new(root, context, region_row ? region_row : 1);
	origin_add(ro, "region", region_row, region_col);
	origin_add(ro, "year", year_row, year_col);
	if (region != NULL && region[0] != '\0')
		set_attr(root, "region", region);
	if (year != NULL && year[0] != '\0') {
		char y[32];
		snprintf(y, sizeof y, "%s", year);
		csv_normalize_year(y);
		set_attr(root, "year", y);
	}
	char when[64];
	if (submitted != NULL && submitted[0] != '\0') {
		origin_add(ro, "submitted", sub_row, sub_col);
		to_datetime(submitted, when, sizeof when);
	} else {
		origin_add(ro, "submitted", region_row, region_col);
		snprintf(when, sizeof when, "%s", submitted_default);
	}
	set_attr(root, "submitted", when);

	/* projects, innovation, studios, green, safety, teams: the schema's order */
	xmlNodePtr projects = xmlNewChild(root, ns, (const xmlChar *)"projects", NULL);
	struct grid pg, sg;
	int ps = rows_sheet(x, AR_SHEET_PROJECTS, ar_project_columns, ar_project_ncolumns, main, &pg);
	origin_new(projects, ps >= 0 ? xlsx_sheet_context(x, ps) : context, 1);
	if (ps >= 0) {
		add_rows(x, path, ps, &pg, ar_project_columns, ar_project_ncolumns, projects, ns, "project", tracks, arg);
		grid_free(&pg);
	}
	static const char *const groups[] = {"innovation", "studios", "green", "safety", "teams"};
	for (size_t k = 0; k < sizeof groups / sizeof groups[0]; k++) {
		if (strcmp(groups[k], "studios") == 0) {
			int ss = rows_sheet(x, AR_SHEET_STUDIOS, ar_studio_columns, ar_studio_ncolumns, main, &sg);
			if (ss >= 0) {
				xmlNodePtr studios = xmlNewChild(root, ns, (const xmlChar *)"studios", NULL);
				origin_new(studios, xlsx_sheet_context(x, ss), 1);
				add_rows(x, path, ss, &sg, ar_studio_columns, ar_studio_ncolumns, studios, ns, "studio", NULL, NULL);
				grid_free(&sg);
			}
			continue;
		}
		/* a group is there when one of its cells has a value; then the
		 * schema wants all of them */
		int present = 0;
		for (int c = 0; c < AR__COUNTS; c++)
			present |= strcmp(ar_counts[c].element, groups[k]) == 0 && count_value[c] && count_value[c][0];
		if (!present)
			continue;
		xmlNodePtr el = xmlNewChild(root, ns, (const xmlChar *)groups[k], NULL);
		struct origin *o = NULL;
		for (int c = 0; c < AR__COUNTS; c++) {
			if (strcmp(ar_counts[c].element, groups[k]) != 0)
				continue;
			if (o == NULL)
				o = origin_new(el, context, count_row[c] ? count_row[c] : 1);
			origin_add(o, ar_counts[c].attribute, count_row[c], count_col[c]);
			if (count_value[c] && count_value[c][0])
				set_attr(el, ar_counts[c].attribute, count_value[c]);
		}
	}
	for (int c = 0; c < AR__COUNTS; c++)
		free(count_value[c]);
	grid_free(&g);

	/* the same schema as an annual return file */
	struct validation v = {path, 0, {.cells = &form_cells}};
	xmlSchemaPtr schema = (xmlSchemaPtr)xml_schema("annual-return.xsd");
	if (schema == NULL) {
		diag(DIAG_XML_SCHEMA_BUG, NULL, 0, 0, "annual-return.xsd");
		v.errors++;
	} else {
		xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
		xmlSchemaSetValidStructuredErrors(vc, on_invalid, &v);
		if (xmlSchemaValidateDoc(vc, doc) != 0 && v.errors == 0) {
			diag(DIAG_XSD_OTHER, path, 1, 1, "annual-return", "validation failed without a message");
			v.errors++;
		}
		xmlSchemaFreeValidCtxt(vc);
	}
	*errors = v.errors;
	return doc;
}

static void
free_origins(xmlNodePtr node)
{
	for (; node != NULL; node = node->next) {
		if (node->type != XML_ELEMENT_NODE)
			continue;
		free(node->_private);
		node->_private = NULL;
		free_origins(node->children);
	}
}

void
ar_xlsx_free(xmlDocPtr doc)
{
	if (doc == NULL)
		return;
	free_origins(xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
}

/* The element named ELEMENT at LINE under NODE, depth first. */
static xmlNodePtr
find(xmlNodePtr node, const char *element, long line)
{
	for (; node != NULL; node = node->next) {
		if (node->type != XML_ELEMENT_NODE)
			continue;
		const struct origin *o = node->_private;
		if (o != NULL && o->row == line && strcmp((const char *)node->name, element) == 0)
			return node;
		xmlNodePtr hit = find(node->children, element, line);
		if (hit != NULL)
			return hit;
	}
	return NULL;
}

long
ar_xlsx_position(xmlDocPtr doc, const char *element, long line, const char *attribute)
{
	xmlNodePtr el = find(xmlDocGetRootElement(doc), element, line);
	const struct origin *o = el ? el->_private : NULL;
	long row, col;

	position(o, attribute, &row, &col);
	diag_set_context(o ? o->context : NULL);
	return col;
}
