/* ingest_receipt.c — what a run records of each file it read for the
 * receipts (receipt.c): the region the file belongs to, the years it holds,
 * what became of it and what it replaced. */
#define _GNU_SOURCE /* strptime, timegm */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest_int.h"
#include "programme.h"
#include "store.h"

/*
 * A file's region is the one its data names: the region of an annual
 * return, of the rows of an enterprise register, of the enterprises the
 * rows of the other kinds name (through their credit codes).  A file whose
 * data names no region (unreadable, an unknown header) or several (a
 * city-wide participation file) belongs to the region its folder names,
 * else its file name (320682-如皋市.csv, 如皋市2024年度报表.xml), else to
 * none: the receipt 未归属, for the office.
 */

void
ingest_notes_clear(struct run *r)
{
	memset(&r->notes, 0, sizeof r->notes);
	r->notes.region = -1;
}

long
ingest_region_index(const struct run *r, const char *code)
{
	for (size_t i = 0; code != NULL && i < r->prog->nregions; i++)
		if (strcmp(r->prog->regions[i].code, code) == 0)
			return (long)i;
	return -1;
}

void
ingest_note_region_index(struct run *r, long index)
{
	if (index < 0 || r->notes.region == -2)
		return;
	if (r->notes.region == -1)
		r->notes.region = (int)index;
	else if (r->notes.region != index)
		r->notes.region = -2;
}

void
ingest_note_region(struct run *r, const char *code)
{
	ingest_note_region_index(r, ingest_region_index(r, code));
}

void
ingest_note_year(struct run *r, const char *year)
{
	struct file_notes *n = &r->notes;
	char y[16];

	/* as the store holds it: 02024 is 2024 */
	while (*year == '0' && year[1] != '\0')
		year++;
	snprintf(y, sizeof y, "%s", year);
	for (int i = 0; i < n->nyears && i < 8; i++)
		if (strcmp(n->years[i], y) == 0)
			return;
	if (n->nyears < 8)
		snprintf(n->years[n->nyears], sizeof n->years[0], "%s", y);
	n->nyears++;
}

/* The region code of the programme that NAME (a folder, or the start of a
 * file name) names, or NULL. */
static const char *
named_region(const struct run *r, const char *name, size_t len)
{
	char *s = xstrndup(name, len);
	const char *code = programme_region(r->prog, s);

	free(s);
	return code;
}

/* The region F's path names (see above), or "". */
static const char *
path_region(const struct run *r, const struct infile *f)
{
	const char *key = f->key, *slash, *code;

	/* the folders, deepest first */
	for (const char *end = strrchr(key, '/'); end != NULL; ) {
		const char *start = end;
		while (start > key && start[-1] != '/')
			start--;
		if ((code = named_region(r, start, (size_t)(end - start))) != NULL)
			return code;
		end = start > key ? start - 1 : NULL;
	}
	/* the file name: its first part, or a region's name it begins with */
	const char *base = (slash = strrchr(key, '/')) != NULL ? slash + 1 : key;
	if ((code = named_region(r, base, strcspn(base, "-_. "))) != NULL)
		return code;
	for (size_t i = 0; i < r->prog->nregions; i++) {
		const char *name = r->prog->regions[i].name;
		if (strncmp(base, name, strlen(name)) == 0)
			return r->prog->regions[i].code;
	}
	return "";
}

/* The programme's time zone (programme.xml's <time-zone>). */
static const char *
zone_of(const struct run *r)
{
	return r->prog->time_zone != NULL ? r->prog->time_zone : JZ_DEFAULT_ZONE;
}

/* UTC "2025-02-20T01:30:00Z" as the time in ZONE, "2025-02-20 09:30", into
 * OUT (the UTC text cut short when it cannot be read). */
static void
local_time(const char *utc, const char *zone, char out[24])
{
	struct tm tm = {0};
	int y, m, d;

	snprintf(out, 24, "%.16s", utc);
	if (strptime(utc, "%Y-%m-%dT%H:%M:%S", &tm) != NULL) {
		long long t = (long long)timegm(&tm), midnight;
		if (jz_zone_date(t, zone, &y, &m, &d) == 0 &&
		    (midnight = jz_zone_midnight(y, m, d, zone)) >= 0 && t >= midnight)
			snprintf(out, 24, "%04d-%02d-%02d %02d:%02d", y, m, d,
			    (int)((t - midnight) / 3600), (int)((t - midnight) / 60 % 60));
	}
}

/* What the accepted file replaced, in words (Chinese: it goes into the
 * receipt), or NULL; the caller frees. */
static char *
replaced_text(const struct run *r, int replaced, long vanished)
{
	const struct file_notes *n = &r->notes;
	struct buf b = {0};
	char when[24];

	if (replaced) {
		if (vanished > 0)
			buf_printf(&b, jz_doc_text(N_("replaces the version sent before (%ld of its rows are gone)")),
			    vanished);
		else
			buf_puts(&b, jz_doc_text(N_("replaces the version sent before")));
	}
	if (n->replaced_rows > 0) {
		if (b.len > 0)
			buf_puts(&b, jz_doc_text(N_("; ")));
		buf_printf(&b, jz_doc_text(N_("%ld of its rows replace the same rows of other files")),
		    n->replaced_rows);
	}
	if (n->supersedes[0] != '\0') {
		local_time(n->supersedes, zone_of(r), when);
		if (b.len > 0)
			buf_puts(&b, jz_doc_text(N_("; ")));
		buf_printf(&b, jz_doc_text(N_("in force in place of the return submitted %s")), when);
	}
	if (n->superseded_by[0] != '\0') {
		local_time(n->superseded_by, zone_of(r), when);
		if (b.len > 0)
			buf_puts(&b, jz_doc_text(N_("; ")));
		buf_printf(&b, jz_doc_text(N_("kept for the record: the return submitted %s is later and stays in force")),
		    when);
	}
	return b.data;
}

int
ingest_record_receipt(struct run *r, const struct infile *f, const char *kind, long long file_id,
    int accepted, long rows, int replaced, long vanished)
{
	const struct file_notes *n = &r->notes;
	struct buf years = {0};
	char day[16];
	const char *region;
	sqlite3_stmt *st;
	int rc;

	if (r->check_only)
		return 0;
	region = n->region >= 0 ? r->prog->regions[n->region].code : path_region(r, f);
	for (int i = 0; i < n->nyears && i < 8; i++)
		buf_printf(&years, "%s%s", i ? "、" : "", n->years[i]);
	if (n->nyears > 8)
		buf_puts(&years, "等");
	{
		/* the day of the run where the programme is */
		struct tm tm = {0};
		int y = 1970, m = 1, d = 1;
		if (strptime(r->now, "%Y-%m-%dT%H:%M:%S", &tm) != NULL)
			jz_zone_date((long long)timegm(&tm), zone_of(r), &y, &m, &d);
		snprintf(day, sizeof day, "%04d-%02d-%02d", y, m, d);
	}
	/* news for the region: new content, or an outcome it did not have
	 * (a rejected file is read again every run; rejected again, it is not) */
	int changed = accepted || f->prior_id == 0 || strcmp(f->prior_status, "rejected") != 0;
	char *what = accepted ? replaced_text(r, replaced, vanished) : NULL;
	if (r->receipt_run == 0) {
		/* the run's number: one more than the last recorded (two runs
		 * can have the same time: SOURCE_DATE_EPOCH, or one second) */
		sqlite3_stmt *q = store_prepare(r->db, "SELECT IFNULL(max(run), 0) + 1 FROM receipt_file");
		if (q == NULL)
			return -1;
		if (sqlite3_step(q) == SQLITE_ROW)
			r->receipt_run = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	st = store_prepare(r->db, "INSERT OR REPLACE INTO receipt_file (run_at, day, region, path, file_id, "
	    "kind, years, status, rows, replaced, changed, run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL) {
		free(what);
		buf_free(&years);
		return -1;
	}
	sqlite3_bind_text(st, 1, r->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, file_id);
	sqlite3_bind_text(st, 6, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, years.data, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, accepted ? "accepted" : "rejected", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, rows);
	sqlite3_bind_text(st, 10, what, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 11, changed);
	sqlite3_bind_int64(st, 12, r->receipt_run);
	rc = step_done(r, st);
	sqlite3_finalize(st);
	free(what);
	buf_free(&years);
	return rc;
}

int
ingest_receipts_prune(struct run *r)
{
	sqlite3_stmt *st;
	int rc;

	if (r->receipt_run == 0)
		return 0;  /* it read no file */
	st = store_prepare(r->db, "DELETE FROM receipt_file WHERE run = ?1 AND region NOT IN "
	    "(SELECT region FROM receipt_file WHERE run = ?1 AND changed)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->receipt_run);
	rc = step_done(r, st);
	sqlite3_finalize(st);
	return rc;
}
