/* aggregate.c — the figures of SPEC §4, computed in SQL into temporary tables that report templates read. */
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "store.h"

/*
 * Everything here is TEMP: it lives in the connection's temporary database,
 * so it works on the read-only connection the templates use and never
 * changes the store.  Built once per connection, then every document of a
 * run reads the small tables.  The tables, for template authors:
 *
 *   agg_period(first_year, last_year)       the programme's period
 *   agg_years(year)                         period years and years with data
 *   agg_return                              the current annual return per region × year
 *   agg_project(id, region, year, track, level, status)
 *   agg_region_track_year(region, track, year, enterprises, nonpublic, participants, projects)
 *   agg_track_year(track, year, ...same)    city per track (enterprises distinct over the city)
 *   agg_region_year(region, region_name, region_kind, region_ord, year, submitted,
 *        enterprises, nonpublic, participants, projects, <every return figure>,
 *        studios, studios_city_demo, studios_city, studios_county, studios_enterprise,
 *        ankang_coverage, green_key_rate)   every region × year; figures NULL when the
 *                                           region sent no return (未报送)
 *   agg_city_year(year, regions, regions_submitted, <same figures>, cum_* )
 *                                           city totals: sums over regions, distinct
 *                                           counts distinct over the city; cum_* from the
 *                                           first year of the period to the year
 *   agg_region_metric(region, year, metric, label, unit, ord, value, previous, change,
 *        city_value, share, rank, ranked_regions)   the region's figures in long form
 *   agg_progress(year, metric, label, comparator, target, unit, kind, ord, value, previous,
 *        progress, elapsed, on_track, status)  every target of the programme, every year
 *
 * Rates (ankang_coverage, green_key_rate) are percentages (0–100).
 */
static const char reference_sql[] =
/* Sorts in memory: the store is large, the temporary tables are not. */
"PRAGMA temp_store = MEMORY;\n"
"PRAGMA cache_size = -8192;\n"
/* Reads the store's pages in place rather than copying each into the cache. */
"PRAGMA mmap_size = 0;\n"
"CREATE TEMP TABLE agg_period AS\n"
"  SELECT CAST((SELECT value FROM programme WHERE key = 'first_year') AS INTEGER) AS first_year,\n"
"         CAST((SELECT value FROM programme WHERE key = 'last_year') AS INTEGER) AS last_year;\n"

"CREATE TEMP TABLE agg_return AS SELECT * FROM cur_return;\n"
"CREATE INDEX temp.agg_return_ry ON agg_return(region, year);\n"

/* One row per current project id (ids are unique among current returns;
 * should one repeat, its latest year wins). */
"CREATE TEMP TABLE agg_project AS\n"
"  SELECT id, region, MAX(year) AS year, track, level, status FROM cur_project GROUP BY id;\n"
"CREATE UNIQUE INDEX temp.agg_project_id ON agg_project(id);\n"

"CREATE TEMP TABLE agg_years AS\n"
"  WITH RECURSIVE y(year) AS (SELECT first_year FROM agg_period WHERE first_year IS NOT NULL\n"
"    UNION SELECT year + 1 FROM y, agg_period WHERE year < last_year)\n"
/* The years of participation by seeking the primary key (year first), one
 * seek per year instead of a scan of every row. */
"  , py(year) AS (SELECT MIN(year) FROM participation\n"
"    UNION ALL SELECT (SELECT MIN(year) FROM participation WHERE year > py.year) FROM py\n"
"    WHERE py.year IS NOT NULL)\n"
"  SELECT year FROM y UNION SELECT year FROM agg_return\n"
"  UNION SELECT year FROM py WHERE year IS NOT NULL;\n"

/* Here participation_pass() runs: the one pass over every participation row
 * (see below), which fills agg_part_rty, agg_part_ry and agg_first_year. */
;

static const char figures_sql[] =
"CREATE TEMP TABLE agg_proj_rty AS\n"
"  SELECT region, track, year, COUNT(*) AS projects FROM agg_project\n"
"  WHERE status <> '申报' GROUP BY region, track, year;\n"

/* An enterprise belongs to one region, so counts that are distinct per
 * region add up to counts distinct over the city. */
"CREATE TEMP TABLE agg_region_track_year AS\n"
"  WITH p AS (SELECT * FROM agg_part_rty),\n"
"       k AS (SELECT region, track, year FROM p UNION SELECT region, track, year FROM agg_proj_rty)\n"
"  SELECT k.region, k.track, k.year, IFNULL(p.enterprises, 0) AS enterprises,\n"
"         IFNULL(p.nonpublic, 0) AS nonpublic, IFNULL(p.participants, 0) AS participants,\n"
"         IFNULL(j.projects, 0) AS projects\n"
"  FROM k LEFT JOIN p USING (region, track, year) LEFT JOIN agg_proj_rty j USING (region, track, year);\n"

"CREATE TEMP TABLE agg_track_year AS\n"
"  SELECT track, year, SUM(enterprises) AS enterprises, SUM(nonpublic) AS nonpublic,\n"
"         SUM(participants) AS participants, SUM(projects) AS projects\n"
"  FROM agg_region_track_year GROUP BY track, year;\n"

"CREATE TEMP TABLE agg_studio_ry AS\n"
"  SELECT region, year, COUNT(DISTINCT id) AS studios,\n"
"         COUNT(DISTINCT CASE WHEN level = 'city-demo' THEN id END) AS studios_city_demo,\n"
"         COUNT(DISTINCT CASE WHEN level = 'city' THEN id END) AS studios_city,\n"
"         COUNT(DISTINCT CASE WHEN level = 'county' THEN id END) AS studios_county,\n"
"         COUNT(DISTINCT CASE WHEN level = 'enterprise' THEN id END) AS studios_enterprise\n"
"  FROM cur_studio GROUP BY region, year;\n"

/* Every region × year.  A region without a current return for the year
 * has NULL figures (未报送); its participation figures are still shown when
 * its enterprises took part. */
"CREATE TEMP TABLE agg_region_year AS\n"
"  SELECT g.code AS region, g.name AS region_name, g.kind AS region_kind, g.ord AS region_ord,\n"
"    y.year AS year, (r.id IS NOT NULL) AS submitted, r.submitted AS submitted_at,\n"
"    CASE WHEN r.id IS NOT NULL OR p.region IS NOT NULL THEN IFNULL(p.enterprises, 0) END AS enterprises,\n"
"    CASE WHEN r.id IS NOT NULL OR p.region IS NOT NULL THEN IFNULL(p.nonpublic, 0) END AS nonpublic,\n"
"    CASE WHEN r.id IS NOT NULL OR p.region IS NOT NULL THEN IFNULL(p.participants, 0) END AS participants,\n"
"    CASE WHEN r.id IS NOT NULL THEN (SELECT IFNULL(SUM(projects), 0) FROM agg_proj_rty j\n"
"         WHERE j.region = g.code AND j.year = y.year) END AS projects,\n"
"    CASE WHEN r.id IS NOT NULL THEN (SELECT COUNT(*) FROM agg_project j\n"
"         WHERE j.region = g.code AND j.year = y.year) END AS projects_all,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.tech_innovations, 0) END AS tech_innovations,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.operating_methods, 0) END AS operating_methods,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.proposals_submitted, 0) END AS proposals_submitted,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.proposals_adopted, 0) END AS proposals_adopted,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.five_small, 0) END AS five_small,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(s.studios, 0) END AS studios,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(s.studios_city_demo, 0) END AS studios_city_demo,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(s.studios_city, 0) END AS studios_city,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(s.studios_county, 0) END AS studios_county,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(s.studios_enterprise, 0) END AS studios_enterprise,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.supervisors, 0) END AS supervisors,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.key_enterprise_workers, 0) END AS key_enterprise_workers,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.key_enterprise_participants, 0) END AS key_enterprise_participants,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.above_scale_enterprises, 0) END AS above_scale_enterprises,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.ankang_enterprises, 0) END AS ankang_enterprises,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.deaths, 0) END AS deaths,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.serious_injuries, 0) END AS serious_injuries,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.occupational_incidents, 0) END AS occupational_incidents,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.pioneer_teams, 0) END AS pioneer_teams,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.six_type_teams, 0) END AS six_type_teams,\n"
"    CASE WHEN r.id IS NOT NULL THEN IFNULL(r.qc_groups, 0) END AS qc_groups,\n"
"    CASE WHEN r.above_scale_enterprises > 0\n"
"         THEN 100.0 * r.ankang_enterprises / r.above_scale_enterprises END AS ankang_coverage,\n"
"    CASE WHEN r.key_enterprise_workers > 0\n"
"         THEN 100.0 * r.key_enterprise_participants / r.key_enterprise_workers END AS green_key_rate\n"
"  FROM region g CROSS JOIN agg_years y\n"
"  LEFT JOIN agg_return r ON r.region = g.code AND r.year = y.year\n"
"  LEFT JOIN agg_part_ry p ON p.region = g.code AND p.year = y.year\n"
"  LEFT JOIN agg_studio_ry s ON s.region = g.code AND s.year = y.year;\n"
"CREATE UNIQUE INDEX temp.agg_region_year_ry ON agg_region_year(region, year);\n"

/* City totals: sums over regions; enterprises and studios distinct over the city. */
"CREATE TEMP TABLE agg_city_year AS\n"
"  WITH part AS (SELECT year, SUM(enterprises) AS enterprises, SUM(nonpublic) AS nonpublic,\n"
"                 SUM(participants) AS participants FROM agg_part_ry GROUP BY year),\n"
"       st AS (SELECT year, COUNT(DISTINCT id) AS studios,\n"
"                 COUNT(DISTINCT CASE WHEN level = 'city-demo' THEN id END) AS studios_city_demo,\n"
"                 COUNT(DISTINCT CASE WHEN level = 'city' THEN id END) AS studios_city,\n"
"                 COUNT(DISTINCT CASE WHEN level = 'county' THEN id END) AS studios_county,\n"
"                 COUNT(DISTINCT CASE WHEN level = 'enterprise' THEN id END) AS studios_enterprise\n"
"              FROM cur_studio GROUP BY year),\n"
"       firsts AS (SELECT year, enterprises AS n FROM agg_first_year),\n"
"       sums AS (SELECT year, COUNT(*) AS regions, SUM(submitted) AS regions_submitted,\n"
"         SUM(projects) AS projects, SUM(projects_all) AS projects_all,\n"
"         SUM(tech_innovations) AS tech_innovations,\n"
"         SUM(operating_methods) AS operating_methods, SUM(proposals_submitted) AS proposals_submitted,\n"
"         SUM(proposals_adopted) AS proposals_adopted, SUM(five_small) AS five_small,\n"
"         SUM(supervisors) AS supervisors, SUM(key_enterprise_workers) AS key_enterprise_workers,\n"
"         SUM(key_enterprise_participants) AS key_enterprise_participants,\n"
"         SUM(above_scale_enterprises) AS above_scale_enterprises,\n"
"         SUM(ankang_enterprises) AS ankang_enterprises, SUM(deaths) AS deaths,\n"
"         SUM(serious_injuries) AS serious_injuries, SUM(occupational_incidents) AS occupational_incidents,\n"
"         SUM(pioneer_teams) AS pioneer_teams, SUM(six_type_teams) AS six_type_teams,\n"
"         SUM(qc_groups) AS qc_groups\n"
"         FROM agg_region_year GROUP BY year)\n"
"  SELECT s.year AS year, s.regions, s.regions_submitted,\n"
"    IFNULL(p.enterprises, 0) AS enterprises, IFNULL(p.nonpublic, 0) AS nonpublic,\n"
"    IFNULL(p.participants, 0) AS participants,\n"
"    s.projects, s.projects_all, s.tech_innovations, s.operating_methods, s.proposals_submitted,\n"
"    s.proposals_adopted, s.five_small,\n"
"    CASE WHEN s.regions_submitted > 0 THEN IFNULL(t.studios, 0) END AS studios,\n"
"    CASE WHEN s.regions_submitted > 0 THEN IFNULL(t.studios_city_demo, 0) END AS studios_city_demo,\n"
"    CASE WHEN s.regions_submitted > 0 THEN IFNULL(t.studios_city, 0) END AS studios_city,\n"
"    CASE WHEN s.regions_submitted > 0 THEN IFNULL(t.studios_county, 0) END AS studios_county,\n"
"    CASE WHEN s.regions_submitted > 0 THEN IFNULL(t.studios_enterprise, 0) END AS studios_enterprise,\n"
"    s.supervisors, s.key_enterprise_workers, s.key_enterprise_participants,\n"
"    s.above_scale_enterprises, s.ankang_enterprises, s.deaths, s.serious_injuries,\n"
"    s.occupational_incidents, s.pioneer_teams, s.six_type_teams, s.qc_groups,\n"
"    CASE WHEN s.above_scale_enterprises > 0\n"
"         THEN 100.0 * s.ankang_enterprises / s.above_scale_enterprises END AS ankang_coverage,\n"
"    CASE WHEN s.key_enterprise_workers > 0\n"
"         THEN 100.0 * s.key_enterprise_participants / s.key_enterprise_workers END AS green_key_rate,\n"
"    (SELECT IFNULL(SUM(n), 0) FROM firsts f WHERE f.year <= s.year) AS cum_enterprises\n"
"  FROM sums s LEFT JOIN part p ON p.year = s.year LEFT JOIN st t ON t.year = s.year;\n"
"CREATE TEMP TABLE agg_city_cum AS\n"
"  SELECT c.year,\n"
"    (SELECT SUM(IFNULL(x.tech_innovations, 0)) FROM agg_city_year x WHERE x.year BETWEEN first_year AND c.year) AS cum_tech_innovations,\n"
"    (SELECT SUM(IFNULL(x.operating_methods, 0)) FROM agg_city_year x WHERE x.year BETWEEN first_year AND c.year) AS cum_operating_methods,\n"
"    (SELECT SUM(IFNULL(x.proposals_adopted, 0)) FROM agg_city_year x WHERE x.year BETWEEN first_year AND c.year) AS cum_proposals_adopted,\n"
"    (SELECT SUM(IFNULL(x.participants, 0)) FROM agg_city_year x WHERE x.year BETWEEN first_year AND c.year) AS cum_participants\n"
"  FROM agg_city_year c, agg_period;\n"

/* The same figures in long form, one row per metric, for tables that list
 * indicators: the region's value, the previous year, the city's value, the
 * region's share of the city and its rank among regions (highest first;
 * accident counts are not ranked). */
"CREATE TEMP TABLE agg_metric_def (metric TEXT PRIMARY KEY, label TEXT, unit TEXT, ord INTEGER, ranked INTEGER);\n"
"INSERT INTO agg_metric_def VALUES\n"
"  ('enterprises', '开展竞赛活动的企业', '家', 1, 1),\n"
"  ('nonpublic', '其中：非公企业', '家', 2, 1),\n"
"  ('participants', '参与职工', '人次', 3, 1),\n"
"  ('projects', '在推进的竞赛项目', '个', 4, 1),\n"
"  ('tech_innovations', '职工技术革新项目', '个', 5, 1),\n"
"  ('operating_methods', '总结推广先进操作法', '项', 6, 1),\n"
"  ('proposals_adopted', '采纳合理化建议', '件', 7, 1),\n"
"  ('five_small', '职工“五小”成果', '项', 8, 1),\n"
"  ('studios', '劳模创新工作室', '个', 9, 1),\n"
"  ('supervisors', '节能减排义务监督员', '人', 10, 1),\n"
"  ('green_key_rate', '重点企业节能减排竞赛参与率', '%', 11, 1),\n"
"  ('ankang_coverage', '规上企业“安康杯”竞赛覆盖率', '%', 12, 1),\n"
"  ('pioneer_teams', '工人先锋号', '个', 13, 1),\n"
"  ('qc_groups', 'QC小组', '个', 14, 1),\n"
"  ('deaths', '职工死亡事故', '起', 15, 0),\n"
"  ('serious_injuries', '职工重伤事故', '起', 16, 0),\n"
"  ('occupational_incidents', '职业危害事故', '起', 17, 0);\n"
"CREATE TEMP VIEW agg_long_region AS\n"
"  SELECT r.region, r.year, d.metric,\n"
"    CASE d.metric WHEN 'enterprises' THEN r.enterprises WHEN 'nonpublic' THEN r.nonpublic\n"
"      WHEN 'participants' THEN r.participants WHEN 'projects' THEN r.projects\n"
"      WHEN 'tech_innovations' THEN r.tech_innovations WHEN 'operating_methods' THEN r.operating_methods\n"
"      WHEN 'proposals_adopted' THEN r.proposals_adopted WHEN 'five_small' THEN r.five_small\n"
"      WHEN 'studios' THEN r.studios WHEN 'supervisors' THEN r.supervisors\n"
"      WHEN 'green_key_rate' THEN r.green_key_rate WHEN 'ankang_coverage' THEN r.ankang_coverage\n"
"      WHEN 'pioneer_teams' THEN r.pioneer_teams WHEN 'qc_groups' THEN r.qc_groups\n"
"      WHEN 'deaths' THEN r.deaths WHEN 'serious_injuries' THEN r.serious_injuries\n"
"      WHEN 'occupational_incidents' THEN r.occupational_incidents END AS value\n"
"  FROM agg_region_year r CROSS JOIN agg_metric_def d;\n"
"CREATE TEMP VIEW agg_long_city AS\n"
"  SELECT c.year, d.metric,\n"
"    CASE d.metric WHEN 'enterprises' THEN c.enterprises WHEN 'nonpublic' THEN c.nonpublic\n"
"      WHEN 'participants' THEN c.participants WHEN 'projects' THEN c.projects\n"
"      WHEN 'tech_innovations' THEN c.tech_innovations WHEN 'operating_methods' THEN c.operating_methods\n"
"      WHEN 'proposals_adopted' THEN c.proposals_adopted WHEN 'five_small' THEN c.five_small\n"
"      WHEN 'studios' THEN c.studios WHEN 'supervisors' THEN c.supervisors\n"
"      WHEN 'green_key_rate' THEN c.green_key_rate WHEN 'ankang_coverage' THEN c.ankang_coverage\n"
"      WHEN 'pioneer_teams' THEN c.pioneer_teams WHEN 'qc_groups' THEN c.qc_groups\n"
"      WHEN 'deaths' THEN c.deaths WHEN 'serious_injuries' THEN c.serious_injuries\n"
"      WHEN 'occupational_incidents' THEN c.occupational_incidents END AS value\n"
"  FROM agg_city_year c CROSS JOIN agg_metric_def d;\n"
"CREATE TEMP TABLE agg_region_metric AS\n"
"  SELECT m.region, m.year, m.metric, d.label, d.unit, d.ord, m.value,\n"
"    p.value AS previous, m.value - p.value AS change,\n"
"    c.value AS city_value,\n"
"    CASE WHEN c.value > 0 AND m.value IS NOT NULL THEN 100.0 * m.value / c.value END AS share,\n"
"    CASE WHEN d.ranked AND m.value IS NOT NULL\n"
"         THEN RANK() OVER (PARTITION BY m.year, m.metric ORDER BY m.value DESC) END AS rank,\n"
"    COUNT(m.value) OVER (PARTITION BY m.year, m.metric) AS ranked_regions\n"
"  FROM agg_long_region m JOIN agg_metric_def d USING (metric)\n"
"  LEFT JOIN agg_long_region p ON p.region = m.region AND p.metric = m.metric AND p.year = m.year - 1\n"
"  LEFT JOIN agg_long_city c ON c.metric = m.metric AND c.year = m.year;\n"
"CREATE INDEX temp.agg_region_metric_ry ON agg_region_metric(region, year);\n"

/* Progress against every target: value targets against the share of the
 * period elapsed; trend targets against the previous year. */
"CREATE TEMP TABLE agg_metric AS\n"
"  SELECT c.year AS year, m.metric AS metric,\n"
"    CASE m.metric\n"
"      WHEN 'supervisors' THEN c.supervisors\n"
"      WHEN 'tech_innovations' THEN k.cum_tech_innovations\n"
"      WHEN 'operating_methods' THEN k.cum_operating_methods\n"
"      WHEN 'proposals_adopted' THEN k.cum_proposals_adopted\n"
"      WHEN 'studios_all' THEN c.studios\n"
"      WHEN 'studios_city_demo' THEN c.studios_city_demo\n"
"      WHEN 'enterprises' THEN c.cum_enterprises\n"
"      WHEN 'participants' THEN k.cum_participants\n"
"      WHEN 'green_key_rate' THEN c.green_key_rate\n"
"      WHEN 'ankang_coverage' THEN c.ankang_coverage\n"
"      WHEN 'deaths' THEN c.deaths\n"
"      WHEN 'serious_injuries' THEN c.serious_injuries\n"
"      WHEN 'occupational_incidents' THEN c.occupational_incidents\n"
"    END AS value,\n"
"    CASE m.metric\n"
"      WHEN 'ankang_coverage' THEN p.ankang_coverage\n"
"      WHEN 'deaths' THEN p.deaths\n"
"      WHEN 'serious_injuries' THEN p.serious_injuries\n"
"      WHEN 'occupational_incidents' THEN p.occupational_incidents\n"
"      WHEN 'supervisors' THEN p.supervisors\n"
"      WHEN 'studios_all' THEN p.studios\n"
"      WHEN 'studios_city_demo' THEN p.studios_city_demo\n"
"      WHEN 'green_key_rate' THEN p.green_key_rate\n"
"      WHEN 'tech_innovations' THEN pk.cum_tech_innovations\n"
"      WHEN 'operating_methods' THEN pk.cum_operating_methods\n"
"      WHEN 'proposals_adopted' THEN pk.cum_proposals_adopted\n"
"      WHEN 'enterprises' THEN pc.cum_enterprises\n"
"      WHEN 'participants' THEN pk.cum_participants\n"
"    END AS previous\n"
"  FROM agg_city_year c JOIN agg_city_cum k ON k.year = c.year CROSS JOIN target m\n"
"  LEFT JOIN agg_city_year p ON p.year = c.year - 1 AND p.regions_submitted > 0\n"
"  LEFT JOIN agg_city_year pc ON pc.year = c.year - 1\n"
"  LEFT JOIN agg_city_cum pk ON pk.year = c.year - 1;\n"

"CREATE TEMP TABLE agg_progress AS\n"
"  WITH x AS (\n"
"    SELECT a.year, t.metric, t.label, t.comparator, t.value AS target, t.unit, t.kind, t.ord,\n"
"      a.value, a.previous,\n"
"      CASE WHEN t.value > 0 AND a.value IS NOT NULL THEN a.value / t.value END AS progress,\n"
"      CASE WHEN a.year < first_year THEN 0.0 WHEN a.year > last_year THEN 1.0\n"
"           ELSE (a.year - first_year + 1) * 1.0 / (last_year - first_year + 1) END AS elapsed\n"
"    FROM agg_metric a JOIN target t ON t.metric = a.metric, agg_period)\n"
"  SELECT x.*,\n"
"    CASE\n"
"      WHEN value IS NULL THEN NULL\n"
"      WHEN comparator IN ('rising', 'falling') THEN\n"
"        CASE WHEN previous IS NULL THEN NULL\n"
"             WHEN comparator = 'rising' THEN (value > previous OR value >= 100)\n"
"             ELSE (value < previous OR value = 0) END\n"
"      WHEN comparator IN ('>', '>=', '≥', '=') THEN (progress >= elapsed OR\n"
"        (comparator = '>' AND value > target) OR (comparator <> '>' AND value >= target))\n"
"    END AS on_track,\n"
"    CASE\n"
"      WHEN value IS NULL THEN '无数据'\n"
"      WHEN comparator IN ('rising', 'falling') THEN\n"
"        CASE WHEN previous IS NULL THEN '无上年数据'\n"
"             WHEN value > previous THEN '同比上升'\n"
"             WHEN value < previous THEN '同比下降'\n"
"             ELSE '同比持平' END\n"
"      WHEN (comparator = '>' AND value > target) OR (comparator <> '>' AND value >= target) THEN '已完成'\n"
"      WHEN progress >= elapsed THEN '符合进度'\n"
"      ELSE '滞后于进度'\n"
"    END AS status\n"
"  FROM x;\n"
;

/*
 * The one pass over participation.  Every row is read once, in the order of
 * the primary key (year first), without the sort that grouping by
 * enterprise in SQL needs; per year, each enterprise's participants are
 * summed per track in an array, then counted into its region.  The figures
 * are those of grouping participation ⋈ agg_project ⋈ enterprise by
 * year × enterprise (× track): a row whose project is not current or whose
 * enterprise is unknown counts nowhere.  It fills
 *
 *   agg_part_rty(region, track, year, enterprises, nonpublic, participants)
 *   agg_part_ry(region, year, enterprises, nonpublic, participants)
 *   agg_first_year(year, enterprises)   enterprises taking part for the
 *                                       first time in the period that year
 */

/* Names (credit codes, project ids, regions, tracks) numbered 0, 1, … in the
 * order added, found through a string map; V holds each by its number.
 * Zero-initialised is empty. */
struct names {
	struct strmap map;
	char **v;
	size_t n, cap;
};

/* The number of NAME, or -1 when it was never added. */
static long
names_find(const struct names *t, const char *name)
{
	long i;

	return strmap_get(&t->map, name, &i) ? i : -1;
}

/* The number of NAME, adding it when new; -1 when NAME is NULL. */
static long
names_add(struct names *t, const char *name)
{
	long i;

	if (name == NULL)
		return -1;
	if (strmap_get(&t->map, name, &i))
		return i;
	strmap_add(&t->map, name, (long)t->n);
	t->v = xgrow(t->v, t->n, &t->cap, 16, sizeof *t->v);
	t->v[t->n] = xstrdup(name);
	return (long)t->n++;
}

static void
names_free(struct names *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	strmap_free(&t->map);
}

/* A count of enterprises with their non-public ones and participants. */
struct tally {
	long long enterprises, nonpublic, participants;
};

static long long
count_of(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = store_prepare(db, sql);
	long long n = 0;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

struct pass {
	struct names ent, proj, region, track;
	long *ent_region;       /* per enterprise */
	unsigned char *ent_np;  /* per enterprise: non-public */
	unsigned char *ent_seen;/* per enterprise: took part in an earlier period year */
	long *proj_track;       /* per project */
	struct ent_track {           /* this year, per enterprise × track */
		long long sum;  /* participants */
		int in;         /* took part */
	} *cell;
	long *touched;          /* this year, the enterprises that took part */
	size_t ntouched;
	struct tally *rty, *ry; /* this year, per region × track and region */
	sqlite3_stmt *ins_rty, *ins_ry, *ins_first;
};

/* Counts the year's enterprises into their regions, writes the year's rows
 * and clears the year.  Returns 0 or -1. */
static int
pass_flush(struct pass *p, long year, int first_year_known, long first_year)
{
	size_t nt = p->track.n, nr = p->region.n;
	long long firsts = 0;
	int rc = 0;

	memset(p->rty, 0, nr * nt * sizeof *p->rty);
	memset(p->ry, 0, nr * sizeof *p->ry);
	for (size_t k = 0; k < p->ntouched; k++) {
		long e = p->touched[k];
		long r = p->ent_region[e];
		long long all = 0;

		for (size_t t = 0; t < nt; t++) {
			struct ent_track *c = &p->cell[(size_t)e * nt + t];
			if (!c->in)
				continue;
			struct tally *y = &p->rty[(size_t)r * nt + t];
			y->enterprises++;
			y->nonpublic += p->ent_np[e];
			y->participants += c->sum;
			all += c->sum;
			c->in = 0;
			c->sum = 0;
		}
		p->ry[r].enterprises++;
		p->ry[r].nonpublic += p->ent_np[e];
		p->ry[r].participants += all;
		if (first_year_known && year >= first_year && !p->ent_seen[e]) {
			p->ent_seen[e] = 1;
			firsts++;
		}
	}
	p->ntouched = 0;
	for (size_t r = 0; r < nr && rc == 0; r++) {
		for (size_t t = 0; t < nt && rc == 0; t++) {
			struct tally *y = &p->rty[r * nt + t];
			if (y->enterprises == 0)
				continue;
			sqlite3_bind_text(p->ins_rty, 1, p->region.v[r], -1, SQLITE_STATIC);
			sqlite3_bind_text(p->ins_rty, 2, p->track.v[t], -1, SQLITE_STATIC);
			sqlite3_bind_int64(p->ins_rty, 3, year);
			sqlite3_bind_int64(p->ins_rty, 4, y->enterprises);
			sqlite3_bind_int64(p->ins_rty, 5, y->nonpublic);
			sqlite3_bind_int64(p->ins_rty, 6, y->participants);
			rc = sqlite3_step(p->ins_rty) == SQLITE_DONE ? 0 : -1;
			sqlite3_reset(p->ins_rty);
		}
		if (rc == 0 && p->ry[r].enterprises > 0) {
			sqlite3_bind_text(p->ins_ry, 1, p->region.v[r], -1, SQLITE_STATIC);
			sqlite3_bind_int64(p->ins_ry, 2, year);
			sqlite3_bind_int64(p->ins_ry, 3, p->ry[r].enterprises);
			sqlite3_bind_int64(p->ins_ry, 4, p->ry[r].nonpublic);
			sqlite3_bind_int64(p->ins_ry, 5, p->ry[r].participants);
			rc = sqlite3_step(p->ins_ry) == SQLITE_DONE ? 0 : -1;
			sqlite3_reset(p->ins_ry);
		}
	}
	if (rc == 0 && firsts > 0) {
		sqlite3_bind_int64(p->ins_first, 1, year);
		sqlite3_bind_int64(p->ins_first, 2, firsts);
		rc = sqlite3_step(p->ins_first) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(p->ins_first);
	}
	return rc;
}

static int
participation_pass(sqlite3 *db)
{
	struct pass p;
	sqlite3_stmt *st = NULL;
	long long nent, nproj;
	long first_year = 0, year = 0, last_proj = -1;
	int first_year_known = 0, have_year = 0, rc = -1, step;
	char *last_proj_id = NULL;

	if (sqlite3_exec(db,
	    "CREATE TEMP TABLE agg_part_rty (region TEXT, track TEXT, year INTEGER,\n"
	    "  enterprises INTEGER, nonpublic INTEGER, participants INTEGER);\n"
	    "CREATE TEMP TABLE agg_part_ry (region TEXT, year INTEGER,\n"
	    "  enterprises INTEGER, nonpublic INTEGER, participants INTEGER);\n"
	    "CREATE TEMP TABLE agg_first_year (year INTEGER PRIMARY KEY, enterprises INTEGER);\n",
	    NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	memset(&p, 0, sizeof p);
	nent = count_of(db, "SELECT COUNT(*) FROM enterprise");
	nproj = count_of(db, "SELECT COUNT(*) FROM agg_project");
	p.ent_region = xcalloc((size_t)nent + 1, sizeof *p.ent_region);
	p.ent_np = xcalloc((size_t)nent + 1, 1);
	p.ent_seen = xcalloc((size_t)nent + 1, 1);
	p.touched = xcalloc((size_t)nent + 1, sizeof *p.touched);
	p.proj_track = xcalloc((size_t)nproj + 1, sizeof *p.proj_track);

	st = store_prepare(db, "SELECT first_year FROM agg_period");
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		first_year = (long)sqlite3_column_int64(st, 0);
		first_year_known = 1;
	}
	sqlite3_finalize(st);

	st = store_prepare(db, "SELECT credit_code, region, nonpublic FROM enterprise");
	while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		long e = names_add(&p.ent, (const char *)sqlite3_column_text(st, 0));
		const char *region = (const char *)sqlite3_column_text(st, 1);
		if (e < 0 || e >= nent || region == NULL)
			continue;
		p.ent_region[e] = names_add(&p.region, region);
		p.ent_np[e] = sqlite3_column_int(st, 2) != 0;
	}
	sqlite3_finalize(st);
	st = store_prepare(db, "SELECT id, track FROM agg_project");
	while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		long j = names_add(&p.proj, (const char *)sqlite3_column_text(st, 0));
		if (j >= 0 && j < nproj)
			p.proj_track[j] = names_add(&p.track, (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);

	size_t cells = (p.ent.n ? p.ent.n : 1) * (p.track.n ? p.track.n : 1);
	p.cell = xcalloc(cells, sizeof *p.cell);
	p.rty = xcalloc((p.region.n + 1) * (p.track.n + 1), sizeof *p.rty);
	p.ry = xcalloc(p.region.n + 1, sizeof *p.ry);
	p.ins_rty = store_prepare(db, "INSERT INTO agg_part_rty VALUES (?, ?, ?, ?, ?, ?)");
	p.ins_ry = store_prepare(db, "INSERT INTO agg_part_ry VALUES (?, ?, ?, ?, ?)");
	p.ins_first = store_prepare(db, "INSERT INTO agg_first_year VALUES (?, ?)");
	st = store_prepare(db, "SELECT year, project_id, credit_code, participants FROM participation ORDER BY year");
	if (st == NULL || p.ins_rty == NULL || p.ins_ry == NULL || p.ins_first == NULL)
		goto out;
	rc = 0;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		long y = (long)sqlite3_column_int64(st, 0);
		const char *proj = (const char *)sqlite3_column_text(st, 1);
		if (have_year && y != year)
			rc = pass_flush(&p, year, first_year_known, first_year);
		year = y;
		have_year = 1;
		/* rows come in project order within a year: look a project up once */
		if (last_proj_id == NULL || strcmp(proj, last_proj_id) != 0) {
			free(last_proj_id);
			last_proj_id = xstrdup(proj);
			last_proj = names_find(&p.proj, proj);
		}
		long e = names_find(&p.ent, (const char *)sqlite3_column_text(st, 2));
		if (last_proj < 0 || e < 0)
			continue;
		struct ent_track *row = &p.cell[(size_t)e * p.track.n];
		struct ent_track *c = &row[p.proj_track[last_proj]];
		if (!c->in) {
			int any = 0;
			for (size_t t = 0; t < p.track.n; t++)
				any |= row[t].in;
			if (!any)
				p.touched[p.ntouched++] = e;
			c->in = 1;
		}
		c->sum += sqlite3_column_int64(st, 3);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	if (rc == 0 && have_year)
		rc = pass_flush(&p, year, first_year_known, first_year);
out:
	if (rc != 0)
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_finalize(p.ins_rty);
	sqlite3_finalize(p.ins_ry);
	sqlite3_finalize(p.ins_first);
	free(last_proj_id);
	names_free(&p.ent);
	names_free(&p.region);
	names_free(&p.proj);
	names_free(&p.track);
	free(p.ent_region);
	free(p.ent_np);
	free(p.ent_seen);
	free(p.touched);
	free(p.proj_track);
	free(p.cell);
	free(p.rty);
	free(p.ry);
	return rc;
}

static int
exec_sql(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		diag(DIAG_STORE, NULL, 0, 0, err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

int
aggregate_prepare(sqlite3 *db)
{
	if (exec_sql(db, reference_sql) != 0 || participation_pass(db) != 0)
		return -1;
	return exec_sql(db, figures_sql);
}
