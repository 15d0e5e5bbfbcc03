#!/bin/sh
# t_annual.sh — the annual reports as PDF from a small fixture store (what
# they lay out, their CSVs and their messages are the regress cases annual,
# template/… and usage/annual-…): the PDF checks of SPEC §5 on every report,
# the text a reader extracts equal to what was laid out, the same bytes on a
# second run, a table added by editing a copy of templates/, a broken city
# template that stops the city report alone and changes nothing, and
# punctuation="none".
. "$(dirname "$0")/lib.sh"

DB=$WORK/store.db
OUT=$WORK/out
FIX=$TOP/tests/fixtures/annual
export SOURCE_DATE_EPOCH=1768435200   # 2026-01-15
# The schema first (any command opens the store read-write), then the data.
"$JINGSAI" --db "$DB" --output "$OUT" --templates "$TOP/templates" --fonts "$TOP/fonts" annual 2025 >/dev/null 2>&1
sqlite3 "$DB" <"$FIX/store.sql" || fail "fixture loads"

run_annual() { "$JINGSAI" --db "$DB" --output "$OUT" --templates "${TPL:-$TOP/templates}" --fonts "$TOP/fonts" annual "$@"; }

expect_status 0 "annual 2025 --dump builds the city and every region" run_annual 2025 --dump
expect_err "and says nothing"
A=$OUT/annual/2025
n=$(ls "$A/"*.pdf 2>/dev/null | wc -l)
[ "$n" = 12 ] && ok "12 PDFs (city + 11 regions)" || fail "12 PDFs (got $n)"
bad=0
for f in "$A"/*.pdf; do qpdf --check "$f" >/dev/null 2>&1 || { fail "qpdf --check ${f##*/}"; bad=1; }; done
[ $bad = 0 ] && ok "every report passes qpdf --check"
set --
for f in "$A"/*.pdf; do set -- "$@" "$f" "${f%.pdf}.dump"; done
if python3 "$TOP/tests/pdf_dump_text.py" "$@" >"$WORK/text" 2>&1; then ok "every report's extracted text is the text laid out ($(grep -c pages "$WORK/text") reports)"
else fail "extracted text differs from the layout:"; grep -v ' pages, ' "$WORK/text" | sed 's/^/    /'; fi

# The same store and templates give the same bytes.
mkdir -p "$WORK/first"; cp "$A/"* "$WORK/first/"
expect_status 0 "annual 2025 again" run_annual 2025 --dump
same=1; for f in "$WORK/first/"*; do cmp -s "$f" "$A/$(basename "$f")" || same=0; done
[ $same = 1 ] && ok "a second run writes byte-identical PDFs, CSVs and dumps" || fail "byte-identical second run"

# A year whose year before has no data: the column of that year (无数据 in
# every row of 表8, 未报送 in every row of a region's 表1) is right-aligned
# like the numbers it stands for, not set against its left rule.
expect_status 0 "annual 2024 (no data for 2023)" run_annual 2024 --dump
right() { awk -v want="$1" '/^  line td / { bx = $3; bw = $5; sub(/^x=/, "", bx); sub(/^w=/, "", bw); t = $0; sub(/^[^"]*"/, "", t); sub(/"$/, "", t); getline
	if (t != want) next; n++; rx = $3; rw = $5; sub(/^x=/, "", rx); sub(/^w=/, "", rw); d = bx + bw - rx - rw; if (d > 0.05 || d < -0.05) bad++ }
	END { exit !(n >= 3 && !bad) }' "$2"; }
sed -n '/"表1　/,/"表2　/p' "$OUT/annual/2024/320612.dump" >"$WORK/t1.dump"
right 无数据 "$OUT/annual/2024/city.dump" && right 未报送 "$WORK/t1.dump" &&
	ok "无数据 and 未报送 of a year without data stand right in their cells" ||
	fail "无数据 / 未报送 of a year without data not right-aligned"

# Adding a table is one edit of a template.
TPL=$WORK/templates; cp -r "$TOP/templates" "$TPL"
sed 's|<section title="五、群众性创新活动">|<section title="五、群众性创新活动"><table title="表9　各地区QC小组" sql="SELECT region_name, qc_groups FROM agg_region_year WHERE year = :year ORDER BY region_ord"><col key="region_name" header="地区"/><col key="qc_groups" header="QC小组" null="未报送"/><total/></table>|' \
    "$TOP/templates/annual-city.xml" >"$TPL/annual-city.xml"
export TPL
expect_status 0 "annual with an added table" run_annual 2025 --dump
[ "$(grep -c '^  line line .*"表9　各地区QC小组"$' "$A/city.dump")" = 1 ] && ok "the added table is laid out, with its title" ||
	fail "the added table is not in the city report's layout"
tr -d '\r' <"$A/city.csv" | sed -n '/^表9/,/^$/p' >"$WORK/t9"
printf '%s\n' 表9　各地区QC小组 地区,QC小组 崇川区,8 通州区,10 海门区,12 如东县,14 启东市,16 如皋市,18 海安市,20 \
	南通经济技术开发区,22 苏锡通科技产业园区,24 通州湾示范区,未报送 市直,28 合计,172 '' >"$WORK/t9.want"
if cmp -s "$WORK/t9" "$WORK/t9.want"; then ok "the added table is in the CSV, 未报送 and total included"
else fail "the added table in the CSV:"; diff "$WORK/t9.want" "$WORK/t9" | sed 's/^/    /'; fi

# A broken city template: the city report is not written, the region
# reports are, and a query that would change the store changes nothing.
rm -rf "$OUT"
sed 's/SELECT t.name AS track_name, IFNULL(a.enterprises, 0)/SELECT t.name AS track_name, IFNULL(a.enterprisez, 0)/' \
    "$TOP/templates/annual-city.xml" >"$TPL/annual-city.xml"
line=$(grep -n "a.enterprisez" "$TPL/annual-city.xml" | cut -d: -f1)
expect_status 3 "bad SQL in the city template fails" run_annual 2025
expect_err "bad SQL: file, line, column and SQLite's message; the report not written" \
	"$TPL/annual-city.xml:$line:41: error: template SQL: no such column: a.enterprisez" \
	"jingsai: error: annual/2025/city.pdf was not written (errors above)"
[ ! -f "$A/city.pdf" ] && [ ! -f "$A/city.csv" ] && ok "nothing written for the broken template" || fail "nothing written for the broken template"
[ "$(ls "$A"/*.pdf | wc -l)" = 11 ] && ok "the 11 region reports are still written" || fail "the region reports are still written"
sed 's/<query name="prog" title="时间进度" sql="SELECT elapsed/<query name="prog" title="时间进度" sql="DELETE FROM region; SELECT elapsed/' \
    "$TOP/templates/annual-city.xml" >"$TPL/annual-city.xml"
line=$(grep -n "DELETE FROM region" "$TPL/annual-city.xml" | cut -d: -f1)
col=$(( $(sed -n "${line}p" "$TPL/annual-city.xml" | sed 's/sql=.*//' | tr -d '\n' | wc -m) + 6 ))   # characters, not bytes
expect_status 3 "a query that writes is refused" run_annual 2025
expect_err "write refused, at the query" \
	"$TPL/annual-city.xml:$line:$col: error: template SQL: a template query may not change the store or attach another database" \
	"jingsai: error: annual/2025/city.pdf was not written (errors above)"
[ "$(sqlite3 "$DB" 'SELECT COUNT(*) FROM region')" = 11 ] && ok "the store is unchanged" || fail "the store is unchanged"

# punctuation="none" (forms on a character grid): every full-width mark keeps
# its em, so adjacent marks take two, where the first run's report (the
# default, adjust) set every pair in 1.5 em.
sed 's/<report title=/<report punctuation="none" title=/' "$TOP/templates/annual-city.xml" >"$TPL/annual-city.xml"
expect_status 0 "punctuation=\"none\" is accepted" run_annual 2025 --dump
expect_err "and says nothing"
pairs() { python3 "$TOP/tests/layout_check.py" --counts "$1" | sed -n 's/.* pairs=\([0-9]*\) .*/\1/p'; }
adjust=$(pairs "$WORK/first/city.dump") none=$(pairs "$A/city.dump")
[ "$adjust" = 0 ] && [ "${none:-0}" -gt 0 ] && ok "punctuation=\"none\": $none pairs of marks keep two ems (none by default)" ||
	fail "punctuation: pairs wider than 1.5 em: $adjust by default, $none with punctuation=\"none\""

finish
