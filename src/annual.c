/* annual.c — the annual reports: city and per region, from templates/annual-*.xml, PDF and CSV. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aggregate.h"
#include "commands.h"
#include "layout.h"
#include "outputs.h"
#include "programme.h"
#include "report.h"
#include "store.h"
#include "template.h"

/* The two templates, under the templates folder. */
#define CITY_TEMPLATE   "annual-city.xml"
#define REGION_TEMPLATE "annual-region.xml"

/* The date of the report on YEAR (see annual_build) into *Y, *M, *D. */
static void
report_date(sqlite3 *ro, int year, const char *zone, int *y, int *m, int *d)
{
	sqlite3_stmt *st = store_prepare(ro, "SELECT max(submitted) FROM cur_return WHERE year = ?1");
	struct tm tm = {0};
	int ly, lm, ld;

	*y = year, *m = 12, *d = 31;
	if (st == NULL)
		return;
	sqlite3_bind_int(st, 1, year);
	/* submitted is stored in UTC, "YYYY-MM-DDTHH:MM:SSZ" */
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL &&
	    sscanf((const char *)sqlite3_column_text(st, 0), "%d-%d-%dT%d:%d:%d", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		if (jz_zone_date((long long)timegm(&tm), zone, &ly, &lm, &ld) == 0 &&
		    (ly > *y || (ly == *y && (lm > *m || (lm == *m && ld > *d)))))
			*y = ly, *m = lm, *d = ld;
	}
	sqlite3_finalize(st);
}
int
annual_build(struct out_ctx *oc, int year, const char *region)
{
	const struct jz_opts *o = oc->opts;
	sqlite3 *ro = NULL;
	struct fontset *fs = NULL;
	struct tpl *city_t = NULL, *region_t = NULL;
	struct report_timing tm = {0};
	char *first = NULL, *last = NULL, *issuer = NULL, *name = NULL, *today = NULL, *date = NULL;
	char *zone = NULL;
	char year_s[16], prev_s[16], date_iso[16];
	char **codes = NULL, **names = NULL;
	int ncodes = 0, status = JZ_EXIT_FAILURE, failures = 0;
	double t0 = jz_wall_seconds(), c0 = jz_cpu_seconds();

	/* The figures of every year are computed once, when the first report
	 * needs them, and read from there by the reports of every year. */
	if ((ro = oc->figures) == NULL && (ro = store_open(o->db_path, 1)) == NULL)
		goto done;
	first = programme_get(ro, "first_year", NULL);
	last = programme_get(ro, "last_year", NULL);
	issuer = programme_get(ro, "issuer", "");
	name = programme_get(ro, "name", "");
	/* The regions to report on, in report order; aliases resolve. */
	{
		sqlite3_stmt *st = store_prepare(ro,
		    "SELECT code, name FROM region WHERE ?1 IS NULL OR code = ?1 "
		    "OR code = (SELECT code FROM region_alias WHERE alias = ?1) "
		    "OR name = ?1 ORDER BY ord, code");
		if (st == NULL)
			goto done;
		if (region != NULL)
			sqlite3_bind_text(st, 1, region, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			codes = xrealloc(codes, (size_t)(ncodes + 1) * sizeof *codes);
			names = xrealloc(names, (size_t)(ncodes + 1) * sizeof *names);
			codes[ncodes] = xstrdup((const char *)sqlite3_column_text(st, 0));
			names[ncodes] = xstrdup((const char *)sqlite3_column_text(st, 1));
			ncodes++;
		}
		sqlite3_finalize(st);
	}
	if (first == NULL || last == NULL || (region == NULL && ncodes == 0)) {
		diag(DIAG_ANNUAL_EMPTY, NULL, 0, 0, o->db_path);
		goto done;
	}
	if (region != NULL && ncodes == 0) {
		diag(DIAG_ANNUAL_REGION, NULL, 0, 0, region);
		status = JZ_EXIT_USAGE;
		goto done;
	}
	if (oc->figures == NULL) {
		if (aggregate_prepare(ro) != 0)
			goto done;
		report_read_only(ro);
		oc->figures = ro;
	}
	{
		/* a year of the period, or one the store has data for */
		sqlite3_stmt *st = store_prepare(ro, "SELECT 1 FROM agg_years WHERE year = ?1");
		int known = 0;
		if (st == NULL)
			goto done;
		sqlite3_bind_int(st, 1, year);
		known = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (!known) {
			char ys[16], period[64];
			snprintf(ys, sizeof ys, "%d", year);
			snprintf(period, sizeof period, "%s–%s", first, last);
			diag(DIAG_ANNUAL_YEAR, NULL, 0, 0, ys, period);
			status = JZ_EXIT_USAGE;
			goto done;
		}
	}
	tm.sql += jz_wall_seconds() - t0;
	tm.sql_cpu += jz_cpu_seconds() - c0;

	char *tp = path_join(o->templates_dir, CITY_TEMPLATE);
	if (region == NULL && (city_t = tpl_load(tp)) == NULL)
		failures++;
	free(tp);
	tp = path_join(o->templates_dir, REGION_TEMPLATE);
	if ((region_t = tpl_load(tp)) == NULL)
		failures++;
	free(tp);
	if (failures > 0)
		goto done;
	if ((fs = fontset_open(o->fonts_dir)) == NULL)
		goto done;

	{
		/* The report is dated by its data: the end of its year, or the
		 * day the last return of the year arrived when that is later (a
		 * report on 2025 cannot be issued before the returns it shows),
		 * in the programme's time zone.  The same store gives the same
		 * report whenever it is built; only a template that asks for
		 * {today} gets the day of the run. */
		int y, m, d;
		zone = programme_get(ro, "time_zone", JZ_DEFAULT_ZONE);
		if (jz_zone_date(jz_now(), zone, &y, &m, &d) != 0)
			jz_zone_date(jz_now(), JZ_DEFAULT_ZONE, &y, &m, &d);
		today = fmt_date_arabic(y, m, d);
		report_date(ro, year, zone, &y, &m, &d);
		date = fmt_date_arabic(y, m, d);
		snprintf(date_iso, sizeof date_iso, "%04d-%02d-%02d", y, m, d);
	}
	snprintf(year_s, sizeof year_s, "%d", year);
	snprintf(prev_s, sizeof prev_s, "%d", year - 1);
	struct tpl_param params[] = {
		{"year", year_s}, {"prev_year", prev_s}, {"first_year", first}, {"last_year", last},
		{"issuer", issuer}, {"programme", name},
		{"date", date}, {"date_iso", date_iso}, {"time_zone", zone},
		{"today", today}, {"region", NULL}, {"region_name", NULL},
	};
	int nparams = (int)(sizeof params / sizeof *params);
	char relbase[256];

	if (region == NULL) {
		snprintf(relbase, sizeof relbase, "annual/%d/city", year);
		if (report_build(oc, ro, fs, city_t, params, nparams, relbase, "annual", &tm) != 0)
			failures++;
	}
	for (int i = 0; i < ncodes && !jz_interrupted; i++) {
		params[nparams - 2].value = codes[i];
		params[nparams - 1].value = names[i];
		snprintf(relbase, sizeof relbase, "annual/%d/%s", year, codes[i]);
		if (report_build(oc, ro, fs, region_t, params, nparams, relbase, "annual", &tm) != 0)
			failures++;
	}
	status = failures ? JZ_EXIT_FAILURE : JZ_EXIT_OK;
	if (o->verbose || o->timing)
		diag(DIAG_ANNUAL_TIMING, NULL, 0, 0, year, tm.documents, tm.pages,
		    tm.sql, tm.sql_cpu, tm.typeset, tm.typeset_cpu,
		    tm.typeset_cpu > 0 ? tm.pages / tm.typeset_cpu : 0.0);
done:
	for (int i = 0; i < ncodes; i++) {
		free(codes[i]);
		free(names[i]);
	}
	free(codes);
	free(names);
	tpl_free(city_t);
	tpl_free(region_t);
	fontset_free(fs);
	if (ro != oc->figures)
		store_close(ro);
	free(first);
	free(last);
	free(issuer);
	free(name);
	free(today);
	free(date);
	free(zone);
	return status;
}

int
cmd_annual(const struct jz_opts *o, const struct jz_args *a)
{
	struct out_ctx oc;
	int year;

	if (jz_parse_year(a->argv[0], &year) != 0) {
		diag(DIAG_USAGE_YEAR, NULL, 0, 0, "annual", a->argv[0]);
		return JZ_EXIT_USAGE;
	}
	if (out_begin(&oc, o) != 0)
		return JZ_EXIT_FAILURE;
	return out_end(&oc, annual_build(&oc, year, a->region));
}
