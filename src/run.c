/* run.c — `jingsai run`, the nightly job: lock, ingest what is new, rebuild
 * what changed, and say so only when something needs saying.
 *
 * Crash safety comes from the pieces below it: every store change is an
 * SQLite transaction (WAL), every document goes through out_write (temporary
 * file, fsync, rename) and is recorded with the fingerprint of its inputs
 * only after it is in place.  A run killed at any moment therefore leaves
 * old-or-new files and a consistent store, and the next run redoes exactly
 * what is missing. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "ingest.h"
#include "lock.h"
#include "outputs.h"
#include "programme.h"
#include "receipt.h"
#include "store.h"

/* What the nightly run gathers while it works, for the summary and the log. */
struct nightly {
	const struct jz_opts *opts;
	FILE *diags;           /* every diagnostic, formatted, in memory */
	char *diags_text;
	size_t diags_len;
	int shown;             /* diagnostics that are worth a person's attention */
	int store_failures;    /* DIAG_STORE reported: the run stops */
	struct buf failed;     /* builder calls that failed: "certificates 2021, ..." */
	struct buf receipts;   /* the receipts made: "如皋市, 未归属" */
	/* progress bar (a terminal only) */
	int bar;
	long done, total;
	double started, last_draw;
};

/* The diagnostics sink: keep everything for the log; notes only count with
 * --verbose, warnings not with --quiet. */
static void
run_sink(const struct diag_msg *m, void *arg)
{
	struct nightly *r = arg;

	if (m->code == DIAG_STORE)
		r->store_failures++;
	if (m->level == DIAG_NOTE && !r->opts->verbose)
		return;
	if (m->level == DIAG_WARNING && r->opts->quiet)
		return;
	diag_print(r->diags, m);
	if (m->level >= DIAG_WARNING)
		r->shown++;
}

/* ---- Progress bar -------------------------------------------------------- */

static void
bar_draw(struct nightly *r, int final)
{
	double t = jz_wall_seconds(), elapsed = t - r->started;
	double rate = elapsed > 0 ? r->done / elapsed : 0;
	char line[160];
	int n;

	if (!final && t - r->last_draw < 0.1)
		return;
	r->last_draw = t;
	if (r->total > r->done) {
		int width = 30, fill = (int)(width * r->done / r->total);
		char bar[31];
		memset(bar, '#', (size_t)fill);
		memset(bar + fill, '.', (size_t)(width - fill));
		bar[width] = '\0';
		n = snprintf(line, sizeof line, _("[%s] %ld/%ld documents  %.1f/s "), bar,
		    r->done, r->total, rate);
	} else
		n = snprintf(line, sizeof line, _("%ld documents  %.1f/s "), r->done, rate);
	if (n >= (int)sizeof line)
		n = (int)sizeof line - 1;
	fputc('\r', stderr);
	fwrite(line, 1, (size_t)n, stderr);
	if (final)
		fputs("\r\033[K", stderr); /* leave the terminal as it was */
	fflush(stderr);
}

static void
bar_step(void *arg, const char *relpath)
{
	(void)relpath;
	struct nightly *r = arg;

	r->done++;
	bar_draw(r, 0);
}

/* ---- Leftovers of an interrupted run -------------------------------------- */

/* Removes under DIR (open as FD) every temporary file of atomic_write
 * ("NAME.tmp.PID") whose writer is gone.  Names only: nothing is stat'ed,
 * the output folder holds a file per certificate. */
static void
sweep_dir(int fd, const char *dir, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;

	if (d == NULL) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		const char *tmp = strstr(e->d_name, ".tmp.");
		char *end;
		long pid;

		if (e->d_name[0] == '.')
			continue;
		if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) {
			int sub = depth < 16 ? openat(dirfd(d), e->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
			if (sub >= 0) {
				char *path = path_join(dir, e->d_name);
				sweep_dir(sub, path, depth + 1);
				free(path);
				continue;
			}
			if (e->d_type == DT_DIR)
				continue;
		}
		if (tmp == NULL)
			continue;
		pid = strtol(tmp + 5, &end, 10);
		if (*end != '\0' || pid <= 0)
			continue;
		/* A hand-run command (which takes no lock) may be writing it now. */
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0) {
			char *path = path_join(dir, e->d_name);
			diag(DIAG_RUN_STALE, path, 0, 0, e->d_name);
			free(path);
		}
	}
	closedir(d);
}

/* Sweeps the output folder DIR when a process that wrote under it is gone
 * without saying it had finished (the marks of out_writing_mark beside the
 * store DB_PATH); a night after clean runs looks at no folder. */
static void
sweep_temporaries(const char *dir, const char *db_path)
{
	char *copy = xstrdup(db_path), *var = dirname(copy);
	char **gone = NULL;
	size_t ngone = 0;
	DIR *d = opendir(var);
	struct dirent *e;
	int fd;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char *end;
		long pid;

		if (strncmp(e->d_name, "jingsai.writing.", 16) != 0)
			continue;
		pid = strtol(e->d_name + 16, &end, 10);
		if (*end != '\0' || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		gone = xrealloc(gone, (ngone + 1) * sizeof *gone);
		gone[ngone++] = path_join(var, e->d_name);
	}
	if (d != NULL)
		closedir(d);
	if (ngone > 0 && (fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		sweep_dir(fd, dir, 0);
	for (size_t i = 0; i < ngone; i++) {
		unlink(gone[i]);
		free(gone[i]);
	}
	free(gone);
	free(copy);
}

/* ---- What to build ---------------------------------------------------------- */

/*
 * A builder call ("annual 2025") is a group of documents under one folder.
 * The builders skip each unchanged document by its fingerprint, but finding
 * that out means running every query of every document, which at city scale
 * costs seconds per call.  So the run also keeps, per group, a fingerprint
 * of the whole state its documents can depend on: the program, fonts and
 * programme (oc->base), every template (the folder's *.xml), every file
 * ever ingested with its status and rejections (all submitted data comes
 * from them), the state the builders keep themselves (serials, bulletin
 * numbers; the certificates by their count of changes, table_changes), the
 * certificate key and SOURCE_DATE_EPOCH.  When that state is what it was
 * after the group's last complete build, and every document recorded under
 * its folder is still there as written, the group is skipped whole.
 */
struct groups {
	char state[65];        /* fingerprint of the state, without the group's name */
	char **done;           /* groups built completely in this run: "annual 2025" */
	char **folder;         /* and their folders: "annual/2025/" */
	size_t n;
};

/* Only the templates (*.xml) of the templates folder count: a note kept
 * beside them (README.md, 说明.txt) changes no document, and counting it
 * made the next run, nothing changed, work out every document's fingerprint
 * again (a city: 0.90 s instead of 0.05 s; a province: 13.8 s, not 0.6 s). */
static int
is_template(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 4 && strcmp(e->d_name + n - 4, ".xml") == 0;
}

/* Adds every template of DIR (names and bytes, sorted; not recursive) to FP. */
static void
fp_add_folder(struct fingerprint *fp, const char *dir)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, is_template, alphasort);

	fp_add_str(fp, dir);
	for (int i = 0; i < n; i++) {
		char *path = path_join(dir, names[i]->d_name);
		fp_add_file(fp, path);
		free(path);
		free(names[i]);
	}
	free(names);
}

static int
table_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
	int found;

	if (st == NULL)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* The state fingerprint (see above) into HEX; returns 0 or -1. */
static int
state_fingerprint(struct out_ctx *oc, char hex[65])
{
	/* builders' own state: the small tables whole, the certificates by
	 * their count of changes */
	static const char *const kept[] = {"cert_signing", "bulletin_issue"};
	struct fingerprint *fp = fp_new(oc);
	const char *key_file = oc->opts->key_file;
	int rc = 0;

	fp_add_str(fp, "run state 2");
	fp_add_folder(fp, oc->opts->templates_dir);
	if (fp_add_query(fp, oc->db, "SELECT * FROM file ORDER BY id") != 0 ||
	    fp_add_query(fp, oc->db, "SELECT * FROM rejection ORDER BY file_id, line, col, message") != 0)
		rc = -1;
	for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
		if (table_exists(oc->db, kept[i])) {
			char *sql = xasprintf("SELECT * FROM %s ORDER BY 1, 2", kept[i]);
			if (fp_add_query(fp, oc->db, sql) != 0)
				rc = -1;
			free(sql);
		}
	}
	if (fp_add_query(fp, oc->db, "SELECT changes FROM table_changes WHERE name = 'certificate'") != 0)
		rc = -1;
	fp_add_str(fp, key_file);
	if (key_file != NULL)
		fp_add_file(fp, key_file);
	fp_add_str(fp, oc->opts->source_date_epoch);
	fp_done(fp, hex);
	return rc;
}

static void
group_fingerprint(const char *state, const char *name, char hex[65])
{
	struct fingerprint *fp = fp_new(NULL);

	fp_add_str(fp, state);
	fp_add_str(fp, name);
	fp_done(fp, hex);
}

/* 1 when group NAME (documents under FOLDER) can be skipped; counts its
 * documents as unchanged then. */
static int
group_unchanged(struct out_ctx *oc, const struct groups *g, const char *name, const char *folder)
{
	sqlite3_stmt *st;
	char hex[65];
	int same = 0;
	long recorded = -1, n;

	if (oc->force || g->state[0] == '\0')
		return 0;
	group_fingerprint(g->state, name, hex);
	st = store_prepare(oc->db, "SELECT documents FROM run_group WHERE name = ?1 AND fingerprint = ?2");
	if (st == NULL)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		recorded = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (recorded >= 0 && (n = out_folder_intact(oc, folder)) == recorded) {
		same = 1;
		for (long i = 0; i < n; i++)
			out_unchanged(oc, folder);
	}
	return same;
}

/* Records every group built completely in this run against the state the
 * store is in now (the builders may have added serials or numbers). */
static void
groups_record(struct out_ctx *oc, struct groups *g)
{
	char state[65], hex[65];
	sqlite3_stmt *st;

	if (g->n == 0 || state_fingerprint(oc, state) != 0 || store_begin(oc->db) != 0)
		return;
	st = store_prepare(oc->db, "INSERT OR REPLACE INTO run_group (name, fingerprint, documents) "
	    "VALUES (?1, ?2, (SELECT count(*) FROM document WHERE substr(path, 1, length(?3)) = ?3))");
	for (size_t i = 0; st != NULL && i < g->n; i++) {
		group_fingerprint(state, g->done[i], hex);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, g->done[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, g->folder[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(oc->db));
			sqlite3_finalize(st);
			store_rollback(oc->db);
			return;
		}
	}
	sqlite3_finalize(st);
	store_commit(oc->db);
}

static void
groups_free(struct groups *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->done[i]);
		free(g->folder[i]);
	}
	free(g->done);
	free(g->folder);
}

/* One kind of builder call: which values, which builder, which folder. */
struct builder {
	const char *what;        /* "annual": the group's name in the store */
	const char *shown;       /* the group as messages name it, %s = the value */
	const char *sql;         /* the values (years, rounds), one column */
	int (*fn)(struct out_ctx *, const char *);
	const char *folder;      /* printf format of the folder, %s = the value */
};

/* Calls K's builder for each value of its query, unless the group is
 * unchanged; returns the worst exit status of the calls, or
 * JZ_EXIT_FAILURE if the query fails.  A document that cannot be built is
 * reported by its builder and the next group is built all the same (a bad
 * name in 2021 does not stop 2022); only a failure of the store, which every
 * later group would meet too, or an interrupt stops the calls. */
static int
each_row(struct nightly *r, struct out_ctx *oc, struct groups *g, const struct builder *k)
{
	sqlite3_stmt *st = store_prepare(oc->db, k->sql);
	char **values = NULL;
	size_t n = 0;
	int rc, status = JZ_EXIT_OK;

	if (st == NULL)
		return JZ_EXIT_FAILURE;
	/* Collect first: the builders write to the store. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);
		if (v == NULL)
			continue;
		values = xrealloc(values, (n + 1) * sizeof *values);
		values[n++] = xstrdup((const char *)v);
	}
	if (rc != SQLITE_DONE) {
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(oc->db));
		status = JZ_EXIT_FAILURE;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++) {
		char *name = xasprintf("%s %s", k->what, values[i]);
		char *shown = xasprintf(_(k->shown), values[i]);
		char *folder = xasprintf(k->folder, values[i]);
		double t0 = jz_wall_seconds();
		int built = oc->built, unchanged = oc->unchanged, failed = oc->failed;

		if (r->store_failures > 0 || jz_interrupted) {
			/* Stop at a failure of the store. */
		} else if (group_unchanged(oc, g, name, folder)) {
			diag(DIAG_RUN_SKIPPED, NULL, 0, 0, shown, oc->unchanged - unchanged);
		} else {
			int s = k->fn(oc, values[i]);
			if (s > status)
				status = s;
			/* A group an interrupt cut short did not fail: the
			 * next run builds the rest of it. */
			if (s >= JZ_EXIT_USAGE && !jz_interrupted)
				buf_printf(&r->failed, "%s%s", r->failed.len ? _(", ") : "", shown);
			/* With --verbose, where the time goes. */
			diag(DIAG_RUN_TIMING, NULL, 0, 0, shown, jz_wall_seconds() - t0,
			    oc->built - built, oc->unchanged - unchanged);
			/* A group cut short by a signal is not done, though
			 * nothing in it failed: its builder stops between
			 * documents and returns as from a whole group. */
			if (s == JZ_EXIT_OK && oc->failed == failed && !jz_interrupted) {
				g->done = xrealloc(g->done, (g->n + 1) * sizeof *g->done);
				g->folder = xrealloc(g->folder, (g->n + 1) * sizeof *g->folder);
				g->done[g->n] = name;
				g->folder[g->n++] = folder;
				name = folder = NULL;
			}
		}
		free(name);
		free(shown);
		free(folder);
		free(values[i]);
	}
	free(values);
	return status;
}

static int
build_annual(struct out_ctx *oc, const char *year)
{
	return annual_build(oc, atoi(year), NULL);
}

static int
build_bulletin(struct out_ctx *oc, const char *round)
{
	return bulletin_build(oc, round, 0);
}

static int
build_certificates(struct out_ctx *oc, const char *year)
{
	struct jz_args a = {0};

	return certificates_build(oc, atoi(year), &a);
}

static int
build_site(struct out_ctx *oc, const char *what)
{
	(void)what;
	return site_build(oc, 0, NULL);
}

/* Years of the programme period, as a SQL condition on column Y. */
#define IN_PERIOD(y) y " BETWEEN (SELECT CAST(value AS INTEGER) FROM programme WHERE key = 'first_year') " \
	"AND (SELECT CAST(value AS INTEGER) FROM programme WHERE key = 'last_year')"

/* The years of TABLE as a recursive view NAME(year), one seek each in an
 * index of TABLE that starts with year (then a NULL): a table of ten
 * million rows is not read to find its five years. */
#define YEARS_OF(name, table) name "(year) AS (SELECT MIN(year) FROM " table " " \
	"UNION ALL SELECT (SELECT MIN(year) FROM " table " WHERE year > " name ".year) " \
	"FROM " name " WHERE " name ".year IS NOT NULL)"

/* Every year with data: a current annual return or participation. */
static const char annual_years_sql[] =
    "WITH RECURSIVE " YEARS_OF("py", "participation") " "
    "SELECT year FROM (SELECT year FROM cur_return UNION SELECT year FROM py WHERE year IS NOT NULL) "
    "WHERE " IN_PERIOD("year") " ORDER BY year";
/* Every round with achievements. */
static const char rounds_sql[] =
    "SELECT DISTINCT round FROM achievement ORDER BY round";
/* Every year with awards: listed, derived (top ten of a round: its second
 * year; rank 1 of a city contest), or certificates already issued. */
static const char award_years_sql[] =
    "WITH RECURSIVE " YEARS_OF("ay", "award_row") ", " YEARS_OF("cy", "certificate") " "
    "SELECT year FROM ay WHERE year IS NOT NULL "
    "UNION SELECT CAST(substr(round, 6, 4) AS INTEGER) FROM achievement "
    "UNION SELECT year FROM skill WHERE city_contest = 1 AND rank = 1 "
    "UNION SELECT year FROM cy WHERE year IS NOT NULL ORDER BY 1";
/* The verification site, once there are certificates (after them: it
 * shows what they print). */
static const char site_sql[] =
    "SELECT 'site' WHERE EXISTS (SELECT 1 FROM certificate WHERE fields IS NOT NULL)";

/* ---- Summary and log ---------------------------------------------------- */

static void
summary_line(struct buf *b, const struct ingest_summary *s, const struct out_ctx *oc,
    const struct nightly *r)
{
	/* each clause translated whole, with its punctuation */
	buf_printf(b, ngettext("%d file accepted, %d rejected", "%d files accepted, %d rejected",
	    (unsigned long)s->accepted), s->accepted, s->rejected);
	if (s->rows_vanished > 0)
		buf_printf(b, ngettext(", %ld row dropped by corrected files",
		    ", %ld rows dropped by corrected files", (unsigned long)s->rows_vanished),
		    s->rows_vanished);
	if (s->disappeared > 0)
		buf_printf(b, _(", %d gone from the input folder"), s->disappeared);
	buf_printf(b, ngettext("; %d document rebuilt", "; %d documents rebuilt",
	    (unsigned long)oc->built), oc->built);
	if (oc->failed > 0)
		buf_printf(b, _(", %d failed"), oc->failed);
	if (r->receipts.len > 0)
		buf_printf(b, _("; receipts: %s (under %s/receipts/, for each region to receive)"), r->receipts.data,
		    r->opts->output_dir);
	if (r->failed.len > 0 && oc->built + oc->unchanged == 0)
		buf_printf(b, _("; with failures: %s (see below; nothing was built)"), r->failed.data);
	else if (r->failed.len > 0)
		buf_printf(b, _("; with failures: %s (see below; the others were built)"), r->failed.data);
}

/* Appends one timestamped entry (the summary, then the diagnostics) to
 * output/jingsai.log in one write, so concurrent readers see whole entries. */
/* T as "2026-12-06 06:16:48+0800" in the programme's time zone, the one the
 * receipts are dated in (the machine's own may be UTC); the machine's when
 * the zone cannot be read. */
static void
log_stamp(sqlite3 *db, time_t t, char stamp[64])
{
	char *zone = db != NULL ? programme_get(db, "time_zone", JZ_DEFAULT_ZONE) : NULL;
	long long midnight;
	int y, m, d;

	if (zone != NULL && jz_zone_date((long long)t, zone, &y, &m, &d) == 0 &&
	    (midnight = jz_zone_midnight(y, m, d, zone)) >= 0 && (long long)t >= midnight) {
		struct tm day = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
		long long sod = (long long)t - midnight;
		long offset = (long)(((long long)timegm(&day) + sod - (long long)t) / 60);
		snprintf(stamp, 64, "%04d-%02d-%02d %02lld:%02lld:%02lld%c%02ld%02ld", y, m, d, sod / 3600,
		    sod / 60 % 60, sod % 60, offset < 0 ? '-' : '+', labs(offset) / 60, labs(offset) % 60);
	} else {
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(stamp, 64, "%Y-%m-%d %H:%M:%S%z", &tm);
	}
	free(zone);
}

static int
log_append(const struct nightly *r, sqlite3 *db, const char *summary, int status)
{
	char *path = path_join(r->opts->output_dir, "jingsai.log");
	struct buf entry = {0};
	char stamp[64];
	FILE *fp;

	log_stamp(db, time(NULL), stamp); /* the log tells when, not SOURCE_DATE_EPOCH */
	buf_printf(&entry, _("%s run: %s; exit %d\n"), stamp, summary, status);
	if (r->diags_len > 0) {
		/* Indented, so the log reads as one entry per run. */
		const char *p = r->diags_text;
		while (*p != '\0') {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			buf_puts(&entry, "    ");
			buf_add(&entry, p, len);
			buf_putc(&entry, '\n');
			p += len + (nl != NULL);
		}
	}
	mkdir_p(r->opts->output_dir);
	/* The stream is closed once, whatever failed (a full disk fails the
	 * write or the close). */
	if ((fp = fopen(path, "a")) != NULL) {
		int wrote = fwrite(entry.data, 1, entry.len, fp) == entry.len;
		int saved = errno;
		if (fclose(fp) != 0 || !wrote) {
			if (wrote)
				saved = errno;
			fp = NULL;
			errno = saved ? saved : EIO;
		}
	}
	if (fp == NULL)
		/* Printed, not through the sink: it is reported after the summary. */
		diag(DIAG_RUN_LOG, path, 0, 0, strerror(errno));
	buf_free(&entry);
	free(path);
	return fp == NULL ? -1 : 0;
}

/* 1 when the run may not write in output folder DIR (its owner, a
 * read-only mount), said once: otherwise every document fails with a
 * message of its own (1 269 lines for the sample), and none is made. */
static int
output_unwritable(const char *dir)
{
	const struct passwd *pw;
	char uid[32];
	int err;

	mkdir_p(dir);
	if (access(dir, W_OK | X_OK) == 0)
		return 0;
	err = errno;
	pw = getpwuid(geteuid());   /* only now: it reads the system's user list */
	snprintf(uid, sizeof uid, "%ld", (long)geteuid());
	diag(DIAG_RUN_OUTPUT_UNWRITABLE, dir, 0, 0, strerror(err), pw != NULL ? pw->pw_name : uid,
	    pw != NULL ? pw->pw_name : uid, dir);
	return 1;
}

int
cmd_run(const struct jz_opts *o, const struct jz_args *a)
{
	(void)a;
	struct nightly r = {.opts = o};
	struct ingest_summary sum = {0};
	struct out_ctx oc = {0};
	diag_sink_fn old_fn;
	void *old_arg;
	sqlite3 *db = NULL;
	int lock_fd, status = JZ_EXIT_OK, s;
	double t0;
	struct buf summary = {0};

	/* Diagnostics about the lock go straight to stderr: nothing else happens. */
	if ((lock_fd = lock_store(o->db_path, &status)) < 0)
		return status;

	r.diags = open_memstream(&r.diags_text, &r.diags_len);
	if (r.diags == NULL)
		abort();
	diag_set_sink(run_sink, &r, &old_fn, &old_arg);

	sweep_temporaries(o->output_dir, o->db_path);
	store_backup_sweep(o->db_path);
	if ((db = store_open(o->db_path, 0)) == NULL) {
		status = JZ_EXIT_FAILURE;
		goto report;
	}

	/* 1. Ingest: each file its own transaction, inside ingest. */
	t0 = jz_wall_seconds();
	s = ingest_paths(db, o, 0, NULL, 0, &sum);
	diag(DIAG_RUN_INGEST_TIMING, NULL, 0, 0, jz_wall_seconds() - t0, sum.files, sum.accepted);
	if (s > status)
		status = s;
	if (status >= JZ_EXIT_USAGE)
		goto report;

	/* 2. Rebuild what changed (the next run, when the output folder is
	 * shut to this one: the store knows what is missing). */
	if (output_unwritable(o->output_dir)) {
		status = JZ_EXIT_FAILURE;
		goto report;
	}
	out_init(&oc, db, o);
	r.bar = isatty(2) && !o->quiet;
	if (r.bar) {
		sqlite3_stmt *st = store_prepare(db, "SELECT count(*) FROM document");
		if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
			r.total = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		r.started = r.last_draw = jz_wall_seconds();
		oc.progress = bar_step;
		oc.progress_arg = &r;
	}
	/* The receipts of the regions whose files changed, in this run or an
	 * ingest since the last (none on a night that changed nothing); one
	 * that cannot be made fails the run, and is made by the next. */
	if (receipts_build(&oc, &r.receipts) != JZ_EXIT_OK) {
		status = JZ_EXIT_FAILURE;
		if (!jz_interrupted)
			buf_puts(&r.failed, _("the receipts"));
	}
	{
		static const struct builder kinds[] = {
			{"annual", N_("annual %s"), annual_years_sql, build_annual, "annual/%s/"},
			{"bulletin", N_("bulletin %s"), rounds_sql, build_bulletin, "bulletin/%s/"},
			{"certificates", N_("certificates %s"), award_years_sql, build_certificates,
			    "certificates/%s/"},
			{"publish", N_("publish %s"), site_sql, build_site, "%s/"},
		};
		struct groups g = {.n = 0};
		int built = JZ_EXIT_OK;

		if (state_fingerprint(&oc, g.state) != 0)
			g.state[0] = '\0';
		for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
			s = each_row(&r, &oc, &g, &kinds[i]);
			if (s > built)
				built = s;
		}
		out_close(&oc);
		groups_record(&oc, &g);
		groups_free(&g);
		/* A document that could not be made is a failure of the run. */
		if (built >= JZ_EXIT_USAGE)
			built = JZ_EXIT_FAILURE;
		if (built > status)
			status = built;
	}
	if (r.bar)
		bar_draw(&r, 1);
	summary_line(&summary, &sum, &oc, &r);

report:
	/* A run that changed the store ends with a checked backup of it (also
	 * one that was interrupted: what it did is in the store), and so does
	 * one after a run whose backup failed. */
	if (db != NULL && r.store_failures == 0 &&
	    (sqlite3_total_changes64(db) > 0 || store_backup_owed(o->db_path)) &&
	    store_backup(db, o->db_path, NULL, NULL) != 0 && status < JZ_EXIT_FAILURE)
		status = JZ_EXIT_FAILURE;
	diag_set_sink(old_fn, old_arg, NULL, NULL);
	fclose(r.diags);
	if (summary.data == NULL) {
		summary_line(&summary, &sum, &oc, &r);
		if (!jz_interrupted)
			buf_puts(&summary, _("; stopped by the failure below"));
	}
	if (jz_interrupted) {
		/* Said first, in the summary and the log: the rest is for the next run. */
		struct buf said = {0};
		buf_printf(&said, _("interrupted by %s, the rest is left for the next run; %s"),
		    jz_interrupted == SIGINT ? "SIGINT" : jz_interrupted == SIGHUP ? "SIGHUP" : "SIGTERM",
		    summary.data);
		buf_free(&summary);
		summary = said;
		if (status < JZ_EXIT_FAILURE)
			status = JZ_EXIT_FAILURE;
	}
	/* Something to report: new or changed data, documents rebuilt, or a
	 * diagnostic for a person.  A night with nothing new says nothing. */
	if (sum.accepted > 0 || sum.rejected > 0 || sum.programme_changed || sum.rows_vanished > 0 || sum.disappeared > 0 ||
	    (db != NULL && (oc.built > 0 || oc.failed > 0)) || r.shown > 0 || status != JZ_EXIT_OK) {
		if (!o->quiet || status != JZ_EXIT_OK) {
			/* The summary on stdout, the diagnostics on stderr. */
			printf("jingsai run: %s\n", summary.data);
			fflush(stdout);
			fwrite(r.diags_text, 1, r.diags_len, stderr);
		}
		if (log_append(&r, db, summary.data, status) != 0)
			status = JZ_EXIT_FAILURE;
	} else if (o->verbose && r.diags_len > 0) {
		/* asked for: the notes of a night with nothing new (not logged) */
		fwrite(r.diags_text, 1, r.diags_len, stderr);
	}
	free(r.diags_text);
	buf_free(&r.failed);
	buf_free(&r.receipts);
	buf_free(&summary);
	store_close(db);
	lock_release(lock_fd);
	return status;
}
