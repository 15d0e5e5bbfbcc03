#!/bin/sh
# t_ingest_history.sh — a row that a later file replaced (same key, SPEC 3.2) comes back when
# that later file is forgotten or its new content no longer has the key; the latest remaining
# file wins; a file forgotten takes its kept rows along; a rejected file changes nothing.
. "$(dirname "$0")/lib.sh"
ingest_setup
X=91320614MA1XYW0012
HEAD=credit_code,name,region,ownership,above_scale,industry,employees
name_of_x() { q "SELECT name || '|' || employees || '|' || (SELECT path FROM file WHERE id = file_id) FROM enterprise WHERE credit_code = '$X'"; }
expect_x() { got=$(name_of_x); [ "$got" = "$2" ] && ok "$1" || fail "$1 (got '$got', want '$2')"; }
expect_status 0 "base ingested" J ingest
expect_x "the enterprise as enterprises.csv has it" "南通海门港建设有限公司|1200|enterprises.csv"

# -- Two later files replace the row in turn; forgetting the middle one changes nothing
#    stored, forgetting the last brings the first file's row back.
printf '%s\n%s,改名一公司,海门市,国有,是,建筑业,1300\n' $HEAD $X >in/b-ent.csv
expect_status 0 "b-ent.csv ingested" J ingest
expect_x "b-ent.csv's row replaced it" "改名一公司|1300|b-ent.csv"
printf '%s\n%s,改名二公司,海门市,国有,是,建筑业,1400\n' $HEAD $X >in/c-ent.csv
expect_status 0 "c-ent.csv ingested" J ingest
expect_x "c-ent.csv's row replaced that" "改名二公司|1400|c-ent.csv"
mv in/b-ent.csv in/c-ent.csv .
expect_status 0 "forget the middle file" J forget in/b-ent.csv
expect_x "forgetting the middle file leaves the latest row" "改名二公司|1400|c-ent.csv"
expect_out "nothing is removed or comes back for the middle file" "in/b-ent.csv: forgotten, 0 rows removed"
expect_status 0 "forget the latest file" J forget in/c-ent.csv
expect_out "forget says a row came back" "in/c-ent.csv: forgotten, 1 row removed; 1 row of earlier files came back in their place"
expect_x "forgetting the latest file brings the first file's row back" "南通海门港建设有限公司|1200|enterprises.csv"
[ "$(q "SELECT line FROM enterprise WHERE credit_code = '$X'")" = 2 ] && ok "with its own line" ||
	fail "with its own line"
[ "$(q "SELECT count(*) FROM enterprise_earlier")" = 0 ] && ok "no earlier row is left over" ||
	fail "no earlier row is left over"
[ "$(q "SELECT count(*) FROM enterprise")" = 4 ] && ok "four enterprises, as at first" ||
	fail "four enterprises, as at first"

# -- New content at the same path without the key: the earlier file's row comes back.
printf '%s\n%s,改名三公司,海门市,国有,是,建筑业,1500\n' $HEAD $X >in/d-ent.csv
expect_status 0 "d-ent.csv ingested" J ingest
expect_x "d-ent.csv's row replaced it" "改名三公司|1500|d-ent.csv"
printf '%s\n91320623MA1DEF0036,南通如东新材料有限公司,如东县,民营,否,,\n' $HEAD >in/d-ent.csv
expect_status 0 "d-ent.csv changed, without the key" J --verbose ingest
expect_err "the change says a row went and a row came back" \
	"in/d-ent.csv: note: changed since last ingested: 1 rows of the earlier content are gone" \
	"in/d-ent.csv: note: rows of earlier files back in place of rows this content no longer has: 1"
expect_x "the earlier file's row is back" "南通海门港建设有限公司|1200|enterprises.csv"
[ "$(q "SELECT name FROM enterprise WHERE credit_code = '91320623MA1DEF0036'")" = 南通如东新材料有限公司 ] &&
	ok "and the new content's own row is there" || fail "and the new content's own row is there"

# -- Forgetting the earliest file while a later one holds the key: the later row stays; then
#    forgetting that one leaves no row of the key at all.
printf '%s\n%s,改名四公司,海门市,国有,是,建筑业,1600\n' $HEAD $X >in/e-ent.csv
expect_status 0 "e-ent.csv ingested" J ingest
cp in/enterprises.csv .
expect_status 0 "forget enterprises.csv" J forget in/enterprises.csv
expect_x "the later row stays when the earliest file goes" "改名四公司|1600|e-ent.csv"
mv in/enterprises.csv in/e-ent.csv .
expect_status 0 "forget e-ent.csv" J forget in/e-ent.csv
[ "$(q "SELECT count(*) FROM enterprise WHERE credit_code = '$X'")" = 0 ] &&
	ok "with both files forgotten the key is gone" || fail "with both files forgotten the key is gone"
[ "$(q "SELECT count(*) FROM enterprise_earlier")" = 0 ] && ok "and nothing of it is kept" ||
	fail "and nothing of it is kept"
cp enterprises.csv in/
expect_status 0 "enterprises.csv ingested again" J ingest
expect_x "back as it was" "南通海门港建设有限公司|1200|enterprises.csv"

# -- Participation (a table keyed on three columns, without rowid): the count a later file
#    gave goes, the earlier one comes back, and the city total with it.
total() { q "SELECT sum(participants) FROM participation WHERE year = 2024"; }
before=$(total)
printf 'year,project_id,credit_code,participants\n2024,2024-320614-001,%s,900\n' $X >in/b-part.csv
expect_status 0 "b-part.csv ingested" J ingest
[ "$(total)" = $((before + 100)) ] && ok "the later count counts" || fail "the later count counts ($(total))"
mv in/b-part.csv .
expect_status 0 "forget b-part.csv" J forget in/b-part.csv
[ "$(total)" = "$before" ] && ok "the earlier count is back in the total" ||
	fail "the earlier count is back in the total ($(total), want $before)"
[ "$(q "SELECT participants || '|' || line FROM participation WHERE project_id = '2024-320614-001' AND credit_code = '$X'")" = "800|2" ] &&
	ok "the earlier row itself, with its line" || fail "the earlier row itself, with its line"

# -- A rejected file replaces nothing and keeps nothing.
printf 'year,project_id,credit_code,participants\n2024,2024-320614-001,%s,950\n2024,2024-320614-001,%s,x\n' $X $X >in/c-part.csv
expect_status 1 "c-part.csv rejected" J ingest
[ "$(total)" = "$before" ] && ok "the rejected file changed no count" || fail "the rejected file changed no count"
[ "$(q "SELECT count(*) FROM participation_earlier")" = 0 ] && ok "and kept no earlier row" ||
	fail "and kept no earlier row"
rm in/c-part.csv

# -- The store is whole, and check reads the stored files as before.
[ "$(q "PRAGMA integrity_check")" = ok ] && ok "integrity_check" || fail "integrity_check"
expect_status 0 "check of the input folder" J check in
finish
