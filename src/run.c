/* run.c — `jingsai run`, the nightly job: lock, ingest what is new, rebuild
 * what changed, and say so only when something needs saying.
 *
 * Crash safety comes from the pieces below it: every store change is an
 * SQLite transaction (WAL), every document goes through out_write (temporary
 * file, fsync, rename) and is recorded with the fingerprint of its inputs
 * only after it is in place.  A run killed at any moment therefore leaves
 * old-or-new files and a consistent store, and the next run redoes exactly
 * what is missing. */
#define _GNU_SOURCE /* nftw's FTW_ACTIONRETVAL */
#include <errno.h>
#include <ftw.h>
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
#include "store.h"

/* What the run gathers while it works, for the summary and the log. */
struct run {
	const struct jz_opts *opts;
	FILE *diags;           /* every diagnostic, formatted, in memory */
	char *diags_text;
	size_t diags_len;
	int shown;             /* diagnostics that are worth a person's attention */
	/* progress bar (a terminal only) */
	int bar;
	long done, total;
	double started, last_draw;
};

static double
now_seconds(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* The diagnostics sink: keep everything for the log; notes only count with
 * --verbose, warnings not with --quiet. */
static void
run_sink(const struct diag_msg *m, void *arg)
{
	struct run *r = arg;

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
bar_draw(struct run *r, int final)
{
	double t = now_seconds(), elapsed = t - r->started;
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
		n = snprintf(line, sizeof line, "\r[%s] %ld/%ld documents  %.1f/s ", bar,
		    r->done, r->total, rate);
	} else
		n = snprintf(line, sizeof line, "\r%ld documents  %.1f/s ", r->done, rate);
	fwrite(line, 1, (size_t)n, stderr);
	if (final)
		fputs("\r\033[K", stderr); /* leave the terminal as it was */
	fflush(stderr);
}

static void
bar_step(void *arg, const char *relpath)
{
	struct run *r = arg;

	r->done++;
	bar_draw(r, 0);
}

/* ---- Leftovers of an interrupted run -------------------------------------- */

/* A temporary file of atomic_write ("NAME.tmp.PID") whose writer is gone. */
static int
sweep_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	const char *tmp = strstr(path + ftw->base, ".tmp.");
	char *end;
	long pid;

	if (type != FTW_F || tmp == NULL)
		return FTW_CONTINUE;
	pid = strtol(tmp + 5, &end, 10);
	if (*end != '\0' || pid <= 0)
		return FTW_CONTINUE;
	/* A hand-run command (which takes no lock) may be writing it now. */
	if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
		return FTW_CONTINUE;
	if (unlink(path) == 0)
		diag(DIAG_RUN_STALE, path, 0, 0, path + ftw->base);
	return FTW_CONTINUE;
}

static void
sweep_temporaries(const char *dir)
{
	nftw(dir, sweep_one, 16, FTW_PHYS | FTW_ACTIONRETVAL);
}

/* ---- What to build ---------------------------------------------------------- */

/* Calls FN(ARG, value) for each row of SQL's one-column result; returns the
 * worst exit status of the calls, or JZ_EXIT_FAILURE if the query fails. */
static int
each_row(sqlite3 *db, const char *what, const char *sql, int (*fn)(struct out_ctx *, const char *),
    struct out_ctx *oc)
{
	sqlite3_stmt *st = store_prepare(db, sql);
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
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
		status = JZ_EXIT_FAILURE;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++) {
		if (status != JZ_EXIT_FAILURE) {
			double t0 = now_seconds();
			int built = oc->built, unchanged = oc->unchanged;
			int s = fn(oc, values[i]);
			if (s > status)
				status = s;
			/* With --verbose, where the time goes. */
			diag(DIAG_RUN_TIMING, NULL, 0, 0, what, values[i], now_seconds() - t0,
			    oc->built - built, oc->unchanged - unchanged);
		}
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

/* Years of the programme period, as a SQL condition on column Y. */
#define IN_PERIOD(y) y " BETWEEN (SELECT CAST(value AS INTEGER) FROM programme WHERE key = 'first_year') " \
	"AND (SELECT CAST(value AS INTEGER) FROM programme WHERE key = 'last_year')"

/* Every year with data: a current annual return or participation. */
static const char annual_years_sql[] =
    "SELECT year FROM (SELECT year FROM cur_return UNION SELECT year FROM participation) "
    "WHERE " IN_PERIOD("year") " ORDER BY year";
/* Every round with achievements. */
static const char rounds_sql[] =
    "SELECT DISTINCT round FROM achievement ORDER BY round";
/* Every year with awards: listed, derived (top ten of a round: its second
 * year; rank 1 of a city contest), or certificates already issued. */
static const char award_years_sql[] =
    "SELECT year FROM award_row "
    "UNION SELECT CAST(substr(round, 6, 4) AS INTEGER) FROM achievement "
    "UNION SELECT year FROM skill WHERE city_contest = 1 AND rank = 1 "
    "UNION SELECT year FROM certificate ORDER BY 1";

/* ---- Summary and log ---------------------------------------------------- */

static void
summary_line(struct buf *b, const struct ingest_summary *s, const struct out_ctx *oc)
{
	buf_printf(b, "%d file%s accepted, %d rejected", s->accepted, s->accepted == 1 ? "" : "s",
	    s->rejected);
	if (s->rows_vanished > 0)
		buf_printf(b, ", %ld row%s dropped by corrected files", s->rows_vanished,
		    s->rows_vanished == 1 ? "" : "s");
	if (s->disappeared > 0)
		buf_printf(b, ", %d gone from the input folder", s->disappeared);
	buf_printf(b, "; %d document%s rebuilt", oc->built, oc->built == 1 ? "" : "s");
	if (oc->failed > 0)
		buf_printf(b, ", %d failed", oc->failed);
}

/* Appends one timestamped entry (the summary, then the diagnostics) to
 * output/jingsai.log in one write, so concurrent readers see whole entries. */
static void
log_append(const struct run *r, const char *summary, int status)
{
	char *path = path_join(r->opts->output_dir, "jingsai.log");
	struct buf entry = {0};
	char stamp[32];
	time_t t = time(NULL); /* the log tells when, not SOURCE_DATE_EPOCH */
	struct tm tm;
	FILE *fp;

	localtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S%z", &tm);
	buf_printf(&entry, "%s run: %s; exit %d\n", stamp, summary, status);
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
	if ((fp = fopen(path, "a")) == NULL ||
	    fwrite(entry.data, 1, entry.len, fp) != entry.len || fclose(fp) != 0) {
		/* Printed, not through the sink: it is reported after the summary. */
		fprintf(stderr, "jingsai: warning: cannot append to the log %s: %s\n", path,
		    strerror(errno));
		if (fp != NULL)
			fclose(fp);
	}
	buf_free(&entry);
	free(path);
}

int
cmd_run(const struct jz_opts *o, const struct jz_args *a)
{
	struct run r = {.opts = o};
	struct ingest_summary sum = {0};
	struct out_ctx oc = {0};
	diag_sink_fn old_fn;
	void *old_arg;
	char *lock_file = lock_path_for(o->db_path);
	sqlite3 *db = NULL;
	long holder;
	int lock_fd, status = JZ_EXIT_OK, s;
	double t0;
	struct buf summary = {0};

	/* Diagnostics about the lock go straight to stderr: nothing else happens. */
	lock_fd = lock_acquire(lock_file, &holder);
	if (lock_fd == -2) {
		char who[48];
		if (holder > 0)
			snprintf(who, sizeof who, "pid %ld", holder);
		else
			snprintf(who, sizeof who, "pid unknown");
		diag(DIAG_RUN_LOCKED, lock_file, 0, 0, who);
		free(lock_file);
		return JZ_EXIT_LOCKED;
	}
	if (lock_fd < 0) {
		diag(DIAG_RUN_LOCK, NULL, 0, 0, lock_file, strerror(errno));
		free(lock_file);
		return JZ_EXIT_FAILURE;
	}

	r.diags = open_memstream(&r.diags_text, &r.diags_len);
	if (r.diags == NULL)
		abort();
	diag_set_sink(run_sink, &r, &old_fn, &old_arg);

	sweep_temporaries(o->output_dir);
	if ((db = store_open(o->db_path, 0)) == NULL) {
		status = JZ_EXIT_FAILURE;
		goto report;
	}

	/* 1. Ingest: each file its own transaction, inside ingest. */
	t0 = now_seconds();
	s = ingest_paths(db, o, 0, NULL, 0, &sum);
	diag(DIAG_RUN_INGEST_TIMING, NULL, 0, 0, now_seconds() - t0, sum.files, sum.accepted);
	if (s > status)
		status = s;
	if (status >= JZ_EXIT_USAGE)
		goto report;

	/* 2. Rebuild what changed. */
	out_init(&oc, db, o);
	r.bar = isatty(2) && !o->quiet;
	if (r.bar) {
		sqlite3_stmt *st = store_prepare(db, "SELECT count(*) FROM document");
		if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
			r.total = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		r.started = r.last_draw = now_seconds();
		oc.progress = bar_step;
		oc.progress_arg = &r;
	}
	{
		int built = JZ_EXIT_OK;
		s = each_row(db, "annual reports", annual_years_sql, build_annual, &oc);
		if (s > built) built = s;
		s = each_row(db, "bulletin", rounds_sql, build_bulletin, &oc);
		if (s > built) built = s;
		s = each_row(db, "certificates", award_years_sql, build_certificates, &oc);
		if (s > built) built = s;
		/* A document that could not be made is a failure of the run. */
		if (built >= JZ_EXIT_USAGE)
			built = JZ_EXIT_FAILURE;
		if (built > status)
			status = built;
	}
	if (r.bar)
		bar_draw(&r, 1);
	summary_line(&summary, &sum, &oc);

report:
	diag_set_sink(old_fn, old_arg, NULL, NULL);
	fclose(r.diags);
	if (summary.data == NULL) {
		summary_line(&summary, &sum, &oc);
		buf_puts(&summary, "; stopped by the failure below");
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
		log_append(&r, summary.data, status);
	}
	free(r.diags_text);
	buf_free(&summary);
	store_close(db);
	lock_release(lock_fd);
	free(lock_file);
	return status;
}
