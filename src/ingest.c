/* ingest.c — `ingest`, `check` and `forget`: submissions into the store, one transaction per file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "commands.h"
#include "csv_read.h"
#include "ingest.h"
#include "programme.h"
#include "refcheck.h"
#include "store.h"
#include "xml_read.h"

#define XML_MAX_BYTES (64LL << 20) /* an annual return of 400 projects is ~100 KB */
#define SNIFF_BYTES 65536          /* what csv_sniff looks at */
#define REJECTION_ROWS 1000        /* diagnostics kept per rejected file in the store */

/*
 * How a run goes.
 *
 * 1. Every path is walked; each file is hashed (streamed, SHA-256) and its
 *    kind recognised from its first bytes: XML ('<' first) or the CSV kind
 *    its header names.  A file whose path and bytes the store already holds
 *    as accepted is unchanged and not read again.
 * 2. Files are taken kind by kind in dependency order (slot below), by path
 *    within a kind: enterprises and annual returns exist before the rows
 *    that name them, so a participation file may name a project of a file
 *    that sorts after it, whatever the order the operator put them in.
 *    CSV rows whose key is stored already replace it: the latest file wins.
 * 3. Each file is one transaction (a SAVEPOINT, committed on RELEASE): a
 *    file with any error is rolled back to nothing (its diagnostics are
 *    recorded in `rejection`), the others stay.  `check` wraps the whole
 *    run in one transaction that it rolls back at the end, so it validates
 *    references exactly as `ingest` would and changes nothing.
 *
 * Reference checks (SPEC 2, 3.2): regions resolve through programme.xml
 * (names and aliases to codes); tracks and awards must exist there; a
 * participation row must name a current project and a known enterprise;
 * achievements, skills and awards rows must name a known enterprise too,
 * since the unit's name and region printed on certificates and in the
 * bulletin come from the enterprises file; scores must name a known
 * achievement entry of their round.
 */

/* Processing order of the kinds. */
enum slot {
	SLOT_ENTERPRISES, SLOT_XML, SLOT_PARTICIPATION, SLOT_ACHIEVEMENTS, SLOT_SCORES,
	SLOT_SKILLS, SLOT_AWARDS, SLOT_OTHER
};

/* ---- The run ---------------------------------------------------------------- */

struct infile {
	char *shown;       /* path as walked: what diagnostics name */
	char *key;         /* path as stored: relative to the input folder when under it */
	char sha256[65];
	long long size;
	enum slot slot;
	int csv_kind;      /* enum csv_kind, or -1 */
	long long prior_id;   /* file row with this path and these bytes, or 0 */
	char prior_status[16];
};

/* One diagnostic kept for the `rejection` table. */
struct kept_diag {
	long line, column;
	char *message;
};

struct run {
	sqlite3 *db;
	const struct jz_opts *opts;
	struct programme *prog;
	struct ingest_summary *sum;
	int check_only;
	char *input_real;        /* realpath of the input folder, or NULL */
	struct infile *files;
	size_t nfiles, capfiles;
	struct strmap seen_keys; /* store keys of every file found in this run */

	/* The file being processed. */
	const struct infile *cur;
	int cur_errors;
	struct kept_diag *kept;
	size_t nkept, capkept;
	long dropped;            /* diagnostics not kept (beyond REJECTION_ROWS) */

	/* Diagnostics go on to whoever listened before (the nightly run). */
	diag_sink_fn old_fn;
	void *old_arg;

	/* Reference sets, reloaded when stale. */
	struct strmap enterprises, projects;
	int enterprises_stale, projects_stale;
	/* What others refer to that went away (REFS_*): stored rows are
	 * checked again at the end. */
	unsigned refs_removed;
	sqlite3_stmt *entry_known;   /* scores: SELECT 1 FROM achievement ... */
	char now[32];                /* ingested_at of this run */
};

static void
ingest_sink(const struct diag_msg *m, void *arg)
{
	struct run *r = arg;

	if (r->cur != NULL && m->level >= DIAG_ERROR) {
		r->cur_errors++;
		if (r->nkept < REJECTION_ROWS) {
			if (r->nkept == r->capkept) {
				r->capkept = r->capkept ? 2 * r->capkept : 16;
				r->kept = xrealloc(r->kept, r->capkept * sizeof *r->kept);
			}
			r->kept[r->nkept].line = m->line;
			r->kept[r->nkept].column = m->column;
			/* the appendix and receipts are Chinese whatever the locale */
			r->kept[r->nkept++].message = xstrdup(m->doc_text);
		} else
			r->dropped++;
	}
	if (r->old_fn != NULL) {
		r->old_fn(m, r->old_arg);
		return;
	}
	if (m->level == DIAG_NOTE && !r->opts->verbose)
		return;
	if (m->level == DIAG_WARNING && r->opts->quiet)
		return;
	diag_print(stderr, m);
}

static void
kept_clear(struct run *r)
{
	for (size_t i = 0; i < r->nkept; i++)
		free(r->kept[i].message);
	r->nkept = 0;
	r->dropped = 0;
}

/* Reports a store failure and returns -1. */
static int
store_fail(struct run *r)
{
	diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(r->db));
	return -1;
}

/* Runs a prepared statement to completion; returns 0 or -1 after a diagnostic. */
static int
step_done(struct run *r, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(r);
	return 0;
}

/* ---- Walking and recognising -------------------------------------------- */

/* The path the store knows PATH by: relative to the input folder when it is
 * inside it, else absolute.  Works for files that no longer exist too. */
static char *
store_key(const struct run *r, const char *path)
{
	char real[PATH_MAX], *res = NULL;

	if (realpath(path, real) == NULL) {
		/* Gone: resolve its folder instead. */
		char *copy = xstrdup(path), *slash = strrchr(copy, '/');
		const char *dir = ".", *base = copy;
		if (slash != NULL) {
			*slash = '\0';
			dir = *copy ? copy : "/";
			base = slash + 1;
		}
		char rdir[PATH_MAX];
		if (realpath(dir, rdir) != NULL) {
			char *joined = path_join(rdir, base);
			snprintf(real, sizeof real, "%s", joined);
			free(joined);
		} else
			snprintf(real, sizeof real, "%s", path);
		free(copy);
	}
	if (r->input_real != NULL) {
		size_t n = strlen(r->input_real);
		if (strncmp(real, r->input_real, n) == 0 && real[n] == '/')
			res = xstrdup(real + n + 1);
	}
	return res ? res : xstrdup(real);
}

static void
add_file(struct run *r, const char *path)
{
	if (r->nfiles == r->capfiles) {
		r->capfiles = r->capfiles ? 2 * r->capfiles : 64;
		r->files = xrealloc(r->files, r->capfiles * sizeof *r->files);
	}
	struct infile *f = &r->files[r->nfiles++];
	memset(f, 0, sizeof *f);
	f->shown = xstrdup(path);
	f->key = store_key(r, path);
	f->csv_kind = -1;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the files under PATH (a file or a folder, walked recursively; names
 * starting with '.' skipped), in name order.  Returns 0 or -1 after a diagnostic. */
static int
walk(struct run *r, const char *path, int top)
{
	struct stat sb;

	if (stat(path, &sb) != 0) {
		diag(DIAG_IN_READ, path, 0, 0, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		char *key = store_key(r, path);
		/* programme.xml at the top of the input folder is reference data. */
		int programme = strcmp(key, "programme.xml") == 0;
		free(key);
		if (!programme)
			add_file(r, path);
		return 0;
	}
	DIR *d = opendir(path);
	if (d == NULL) {
		diag(DIAG_IN_READ, path, 0, 0, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char *child = path_join(path, names[i]);
		if (walk(r, child, 0) != 0)
			rc = -1;
		free(child);
		free(names[i]);
	}
	free(names);
	(void)top;
	return rc;
}

/* Hashes F (streamed) and recognises its kind from the first bytes. */
static int
recognise(struct infile *f)
{
	int fd = open(f->shown, O_RDONLY);
	EVP_MD_CTX *md;
	unsigned char digest[32];
	char *head = xmalloc(SNIFF_BYTES);
	size_t nhead = 0;
	ssize_t got;
	char *chunk;

	if (fd < 0) {
		diag(DIAG_IN_READ, f->shown, 0, 0, strerror(errno));
		free(head);
		return -1;
	}
	md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	chunk = xmalloc(1 << 20);
	f->size = 0;
	while ((got = read(fd, chunk, 1 << 20)) > 0) {
		EVP_DigestUpdate(md, chunk, (size_t)got);
		if (nhead < SNIFF_BYTES) {
			size_t take = (size_t)got < SNIFF_BYTES - nhead ? (size_t)got : SNIFF_BYTES - nhead;
			memcpy(head + nhead, chunk, take);
			nhead += take;
		}
		f->size += got;
	}
	int err = got < 0 ? errno : 0;
	close(fd);
	free(chunk);
	EVP_DigestFinal_ex(md, digest, NULL);
	EVP_MD_CTX_free(md);
	if (err) {
		diag(DIAG_IN_READ, f->shown, 0, 0, strerror(err));
		free(head);
		return -1;
	}
	for (int i = 0; i < 32; i++)
		snprintf(f->sha256 + 2 * i, 3, "%02x", digest[i]);

	/* XML: '<' first, after a BOM and white space. */
	size_t i = 0;
	if (nhead >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < nhead && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i < nhead && head[i] == '<')
		f->slot = SLOT_XML;
	else {
		f->csv_kind = csv_sniff(head, nhead);
		static const enum slot slots[CSV__KINDS] = {
			[CSV_ENTERPRISES] = SLOT_ENTERPRISES, [CSV_PARTICIPATION] = SLOT_PARTICIPATION,
			[CSV_ACHIEVEMENTS] = SLOT_ACHIEVEMENTS, [CSV_SCORES] = SLOT_SCORES,
			[CSV_SKILLS] = SLOT_SKILLS, [CSV_AWARDS] = SLOT_AWARDS};
		f->slot = f->csv_kind >= 0 && f->csv_kind < CSV__KINDS ? slots[f->csv_kind] : SLOT_OTHER;
	}
	free(head);
	return 0;
}

static int
by_slot(const void *a, const void *b)
{
	const struct infile *x = a, *y = b;

	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return strcmp(x->shown, y->shown);
}

/* ---- Reference sets ------------------------------------------------------ */

static int
load_set(struct run *r, struct strmap *set, const char *sql)
{
	sqlite3_stmt *st = store_prepare(r->db, sql);
	int rc;

	strmap_free(set);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		strmap_add(set, (const char *)sqlite3_column_text(st, 0), 0);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(r);
}

static int
fresh_sets(struct run *r)
{
	if (r->enterprises_stale) {
		if (load_set(r, &r->enterprises, "SELECT credit_code FROM enterprise") != 0)
			return -1;
		r->enterprises_stale = 0;
	}
	if (r->projects_stale) {
		if (load_set(r, &r->projects, "SELECT DISTINCT id FROM cur_project") != 0)
			return -1;
		r->projects_stale = 0;
	}
	return 0;
}

/* ---- CSV files --------------------------------------------------------------- */

/* How a field goes into its column. */
enum conv {
	C_TEXT,      /* as is */
	C_TEXT_NULL, /* empty → NULL */
	C_INT,
	C_INT_NULL,
	C_REAL,
	C_REAL_NULL,
	C_YES_NO,    /* 是 → 1, 否 → 0 */
	C_REGION     /* code, name or alias → code */
};

/* One CSV kind in the store: the table and, per field in the reader's
 * column order (SPEC 3.2), the store column and the conversion. */
struct kind_def {
	const char *table;
	int nfields;
	struct {
		const char *column;
		enum conv conv;
	} field[8];
};

static const struct kind_def kinds[CSV__KINDS] = {
	[CSV_ENTERPRISES] = {"enterprise", 7, {{"credit_code", C_TEXT}, {"name", C_TEXT},
	    {"region", C_REGION}, {"ownership", C_TEXT}, {"above_scale", C_YES_NO},
	    {"industry", C_TEXT_NULL}, {"employees", C_INT_NULL}}},
	[CSV_PARTICIPATION] = {"participation", 4, {{"year", C_INT}, {"project_id", C_TEXT},
	    {"credit_code", C_TEXT}, {"participants", C_INT}}},
	[CSV_ACHIEVEMENTS] = {"achievement", 8, {{"round", C_TEXT}, {"entry_id", C_TEXT},
	    {"category", C_TEXT}, {"title", C_TEXT}, {"first_completer", C_TEXT},
	    {"gender", C_TEXT_NULL}, {"credit_code", C_TEXT}, {"completers", C_TEXT_NULL}}},
	[CSV_SCORES] = {"score", 4, {{"round", C_TEXT}, {"entry_id", C_TEXT}, {"judge", C_TEXT},
	    {"score", C_REAL}}},
	[CSV_SKILLS] = {"skill", 8, {{"year", C_INT}, {"competition", C_TEXT},
	    {"city_contest", C_YES_NO}, {"rank", C_INT}, {"name", C_TEXT},
	    {"gender", C_TEXT_NULL}, {"credit_code", C_TEXT}, {"score", C_REAL_NULL}}},
	[CSV_AWARDS] = {"award_row", 7, {{"year", C_INT}, {"award", C_TEXT}, {"recipient", C_TEXT},
	    {"recipient_kind", C_TEXT}, {"gender", C_TEXT_NULL}, {"credit_code", C_TEXT},
	    {"reason", C_TEXT_NULL}}},
};

/*
 * Duplicate keys within a file are found by the store, not by a set of keys
 * in memory (which would grow with the file): each row is inserted unless
 * its key is there; when it is, an UPDATE replaces a row of another file
 * (SPEC 3.2: the later file wins; the store's trigger keeps the replaced
 * row) but leaves alone a row of this same file from an earlier line, so
 * that a row changing nothing is a duplicate, and the line stored with the
 * first one says where that was.  (Two statements, not one UPSERT: an
 * UPSERT carries the table's UPDATE trigger on every row, 12 % of the time
 * of an ingest, where the plain INSERT carries none.)  (A row of this file at this line or a later one
 * is not of this reading: `check` reads stored files again under their own
 * id, and finds what their first reading stored.)  Every row without a CSV error is stored, also after the file has
 * errors (it is rolled back then anyway), so that duplicates are found
 * among the bad rows too.  A row the store refuses (a region or an award
 * the schema's references do not know) keeps its key in memory instead,
 * with its line: only bad rows cost memory.
 */

/* The state of one CSV file being read. */
struct csv_job {
	struct run *r;
	enum csv_kind kind;
	long long file_id;
	sqlite3_stmt *insert;    /* the INSERT of a row whose key is not there */
	sqlite3_stmt *update;    /* the UPDATE of a row whose key is */
	sqlite3_stmt *line_of;   /* the line of this file's stored row with a key */
	struct strmap unstored; /* key_text of rows the store refused -> line */
	long rows;
	int failed;          /* store failure: stop */
	int ix_year, ix_credit, ix_project, ix_award, ix_kind, ix_gender, ix_round, ix_entry;
};

static int
field_index(enum csv_kind k, const char *name)
{
	return csv_column_index(k, name);
}

/* Checks the references of ROW; returns the number of errors reported. */
static int
check_row(struct csv_job *j, const struct csv_row *row)
{
	struct run *r = j->r;
	const struct programme *p = r->prog;
	int errors = 0;

#define AT(i) r->cur->shown, row->field_line[i], row->column[i]
	if (j->kind == CSV_ENTERPRISES) {
		int i = field_index(j->kind, "region");
		if (programme_region(p, row->field[i]) == NULL) {
			diag(DIAG_REF_REGION, AT(i), row->field[i], programme_region_list(p));
			errors++;
		}
		return errors;
	}
	if (j->ix_year >= 0) {
		int year = atoi(row->field[j->ix_year]);
		if (year < p->first_year || year > p->last_year) {
			diag(DIAG_YEAR_PERIOD, AT(j->ix_year), year, p->first_year, p->last_year);
			errors++;
		}
	}
	if (j->ix_project >= 0 && !strmap_get(&r->projects, row->field[j->ix_project], NULL)) {
		diag(DIAG_REF_PROJECT, AT(j->ix_project), row->field[j->ix_project]);
		errors++;
	}
	if (j->ix_credit >= 0 && !strmap_get(&r->enterprises, row->field[j->ix_credit], NULL)) {
		diag(DIAG_REF_ENTERPRISE, AT(j->ix_credit), row->field[j->ix_credit]);
		errors++;
	}
	if (j->kind == CSV_SCORES) {
		sqlite3_bind_text(r->entry_known, 1, row->field[j->ix_round], -1, SQLITE_STATIC);
		sqlite3_bind_text(r->entry_known, 2, row->field[j->ix_entry], -1, SQLITE_STATIC);
		int rc = sqlite3_step(r->entry_known);
		sqlite3_reset(r->entry_known);
		if (rc == SQLITE_DONE) {
			diag(DIAG_REF_ENTRY, AT(j->ix_entry), row->field[j->ix_entry], row->field[j->ix_round]);
			errors++;
		} else if (rc != SQLITE_ROW)
			j->failed = 1;
	}
	if (j->kind == CSV_AWARDS) {
		const char *code = row->field[j->ix_award];
		const struct prog_award *w = programme_award(p, code);
		if (w == NULL) {
			diag(DIAG_REF_AWARD, AT(j->ix_award), code, programme_award_list(p));
			errors++;
		} else {
			const char *kind = row->field[j->ix_kind], *gender = row->field[j->ix_gender];
			if (strcmp(kind, w->recipient_kind) != 0) {
				diag(DIAG_RECIPIENT_KIND, AT(j->ix_kind), kind, w->code, w->recipient_kind);
				errors++;
			}
			if (w->women_only && strcmp(gender, "女") != 0) {
				diag(DIAG_WOMEN_ONLY, AT(j->ix_gender), w->code, gender);
				errors++;
			}
		}
	}
#undef AT
	return errors;
}

/* Binds V, converted by CONV, to parameter B of ST. */
static void
bind_value(const struct run *r, sqlite3_stmt *st, int b, enum conv conv, const char *v)
{
	switch (conv) {
	case C_TEXT:
		sqlite3_bind_text(st, b, v, -1, SQLITE_STATIC);
		break;
	case C_TEXT_NULL:
		if (*v)
			sqlite3_bind_text(st, b, v, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, b);
		break;
	case C_INT_NULL:
		if (!*v) {
			sqlite3_bind_null(st, b);
			break;
		}
		/* fall through */
	case C_INT:
		sqlite3_bind_int64(st, b, strtoll(v, NULL, 10));
		break;
	case C_REAL_NULL:
		if (!*v) {
			sqlite3_bind_null(st, b);
			break;
		}
		/* fall through */
	case C_REAL:
		sqlite3_bind_double(st, b, strtod(v, NULL));
		break;
	case C_YES_NO:
		sqlite3_bind_int(st, b, strcmp(v, "是") == 0);
		break;
	case C_REGION:
		/* NULL when unknown: the store refuses the row */
		sqlite3_bind_text(st, b, programme_region(r->prog, v), -1, SQLITE_STATIC);
		break;
	}
}

/* The key of ROW as one string: its key fields joined by U+001F, numbers
 * as the store holds them.  Caller frees. */
static char *
key_text(const struct csv_job *j, const struct csv_row *row)
{
	const int *key = csv_kind_key(j->kind);
	struct buf b = {0};

	for (int i = 0; key[i] >= 0; i++) {
		const char *v = row->field[key[i]];
		if (i > 0)
			buf_puts(&b, "\x1f");
		if (kinds[j->kind].field[key[i]].conv == C_INT)
			buf_printf(&b, "%lld", strtoll(v, NULL, 10));
		else
			buf_puts(&b, v);
	}
	return b.data ? b.data : xstrdup("");
}

/* The line of the row with ROW's key that this file stored, or 0; on a
 * store failure, 0 with j->failed set. */
static long
stored_line(struct csv_job *j, const struct csv_row *row)
{
	const int *key = csv_kind_key(j->kind);
	sqlite3_stmt *st = j->line_of;
	long line = 0;
	int i;

	for (i = 0; key[i] >= 0; i++)
		bind_value(j->r, st, i + 1, kinds[j->kind].field[key[i]].conv, row->field[key[i]]);
	sqlite3_bind_int64(st, i + 1, j->file_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		line = (long)sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		store_fail(j->r);
		j->failed = 1;
	}
	sqlite3_reset(st);
	return line;
}

/* Binds the values of ROW to ST (insert_sql and update_sql number them
 * alike): its fields, 非公企业 after an enterprise's ownership, file, line. */
static void
bind_row(struct csv_job *j, sqlite3_stmt *st, const struct csv_row *row)
{
	const struct kind_def *kd = &kinds[j->kind];
	int b = 1;

	for (int i = 0; i < kd->nfields; i++, b++) {
		const char *v = row->field[i];
		bind_value(j->r, st, b, kd->field[i].conv, v);
		if (j->kind == CSV_ENTERPRISES && strcmp(kd->field[i].column, "ownership") == 0) {
			/* 非公企业: neither 国有 nor 集体. */
			b++;
			sqlite3_bind_int(st, b, strcmp(v, "国有") != 0 && strcmp(v, "集体") != 0);
		}
	}
	sqlite3_bind_int64(st, b++, j->file_id);
	sqlite3_bind_int64(st, b, row->line);
}

/* Stores ROW (every row without a CSV error, in file order) and checks its
 * references.  Returns 0, the line of an earlier row of the file with the
 * same key (the reader reports the duplicate), or -1 on a store failure. */
static int
on_csv_row(void *arg, const struct csv_row *row)
{
	struct csv_job *j = arg;
	struct run *r = j->r;
	sqlite3_stmt *st = j->insert;
	long first;
	char *key = NULL;

	if (j->failed)
		return -1;
	if (j->unstored.n > 0) {
		key = key_text(j, row);
		if (strmap_get(&j->unstored, key, &first)) {
			free(key);
			return (int)first;
		}
	}
	bind_row(j, st, row);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE && sqlite3_changes(r->db) == 0) {
		/* the key is there: replace the row, unless this file's */
		sqlite3_reset(st);
		st = j->update;
		bind_row(j, st, row);
		rc = sqlite3_step(st);
	}
	char *why = rc != SQLITE_DONE ? xstrdup(sqlite3_errmsg(r->db)) : NULL;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE && sqlite3_changes(r->db) == 0) {
		/* The key is stored already, by this file. */
		free(key);
		first = stored_line(j, row);
		return j->failed ? -1 : (int)first;
	}
	if (rc != SQLITE_DONE && (rc & 0xFF) != SQLITE_CONSTRAINT)
		goto fail;
	if (rc != SQLITE_DONE) {
		/* Refused: check_row below says why.  Its key goes to memory. */
		first = stored_line(j, row);
		if (j->failed || first != 0) {
			free(key);
			free(why);
			return j->failed ? -1 : (int)first;
		}
		if (key == NULL)
			key = key_text(j, row);
		strmap_add(&j->unstored, key, row->line);
	}
	free(key);
	key = NULL;
	int errors = check_row(j, row);
	if (j->failed) {
		free(why);
		return -1;
	}
	if (rc != SQLITE_DONE && errors == 0)
		goto fail; /* a constraint check_row does not know */
	free(why);
	if (errors == 0)
		j->rows++;
	return 0;
fail:
	diag(DIAG_STORE, NULL, 0, 0, why);
	free(why);
	free(key);
	j->failed = 1;
	return -1;
}

/* The INSERT (UPDATE false) or the UPDATE (true) of a row of kind K (see
 * above), with the values numbered as bind_row binds them; caller frees. */
static char *
row_sql(enum csv_kind k, int update)
{
	const struct kind_def *kd = &kinds[k];
	const int *key = csv_kind_key(k);
	struct buf cols = {0}, vals = {0}, set = {0}, where = {0};
	int n = 0, param[sizeof kd->field / sizeof kd->field[0]];

	for (int i = 0; i < kd->nfields; i++) {
		param[i] = ++n;
		buf_printf(&cols, "%s, ", kd->field[i].column);
		buf_printf(&vals, "?%d, ", n);
		buf_printf(&set, "%s = ?%d, ", kd->field[i].column, n);
		if (k == CSV_ENTERPRISES && strcmp(kd->field[i].column, "ownership") == 0) {
			++n;
			buf_puts(&cols, "nonpublic, ");
			buf_printf(&vals, "?%d, ", n);
			buf_printf(&set, "nonpublic = ?%d, ", n);
		}
	}
	for (int i = 0; key[i] >= 0; i++)
		buf_printf(&where, "%s%s = ?%d", i ? " AND " : "", kd->field[key[i]].column,
		    param[key[i]]);
	char *sql = update ?
	    xasprintf("UPDATE %s SET %sfile_id = ?%d, line = ?%d WHERE %s "
		"AND (file_id <> ?%d OR line >= ?%d)", kd->table, set.data, n + 1, n + 2,
		where.data, n + 1, n + 2) :
	    xasprintf("INSERT INTO %s (%sfile_id, line) VALUES (%s?%d, ?%d) ON CONFLICT DO NOTHING",
		kd->table, cols.data, vals.data, n + 1, n + 2);
	buf_free(&cols);
	buf_free(&vals);
	buf_free(&set);
	buf_free(&where);
	return sql;
}

/* The query of the line this file stored with a key of kind K; caller frees. */
static char *
line_of_sql(enum csv_kind k)
{
	const struct kind_def *kd = &kinds[k];
	const int *key = csv_kind_key(k);
	struct buf where = {0};

	for (int i = 0; key[i] >= 0; i++)
		buf_printf(&where, "%s = ? AND ", kd->field[key[i]].column);
	char *sql = xasprintf("SELECT line FROM %s WHERE %sfile_id = ?", kd->table, where.data);
	buf_free(&where);
	return sql;
}

/* Reads the CSV file F (DATA/LEN) into the store as FILE_ID; returns the rows
 * stored, or -1 on a store failure.  Errors are counted by the sink. */
static long
load_csv(struct run *r, const struct infile *f, long long file_id, const char *data, size_t len,
    char encoding[32])
{
	struct csv_job j = {.r = r, .kind = (enum csv_kind)f->csv_kind, .file_id = file_id};
	struct csv_info info = {0};

	if (f->csv_kind < 0 || f->csv_kind >= CSV__KINDS) {
		/* Not a known header: the reader says what is wrong with it. */
		csv_read_flags(f->shown, data, len, NULL, NULL, &info, CSV_MAPPED);
		if (r->cur_errors == 0)
			diag(DIAG_CSV_HEADER_KIND, f->shown, 1, 1);
		return 0;
	}
	if (fresh_sets(r) != 0)
		return -1;
	char *sql = row_sql(j.kind, 0);
	j.insert = store_prepare(r->db, sql);
	free(sql);
	sql = row_sql(j.kind, 1);
	j.update = j.insert ? store_prepare(r->db, sql) : NULL;
	free(sql);
	sql = line_of_sql(j.kind);
	j.line_of = j.update ? store_prepare(r->db, sql) : NULL;
	free(sql);
	if (j.line_of == NULL) {
		sqlite3_finalize(j.insert);
		sqlite3_finalize(j.update);
		return -1;
	}
	j.ix_year = j.kind == CSV_PARTICIPATION || j.kind == CSV_SKILLS || j.kind == CSV_AWARDS ?
	    field_index(j.kind, "year") : -1;
	j.ix_credit = j.kind != CSV_SCORES ? field_index(j.kind, "credit_code") : -1;
	j.ix_project = j.kind == CSV_PARTICIPATION ? field_index(j.kind, "project_id") : -1;
	j.ix_award = field_index(j.kind, "award");
	j.ix_kind = field_index(j.kind, "recipient_kind");
	j.ix_gender = field_index(j.kind, "gender");
	j.ix_round = field_index(j.kind, "round");
	j.ix_entry = field_index(j.kind, "entry_id");
	csv_read_flags(f->shown, data, len, on_csv_row, &j, &info, CSV_KEYS_BY_CALLER | CSV_MAPPED);
	sqlite3_finalize(j.insert);
	sqlite3_finalize(j.update);
	sqlite3_finalize(j.line_of);
	strmap_free(&j.unstored);
	snprintf(encoding, 32, "%s", info.encoding ? info.encoding : "");
	return j.failed ? -1 : j.rows;
}

/* ---- XML annual returns ------------------------------------------------- */

/* Reads the annual return F (DATA/LEN) into the store as FILE_ID (OLD_ID: the
 * file it replaces, or 0); returns the rows stored, -2 when F is a programme
 * file (skipped), or -1 on a store failure.  Errors are counted by the sink. */
static long
load_xml(struct run *r, const struct infile *f, long long file_id, long long old_id,
    const char *data, size_t len)
{
	xmlDocPtr doc;
	struct annual_return *ar = NULL;
	sqlite3_stmt *st = NULL;
	long rows = -1;
	int errors = 0;
	char submitted[21];

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

	const struct programme *p = r->prog;
	const char *region = ar->region ? programme_region(p, ar->region) : NULL;
	if (region == NULL && ar->region != NULL) {
		diag(DIAG_REF_REGION, f->shown, ar->line, xml_column(data, len, ar->line, "region"), ar->region,
		    programme_region_list(p));
		errors++;
	}
	if (ar->year != 0 && (ar->year < p->first_year || ar->year > p->last_year)) {
		diag(DIAG_YEAR_PERIOD, f->shown, ar->line, xml_column(data, len, ar->line, "year"),
		    ar->year, p->first_year, p->last_year);
		errors++;
	}
	if (errors == 0 && xml_datetime_utc(ar->submitted, submitted) != 0) {
		diag(DIAG_XML_SUBMITTED, f->shown, ar->line, xml_column(data, len, ar->line, "submitted"),
		    ar->submitted);
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
			diag(DIAG_REF_TRACK, f->shown, pr->line, xml_column(data, len, pr->line, "track"),
			    pr->track, programme_track_list(p));
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
			diag(DIAG_PROJECT_TAKEN, f->shown, pr->line, xml_column(data, len, pr->line, "id"), pr->id,
			    (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
			    (const char *)sqlite3_column_text(st, 2));
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
		}
		else
			diag(DIAG_AR_SUPERSEDED, f->shown, ar->line, 1, region, ar->year, theirs);
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
	ar_free(ar);
	return rows;
}

/* ---- One file, one savepoint ---------------------------------------------- */

/* The CSV kind of a file of KIND ("participation", ...), or -1 (an annual
 * return, or unknown). */
static int
csv_kind_of(const char *kind)
{
	for (int k = 0; k < CSV__KINDS; k++)
		if (kind != NULL && strcmp(kind, csv_kind_name((enum csv_kind)k)) == 0)
			return k;
	return -1;
}

/* Brings back, for every key of kind K that no row holds any more, the
 * latest earlier row kept of it (see store.c); returns how many, or -1
 * after a diagnostic.  (No temporary table: forget calls this while it
 * reads the file table.) */
static long
restore_earlier(struct run *r, enum csv_kind k)
{
	const struct kind_def *kd = &kinds[k];
	const int *key = csv_kind_key(k);
	struct buf on = {0}, by = {0}, same = {0};
	char *sql;
	long n = -1;

	for (int i = 0; key[i] >= 0; i++) {
		const char *c = kd->field[key[i]].column;
		buf_printf(&on, "%st.%s = e.%s", i ? " AND " : "", c, c);
		buf_printf(&by, "%se.%s", i ? ", " : "", c);
		buf_printf(&same, "t.%s = %s_earlier.%s AND ", c, kd->table, c);
	}
	sql = xasprintf("INSERT INTO %s SELECT * FROM %s_earlier WHERE rowid IN "
	    "(SELECT max(e.rowid) FROM %s_earlier e WHERE NOT EXISTS (SELECT 1 FROM %s t WHERE %s) "
	    "GROUP BY %s)", kd->table, kd->table, kd->table, kd->table, on.data, by.data);
	if (store_exec(r->db, sql) == 0) {
		n = sqlite3_changes(r->db);
		free(sql);
		/* what came back is no longer an earlier row */
		sql = xasprintf("DELETE FROM %s_earlier WHERE EXISTS (SELECT 1 FROM %s t WHERE %s"
		    "t.file_id = %s_earlier.file_id AND t.line = %s_earlier.line)",
		    kd->table, kd->table, same.data, kd->table, kd->table);
		if (n > 0 && store_exec(r->db, sql) != 0)
			n = -1;
	}
	free(sql);
	buf_free(&on);
	buf_free(&by);
	buf_free(&same);
	return n;
}

/* Removes what file ID (of KIND) contributed; returns the rows removed, or
 * -1 after a diagnostic.  With NEW_ID, counts for an annual return only the
 * projects and studios the new return (of file NEW_ID) no longer has.  A
 * CSV row removed whose key an earlier file also had brings that file's row
 * back (SPEC 3.2: the latest remaining file wins); *RESTORED counts them. */
static long
remove_contribution(struct run *r, long long id, const char *kind, long long new_id,
    long *restored)
{
	int k = csv_kind_of(kind);
	char *sql;
	long n = 0;

	*restored = 0;
	if (k >= 0) {
		const char *table = kinds[k].table;
		sql = xasprintf("DELETE FROM %s_earlier WHERE file_id = %lld; "
		    "DELETE FROM %s WHERE file_id = %lld", table, id, table, id);
		int rc = store_exec(r->db, sql);
		free(sql);
		if (rc != 0)
			return -1;
		n = sqlite3_changes(r->db);
		if (n > 0 && (*restored = restore_earlier(r, (enum csv_kind)k)) < 0)
			return -1;
		if (n > 0 && k == CSV_ENTERPRISES)
			r->refs_removed |= REFS_ENTERPRISES;
		if (n > 0 && k == CSV_ACHIEVEMENTS)
			r->refs_removed |= REFS_ENTRIES;
		return n;
	}
	/* Annual returns: their projects and studios go with them (cascade). */
	sql = xasprintf("SELECT (SELECT count(*) FROM project p WHERE p.return_id IN (SELECT id FROM annual_return WHERE file_id = %lld)"
	    "   AND p.id NOT IN (SELECT id FROM project WHERE return_id IN (SELECT id FROM annual_return WHERE file_id = %lld)))"
	    " + (SELECT count(*) FROM studio s WHERE s.return_id IN (SELECT id FROM annual_return WHERE file_id = %lld)"
	    "   AND s.id NOT IN (SELECT id FROM studio WHERE return_id IN (SELECT id FROM annual_return WHERE file_id = %lld)))",
	    id, new_id, id, new_id);
	sqlite3_stmt *st = store_prepare(r->db, sql);
	free(sql);
	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sql = xasprintf("DELETE FROM annual_return WHERE file_id = %lld", id);
	int rc = store_exec(r->db, sql);
	free(sql);
	if (n > 0)  /* projects (or studios) gone */
		r->refs_removed |= REFS_PROJECTS;
	return rc != 0 ? -1 : n;
}

/* Maps FILE read-only; *LEN 0 gives a non-NULL empty buffer.  Returns the
 * data (unmap with unmap_file) or NULL after a diagnostic. */
static const char *
map_file(const char *path, size_t *len)
{
	static const char empty[1];
	struct stat sb;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &sb) != 0) {
		diag(DIAG_IN_READ, path, 0, 0, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	*len = (size_t)sb.st_size;
	if (*len == 0) {
		close(fd);
		return empty;
	}
	void *p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		diag(DIAG_IN_READ, path, 0, 0, strerror(errno));
		return NULL;
	}
	madvise(p, *len, MADV_SEQUENTIAL);
	return p;
}

static void
unmap_file(const char *data, size_t len)
{
	if (len > 0)
		munmap((void *)data, len);
}

/* The kind name stored in file.kind. */
static const char *
file_kind(const struct infile *f)
{
	if (f->slot == SLOT_XML)
		return "annual-return";
	if (f->csv_kind >= 0 && f->csv_kind < CSV__KINDS)
		return csv_kind_name((enum csv_kind)f->csv_kind);
	return NULL;
}

/* Records the rejection of F with the kept diagnostics.  Returns 0 or -1. */
static int
record_rejection(struct run *r, const struct infile *f)
{
	sqlite3_stmt *st;
	long long id = f->prior_id;

	if (id != 0) {
		st = store_prepare(r->db, "UPDATE file SET status = 'rejected', rows = 0, kind = ?, ingested_at = "
		    "CASE WHEN status = 'rejected' THEN ingested_at ELSE ? END WHERE id = ?");
		if (st == NULL)
			return -1;
		sqlite3_bind_text(st, 1, file_kind(f), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, id);
	} else {
		st = store_prepare(r->db, "INSERT INTO file (path, sha256, size, kind, ingested_at, status) "
		    "VALUES (?, ?, ?, ?, ?, 'rejected')");
		if (st == NULL)
			return -1;
		sqlite3_bind_text(st, 1, f->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, f->sha256, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, f->size);
		sqlite3_bind_text(st, 4, file_kind(f), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->now, -1, SQLITE_STATIC);
	}
	int rc = step_done(r, st);
	sqlite3_finalize(st);
	if (rc != 0)
		return -1;
	if (id == 0)
		id = sqlite3_last_insert_rowid(r->db);
	char *sql = xasprintf("DELETE FROM rejection WHERE file_id = %lld", id);
	rc = store_exec(r->db, sql);
	free(sql);
	st = store_prepare(r->db, "INSERT INTO rejection (file_id, line, col, message) VALUES (?, ?, ?, ?)");
	if (rc != 0 || st == NULL)
		return -1;
	for (size_t i = 0; i < r->nkept && rc == 0; i++) {
		sqlite3_bind_int64(st, 1, id);
		if (r->kept[i].line > 0) {
			sqlite3_bind_int64(st, 2, r->kept[i].line);
			sqlite3_bind_int64(st, 3, r->kept[i].column > 0 ? r->kept[i].column : 1);
		} else {
			sqlite3_bind_null(st, 2);
			sqlite3_bind_null(st, 3);
		}
		sqlite3_bind_text(st, 4, r->kept[i].message, -1, SQLITE_STATIC);
		rc = step_done(r, st);
		sqlite3_clear_bindings(st);
	}
	if (rc == 0 && r->dropped > 0) {
		char *more = xasprintf(jz_doc_text(N_("… and %ld more errors")), r->dropped);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 4, more, -1, SQLITE_TRANSIENT);
		rc = step_done(r, st);
		free(more);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Marks earlier rejected contents of F's path as replaced: the data-quality
 * appendix lists only the latest rejection of each path.  Returns 0 or -1. */
static int
retire_rejections(struct run *r, const struct infile *f)
{
	sqlite3_stmt *st = store_prepare(r->db, "UPDATE file SET status = 'replaced' "
	    "WHERE path = ? AND status = 'rejected' AND sha256 <> ?");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, f->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->sha256, -1, SQLITE_STATIC);
	rc = step_done(r, st);
	sqlite3_finalize(st);
	return rc;
}

/* Stores F in its own savepoint.  Returns 0 (accepted or rejected: see the
 * summary) or -1 on a store failure. */
static int
process_file(struct run *r, struct infile *f)
{
	struct ingest_summary *sum = r->sum;
	size_t len = 0;
	const char *data;
	long long file_id, old_id = 0;
	char *old_kind = NULL;
	char encoding[32] = "";
	long rows;
	sqlite3_stmt *st;

	r->cur = f;
	r->cur_errors = 0;
	kept_clear(r);
	if ((data = map_file(f->shown, &len)) == NULL) {
		sum->rejected++;
		r->cur = NULL;
		return 0;
	}
	if (store_exec(r->db, "SAVEPOINT file") != 0)
		goto fail;

	/* The accepted earlier content of this path, if any. */
	st = store_prepare(r->db, "SELECT id, kind FROM file WHERE path = ? AND status = 'accepted' AND sha256 <> ?");
	if (st == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, f->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->sha256, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		old_id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_text(st, 1))
			old_kind = xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);

	/* This content's row in `file`: reused when these bytes were seen before. */
	if (f->prior_id != 0) {
		st = store_prepare(r->db, "UPDATE file SET status = 'accepted', kind = ?, size = ?, ingested_at = ?, rows = 0 WHERE id = ?");
		if (st == NULL)
			goto fail;
		sqlite3_bind_int64(st, 4, f->prior_id);
	} else {
		st = store_prepare(r->db, "INSERT INTO file (kind, size, ingested_at, path, sha256, status) VALUES (?, ?, ?, ?, ?, 'accepted')");
		if (st == NULL)
			goto fail;
		sqlite3_bind_text(st, 4, f->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, f->sha256, -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 1, file_kind(f), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, f->size);
	sqlite3_bind_text(st, 3, r->now, -1, SQLITE_STATIC);
	if (step_done(r, st) != 0) {
		sqlite3_finalize(st);
		goto fail;
	}
	sqlite3_finalize(st);
	file_id = f->prior_id ? f->prior_id : sqlite3_last_insert_rowid(r->db);
	if (f->prior_id) {
		char *sql = xasprintf("DELETE FROM rejection WHERE file_id = %lld", file_id);
		int rc = store_exec(r->db, sql);
		free(sql);
		if (rc != 0)
			goto fail;
	}

	/* rows the earlier content of this path loses to this one are not
	 * kept as earlier rows (store.c): that content is going */
	if (old_id != 0) {
		char *sql = xasprintf("DELETE FROM replacing; INSERT INTO replacing VALUES (%lld)", old_id);
		int rc = store_exec(r->db, sql);
		free(sql);
		if (rc != 0)
			goto fail;
	}

	if (len == 0) {
		diag(DIAG_IN_EMPTY, f->shown, 1, 1);
		rows = 0;
	} else if (f->slot == SLOT_XML) {
		rows = load_xml(r, f, file_id, old_id, data, len);
		strcpy(encoding, "UTF-8");
		r->projects_stale = 1;
	} else if (f->slot == SLOT_OTHER && memchr(data, '\0', len < SNIFF_BYTES ? len : SNIFF_BYTES)) {
		const char *nul = memchr(data, '\0', len < SNIFF_BYTES ? len : SNIFF_BYTES);
		diag(DIAG_IN_BINARY, f->shown, 1, 1, 0, (long)(nul - data));
		rows = 0;
	} else {
		rows = load_csv(r, f, file_id, data, len, encoding);
		if (f->slot == SLOT_ENTERPRISES)
			r->enterprises_stale = 1;
	}
	if (rows == -2) {
		/* Not a submission after all: leave no trace. */
		if (store_exec(r->db, "ROLLBACK TO file; RELEASE file") != 0)
			goto fail;
		sum->files--;
		unmap_file(data, len);
		free(old_kind);
		r->cur = NULL;
		return 0;
	}
	if (rows < 0)
		goto fail;

	if (r->cur_errors > 0) {
		/* Rejected: nothing of it stays, but the rejection is recorded. */
		if (store_exec(r->db, "ROLLBACK TO file") != 0 || record_rejection(r, f) != 0 ||
		    retire_rejections(r, f) != 0 || store_exec(r->db, "RELEASE file") != 0)
			goto fail;
		sum->rejected++;
	} else {
		long vanished = 0, restored = 0;
		if (old_id != 0) {
			vanished = remove_contribution(r, old_id, old_kind, file_id, &restored);
			char *sql = xasprintf("DELETE FROM replacing; "
			    "UPDATE file SET status = 'replaced' WHERE id = %lld", old_id);
			int rc = vanished < 0 ? -1 : store_exec(r->db, sql);
			free(sql);
			if (rc != 0)
				goto fail;
			if (vanished > 0)
				diag(DIAG_IN_VANISHED, f->shown, 0, 0, vanished);
			if (restored > 0)
				diag(DIAG_IN_RESTORED, f->shown, 0, 0, restored);
			sum->changed++;
			sum->rows_vanished += vanished;
		}
		st = store_prepare(r->db, "UPDATE file SET rows = ?, encoding = ? WHERE id = ?");
		if (st == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, rows);
		sqlite3_bind_text(st, 2, encoding, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, file_id);
		int rc = step_done(r, st);
		sqlite3_finalize(st);
		if (rc != 0 || retire_rejections(r, f) != 0 || store_exec(r->db, "RELEASE file") != 0)
			goto fail;
		sum->accepted++;
		sum->rows += rows;
	}
	unmap_file(data, len);
	free(old_kind);
	r->cur = NULL;
	return 0;
fail:
	unmap_file(data, len);
	free(old_kind);
	r->cur = NULL;
	sqlite3_exec(r->db, "ROLLBACK TO file; RELEASE file", NULL, NULL, NULL);
	return -1;
}

/* Warns about accepted files under the input folder that were not found. */
static int
warn_disappeared(struct run *r)
{
	sqlite3_stmt *st = store_prepare(r->db, "SELECT path, rows FROM file WHERE status = 'accepted' "
	    "AND path NOT LIKE '/%' ORDER BY path");

	if (st == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		if (strmap_get(&r->seen_keys, key, NULL))
			continue;
		char *shown = path_join(r->opts->input_dir, key);
		diag(DIAG_IN_DISAPPEARED, shown, 0, 0, (long)sqlite3_column_int64(st, 1), shown);
		free(shown);
		r->sum->disappeared++;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Looks up which files are unchanged (same path, same bytes, accepted) and
 * which content was seen before under another status. */
static int
find_prior(struct run *r)
{
	sqlite3_stmt *st = store_prepare(r->db, "SELECT id, status FROM file WHERE path = ? AND sha256 = ?");

	if (st == NULL)
		return -1;
	for (size_t i = 0; i < r->nfiles; i++) {
		struct infile *f = &r->files[i];
		sqlite3_bind_text(st, 1, f->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, f->sha256, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			f->prior_id = sqlite3_column_int64(st, 0);
			snprintf(f->prior_status, sizeof f->prior_status, "%s", (const char *)sqlite3_column_text(st, 1));
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return 0;
}

int
ingest_paths(sqlite3 *db, const struct jz_opts *o, int npaths, char *const *paths,
    int check_only, struct ingest_summary *sum)
{
	struct run r = {.db = db, .opts = o, .sum = sum, .check_only = check_only,
	    .enterprises_stale = 1, .projects_stale = 1};
	sqlite3 *own = NULL;
	int status = JZ_EXIT_OK, covers_input = npaths == 0, in_txn = 0;
	char real[PATH_MAX];

	memset(sum, 0, sizeof *sum);
	if (db == NULL) {
		if ((own = store_open(":memory:", 0)) == NULL)
			return JZ_EXIT_FAILURE;
		r.db = own;
	}
	diag_set_sink(ingest_sink, &r, &r.old_fn, &r.old_arg);
	if (realpath(o->input_dir, real) != NULL)
		r.input_real = xstrdup(real);
	time_t now = (time_t)jz_now();
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(r.now, sizeof r.now, "%Y-%m-%dT%H:%M:%SZ", &tm);

	/* The reference data first. */
	char *prog_path = path_join(o->input_dir, "programme.xml");
	r.prog = programme_load(prog_path);
	if (r.prog == NULL) {
		free(prog_path);
		status = JZ_EXIT_FAILURE;
		goto out;
	}
	/* `check` runs in one transaction rolled back at the end; `ingest`
	 * commits each file (its savepoint is then the transaction). */
	if (check_only) {
		if (store_begin(r.db) != 0) {
			free(prog_path);
			status = JZ_EXIT_FAILURE;
			goto out;
		}
		in_txn = 1;
	}
	if (programme_store(r.db, r.prog, prog_path, &sum->programme_changed) != 0) {
		free(prog_path);
		status = JZ_EXIT_FAILURE;
		goto out;
	}
	free(prog_path);

	/* Find, hash and recognise. */
	for (int i = 0; i < npaths; i++) {
		if (r.input_real != NULL && realpath(paths[i], real) != NULL && strcmp(real, r.input_real) == 0)
			covers_input = 1;
		if (walk(&r, paths[i], 1) != 0)
			status = JZ_EXIT_REJECTED;
	}
	if (npaths == 0 && walk(&r, o->input_dir, 1) != 0)
		status = JZ_EXIT_REJECTED;
	for (size_t i = 0; i < r.nfiles; i++) {
		struct infile *f = &r.files[i];
		strmap_add(&r.seen_keys, f->key, 0);
		sum->files++;
		if (recognise(f) != 0) {
			sum->rejected++;
			f->slot = SLOT_OTHER + 1; /* not processed */
		}
	}
	if (find_prior(&r) != 0) {
		status = JZ_EXIT_FAILURE;
		goto out;
	}
	for (size_t i = 0; i < r.nfiles; i++) {
		struct infile *f = &r.files[i];
		/* `check` validates stored files again; `ingest` skips them. */
		if (!check_only && strcmp(f->prior_status, "accepted") == 0 && f->slot <= SLOT_OTHER) {
			sum->unchanged++;
			f->slot = SLOT_OTHER + 1;
		}
	}
	qsort(r.files, r.nfiles, sizeof *r.files, by_slot);
	r.entry_known = store_prepare(r.db, "SELECT 1 FROM achievement WHERE round = ? AND entry_id = ?");
	if (r.entry_known == NULL) {
		status = JZ_EXIT_FAILURE;
		goto out;
	}
	for (size_t i = 0; i < r.nfiles; i++) {
		if (r.files[i].slot > SLOT_OTHER)
			continue;
		if (process_file(&r, &r.files[i]) != 0) {
			status = JZ_EXIT_FAILURE;
			goto out;
		}
	}
	if (covers_input && warn_disappeared(&r) != 0) {
		status = JZ_EXIT_FAILURE;
		goto out;
	}
	if (r.refs_removed && refcheck_report(r.db, r.refs_removed, o->input_dir) < 0) {
		status = JZ_EXIT_FAILURE;
		goto out;
	}
	if (sum->rejected > 0 && status < JZ_EXIT_REJECTED)
		status = JZ_EXIT_REJECTED;
out:
	sqlite3_finalize(r.entry_known);
	if (in_txn)
		store_rollback(r.db);
	diag_set_sink(r.old_fn, r.old_arg, NULL, NULL);
	kept_clear(&r);
	free(r.kept);
	for (size_t i = 0; i < r.nfiles; i++) {
		free(r.files[i].shown);
		free(r.files[i].key);
	}
	free(r.files);
	strmap_free(&r.seen_keys);
	strmap_free(&r.enterprises);
	strmap_free(&r.projects);
	programme_free(r.prog);
	free(r.input_real);
	store_close(own);
	return status;
}

int
ingest_forget(sqlite3 *db, const struct jz_opts *o, const char *path, long *rows_removed,
    long *rows_back)
{
	struct run r = {.db = db, .opts = o};
	char real[PATH_MAX];
	int status = JZ_EXIT_OK, found = 0;

	*rows_removed = 0;
	*rows_back = 0;
	if (realpath(o->input_dir, real) != NULL)
		r.input_real = xstrdup(real);
	char *key = store_key(&r, path);
	if (store_begin(db) != 0) {
		free(key);
		free(r.input_real);
		return JZ_EXIT_FAILURE;
	}
	sqlite3_stmt *st = store_prepare(db, "SELECT id, kind FROM file WHERE path = ? AND status = 'accepted'");
	if (st == NULL)
		status = JZ_EXIT_FAILURE;
	else {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		while (status == JZ_EXIT_OK && sqlite3_step(st) == SQLITE_ROW) {
			long long id = sqlite3_column_int64(st, 0);
			const char *kind = (const char *)sqlite3_column_text(st, 1);
			long restored;
			long n = remove_contribution(&r, id, kind, 0, &restored);
			if (n < 0) {
				status = JZ_EXIT_FAILURE;
				break;
			}
			*rows_back += restored;
			if (csv_kind_of(kind) < 0) {
				/* An annual return: count its rows as stored. */
				sqlite3_stmt *c = store_prepare(db, "SELECT rows FROM file WHERE id = ?");
				if (c != NULL) {
					sqlite3_bind_int64(c, 1, id);
					if (sqlite3_step(c) == SQLITE_ROW)
						n = sqlite3_column_int64(c, 0);
					sqlite3_finalize(c);
				}
			}
			*rows_removed += n;
			found++;
		}
		sqlite3_finalize(st);
	}
	if (status == JZ_EXIT_OK && found) {
		st = store_prepare(db, "UPDATE file SET status = 'forgotten' WHERE path = ? AND status = 'accepted'");
		if (st == NULL)
			status = JZ_EXIT_FAILURE;
		else {
			sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				{ store_fail(&r); status = JZ_EXIT_FAILURE; }
			sqlite3_finalize(st);
		}
	}
	if (status == JZ_EXIT_OK && !found) {
		diag(DIAG_FORGET_UNKNOWN, NULL, 0, 0, path);
		status = JZ_EXIT_USAGE;
	}
	if (status == JZ_EXIT_OK) {
		if (store_commit(db) != 0)
			status = JZ_EXIT_FAILURE;
		else if (access(path, F_OK) == 0)
			diag(DIAG_FORGET_PRESENT, path, 0, 0);
		if (status == JZ_EXIT_OK && r.refs_removed && refcheck_report(db, r.refs_removed, o->input_dir) < 0)
			status = JZ_EXIT_FAILURE;
	} else
		store_rollback(db);
	free(key);
	free(r.input_real);
	return status;
}

void
ingest_print_summary(const struct ingest_summary *s, int quiet)
{
	if (quiet && s->rejected == 0)
		return;
	printf("%d file%s accepted (%ld row%s), %d rejected, %d unchanged", s->accepted,
	    s->accepted == 1 ? "" : "s", s->rows, s->rows == 1 ? "" : "s", s->rejected, s->unchanged);
	if (s->changed > 0)
		printf("; %d changed file%s dropped %ld row%s", s->changed, s->changed == 1 ? "" : "s",
		    s->rows_vanished, s->rows_vanished == 1 ? "" : "s");
	if (s->disappeared > 0)
		printf("; %d file%s gone from the input folder (data kept)", s->disappeared,
		    s->disappeared == 1 ? "" : "s");
	if (s->programme_changed)
		printf("; programme.xml loaded");
	putchar('\n');
}

/* ---- Subcommands --------------------------------------------------------------- */

int
cmd_ingest(const struct jz_opts *o, const struct jz_args *a)
{
	struct ingest_summary sum;
	sqlite3 *db = store_open(o->db_path, 0);
	int status;

	if (db == NULL)
		return JZ_EXIT_FAILURE;
	status = ingest_paths(db, o, a->argc, a->argv, 0, &sum);
	store_close(db);
	if (status != JZ_EXIT_FAILURE)
		ingest_print_summary(&sum, o->quiet);
	return status;
}

int
cmd_check(const struct jz_opts *o, const struct jz_args *a)
{
	struct ingest_summary sum;
	sqlite3 *db = NULL;
	int status;

	/* The store's data resolves references; a missing store is not created. */
	if (access(o->db_path, F_OK) == 0 && (db = store_open(o->db_path, 0)) == NULL)
		return JZ_EXIT_FAILURE;
	status = ingest_paths(db, o, a->argc, a->argv, 1, &sum);
	store_close(db);
	if (status != JZ_EXIT_FAILURE && !o->quiet)
		printf("%d file%s checked: %d good, %d rejected, %d already stored\n", sum.files,
		    sum.files == 1 ? "" : "s", sum.accepted, sum.rejected, sum.unchanged);
	return status;
}

int
cmd_forget(const struct jz_opts *o, const struct jz_args *a)
{
	sqlite3 *db = store_open(o->db_path, 0);
	int status = JZ_EXIT_OK;

	if (db == NULL)
		return JZ_EXIT_FAILURE;
	for (int i = 0; i < a->argc; i++) {
		long rows, back;
		int s = ingest_forget(db, o, a->argv[i], &rows, &back);
		if (s == JZ_EXIT_OK && !o->quiet) {
			printf("%s: forgotten, %ld row%s removed", a->argv[i], rows, rows == 1 ? "" : "s");
			if (back > 0)
				printf("; %ld row%s of earlier files came back in their place", back,
				    back == 1 ? "" : "s");
			printf("\n");
		}
		if (s > status)
			status = s;
	}
	store_close(db);
	return status;
}
