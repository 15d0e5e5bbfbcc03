#!/bin/sh
# t_layout_sample.sh — the documents an office would publish, built from the
# sample in input/ (every annual report of every year and the bulletin of
# 2023-2024), read back from their layout dumps by tests/layout_check.py: no
# line starts or ends with a forbidden mark, no name of the input and no
# number is split across lines, no two adjacent marks take more than 1.5 em,
# no mark is squeezed inside a line to take in a character more, body lines
# keep the 28-character grid, no table leaves one or two rows on a page nor
# goes to the next page from one with room for its start, no cell text
# touches its rule, no chart labels intersect or come in two sizes.  Then
# what GB/T 9704 asks of the titles and of the bulletin.
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

# GB/T 9704 §7.3.5 and §10: the note of the attachments one blank line below the body;
# 附件1 and 附件2 in 黑体 at the top left of their pages, their titles on the third line;
# the 版记 at the foot of the last page, an even one
awk '/^page/ { p = $2 } /^  line / { print p, $0 }' "$B" >"$WORK/b.lines"
note=$(grep -n '"附件：1．' "$WORK/b.lines" | head -1)
prev=$(grep -n '"附件：1．' -B1 "$WORK/b.lines" | head -1)
ny=$(echo "$note" | sed 's/.* y=\([0-9.]*\) .*/\1/'); py=$(echo "$prev" | sed 's/.* y=\([0-9.]*\) .*/\1/')
awk -v a="$py" -v b="$ny" 'BEGIN { d = b - a; exit !(d > 20.4 && d < 20.5) }' &&
	ok "bulletin: the note of the attachments after one blank line" || fail "bulletin: attachment note at $ny after a line at $py"
for n in 1 2; do
	if grep -A1 "^[0-9]*   line line x=28.00 y=37.00 .*\"附件$n\"\$" "$WORK/b.lines" >/dev/null &&
	    awk -v n="$n" '/"附件'"$n"'"$/ { getline; if ($0 ~ /font=WenQuanYiMicroHei size=16.00/) f = 1 } END { exit !f }' "$B" &&
	    grep -q "line line x=28.00 y=57.45 .*十大" "$WORK/b.lines"; then
		ok "bulletin: 附件$n in 3号黑体 at the top left, its title on the third line"
	else fail "bulletin: 附件$n marker or title misplaced"; fi
done
last=$(grep -c '^page ' "$B")
awk -v last="$last" '/^page/ { p = $2 } p == last && /^  rule line .* y1=262.00 .*width=0.99/ { r = 1 }
	p == last && /^  line colophon .*"抄送：/ { c = 1 } p == last && /"[0-9]*年[0-9]*月[0-9]*日印发"/ { d = 1 }
	END { exit !(r && c && d && last % 2 == 0) }' "$B" &&
	ok "bulletin: 版记 (抄送, 印发机关 and 印发日期) at the foot of page $last, an even page" ||
	fail "bulletin: no 版记 at the foot of the last even page ($last pages)"

# no name doubled in quotation marks anywhere (the programme's name carries its own)
if cat $(cat "$WORK/dumps") | grep '^  line ' | grep -q '““\|””'; then
	fail "doubled quotation marks:"; cat $(cat "$WORK/dumps") | grep '^  line ' | grep '““\|””' | head -3
else ok "no doubled quotation marks in any document"; fi

# the city report's title breaks between whole words, after the closing quote
C=$DUMP/annual/2025/city.dump
awk '/^page 2 / { p = 1; next } /^page/ { p = 0 } p && /^  line line / && n < 2 { n++; sub(/^[^"]*"/, ""); sub(/"$/, ""); print }' "$C" >"$WORK/title"
if [ "$(sed -n 1p "$WORK/title")" = "“建功‘十四五’奋进新征程”" ] && [ "$(sed -n 2p "$WORK/title")" = "主题劳动和技能竞赛2025年度报告" ]; then
	ok "city report: the title breaks after the programme's name, in whole words"
else fail "city report: title lines are"; sed 's/^/    /' "$WORK/title"; fi
finish
