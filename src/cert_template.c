/* cert_template.c — reads a certificate template (templates/cert-AWARD.xml):
 * page size, ceremony date, stock offset, background shapes, text boxes, QR. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "cert.h"
#include "layout.h"
#include "xml_read.h"

/* What a template may say, one row per attribute kind, so that an unknown
 * attribute is reported rather than silently ignored. */
static const char *const shape_attrs[] = {"x", "y", "w", "h", "x1", "y1", "x2", "y2", "cx", "cy",
    "r", "width", "color", "fill", "stock", NULL};
static const char *const text_attrs[] = {"x", "y", "w", "h", "role", "size", "align", "flags",
    "color", "bold", "letter-spacing", "stock", NULL};
static const char *const qr_attrs[] = {"x", "y", "size", "stock", NULL};

struct tctx {
	const char *path;
	int errors;
};

/* Reports CODE (a catalogue row taking up to two strings, A and B) at N. */
static void
terr(struct tctx *c, const xmlNode *n, enum diag_code code, const char *a, const char *b)
{
	diag(code, c->path, n ? (long)xmlGetLineNo(n) : 0, 0, a ? a : "", b ? b : "");
	c->errors++;
}

static void
check_attrs(struct tctx *c, const xmlNode *n, const char *const *allowed)
{
	for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
		int ok = 0;
		for (const char *const *k = allowed; *k && !ok; k++)
			ok = strcmp((const char *)a->name, *k) == 0;
		if (!ok)
			terr(c, n, DIAG_CTPL_ATTRIBUTE, (const char *)a->name, (const char *)n->name);
	}
}

/* Number attribute NAME of N in millimetres or points; DEF when absent. */
static double
num(struct tctx *c, const xmlNode *n, const char *name, double def, int required)
{
	char *v = xml_attr(n, name), *end;
	double d;

	if (v == NULL) {
		if (required)
			terr(c, n, DIAG_CTPL_NEEDS, (const char *)n->name, name);
		return def;
	}
	d = strtod(v, &end);
	while (*end == ' ')
		end++;
	if (end == v || (*end != '\0' && strcmp(end, "mm") != 0 && strcmp(end, "pt") != 0) ||
	    d < -1000 || d > 5000) {
		terr(c, n, DIAG_CTPL_NUMBER, v, name);
		d = def;
	}
	free(v);
	return d;
}

/* Colour "#RRGGBB"; "none" gives -1 when NONE_OK. */
static long
color(struct tctx *c, const xmlNode *n, const char *name, long def, int none_ok)
{
	char *v = xml_attr(n, name), *end;
	long col = def;

	if (v == NULL)
		return def;
	if (none_ok && strcmp(v, "none") == 0)
		col = -1;
	else if (v[0] == '#' && strlen(v) == 7 && (col = strtol(v + 1, &end, 16), *end == '\0'))
		;
	else {
		terr(c, n, none_ok ? DIAG_CTPL_COLOUR_NONE : DIAG_CTPL_COLOUR, v, name);
		col = def;
	}
	free(v);
	return col;
}

static int
yesno(struct tctx *c, const xmlNode *n, const char *name, int def)
{
	char *v = xml_attr(n, name);
	int r = def;

	if (v == NULL)
		return def;
	if (strcmp(v, "yes") == 0)
		r = 1;
	else if (strcmp(v, "no") == 0)
		r = 0;
	else
		terr(c, n, DIAG_CTPL_YESNO, v, name);
	free(v);
	return r;
}

static struct cert_elem *
elem_add(struct cert_template *t, const xmlNode *n, enum cert_elem_kind kind)
{
	struct cert_elem *e;

	t->elems = xrealloc(t->elems, (size_t)(t->nelems + 1) * sizeof *t->elems);
	e = &t->elems[t->nelems++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->line = (long)xmlGetLineNo(n);
	e->fill = -1;
	return e;
}

/* A placeholder that changes from one certificate to the next makes the
 * text variable: printed on pre-printed stock. */
static int
has_variable(const char *text)
{
	static const char *const vars[] = {"{recipient}", "{unit}", "{date}", "{serial}"};

	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
		if (strstr(text, vars[i]) != NULL)
			return 1;
	return 0;
}

static void
read_shape(struct tctx *c, struct cert_template *t, const xmlNode *n)
{
	const char *name = (const char *)n->name;
	struct cert_elem *e;

	check_attrs(c, n, shape_attrs);
	if (strcmp(name, "rect") == 0) {
		e = elem_add(t, n, CE_RECT);
		e->x = num(c, n, "x", 0, 1);
		e->y = num(c, n, "y", 0, 1);
		e->w = num(c, n, "w", 0, 1);
		e->h = num(c, n, "h", 0, 1);
	} else if (strcmp(name, "line") == 0) {
		e = elem_add(t, n, CE_LINE);
		e->x = num(c, n, "x1", 0, 1);
		e->y = num(c, n, "y1", 0, 1);
		e->w = num(c, n, "x2", 0, 1);
		e->h = num(c, n, "y2", 0, 1);
	} else {
		e = elem_add(t, n, CE_CIRCLE);
		e->x = num(c, n, "cx", 0, 1);
		e->y = num(c, n, "cy", 0, 1);
		e->w = num(c, n, "r", 0, 1);
	}
	e->width_pt = num(c, n, "width", e->kind == CE_LINE ? 1 : 0, 0);
	e->stroke = (unsigned)color(c, n, "color", 0x000000, 0);
	e->fill = color(c, n, "fill", -1, 1);
	e->variable = yesno(c, n, "stock", 0);
}

static void
read_text(struct tctx *c, struct cert_template *t, const xmlNode *n)
{
	static const struct { const char *name; int flag; } flag_names[] = {
		{"shrink", BOX_SHRINK},             /* shrink to fit one line */
		{"name-spacing", BOX_NAME_SPACING}, /* 张  三 */
		{"wrap", BOX_WRAP},                 /* break into lines */
		{"vcenter", BOX_VCENTER},           /* centre vertically */
	};
	struct cert_elem *e;
	xmlChar *content;
	char *v;

	check_attrs(c, n, text_attrs);
	e = elem_add(t, n, CE_TEXT);
	e->x = num(c, n, "x", 0, 1);
	e->y = num(c, n, "y", 0, 1);
	e->w = num(c, n, "w", 0, 1);
	e->h = num(c, n, "h", 0, 1);
	e->size_pt = num(c, n, "size", 16, 0);
	e->stroke = (unsigned)color(c, n, "color", 0x000000, 0);
	e->bold = yesno(c, n, "bold", 0);
	e->letter_spacing_pt = num(c, n, "letter-spacing", 0, 0);
	e->role = xml_attr(n, "role");
	if (e->role == NULL)
		e->role = xstrdup("sans");
	e->align = ALIGN_LEFT;
	if ((v = xml_attr(n, "align")) != NULL) {
		if (strcmp(v, "left") == 0)
			e->align = ALIGN_LEFT;
		else if (strcmp(v, "center") == 0)
			e->align = ALIGN_CENTER;
		else if (strcmp(v, "right") == 0)
			e->align = ALIGN_RIGHT;
		else if (strcmp(v, "justify") == 0)
			e->align = ALIGN_JUSTIFY;
		else
			terr(c, n, DIAG_CTPL_ALIGN, v, NULL);
		free(v);
	}
	if ((v = xml_attr(n, "flags")) != NULL) {
		for (char *tok = strtok(v, " ,"); tok != NULL; tok = strtok(NULL, " ,")) {
			size_t k;
			for (k = 0; k < sizeof flag_names / sizeof *flag_names; k++)
				if (strcmp(tok, flag_names[k].name) == 0)
					break;
			if (k == sizeof flag_names / sizeof *flag_names)
				terr(c, n, DIAG_CTPL_FLAG, tok, NULL);
			else
				e->flags |= flag_names[k].flag;
		}
		free(v);
	}
	content = xmlNodeGetContent(n);
	e->text = xstrdup(content ? (const char *)content : "");
	xmlFree(content);
	/* Trim the indentation an editor puts around the text. */
	{
		char *s = e->text, *end;
		while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
			s++;
		memmove(e->text, s, strlen(s) + 1);
		end = e->text + strlen(e->text);
		while (end > e->text && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\t' || end[-1] == '\r'))
			*--end = '\0';
	}
	if (e->w <= 0 || e->h <= 0)
		terr(c, n, DIAG_CTPL_BOX, NULL, NULL);
	e->variable = yesno(c, n, "stock", has_variable(e->text));
}

static void
read_qr(struct tctx *c, struct cert_template *t, const xmlNode *n)
{
	struct cert_elem *e;

	check_attrs(c, n, qr_attrs);
	e = elem_add(t, n, CE_QR);
	e->x = num(c, n, "x", 0, 1);
	e->y = num(c, n, "y", 0, 1);
	e->w = e->h = num(c, n, "size", 25, 0);
	e->variable = yesno(c, n, "stock", 1);
}

static void
read_children(struct tctx *c, struct cert_template *t, const xmlNode *parent, int in_background)
{
	for (const xmlNode *n = parent->children; n != NULL; n = n->next) {
		const char *name = (const char *)n->name;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp(name, "rect") == 0 || strcmp(name, "line") == 0 || strcmp(name, "circle") == 0)
			read_shape(c, t, n);
		else if (strcmp(name, "text") == 0)
			read_text(c, t, n);
		else if (strcmp(name, "qr") == 0 && !in_background)
			read_qr(c, t, n);
		else if (strcmp(name, "background") == 0 && !in_background)
			read_children(c, t, n, 1);
		else if (strcmp(name, "stock") == 0 && !in_background) {
			static const char *const stock_attrs[] = {"offset-x", "offset-y", NULL};
			check_attrs(c, n, stock_attrs);
			t->offset_x = num(c, n, "offset-x", 0, 0);
			t->offset_y = num(c, n, "offset-y", 0, 0);
		} else
			terr(c, n, in_background ? DIAG_CTPL_ELEMENT_BG : DIAG_CTPL_ELEMENT, name, NULL);
	}
}

/* Takes the errors libxml2 raises while parsing (xml_syntax_take), so that
 * none reaches standard error. */
static void
syntax_error(void *arg, xmlErrorPtr e)
{
	if (e != NULL && e->level >= XML_ERR_ERROR)
		xml_syntax_take(arg, e);
}

struct cert_template *
cert_template_load(const char *path)
{
	static const char *const root_attrs[] = {"award", "width", "height", "date", NULL};
	struct tctx c = {path, 0};
	struct cert_template *t = xcalloc(1, sizeof *t);
	struct buf b = {0};
	struct xml_syntax syntax = {0};
	xmlDoc *doc;
	xmlNode *root;
	char *date;

	t->path = xstrdup(path);
	if (file_read_all(path, &b) != 0) {
		diag(DIAG_IO_READ, path, 0, 0, strerror(errno));
		cert_template_free(t);
		return NULL;
	}
	t->bytes = b.data;
	t->nbytes = b.len;
	if (template_utf8_check(path, b.data, b.len, DIAG_TPL_NOT_UTF8) != 0) {
		cert_template_free(t);
		return NULL;
	}
	/* Templates are operator files, but parse them as carefully as input. */
	xmlSetStructuredErrorFunc(&syntax, syntax_error);
	/* UTF-8, as checked above, whatever its declaration says */
	doc = xmlReadMemory(b.data, (int)b.len, path, "UTF-8", XML_PARSE_NONET | XML_PARSE_NOWARNING |
	    XML_PARSE_IGNORE_ENC);
	xmlSetStructuredErrorFunc(NULL, NULL);
	int syntax_errors = xml_syntax_report(&syntax, path);
	if (syntax_errors > 0 || doc == NULL) {
		if (syntax_errors == 0)
			diag(DIAG_TPL_NOT_XML, path, 1, 1);
		xmlFreeDoc(doc);
		cert_template_free(t);
		return NULL;
	}
	root = xmlDocGetRootElement(doc);
	if (doc->intSubset != NULL)
		terr(&c, root, DIAG_CTPL_DOCTYPE, NULL, NULL);
	else if (root == NULL || strcmp((const char *)root->name, "certificate") != 0)
		terr(&c, root, DIAG_CTPL_ROOT, NULL, NULL);
	else {
		check_attrs(&c, root, root_attrs);
		t->page_w = num(&c, root, "width", 297, 0);
		t->page_h = num(&c, root, "height", 210, 0);
		if (t->page_w < 50 || t->page_h < 50)
			terr(&c, root, DIAG_CTPL_PAGE, NULL, NULL);
		t->month = 4;
		t->day = 28;
		if ((date = xml_attr(root, "date")) != NULL) {
			if (sscanf(date, "%d-%d", &t->month, &t->day) != 2 || t->month < 1 ||
			    t->month > 12 || t->day < 1 || t->day > 31)
				terr(&c, root, DIAG_CTPL_DATE, date, NULL);
			free(date);
		}
		read_children(&c, t, root, 0);
	}
	xmlFreeDoc(doc);
	if (c.errors > 0) {
		cert_template_free(t);
		return NULL;
	}
	return t;
}

/* The default template of an award of recipient KIND (person, unit, team). */
#define DEFAULT_TEMPLATE "cert-default-%s.xml"

struct cert_template *
cert_template_of(const char *dir, const struct prog_award *a, int *missing)
{
	char *name = a->template ? xstrdup(a->template) : xasprintf(DEFAULT_TEMPLATE, a->recipient_kind);
	char *path = path_join(dir, name);
	struct cert_template *t = NULL;

	*missing = 0;
	if (access(path, F_OK) != 0) {
		/* What to do, rather than "cannot read": the operator makes it. */
		char *plain = xasprintf(DEFAULT_TEMPLATE, a->recipient_kind);
		char *plain_path = path_join(dir, plain);
		if (a->template != NULL)
			diag(DIAG_CERT_TEMPLATE_MISSING, NULL, 0, 0, a->code, a->title, path, strerror(errno),
			    plain_path, a->recipient_kind);
		else
			diag(DIAG_CERT_DEFAULT_MISSING, NULL, 0, 0, a->code, a->title, path, strerror(errno));
		free(plain_path);
		free(plain);
		*missing = 1;
	} else
		t = cert_template_load(path);
	free(path);
	free(name);
	return t;
}

void
cert_template_free(struct cert_template *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->nelems; i++) {
		free(t->elems[i].text);
		free(t->elems[i].role);
	}
	free(t->elems);
	free(t->bytes);
	free(t->path);
	free(t);
}
