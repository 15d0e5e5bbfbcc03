#!/bin/sh
# t_annual.sh — the annual reports from a small fixture store: every document
# written, figures in PDF and CSV, a region without a return shown as 未报送,
# a table added by editing a copy of templates/, template errors with
# FILE:LINE:COL and nothing written, the PDF checks of SPEC §5.
. "$(dirname "$0")/lib.sh"

DB=$WORK/store.db
OUT=$WORK/out
FIX=$TOP/tests/fixtures/annual
export SOURCE_DATE_EPOCH=1768435200   # 2026-01-15
# The schema first (any command opens the store read-write), then the data.
"$JINGSAI" --db "$DB" --output "$OUT" --templates "$TOP/templates" --fonts "$TOP/fonts" annual 2025 >/dev/null 2>&1
sqlite3 "$DB" <"$FIX/store.sql" || fail "fixture loads"

run_annual() { "$JINGSAI" --db "$DB" --output "$OUT" --templates "${TPL:-$TOP/templates}" --fonts "$TOP/fonts" annual "$@"; }

expect_status 0 "annual 2025 builds the city and every region" run_annual 2025
n=$(ls "$OUT/annual/2025/"*.pdf 2>/dev/null | wc -l)
[ "$n" = 12 ] && ok "12 PDFs (city + 11 regions)" || fail "12 PDFs (got $n)"
n=$(ls "$OUT/annual/2025/"*.csv 2>/dev/null | wc -l)
[ "$n" = 12 ] && ok "12 CSVs" || fail "12 CSVs (got $n)"

CITY=$OUT/annual/2025/city
pdftotext -layout "$CITY.pdf" "$WORK/city.txt" 2>/dev/null
check "city PDF passes qpdf --check" qpdf --check "$CITY.pdf"
# figures computed by hand from store.sql
for want in "全年共有30家企业" "非公企业22家" "参与职工26,478人次" "比上年增加1,503人次" "未报送" "通州湾示范区共1个地区未报送" \
    "1,264" "96.6%" "3,455" "51,453" "滞后于进度" "同比上升" "input/bad/海安市-2025.xml" "— 1 —"; do
	if tr -d ' \n' <"$WORK/city.txt" | grep -qF -- "$(printf '%s' "$want" | tr -d ' ')"; then ok "city PDF shows $want"
	else fail "city PDF shows $want"; fi
done
head -c 3 "$CITY.csv" | od -An -tx1 | grep -q "ef bb bf" && ok "CSV starts with a BOM" || fail "CSV starts with a BOM"
grep -q "^引领性劳动竞赛,15,11,4635,5" "$CITY.csv" && ok "CSV: track row, numbers without separators" || fail "CSV: track row"
grep -q "^全市（企业不重复计）,30,22,26478,23" "$CITY.csv" && ok "CSV: track total counts enterprises once" || fail "CSV: track total"
grep -q "^通州湾示范区,3,2,3147,未报送,未报送,未报送" "$CITY.csv" && ok "CSV: region without a return shows 未报送, not 0" || fail "CSV: 未报送 row"
grep -q "^职工死亡事故,3,5,-2" "$CITY.csv" && ok "CSV: year-on-year accidents" || fail "CSV: accidents"

# The region that sent no return: its report says so and shows no zeros for it.
pdftotext -layout "$OUT/annual/2025/TZW.pdf" "$WORK/tzw.txt" 2>/dev/null
grep -q "通州湾示范区未报送2025年度报表" "$WORK/tzw.txt" && ok "TZW report says 未报送" || fail "TZW report says 未报送"
grep -q "^职工技术革新项目（个）,未报送,23," "$OUT/annual/2025/TZW.csv" && ok "TZW CSV: 未报送 this year, last year's value" || fail "TZW CSV 未报送"
# A region that did: share and rank
grep -q "^参与职工（人次）,2115,2109,+6,8.0%,'9/11" "$OUT/annual/2025/320612.csv" &&
	ok "region CSV: share of the city and rank (9/11 kept as text, not 11 September)" || fail "region share and rank"

# The same store and templates give the same bytes.
mkdir -p "$WORK/first"; cp "$OUT/annual/2025/"* "$WORK/first/"
expect_status 0 "annual 2025 again" run_annual 2025
same=1; for f in "$WORK/first/"*; do cmp -s "$f" "$OUT/annual/2025/$(basename "$f")" || same=0; done
[ $same = 1 ] && ok "a second run writes byte-identical PDFs and CSVs" || fail "byte-identical second run"
expect_status 2 "a year outside the period without data" run_annual 2031
expect_diag "year refused" "year 2031 is not a year of the programme (2021–2025)"
expect_status 2 "not a year" run_annual 20x5
expect_diag "not a year: usage" "'annual' takes a year such as 2025, not"

# --region, by code or alias
rm -rf "$OUT"
expect_status 0 "annual --region by alias" run_annual 2025 --region 海门市
[ -f "$OUT/annual/2025/320614.pdf" ] && [ ! -f "$CITY.pdf" ] && ok "--region writes only that region" || fail "--region writes only that region"
expect_status 2 "unknown region" run_annual 2025 --region 320999
expect_diag "unknown region named" "no region with code '320999'"

# Adding a table is one edit of a template.
TPL=$WORK/templates; cp -r "$TOP/templates" "$TPL"
sed 's|<section title="五、群众性创新活动">|<section title="五、群众性创新活动"><table title="表9　各地区QC小组" sql="SELECT region_name, qc_groups FROM agg_region_year WHERE year = :year ORDER BY region_ord"><col key="region_name" header="地区"/><col key="qc_groups" header="QC小组" null="未报送"/><total/></table>|' \
    "$TOP/templates/annual-city.xml" >"$TPL/annual-city.xml"
export TPL
expect_status 0 "annual with an added table" run_annual 2025
pdftotext "$CITY.pdf" - 2>/dev/null | grep -q "表9" && ok "the added table is in the PDF" || fail "the added table is in the PDF"
grep -q "^表9　各地区QC小组" "$CITY.csv" && grep -q "^合计,172" "$CITY.csv" && ok "the added table is in the CSV, with its total" || fail "the added table in the CSV"

# Template errors: FILE:LINE:COL, and the document is not written.
rm -rf "$OUT"
sed 's/SELECT t.name AS track_name, IFNULL(a.enterprises, 0)/SELECT t.name AS track_name, IFNULL(a.enterprisez, 0)/' \
    "$TOP/templates/annual-city.xml" >"$TPL/annual-city.xml"
line=$(grep -n "a.enterprisez" "$TPL/annual-city.xml" | cut -d: -f1)
expect_status 3 "bad SQL fails" run_annual 2025
expect_diag "bad SQL: file, line, column and SQLite's message" "$TPL/annual-city.xml:$line:41: error: template SQL: no such column: a.enterprisez"
[ ! -f "$CITY.pdf" ] && [ ! -f "$CITY.csv" ] && ok "nothing written for the broken template" || fail "nothing written for the broken template"
[ -f "$OUT/annual/2025/KFQ.pdf" ] && ok "the region reports are still written" || fail "the region reports are still written"
sed 's/{tot.participants}人次，比上年/{tot.participantz}人次，比上年/; s/<col key="total" header="合计" width="1.3"\/>/<col key="t7" header="合计" width="1.3"\/>/' \
    "$TOP/templates/annual-city.xml" >"$TPL/annual-city.xml"
line=$(grep -n "participantz" "$TPL/annual-city.xml" | cut -d: -f1)
expect_status 3 "unknown placeholder fails" run_annual 2025
expect_diag "unknown placeholder at its line" "$TPL/annual-city.xml:$line:"
expect_diag "unknown placeholder named" "unknown placeholder {tot.participantz}"
expect_diag "unknown column named" "unknown column 't7'"
sed 's/<col key="total" header="合计" width="1.3"\/>/<col key="total" header="合计" colour="red"\/>/' \
    "$TOP/templates/annual-city.xml" >"$TPL/annual-city.xml"
expect_status 3 "unknown attribute fails" run_annual 2025
expect_diag "unknown attribute named" "unknown attribute 'colour' on <col>"
sed 's/by="track" value="participants"/by="trak" value="participants"/' \
    "$TOP/templates/annual-city.xml" >"$TPL/annual-city.xml"
line=$(grep -n 'by="trak"' "$TPL/annual-city.xml" | cut -d: -f1)
expect_status 3 "a <cols> spreading an unknown column fails" run_annual 2025
expect_diag "the column named, where" "$TPL/annual-city.xml:$line:"
expect_diag "and what the query gives" "unknown column 'trak' (the query gives: region_name, track, participants, total)"
sed 's/<query name="prog" title="时间进度" sql="SELECT elapsed/<query name="prog" title="时间进度" sql="DELETE FROM region; SELECT elapsed/' \
    "$TOP/templates/annual-city.xml" >"$TPL/annual-city.xml"
expect_status 3 "a query that writes is refused" run_annual 2025
expect_diag "write refused" "may not change the store"
[ "$(sqlite3 "$DB" 'SELECT COUNT(*) FROM region')" = 11 ] && ok "the store is unchanged" || fail "the store is unchanged"
# Saved by an editor in the local code page (GBK): said so, at the first such character.
iconv -f UTF-8 -t GB18030 "$TOP/templates/annual-city.xml" >"$TPL/annual-city.xml"
line=$(grep -n '[^ -~]' "$TOP/templates/annual-city.xml" | head -1 | cut -d: -f1)
col=$(sed -n "${line}p" "$TOP/templates/annual-city.xml" | sed 's/[^ -~].*//' | awk '{ print length($0) + 1 }')
expect_status 3 "a template in GBK fails" run_annual 2025
expect_diag "a template in GBK: where and what to do" "$TPL/annual-city.xml:$line:$col: error: the template is not UTF-8 here (saved as GBK?): save it as UTF-8"

finish
