#!/bin/sh
# t_ingest_programme.sh — programme.xml as reference data: validated, reloaded when it changes,
# a region still in use cannot go, a programme file elsewhere is skipped; check creates nothing.
. "$(dirname "$0")/lib.sh"
ingest_setup

# check with no store: validates against the programme alone, creates no store.
expect_status 1 "check without a store" J check in/a-participation.csv
expect_err "projects and enterprises unknown without the store, each at its row" \
	"in/a-participation.csv:2:6: error: unknown project '2024-320614-001': no annual return in force lists it; check the id against the return of its region and year" \
	"in/a-participation.csv:2:22: error: unknown enterprise '91320614MA1XYW0012': no enterprise register lists this credit code; add the enterprise to its region's register, or correct the code" \
	"in/a-participation.csv:3:6: error: unknown project '2024-320614-002': no annual return in force lists it; check the id against the return of its region and year" \
	"in/a-participation.csv:3:22: error: unknown enterprise '91320602MA1ABC0021': no enterprise register lists this credit code; add the enterprise to its region's register, or correct the code" \
	"in/a-participation.csv:4:6: error: unknown project '2024-320614-002': no annual return in force lists it; check the id against the return of its region and year" \
	"in/a-participation.csv:4:22: error: unknown enterprise '91320685MA1GHJ004P': no enterprise register lists this credit code; add the enterprise to its region's register, or correct the code"
if [ -e db ]; then fail "check creates no store"; else ok "check creates no store"; fi
expect_status 0 "check of a whole folder without a store" J check in
expect_out "check counts the files" "3 files checked: 3 good, 0 rejected, 0 already stored"
if [ -e db ]; then fail "still no store"; else ok "still no store"; fi

expect_status 0 "base ingested" J ingest
expect_status 0 "check of the folder once stored" J check in
expect_out "check says the files are stored" "3 files checked: 3 good, 0 rejected, 3 already stored"
[ "$(q "SELECT group_concat(code, ' ') FROM (SELECT code FROM region ORDER BY ord)")" = \
	"320602 320612 320614 320623 320681 320682 320685 KFQ SXT TZW SZ" ] &&
	ok "regions in report order" || fail "regions in report order"
[ "$(q "SELECT value FROM programme WHERE key = 'doc_prefix'")" = "通劳竞" ] && ok "doc prefix" || fail "doc prefix"
[ "$(q "SELECT comparator || ' ' || value || ' ' || kind FROM target WHERE metric = 'participants'")" = ">= 3000000.0 cumulative" ] &&
	ok "participants target" || fail "participants target"
[ "$(q "SELECT comparator || ' ' || ifnull(value, '-') FROM target WHERE metric = 'deaths'")" = "falling -" ] &&
	ok "deaths target falling" || fail "deaths target falling"

# A changed programme is reloaded; an unchanged one is not written again.
expect_status 0 "unchanged programme" J ingest
expect_out "unchanged programme not reloaded" "0 files accepted (0 rows), 0 rejected, 3 unchanged"
sed 's/name="班组创先争优竞赛"/name="班组创先争优劳动竞赛"/' in/programme.xml >p && mv p in/programme.xml
expect_status 0 "changed programme" J ingest
expect_out "changed programme reloaded" "0 files accepted (0 rows), 0 rejected, 3 unchanged; programme.xml loaded"
[ "$(q "SELECT name FROM track WHERE code = 'T6'")" = "班组创先争优劳动竞赛" ] && ok "track renamed" || fail "track renamed"

# A region still named by stored data cannot be removed.
grep -v 'code="320681"' in/programme.xml >p && mv p in/programme.xml
expect_status 3 "region in use" J ingest
expect_err "region in use named" "in/programme.xml: error: <region> '320681' was removed from programme.xml, but the store still has data naming it"
[ "$(q "SELECT count(*) FROM region WHERE code = '320681'")" = 1 ] && ok "region kept" || fail "region kept"

# A broken programme: nothing is ingested.
cp "$TOP/input/programme.xml" in/programme.xml
sed 's/kind="park"/kind="zone"/' in/programme.xml >p && mv p in/programme.xml
expect_status 3 "invalid programme" J ingest
# One error a park, at its kind attribute (line and column in characters).
set --
for n in $(grep -n 'kind="zone"' in/programme.xml | cut -d: -f1); do
	col=$(sed -n "${n}s/kind=\"zone\".*//p" in/programme.xml | LC_ALL=C.UTF-8 wc -m)   # counts the newline: the column
	set -- "$@" "in/programme.xml:$n:$col: error: 'zone' is not a value of kind of <region>: write one of county, park, city"
done
[ $# = 3 ] || fail "programme.xml has three parks (has $#)"
expect_err "programme schema errors, one per park; the programme rejected as a whole" "$@" \
	"in/programme.xml: fatal: programme.xml has errors; nothing was ingested"

# A rule gives one award: two awards that say it are refused, at the second.
sed 's/recipient-kind="person" template="cert-TECH.xml"/recipient-kind="person" derived="skills" template="cert-TECH.xml"/' \
    "$TOP/input/programme.xml" >in/programme.xml
line=$(grep -n 'derived="skills" template="cert-TECH.xml"' in/programme.xml | cut -d: -f1)
expect_status 3 "a rule given by two awards" J ingest
expect_diag "named, where" "in/programme.xml:$line:"
expect_diag "with both awards" "error: rule skills is given by award TECH and by award MEDAL"
# Older programme files: no short names, rules, slogan or templates said.
sed 's/ short="[^"]*"//; s/ derived="[^"]*"//; /<slogan>/d' "$TOP/input/programme.xml" >in/programme.xml
expect_status 0 "a programme without the optional fields" J ingest
[ "$(q "SELECT short FROM region_short WHERE code = 'KFQ'")" = "南通经济技术开发区" ] &&
	[ "$(q "SELECT group_concat(x, ' ') FROM (SELECT rule || '=' || award AS x FROM award_rule ORDER BY rule)")" = "skills=MEDAL top-ten=MEDAL" ] &&
	[ -z "$(q "SELECT value FROM programme WHERE key = 'slogan'")" ] &&
	ok "short names default to the names, the rules to MEDAL, no slogan" || fail "defaults of an older programme"

# A programme file inside a submissions folder is not a submission.
cp "$TOP/input/programme.xml" in/programme.xml
mkdir in/sub
cp "$TOP/input/programme.xml" in/sub/programme-copy.xml
expect_status 0 "programme copy elsewhere" J ingest
expect_err "programme copy skipped" "in/sub/programme-copy.xml:6:1: warning: a programme file, not a submission: skipped" \
	"in/sub/programme-copy.xml:6:1: note: the programme is read only from programme.xml at the top of the input folder"

# Scores must name an achievement entry of their round.
printf 'round,entry_id,judge,score\n2023-2024,K-001,评委1,95.5\n' >scores.csv
expect_status 1 "score of an unknown entry" J check scores.csv
expect_err "unknown entry" "scores.csv:2:11: error: unknown entry 'K-001' of round 2023-2024: no achievements file lists it; check the entry id"

finish
