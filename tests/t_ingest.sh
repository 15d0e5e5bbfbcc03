#!/bin/sh
# t_ingest.sh — ingest and check of XML and CSV submissions as the store sees them: the good
# ones stored (aliases, order, encodings), every bad file rejected whole and recorded while the
# store stays as it was, corrections, history, vanished and forgotten files, references that go
# away.  (What check prints for each bad file: the regress cases check/….)
. "$(dirname "$0")/lib.sh"
ingest_setup
mkdir bad good more
cp "$FIX"/bad/* bad/
cp "$FIX"/good/* good/
cp "$FIX"/more/* more/

# -- The base: a participation file sorting before the return naming its projects.
expect_status 0 "base ingested" J ingest
expect_out "summary of the base" "3 files accepted (11 rows), 0 rejected, 0 unchanged; programme.xml loaded"
[ "$(q "SELECT region FROM enterprise WHERE credit_code = '91320614MA1XYW0012'")" = 320614 ] &&
	ok "alias 海门市 resolves to 320614" || fail "alias 海门市 resolves to 320614"
[ "$(q "SELECT region FROM enterprise WHERE credit_code = '91320602MA1ABC0021'")" = 320602 ] &&
	ok "alias 港闸区 resolves to 320602" || fail "alias 港闸区 resolves to 320602"
[ "$(q "SELECT region FROM enterprise WHERE credit_code = '91320685MA1GHJ004P'")" = 320685 ] &&
	ok "alias 海安县 resolves to 320685" || fail "alias 海安县 resolves to 320685"
[ "$(q "SELECT region FROM annual_return")" = 320614 ] && ok "return region alias resolves" || fail "return region alias resolves"
[ "$(q "SELECT count(*) FROM participation")" = 3 ] &&
	ok "participation naming a project of a later file is accepted" ||
	fail "participation naming a project of a later file is accepted"
[ "$(q "SELECT f.path || ':' || p.line FROM participation p JOIN file f ON f.id = p.file_id WHERE participants = 45")" = "a-participation.csv:4" ] &&
	ok "rows keep their file and line" || fail "rows keep their file and line"
[ "$(q "SELECT nonpublic FROM enterprise WHERE credit_code = '91320681MA1DEF0036'")" = 1 ] &&
	ok "外资 is 非公" || fail "外资 is 非公"

# -- The same bytes again change nothing.
q ".dump" >dump1
expect_status 0 "second run" J ingest
expect_out "second run reports nothing new" "0 files accepted (0 rows), 0 rejected, 3 unchanged"
q ".dump" >dump2
check "second run changes nothing in the store" cmp -s dump1 dump2

# -- Checking every bad file changes nothing in the store.
for f in bad/*; do J check "$f" >/dev/null 2>&1; done
q ".dump" >dump3
check "check changes nothing in the store" cmp -s dump1 dump3

# -- All bad files in one ingest: each rejected, each recorded, /etc/passwd nowhere.
cp bad/* in/
nbad=$(ls bad | wc -l)
expect_status 1 "ingest with bad files exits 1" J ingest
expect_out "every bad file rejected, nothing else touched" "0 files accepted (0 rows), $nbad rejected, 3 unchanged"
[ "$(q "SELECT count(*) FROM file WHERE status = 'rejected'")" = "$nbad" ] && [ "$nbad" -ge 25 ] &&
	ok "rejections recorded" || fail "rejections recorded"
[ "$(q "SELECT line || ':' || col || ': ' || message FROM rejection JOIN file ON file.id = file_id WHERE path = 'xxe.xml'")" = \
	"2:1: 报送文件中不能有 <!DOCTYPE …> 声明：请删去" ] &&
	ok "rejection keeps the diagnostic, in Chinese whatever the locale" || fail "rejection keeps the diagnostic"
q ".dump" >dump4
if grep -q "root:" dump4 stdout stderr db* 2>/dev/null; then fail "/etc/passwd never read"; else ok "/etc/passwd never read"; fi
expect_status 1 "bad files again" J ingest
check "rejected files are checked again, store unchanged" sh -c 'sqlite3 db .dump | cmp -s - dump4'
rm in/*.xml in/*.csv in/*.dat in/*.xlsx
cp "$TOP/input/programme.xml" "$FIX"/base/* in/

# -- A rejected file corrected at the same path: the rejection is retired, not listed any more.
cp bad/negative-count.csv in/fixed.csv
expect_status 1 "bad content rejected" J ingest
sed 's/,-5$/,5/' bad/negative-count.csv >in/fixed.csv
expect_status 0 "corrected content accepted" J ingest
[ "$(q "SELECT group_concat(status, ',') FROM (SELECT status FROM file WHERE path = 'fixed.csv' ORDER BY id)")" = "replaced,accepted" ] &&
	ok "corrected file: earlier rejection retired" || fail "corrected file: earlier rejection retired"
rm in/fixed.csv; J forget in/fixed.csv >/dev/null 2>&1

# -- Encodings: GB18030, UTF-8 with BOM, CRLF with quoted quotes.
cp good/* in/
expect_status 0 "encodings ingested" J ingest
[ "$(q "SELECT name FROM enterprise WHERE region = '320623' AND employees = 120")" = "如东喆堃纺织有限公司" ] &&
	ok "GB18030 text stored as UTF-8" || fail "GB18030 text stored as UTF-8"
[ "$(q "SELECT group_concat(encoding, ',') FROM (SELECT encoding FROM file WHERE path LIKE 'enterprises-%' ORDER BY path)")" = "UTF-8 with BOM,UTF-8,GB18030" ] &&
	ok "encodings recorded" || fail "encodings recorded"
[ "$(q "SELECT name FROM enterprise WHERE credit_code = '91320682MA1B0M0018'")" = "如皋市长江药业有限公司" ] &&
	ok "BOM stripped" || fail "BOM stripped"
[ "$(q "SELECT name FROM enterprise WHERE credit_code = '91320612MA1CRL002U'")" = '通州区"四建"集团' ] &&
	ok "CRLF file with quoted quotes" || fail "CRLF file with quoted quotes"

# -- Annual returns: a later `submitted` supersedes, in whichever order; history kept.
cp more/return-320614-2024-v2.xml in/
expect_status 0 "corrected return ingested" J ingest
[ "$(q "SELECT submitted FROM cur_return WHERE region = '320614' AND year = 2024")" = "2025-02-20T01:30:00Z" ] &&
	ok "later return is current" || fail "later return is current"
[ "$(q "SELECT count(*) FROM cur_project WHERE region = '320614'")" = 3 ] &&
	ok "current projects are the corrected ones" || fail "current projects are the corrected ones"
cp more/return-320614-2024-v0.xml in/
expect_status 0 "earlier draft ingested after" J --verbose ingest
expect_err "draft noted as history" "in/return-320614-2024-v0.xml:3:1: note: kept in history only: the return of 320614 2024 submitted 2025-02-20T01:30:00Z is later"
[ "$(q "SELECT submitted FROM cur_return WHERE region = '320614' AND year = 2024")" = "2025-02-20T01:30:00Z" ] &&
	ok "earlier draft does not supersede" || fail "earlier draft does not supersede"
[ "$(q "SELECT count(*) FROM annual_return WHERE region = '320614' AND year = 2024")" = 3 ] &&
	ok "every version kept in history" || fail "every version kept in history"
expect_status 1 "project id of another region's return" J check more/return-320602-2024-taken.xml
expect_err "project id taken, by the current return (the later one)" "more/return-320602-2024-taken.xml:4:14: error: project id '2024-320614-002' is already used by the return of 320614 for 2024 in force (return-320614-2024-v2.xml): give this project another id"

# -- A changed file replaces what it gave; a vanished file keeps its data; forget.
printf 'year,project_id,credit_code,participants\n2024,2024-320614-001,91320614MA1XYW0012,900\n' >in/a-participation.csv
expect_status 0 "changed file ingested" J ingest
expect_out "summary counts rows gone" "1 file accepted (1 row), 0 rejected, 7 unchanged; 1 changed file dropped 2 rows"
[ "$(q "SELECT count(*) || ',' || sum(participants) FROM participation")" = "1,900" ] &&
	ok "changed file replaced its rows" || fail "changed file replaced its rows"
rm in/enterprises-bom.csv
expect_status 0 "vanished file" J ingest
expect_err "vanished file warned" "in/enterprises-bom.csv: warning: no longer in the input folder; its 1 rows stay in the store ('jingsai forget in/enterprises-bom.csv' removes them)"
[ "$(q "SELECT count(*) FROM enterprise WHERE credit_code = '91320682MA1B0M0018'")" = 1 ] &&
	ok "vanished file keeps its data" || fail "vanished file keeps its data"
expect_status 0 "forget" J forget in/enterprises-bom.csv
expect_out "forget says what it removed" "in/enterprises-bom.csv: forgotten, 1 row removed"
[ "$(q "SELECT count(*) FROM enterprise WHERE credit_code = '91320682MA1B0M0018'")" = 0 ] &&
	ok "forgotten rows gone" || fail "forgotten rows gone"
expect_status 0 "no warning after forget" J ingest
expect_err "no warning after forget"
expect_status 2 "forget of an unknown file" J forget in/nothing.csv
expect_err "forget unknown" "jingsai: error: the store has no file 'in/nothing.csv'"

# -- Rows whose reference goes away are kept, and the operator is told where they are.
mv in/enterprises.csv enterprises.csv
expect_status 0 "forget the enterprises a participation row names" J forget in/enterprises.csv
expect_err "dangling enterprise warned at its row" "in/a-participation.csv:2:1: warning: enterprise '91320614MA1XYW0012' is no longer in any enterprises file: its rows are not counted until it is (rows naming it: 1; this is the first)"
[ "$(q "SELECT count(*) FROM participation")" = 1 ] && ok "the dangling row is kept" || fail "the dangling row is kept"
mv enterprises.csv in/
expect_status 0 "enterprises back" J ingest
expect_err "no dangling warning once the enterprises are back"
cp more/return-320614-2024-v3.xml in/
expect_status 0 "a later return without a project" J ingest
expect_err "dangling project warned at its row" "in/a-participation.csv:2:1: warning: project '2024-320614-001' is no longer in a current annual return: its rows are not counted until it is (rows naming it: 1; this is the first)"
rm in/return-320614-2024-v3.xml
expect_status 0 "forget the later return" J forget in/return-320614-2024-v3.xml
expect_err "no dangling warning once the return is back"
[ "$(q "SELECT count(*) FROM cur_project WHERE id = '2024-320614-001'")" = 1 ] &&
	ok "the project is current again" || fail "the project is current again"
printf 'round,entry_id,category,title,first_completer,gender,credit_code,completers\n2023-2024,A01,先进操作法,焊接操作法,张三,男,91320614MA1XYW0012,\n2023-2024,A02,科技创新成果,节能装置,李四,女,91320614MA1XYW0012,王五\n' >in/achievements.csv
printf 'round,entry_id,judge,score\n2023-2024,A01,J1,90\n2023-2024,A02,J1,88.5\n2023-2024,A02,J2,91\n' >in/scores.csv
expect_status 0 "achievements and scores" J ingest
printf 'round,entry_id,category,title,first_completer,gender,credit_code,completers\n2023-2024,A01,先进操作法,焊接操作法,张三,男,91320614MA1XYW0012,\n' >in/achievements.csv
expect_status 0 "achievements corrected without an entry" J ingest
expect_err "dangling entry warned at its first score" "in/scores.csv:3:1: warning: entry '2023-2024 A02' is no longer in any achievements file: its scores are not counted until it is (rows naming it: 2; this is the first)"

# -- No programme: a failure, nothing stored.
mkdir empty
expect_status 3 "missing programme.xml" "$JINGSAI" --input empty --db db2 ingest
expect_err "missing programme named" "empty/programme.xml: fatal: programme.xml is missing and the store has no reference data: No such file or directory"

finish
