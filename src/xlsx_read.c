/* xlsx_read.c — Excel workbooks (.xlsx): libzip opens the archive (zlib
 * inflates its parts), libxml2's streaming xmlReader reads the workbook,
 * its relationships, the shared strings and the number formats, and its
 * SAX2 parser each worksheet, on threads of their own for a large one;
 * every cell comes out as the text Excel shows for it, and a worksheet of
 * a CSV kind goes through the same rows, habits and rules as a CSV file
 * (csv_rows.c). */
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libdeflate.h>
#include <libxml/xmlreader.h>
#include <zip.h>
#include <zlib.h>

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
	unsigned char *xf_plain; /* cell format -> number_shown_plain */
	size_t nxf;
	int plain0;             /* number_shown_plain of a cell format not listed */
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
	const char *damaged;   /* why the entry could not be unpacked, or NULL */
	/* A deflated entry read packed (file) and inflated here. */
	int packed, ended;
	z_stream z;
	unsigned char *in;     /* PACKED_CHUNK bytes */
	uint32_t crc, want_crc;
	unsigned long long want_size;
};

#define PACKED_CHUNK (64 << 10)

/*
 * Opens entry INDEX (its stat ST) for reading into P.  A deflated entry
 * is read packed and inflated here with zlib, its CRC checked with
 * libdeflate's crc32: libzip's own reading checks it with zlib's, four
 * times slower, and adds its layers: the city's 34 MB sheet unpacks in
 * 0.030 s of processor time this way, 0.040 s through libzip.  Any other
 * entry (stored, encrypted, another method) is read through libzip.
 * Returns 0, or -1 (libzip's error in the archive).
 */
static int
part_file_open(struct xlsx *x, zip_uint64_t index, const zip_stat_t *st, struct part *p)
{
	const zip_uint64_t need = ZIP_STAT_SIZE | ZIP_STAT_CRC | ZIP_STAT_COMP_METHOD |
	    ZIP_STAT_ENCRYPTION_METHOD;

	if ((st->valid & need) == need && st->comp_method == ZIP_CM_DEFLATE &&
	    st->encryption_method == ZIP_EM_NONE) {
		if ((p->file = zip_fopen_index(x->zip, index, ZIP_FL_COMPRESSED)) == NULL)
			return -1;
		if (inflateInit2(&p->z, -MAX_WBITS) != Z_OK) {
			fputs("jingsai: fatal: out of memory\n", stderr);
			abort();
		}
		p->packed = 1;
		p->in = xmalloc(PACKED_CHUNK);
		p->want_size = st->size;
		p->want_crc = st->crc;
		return 0;
	}
	p->file = zip_fopen_index(x->zip, index, 0);
	return p->file != NULL ? 0 : -1;
}

static void
part_file_close(struct part *p)
{
	if (p->packed)
		inflateEnd(&p->z);
	free(p->in);
	p->in = NULL;
	p->packed = 0;
	if (p->file != NULL)
		zip_fclose(p->file);
	p->file = NULL;
}

/* Notes why the entry cannot be unpacked (ZE: ZIP_ER_CRC or
 * ZIP_ER_COMPRESSED_DATA, in libzip's words; 0: libzip's own error) and
 * returns -1.  The text lives as long as the open entry. */
static zip_int64_t
part_damaged(struct part *p, int ze)
{
	if (ze == 0)
		p->damaged = zip_error_strerror(zip_file_get_error(p->file));
	else
		p->damaged = ze == ZIP_ER_CRC ? "CRC error" : "Compressed data invalid";
	return -1;
}

/* Up to LEN unpacked bytes of the entry into BUFFER: their number, 0 at
 * the end, -1 when the entry is damaged (it does not inflate, or not to
 * the size and CRC its directory entry says). */
static zip_int64_t
part_fread(struct part *p, char *buffer, size_t len)
{
	if (!p->packed) {
		zip_int64_t n = zip_fread(p->file, buffer, len);
		return n >= 0 ? n : part_damaged(p, 0);
	}
	if (p->ended)
		return 0;
	p->z.next_out = (unsigned char *)buffer;
	p->z.avail_out = (uInt)len;
	while (p->z.avail_out > 0 && !p->ended) {
		if (p->z.avail_in == 0) {
			zip_int64_t n = zip_fread(p->file, p->in, PACKED_CHUNK);
			if (n < 0)
				return part_damaged(p, 0);
			if (n == 0) /* the packed data ends before the stream does */
				return part_damaged(p, ZIP_ER_COMPRESSED_DATA);
			p->z.next_in = p->in;
			p->z.avail_in = (uInt)n;
		}
		int rc = inflate(&p->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			p->ended = 1;
		else if (rc != Z_OK)
			return part_damaged(p, ZIP_ER_COMPRESSED_DATA);
	}
	size_t n = len - p->z.avail_out;
	p->crc = (uint32_t)libdeflate_crc32(p->crc, buffer, n);
	if (p->z.total_out > p->want_size ||
	    (p->ended && (p->z.total_out != p->want_size || p->crc != p->want_crc)))
		return part_damaged(p, ZIP_ER_CRC);
	return (zip_int64_t)n;
}

static int
part_read(void *arg, char *buffer, int len)
{
	struct part *p = arg;
	zip_int64_t n = part_fread(p, buffer, (size_t)len);

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
	if (part_file_open(x, (zip_uint64_t)i, &st, p) != 0) {
		diag(DIAG_XLSX_ZIP, x->path, 0, 0, zip_strerror(x->zip));
		return NULL;
	}
	/* NONET; no entities substituted, no DTD loaded (FACTS.md) */
	xmlTextReaderPtr rd = xmlReaderForIO(part_read, part_close, p, name, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT);
	if (rd == NULL) {
		part_file_close(p);
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
	} else if (rc == -1 && p->damaged != NULL) {
		char *why = xasprintf("%s: %s", p->name, p->damaged);
		diag(DIAG_XLSX_ZIP, p->x->path, 0, 0, why);
		free(why);
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
	part_file_close(p);
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

static void plain_formats(struct xlsx *x);

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
	plain_formats(x);
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
	free(x->xf_plain);
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

/* Renders the number format CODE (one section) for V.  Its literal text
 * (a unit, "0\"人\"", "#,##0\"人次\"", "0.0\"分\"") is left out: it is
 * the cell's dress, not its value, and the clerk typed the number alone;
 * shown, it would make a count "1200人" that the rules refuse. */
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
			p += n + (q ? 2 : 1);
		} else if (*p == '\\' && p[1]) {
			int adv;
			if (utf8_decode((const unsigned char *)p + 1, strlen(p + 1), &adv) < 0)
				adv = 1;
			p += 1 + adv;
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
			if (adv == 1 && *p != ' ')   /* a unit written bare (0人) is literal text too */
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
	/* The system's long date and time (what Excel's 长日期 and 时间 write,
	 * "[$-F800]dddd, mmmm dd, yyyy"): as a Chinese Windows shows them. */
	if (strstr(code, "[$-F800]") != NULL || strstr(code, "[$-f800]") != NULL)
		code = "yyyy\"年\"m\"月\"d\"日\"";
	else if (strstr(code, "[$-F400]") != NULL || strstr(code, "[$-f400]") != NULL)
		code = "h:mm:ss";
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

/* 1 when the number format ID shows a whole number below 10^11 as its
 * digits, as a worksheet writes it: General, text (@) and "0" do. */
static int
format_plain(const struct xlsx *x, int id)
{
	const char *code = builtin_format(id);

	for (size_t i = 0; code == NULL && i < x->nformats; i++)
		if (x->formats[i].id == id)
			code = x->formats[i].code;
	return code == NULL || strcasecmp(code, "General") == 0 || strcmp(code, "@") == 0 ||
	    strcmp(code, "0") == 0;
}

/* format_plain of every cell format, once, so that a cell need not look
 * its number format up. */
static void
plain_formats(struct xlsx *x)
{
	x->xf_plain = xmalloc(x->nxf + 1);
	for (size_t i = 0; i < x->nxf; i++)
		x->xf_plain[i] = (unsigned char)format_plain(x, x->xf_format[i]);
	x->plain0 = format_plain(x, 0);
}

static int
number_shown_plain(const struct xlsx *x, long style)
{
	return style >= 0 && (size_t)style < x->nxf ? x->xf_plain[style] : x->plain0;
}

/* ---- Worksheets ---------------------------------------------------------------------- */

/*
 * A worksheet is where the volume is (a city's participation is 165 000
 * rows, two million elements), so it is not read with the xmlReader of the
 * other parts, which builds and frees a node for every element and text:
 * libxml2's SAX2 parser pulls the part through part_read and calls the
 * handlers below, which keep no tree and allocate nothing per cell (names
 * are compared as libxml2's interned pointers, attributes are read where
 * the parser has them, a whole number in a General cell is shown as it is
 * written).  The pull parser (xmlParseDocument over a read callback) does
 * less work than the push parser on the same bytes, which looks ahead for
 * the end of every tag: 2.44 against 2.75 billion instructions for the
 * city's 34 MB sheet.
 *
 * The same hardening as for every part holds: no network, no entity
 * substitution, a DOCTYPE stops the parser before its declarations are
 * read, an entity reference other than the five predefined ones is
 * refused, and the part is read under the same size limit.
 *
 * libexpat, the other Debian library made for streaming XML, was measured
 * on the same bytes with handlers that do nothing: it is slower than
 * libxml2 (3.8 against 2.4 billion instructions, 0.24 against 0.14 s), so
 * libxml2 stays.
 *
 * The cells the handlers find are written, as records, into batches of
 * BATCH_BYTES; the caller's callbacks read the batches.  A large sheet is
 * parsed by a thread of its own while the callbacks (csv_rows.c: the
 * rules, the store) read the batches already parsed on the calling thread:
 * two cores share the work, and at most PIPE_DEPTH batches wait, so memory
 * stays flat.  Every diagnostic is made on the calling thread, in order:
 * the parser stops at its first error and keeps it for the caller, who
 * reports it after the cells before it.
 */
#define BATCH_BYTES (64 << 10)
#define PIPE_DEPTH 4
/* Unpacked bytes from which a sheet gets its threads (the fuzz target
 * builds with 0, so that every sheet goes through them). */
#ifndef XLSX_THREAD_FROM
#define XLSX_THREAD_FROM (1LL << 20)
#endif
#define ROW_END UINT_MAX

/* A cell in a batch, followed by its text (LEN bytes and a NUL), padded
 * to the next record; LEN is ROW_END for the end of a row. */
struct rec {
	long row;
	int col;
	unsigned len;
};

struct batch {
	char *data;
	size_t len, cap;
	struct batch *next;
};

static size_t
rec_size(size_t len)
{
	return (sizeof(struct rec) + len + 1 + 7) & ~(size_t)7;
}

/* Called after the last row for each range of merged cells (A1 notation
 * in REF; first and last row and column from 1); 0 to go on. */
typedef int (*merge_fn)(void *arg, const char *ref, long row1, long col1, long row2, long col2);

/* Where the cells go: the caller's callbacks. */
struct cells_out {
	xlsx_cell_fn cell;
	xlsx_row_end_fn row_end;
	void *arg;
	merge_fn merge;   /* NULL: merged cells do not matter */
};

/* Hands the records of B to the callbacks; 1 when one of them said stop. */
static int
deliver(const struct cells_out *o, const struct batch *b)
{
	for (size_t at = 0; at < b->len;) {
		const struct rec *r = (const struct rec *)(const void *)(b->data + at);
		if (r->len == ROW_END) {
			if (o->row_end != NULL && o->row_end(o->arg, r->row) != 0)
				return 1;
			at += rec_size(0);
			continue;
		}
		if (o->cell(o->arg, r->row, r->col, (const char *)(r + 1), r->len) != 0)
			return 1;
		at += rec_size(r->len);
	}
	return 0;
}

/* The batches between the parsing thread and the caller's. */
struct pipe {
	pthread_mutex_t lock;
	pthread_cond_t filled, emptied;
	struct batch *head, *tail; /* parsed, not yet read */
	int queued;
	struct batch *spare;       /* read, to be filled again */
	int done;                  /* the parser has ended: no more batches */
	int stop;                  /* the callbacks want no more cells */
};

/* The first error the parser met, reported by the calling thread. */
struct sheet_err {
	int set;
	enum diag_code code;
	long line, col;
	char *text;                /* owned */
	long long a, b;
};

/* Starts FN(ARG) on a thread that takes none of the signals sent to the
 * process (an interrupt, a termination, a timer): they are the calling
 * thread's to handle.  A fault of the thread's own (SIGSEGV) stays its own,
 * so that a sanitizer reports it.  Returns pthread_create's value. */
static int
start_thread(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	static const int sent[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM, SIGCHLD, SIGUSR1, SIGUSR2};
	sigset_t block, old;

	sigemptyset(&block);
	for (size_t i = 0; i < sizeof sent / sizeof sent[0]; i++)
		sigaddset(&block, sent[i]);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	int rc = pthread_create(tid, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/*
 * A large sheet is also unpacked by a thread of its own, a few chunks ahead
 * of the parser (UNZIP_RING chunks of UNZIP_CHUNK bytes at most: memory
 * stays flat), so that inflating does not hold up parsing.
 */
#define UNZIP_CHUNK (64 << 10)
#define UNZIP_RING 4

struct unzip {
	struct part *p;        /* its read and too_big are the thread's until joined */
	pthread_mutex_t lock;
	pthread_cond_t filled, emptied;
	char *chunk[UNZIP_RING];
	size_t len[UNZIP_RING];
	int first, count;      /* chunks unpacked and not yet parsed, from FIRST on */
	size_t taken;          /* bytes of chunk FIRST already given to the parser */
	int end;               /* 1: the part ended; -1: it failed (too big, damaged) */
	int stop;              /* the parser wants no more */
	pthread_t tid;
};

static void *
unzip_thread(void *arg)
{
	struct unzip *u = arg;

	pthread_mutex_lock(&u->lock);
	for (;;) {
		while (u->count == UNZIP_RING && !u->stop)
			pthread_cond_wait(&u->emptied, &u->lock);
		if (u->stop)
			break;
		int slot = (u->first + u->count) % UNZIP_RING, end = 0;
		pthread_mutex_unlock(&u->lock);
		zip_int64_t n = part_fread(u->p, u->chunk[slot], UNZIP_CHUNK);
		if (n < 0)
			end = -1;
		else if (n == 0)
			end = 1;
		else if ((u->p->read += n) > u->p->limit) {
			u->p->too_big = 1;
			end = -1;
		}
		pthread_mutex_lock(&u->lock);
		if (end == 0) {
			u->len[slot] = (size_t)n;
			u->count++;
		} else
			u->end = end;
		pthread_cond_signal(&u->filled);
		if (end != 0)
			break;
	}
	pthread_mutex_unlock(&u->lock);
	return NULL;
}

/* Frees U, its thread ended or never started. */
static void
unzip_free(struct unzip *u)
{
	for (int i = 0; i < UNZIP_RING; i++)
		free(u->chunk[i]);
	pthread_mutex_destroy(&u->lock);
	pthread_cond_destroy(&u->filled);
	pthread_cond_destroy(&u->emptied);
	free(u);
}

/* Starts unpacking P's file on a thread; NULL when no thread could start. */
static struct unzip *
unzip_start(struct part *p)
{
	struct unzip *u = xcalloc(1, sizeof *u);

	u->p = p;
	for (int i = 0; i < UNZIP_RING; i++)
		u->chunk[i] = xmalloc(UNZIP_CHUNK);
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->filled, NULL);
	pthread_cond_init(&u->emptied, NULL);
	if (start_thread(&u->tid, unzip_thread, u) == 0)
		return u;
	unzip_free(u);
	return NULL;
}

/* Up to LEN unpacked bytes into BUFFER, as part_read gives them. */
static int
unzip_read(struct unzip *u, char *buffer, int len)
{
	pthread_mutex_lock(&u->lock);
	while (u->count == 0 && u->end == 0)
		pthread_cond_wait(&u->filled, &u->lock);
	if (u->count == 0) {
		int end = u->end;
		pthread_mutex_unlock(&u->lock);
		return end > 0 ? 0 : -1;
	}
	int slot = u->first;
	pthread_mutex_unlock(&u->lock);
	size_t n = u->len[slot] - u->taken;
	if (n > (size_t)len)
		n = (size_t)len;
	memcpy(buffer, u->chunk[slot] + u->taken, n);
	u->taken += n;
	if (u->taken == u->len[slot]) {
		pthread_mutex_lock(&u->lock);
		u->first = (u->first + 1) % UNZIP_RING;
		u->count--;
		u->taken = 0;
		pthread_cond_signal(&u->emptied);
		pthread_mutex_unlock(&u->lock);
	}
	return (int)n;
}

/* Stops the unpacking thread (the parser has ended) and frees it. */
static void
unzip_end(struct unzip *u)
{
	pthread_mutex_lock(&u->lock);
	u->stop = 1;
	pthread_cond_signal(&u->emptied);
	pthread_mutex_unlock(&u->lock);
	pthread_join(u->tid, NULL);
	unzip_free(u);
}

enum cell_type { CELL_NUMBER, CELL_SHARED, CELL_BOOL, CELL_TEXT };

/* Ranges of merged cells a sheet may list that are kept: more is no form. */
#define MAX_MERGES 10000

/* A range of merged cells (<mergeCell ref="C6:C7"/>, after the rows). */
struct merge {
	char ref[24];
	long row1, col1, row2, col2;
};

struct sax {
	struct xlsx *x;
	struct part p;
	struct unzip *unzip;          /* or NULL: the parser unpacks as it reads */
	xmlParserCtxtPtr ctxt;
	const xmlChar *n_row, *n_c, *n_v, *n_t, *n_is, *n_rph, *n_r, *n_s, *n_merge, *n_ref;
	long row, col, style, last_row;
	struct merge *merges;         /* owned; read once the parser has ended */
	size_t nmerges, merges_cap;
	int in_cell, in_value, in_is, phonetic, had_value, row_cells;
	enum cell_type type;
	struct buf value, shown;
	struct batch *batch;          /* being filled */
	struct pipe *pipe;            /* NULL: batches are read as they fill */
	const struct cells_out *out;  /* ... by these callbacks */
	int status;                   /* 0, 1: the callbacks stopped, -1: ERR */
	struct sheet_err err;
};

static void
sax_stop(struct sax *h, int status)
{
	if (h->status == 0)
		h->status = status;
	xmlStopParser(h->ctxt);
}

/* Stops the parser on an error that the calling thread reports later. */
static void
sax_fail(struct sax *h, enum diag_code code, long line, long col, const char *text, long long a,
    long long b)
{
	if (h->status == 0) {
		h->err = (struct sheet_err){.set = 1, .code = code, .line = line, .col = col,
		    .text = text ? xstrdup(text) : NULL, .a = a, .b = b};
	}
	sax_stop(h, -1);
}

static void
err_report(const struct xlsx *x, const char *part, const struct sheet_err *e)
{
	switch (e->code) {
	case DIAG_XLSX_ROW:
		diag(e->code, x->path, e->line, e->col, (long)e->a, (long)e->b);
		break;
	case DIAG_XLSX_CELL_LONG:
		diag(e->code, x->path, e->line, e->col, (int)e->a);
		break;
	case DIAG_XLSX_TOO_BIG:
		diag(e->code, x->path, 0, 0, part, e->a, e->b);
		break;
	case DIAG_XLSX_DOCTYPE:
	case DIAG_XLSX_UNREADABLE:
		diag(e->code, x->path, 0, 0, part);
		break;
	case DIAG_XLSX_XML:
		diag(e->code, x->path, 0, 0, part, e->text);
		break;
	case DIAG_XLSX_ZIP:
		diag(e->code, x->path, 0, 0, e->text);
		break;
	default: /* a cell's reference, string index or number */
		diag(e->code, x->path, e->line, e->col, e->text);
		break;
	}
}

/* The batch is full (or the sheet ended): to the callbacks, directly or
 * through the pipe, and an empty one to go on with. */
static void
flush(struct sax *h)
{
	struct pipe *q = h->pipe;

	if (q == NULL) {
		/* after an error too: the cells before it are read */
		if (h->status != 1 && deliver(h->out, h->batch)) {
			h->status = 1;
			xmlStopParser(h->ctxt);
		}
		h->batch->len = 0;
		return;
	}
	pthread_mutex_lock(&q->lock);
	while (q->queued >= PIPE_DEPTH && !q->stop)
		pthread_cond_wait(&q->emptied, &q->lock);
	if (q->stop) {
		pthread_mutex_unlock(&q->lock);
		h->batch->len = 0;
		sax_stop(h, 1);
		return;
	}
	h->batch->next = NULL;
	if (q->tail != NULL)
		q->tail->next = h->batch;
	else
		q->head = h->batch;
	q->tail = h->batch;
	q->queued++;
	h->batch = q->spare;
	if (h->batch != NULL) {
		q->spare = h->batch->next;
		h->batch->next = NULL;
	}
	pthread_cond_signal(&q->filled);
	pthread_mutex_unlock(&q->lock);
	if (h->batch == NULL)
		h->batch = xcalloc(1, sizeof *h->batch);
	h->batch->len = 0;
}

/* Room for a record of LEN bytes of text in the batch; returns the text. */
static char *
rec_add(struct sax *h, long row, long col, size_t len, unsigned mark)
{
	struct batch *b = h->batch;
	size_t size = rec_size(len);

	if (b->len + size > b->cap) {
		b->cap = b->len + size > BATCH_BYTES ? b->len + size : BATCH_BYTES;
		b->data = xrealloc(b->data, b->cap);
	}
	struct rec *r = (struct rec *)(void *)(b->data + b->len);
	r->row = row;
	r->col = (int)col;
	r->len = mark;
	b->len += size;
	return (char *)(r + 1);
}

/* The number strtol reads at the start of the bytes from S to E (spaces, a
 * sign, digits), held below 10^12. */
static long
range_long(const xmlChar *s, const xmlChar *e)
{
	long n = 0;
	int neg = 0;

	while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++;
	if (s < e && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	for (; s < e && *s >= '0' && *s <= '9'; s++)
		if (n < 1000000000000L)
			n = n * 10 + (*s - '0');
	return neg ? -n : n;
}

/* Column number of the reference from S to E ("C7": 3), its row in *ROW;
 * 0 when it is not a cell reference (capitals, then digits only). */
static long
cell_ref(const xmlChar *s, const xmlChar *e, long *row)
{
	long col = 0, n = 0;
	const xmlChar *p = s;

	for (; p < e && *p >= 'A' && *p <= 'Z'; p++) {
		col = col * 26 + (*p - 'A' + 1);
		if (col > XLSX_MAX_COLS)
			return 0;
	}
	if (p == s)
		return 0;
	*row = 0;
	if (p == e)
		return col;
	for (; p < e && *p >= '0' && *p <= '9'; p++)
		if (n <= XLSX_MAX_ROWS)
			n = n * 10 + (*p - '0');
	*row = p == e ? n : 0;
	return col;
}

static void
sax_start(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri,
    int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
    const xmlChar **attributes)
{
	struct sax *h = ctx;

	(void)prefix, (void)uri, (void)nb_namespaces, (void)namespaces, (void)nb_defaulted;
	if (h->status != 0)
		return;
	/* attributes: five pointers each, the value from [3] to [4] */
	if (name == h->n_c) {
		const xmlChar *ref = NULL, *ref_end = NULL;
		long c = h->col + 1, ref_row = h->row;
		h->type = CELL_NUMBER;
		h->style = 0;
		for (int i = 0; i < nb_attributes; i++) {
			const xmlChar **a = attributes + 5 * i;
			if (a[0] == h->n_r) {
				ref = a[3], ref_end = a[4];
				c = cell_ref(ref, ref_end, &ref_row);
			} else if (a[0] == h->n_t) {
				size_t n = (size_t)(a[4] - a[3]);
				h->type = n == 1 && a[3][0] == 's' ? CELL_SHARED :
				    n == 1 && a[3][0] == 'b' ? CELL_BOOL :
				    n == 1 && a[3][0] == 'n' ? CELL_NUMBER : CELL_TEXT;
			} else if (a[0] == h->n_s)
				h->style = range_long(a[3], a[4]);
		}
		if (c <= h->col || ref_row != h->row || h->row == 0) {
			char shown[32] = "?";
			if (ref != NULL && ref_end > ref)
				snprintf(shown, sizeof shown, "%.*s", (int)(ref_end - ref), (const char *)ref);
			sax_fail(h, DIAG_XLSX_CELL_REF, h->row, h->col + 1, shown, 0, 0);
			return;
		}
		h->col = c;
		h->value.len = 0;
		h->had_value = 0;
		h->in_cell = 1;
	} else if (name == h->n_row) {
		long n = h->last_row + 1;
		for (int i = 0; i < nb_attributes; i++)
			if (attributes[5 * i] == h->n_r)
				n = range_long(attributes[5 * i + 3], attributes[5 * i + 4]);
		if (n <= h->last_row || n > XLSX_MAX_ROWS) {
			sax_fail(h, DIAG_XLSX_ROW, n > h->last_row ? n : h->last_row, 1, NULL, n,
			    XLSX_MAX_ROWS);
			return;
		}
		h->row = h->last_row = n;
		h->col = 0;
		h->row_cells = 0;
	} else if (name == h->n_merge && h->out->merge != NULL && h->nmerges < MAX_MERGES) {
		for (int i = 0; i < nb_attributes; i++) {
			const xmlChar **a = attributes + 5 * i;
			const xmlChar *colon = a[3];
			while (colon < a[4] && *colon != ':')
				colon++;
			if (a[0] != h->n_ref || colon == a[4] || a[4] - a[3] >= (long)sizeof h->merges->ref)
				continue;
			struct merge m;
			m.col1 = cell_ref(a[3], colon, &m.row1);
			m.col2 = cell_ref(colon + 1, a[4], &m.row2);
			if (m.col1 == 0 || m.col2 < m.col1 || m.row1 == 0 || m.row2 < m.row1)
				continue; /* not a range of cells: nothing is read from it */
			snprintf(m.ref, sizeof m.ref, "%.*s", (int)(a[4] - a[3]), (const char *)a[3]);
			h->merges = xgrow(h->merges, h->nmerges, &h->merges_cap, 16, sizeof *h->merges);
			h->merges[h->nmerges++] = m;
		}
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
		sax_fail(h, DIAG_XLSX_CELL_LONG, h->row, h->col, NULL, MAX_CELL_TEXT, 0);
		return;
	}
	if (h->value.len + (size_t)len < h->value.cap) {
		/* the common case, without a call */
		memcpy(h->value.data + h->value.len, ch, (size_t)len);
		h->value.len += (size_t)len;
		h->value.data[h->value.len] = '\0';
	} else
		buf_add(&h->value, ch, (size_t)len);
	h->had_value = 1;
}

/* 1 when the LEN bytes at S are a whole number that General shows as it
 * is written: "0", or an optional minus and 1 to 11 digits, the first not
 * 0 (below 10^11 General shows every digit). */
static int
plain_integer(const char *s, size_t len)
{
	size_t i = len > 0 && s[0] == '-';

	if (len - i < 1 || len - i > 11)
		return 0;
	if (s[i] == '0')
		return len == 1;
	for (; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* The cell that just ended, as Excel shows it, into the batch. */
static void
cell_end(struct sax *h)
{
	const char *text = h->value.data;
	size_t len = h->value.len;
	struct xlsx *x = h->x;

	h->in_cell = 0;
	if (!h->had_value)
		return;
	switch (h->type) {
	case CELL_SHARED: {
		char *end;
		unsigned long i = strtoul(h->value.data, &end, 10);
		if (*end != '\0' || end == h->value.data || i >= x->nstrings) {
			sax_fail(h, DIAG_XLSX_STRING_INDEX, h->row, h->col, h->value.data, 0, 0);
			return;
		}
		text = x->strings.data + x->off[i];
		len = (i + 1 < x->nstrings ? x->off[i + 1] : x->strings.len) - x->off[i] - 1;
		break;
	}
	case CELL_BOOL:
		text = strcmp(h->value.data, "1") == 0 ? "TRUE" : "FALSE";
		len = strlen(text);
		break;
	case CELL_NUMBER: {
		if (plain_integer(text, len) && number_shown_plain(x, h->style))
			break; /* the common cell: shown as written */
		char *end;
		double d = strtod(h->value.data, &end);
		if (end == h->value.data || *end != '\0') {
			sax_fail(h, DIAG_XLSX_NUMBER, h->row, h->col, h->value.data, 0, 0);
			return;
		}
		buf_reset(&h->shown);
		show_cell_number(x, d, h->style, &h->shown);
		text = h->shown.data;
		len = h->shown.len;
		break;
	}
	case CELL_TEXT: /* "str", "inlineStr", "e" and "d" are shown as they are */
		break;
	}
	if (len == 0)
		return;
	h->row_cells++;
	char *t = rec_add(h, h->row, h->col, len, (unsigned)len);
	memcpy(t, text, len);
	t[len] = '\0';
	if (h->batch->len >= BATCH_BYTES)
		flush(h);
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
	else if (name == h->n_c) {
		if (h->in_cell)
			cell_end(h);
	} else if (name == h->n_row) {
		if (h->row_cells > 0) {
			rec_add(h, h->row, 0, 0, ROW_END);
			if (h->batch->len >= BATCH_BYTES)
				flush(h);
		}
	} else if (name == h->n_rph)
		h->phonetic = 0;
	else if (name == h->n_is)
		h->in_is = 0;
}

/* "<!DOCTYPE ...": refused before any of its declarations is read. */
static void
sax_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id)
{
	struct sax *h = ctx;

	(void)name, (void)external_id, (void)system_id;
	sax_fail(h, DIAG_XLSX_DOCTYPE, 0, 0, NULL, 0, 0);
}

/* An entity other than the five of XML (which never get here). */
static xmlEntityPtr
sax_entity(void *ctx, const xmlChar *name)
{
	(void)name;
	sax_doctype(ctx, NULL, NULL, NULL);
	return NULL;
}

static int
sheet_read(void *arg, char *buffer, int len)
{
	struct sax *h = arg;

	return h->unzip != NULL ? unzip_read(h->unzip, buffer, len) : part_read(&h->p, buffer, len);
}

static void
sax_error(void *ctx, xmlErrorPtr e)
{
	struct sax *h = ctx;
	part_error(&h->p, e);
}

/* Parses the sheet part (opened in H) to its end, an error or a stop, and
 * hands over the last batch.  On the parsing thread when there is one. */
static void
parse_sheet(struct sax *h)
{
	xmlSAXHandler sax;

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
	h->ctxt = xmlCreateIOParserCtxt(&sax, h, sheet_read, part_close, h, XML_CHAR_ENCODING_NONE);
	if (h->ctxt == NULL) {
		fputs("jingsai: fatal: out of memory\n", stderr);
		abort();
	}
	xmlCtxtUseOptions(h->ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA);
	h->n_row = xmlDictLookup(h->ctxt->dict, (const xmlChar *)"row", -1);
	h->n_c = xmlDictLookup(h->ctxt->dict, (const xmlChar *)"c", -1);
	h->n_v = xmlDictLookup(h->ctxt->dict, (const xmlChar *)"v", -1);
	h->n_t = xmlDictLookup(h->ctxt->dict, (const xmlChar *)"t", -1);
	h->n_is = xmlDictLookup(h->ctxt->dict, (const xmlChar *)"is", -1);
	h->n_rph = xmlDictLookup(h->ctxt->dict, (const xmlChar *)"rPh", -1);
	h->n_r = xmlDictLookup(h->ctxt->dict, (const xmlChar *)"r", -1);
	h->n_s = xmlDictLookup(h->ctxt->dict, (const xmlChar *)"s", -1);
	h->n_merge = xmlDictLookup(h->ctxt->dict, (const xmlChar *)"mergeCell", -1);
	h->n_ref = xmlDictLookup(h->ctxt->dict, (const xmlChar *)"ref", -1);
	buf_puts(&h->value, "");
	xmlParseDocument(h->ctxt);
	if (h->unzip != NULL)
		unzip_end(h->unzip);
	h->unzip = NULL;
	if (h->status == 0 && (h->p.too_big || h->p.damaged != NULL || !h->ctxt->wellFormed)) {
		if (h->p.too_big)
			sax_fail(h, DIAG_XLSX_TOO_BIG, 0, 0, NULL, h->p.read, h->p.limit);
		else if (h->p.damaged != NULL) {
			char *why = xasprintf("%s: %s", h->p.name, h->p.damaged);
			sax_fail(h, DIAG_XLSX_ZIP, 0, 0, why, 0, 0);
			free(why);
		} else if (h->p.error[0])
			sax_fail(h, DIAG_XLSX_XML, 0, 0, h->p.error, 0, 0);
		else
			sax_fail(h, DIAG_XLSX_UNREADABLE, 0, 0, NULL, 0, 0);
	}
	if (h->status != 1 && h->batch->len > 0)
		flush(h);
	xmlFreeParserCtxt(h->ctxt);
	h->ctxt = NULL;
	if (h->pipe != NULL) {
		pthread_mutex_lock(&h->pipe->lock);
		h->pipe->done = 1;
		pthread_cond_signal(&h->pipe->filled);
		pthread_mutex_unlock(&h->pipe->lock);
	}
}

static void *
parse_thread(void *arg)
{
	parse_sheet(arg);
	return NULL;
}

/* Reads the batches the parsing thread fills, until it is done: to the
 * callbacks until one of them says stop, then only emptied.  Returns 1
 * when a callback stopped. */
static int
read_pipe(struct pipe *q, const struct cells_out *out)
{
	int stopped = 0;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->head == NULL && !q->done)
			pthread_cond_wait(&q->filled, &q->lock);
		struct batch *b = q->head;
		if (b == NULL)
			break;
		q->head = b->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->queued--;
		pthread_cond_signal(&q->emptied);
		pthread_mutex_unlock(&q->lock);
		if (!stopped && deliver(out, b))
			stopped = 1;
		pthread_mutex_lock(&q->lock);
		b->next = q->spare;
		q->spare = b;
		if (stopped && !q->stop) {
			q->stop = 1;
			pthread_cond_signal(&q->emptied);
		}
	}
	pthread_mutex_unlock(&q->lock);
	return stopped;
}

static void
free_batches(struct batch *b)
{
	while (b != NULL) {
		struct batch *next = b->next;
		free(b->data);
		free(b);
		b = next;
	}
}

/* Streams SHEET to OUT, on a thread of its own when THREADED and the sheet
 * is large. */
static int
stream_sheet(struct xlsx *x, int sheet, const struct cells_out *out, int threaded)
{
	struct sheet *s = &x->sheets[sheet];
	struct sax h = {.x = x, .out = out};
	zip_stat_t st;
	zip_int64_t index = zip_name_locate(x->zip, s->part, 0);

	diag_set_context(s->context);
	h.p.x = x;
	h.p.name = s->part;
	h.p.limit = XLSX_MAX_PART;
	/* the same checks as part_open */
	if (index < 0 || zip_stat_index(x->zip, (zip_uint64_t)index, 0, &st) != 0) {
		diag(DIAG_XLSX_PART_MISSING, x->path, 0, 0, s->part);
		diag_set_context(NULL);
		return -1;
	}
	if (((st.valid & ZIP_STAT_SIZE) && (long long)st.size > h.p.limit) ||
	    ((st.valid & ZIP_STAT_SIZE) && (st.valid & ZIP_STAT_COMP_SIZE) && (long long)st.size > RATIO_FREE &&
	    (long long)st.size / XLSX_MAX_RATIO > (long long)st.comp_size)) {
		if ((long long)st.size > h.p.limit)
			diag(DIAG_XLSX_TOO_BIG, x->path, 0, 0, s->part, (long long)st.size, h.p.limit);
		else
			diag(DIAG_XLSX_RATIO, x->path, 0, 0, s->part, (long long)st.size, (long long)st.comp_size);
		diag_set_context(NULL);
		return -1;
	}
	if (part_file_open(x, (zip_uint64_t)index, &st, &h.p) != 0) {
		diag(DIAG_XLSX_ZIP, x->path, 0, 0, zip_strerror(x->zip));
		diag_set_context(NULL);
		return -1;
	}
	h.batch = xcalloc(1, sizeof *h.batch);

	struct pipe q = {.done = 0};
	pthread_t tid;
	int stopped = 0;
	if (threaded && (st.valid & ZIP_STAT_SIZE) && (long long)st.size >= XLSX_THREAD_FROM) {
		pthread_mutex_init(&q.lock, NULL);
		pthread_cond_init(&q.filled, NULL);
		pthread_cond_init(&q.emptied, NULL);
		h.pipe = &q;
		h.unzip = unzip_start(&h.p);
		if (start_thread(&tid, parse_thread, &h) == 0)
			stopped = read_pipe(&q, out);
		else
			h.pipe = NULL; /* no thread: parsed here, as a small sheet */
		if (h.pipe != NULL)
			pthread_join(tid, NULL);
		free_batches(q.spare);
		pthread_mutex_destroy(&q.lock);
		pthread_cond_destroy(&q.filled);
		pthread_cond_destroy(&q.emptied);
	}
	if (h.pipe == NULL) {
		parse_sheet(&h);
		stopped = h.status == 1;
	}
	int status = stopped ? 1 : h.status < 0 ? -1 : 0;
	if (!stopped && h.err.set)
		err_report(x, s->part, &h.err);
	for (size_t i = 0; status == 0 && i < h.nmerges; i++)
		if (out->merge(out->arg, h.merges[i].ref, h.merges[i].row1, h.merges[i].col1, h.merges[i].row2,
		    h.merges[i].col2) != 0)
			status = 1;
	free(h.merges);
	free(h.err.text);
	free_batches(h.batch);
	part_file_close(&h.p);
	buf_free(&h.value);
	buf_free(&h.shown);
	diag_set_context(NULL);
	return status;
}

int
xlsx_sheet_cells(struct xlsx *x, int sheet, xlsx_cell_fn cell, xlsx_row_end_fn row_end, void *arg)
{
	struct cells_out out = {cell, row_end, arg, NULL};

	return stream_sheet(x, sheet, &out, 1);
}

/* ---- Sheets of a CSV kind -------------------------------------------------------------- */

struct sheet_job {
	struct csv_rows *rows;
	const char *path;
	long next_col; /* the column the next field of the row is */
	struct { long first, last; } *data; /* the rows taken as data, in runs; owned */
	size_t ndata, data_cap;
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

	long before = csv_rows_data_rows(j->rows);
	csv_rows_end_row(j->rows);
	if (csv_rows_data_rows(j->rows) > before) {
		if (j->ndata > 0 && j->data[j->ndata - 1].last == row - 1)
			j->data[j->ndata - 1].last = row;
		else {
			j->data = xgrow(j->data, j->ndata, &j->data_cap, 16, sizeof *j->data);
			j->data[j->ndata].first = j->data[j->ndata].last = row;
			j->ndata++;
		}
	}
	j->next_col = 1;
	return csv_rows_stopped(j->rows) ? -1 : 0;
}

/*
 * Cells merged down over rows of the table (a region or a year written
 * once for several enterprises): Excel shows the value on every row, but
 * the file holds it in the first cell only, the others are empty.  Read
 * as they are, the rows below would lose it, and an optional column would
 * lose it without a word: so the range is an error, with what to do.
 * Merged cells in a title, a totals row or notes are not data, and do not
 * matter; nor do cells merged across one row of the table.
 */
static int
rows_merge(void *arg, const char *ref, long row1, long col1, long row2, long col2)
{
	struct sheet_job *j = arg;
	long rows = 0;

	(void)col2;
	for (size_t i = 0; i < j->ndata; i++) {
		long first = j->data[i].first > row1 ? j->data[i].first : row1;
		long last = j->data[i].last < row2 ? j->data[i].last : row2;
		if (last >= first)
			rows += last - first + 1;
	}
	if (rows < 2)
		return 0;
	csv_rows_flush(j->rows);
	diag(DIAG_XLSX_MERGED, j->path, row1, col1, ref, rows);
	csv_rows_count_error(j->rows);
	return 0;
}

int
xlsx_sheet_read(struct xlsx *x, int sheet, csv_row_fn fn, void *arg, struct csv_info *info,
    int flags)
{
	struct sheet_job j = {.rows = csv_rows_new(x->path, fn, arg, flags, 1), .path = x->path, .next_col = 1};
	struct csv_info local;
	struct cells_out out = {rows_cell, rows_end, &j, rows_merge};

	int rc = stream_sheet(x, sheet, &out, 1);
	free(j.data);
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

int
xlsx_sheet_kind(struct xlsx *x, int sheet)
{
	struct sheet_job j = {.next_col = 1, .kind = -1};
	diag_sink_fn old_fn;
	void *old_arg;

	/* quietly: reading the sheet for real reports what is wrong with it */
	diag_set_sink(diag_discard, NULL, &old_fn, &old_arg);
	struct cells_out out = {sniff_cell, sniff_end, &j, NULL};
	/* on this thread: only the first rows are read */
	int rc = stream_sheet(x, sheet, &out, 0);
	diag_set_sink(old_fn, old_arg, NULL, NULL);
	for (int i = 0; i < j.n; i++)
		free(j.names[i]);
	if (rc < 0)
		return -1;
	return j.kind < 0 && j.seen_rows == 0 ? -2 : j.kind;
}
