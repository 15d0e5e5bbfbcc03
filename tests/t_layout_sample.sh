#!/bin/sh
# t_layout_sample.sh — the documents an office would publish, built from the
# sample in input/ (every annual report of every year and the bulletin of
# 2023-2024), read back from their layout dumps by tests/layout_check.py: no
# line starts or ends with a forbidden mark, no name of the input and no
# number is split across lines, no two adjacent marks take more than 1.5 em,
# no table leaves one or two rows on a page, no chart labels intersect or come
# in two sizes.  Then what GB/T 9704 asks of the titles and of the bulletin.
. "$(dirname "$0")/lib.sh"

DB=$WORK/store.db
OUT=$WORK/out
DUMP=$OUT
export SOURCE_DATE_EPOCH=1768435200
if [ "${SANITIZED:-0}" = 1 ]; then years=2025; else years="2021 2022 2023 2024 2025"; fi
jz() { "$JINGSAI" --db "$DB" --output "$OUT" --templates "$TOP/templates" --fonts "$TOP/fonts" \
	--dump "$@"; }

# the check itself finds each kind of fault in a dump made to have them
F=$TOP/tests/fixtures/layout
sqlite3 "$WORK/names.db" <"$F/names.sql"
(cd "$F" && python3 "$TOP/tests/layout_check.py" --db "$WORK/names.db" faults.dump) >"$WORK/faults" 2>&1
if cmp -s "$WORK/faults" "$F/faults.expected"; then ok "layout check: every fault of faults.dump found"
else fail "layout check: faults.dump"; diff "$F/faults.expected" "$WORK/faults" | head -10; fi

"$JINGSAI" --input "$TOP/input" --db "$DB" --quiet ingest >"$WORK/ingest.log" 2>&1
st=$?
[ $st -le 1 ] && ok "sample ingested" || { fail "sample ingested (exit $st)"; head "$WORK/ingest.log"; }
for y in $years; do
	expect_status 0 "annual $y of the sample" jz annual "$y"
	if grep -q "broken inside" "$WORK/stderr"; then fail "annual $y: a piece broken inside"; grep "broken inside" "$WORK/stderr" | head -3
	else ok "annual $y: no word, name or number wider than its column"; fi
done
expect_status 0 "bulletin 2023-2024 of the sample" jz bulletin 2023-2024 --number 1
if grep -q "broken inside" "$WORK/stderr"; then fail "bulletin: a piece broken inside"; else ok "bulletin: no piece broken inside"; fi

find "$DUMP" -name '*.dump' | sort >"$WORK/dumps"
n=$(wc -l <"$WORK/dumps")
[ "$n" -ge 13 ] && ok "$n layout dumps" || fail "layout dumps: $n"
if python3 "$TOP/tests/layout_check.py" --db "$DB" $(cat "$WORK/dumps") >"$WORK/check" 2>&1; then
	ok "layout check: $(tail -1 "$WORK/check")"
else
	fail "layout check: $(tail -1 "$WORK/check")"; head -20 "$WORK/check" | sed 's/^/    /'
fi

# the bulletin: five pages or fewer
B=$DUMP/bulletin/2023-2024/bulletin.dump
pages=$(grep -c '^page ' "$B")
[ "$pages" -le 5 ] && ok "bulletin: $pages pages (≤ 5)" || fail "bulletin: $pages pages, want ≤ 5"

# the city report's title breaks between whole words, after the closing quote
C=$DUMP/annual/2025/city.dump
awk '/^page 2 / { p = 1; next } /^page/ { p = 0 } p && /^  line line / && n < 2 { n++; sub(/^[^"]*"/, ""); sub(/"$/, ""); print }' "$C" >"$WORK/title"
if [ "$(sed -n 1p "$WORK/title")" = "“建功‘十四五’奋进新征程”" ] && [ "$(sed -n 2p "$WORK/title")" = "主题劳动和技能竞赛2025年度报告" ]; then
	ok "city report: the title breaks after the programme's name, in whole words"
else fail "city report: title lines are"; sed 's/^/    /' "$WORK/title"; fi
finish
