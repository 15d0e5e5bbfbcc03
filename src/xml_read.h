/* xml_read.h — reading untrusted XML with libxml2 (no network, no entities, no DOCTYPE),
 * validating it against the XSDs compiled into the program, and the annual return model. */
#ifndef XML_READ_H
#define XML_READ_H

#include <stddef.h>

#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#define AR_NAMESPACE "urn:jingsai:annual-return:1"
#define PROGRAMME_NAMESPACE "urn:jingsai:programme:1"

/* Installs, once, what every libxml2 reader of outside input needs: the
 * entity loader that refuses every external resource.  xml_parse calls it;
 * other readers of untrusted XML (xlsx_read.c) call it first. */
void xml_harden(void);

/* Parses the LEN bytes at DATA, read from PATH (named in diagnostics).
 * Network access, entity substitution and DTD loading are off; a document
 * with a DOCTYPE is refused before its internal subset is read; external
 * resources are refused by the entity loader.  Returns the tree (the caller
 * frees it with xmlFreeDoc), or NULL after every error found was reported
 * as "PATH:LINE:COL: error: ..." through diag(). */
xmlDocPtr xml_parse(const char *path, const char *data, size_t len);

/* Validates DOC (parsed from DATA/LEN of PATH) against the compiled-in
 * schema SCHEMA ("annual-return.xsd", "programme.xsd").  Returns the number
 * of errors, each reported through diag(); 0 when valid. */
int xml_validate(xmlDocPtr doc, const char *schema, const char *path, const char *data, size_t len);

/* Reports the libxml2 parser error E (a document that is not well-formed)
 * at its place in PATH, as the catalogue row that says what to change. */
void xml_report_syntax(const char *path, const xmlError *e);

/* The errors libxml2 raises while parsing a document that is not
 * well-formed, reduced to the one worth saying: the first (what follows is
 * most often its echo), unless the file simply ends there.  A file cut
 * short raises first whatever the cut left half-written (an attribute
 * without its value), last "premature end of data" at the same place: then
 * that it was cut short is the message.  Zero it before parsing; take()
 * every error; report() says the one (when there was any), frees what take()
 * kept, and returns how many errors were taken. */
struct xml_syntax {
	xmlError first, cut;
	int n;
};
void xml_syntax_take(struct xml_syntax *s, const xmlError *e);
int xml_syntax_report(struct xml_syntax *s, const char *path);

/* The field a schema-validation error was last reported for (zeroed at
 * first): libxml2 reports a bad value once per facet it breaks. */
struct xml_field_seen {
	const void *node;
	char attribute[64];
	/* Set when the return was read from a workbook (ar_xlsx.c): a field is
	 * a cell, named by its label there, and takes the values its cell
	 * offers; NULL: a return file, its fields named as its XML has them. */
	const struct xml_cells *cells;
};
/* What a workbook calls the fields of the annual return it holds. */
struct xml_cells {
	/* the label of ELEMENT's ATTRIBUTE (项目编号), or NULL */
	const char *(*label)(const char *element, const char *attribute);
	/* the values its cell takes ("市级、县级、企业级"), or NULL for any */
	const char *(*values)(const char *element, const char *attribute);
};
/* Reports the schema-validation error E (of annual-return.xsd or
 * programme.xsd) at LINE:COL of PATH in the submitter's terms: the field
 * (its Chinese name), what it takes and a good value; an unknown, misplaced,
 * repeated or missing element.  Returns 1, or 0 when E is one SEEN says was
 * reported (or an echo of one). */
int xml_report_invalid(const char *path, long line, long col, const xmlError *e,
    struct xml_field_seen *seen);

/* The compiled-in schema NAME ("annual-return.xsd"), parsed once and kept;
 * NULL when there is no such schema. */
struct _xmlSchema;
struct _xmlSchema *xml_schema(const char *name);

/* The 1-based column (in characters) where attribute ATTR ("name=") starts on
 * line LINE of DATA, or where the first element tag starts when ATTR is NULL
 * or not on that line; 1 when the line is not found. */
long xml_column(const char *data, size_t len, long line, const char *attr);

/* The value of attribute NAME of NODE as a new string (caller frees), or NULL. */
char *xml_attr(const xmlNode *node, const char *name);

/* 1 when NODE is an element named NAME in namespace NS. */
int xml_is(xmlNodePtr node, const char *ns, const char *name);

/* ---- The annual return (SPEC 3.1) ---- */

/* The counts of an annual return, in store column order. */
enum ar_count {
	AR_TECH_INNOVATIONS, AR_OPERATING_METHODS, AR_PROPOSALS_SUBMITTED, AR_PROPOSALS_ADOPTED,
	AR_FIVE_SMALL, AR_SUPERVISORS, AR_KEY_ENTERPRISE_WORKERS, AR_KEY_ENTERPRISE_PARTICIPANTS,
	AR_ABOVE_SCALE_ENTERPRISES, AR_ANKANG_ENTERPRISES, AR_DEATHS, AR_SERIOUS_INJURIES,
	AR_OCCUPATIONAL_INCIDENTS, AR_PIONEER_TEAMS, AR_SIX_TYPE_TEAMS, AR_QC_GROUPS,
	AR__COUNTS
};

/* Where each count comes from and goes to: one row per count. */
struct ar_count_def {
	const char *element;   /* "innovation" */
	const char *attribute; /* "tech-innovations" */
	const char *column;    /* annual_return.tech_innovations */
	const char *zh;        /* the label of its cell in the workbook form */
};
extern const struct ar_count_def ar_counts[AR__COUNTS];

struct ar_project {
	char *id, *track, *level, *status, *name, *organizer; /* organizer may be NULL */
	long line;
};

struct ar_studio {
	char *id, *name, *leader, *level; /* leader may be NULL */
	int founded;                      /* 0 when not given */
	long line;
};

struct annual_return {
	char *region;        /* as written: code, name or alias */
	int year;
	char *submitted;     /* as written */
	long line;           /* of the root element */
	long long count[AR__COUNTS];
	int has[AR__COUNTS]; /* 1 when the element was present */
	struct ar_project *projects;
	size_t nprojects;
	struct ar_studio *studios;
	size_t nstudios;
};

/* Reads the annual return out of DOC, which must be valid against
 * annual-return.xsd.  Returns a new model; ar_free releases it. */
struct annual_return *ar_from_doc(xmlDocPtr doc);
void ar_free(struct annual_return *ar);

/* Converts an xs:dateTime (a zone given or +08:00 assumed) to UTC as
 * "YYYY-MM-DDTHH:MM:SSZ" in OUT; returns 0, or -1 when S is not one. */
int xml_datetime_utc(const char *s, char out[21]);

#endif
