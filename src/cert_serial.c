/* cert_serial.c — certificate serials: given once, kept in the store, never
 * renumbered; awards that leave the data are withdrawn, never reused.  Also
 * the record of which key signed the certificates of an award and year. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "cert.h"
#include "filestat.h"
#include "store.h"

int
cert_tx_begin(sqlite3 *db, int *nested)
{
	*nested = !sqlite3_get_autocommit(db);
	return *nested ? store_exec(db, "SAVEPOINT cert") : store_begin(db);
}

int
cert_tx_end(sqlite3 *db, int nested, int ok)
{
	if (ok)
		return nested ? store_exec(db, "RELEASE cert") : store_commit(db);
	if (nested)
		sqlite3_exec(db, "ROLLBACK TO cert; RELEASE cert", NULL, NULL, NULL);
	else
		store_rollback(db);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Records R's current facts on its existing row SERIAL. */
static int
refresh(sqlite3_stmt *upd, const struct cert_rec *r, const char *serial)
{
	sqlite3_reset(upd);
	sqlite3_bind_text(upd, 1, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 2, r->gender, -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 3, r->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 4, r->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 5, r->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 6, serial, -1, SQLITE_STATIC);
	return sqlite3_step(upd) == SQLITE_DONE ? 0 : -1;
}

static int
insert_new(sqlite3_stmt *next, sqlite3_stmt *ins, struct cert_rec *r)
{
	int seq;

	sqlite3_reset(next);
	sqlite3_bind_int(next, 1, r->year);
	sqlite3_bind_text(next, 2, r->award->code, -1, SQLITE_STATIC);
	if (sqlite3_step(next) != SQLITE_ROW)
		return -1;
	seq = sqlite3_column_int(next, 0);
	r->serial = xasprintf("%04d-%s-%04d", r->year, r->award->code, seq);
	sqlite3_reset(ins);
	sqlite3_bind_text(ins, 1, r->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 2, r->year);
	sqlite3_bind_text(ins, 3, r->award->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 4, seq);
	sqlite3_bind_text(ins, 5, r->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 6, r->credit_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 7, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 8, r->gender, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 9, r->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 10, r->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 11, r->source, -1, SQLITE_STATIC);
	return sqlite3_step(ins) == SQLITE_DONE ? 0 : -1;
}

int
cert_serials_assign(sqlite3 *db, int year, const char *award, struct cert_set *set,
    int report_all)
{
	sqlite3_stmt *find = NULL, *upd = NULL, *next = NULL, *ins = NULL, *scope = NULL,
	    *withdraw = NULL;
	char **seen = xcalloc((size_t)set->nrecs + 1, sizeof *seen);
	int nseen = 0, rc = -1, step, nested;

	if (cert_tx_begin(db, &nested) != 0) {
		free(seen);
		return -1;
	}
	find = store_prepare(db, "SELECT serial, status FROM certificate "
	    "WHERE year = ?1 AND award = ?2 AND recipient = ?3 AND credit_code = ?4");
	upd = store_prepare(db, "UPDATE certificate SET status = 'active', recipient_kind = ?1, "
	    "gender = ?2, unit = ?3, region = ?4, source = ?5 WHERE serial = ?6");
	/* Numbers are never given twice: the next one follows the highest ever
	 * given for this award and year, withdrawn ones included. */
	next = store_prepare(db, "SELECT COALESCE(MAX(seq), 0) + 1 FROM certificate "
	    "WHERE year = ?1 AND award = ?2");
	ins = store_prepare(db, "INSERT INTO certificate (serial, year, award, seq, recipient, "
	    "credit_code, recipient_kind, gender, unit, region, source, status) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'active')");
	scope = store_prepare(db, "SELECT serial, recipient, status FROM certificate "
	    "WHERE year = ?1 AND (?2 IS NULL OR award = ?2) ORDER BY award, seq");
	withdraw = store_prepare(db, "UPDATE certificate SET status = 'withdrawn' WHERE serial = ?1");
	if (!find || !upd || !next || !ins || !scope || !withdraw)
		goto done;

	for (int i = 0; i < set->nrecs; i++) {
		struct cert_rec *r = &set->recs[i];
		sqlite3_reset(find);
		sqlite3_bind_int(find, 1, r->year);
		sqlite3_bind_text(find, 2, r->award->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(find, 3, r->recipient, -1, SQLITE_STATIC);
		sqlite3_bind_text(find, 4, r->credit_code, -1, SQLITE_STATIC);
		step = sqlite3_step(find);
		if (step == SQLITE_ROW) {
			free(r->serial);
			r->serial = xstrdup((const char *)sqlite3_column_text(find, 0));
			if (strcmp((const char *)sqlite3_column_text(find, 1), "withdrawn") == 0)
				diag(DIAG_CERT_REACTIVATED, r->file, r->line, 0, r->serial, r->recipient);
			sqlite3_reset(find);
			if (refresh(upd, r, r->serial) != 0)
				goto done;
		} else if (step == SQLITE_DONE) {
			sqlite3_reset(find);
			if (insert_new(next, ins, r) != 0)
				goto done;
		} else
			goto done;
		seen[nseen++] = r->serial;
	}

	/* What is recorded in scope but no longer in the data is withdrawn. */
	qsort(seen, (size_t)nseen, sizeof *seen, cmp_str);
	sqlite3_bind_int(scope, 1, year);
	if (award != NULL)
		sqlite3_bind_text(scope, 2, award, -1, SQLITE_STATIC);
	{
		char **gone = NULL;
		int ngone = 0;
		while ((step = sqlite3_step(scope)) == SQLITE_ROW) {
			const char *serial = (const char *)sqlite3_column_text(scope, 0);
			const char *recipient = (const char *)sqlite3_column_text(scope, 1);
			int active = strcmp((const char *)sqlite3_column_text(scope, 2), "active") == 0;
			if (bsearch(&serial, seen, (size_t)nseen, sizeof *seen, cmp_str) != NULL)
				continue;
			if (active || report_all)
				diag(DIAG_CERT_WITHDRAWN, NULL, 0, 0, serial, recipient);
			if (active) {
				gone = xrealloc(gone, (size_t)(ngone + 1) * sizeof *gone);
				gone[ngone++] = xstrdup(serial);
			}
		}
		for (int i = 0; i < ngone; i++) {
			if (step == SQLITE_DONE) {
				sqlite3_reset(withdraw);
				sqlite3_bind_text(withdraw, 1, gone[i], -1, SQLITE_STATIC);
				if (sqlite3_step(withdraw) != SQLITE_DONE)
					step = SQLITE_ERROR;
			}
			free(gone[i]);
		}
		free(gone);
		if (step != SQLITE_DONE)
			goto done;
	}
	rc = 0;
done:
	if (rc != 0)
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
	sqlite3_finalize(find);
	sqlite3_finalize(upd);
	sqlite3_finalize(next);
	sqlite3_finalize(ins);
	sqlite3_finalize(scope);
	sqlite3_finalize(withdraw);
	free(seen);
	if (rc == 0)
		rc = cert_tx_end(db, nested, 1);
	if (rc != 0) {
		cert_tx_end(db, nested, 0);
		/* Nothing was recorded: no certificate of this build has a serial. */
		for (int i = 0; i < set->nrecs; i++) {
			free(set->recs[i].serial);
			set->recs[i].serial = NULL;
		}
	}
	return rc;
}

/* ---- The register against the manifests on disk ---- */

/* The columns a manifest is read by, named in its header: as written now
 * (Chinese, cert.c's manifest_header) or by an earlier version (English,
 * serial,award,recipient first). */
#define MANIFEST_FIELDS 8
enum { COL_SERIAL, COL_AWARD, COL_RECIPIENT, COL__N };
static const char *const manifest_columns[COL__N][2] = {
	[COL_SERIAL] = {"证书编号", "serial"},
	[COL_AWARD] = {"奖项代码", "award"},
	[COL_RECIPIENT] = {"获奖者", "recipient"},
};

/* One manifest being read: its rows checked against the store as they come. */
struct manifest_check {
	sqlite3_stmt *find;    /* SELECT award, recipient FROM certificate WHERE serial = ?1 */
	char *field[MANIFEST_FIELDS];  /* the first fields of the row being read */
	int nfield;
	int col[COL__N];       /* where serial, award and recipient are (the header says) */
	long line, listed, unknown, other;
	long first_line;       /* of the first disagreement */
	char *first_serial, *first_recipient, *store_recipient;
};

static void
on_field(void *s, size_t len, void *arg)
{
	struct manifest_check *m = arg;

	if (m->nfield < MANIFEST_FIELDS)
		m->field[m->nfield] = xstrndup(s ? s : "", len);
	m->nfield++;
}

/* A cell the CSV writer guarded against spreadsheet formulas ("'=…")
 * is compared as the text it guards. */
static const char *
unguarded(const char *s)
{
	return s[0] == '\'' && s[1] != '\0' && strchr("=+-@\t\r", s[1]) != NULL ? s + 1 : s;
}

static void
on_row(int c, void *arg)
{
	(void)c;
	struct manifest_check *m = arg;
	int have = m->nfield < MANIFEST_FIELDS ? m->nfield : MANIFEST_FIELDS;
	const char *serial = m->col[COL_SERIAL] < have && m->col[COL_AWARD] < have &&
	    m->col[COL_RECIPIENT] < have ? m->field[m->col[COL_SERIAL]] : NULL;

	m->line++;
	if (m->line == 1) {
		/* the header: where the columns are */
		for (int k = 0; k < COL__N; k++)
			for (int i = 0; i < have; i++)
				if (strcmp(m->field[i], manifest_columns[k][0]) == 0 ||
				    strcmp(m->field[i], manifest_columns[k][1]) == 0)
					m->col[k] = i;
		serial = NULL;
	}
	/* the header, and the rows of print.pdf and calibration.pdf, have no serial */
	if (serial != NULL && cert_serial_valid(serial)) {
		const char *award = m->field[m->col[COL_AWARD]];
		const char *recipient = unguarded(m->field[m->col[COL_RECIPIENT]]);
		const char *known = NULL;
		m->listed++;
		sqlite3_reset(m->find);
		sqlite3_bind_text(m->find, 1, serial, -1, SQLITE_STATIC);
		if (sqlite3_step(m->find) == SQLITE_ROW && sqlite3_column_text(m->find, 1) != NULL) {
			known = (const char *)sqlite3_column_text(m->find, 1);
			if (strcmp((const char *)sqlite3_column_text(m->find, 0), award) == 0 &&
			    strcmp(known, recipient) == 0)
				known = "";  /* agrees */
		}
		if (known == NULL || *known != '\0') {
			if (known == NULL)
				m->unknown++;
			else
				m->other++;
			if (m->first_line == 0) {
				m->first_line = m->line;
				m->first_serial = xstrdup(serial);
				m->first_recipient = xstrdup(recipient);
				m->store_recipient = known ? xstrdup(known) : NULL;
			}
		}
	}
	for (int i = 0; i < have; i++)
		free(m->field[i]);
	m->nfield = 0;
}

/* Checks the manifest at PATH (RELPATH under output/); returns the number
 * of disagreements (after reporting the first), 0, or -1 when it cannot be
 * read. */
static long
check_manifest(sqlite3 *db, const char *path, const char *relpath, const char *db_path, int year,
    int new_register)
{
	struct manifest_check m = {.col = {[COL_SERIAL] = 0, [COL_AWARD] = 1, [COL_RECIPIENT] = 2}};
	struct csv_parser p;
	struct buf data = {0};
	struct filestat now, was;
	char sha[65];
	size_t skip = 0;
	long bad;

	/* A manifest this store wrote and that nobody touched since (its
	 * metadata as the store recorded it) agrees with the store: it is not
	 * read, and a night with nothing new opens no file. */
	if (filestat_get(path, &now) != 0)
		return 0;   /* no manifest: nothing printed yet */
	if (filestat_lookup(db, "output", relpath, &was, sha) == 1 && filestat_same(&now, &was))
		return 0;
	if (file_read_all(path, &data) != 0)
		return 0;
	m.find = store_prepare(db, "SELECT award, recipient FROM certificate WHERE serial = ?1");
	if (m.find == NULL || csv_init(&p, 0) != 0) {
		sqlite3_finalize(m.find);
		buf_free(&data);
		return -1;
	}
	if (data.len >= 3 && memcmp(data.data, "\xEF\xBB\xBF", 3) == 0)
		skip = 3;
	csv_parse(&p, data.data + skip, data.len - skip, on_field, on_row, &m);
	csv_fini(&p, on_field, on_row, &m);
	csv_free(&p);
	for (int i = 0; i < m.nfield && i < MANIFEST_FIELDS; i++)
		free(m.field[i]);
	sqlite3_finalize(m.find);
	buf_free(&data);
	bad = m.unknown + m.other;
	if (bad > 0) {
		char *newest = store_backup_newest(db_path, m.first_serial, m.first_recipient);
		char *dir = store_backup_dir(db_path);
		if (m.store_recipient == NULL)
			diag(new_register ? DIAG_CERT_REGISTER_UNKNOWN_W : DIAG_CERT_REGISTER_UNKNOWN, path,
			    m.first_line, 1, m.first_serial, m.first_recipient, db_path, bad, m.listed);
		else
			diag(new_register ? DIAG_CERT_REGISTER_OTHER_W : DIAG_CERT_REGISTER_OTHER, path,
			    m.first_line, 1, m.first_serial, m.first_recipient, m.store_recipient, db_path,
			    bad, m.listed);
		if (!new_register)
			store_backup_hold();
		if (new_register)
			diag(DIAG_CERT_REGISTER_NEW, NULL, 0, 0, year);
		else if (newest != NULL)
			diag(DIAG_CERT_REGISTER_RESTORE, NULL, 0, 0, year, db_path, newest, dir);
		else
			diag(DIAG_CERT_REGISTER_NO_BACKUP, NULL, 0, 0, year, dir);
		free(newest);
		free(dir);
	}
	free(m.first_serial);
	free(m.first_recipient);
	free(m.store_recipient);
	return bad;
}

int
cert_register_check(sqlite3 *db, const char *db_path, const char *output_dir, int year,
    int new_register)
{
	static const char *const manifests[] = {"manifest.csv", "stock/manifest.csv"};
	int rc = 0;

	for (size_t i = 0; i < sizeof manifests / sizeof *manifests && rc == 0; i++) {
		char *rel = xasprintf("certificates/%d/%s", year, manifests[i]);
		char *path = path_join(output_dir, rel);
		long bad = check_manifest(db, path, rel, db_path, year, new_register);
		if (bad < 0 || (bad > 0 && !new_register))
			rc = -1;
		free(path);
		free(rel);
	}
	return rc;
}

int
cert_fields_store(sqlite3 *db, const struct cert_set *set)
{
	sqlite3_stmt *st;
	int rc = 0, nested;

	if (cert_tx_begin(db, &nested) != 0)
		return -1;
	st = store_prepare(db, "UPDATE certificate SET fields = ?1 "
	    "WHERE serial = ?2 AND fields IS NOT ?1");
	if (st == NULL) {
		cert_tx_end(db, nested, 0);
		return -1;
	}
	for (int i = 0; i < set->nrecs && rc == 0; i++) {
		const struct cert_rec *r = &set->recs[i];
		if (r->serial == NULL || r->fields == NULL)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, r->fields, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->serial, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
			rc = -1;
		}
	}
	sqlite3_finalize(st);
	if (rc == 0)
		return cert_tx_end(db, nested, 1);
	cert_tx_end(db, nested, 0);
	return -1;
}

/* The printed fields, as a message names them. */
static const struct field_words {
	const char *name, *words;
} field_words[] = {
	{"title", N_("award title")},
	{"recipient", N_("recipient")},
	{"unit", N_("unit")},
	{"date", N_("date")},
	{"serial", N_("serial")},
};

static const char *
field_name(const char *name)
{
	for (size_t i = 0; i < sizeof field_words / sizeof *field_words; i++)
		if (strcmp(field_words[i].name, name) == 0)
			return _(field_words[i].words);
	return name;
}

/* The first field whose value differs between fields OLD and NEW: its
 * name and both values, in *NAME, *WAS, *NOW (the caller frees them);
 * returns 0, or -1 when they name the same values. */
static int
fields_differ(const char *old, const char *new, char **name, char **was, char **now)
{
	for (const char *p = new; *p; ) {
		const char *eq = strchr(p, '='), *eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		if (eq != NULL && eq < eol) {
			char *key = xstrndup(p, (size_t)(eq - p));
			char *a = cert_fields_get(old, key), *b = cert_fields_get(new, key);
			if (strcmp(a ? a : "", b ? b : "") != 0) {
				*name = key;
				*was = a ? a : xstrdup("");
				*now = b ? b : xstrdup("");
				return 0;
			}
			free(key);
			free(a);
			free(b);
		}
		p = *eol ? eol + 1 : eol;
	}
	return -1;
}

int
cert_fields_supersede(sqlite3 *db, const struct cert_rec *r, int n, const char *key_id)
{
	sqlite3_stmt *old = store_prepare(db, "SELECT fields FROM certificate "
	    "WHERE serial = ?1 AND fields IS NOT NULL AND fields <> ?2");
	sqlite3_stmt *keep = store_prepare(db, "INSERT OR IGNORE INTO cert_superseded (serial, fields, key_id) "
	    "VALUES (?1, ?2, ?3)");
	int rc = 0;

	for (int i = 0; i < n && old != NULL && keep != NULL && rc == 0; i++) {
		char *name, *was, *now;
		if (r[i].serial == NULL || r[i].fields == NULL)
			continue;
		sqlite3_reset(old);
		sqlite3_bind_text(old, 1, r[i].serial, -1, SQLITE_STATIC);
		sqlite3_bind_text(old, 2, r[i].fields, -1, SQLITE_STATIC);
		if (sqlite3_step(old) != SQLITE_ROW)
			continue;
		sqlite3_reset(keep);
		sqlite3_bind_text(keep, 1, r[i].serial, -1, SQLITE_STATIC);
		sqlite3_bind_text(keep, 2, (const char *)sqlite3_column_text(old, 0), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(keep, 3, key_id, -1, SQLITE_STATIC);
		if (sqlite3_step(keep) != SQLITE_DONE) {
			diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
			rc = -1;
		} else if (fields_differ((const char *)sqlite3_column_text(old, 0), r[i].fields, &name, &was,
		    &now) == 0) {
			diag(DIAG_CERT_SUPERSEDED, NULL, 0, 0, r[i].serial, r[i].recipient, field_name(name), was,
			    now);
			free(name);
			free(was);
			free(now);
		}
	}
	if (old == NULL || keep == NULL)
		rc = -1;
	sqlite3_finalize(old);
	sqlite3_finalize(keep);
	return rc;
}

int
cert_signing_get(sqlite3 *db, int year, const char *award, char id[32])
{
	sqlite3_stmt *st = store_prepare(db, "SELECT key_id FROM cert_signing "
	    "WHERE year = ?1 AND award = ?2");
	int rc;

	id[0] = '\0';
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, award, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(id, 32, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 1;
	} else if (rc == SQLITE_DONE)
		rc = 0;
	else {
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}

int
cert_signing_set(sqlite3 *db, int year, const char *award, const char *id)
{
	sqlite3_stmt *st = store_prepare(db, "INSERT OR REPLACE INTO cert_signing (year, award, key_id) "
	    "VALUES (?1, ?2, ?3)");
	int rc = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, award, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}
