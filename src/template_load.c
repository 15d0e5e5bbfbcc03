/* template_load.c — report templates read and checked: the XML parsed
 * (hardened, UTF-8 whatever its declaration), every element and attribute
 * against the grammar below, required attributes, unique query names; and
 * the positions (FILE:LINE:COL) every later stage reports against. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "template_int.h"
#include "xml_read.h"

static const char *const attr_names[A__COUNT] = {
	"title", "subtitle", "issuer", "date", "author", "name", "sql", "key",
	"header", "align", "format", "width", "null", "label", "kind", "category",
	"values", "names", "unit", "height", "when", "unless", "style", "empty",
	"number", "by", "value", "wrap", "min-width", "max-width", "float", "punctuation",
	"copy-to", "printer",
};

const struct kind tpl_kinds[K__COUNT] = {
	/* the whole document: title for the PDF info, its flowed content, its
	 * attachments and 版记 at the end; punctuation="none" keeps every mark
	 * a full em (forms on a grid) */
	[K_REPORT] = {"report", AT(A_TITLE) | AT(A_AUTHOR) | AT(A_DATE) | AT(A_PUNCTUATION), AT(A_TITLE),
	    FLOW | KB(K_COVER) | KB(K_ATTACHMENT) | KB(K_COLOPHON), 0},
	/* a cover page: issuing body, title, subtitle, date */
	[K_COVER] = {"cover", AT(A_TITLE) | AT(A_SUBTITLE) | AT(A_ISSUER) | AT(A_DATE),
	    AT(A_TITLE), 0, 0},
	/* 一、 heading (heading role) and its content */
	[K_SECTION] = {"section", AT(A_TITLE) | COND, AT(A_TITLE), FLOW, 0},
	/* （一） heading (kai role) and its content */
	[K_SUBSECTION] = {"subsection", AT(A_TITLE) | COND, AT(A_TITLE),
	    FLOW & ~KB(K_SECTION), 0},
	/* named values for placeholders {name.column} (first row); its <col
	 * key header> name the columns in the companion CSV and workbook */
	[K_QUERY] = {"query", AT(A_NAME) | AT(A_SQL) | AT(A_TITLE), AT(A_NAME) | AT(A_SQL),
	    KB(K_COL), 0},
	/* a paragraph with placeholders */
	[K_P] = {"p", AT(A_STYLE) | COND, 0, 0, 1},
	/* a table: one row per result row, columns <col>, optional <total> */
	/* float="no": stays where it stands even when it does not fit the page */
	[K_TABLE] = {"table", AT(A_TITLE) | AT(A_SQL) | AT(A_EMPTY) | AT(A_FLOAT) | COND, AT(A_SQL),
	    KB(K_COL) | KB(K_COLS) | KB(K_TOTAL), 0},
	/* width: a weight for sharing the room; min-width, max-width: limits in
	 * mm; wrap="names": personal names, or 、 lists of them */
	[K_COL] = {"col", AT(A_KEY) | AT(A_HEADER) | AT(A_ALIGN) | AT(A_FORMAT) | AT(A_WIDTH) |
	    AT(A_NULL) | AT(A_WRAP) | AT(A_MIN_WIDTH) | AT(A_MAX_WIDTH), AT(A_KEY), 0, 0},
	/* a column per row of its query (the tracks of the programme): the
	 * table's rows are spread, cell by cell, from its BY and VALUE columns */
	[K_COLS] = {"cols", AT(A_SQL) | AT(A_BY) | AT(A_VALUE) | AT(A_ALIGN) | AT(A_FORMAT) |
	    AT(A_WIDTH) | AT(A_NULL) | AT(A_MIN_WIDTH) | AT(A_MAX_WIDTH),
	    AT(A_SQL) | AT(A_BY) | AT(A_VALUE), 0, 0},
	/* the last row: sums of the numeric columns, or the row of its own query */
	[K_TOTAL] = {"total", AT(A_LABEL) | AT(A_SQL), 0, 0, 0},
	/* a bar or line chart over the rows of its query; label names the
	 * category column in the companion CSV and workbook */
	[K_CHART] = {"chart", AT(A_KIND) | AT(A_TITLE) | AT(A_SQL) | AT(A_CATEGORY) | AT(A_VALUES) |
	    AT(A_NAMES) | AT(A_UNIT) | AT(A_HEIGHT) | AT(A_LABEL) | AT(A_FLOAT) | COND,
	    AT(A_SQL) | AT(A_CATEGORY) | AT(A_VALUES), 0, 0},
	[K_PAGEBREAK] = {"pagebreak", COND, 0, 0, 0},
	/* the 版头 of a red-header document (GB/T 9704 §7.2): issuing-office mark, number, red rule */
	[K_REDHEAD] = {"redhead", AT(A_ISSUER) | AT(A_NUMBER), AT(A_ISSUER), 0, 0},
	/* issuing body and date at the end (GB/T 9704 §7.3.5.2), after a blank line */
	[K_SIGNATURE] = {"signature", AT(A_ISSUER) | AT(A_DATE), AT(A_ISSUER) | AT(A_DATE), 0, 0},
	/* the note of the attachments below the body (§7.3.5.1), made from the
	 * titles of the <attachment> elements shown */
	[K_ATTACHMENTS] = {"attachments", COND, 0, 0, 0},
	/* an attachment: a new page, its marker 附件N and its title, then its content */
	[K_ATTACHMENT] = {"attachment", AT(A_TITLE) | COND, AT(A_TITLE),
	    FLOW & ~(KB(K_REDHEAD) | KB(K_SIGNATURE) | KB(K_ATTACHMENTS)), 0},
	/* the 版记 (§10) at the foot of the last, even page: 抄送, 印发机关, 印发日期 */
	[K_COLOPHON] = {"colophon", AT(A_COPY_TO) | AT(A_PRINTER) | AT(A_DATE) | COND, AT(A_DATE), 0, 0},
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
void
tpl_text_diag(const struct tpl *t, const struct node *n, const char *needle, size_t len,
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
void
tpl_node_diag(const struct tpl *t, const struct node *n, int a, long offset, enum diag_code code, ...)
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
	struct xml_syntax syntax; /* libxml2's errors while parsing */
};

static struct node *
build(struct loader *ld, xmlNode *x, struct node *parent)
{
	const struct kind *k = NULL;
	struct node *n;

	for (int i = 0; i < K__COUNT; i++)
		if (strcmp((const char *)x->name, tpl_kinds[i].name) == 0)
			k = &tpl_kinds[i];
	n = xcalloc(1, sizeof *n);
	n->line = xmlGetLineNo(x);
	n->parent = parent;
	n->elem = (const char *)x->name;
	if (k == NULL) {
		if (parent != NULL)
			tpl_node_diag(ld->t, n, -1, 0, DIAG_TPL_ELEMENT, (const char *)x->name,
			    parent->kind->name);
		else
			tpl_node_diag(ld->t, n, -1, 0, DIAG_TPL_TOP, (const char *)x->name);
		ld->errors++;
		free(n);
		return NULL;
	}
	n->kind = k;
	if (parent != NULL && !(parent->kind->children & KB(k - tpl_kinds))) {
		tpl_node_diag(ld->t, n, -1, 0, DIAG_TPL_ELEMENT, k->name, parent->kind->name);
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
			tpl_node_diag(ld->t, n, -1, 0, DIAG_TPL_MISSING, k->name, attr_names[i]);
			ld->errors++;
		}
	struct buf text = {0};
	for (xmlNode *c = x->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE) {
			if (k->text) {
				struct node tmp = {.line = xmlGetLineNo(c), .elem = (const char *)c->name};
				tpl_node_diag(ld->t, &tmp, -1, 0, DIAG_TPL_ELEMENT, (const char *)c->name, k->name);
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
						/* at the text itself: libxml2 gives a
						 * text node no line of its own */
						size_t len = 0;
						while (s[len] != '\0' && !isspace(s[len]))
							len++;
						tpl_text_diag(ld->t, n, (const char *)s, len, DIAG_TPL_TEXT, k->name);
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

/* libxml2's errors, said in the same words as a submission's once parsing
 * ends (xml_syntax_report). */
static void
xml_error(void *arg, xmlErrorPtr e)
{
	struct loader *ld = arg;

	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	ld->errors++;
	xml_syntax_take(&ld->syntax, e);
}

struct tpl *
tpl_load(const char *path)
{
	struct tpl *t = xcalloc(1, sizeof *t);
	struct loader ld = {.t = t};
	xmlDoc *doc;

	t->path = xstrdup(path);
	if (file_read_all(path, &t->raw) != 0) {
		diag(DIAG_IO_READ, path, 0, 0, strerror(errno));
		tpl_free(t);
		return NULL;
	}
	buf_puts(&t->raw, "");
	if (template_utf8_check(path, t->raw.data, t->raw.len, DIAG_TPL_NOT_UTF8) != 0) {
		tpl_free(t);
		return NULL;
	}
	xmlSetStructuredErrorFunc(&ld, xml_error);
	/* UTF-8, as checked above, whatever its declaration says */
	doc = xmlReadMemory(t->raw.data, (int)t->raw.len, path, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC);
	xmlSetStructuredErrorFunc(NULL, NULL);
	xml_syntax_report(&ld.syntax, path);
	if (doc != NULL && doc->intSubset != NULL) {
		diag(DIAG_TPL_DOCTYPE, path, 1, 1);
		ld.errors++;
	}
	if (doc != NULL && ld.errors == 0) {
		xmlNode *root = xmlDocGetRootElement(doc);
		if (root == NULL || strcmp((const char *)root->name, "report") != 0) {
			diag(DIAG_TPL_ROOT, path, root ? (long)xmlGetLineNo(root) : 1, 1);
			ld.errors++;
		} else
			t->root = build(&ld, root, NULL);
	}
	xmlFreeDoc(doc);
	if (doc == NULL && ld.errors == 0) {
		diag(DIAG_TPL_NOT_XML, path, 1, 1);
		ld.errors++;
	}
	if (t->root != NULL) {
		number_nodes(t, t->root);
		/* query names are unique (said with the grammar's errors too) */
		for (int i = 0; i < t->nnodes; i++)
			for (int j = 0; j < i; j++)
				if (t->nodes[i]->kind == &tpl_kinds[K_QUERY] && t->nodes[j]->kind == &tpl_kinds[K_QUERY] &&
				    t->nodes[i]->attr[A_NAME] != NULL && t->nodes[j]->attr[A_NAME] != NULL &&
				    strcmp(t->nodes[i]->attr[A_NAME], t->nodes[j]->attr[A_NAME]) == 0) {
					tpl_node_diag(t, t->nodes[i], A_NAME, 0, DIAG_TPL_DUPLICATE,
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
