/* ingest_xml.c — an annual return into the store: the XML (or the workbook,
 * ar_xlsx.c) parsed and validated against its schema, its region, year,
 * tracks and project ids checked, the return, its projects and studios
 * stored; a later return of the same region and year supersedes an earlier
 * one. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ar_xlsx.h"
#include "ingest_int.h"
#include "programme.h"
#include "refcheck.h"
#include "store.h"
#include "xml_read.h"

#define XML_MAX_BYTES (64LL << 20) /* an annual return of 400 projects is ~100 KB */

/* The text of an XML annual return, for the columns of its messages. */
struct xml_text {
	const char *data;
	size_t len;
};
typedef long (*position_fn)(void *arg, const char *element, long line, const char *attribute);
static long xml_position(void *arg, const char *element, long line, const char *attribute);
static long store_return(struct run *r, const struct infile *f, long long file_id,
    long long old_id, const struct annual_return *ar, int errors, position_fn pos, void *pos_arg);

/* Reads the annual return F (DATA/LEN) into the store as FILE_ID (OLD_ID: the
 * file it replaces, or 0); returns the rows stored, -2 when F is a programme
 * file (skipped), or -1 on a store failure.  Errors are counted by the sink. */
long
ingest_load_xml(struct run *r, const struct infile *f, long long file_id, long long old_id,
    const char *data, size_t len)
{
	xmlDocPtr doc;
	struct annual_return *ar = NULL;
	long rows;
	int errors = 0;

	if ((long long)len > XML_MAX_BYTES) {
		diag(DIAG_IN_TOO_LARGE, f->shown, 1, 1, (long long)len, XML_MAX_BYTES);
		return 0;
	}
	if ((doc = xml_parse(f->shown, data, len)) == NULL)
		return 0;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (xml_is(root, PROGRAMME_NAMESPACE, "programme")) {
		/* Reference data in the wrong place: not a submission. */
		diag(DIAG_IN_PROGRAMME_ELSEWHERE, f->shown, xmlGetLineNo(root), 1);
		xmlFreeDoc(doc);
		return -2;
	}
	if (!xml_is(root, AR_NAMESPACE, "annual-return")) {
		diag(DIAG_XML_ROOT, f->shown, root ? xmlGetLineNo(root) : 1,
		    root ? xml_column(data, len, xmlGetLineNo(root), NULL) : 1,
		    root ? (const char *)root->name : "", root && root->ns ? (const char *)root->ns->href : "");
		xmlFreeDoc(doc);
		return 0;
	}
	/* After schema errors the references are still checked (what is there
	 * of them), so that one pass reports every error of the file. */
	errors = xml_validate(doc, "annual-return.xsd", f->shown, data, len);
	ar = ar_from_doc(doc);
	xmlFreeDoc(doc);
	struct xml_text text = {data, len};
	rows = store_return(r, f, file_id, old_id, ar, errors, xml_position, &text);
	ar_free(ar);
	return rows;
}

/* Where an attribute of an annual return is, for store_return's messages:
 * its column on LINE (XML: of the file's text; a workbook: of the sheet its
 * element came from, which becomes the diagnostics' context). */
static long
xml_position(void *arg, const char *element, long line, const char *attribute)
{
	const struct xml_text *t = arg;

	(void)element;
	return xml_column(t->data, t->len, line, attribute);
}

static long
workbook_position(void *arg, const char *element, long line, const char *attribute)
{
	return ar_xlsx_position(arg, element, line, attribute);
}

/*
 * Checks the references of annual return AR (read from F, ERRORS found by
 * the schema already) and, when it has no error, stores it as FILE_ID
 * (OLD_ID: the file it replaces, or 0), superseding or superseded by the
 * return in force for its region and year.  Returns the rows stored, or -1
 * on a store failure.  One model, whichever reader made it.
 */
static long
store_return(struct run *r, const struct infile *f, long long file_id, long long old_id,
    const struct annual_return *ar, int errors, position_fn pos, void *pos_arg)
{
	sqlite3_stmt *st = NULL;
	long rows = -1;
	char submitted[21];
#define AT(el, line, attr) f->shown, (line), pos(pos_arg, el, line, attr)

	const struct programme *p = r->prog;
	const char *region = ar->region ? programme_region(p, ar->region) : NULL;
	ingest_note_region(r, region);
	if (ar->year != 0) {
		char year[16];
		snprintf(year, sizeof year, "%d", ar->year);
		ingest_note_year(r, year);
	}
	if (region == NULL && ar->region != NULL) {
		diag(DIAG_REF_REGION, AT("annual-return", ar->line, "region"), ar->region,
		    programme_region_list(p));
		diag_set_context(NULL);
		errors++;
	}
	if (ar->year != 0 && (ar->year < p->first_year || ar->year > p->last_year)) {
		diag(DIAG_YEAR_PERIOD, AT("annual-return", ar->line, "year"), ar->year, p->first_year,
		    p->last_year);
		diag_set_context(NULL);
		errors++;
	}
	if (errors == 0 && xml_datetime_utc(ar->submitted, submitted) != 0) {
		diag(DIAG_XML_SUBMITTED, AT("annual-return", ar->line, "submitted"), ar->submitted);
		diag_set_context(NULL);
		errors++;
	}
	st = store_prepare(r->db, "SELECT p.region, p.year, f.path FROM cur_project p "
	    "JOIN file f ON f.id = p.file_id WHERE p.id = ?1 AND NOT (p.region = ?2 AND p.year = ?3) "
	    "AND p.file_id <> ?4 LIMIT 1");
	if (st == NULL)
		goto done;
	for (size_t i = 0; i < ar->nprojects; i++) {
		const struct ar_project *pr = &ar->projects[i];
		if (pr->track != NULL && programme_track(p, pr->track) == NULL) {
			diag(DIAG_REF_TRACK, AT("project", pr->line, "track"), pr->track,
			    programme_track_list(p));
			diag_set_context(NULL);
			errors++;
		}
		if (region == NULL || pr->id == NULL)
			continue;
		sqlite3_bind_text(st, 1, pr->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, ar->year);
		sqlite3_bind_int64(st, 4, old_id);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			diag(DIAG_PROJECT_TAKEN, AT("project", pr->line, "id"), pr->id,
			    (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
			    (const char *)sqlite3_column_text(st, 2));
			diag_set_context(NULL);
			errors++;
		} else if (rc != SQLITE_DONE) {
			store_fail(r);
			goto done;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (errors > 0) {
		rows = 0;
		goto done;
	}

	/* Which return of this region and year is in force after this one? */
	st = store_prepare(r->db, "SELECT submitted FROM cur_return WHERE region = ? AND year = ? AND file_id NOT IN (?, ?)");
	if (st == NULL)
		goto done;
	sqlite3_bind_text(st, 1, region, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, ar->year);
	sqlite3_bind_int64(st, 3, old_id);
	sqlite3_bind_int64(st, 4, file_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *theirs = (const char *)sqlite3_column_text(st, 0);
		if (strcmp(submitted, theirs) >= 0) {
			diag(DIAG_AR_SUPERSEDES, f->shown, ar->line, 1, region, ar->year, theirs);
			r->refs_removed |= REFS_PROJECTS;
			snprintf(r->notes.supersedes, sizeof r->notes.supersedes, "%s", theirs);
		} else {
			diag(DIAG_AR_SUPERSEDED, f->shown, ar->line, 1, region, ar->year, theirs);
			snprintf(r->notes.superseded_by, sizeof r->notes.superseded_by, "%s", theirs);
		}
	}
	sqlite3_finalize(st);

	struct buf sql = {0};
	buf_puts(&sql, "INSERT INTO annual_return (file_id, region, year, submitted");
	for (int c = 0; c < AR__COUNTS; c++)
		buf_printf(&sql, ", %s", ar_counts[c].column);
	buf_puts(&sql, ") VALUES (?, ?, ?, ?");
	for (int c = 0; c < AR__COUNTS; c++)
		buf_puts(&sql, ", ?");
	buf_puts(&sql, ")");
	st = store_prepare(r->db, sql.data);
	buf_free(&sql);
	if (st == NULL)
		goto done;
	sqlite3_bind_int64(st, 1, file_id);
	sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, ar->year);
	sqlite3_bind_text(st, 4, submitted, -1, SQLITE_STATIC);
	for (int c = 0; c < AR__COUNTS; c++)
		if (ar->has[c])
			sqlite3_bind_int64(st, 5 + c, ar->count[c]);
	if (step_done(r, st) != 0)
		goto done;
	sqlite3_finalize(st);
	long long return_id = sqlite3_last_insert_rowid(r->db);

	st = store_prepare(r->db, "INSERT INTO project (return_id, id, track, level, status, name, organizer, line) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL)
		goto done;
	for (size_t i = 0; i < ar->nprojects; i++) {
		const struct ar_project *pr = &ar->projects[i];
		sqlite3_bind_int64(st, 1, return_id);
		sqlite3_bind_text(st, 2, pr->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, pr->track, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, pr->level, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, pr->status, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, pr->name, -1, SQLITE_STATIC);
		if (pr->organizer)
			sqlite3_bind_text(st, 7, pr->organizer, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 7);
		sqlite3_bind_int64(st, 8, pr->line);
		if (step_done(r, st) != 0)
			goto done;
		sqlite3_clear_bindings(st);
	}
	sqlite3_finalize(st);
	st = store_prepare(r->db, "INSERT INTO studio (return_id, id, name, leader, level, founded, line) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL)
		goto done;
	for (size_t i = 0; i < ar->nstudios; i++) {
		const struct ar_studio *s = &ar->studios[i];
		sqlite3_bind_int64(st, 1, return_id);
		sqlite3_bind_text(st, 2, s->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, s->name, -1, SQLITE_STATIC);
		if (s->leader)
			sqlite3_bind_text(st, 4, s->leader, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 4);
		sqlite3_bind_text(st, 5, s->level, -1, SQLITE_STATIC);
		if (s->founded)
			sqlite3_bind_int(st, 6, s->founded);
		else
			sqlite3_bind_null(st, 6);
		sqlite3_bind_int64(st, 7, s->line);
		if (step_done(r, st) != 0)
			goto done;
		sqlite3_clear_bindings(st);
	}
	rows = 1 + (long)ar->nprojects + (long)ar->nstudios;
done:
	sqlite3_finalize(st);
	return rows;
#undef AT
}

/* A track named in a workbook by its code or its name, as its code. */
static const char *
track_code(void *arg, const char *name)
{
	const struct programme *p = arg;
	const struct prog_track *t = programme_track(p, name);

	for (size_t i = 0; t == NULL && i < p->ntracks; i++)
		if (strcmp(p->tracks[i].name, name) == 0)
			t = &p->tracks[i];
	return t ? t->code : NULL;
}

/* The annual return of workbook X; its time submitted is the 报送时间 cell
 * or, without one, the file's modification time. */
long
ingest_load_return_workbook(struct run *r, const struct infile *f, struct xlsx *x, long long file_id,
    long long old_id)
{
	char when[32] = "2000-01-01T00:00:00Z";
	int errors;
	struct tm tm;

	/* the file as it was read */
	if (f->st.st_mtime != 0 && gmtime_r(&f->st.st_mtime, &tm) != NULL)
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	xmlDocPtr doc = ar_xlsx_read(x, f->shown, when, track_code, r->prog, &errors);
	if (doc == NULL) {
		diag(DIAG_XLSX_NO_SHEET, f->shown, 0, 0);
		return 0;
	}
	struct annual_return *ar = ar_from_doc(doc);
	long rows = store_return(r, f, file_id, old_id, ar, errors, workbook_position, doc);
	ar_free(ar);
	ar_xlsx_free(doc);
	r->projects_stale = 1;
	return rows;
}

