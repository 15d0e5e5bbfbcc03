/* xml_read.c — hardened libxml2 parsing, XSD validation, and the annual return model. */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlschemas.h>

#include "jingsai.h"
#include "schemas.h"
#include "xml_read.h"

/* The most errors one XML file reports; libxml2 stops at the first fatal
 * well-formedness error anyway, this bounds schema-validation floods. */
#define XML_MAX_ERRORS 200
/* The most attributes an element may have (ours have at most a dozen). */
#define XML_MAX_ATTRIBUTES 256

const struct ar_count_def ar_counts[AR__COUNTS] = {
	[AR_TECH_INNOVATIONS]         = {"innovation", "tech-innovations", "tech_innovations", "职工技术革新项目（项）"},
	[AR_OPERATING_METHODS]        = {"innovation", "operating-methods", "operating_methods", "总结推广先进操作法（项）"},
	[AR_PROPOSALS_SUBMITTED]      = {"innovation", "proposals-submitted", "proposals_submitted", "提出合理化建议（条）"},
	[AR_PROPOSALS_ADOPTED]        = {"innovation", "proposals-adopted", "proposals_adopted", "采纳合理化建议（条）"},
	[AR_FIVE_SMALL]               = {"innovation", "five-small", "five_small", "“五小”活动成果（项）"},
	[AR_SUPERVISORS]              = {"green", "supervisors", "supervisors", "职工节能减排义务监督员（人）"},
	[AR_KEY_ENTERPRISE_WORKERS]   = {"green", "key-enterprise-workers", "key_enterprise_workers", "重点企业职工人数（人）"},
	[AR_KEY_ENTERPRISE_PARTICIPANTS] = {"green", "key-enterprise-participants", "key_enterprise_participants", "重点企业参与节能减排竞赛职工人数（人）"},
	[AR_ABOVE_SCALE_ENTERPRISES]  = {"safety", "above-scale-enterprises", "above_scale_enterprises", "规模以上企业数（家）"},
	[AR_ANKANG_ENTERPRISES]       = {"safety", "ankang-enterprises", "ankang_enterprises", "开展“安康杯”竞赛企业数（家）"},
	[AR_DEATHS]                   = {"safety", "deaths", "deaths", "职工死亡人数（人）"},
	[AR_SERIOUS_INJURIES]         = {"safety", "serious-injuries", "serious_injuries", "职工重伤人数（人）"},
	[AR_OCCUPATIONAL_INCIDENTS]   = {"safety", "occupational-incidents", "occupational_incidents", "职业危害事故（起）"},
	[AR_PIONEER_TEAMS]            = {"teams", "pioneer-teams", "pioneer_teams", "工人先锋号（个）"},
	[AR_SIX_TYPE_TEAMS]           = {"teams", "six-type-teams", "six_type_teams", "六型班组（个）"},
	[AR_QC_GROUPS]                = {"teams", "qc-groups", "qc_groups", "QC小组（个）"},
};

/* What the error handlers need while one document is read. */
struct xml_errors {
	const char *path;
	const char *data;  /* the document's bytes, for columns */
	size_t len;
	int errors;
	int doctype;       /* a DOCTYPE was refused: later errors are its echo */
	struct xml_syntax syntax; /* the parser's errors, said at its end */
	struct xml_field_seen seen; /* the field reported last, not reported again */
};

static struct xml_errors *current; /* the document being read, for the entity loader */
static int initialised;

/* Refuses every external resource: submissions name none that we would
 * fetch, and the compiled-in schemas have no imports. */
static xmlParserInputPtr
refusing_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	if (current != NULL && !current->doctype) {
		diag(DIAG_XML_EXTERNAL, current->path, ctxt && ctxt->input ? ctxt->input->line : 0,
		    ctxt && ctxt->input ? ctxt->input->col : 0, url ? url : id ? id : "?");
		current->errors++;
	}
	return NULL;
}

static void
xml_init(void)
{
	if (initialised)
		return;
	initialised = 1;
	xmlInitParser();
	xmlSetExternalEntityLoader(refusing_loader);
}

void
xml_harden(void)
{
	xml_init();
}

/* Makes libxml2's message one clean line in OUT: our namespaces' braces
 * dropped ("{urn:jingsai:annual-return:1}project" becomes "project"), line
 * breaks and tabs as single spaces, bytes of the input that are not UTF-8
 * as \xNN, no trailing space. */
static void
tidy_message(const char *msg, struct buf *out)
{
	size_t len = strlen(msg);

	buf_reset(out);
	buf_puts(out, "");
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)msg[i];
		if (c == '{' && strncmp(msg + i + 1, "urn:", 4) == 0 && strchr(msg + i, '}') != NULL) {
			i = (size_t)(strchr(msg + i, '}') - msg) + 1;
			continue;
		}
		if (c == '\n' || c == '\r' || c == '\t') {
			if (out->len > 0 && out->data[out->len - 1] != ' ')
				buf_putc(out, ' ');
			i++;
			continue;
		}
		int adv;
		if (c < 0x20 || utf8_decode((const unsigned char *)msg + i, len - i, &adv) < 0) {
			buf_printf(out, "\\x%02X", c);
			i++;
			continue;
		}
		buf_add(out, msg + i, (size_t)adv);
		i += (size_t)adv;
	}
	while (out->len > 0 && out->data[out->len - 1] == ' ')
		out->data[--out->len] = '\0';
}

long
xml_column(const char *data, size_t len, long line, const char *attr)
{
	size_t i = 0, end;
	long l = 1, col = 1;

	while (l < line && i < len) {
		if (data[i++] == '\n')
			l++;
	}
	if (l != line)
		return 1;
	for (end = i; end < len && data[end] != '\n'; end++)
		;
	const char *hit = NULL;
	if (attr != NULL) {
		size_t alen = strlen(attr);
		for (size_t k = i; k + alen + 1 <= end; k++)
			if ((k == i || data[k - 1] == ' ' || data[k - 1] == '\t') &&
			    memcmp(data + k, attr, alen) == 0 && data[k + alen] == '=') {
				hit = data + k;
				break;
			}
	}
	if (hit == NULL)
		hit = memchr(data + i, '<', end - i);
	if (hit == NULL)
		return 1;
	for (const char *p = data + i; p < hit; p++)
		if (((unsigned char)*p & 0xC0) != 0x80)
			col++;
	return col;
}

/* ---- Errors in the submitter's terms -------------------------------------
 *
 * libxml2's messages speak of facets, atomic types and content models.  A
 * county clerk needs the field, what it holds and a good value: so each
 * error is mapped, by libxml2's error code and what it names (the element,
 * the attribute, the value, the bound), to a row of the catalogue.  Its own
 * text goes, at most, onto the operator's second line. */

/* What a field of the annual return holds (schemas/annual-return.xsd). */
enum form { F_COUNT, F_YEAR, F_DATETIME, F_CODE, F_TEXT, F_ENUM };

/* The annual return's fields other than its counts (ar_counts), one row
 * each: where, its name on the workbook form, what it holds, a good value. */
static const struct field {
	const char *element, *attribute;
	const char *zh;
	enum form form;
	const char *example;
} ar_fields[] = {
	{"annual-return", "region",    "地区",       F_TEXT,     "崇川区"},
	{"annual-return", "year",      "年度",       F_YEAR,     "2024"},
	{"annual-return", "submitted", "报送时间",   F_DATETIME, "2025-01-15T10:00:00+08:00"},
	{"project",       "id",        "项目编号",   F_CODE,     "2024-320602-001"},
	{"project",       "track",     "赛道",       F_CODE,     "T1"},
	{"project",       "level",     "项目层级",   F_ENUM,     "city"},
	{"project",       "status",    "进展阶段",   F_ENUM,     "推进"},
	{"project",       "name",      "项目名称",   F_TEXT,     "2024年崇川区工人先锋号创建竞赛"},
	{"project",       "organizer", "组织单位",   F_TEXT,     "崇川区总工会"},
	{"studio",        "id",        "工作室编号", F_CODE,     "GZS-320602-001"},
	{"studio",        "name",      "工作室名称", F_TEXT,     "王晶颖劳模创新工作室"},
	{"studio",        "leader",    "领衔人",     F_TEXT,     "王晶颖"},
	{"studio",        "level",     "工作室级别", F_ENUM,     "city"},
	{"studio",        "founded",   "命名年份",   F_YEAR,     "2019"},
};

/* The parts of <annual-return> in the order the form has them; required
 * ones first-class (a missing one is named as missing, not as misplaced). */
static const struct {
	const char *name;
	int required;
} ar_parts[] = {
	{"projects", 1}, {"innovation", 0}, {"studios", 0}, {"green", 0}, {"safety", 0}, {"teams", 0},
};

/* What an error is about, gathered from libxml2's error and tree. */
struct about {
	const char *element;   /* local name */
	const char *parent;    /* local name, "" at the top */
	char attribute[64];    /* "" when the error is about the element */
	char shown[256];       /* the attribute as shown: "tech-innovations（职工技术革新项目）" */
	enum form form;        /* when known: */
	int known;
	char example[96];      /* attribute="good value" */
};

/* LABEL without a trailing unit in brackets: "职工技术革新项目（项）" →
 * "职工技术革新项目". */
static void
label_without_unit(const char *label, char *out, size_t size)
{
	size_t n = strlen(label);
	const char *open = NULL;

	if (n >= 3 && strcmp(label + n - 3, "）") == 0)
		for (const char *p = label; (p = strstr(p, "（")) != NULL; p += 3)
			open = p;
	snprintf(out, size, "%.*s", open ? (int)(open - label) : (int)n, label);
}

/* Fills A from ELEMENT, PARENT and the attribute named in MSG. */
static void
about_field(struct about *a, xmlNodePtr node, const char *msg)
{
	const char *at = strstr(msg, "attribute '");
	const char *zh = NULL, *example = NULL;

	memset(a, 0, sizeof *a);
	a->element = node && node->name ? (const char *)node->name : "";
	a->parent = node && node->parent && node->parent->type == XML_ELEMENT_NODE ?
	    (const char *)node->parent->name : "";
	if (at != NULL) {
		at += strlen("attribute '");
		size_t n = strcspn(at, "'");
		if (n < sizeof a->attribute)
			snprintf(a->attribute, sizeof a->attribute, "%.*s", (int)n, at);
	}
	if (node != NULL && node->ns != NULL && node->ns->href != NULL &&
	    strcmp((const char *)node->ns->href, AR_NAMESPACE) == 0) {
		for (size_t i = 0; i < sizeof ar_fields / sizeof *ar_fields; i++)
			if (strcmp(ar_fields[i].element, a->element) == 0 &&
			    strcmp(ar_fields[i].attribute, a->attribute) == 0) {
				a->known = 1;
				a->form = ar_fields[i].form;
				zh = ar_fields[i].zh;
				example = ar_fields[i].example;
			}
		for (int c = 0; c < AR__COUNTS; c++)
			if (strcmp(ar_counts[c].element, a->element) == 0 &&
			    strcmp(ar_counts[c].attribute, a->attribute) == 0) {
				a->known = 1;
				a->form = F_COUNT;
				zh = ar_counts[c].zh;
				example = "120";
			}
	}
	if (zh != NULL) {
		char label[128];
		label_without_unit(zh, label, sizeof label);
		snprintf(a->shown, sizeof a->shown, "%s（%s）", a->attribute, label);
	} else
		snprintf(a->shown, sizeof a->shown, "%s", a->attribute);
	snprintf(a->example, sizeof a->example, "%s=\"%s\"", a->attribute, example ? example : "…");
}

/* The element names of libxml2's "Expected is ( a, b )" in MSG as
 * "<a>, <b>" in OUT (namespaces already dropped by tidy_message). */
static void
expected_list(const char *msg, struct buf *out)
{
	const char *p = strstr(msg, "Expected is");

	buf_reset(out);
	buf_puts(out, "");
	if (p == NULL || (p = strchr(p, '(')) == NULL)
		return;
	for (p++; *p != '\0' && *p != ')';) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, " ,)");
		if (n > 0)
			buf_printf(out, "%s<%.*s>", out->len ? ", " : "", (int)n, p);
		p += n;
	}
}

/* 1 when NODE has an element sibling before it named NAME. */
static int
earlier_sibling(xmlNodePtr node, const char *name)
{
	for (xmlNodePtr s = node->prev; s != NULL; s = s->prev)
		if (s->type == XML_ELEMENT_NODE && strcmp((const char *)s->name, name) == 0)
			return 1;
	return 0;
}

/* 1 when PARENT has a child element named NAME. */
static int
has_child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return 1;
	return 0;
}

/* Reports the content-model error E about NODE ("This element is not
 * expected", "Missing child element(s)"): unknown, misplaced, repeated or
 * missing element. */
static void
content_error(const char *path, long line, long col, xmlNodePtr node, const char *msg)
{
	struct buf expected = {0};
	const char *name = node && node->name ? (const char *)node->name : "";
	xmlNodePtr parent = node && node->parent && node->parent->type == XML_ELEMENT_NODE ?
	    node->parent : NULL;
	int in_return = parent != NULL && xml_is(parent, AR_NAMESPACE, "annual-return");

	expected_list(msg, &expected);
	if (strstr(msg, "Missing child") != NULL) {
		/* NODE is the parent; the first expected one is missing */
		char first[64] = "";
		sscanf(expected.data ? expected.data : "", "<%63[^>]>", first);
		diag(DIAG_XSD_ELEM_MISSING, path, line, col, name, first, first);
		buf_free(&expected);
		return;
	}
	if (in_return && node->ns != NULL && strcmp((const char *)node->ns->href, AR_NAMESPACE) == 0) {
		struct buf order = {0};
		int part = 0;
		for (size_t i = 0; i < sizeof ar_parts / sizeof *ar_parts; i++) {
			buf_printf(&order, "%s<%s>", i ? ", " : "", ar_parts[i].name);
			part |= strcmp(ar_parts[i].name, name) == 0;
		}
		for (size_t i = 0; part && i < sizeof ar_parts / sizeof *ar_parts; i++)
			if (ar_parts[i].required && !has_child(parent, ar_parts[i].name)) {
				diag(DIAG_XSD_ELEM_MISSING, path, line, col, (const char *)parent->name,
				    ar_parts[i].name, ar_parts[i].name);
				part = -1;
				break;
			}
		if (part > 0) {
			if (earlier_sibling(node, name))
				diag(DIAG_XSD_ELEM_TWICE, path, line, col, name, (const char *)parent->name);
			else
				diag(DIAG_XSD_ELEM_ORDER, path, line, col, name, (const char *)parent->name,
				    order.data);
		}
		buf_free(&order);
		if (part != 0) {
			buf_free(&expected);
			return;
		}
	} else if (parent != NULL && earlier_sibling(node, name) && strstr(expected.data ? expected.data : "", name) == NULL) {
		diag(DIAG_XSD_ELEM_TWICE, path, line, col, name, (const char *)parent->name);
		buf_free(&expected);
		return;
	}
	diag(DIAG_XSD_ELEM_UNKNOWN, path, line, col, name, parent ? (const char *)parent->name : "",
	    expected.data && expected.len ? expected.data : "—");
	buf_free(&expected);
}

/* The attributes of <ELEMENT> of the annual return, ", "-separated, in OUT
 * ("" for other documents). */
static void
attribute_list(const char *element, struct buf *out)
{
	buf_reset(out);
	buf_puts(out, "");
	for (size_t i = 0; i < sizeof ar_fields / sizeof *ar_fields; i++)
		if (strcmp(ar_fields[i].element, element) == 0)
			buf_printf(out, "%s%s", out->len ? ", " : "", ar_fields[i].attribute);
	for (int c = 0; c < AR__COUNTS; c++)
		if (strcmp(ar_counts[c].element, element) == 0)
			buf_printf(out, "%s%s", out->len ? ", " : "", ar_counts[c].attribute);
}

/* The allowed values of an enumeration error ("'city', 'county'") as
 * "city, county" in OUT. */
static void
value_list(const char *set, struct buf *out)
{
	buf_reset(out);
	buf_puts(out, "");
	for (const char *p = set ? set : ""; *p != '\0'; p++)
		if (*p != '\'')
			buf_putc(out, *p);
}

/* VALUE as shown in a message: at most 40 characters, then "…". */
static const char *
shorten(const char *value, char *out, size_t size)
{
	size_t i = 0;
	int chars = 0;

	while (value[i] != '\0' && chars < 40) {
		i++;
		while (((unsigned char)value[i] & 0xC0) == 0x80)
			i++;
		chars++;
	}
	snprintf(out, size, "%.*s%s", (int)i, value, value[i] != '\0' ? "…" : "");
	return out;
}

/* The line and column of a schema-validation error E in the document X is
 * reading: the node's line, the column of the attribute it names. */
static void
schema_position(const struct xml_errors *x, const xmlError *e, long *line, long *col)
{
	xmlNodePtr node = e->node;
	struct about a;
	struct buf msg = {0};

	if (node != NULL && node->type != XML_ELEMENT_NODE)
		node = node->parent;
	tidy_message(e->message ? e->message : "?", &msg);
	about_field(&a, node, msg.data);
	buf_free(&msg);
	*line = e->line;
	if (*line <= 0 && node != NULL)
		*line = xmlGetLineNo(node);
	*col = xml_column(x->data, x->len, *line, a.attribute[0] ? a.attribute : NULL);
}

/* Reports E about field A (its value VALUE) of a return read from a
 * workbook, in the workbook's terms (CELLS); returns 0 for an error it has
 * no words of its own for. */
static int
report_cell(const char *path, long line, long col, const xmlError *e, const struct about *a,
    const char *value, const struct xml_cells *cells)
{
	const char *label = cells->label(a->element, a->attribute);
	const char *values = cells->values(a->element, a->attribute);
	char fallback[128], example[96];

	if (label == NULL) {
		const char *open = strstr(a->shown, "（");
		if (open == NULL)
			return 0;   /* a field of no label: as in a return file */
		/* "level（项目层级）" → "项目层级" */
		snprintf(fallback, sizeof fallback, "%s", open + 3);
		fallback[strlen(fallback) - 3] = '\0';
		label = fallback;
	}
	/* a good value as the cell takes it: the first one offered, else the
	 * example of the field (region="崇川区" → 崇川区) */
	const char *ex = strchr(a->example, '"');
	snprintf(example, sizeof example, "%.*s", ex ? (int)strcspn(ex + 1, "\"") : 1, ex ? ex + 1 : "…");
	if (values != NULL)
		snprintf(example, sizeof example, "%.*s", (int)strcspn(values, "、"), values);
	switch ((int)e->code) {
	case XML_SCHEMAV_CVC_ENUMERATION_VALID: {
		struct buf list = {0};
		if (values == NULL)
			value_list(e->str2, &list);
		diag(DIAG_AR_ENUM, path, line, col, value, label, values ? values : list.data);
		buf_free(&list);
		return 1;
	}
	case XML_SCHEMAV_CVC_MININCLUSIVE_VALID:
	case XML_SCHEMAV_CVC_MINEXCLUSIVE_VALID:
		diag(DIAG_AR_TOO_SMALL, path, line, col, value, label, e->str2 ? e->str2 : "");
		return 1;
	case XML_SCHEMAV_CVC_MAXINCLUSIVE_VALID:
	case XML_SCHEMAV_CVC_MAXEXCLUSIVE_VALID:
		diag(DIAG_AR_TOO_LARGE, path, line, col, value, label, e->str2 ? e->str2 : "");
		return 1;
	case XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_1:
	case XML_SCHEMAV_CVC_PATTERN_VALID:
	case XML_SCHEMAV_CVC_LENGTH_VALID:
	case XML_SCHEMAV_CVC_MINLENGTH_VALID:
	case XML_SCHEMAV_CVC_MAXLENGTH_VALID:
	case XML_SCHEMAV_CVC_ATTRIBUTE_3:
		if (!a->known)
			return 0;
		switch (a->form) {
		case F_COUNT: diag(DIAG_AR_COUNT, path, line, col, value, label); break;
		case F_YEAR: diag(DIAG_AR_YEAR, path, line, col, value, label); break;
		case F_DATETIME: diag(DIAG_AR_DATETIME, path, line, col, value, label); break;
		case F_CODE: diag(DIAG_AR_CODE, path, line, col, value, label, example); break;
		case F_TEXT: diag(DIAG_AR_TEXT, path, line, col, value, label); break;
		default: {
			struct buf tidied = {0};
			tidy_message(e->message ? e->message : "?", &tidied);
			diag(DIAG_AR_VALUE, path, line, col, value, label, tidied.data);
			buf_free(&tidied);
		}
		}
		return 1;
	case XML_SCHEMAV_CVC_COMPLEX_TYPE_4:
		diag(DIAG_AR_MISSING, path, line, col, label, example);
		return 1;
	default:
		return 0;
	}
}

int
xml_report_invalid(const char *path, long line, long col, const xmlError *e,
    struct xml_field_seen *seen)
{
	xmlNodePtr node = e->node;
	struct about a;
	struct buf list = {0}, tidied = {0};
	char shown_value[200];
	const char *value = shorten(e->str1 ? e->str1 : "", shown_value, sizeof shown_value);

	if (node != NULL && node->type != XML_ELEMENT_NODE)
		node = node->parent;
	tidy_message(e->message ? e->message : "?", &tidied);
	const char *msg = tidied.data;
	about_field(&a, node, msg);

	/* one error per field: libxml2 reports a value against each facet it breaks */
	if (node != NULL && (const void *)node == seen->node && strcmp(a.attribute, seen->attribute) == 0) {
		buf_free(&tidied);
		return 0;
	}
	seen->node = node;
	snprintf(seen->attribute, sizeof seen->attribute, "%s", a.attribute);
	if (seen->cells != NULL && a.attribute[0] != '\0' && report_cell(path, line, col, e, &a,
	    value, seen->cells)) {
		buf_free(&tidied);
		return 1;
	}
	switch ((int)e->code) {
	case XML_SCHEMAV_CVC_ENUMERATION_VALID:
		value_list(e->str2, &list);
		diag(DIAG_XSD_ENUM, path, line, col, value, a.shown, a.element, list.data);
		break;
	case XML_SCHEMAV_CVC_MININCLUSIVE_VALID:
	case XML_SCHEMAV_CVC_MINEXCLUSIVE_VALID:
		diag(DIAG_XSD_TOO_SMALL, path, line, col, value, a.shown, a.element, e->str2 ? e->str2 : "");
		break;
	case XML_SCHEMAV_CVC_MAXINCLUSIVE_VALID:
	case XML_SCHEMAV_CVC_MAXEXCLUSIVE_VALID:
		diag(DIAG_XSD_TOO_LARGE, path, line, col, value, a.shown, a.element, e->str2 ? e->str2 : "");
		break;
	case XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_1:
	case XML_SCHEMAV_CVC_PATTERN_VALID:
	case XML_SCHEMAV_CVC_LENGTH_VALID:
	case XML_SCHEMAV_CVC_MINLENGTH_VALID:
	case XML_SCHEMAV_CVC_MAXLENGTH_VALID:
	case XML_SCHEMAV_CVC_ATTRIBUTE_3:
		if (!a.known) {
			diag(DIAG_XSD_VALUE, path, line, col, value, a.shown, a.element, msg);
			break;
		}
		static const enum diag_code by_form[] = {
			[F_COUNT] = DIAG_XSD_COUNT, [F_YEAR] = DIAG_XSD_YEAR, [F_DATETIME] = DIAG_XSD_DATETIME,
			[F_CODE] = DIAG_XSD_CODE, [F_TEXT] = DIAG_XSD_TEXT, [F_ENUM] = DIAG_XSD_VALUE,
		};
		diag(by_form[a.form], path, line, col, value, a.shown, a.element, msg);
		break;
	case XML_SCHEMAV_CVC_COMPLEX_TYPE_4:
		/* "The attribute 'name' is required but missing": A names it */
		diag(DIAG_XSD_ATTR_MISSING, path, line, col, a.element, a.shown, a.example);
		break;
	case XML_SCHEMAV_CVC_COMPLEX_TYPE_3_2_1:
	case XML_SCHEMAV_CVC_COMPLEX_TYPE_3_2_2:
		attribute_list(a.element, &list);
		if (list.len > 0)
			diag(DIAG_XSD_ATTR_UNKNOWN, path, line, col, a.element, a.attribute, a.element, list.data);
		else
			diag(DIAG_XSD_ATTR_STRAY, path, line, col, a.element, a.attribute);
		break;
	case XML_SCHEMAV_ELEMENT_CONTENT:
		content_error(path, line, col, node, msg);
		break;
	case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_3:
		diag(DIAG_XSD_NO_TEXT, path, line, col, a.element);
		break;
	case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_1:
		diag(DIAG_XSD_NO_CHILDREN, path, line, col, a.element);
		break;
	case XML_SCHEMAV_CVC_IDC:
		if (e->str1 == NULL) {
			buf_free(&list);
			buf_free(&tidied);
			return 0; /* the echo of an invalid value already reported */
		}
		value_list(e->str1, &list);   /* "['a']" */
		{
			char *id = list.data, *end;
			if (*id == '[')
				id++;
			if ((end = strrchr(id, ']')) != NULL)
				*end = '\0';
			diag(DIAG_XSD_DUPLICATE, path, line, col, id, a.element);
		}
		break;
	default:
		diag(DIAG_XSD_OTHER, path, line, col, a.element, msg);
		break;
	}
	buf_free(&list);
	buf_free(&tidied);
	return 1;
}

/* The libxml2 parser errors a person can act on, each with its row. */
void
xml_report_syntax(const char *path, const xmlError *e)
{
	struct buf msg = {0};
	long line = e->line > 0 ? e->line : 1, col = e->int2 > 0 ? e->int2 : 1;
	const char *s1 = e->str1 ? e->str1 : "", *s2 = e->str2 ? e->str2 : "";

	tidy_message(e->message ? e->message : "?", &msg);
	switch ((int)e->code) {
	case XML_ERR_DOCUMENT_EMPTY:
		diag(DIAG_XML_EMPTY, path, line, col);
		break;
	case XML_ERR_DOCUMENT_END:
		diag(DIAG_XML_TRAILING, path, line, col);
		break;
	case XML_ERR_INVALID_CHAR:
		if (strncmp(s1, "Bytes: ", 7) == 0) {
			struct buf bytes = {0};
			tidy_message(s1 + 7, &bytes);
			diag(DIAG_XML_NOT_UTF8, path, line, col, bytes.data);
			buf_free(&bytes);
		} else if (strstr(msg.data, "Char") != NULL)
			diag(DIAG_XML_BAD_CHAR, path, line, col, e->int1);
		else
			diag(DIAG_XML_MALFORMED, path, line, col, msg.data);
		break;
	case XML_ERR_UNDECLARED_ENTITY:
	case XML_WAR_UNDECLARED_ENTITY:
		diag(DIAG_XML_ENTITY, path, line, col, s1);
		break;
	case XML_ERR_ENTITYREF_SEMICOL_MISSING:
		diag(DIAG_XML_AMPERSAND, path, line, col);
		break;
	case XML_ERR_NAME_REQUIRED:
		if (strstr(msg.data, "EntityRef") != NULL)
			diag(DIAG_XML_AMPERSAND, path, line, col);
		else if (strstr(msg.data, "StartTag") != NULL)
			diag(DIAG_XML_LESS_THAN, path, line, col);
		else
			diag(DIAG_XML_MALFORMED, path, line, col, msg.data);
		break;
	case XML_ERR_LT_IN_ATTRIBUTE:
		diag(DIAG_XML_LT_IN_VALUE, path, line, col);
		break;
	case XML_ERR_ATTRIBUTE_NOT_STARTED:
		diag(DIAG_XML_UNQUOTED, path, line, col);
		break;
	case XML_ERR_ATTRIBUTE_WITHOUT_VALUE:
		diag(DIAG_XML_NO_VALUE, path, line, col, s1, s1);
		break;
	case XML_ERR_ATTRIBUTE_REDEFINED:
		diag(DIAG_XML_ATTR_TWICE, path, line, col, s1);
		break;
	case XML_ERR_RESERVED_XML_NAME:
		diag(DIAG_XML_DECL_PLACE, path, line, col);
		break;
	case XML_ERR_GT_REQUIRED:
		diag(DIAG_XML_TAG_OPEN, path, line, col, s1);
		break;
	case XML_ERR_TAG_NAME_MISMATCH:
		diag(DIAG_XML_TAG_MISMATCH, path, line, col, s2, s1, e->int1);
		break;
	case XML_ERR_TAG_NOT_FINISHED:
		diag(DIAG_XML_CUT_SHORT, path, line, col, s1, e->int1);
		break;
	case XML_ERR_HYPHEN_IN_COMMENT:
		diag(DIAG_XML_COMMENT, path, line, col);
		break;
	default:
		diag(DIAG_XML_MALFORMED, path, line, col, msg.data);
		break;
	}
	buf_free(&msg);
}

void
xml_syntax_take(struct xml_syntax *s, const xmlError *e)
{
	if (s->n++ == 0)
		xmlCopyError((xmlErrorPtr)e, &s->first);
	else if (e->code == XML_ERR_TAG_NOT_FINISHED && e->line == s->first.line &&
	    e->int2 == s->first.int2) {
		xmlResetError(&s->cut);
		xmlCopyError((xmlErrorPtr)e, &s->cut);
	}
}

int
xml_syntax_report(struct xml_syntax *s, const char *path)
{
	int n = s->n;

	if (n > 0)
		xml_report_syntax(path, s->cut.code != 0 ? &s->cut : &s->first);
	xmlResetError(&s->first);
	xmlResetError(&s->cut);
	s->n = 0;
	return n;
}

/* Structured error handler for parsing and validation. */
static void
on_error(void *arg, xmlErrorPtr e)
{
	struct xml_errors *x = arg;

	if (x->doctype || e->code == XML_ERR_USER_STOP)
		return;
	if (e->level == XML_ERR_WARNING)
		return;
	if (e->domain != XML_FROM_SCHEMASV) {
		/* not well-formed: said once parsing ends (xml_syntax_take) */
		x->errors++;
		xml_syntax_take(&x->syntax, e);
		return;
	}
	if (++x->errors > XML_MAX_ERRORS) {
		if (x->errors == XML_MAX_ERRORS + 1)
			diag(DIAG_IN_TOO_MANY, x->path, e->line, 1, XML_MAX_ERRORS);
		return;
	}
	long line, col;
	schema_position(x, e, &line, &col);
	xml_report_invalid(x->path, line, col, e, &x->seen);
}

/* SAX internalSubset: called on "<!DOCTYPE name ...", before any of its
 * declarations are read.  Refuse the document right there. */
static void
refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id)
{
	(void)name;
	(void)external_id;
	(void)system_id;
	xmlParserCtxtPtr ctxt = ctx;
	struct xml_errors *x = current;

	if (x != NULL && !x->doctype) {
		diag(DIAG_XML_DOCTYPE, x->path, ctxt->input ? ctxt->input->line : 1, 1);
		x->errors++;
		x->doctype = 1;
	}
	xmlStopParser(ctxt);
}

/*
 * libxml2 checks each attribute of an element against all the others
 * before it, so an element with 80 000 attributes (560 KB) took 110 s.
 * No document we read has an element with more than a dozen; one pass over
 * the bytes counts them in every tag before libxml2 sees the document.  It
 * knows just enough XML to stay out of comments, CDATA sections, processing
 * instructions, declarations and quoted values; anything it misreads is
 * libxml2's to report.  Returns 0, or -1 after reporting the element.
 */
static int
attributes_sane(const char *path, const char *data, size_t len)
{
	static const struct { const char *open, *close; } skipped[] = {
		{"<!--", "-->"}, {"<![CDATA[", "]]>"}, {"<?", "?>"},
	};
	const char *p = data, *end = data + len;

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		const char *tag = p, *close = NULL;
		long attributes = 0, line, col;
		char quote = 0;

		for (size_t k = 0; k < sizeof skipped / sizeof *skipped; k++) {
			size_t n = strlen(skipped[k].open);
			if ((size_t)(end - p) >= n && memcmp(p, skipped[k].open, n) == 0) {
				close = memmem(p + n, (size_t)(end - p - (long)n), skipped[k].close,
				    strlen(skipped[k].close));
				p = close ? close + strlen(skipped[k].close) : end;
				break;
			}
		}
		if (tag != p)
			continue;
		/* a tag (start, end or declaration): its '=' outside quotes */
		for (p++; p < end && (quote != 0 || *p != '>'); p++) {
			if (quote != 0)
				quote = *p == quote ? 0 : quote;
			else if (*p == '"' || *p == '\'')
				quote = *p;
			else if (*p == '=' && ++attributes > XML_MAX_ATTRIBUTES) {
				jz_text_position(data, tag, &line, &col);
				diag(DIAG_XML_ATTRIBUTES, path, line, col, XML_MAX_ATTRIBUTES);
				return -1;
			}
		}
	}
	return 0;
}

xmlDocPtr
xml_parse(const char *path, const char *data, size_t len)
{
	struct xml_errors x = {.path = path, .data = data, .len = len};
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;

	if (attributes_sane(path, data, len) != 0)
		return NULL;
	xml_init();
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL) {
		fputs("jingsai: fatal: out of memory\n", stderr);
		abort();
	}
	ctxt->sax->internalSubset = refuse_doctype;
	current = &x;
	xmlSetStructuredErrorFunc(&x, on_error);
	/* NONET: no network; no NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE,
	 * HUGE or RECOVER.  BIG_LINES: true line numbers past 65535. */
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, path, NULL,
	    XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA);
	xml_syntax_report(&x.syntax, path);
	if (x.errors == 0 && (doc == NULL || !ctxt->wellFormed)) {
		diag(DIAG_XML_MALFORMED, path, ctxt->input ? ctxt->input->line : 1,
		    ctxt->input ? ctxt->input->col : 1, "no error reported");
		x.errors++;
	}
	if (x.errors == 0 && doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL)) {
		diag(DIAG_XML_DOCTYPE, path, 1, 1);
		x.errors++;
	}
	xmlSetStructuredErrorFunc(NULL, NULL);
	current = NULL;
	xmlFreeParserCtxt(ctxt);
	if (x.errors > 0) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

/* Compiled schemas, parsed once on first use, by name. */
static struct {
	const char *name;
	xmlSchemaPtr schema;
} schema_cache[8];

static xmlSchemaPtr
schema_get(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof schema_cache / sizeof *schema_cache && schema_cache[i].name; i++)
		if (strcmp(schema_cache[i].name, name) == 0)
			return schema_cache[i].schema;
	if (i == sizeof schema_cache / sizeof *schema_cache)
		return NULL;
	for (const struct embedded_file *f = jz_schemas; f->name != NULL; f++) {
		if (strcmp(f->name, name) != 0)
			continue;
		xmlSchemaParserCtxtPtr pc = xmlSchemaNewMemParserCtxt(f->data, (int)f->len);
		xmlSchemaPtr s = pc ? xmlSchemaParse(pc) : NULL;
		xmlSchemaFreeParserCtxt(pc);
		if (s == NULL)
			return NULL;
		schema_cache[i].name = f->name;
		schema_cache[i].schema = s;
		return s;
	}
	return NULL;
}

xmlSchemaPtr
xml_schema(const char *name)
{
	xml_init();
	return schema_get(name);
}

int
xml_validate(xmlDocPtr doc, const char *schema, const char *path, const char *data, size_t len)
{
	struct xml_errors x = {.path = path, .data = data, .len = len};
	xmlSchemaPtr s;
	xmlSchemaValidCtxtPtr vc;
	int rc;

	xml_init();
	s = schema_get(schema);
	if (s == NULL) {
		diag(DIAG_XML_SCHEMA_BUG, NULL, 0, 0, schema);
		return 1;
	}
	vc = xmlSchemaNewValidCtxt(s);
	xmlSchemaSetValidStructuredErrors(vc, on_error, &x);
	current = &x;
	rc = xmlSchemaValidateDoc(vc, doc);
	xml_syntax_report(&x.syntax, path);
	current = NULL;
	xmlSchemaFreeValidCtxt(vc);
	if (rc != 0 && x.errors == 0) {
		xmlNodePtr root = xmlDocGetRootElement(doc);
		diag(DIAG_XSD_OTHER, path, 1, 1, root ? (const char *)root->name : "",
		    "validation failed without a message");
		x.errors = 1;
	}
	return x.errors;
}

char *
xml_attr(const xmlNode *node, const char *name)
{
	xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
	char *s;

	if (v == NULL)
		return NULL;
	s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

int
xml_is(xmlNodePtr node, const char *ns, const char *name)
{
	return node != NULL && node->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)node->name, name) == 0 &&
	    node->ns != NULL && node->ns->href != NULL && strcmp((const char *)node->ns->href, ns) == 0;
}

static int
attr_int(xmlNodePtr node, const char *name, long long *out)
{
	char *v = xml_attr(node, name), *end;

	if (v == NULL)
		return -1;
	*out = strtoll(v, &end, 10);
	int ok = *v != '\0' && *end == '\0';
	free(v);
	return ok ? 0 : -1;
}

struct annual_return *
ar_from_doc(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	struct annual_return *ar = xcalloc(1, sizeof *ar);
	long long v;
	size_t cap;

	ar->region = xml_attr(root, "region");
	ar->submitted = xml_attr(root, "submitted");
	ar->year = attr_int(root, "year", &v) == 0 ? (int)v : 0;
	ar->line = xmlGetLineNo(root);
	for (xmlNodePtr el = root->children; el != NULL; el = el->next) {
		if (el->type != XML_ELEMENT_NODE)
			continue;
		if (xml_is(el, AR_NAMESPACE, "projects")) {
			cap = 0;
			for (xmlNodePtr p = el->children; p != NULL; p = p->next) {
				if (!xml_is(p, AR_NAMESPACE, "project"))
					continue;
				ar->projects = xgrow(ar->projects, ar->nprojects, &cap, 16, sizeof *ar->projects);
				struct ar_project *pr = &ar->projects[ar->nprojects++];
				pr->id = xml_attr(p, "id");
				pr->track = xml_attr(p, "track");
				pr->level = xml_attr(p, "level");
				pr->status = xml_attr(p, "status");
				pr->name = xml_attr(p, "name");
				pr->organizer = xml_attr(p, "organizer");
				pr->line = xmlGetLineNo(p);
			}
		} else if (xml_is(el, AR_NAMESPACE, "studios")) {
			cap = 0;
			for (xmlNodePtr s = el->children; s != NULL; s = s->next) {
				if (!xml_is(s, AR_NAMESPACE, "studio"))
					continue;
				ar->studios = xgrow(ar->studios, ar->nstudios, &cap, 16, sizeof *ar->studios);
				struct ar_studio *st = &ar->studios[ar->nstudios++];
				st->id = xml_attr(s, "id");
				st->name = xml_attr(s, "name");
				st->leader = xml_attr(s, "leader");
				st->level = xml_attr(s, "level");
				st->founded = attr_int(s, "founded", &v) == 0 ? (int)v : 0;
				st->line = xmlGetLineNo(s);
			}
		} else {
			for (int c = 0; c < AR__COUNTS; c++)
				if (xml_is(el, AR_NAMESPACE, ar_counts[c].element) &&
				    attr_int(el, ar_counts[c].attribute, &v) == 0) {
					ar->count[c] = v;
					ar->has[c] = 1;
				}
		}
	}
	return ar;
}

void
ar_free(struct annual_return *ar)
{
	if (ar == NULL)
		return;
	for (size_t i = 0; i < ar->nprojects; i++) {
		struct ar_project *p = &ar->projects[i];
		free(p->id), free(p->track), free(p->level), free(p->status), free(p->name), free(p->organizer);
	}
	for (size_t i = 0; i < ar->nstudios; i++) {
		struct ar_studio *s = &ar->studios[i];
		free(s->id), free(s->name), free(s->leader), free(s->level);
	}
	free(ar->projects);
	free(ar->studios);
	free(ar->region);
	free(ar->submitted);
	free(ar);
}

/* Days from 1970-01-01 to Y-M-D (proleptic Gregorian). */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

int
xml_datetime_utc(const char *s, char out[21])
{
	int y, mo, d, h, mi, sec, n = 0, off = 8 * 60;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return -1;
	const char *z = s + n;
	if (*z == '.')
		for (z++; *z >= '0' && *z <= '9'; z++)
			;
	if (*z == 'Z' && z[1] == '\0')
		off = 0;
	else if ((*z == '+' || *z == '-') && strlen(z) == 6 && z[3] == ':') {
		int oh = atoi(z + 1), om = atoi(z + 4);
		off = (oh * 60 + om) * (*z == '-' ? -1 : 1);
	} else if (*z != '\0')
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec > 60)
		return -1;
	long long t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec - off * 60;
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	if (tm.tm_year + 1900 < 1000 || tm.tm_year + 1900 > 9999)
		return -1;
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}
