/* xlsx_read.c — Excel workbooks (.xlsx): libzip opens the archive, libxml2's
 * streaming xmlReader reads the workbook, its relationships, the shared
 * strings, the number formats and each worksheet; every cell comes out as
 * the text Excel shows for it, and a worksheet of a CSV kind goes through
 * the same rows, habits and rules as a CSV file (csv_rows.c). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlreader.h>
#include <zip.h>

#include "jingsai.h"
#include "xlsx_read.h"
#include "xml_read.h"

#define NS_REL_OFFICE "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_REL_STRICT "http://purl.oclc.org/ooxml/officeDocument/relationships"
#define RATIO_FREE (1LL << 20) /* parts this small are not asked for their ratio */
#define MAX_SHEETS 256         /* worksheets of a workbook */
#define MAX_STYLES 65536       /* cell formats (Excel's own limit is 64 000) */
#define MAX_CELL_TEXT (1 << 20) /* bytes of one cell or shared string */

struct sheet {
	char *name;    /* as the tab shows it */
	char *part;    /* entry in the zip: "xl/worksheets/sheet1.xml" */
	int hidden;    /* state="hidden" or "veryHidden" */
	char *context; /* its name, for diagnostics (diag_set_context) */
};

struct numfmt {
	int id;
	char *code;
};

struct xlsx {
	const char *path;
	zip_t *zip;
	struct sheet *sheets;
	int nsheets;
	char *workbook_part;    /* "xl/workbook.xml" */
	char *strings_part, *styles_part; /* or NULL */

	/* Shared strings: string I is text + off[I], NUL-terminated. */
	struct buf strings;
	size_t *off;
	size_t nstrings, cap_strings;

	int *xf_format;         /* cell format (s=) -> number format id */
	size_t nxf;
	struct numfmt *formats; /* the workbook's own number formats */
	size_t nformats;
	int date1904;
};

/* ---- Parts: one zip entry streamed into an xmlReader ---------------------------- */

struct part {
	struct xlsx *x;
	const char *name;
	zip_file_t *file;
	long long limit, read; /* unpacked bytes allowed, read so far */
	int too_big;
	char error[256];       /* libxml2's first error */
};

static int
part_read(void *arg, char *buffer, int len)
{
	struct part *p = arg;
	zip_int64_t n = zip_fread(p->file, buffer, (zip_uint64_t)len);

	if (n < 0)
		return -1;
	p->read += n;
	if (p->read > p->limit) {
		p->too_big = 1;
		return -1;
	}
	return (int)n;
}

static int
part_close(void *arg)
{
	(void)arg;
	return 0;
}

static void
part_error(void *arg, xmlErrorPtr e)
{
	struct part *p = arg;

	if (p->error[0] == '\0' && e != NULL && e->level >= XML_ERR_ERROR) {
		snprintf(p->error, sizeof p->error, "%s", e->message ? e->message : "?");
		p->error[strcspn(p->error, "\n")] = '\0';
	}
}

/* Opens entry NAME for streaming, unpacked size at most LIMIT.  Returns the
 * reader, or NULL after a diagnostic. */
static xmlTextReaderPtr
part_open(struct xlsx *x, const char *name, long long limit, struct part *p)
{
	zip_stat_t st;
	zip_int64_t i = zip_name_locate(x->zip, name, 0);

	memset(p, 0, sizeof *p);
	p->x = x;
	p->name = name;
	p->limit = limit;
	if (i < 0 || zip_stat_index(x->zip, (zip_uint64_t)i, 0, &st) != 0) {
		diag(DIAG_XLSX_PART_MISSING, x->path, 0, 0, name);
		return NULL;
	}
	if ((st.valid & ZIP_STAT_SIZE) && (long long)st.size > limit) {
		diag(DIAG_XLSX_TOO_BIG, x->path, 0, 0, name, (long long)st.size, limit);
		return NULL;
	}
	if ((st.valid & ZIP_STAT_SIZE) && (st.valid & ZIP_STAT_COMP_SIZE) &&
	    (long long)st.size > RATIO_FREE &&
	    (long long)st.size / XLSX_MAX_RATIO > (long long)st.comp_size) {
		diag(DIAG_XLSX_RATIO, x->path, 0, 0, name, (long long)st.size, (long long)st.comp_size);
		return NULL;
	}
	p->file = zip_fopen_index(x->zip, (zip_uint64_t)i, 0);
	if (p->file == NULL) {
		diag(DIAG_XLSX_ZIP, x->path, 0, 0, zip_strerror(x->zip));
		return NULL;
	}
	/* NONET; no entities substituted, no DTD loaded (FACTS.md) */
	xmlTextReaderPtr rd = xmlReaderForIO(part_read, part_close, p, name, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT);
	if (rd == NULL) {
		zip_fclose(p->file);
		p->file = NULL;
		diag(DIAG_XLSX_ZIP, x->path, 0, 0, name);
		return NULL;
	}
	xmlTextReaderSetStructuredErrorHandler(rd, part_error, p);
	return rd;
}

/* Ends reading a part; RC is the last xmlTextReaderRead result (or -2:
 * stopped on purpose).  Returns 0, or -1 after a diagnostic. */
static int
part_end(struct part *p, xmlTextReaderPtr rd, int rc)
{
	int status = 0;

	if (p->too_big) {
		diag(DIAG_XLSX_TOO_BIG, p->x->path, 0, 0, p->name, p->read, p->limit);
		status = -1;
	} else if (rc == -1) {
		if (p->error[0])
			diag(DIAG_XLSX_XML, p->x->path, 0, 0, p->name, p->error);
		else
			diag(DIAG_XLSX_UNREADABLE, p->x->path, 0, 0, p->name);
		status = -1;
	}
	if (rc == -3)
		status = -1; /* reported */
	xmlFreeTextReader(rd);
	if (p->file != NULL)
		zip_fclose(p->file);
	p->file = NULL;
	return status;
}

/* Reads the next node; refuses a DOCTYPE (no part of a workbook has one:
 * it can only be there to declare entities).  Returns xmlTextReaderRead's
 * value, or -1 after a diagnostic. */
static int
next_node(struct part *p, xmlTextReaderPtr rd)
{
	int rc = xmlTextReaderRead(rd);

	if (rc == 1 && (xmlTextReaderNodeType(rd) == XML_READER_TYPE_DOCUMENT_TYPE ||
	    xmlTextReaderNodeType(rd) == XML_READER_TYPE_ENTITY_REFERENCE)) {
		diag(DIAG_XLSX_DOCTYPE, p->x->path, 0, 0, p->name);
		snprintf(p->error, sizeof p->error, "DOCTYPE");
		p->too_big = 0;
		return -3;
	}
	return rc;
}

static int
is_element(xmlTextReaderPtr rd, const char *name)
{
	return xmlTextReaderNodeType(rd) == XML_READER_TYPE_ELEMENT &&
	    strcmp((const char *)xmlTextReaderConstLocalName(rd), name) == 0;
}

static int
is_end(xmlTextReaderPtr rd, const char *name)
{
	return xmlTextReaderNodeType(rd) == XML_READER_TYPE_END_ELEMENT &&
	    strcmp((const char *)xmlTextReaderConstLocalName(rd), name) == 0;
}

static char *
attr(xmlTextReaderPtr rd, const char *name)
{
	xmlChar *v = xmlTextReaderGetAttribute(rd, (const xmlChar *)name);
	char *s = v ? xstrdup((const char *)v) : NULL;

	xmlFree(v);
	return s;
}

/* ---- Relationships and the workbook ------------------------------------------------ */

/* TARGET of a relationship of part BASE ("xl/workbook.xml") as an entry
 * name; NULL when it leaves the archive.  Caller frees. */
static char *
resolve(const char *base, const char *target)
{
	if (strstr(target, "..") != NULL || strchr(target, '\\') != NULL || strstr(target, "://"))
		return NULL;
	if (target[0] == '/')
		return xstrdup(target + 1);
	const char *slash = strrchr(base, '/');
	int dir = slash ? (int)(slash - base) : 0;
	return xasprintf("%.*s%s%s", dir, base, dir ? "/" : "", target);
}

/* The relationships part of PART: "xl/_rels/workbook.xml.rels". */
static char *
rels_of(const char *part)
{
	const char *slash = strrchr(part, '/');
	int dir = slash ? (int)(slash - part) : 0;
	return xasprintf("%.*s%s_rels/%s.rels", dir, part, dir ? "/" : "", slash ? slash + 1 : part);
}

struct rel {
	char *id, *type, *target;
};

static void
free_rels(struct rel *rels, int n)
{
	for (int i = 0; i < n; i++) {
		free(rels[i].id);
		free(rels[i].type);
		free(rels[i].target);
	}
	free(rels);
}

/* Reads the relationships of PART into *RELS (count returned), or -1. */
static int
read_rels(struct xlsx *x, const char *part, struct rel **rels)
{
	struct part p;
	char *name = rels_of(part);
	xmlTextReaderPtr rd;
	int n = 0, rc;
	size_t cap = 0;

	*rels = NULL;
	if (zip_name_locate(x->zip, name, 0) < 0) {
		free(name);
		return 0;
	}
	if ((rd = part_open(x, name, XLSX_MAX_META, &p)) == NULL) {
		free(name);
		return -1;
	}
	while ((rc = next_node(&p, rd)) == 1) {
		if (!is_element(rd, "Relationship") || n >= 4 * MAX_SHEETS)
			continue;
		*rels = xgrow(*rels, n, &cap, 16, sizeof **rels);
		struct rel *r = &(*rels)[n++];
		r->id = attr(rd, "Id");
		r->type = attr(rd, "Type");
		r->target = attr(rd, "Target");
	}
	if (part_end(&p, rd, rc) != 0) {
		free_rels(*rels, n);
		*rels = NULL;
		n = -1;
	}
	free(name);
	return n;
}

static int
type_is(const char *type, const char *tail)
{
	size_t n = type ? strlen(type) : 0, t = strlen(tail);
	return n >= t && strcmp(type + n - t, tail) == 0;
}

/* The workbook part, from the package relationships. */
static int
find_workbook(struct xlsx *x)
{
	struct rel *rels;
	int n = read_rels(x, "", &rels);

	if (n < 0)
		return -1;
	for (int i = 0; i < n && x->workbook_part == NULL; i++)
		if (type_is(rels[i].type, "/officeDocument") && rels[i].target != NULL)
			x->workbook_part = resolve("", rels[i].target);
	free_rels(rels, n);
	if (x->workbook_part == NULL)
		x->workbook_part = xstrdup("xl/workbook.xml");
	return 0;
}

static int
read_workbook(struct xlsx *x)
{
	struct rel *rels;
	int nrels = read_rels(x, x->workbook_part, &rels), rc, status = 0;
	struct part p;
	xmlTextReaderPtr rd;

	if (nrels < 0)
		return -1;
	for (int i = 0; i < nrels; i++) {
		if (rels[i].target == NULL)
			continue;
		if (type_is(rels[i].type, "/sharedStrings") && x->strings_part == NULL)
			x->strings_part = resolve(x->workbook_part, rels[i].target);
		else if (type_is(rels[i].type, "/styles") && x->styles_part == NULL)
			x->styles_part = resolve(x->workbook_part, rels[i].target);
	}
	if ((rd = part_open(x, x->workbook_part, XLSX_MAX_META, &p)) == NULL) {
		free_rels(rels, nrels);
		return -1;
	}
	while ((rc = next_node(&p, rd)) == 1) {
		if (is_element(rd, "workbookPr")) {
			char *v = attr(rd, "date1904");
			x->date1904 = v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
			free(v);
			continue;
		}
		if (!is_element(rd, "sheet"))
			continue;
		xmlChar *id = xmlTextReaderGetAttributeNs(rd, (const xmlChar *)"id", (const xmlChar *)NS_REL_OFFICE);
		if (id == NULL)
			id = xmlTextReaderGetAttributeNs(rd, (const xmlChar *)"id", (const xmlChar *)NS_REL_STRICT);
		const char *target = NULL;
		for (int i = 0; id != NULL && i < nrels; i++)
			if (rels[i].id != NULL && strcmp(rels[i].id, (const char *)id) == 0 &&
			    type_is(rels[i].type, "/worksheet"))
				target = rels[i].target;
		xmlFree(id);
		if (target == NULL)
			continue; /* a chart sheet, a dialog sheet: no cells */
		char *part = resolve(x->workbook_part, target);
		if (part == NULL) {
			diag(DIAG_XLSX_ENTRY_NAME, x->path, 0, 0, target);
			status = -1;
			continue;
		}
		if (x->nsheets == MAX_SHEETS) {
			free(part);
			continue;
		}
		x->sheets = xrealloc(x->sheets, (size_t)(x->nsheets + 1) * sizeof *x->sheets);
		struct sheet *s = &x->sheets[x->nsheets++];
		s->name = attr(rd, "name");
		if (s->name == NULL)
			s->name = xasprintf("%d", x->nsheets);
		s->part = part;
		char *state = attr(rd, "state");
		s->hidden = state != NULL && strcmp(state, "visible") != 0;
		free(state);
		s->context = xstrdup(s->name);
	}
	if (part_end(&p, rd, rc) != 0)
		status = -1;
	free_rels(rels, nrels);
	return status;
}

/* ---- Shared strings and number formats ------------------------------------------ */

static int
read_strings(struct xlsx *x)
{
	struct part p;
	xmlTextReaderPtr rd;
	int rc, in_si = 0, in_t = 0, phonetic = 0;
	size_t start = 0;

	if (x->strings_part == NULL || zip_name_locate(x->zip, x->strings_part, 0) < 0)
		return 0;
	if ((rd = part_open(x, x->strings_part, XLSX_MAX_META, &p)) == NULL)
		return -1;
	buf_puts(&x->strings, "");
	while ((rc = next_node(&p, rd)) == 1) {
		int type = xmlTextReaderNodeType(rd);
		if (type == XML_READER_TYPE_ELEMENT) {
			const char *name = (const char *)xmlTextReaderConstLocalName(rd);
			int empty = xmlTextReaderIsEmptyElement(rd);
			if (strcmp(name, "si") == 0) {
				if (x->nstrings == XLSX_MAX_STRINGS) {
					diag(DIAG_XLSX_STRINGS, x->path, 0, 0, XLSX_MAX_STRINGS);
					rc = -2;
					break;
				}
				start = x->strings.len;
				in_si = 1;
				if (empty)
					goto end_si;
			} else if (strcmp(name, "rPh") == 0 && !empty)
				phonetic = 1; /* the reading of Japanese text: not shown */
			else if (strcmp(name, "t") == 0 && !empty)
				in_t = in_si && !phonetic;
			continue;
		}
		if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
		    type == XML_READER_TYPE_CDATA) {
			if (in_t) {
				const char *v = (const char *)xmlTextReaderConstValue(rd);
				size_t n = v ? strlen(v) : 0;
				if (x->strings.len - start + n > MAX_CELL_TEXT) {
					diag(DIAG_XLSX_CELL_LONG, x->path, 0, 0, MAX_CELL_TEXT);
					rc = -2;
					break;
				}
				buf_add(&x->strings, v, n);
			}
			continue;
		}
		if (type != XML_READER_TYPE_END_ELEMENT)
			continue;
		const char *name = (const char *)xmlTextReaderConstLocalName(rd);
		if (strcmp(name, "t") == 0)
			in_t = 0;
		else if (strcmp(name, "rPh") == 0)
			phonetic = 0;
		else if (strcmp(name, "si") == 0) {
end_si:
			buf_putc(&x->strings, '\0');
			x->off = xgrow(x->off, x->nstrings, &x->cap_strings, 1024, sizeof *x->off);
			x->off[x->nstrings++] = start;
			in_si = 0;
		}
	}
	return part_end(&p, rd, rc) != 0 || rc == -2 ? -1 : 0;
}

static int
read_styles(struct xlsx *x)
{
	struct part p;
	xmlTextReaderPtr rd;
	int rc, in_xfs = 0;
	size_t cap = 0;

	if (x->styles_part == NULL || zip_name_locate(x->zip, x->styles_part, 0) < 0)
		return 0;
	if ((rd = part_open(x, x->styles_part, XLSX_MAX_META, &p)) == NULL)
		return -1;
	while ((rc = next_node(&p, rd)) == 1) {
		if (is_element(rd, "numFmt") && x->nformats < MAX_STYLES) {
			char *id = attr(rd, "numFmtId"), *code = attr(rd, "formatCode");
			if (id != NULL && code != NULL) {
				x->formats = xrealloc(x->formats, (x->nformats + 1) * sizeof *x->formats);
				x->formats[x->nformats].id = atoi(id);
				x->formats[x->nformats++].code = code;
				code = NULL;
			}
			free(id);
			free(code);
		} else if (is_element(rd, "cellXfs"))
			in_xfs = !xmlTextReaderIsEmptyElement(rd);
		else if (is_end(rd, "cellXfs"))
			in_xfs = 0;
		else if (in_xfs && is_element(rd, "xf") && x->nxf < MAX_STYLES) {
			char *id = attr(rd, "numFmtId");
			x->xf_format = xgrow(x->xf_format, x->nxf, &cap, 64, sizeof *x->xf_format);
			x->xf_format[x->nxf++] = id ? atoi(id) : 0;
			free(id);
		}
	}
	return part_end(&p, rd, rc);
}

/* ---- Opening ------------------------------------------------------------------------- */

int
xlsx_is_zip(const char *data, size_t len)
{
	return len >= 4 && memcmp(data, "PK\003\004", 4) == 0;
}

int
xlsx_is_ole2(const char *data, size_t len)
{
	return len >= 8 && memcmp(data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0;
}

/* Every entry's name must stay inside the archive: no "..", no leading
 * '/', no backslash, no drive letter.  We never write them out, but a
 * workbook that has such a name was not made by a spreadsheet program. */
static int
check_entries(struct xlsx *x)
{
	zip_int64_t n = zip_get_num_entries(x->zip, 0);

	for (zip_int64_t i = 0; i < n; i++) {
		const char *name = zip_get_name(x->zip, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
		if (name == NULL)
			continue;
		int bad = name[0] == '/' || strchr(name, '\\') != NULL || strchr(name, ':') != NULL ||
		    strcmp(name, "..") == 0 || strncmp(name, "../", 3) == 0 || strstr(name, "/../") != NULL ||
		    (strlen(name) >= 3 && strcmp(name + strlen(name) - 3, "/..") == 0);
		if (bad) {
			diag(DIAG_XLSX_ENTRY_NAME, x->path, 0, 0, name);
			return -1;
		}
	}
	return 0;
}

struct xlsx *
xlsx_open(const char *path, const char *data, size_t len)
{
	struct xlsx *x = xcalloc(1, sizeof *x);
	zip_error_t err;

	xml_harden();
	x->path = path;
	zip_error_init(&err);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &err);
	if (src != NULL && (x->zip = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err)) == NULL)
		zip_source_free(src);
	if (x->zip == NULL) {
		diag(DIAG_XLSX_ZIP, path, 0, 0, zip_error_strerror(&err));
		zip_error_fini(&err);
		xlsx_close(x);
		return NULL;
	}
	zip_error_fini(&err);
	if (check_entries(x) != 0 || find_workbook(x) != 0 || read_workbook(x) != 0 ||
	    read_styles(x) != 0 || read_strings(x) != 0) {
		xlsx_close(x);
		return NULL;
	}
	return x;
}

void
xlsx_close(struct xlsx *x)
{
	if (x == NULL)
		return;
	if (x->zip != NULL)
		zip_discard(x->zip);
	for (int i = 0; i < x->nsheets; i++) {
		free(x->sheets[i].name);
		free(x->sheets[i].part);
		free(x->sheets[i].context);
	}
	free(x->sheets);
	for (size_t i = 0; i < x->nformats; i++)
		free(x->formats[i].code);
	free(x->formats);
	free(x->xf_format);
	free(x->workbook_part);
	free(x->strings_part);
	free(x->styles_part);
	buf_free(&x->strings);
	free(x->off);
	free(x);
}

int
xlsx_sheets(const struct xlsx *x)
{
	return x->nsheets;
}

const char *
xlsx_sheet_name(const struct xlsx *x, int sheet)
{
	return x->sheets[sheet].name;
}

int
xlsx_sheet_hidden(const struct xlsx *x, int sheet)
{
	return x->sheets[sheet].hidden;
}

const char *
xlsx_sheet_context(const struct xlsx *x, int sheet)
{
	return x->sheets[sheet].context;
}

/* ---- Numbers as Excel shows them ---------------------------------------------------- */

/* The built-in formats a Chinese Excel shows (ids not listed: General). */
static const char *
builtin_format(int id)
{
	switch (id) {
	case 1: return "0";
	case 2: return "0.00";
	case 3: return "#,##0";
	case 4: return "#,##0.00";
	case 9: return "0%";
	case 10: return "0.00%";
	case 11: return "0.00E+00";
	case 14: case 15: case 30: return "yyyy/m/d";
	case 16: case 28: case 29: case 51: case 53: case 54: case 58: return "m\"月\"d\"日\"";
	case 17: case 27: case 36: case 50: case 52: case 57: return "yyyy\"年\"m\"月\"";
	case 18: case 20: return "h:mm";
	case 19: case 21: return "h:mm:ss";
	case 22: return "yyyy/m/d h:mm";
	case 31: return "yyyy\"年\"m\"月\"d\"日\"";
	case 32: return "h\"时\"mm\"分\"";
	case 33: return "h\"时\"mm\"分\"ss\"秒\"";
	case 37: case 38: return "#,##0";
	case 39: case 40: return "#,##0.00";
	case 45: return "mm:ss";
	case 46: return "h:mm:ss";
	case 48: return "0.0E+00";
	default: return NULL;
	}
}

/* Excel's "General": up to 11 characters, scientific beyond. */
/* Whole number V (|V| < 1e15) in digits, without printf (the common cell). */
static void
show_integer(double v, int group, struct buf *out)
{
	char s[32], *p = s + sizeof s;
	long long n = llround(fabs(v));
	int digits = 0;

	*--p = '\0';
	do {
		if (group && digits > 0 && digits % 3 == 0)
			*--p = ',';
		*--p = (char)('0' + n % 10);
		n /= 10;
		digits++;
	} while (n > 0);
	if (v < 0 && llround(fabs(v)) != 0)
		*--p = '-';
	buf_puts(out, p);
}

static void
show_general(double v, struct buf *out)
{
	char s[64];
	double a = fabs(v);

	if (v == floor(v) && a < 1e11) {
		show_integer(v, 0, out);
		return;
	}
	if (a >= 1e11 || (a < 1e-9 && a > 0)) {
		/* 9.13206E+17: six significant digits, trailing zeros dropped */
		snprintf(s, sizeof s, "%.5E", v);
		char *e = strchr(s, 'E'), *m = e;
		while (m > s && m[-1] == '0')
			m--;
		if (m > s && m[-1] == '.')
			m--;
		memmove(m, e, strlen(e) + 1);
		buf_puts(out, s);
		return;
	}
	int digits = a >= 1 ? (int)floor(log10(a)) + 1 : 1;
	snprintf(s, sizeof s, "%.*f", 10 - digits > 0 ? 10 - digits : 0, v);
	if (strchr(s, '.') != NULL) {
		size_t n = strlen(s);
		while (n > 0 && s[n - 1] == '0')
			s[--n] = '\0';
		if (n > 0 && s[n - 1] == '.')
			s[--n] = '\0';
	}
	buf_puts(out, strcmp(s, "-0") == 0 ? "0" : s);
}

/* Y-M-D h:m:s of serial date V (1900 or 1904 date system). */
static void
serial_date(double v, int date1904, int tm[6])
{
	long long secs = llround(v * 86400.0);
	long long days = secs / 86400, rem = secs % 86400;

	/* days from 1970-01-01: the 1900 system counts from 1899-12-30 (its
	 * 29 February 1900 that never was is before every date we read) */
	days += date1904 ? -24107 : -25569;
	long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	tm[2] = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm[1] = (int)(mp < 10 ? mp + 3 : mp - 9);
	tm[0] = (int)((long long)yoe + era * 400 + (tm[1] <= 2));
	tm[3] = (int)(rem / 3600);
	tm[4] = (int)(rem / 60 % 60);
	tm[5] = (int)(rem % 60);
}

/* Renders the date format CODE (one section, brackets removed) for V. */
static void
show_date(const char *code, double v, int date1904, struct buf *out)
{
	int tm[6], after_h = 0, ampm = strstr(code, "AM/PM") != NULL || strstr(code, "上午/下午") != NULL;

	serial_date(v, date1904, tm);
	for (const char *p = code; *p;) {
		char c = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		size_t run = 1;
		while (p[run] != '\0' && (p[run] == *p || p[run] == c || p[run] == c - 32))
			run++;
		if (*p == '"') {
			const char *q = strchr(p + 1, '"');
			size_t n = q ? (size_t)(q - p - 1) : strlen(p + 1);
			buf_add(out, p + 1, n);
			p += n + (q ? 2 : 1);
			continue;
		}
		if (*p == '\\' && p[1] != '\0') {
			buf_putc(out, p[1]);
			p += 2;
			continue;
		}
		if (strncmp(p, "AM/PM", 5) == 0) {
			buf_puts(out, tm[3] < 12 ? "AM" : "PM");
			p += 5;
			continue;
		}
		if (strncmp(p, "上午/下午", strlen("上午/下午")) == 0) {
			buf_puts(out, tm[3] < 12 ? "上午" : "下午");
			p += strlen("上午/下午");
			continue;
		}
		switch (c) {
		case 'y':
			buf_printf(out, run >= 3 ? "%04d" : "%02d", run >= 3 ? tm[0] : tm[0] % 100);
			break;
		case 'm': {
			/* minutes right after hours or before seconds */
			const char *q = p + run;
			while (*q == ':' || *q == ' ')
				q++;
			int minutes = after_h || *q == 's' || *q == 'S';
			buf_printf(out, run >= 2 ? "%02d" : "%d", minutes ? tm[4] : tm[1]);
			after_h = 0;
			break;
		}
		case 'd':
			buf_printf(out, run >= 2 ? "%02d" : "%d", tm[2]);
			break;
		case 'h': {
			int h = ampm ? (tm[3] % 12 ? tm[3] % 12 : 12) : tm[3];
			buf_printf(out, run >= 2 ? "%02d" : "%d", h);
			after_h = 1;
			break;
		}
		case 's':
			buf_printf(out, run >= 2 ? "%02d" : "%d", tm[5]);
			break;
		default:
			buf_add(out, p, run);
			break;
		}
		p += run;
	}
}

/* Renders the number format CODE (one section) for V. */
static void
show_number(const char *code, double v, struct buf *out)
{
	struct buf pre = {0}, post = {0};
	int decimals = 0, group = 0, percent = 0, sci = 0, zeros = 0, seen = 0, point = 0;

	buf_puts(&pre, "");
	buf_puts(&post, "");
	for (const char *p = code; *p;) {
		if (*p == '"') {
			const char *q = strchr(p + 1, '"');
			size_t n = q ? (size_t)(q - p - 1) : strlen(p + 1);
			buf_add(seen ? &post : &pre, p + 1, n);
			p += n + (q ? 2 : 1);
		} else if (*p == '\\' && p[1]) {
			buf_putc(seen ? &post : &pre, p[1]);
			p += 2;
		} else if (*p == '0' || *p == '#' || *p == '?') {
			seen = 1;
			if (point)
				decimals++;
			else if (*p == '0')
				zeros++;
			p++;
		} else if (*p == '.' && !sci) {
			point = 1;
			p++;
		} else if (*p == ',') {
			group |= seen && !point;
			p++;
		} else if ((*p == 'E' || *p == 'e') && (p[1] == '+' || p[1] == '-')) {
			sci = 1;
			p += 2;
			while (*p == '0' || *p == '#')
				p++;
		} else if (*p == '%') {
			percent = 1;
			buf_putc(seen ? &post : &pre, '%');
			p++;
		} else if (*p == '_' || *p == '*') {
			p += p[1] ? 2 : 1; /* padding: nothing shown */
		} else {
			int adv;
			if (utf8_decode((const unsigned char *)p, strlen(p), &adv) < 0)
				adv = 1;
			buf_add(seen ? &post : &pre, p, (size_t)adv);
			p += adv;
		}
	}
	if (percent)
		v *= 100;
	buf_puts(out, pre.data);
	if (sci) {
		char s[64], *e;
		snprintf(s, sizeof s, "%.*E", decimals, v);
		e = strchr(s, 'E');
		/* Excel writes the exponent with two digits at least */
		if (e != NULL && (e[1] == '+' || e[1] == '-') && e[2] == '0' && e[3] != '\0' && e[4] != '\0')
			memmove(e + 2, e + 3, strlen(e + 3) + 1);
		buf_puts(out, s);
	} else {
		char s[64];
		snprintf(s, sizeof s, "%.*f", decimals, v);
		char *dot = strchr(s, '.');
		size_t intlen = dot ? (size_t)(dot - s) : strlen(s);
		const char *digits = s;
		if (*digits == '-') {
			buf_putc(out, '-');
			digits++;
			intlen--;
		}
		if (intlen == 1 && digits[0] == '0' && zeros == 0 && (dot || decimals == 0)) {
			/* "#" shows no lone zero, but 0 itself must show */
			if (decimals == 0)
				buf_putc(out, '0');
		} else
			for (size_t i = 0; i < intlen; i++) {
				buf_putc(out, digits[i]);
				if (group && (intlen - i - 1) % 3 == 0 && i + 1 < intlen)
					buf_putc(out, ',');
			}
		if (dot)
			buf_puts(out, dot);
	}
	buf_puts(out, post.data);
	buf_free(&pre);
	buf_free(&post);
}

/* Appends to OUT the text Excel shows for number V in cell format STYLE. */
static void
show_cell_number(const struct xlsx *x, double v, long style, struct buf *out)
{
	int id = style >= 0 && (size_t)style < x->nxf ? x->xf_format[style] : 0;
	const char *code = builtin_format(id);

	/* Beyond 15 digits Excel keeps no exact digits: whatever the format,
	 * such a number is shown the way General shows it, so that a credit
	 * code stored as a number is told apart (its digits are lost). */
	if (fabs(v) >= 1e15 || !isfinite(v)) {
		show_general(v, out);
		return;
	}
	for (size_t i = 0; code == NULL && i < x->nformats; i++)
		if (x->formats[i].id == id)
			code = x->formats[i].code;
	if (code == NULL || strcasecmp(code, "General") == 0 || strcmp(code, "@") == 0) {
		show_general(v, out);
		return;
	}
	/* the first section (the second for negatives, when there is one),
	 * without [colour] and [$-804] brackets */
	char section[256];
	size_t k = 0;
	int which = v < 0 && strchr(code, ';') != NULL, quoted = 0;
	for (const char *p = code; *p && k + 1 < sizeof section; p++) {
		if (*p == '"')
			quoted = !quoted;
		if (!quoted && *p == ';') {
			if (which-- <= 0)
				break;
			k = 0;
			continue;
		}
		if (!quoted && *p == '[') {
			const char *q = strchr(p, ']');
			if (q == NULL)
				break;
			p = q;
			continue;
		}
		section[k++] = *p;
	}
	section[k] = '\0';
	if (v < 0 && strchr(code, ';') != NULL)
		v = -v;
	int date = 0;
	quoted = 0;
	for (const char *p = section; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '\\' && p[1])
			p++;
		else if (!quoted && strchr("yYdDhHsS", *p))
			date = 1;
		else if (!quoted && (*p == 'm' || *p == 'M') && strchr(section, '0') == NULL)
			date = 1;
	}
	if (date)
		show_date(section, v, x->date1904, out);
	else if (strchr(section, '0') == NULL && strchr(section, '#') == NULL)
		show_general(v, out);
	else
		show_number(section, v, out);
}

/* ---- Worksheets ---------------------------------------------------------------------- */

/* Column number of the letters at the start of REF ("C7": 3), row in *ROW;
 * 0 when REF is not a cell reference. */
static long
cell_ref(const char *ref, long *row)
{
	long col = 0;
	const char *p = ref;

	for (; *p >= 'A' && *p <= 'Z'; p++) {
		col = col * 26 + (*p - 'A' + 1);
		if (col > XLSX_MAX_COLS)
			return 0;
	}
	if (p == ref)
		return 0;
	char *end;
	*row = strtol(p, &end, 10);
	if (*end != '\0' || end == p)
		*row = 0;
	return col;
}

/*
 * A worksheet is read with libxml2's SAX2 push parser rather than the
 * xmlReader of the other parts: a sheet is where the volume is (a city's
 * participation is 165 000 rows, a million elements), and the reader builds
 * and frees a node for every element and text, which made the sheet four
 * times slower than the same rows as CSV.  The same hardening holds: no
 * network, no entity substitution, a DOCTYPE stops the parser, an entity
 * reference other than the five predefined ones is refused, and the part is
 * fed in chunks under the same size limit.
 */
struct sax {
	struct xlsx *x;
	struct part *p;
	xlsx_cell_fn cell;
	xlsx_row_end_fn row_end;
	void *arg;
	xmlParserCtxtPtr ctxt;
	const xmlChar *n_row, *n_c, *n_v, *n_t, *n_is, *n_rph, *n_r, *n_s;
	long row, col, style, last_row;
	int in_cell, in_value, in_is, phonetic, had_value, row_cells;
	char type[8];
	struct buf value, shown;
	int status; /* 0, 1: a callback stopped, -1: an error reported */
};

static void
sax_stop(struct sax *h, int status)
{
	if (h->status == 0)
		h->status = status;
	xmlStopParser(h->ctxt);
}

/* Copies the value of attribute A (SAX2's five pointers) into OUT. */
static void
attr_value(const xmlChar **a, char *out, size_t size)
{
	size_t n = (size_t)(a[4] - a[3]);
	if (n >= size)
		n = size - 1;
	memcpy(out, a[3], n);
	out[n] = '\0';
}

static void
sax_start(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri,
    int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
    const xmlChar **attributes)
{
	struct sax *h = ctx;
	char v[32];

	(void)prefix, (void)uri, (void)nb_namespaces, (void)namespaces, (void)nb_defaulted;
	if (h->status != 0)
		return;
	if (name == h->n_row) {
		long n = h->last_row + 1;
		for (int i = 0; i < nb_attributes; i++)
			if (attributes[5 * i] == h->n_r) {
				attr_value(attributes + 5 * i, v, sizeof v);
				n = strtol(v, NULL, 10);
			}
		if (n <= h->last_row || n > XLSX_MAX_ROWS) {
			diag(DIAG_XLSX_ROW, h->x->path, n > h->last_row ? n : h->last_row, 1, n,
			    (long)XLSX_MAX_ROWS);
			sax_stop(h, -1);
			return;
		}
		h->row = h->last_row = n;
		h->col = 0;
		h->row_cells = 0;
	} else if (name == h->n_c) {
		char ref[32] = "";
		long c = h->col + 1, ref_row = h->row;
		snprintf(h->type, sizeof h->type, "n");
		h->style = 0;
		for (int i = 0; i < nb_attributes; i++) {
			const xmlChar *a = attributes[5 * i];
			if (a == h->n_r) {
				attr_value(attributes + 5 * i, ref, sizeof ref);
				c = cell_ref(ref, &ref_row);
			} else if (a == h->n_t)
				attr_value(attributes + 5 * i, h->type, sizeof h->type);
			else if (a == h->n_s) {
				attr_value(attributes + 5 * i, v, sizeof v);
				h->style = strtol(v, NULL, 10);
			}
		}
		if (c <= h->col || ref_row != h->row || h->row == 0) {
			diag(DIAG_XLSX_CELL_REF, h->x->path, h->row, h->col + 1, ref[0] ? ref : "?");
			sax_stop(h, -1);
			return;
		}
		h->col = c;
		buf_reset(&h->value);
		buf_puts(&h->value, "");
		h->had_value = 0;
		h->in_cell = 1;
	} else if (h->in_cell && name == h->n_v && !h->in_is)
		h->in_value = 1;
	else if (h->in_cell && name == h->n_is)
		h->in_is = 1;
	else if (h->in_is && name == h->n_t)
		h->in_value = 1;
	else if (h->in_is && name == h->n_rph)
		h->phonetic = 1;
}

static void
sax_chars(void *ctx, const xmlChar *ch, int len)
{
	struct sax *h = ctx;

	if (h->status != 0 || !h->in_value || h->phonetic)
		return;
	if (h->value.len + (size_t)len > MAX_CELL_TEXT) {
		diag(DIAG_XLSX_CELL_LONG, h->x->path, h->row, h->col, MAX_CELL_TEXT);
		sax_stop(h, -1);
		return;
	}
	buf_add(&h->value, ch, (size_t)len);
	h->had_value = 1;
}

/* The cell that just ended, as Excel shows it, to the callback. */
static void
cell_end(struct sax *h)
{
	const char *text = h->value.data;
	struct xlsx *x = h->x;

	h->in_cell = 0;
	if (!h->had_value)
		return;
	if (strcmp(h->type, "s") == 0) {
		char *end;
		unsigned long i = strtoul(h->value.data, &end, 10);
		if (*end != '\0' || end == h->value.data || i >= x->nstrings) {
			diag(DIAG_XLSX_STRING_INDEX, x->path, h->row, h->col, h->value.data);
			sax_stop(h, -1);
			return;
		}
		text = x->strings.data + x->off[i];
	} else if (strcmp(h->type, "b") == 0)
		text = strcmp(h->value.data, "1") == 0 ? "TRUE" : "FALSE";
	else if (strcmp(h->type, "n") == 0) {
		char *end;
		double d = strtod(h->value.data, &end);
		if (end == h->value.data || *end != '\0') {
			diag(DIAG_XLSX_NUMBER, x->path, h->row, h->col, h->value.data);
			sax_stop(h, -1);
			return;
		}
		buf_reset(&h->shown);
		show_cell_number(x, d, h->style, &h->shown);
		text = h->shown.data;
	}
	/* "str", "inlineStr", "e" and "d" are shown as they are */
	if (text[0] == '\0')
		return;
	h->row_cells++;
	if (h->cell(h->arg, h->row, h->col, text, strlen(text)) != 0)
		sax_stop(h, 1);
}

static void
sax_end(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri)
{
	struct sax *h = ctx;

	(void)prefix, (void)uri;
	if (h->status != 0)
		return;
	if (name == h->n_v || name == h->n_t)
		h->in_value = 0;
	else if (name == h->n_rph)
		h->phonetic = 0;
	else if (name == h->n_is)
		h->in_is = 0;
	else if (name == h->n_c && h->in_cell)
		cell_end(h);
	else if (name == h->n_row && h->row_cells > 0 && h->row_end != NULL &&
	    h->row_end(h->arg, h->row) != 0)
		sax_stop(h, 1);
}

/* "<!DOCTYPE ...": refused before any of its declarations is read. */
static void
sax_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id)
{
	struct sax *h = ctx;

	(void)name, (void)external_id, (void)system_id;
	if (h->status == 0)
		diag(DIAG_XLSX_DOCTYPE, h->x->path, 0, 0, h->p->name);
	sax_stop(h, -1);
}

/* An entity other than the five of XML (which never get here). */
static xmlEntityPtr
sax_entity(void *ctx, const xmlChar *name)
{
	(void)name;
	sax_doctype(ctx, NULL, NULL, NULL);
	return NULL;
}

static void
sax_error(void *ctx, xmlErrorPtr e)
{
	struct sax *h = ctx;
	part_error(h->p, e);
}

int
xlsx_sheet_cells(struct xlsx *x, int sheet, xlsx_cell_fn cell, xlsx_row_end_fn row_end, void *arg)
{
	struct sheet *s = &x->sheets[sheet];
	struct part p;
	struct sax h = {.x = x, .p = &p, .cell = cell, .row_end = row_end, .arg = arg};
	xmlSAXHandler sax;
	zip_stat_t st;
	zip_int64_t index = zip_name_locate(x->zip, s->part, 0);

	diag_set_context(s->context);
	memset(&p, 0, sizeof p);
	p.x = x;
	p.name = s->part;
	p.limit = XLSX_MAX_PART;
	/* the same checks as part_open, then SAX */
	if (index < 0 || zip_stat_index(x->zip, (zip_uint64_t)index, 0, &st) != 0) {
		diag(DIAG_XLSX_PART_MISSING, x->path, 0, 0, s->part);
		diag_set_context(NULL);
		return -1;
	}
	if (((st.valid & ZIP_STAT_SIZE) && (long long)st.size > p.limit) ||
	    ((st.valid & ZIP_STAT_SIZE) && (st.valid & ZIP_STAT_COMP_SIZE) && (long long)st.size > RATIO_FREE &&
	    (long long)st.size / XLSX_MAX_RATIO > (long long)st.comp_size)) {
		if ((long long)st.size > p.limit)
			diag(DIAG_XLSX_TOO_BIG, x->path, 0, 0, s->part, (long long)st.size, p.limit);
		else
			diag(DIAG_XLSX_RATIO, x->path, 0, 0, s->part, (long long)st.size, (long long)st.comp_size);
		diag_set_context(NULL);
		return -1;
	}
	if ((p.file = zip_fopen_index(x->zip, (zip_uint64_t)index, 0)) == NULL) {
		diag(DIAG_XLSX_ZIP, x->path, 0, 0, zip_strerror(x->zip));
		diag_set_context(NULL);
		return -1;
	}
	/* only these handlers: no tree is built, a PI or comment is ignored */
	memset(&sax, 0, sizeof sax);
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax_start;
	sax.endElementNs = sax_end;
	sax.characters = sax_chars;
	sax.ignorableWhitespace = sax_chars;
	sax.cdataBlock = sax_chars;
	sax.internalSubset = sax_doctype;
	sax.getEntity = sax_entity;
	sax.serror = sax_error;
	h.ctxt = xmlCreatePushParserCtxt(&sax, &h, NULL, 0, s->part);
	if (h.ctxt == NULL) {
		fputs("jingsai: fatal: out of memory\n", stderr);
		abort();
	}
	xmlCtxtUseOptions(h.ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA);
	h.n_row = xmlDictLookup(h.ctxt->dict, (const xmlChar *)"row", -1);
	h.n_c = xmlDictLookup(h.ctxt->dict, (const xmlChar *)"c", -1);
	h.n_v = xmlDictLookup(h.ctxt->dict, (const xmlChar *)"v", -1);
	h.n_t = xmlDictLookup(h.ctxt->dict, (const xmlChar *)"t", -1);
	h.n_is = xmlDictLookup(h.ctxt->dict, (const xmlChar *)"is", -1);
	h.n_rph = xmlDictLookup(h.ctxt->dict, (const xmlChar *)"rPh", -1);
	h.n_r = xmlDictLookup(h.ctxt->dict, (const xmlChar *)"r", -1);
	h.n_s = xmlDictLookup(h.ctxt->dict, (const xmlChar *)"s", -1);
	buf_puts(&h.value, "");

	char *chunk = xmalloc(1 << 16);
	int failed = 0;
	for (;;) {
		int n = part_read(&p, chunk, 1 << 16);
		if (n < 0) {
			failed = 1;
			break;
		}
		xmlParseChunk(h.ctxt, chunk, n, n == 0);
		if (h.status != 0 || n == 0 || !h.ctxt->wellFormed)
			break;
	}
	free(chunk);
	int status = h.status;
	if (status == 0 && (failed || !h.ctxt->wellFormed)) {
		if (p.too_big)
			diag(DIAG_XLSX_TOO_BIG, x->path, 0, 0, s->part, p.read, p.limit);
		else if (p.error[0])
			diag(DIAG_XLSX_XML, x->path, 0, 0, s->part, p.error);
		else
			diag(DIAG_XLSX_UNREADABLE, x->path, 0, 0, s->part);
		status = -1;
	}
	xmlFreeParserCtxt(h.ctxt);
	zip_fclose(p.file);
	buf_free(&h.value);
	buf_free(&h.shown);
	diag_set_context(NULL);
	return status;
}

/* ---- Sheets of a CSV kind -------------------------------------------------------------- */

struct sheet_job {
	struct csv_rows *rows;
	long next_col; /* the column the next field of the row is */
	/* sniffing */
	char *names[CSV_MAX_COLS];
	int n, seen_rows, kind;
};

static int
rows_cell(void *arg, long row, long col, const char *text, size_t len)
{
	struct sheet_job *j = arg;

	/* empty cells between: empty fields */
	while (j->next_col < col && j->next_col <= CSV_MAX_COLS + 1)
		csv_rows_field(j->rows, "", 0, row, j->next_col++);
	csv_rows_field(j->rows, text, len, row, col);
	j->next_col = col + 1;
	return csv_rows_stopped(j->rows) ? -1 : 0;
}

static int
rows_end(void *arg, long row)
{
	struct sheet_job *j = arg;

	(void)row;
	csv_rows_end_row(j->rows);
	j->next_col = 1;
	return csv_rows_stopped(j->rows) ? -1 : 0;
}

int
xlsx_sheet_read(struct xlsx *x, int sheet, csv_row_fn fn, void *arg, struct csv_info *info,
    int flags)
{
	struct sheet_job j = {.rows = csv_rows_new(x->path, fn, arg, flags, 1), .next_col = 1};
	struct csv_info local;

	int rc = xlsx_sheet_cells(x, sheet, rows_cell, rows_end, &j);
	if (rc < 0)
		csv_rows_fail(j.rows);
	diag_set_context(x->sheets[sheet].context);
	int status = csv_rows_finish(j.rows, 0, &local);
	diag_set_context(NULL);
	local.encoding = "xlsx";
	if (info != NULL)
		*info = local;
	return status;
}

static int
sniff_cell(void *arg, long row, long col, const char *text, size_t len)
{
	struct sheet_job *j = arg;

	(void)row;
	while (j->next_col < col && j->n < CSV_MAX_COLS) {
		j->names[j->n++] = xstrdup("");
		j->next_col++;
	}
	if (j->n < CSV_MAX_COLS)
		j->names[j->n++] = xstrndup(text, len);
	j->next_col = col + 1;
	return 0;
}

static int
sniff_end(void *arg, long row)
{
	struct sheet_job *j = arg;

	(void)row;
	j->kind = csv_header_match((const char *const *)j->names, j->n, NULL);
	for (int i = 0; i < j->n; i++)
		free(j->names[i]);
	j->n = 0;
	j->next_col = 1;
	return j->kind >= 0 || ++j->seen_rows >= 5 ? -1 : 0;
}

static void
discard(const struct diag_msg *m, void *arg)
{
	(void)m;
	(void)arg;
}

int
xlsx_sheet_kind(struct xlsx *x, int sheet)
{
	struct sheet_job j = {.next_col = 1, .kind = -1};
	diag_sink_fn old_fn;
	void *old_arg;

	/* quietly: reading the sheet for real reports what is wrong with it */
	diag_set_sink(discard, NULL, &old_fn, &old_arg);
	int rc = xlsx_sheet_cells(x, sheet, sniff_cell, sniff_end, &j);
	diag_set_sink(old_fn, old_arg, NULL, NULL);
	for (int i = 0; i < j.n; i++)
		free(j.names[i]);
	if (rc < 0)
		return -1;
	return j.kind < 0 && j.seen_rows == 0 ? -2 : j.kind;
}
