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

/* Structured error handler for parsing and validation. */
static void
on_error(void *arg, xmlErrorPtr e)
{
	struct xml_errors *x = arg;
	struct buf msg = {0};
	long line = e->line, col = e->int2;

	if (x->doctype || e->code == XML_ERR_USER_STOP)
		return;
	if (e->level == XML_ERR_WARNING)
		return;
	if (++x->errors > XML_MAX_ERRORS) {
		if (x->errors == XML_MAX_ERRORS + 1)
			diag(DIAG_IN_TOO_MANY, x->path, line, col, XML_MAX_ERRORS);
		return;
	}
	tidy_message(e->message ? e->message : "?", &msg);
	if (e->domain == XML_FROM_SCHEMASV) {
		/* Validation errors carry the node's line only: find the column of
		 * the attribute they name, else of the element. */
		const char *a = strstr(msg.data, "attribute '");
		char name[64] = "";
		if (a != NULL) {
			a += strlen("attribute '");
			size_t n = strcspn(a, "'");
			if (n < sizeof name) {
				memcpy(name, a, n);
				name[n] = '\0';
			}
		}
		if (line <= 0 && e->node != NULL)
			line = xmlGetLineNo(e->node);
		col = xml_column(x->data, x->len, line, name[0] ? name : NULL);
		diag(DIAG_XML_INVALID, x->path, line, col, msg.data);
	} else
		diag(DIAG_XML_SYNTAX, x->path, line, col, msg.data);
	buf_free(&msg);
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
	struct xml_errors x = {path, data, len, 0, 0};
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
	if (x.errors == 0 && (doc == NULL || !ctxt->wellFormed)) {
		diag(DIAG_XML_SYNTAX, path, ctxt->input ? ctxt->input->line : 1,
		    ctxt->input ? ctxt->input->col : 1, "the document could not be read");
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
	struct xml_errors x = {path, data, len, 0, 0};
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
	current = NULL;
	xmlSchemaFreeValidCtxt(vc);
	if (rc != 0 && x.errors == 0) {
		diag(DIAG_XML_INVALID, path, 1, 1, "not valid against the schema");
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
