/* ingest_test.c — the pure pieces of ingest: dates, columns, programme lookups, hardened XML. */
#include <string.h>

#include "check.h"
#include "jingsai.h"
#include "programme.h"
#include "xml_read.h"

static int errors_seen;
static char last_text[512];

static void
count_sink(const struct diag_msg *m, void *arg)
{
	(void)arg;
	if (m->level >= DIAG_ERROR)
		errors_seen++;
	snprintf(last_text, sizeof last_text, "%ld:%ld: %s", m->line, m->column, m->text);
}

int
main(void)
{
	char out[21];

	/* submitted: any zone to UTC; none means China time (+08:00). */
	CHECK(xml_datetime_utc("2025-01-15T10:00:00+08:00", out) == 0, "dateTime with zone parses");
	CHECK_STR(out, "2025-01-15T02:00:00Z", "+08:00 to UTC");
	xml_datetime_utc("2025-01-01T03:00:00", out);
	CHECK_STR(out, "2024-12-31T19:00:00Z", "no zone is +08:00, across the year");
	xml_datetime_utc("2024-02-29T23:30:00.25-05:30", out);
	CHECK_STR(out, "2024-03-01T05:00:00Z", "fraction and negative zone, leap day");
	xml_datetime_utc("2025-03-18T02:43:00Z", out);
	CHECK_STR(out, "2025-03-18T02:43:00Z", "Z stays");
	CHECK(xml_datetime_utc("2025-01-15", out) == -1, "a date alone is refused");
	CHECK(xml_datetime_utc("2025-01-15T10:00:00+0800", out) == -1, "zone without colon refused");

	/* Columns in characters, for attributes on a line. */
	const char *doc = "<a>\n  <project id=\"1\" track=\"T9\" name=\"海门\" level=\"x\"/>\n</a>\n";
	CHECK(xml_column(doc, strlen(doc), 2, "track") == 19, "column of an attribute");
	CHECK(xml_column(doc, strlen(doc), 2, "level") == 40, "column counts characters, not bytes");
	CHECK(xml_column(doc, strlen(doc), 2, NULL) == 3, "column of the element");
	CHECK(xml_column(doc, strlen(doc), 9, "id") == 1, "line past the end");

	/* The programme: regions by code, name and alias. */
	diag_set_sink(count_sink, NULL, NULL, NULL);
	struct programme *p = programme_load("input/programme.xml");
	CHECK(p != NULL && errors_seen == 0, "input/programme.xml loads");
	if (p != NULL) {
		CHECK_STR(programme_region(p, "海门市"), "320614", "海门市 -> 320614");
		CHECK_STR(programme_region(p, "港闸区"), "320602", "港闸区 -> 320602");
		CHECK_STR(programme_region(p, "海安县"), "320685", "海安县 -> 320685");
		CHECK_STR(programme_region(p, "如皋市"), "320682", "a name -> its code");
		CHECK_STR(programme_region(p, "KFQ"), "KFQ", "a code -> itself");
		CHECK(programme_region(p, "港闸市") == NULL, "unknown name");
		CHECK(p->nregions == 11 && p->ntracks == 6 && p->ntargets == 13 && p->nawards == 6,
		    "11 regions, 6 tracks, 13 targets, 6 awards");
		CHECK(p->first_year == 2021 && p->last_year == 2025, "period 2021-2025");
		const struct prog_award *w = programme_award(p, "WOMEN");
		CHECK(w != NULL && w->women_only && strcmp(w->recipient_kind, "person") == 0, "WOMEN: person, women only");
		CHECK_STR(programme_award(p, "CERT")->recipient_kind, "unit", "CERT is for a unit");
		CHECK_STR(p->issuer, "南通市劳动竞赛委员会", "issuer");
		CHECK_STR(programme_track_list(p), "T1（引领性劳动竞赛）、T2（群众性创新竞赛）、T3（绿色低碳发展竞赛）、"
		    "T4（技能素质提升竞赛）、T5（“安康杯”竞赛）、T6（班组创先争优竞赛）", "track list, with names");
		CHECK(strncmp(programme_region_list(p), "崇川区（320602）、通州区（320612）、", 48) == 0,
		    "region list: names, then codes");
		programme_free(p);
	}

	/* Hostile XML is refused before anything is expanded or fetched. */
	const char *xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<r>&x;</r>\n";
	errors_seen = 0;
	CHECK(xml_parse("xxe.xml", xxe, strlen(xxe)) == NULL && errors_seen == 1, "XXE refused with one error");
	CHECK_STR(last_text, "2:1: a <!DOCTYPE …> declaration is not accepted in a submission: delete it",
	    "XXE diagnostic");
	const char *junk = "\x01\x02\x03<<<>>>";
	errors_seen = 0;
	CHECK(xml_parse("junk.xml", junk, strlen(junk)) == NULL && errors_seen >= 1, "junk refused");
	errors_seen = 0;
	CHECK(xml_parse("empty.xml", "", 0) == NULL && errors_seen == 1, "empty refused");
	const char *ok = "<r xmlns=\"urn:x\"><a/></r>";
	xmlDocPtr d = xml_parse("ok.xml", ok, strlen(ok));
	CHECK(d != NULL, "well-formed XML parses");
	xmlFreeDoc(d);
	diag_set_sink(NULL, NULL, NULL, NULL);
	return CHECK_DONE();
}
