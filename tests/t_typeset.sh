#!/bin/sh
# t_typeset.sh — the typesetting core end to end: fonts with fallback, line
# breaking, the page grid, tables across pages, and PDFs that extract, check
# and reproduce; through tools/typeset and the fixtures in tests/fixtures/typeset.
. "$(dirname "$0")/lib.sh"
TS=$TOP/build/tools/typeset
FX=$TOP/tests/fixtures/typeset
FONTS=$TOP/fonts
SOURCE_DATE_EPOCH=1736899200; export SOURCE_DATE_EPOCH

# -- every character prints: fallback fonts, 〇 喆 堃 昇 镕 旻, 𠮷 outside the BMP
expect_status 0 "chars: PDF written" "$TS" --fonts "$FONTS" --pdf "$WORK/chars.pdf" "$FX/chars.txt"
pdftotext "$WORK/chars.pdf" "$WORK/chars.txt" 2>"$WORK/pdftotext.err"
if [ -s "$WORK/pdftotext.err" ]; then fail "chars: pdftotext is silent"; cat "$WORK/pdftotext.err"; else ok "chars: pdftotext is silent (no Syntax Warning)"; fi
# exactly the text laid out (line ends aside): the ¼ em between Han and Latin
# is in the glyph widths, so pdftotext adds no space for it.  Spaces aside:
# a line left loose by an unbreakable number (3,000,000人次 goes whole to the
# next line) is justified wide enough for pdftotext to see word gaps.
sed -n 's/^\(title\|h1\|h2\|p\) //p' "$FX/chars.txt" | tr -d '\n ' >"$WORK/want"
grep -v "^— [0-9]* —$" "$WORK/chars.txt" | tr -d '\n\f ' >"$WORK/got"
if cmp -s "$WORK/want" "$WORK/got"; then ok "chars: extracted text equals the source"; else fail "chars: extracted text differs"; diff "$WORK/want" "$WORK/got" | head -5; fi
for c in 〇 喆 堃 昇 镕 旻 𠮷; do
	if grep -q "$c" "$WORK/chars.txt"; then ok "chars: $c extracted"; else fail "chars: $c extracted"; fi
done
check "chars: qpdf --check" qpdf --check "$WORK/chars.pdf"
pdffonts "$WORK/chars.pdf" | tail -n +3 >"$WORK/fonts"
if [ -s "$WORK/fonts" ] && ! awk '$(NF-4) != "yes" || $(NF-3) != "yes" || $(NF-2) != "yes"' "$WORK/fonts" | grep -q .; then
	ok "chars: every font embedded, subset, with ToUnicode"; else fail "chars: fonts not all embedded+subset"; cat "$WORK/fonts"; fi
if pdftoppm -r 30 -png "$WORK/chars.pdf" "$WORK/chars" 2>"$WORK/ppm.err" && [ ! -s "$WORK/ppm.err" ]; then ok "chars: renders"; else fail "chars: renders"; fi

# -- twelve pages of the programme text extract back exactly (page numbers aside)
"$TS" --fonts "$FONTS" --pdf "$WORK/long.pdf" "$FX/bench.txt"
sed -n 's/^\(title\|h1\|h2\|p\) //p' "$FX/bench.txt" | tr -d '\n' >"$WORK/long.want"
pdftotext "$WORK/long.pdf" - 2>"$WORK/long.err" | tr '\f' '\n' | grep -v '^— [0-9]* —$' | tr -d '\n' >"$WORK/long.got"
if cmp -s "$WORK/long.want" "$WORK/long.got" && [ ! -s "$WORK/long.err" ]; then ok "long: $(pdfinfo "$WORK/long.pdf" | awk '/^Pages/ { print $2 }') pages extract exactly, no warning"
else fail "long: extracted text differs"; cmp "$WORK/long.want" "$WORK/long.got"; head -3 "$WORK/long.err"; fi

# -- byte-identical output for identical input
"$TS" --fonts "$FONTS" --pdf "$WORK/chars2.pdf" "$FX/chars.txt"
check "reproducible: same bytes twice" cmp "$WORK/chars.pdf" "$WORK/chars2.pdf"
pdfinfo -isodates "$WORK/chars.pdf" | grep -q "^CreationDate: *2025-01-15T00:00:00Z" && ok "reproducible: SOURCE_DATE_EPOCH is the date" || fail "reproducible: SOURCE_DATE_EPOCH is the date"

# -- a licensed font dropped into the fonts folder wins (any case of its name);
# without a roles.conf there the built-in roles apply
mkdir -p "$WORK/office"
cp /usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf "$WORK/office/SIMFANG.TTF"
"$TS" --fonts "$WORK/office" --dump "$WORK/office.dump" "$FX/chars.txt"
grep -q 'run text .*font=GBZenKai-Medium .*"一二三；人名：张"' "$WORK/office.dump" && ok "fonts/: SIMFANG.TTF is the body font" || fail "fonts/: SIMFANG.TTF is the body font"
grep -q 'run text .*font=LXGWWenKai-Regular .*"喆"' "$WORK/office.dump" && ok "fonts/: fallback still catches 喆" || fail "fonts/: fallback still catches 喆"
# the same font dropped in that a fallback also names by its system path: two
# faces of one PostScript name in one PDF
mkdir -p "$WORK/twice"
cp /usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf "$WORK/twice/simfang.ttf"
expect_status 0 "fonts/: a system fallback font copied in as well: PDF written" \
	"$TS" --fonts "$WORK/twice" --pdf "$WORK/twice.pdf" "$FX/chars.txt"
[ "$(pdffonts "$WORK/twice.pdf" 2>/dev/null | grep -c 'BousungEG-Light-GB')" = 2 ] &&
	ok "fonts/: both faces of that name embedded" || fail "fonts/: both faces of that name embedded"

# -- files in the fonts folder that cannot serve (junk, a truncated copy) are
# skipped with a warning saying what is wrong; the chain goes on
mkdir -p "$WORK/bad"
printf 'not a font\n' >"$WORK/bad/仿宋_GB2312.ttf"
head -c 100000 /usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf >"$WORK/bad/simfang.ttf"
expect_status 0 "fonts/: unusable files skipped" "$TS" --fonts "$WORK/bad" --dump "$WORK/bad.dump" "$FX/chars.txt"
expect_err "fonts/: junk and a truncated copy named, each once" \
	"$WORK/bad/仿宋_GB2312.ttf: warning: not a font (or no such face in the collection)" \
	"$WORK/bad/simfang.ttf: warning: damaged font: its glyph outlines (glyf table) are cut short; copy the file again"
grep -q 'run text .*font=BousungEG-Light-GB .*"一二三；人名：张"' "$WORK/bad.dump" && ok "fonts/: the next font of the chain sets the body" || fail "fonts/: next font of the chain"

# -- a character no font of the chain has: error names the field and U+XXXX, no file
mkdir -p "$WORK/narrow"
echo "body: truetype/arphic-gbsn00lp/gbsn00lp.ttf" >"$WORK/narrow/roles.conf"
printf 'setup a4\nfield recipient of 2025-MEDAL-0001\np 王喆\n' >"$WORK/missing.txt"
expect_status 3 "missing glyph: refused" "$TS" --fonts "$WORK/narrow" --pdf "$WORK/missing.pdf" "$WORK/missing.txt"
expect_err "missing glyph: names field and code point" \
	"jingsai: error: recipient of 2025-MEDAL-0001: no font of role 'body' has U+5586 '喆'" \
	"jingsai: note: put a font that has it into fonts/ and name it in fonts/roles.conf" \
	"jingsai: error: document: not written: 1 character(s) have no font"
[ ! -e "$WORK/missing.pdf" ] && ok "missing glyph: nothing written" || fail "missing glyph: nothing written"
# U+FFFD, a character lost in a conversion before the file came in: fonts have
# a mark for it (HanaMin's �), never printed in a name's place
printf 'setup a4\nfield recipient of 2025-MEDAL-0001\nbox sans 28 20 20 150 30 - 张\357\277\275三\n' >"$WORK/fffd.txt"
expect_status 3 "U+FFFD: refused" "$TS" --fonts "$FONTS" --pdf "$WORK/fffd.pdf" "$WORK/fffd.txt"
expect_err "U+FFFD: names field, says what it is" \
	"jingsai: error: recipient of 2025-MEDAL-0001: holds U+FFFD '$(printf '\357\277\275')', the mark of a character lost when the file was converted from another encoding" \
	"jingsai: note: correct the text in the submitted file: a document never prints it" \
	"jingsai: error: document: not written: 1 character(s) have no font"
[ ! -e "$WORK/fffd.pdf" ] && ok "U+FFFD: nothing written" || fail "U+FFFD: nothing written"

# -- line breaking: no line starts with closing punctuation or ends with an opening
# one (layout_check.py), —— and …… whole
"$TS" --fonts "$FONTS" --dump "$WORK/breaks.dump" "$FX/breaks.txt"
sed -n 's/^  line [a-z]* .* "\(.*\)"$/\1/p' "$WORK/breaks.dump" >"$WORK/lines"
if [ "$(wc -l <"$WORK/lines")" -gt 15 ]; then ok "breaks: many lines"; else fail "breaks: many lines"; fi
if python3 "$TOP/tests/layout_check.py" "$WORK/breaks.dump" >"$WORK/breaks.check"; then ok "breaks: no line starts or ends with a mark that may not ($(tail -1 "$WORK/breaks.check"))"
else fail "breaks: $(tail -1 "$WORK/breaks.check")"; head -5 "$WORK/breaks.check"; fi
if grep -q '^—\|^…' "$WORK/lines" && grep -q '—$\|…$' "$WORK/lines"; then fail "breaks: —— or …… split"; else ok "breaks: —— and …… not split"; fi
# a paragraph does not end with one character alone: 年度 / 报表。, the line before spread
"$TS" --fonts "$FONTS" --dump "$WORK/lone.dump" "$FX/lone.txt"
if python3 "$TOP/tests/layout_check.py" "$WORK/lone.dump" >"$WORK/lone.check" &&
    grep -q '^  line line .*"报表。"$' "$WORK/lone.dump" &&
    awk '/"性劳动竞赛.*年度"$/ { getline; for (i = 1; i <= NF; i++) if ($i ~ /^w=/) w = substr($i, 3) } END { exit !(w > 155.9 && w < 156.1) }' "$WORK/lone.dump"; then
	ok "lone character: the last line is 报表。, the line before spread to the 版心's width"
else fail "lone character: $(tail -1 "$WORK/lone.check")"; grep '^  line' "$WORK/lone.dump" | sed 's/^/    /'; fi
# a date and its time of day stay on one line (a receipt's 说明: 取代 2025-01-13 12:43 报送的…)
"$TS" --fonts "$FONTS" --dump "$WORK/moment.dump" "$FX/moment.txt"
if python3 "$TOP/tests/layout_check.py" "$WORK/moment.dump" >"$WORK/moment.check" &&
    grep -q '^  line td .*"2025-01-13 12:43"$' "$WORK/moment.dump"; then
	ok "moment: 2025-01-13 12:43 on one line"
else fail "moment: $(tail -1 "$WORK/moment.check")"; grep '^  line td' "$WORK/moment.dump" | sed 's/^/    /'; fi
# names column (names.txt): a name of twelve characters stays whole, the
# padding gives way; one with a dot breaks after the dot, not a column wide
"$TS" --fonts "$FONTS" --dump "$WORK/names.dump" "$FX/names.txt" 2>"$WORK/names.err"
if grep -q '^  line td .*"阿依古丽阿不都热合曼江木"$' "$WORK/names.dump" && ! grep -q 'broken inside' "$WORK/names.err"; then
	ok "names: 阿依古丽阿不都热合曼江木 whole in its column"
else fail "names: $(cat "$WORK/names.err")"; grep '阿依古丽' "$WORK/names.dump" | sed 's/^/    /'; fi
if grep -A2 '^  line td .*"热依汗古丽·"$' "$WORK/names.dump" | grep -q '^  line td .*"阿不都热合曼"$' &&
    [ "$(grep -c '^  line td .*"陆月萍船舶管"$' "$WORK/names.dump")" = 1 ] &&
    grep -q '^  line td .*"买买提·艾力"$' "$WORK/names.dump"; then
	ok "names: 热依汗古丽· / 阿不都热合曼, 买买提·艾力 whole, the titles beside them six characters a line"
else fail "names: 热依汗古丽·阿不都热合曼"; grep '热依汗\|阿不都\|陆月萍' "$WORK/names.dump" | sed 's/^/    /'; fi
# default-ignorable characters in names (ignorable.txt): nothing drawn for them
if "$TS" --fonts "$FONTS" --dump "$WORK/ign.dump" "$FX/ignorable.txt" 2>"$WORK/ign.err"; then
	sed -n 's/^    run text .* font=\([^ ]*\) .* n=[0-9]* adv=\([0-9,]*\) "\(.*\)"$/\1 \2 \3/p' "$WORK/ign.dump" >"$WORK/ign.runs"
	if [ "$(head -5 "$WORK/ign.runs" | cut -d' ' -f3 | tr '\n' '/')" = "王五/葛亮/赵六/李四明/周八/" ] &&
	    ! grep -qv '^WenQuanYiMicroHei\|^BousungEG' "$WORK/ign.runs" &&
	    ! grep -q '[^0-9]0,\|,0,\|,0 ' "$WORK/ign.runs"; then
		ok "ignorable: variation selectors, soft hyphen, joiners not drawn; 王  五 spaced"
	else fail "ignorable: $(cat "$WORK/ign.runs")"; fi
else fail "ignorable: $(cat "$WORK/ign.err")"; fi
# a header breaks after a suffix ICU leaves as a word of its own, not before it
"$TS" --fonts "$FONTS" --dump "$WORK/heads.dump" "$FX/heads.txt"
sed -n 's/^  line th .* "\(.*\)"$/\1/p' "$WORK/heads.dump" | tr '\n' '/' >"$WORK/heads"
if grep -q '/群众性/创新/' "$WORK/heads" && grep -q '/人次/占全市/' "$WORK/heads"; then
	ok "headers: 群众性 / 创新 and 人次 / 占全市"
else fail "headers: $(cat "$WORK/heads")"; fi

# -- the GB/T 9704 grid: 22 lines × 28 characters fill the 156 × 225 mm 版心
"$TS" --fonts "$FONTS" --dump "$WORK/grid.dump" "$FX/grid.txt"
[ "$(grep -c '^page' "$WORK/grid.dump")" = 1 ] && ok "grid: one page" || fail "grid: one page"
[ "$(grep -c '^  line' "$WORK/grid.dump")" = 22 ] && ok "grid: 22 lines" || fail "grid: 22 lines"
[ "$(grep -c 'run .* n=28 ' "$WORK/grid.dump")" = 22 ] && ok "grid: 28 characters per line" || fail "grid: 28 characters per line"
awk '/^    run/ { for (i = 1; i <= NF; i++) { if ($i ~ /^x=/) x = substr($i, 3); if ($i ~ /^w=/) w = substr($i, 3) }
	if (x + 0 != 28 || w - 156 > 0.1 || w - 156 < -0.1) bad = 1 } END { exit bad }' "$WORK/grid.dump" &&
	ok "grid: every line spans 28–184 mm" || fail "grid: every line spans 28–184 mm"
awk '/^  line/ { for (i = 1; i <= NF; i++) if ($i ~ /^y=/) y = substr($i, 3) } END { h = y + 225 / 22; exit !(h > 261.99 && h < 262.01) }' "$WORK/grid.dump" &&
	ok "grid: the last line ends at the bottom of the 版心 (262 mm)" || fail "grid: last line bottom"

# -- a table of 500 rows: header on every page, rows whole, totals at the end
printf 'setup a4 numbers\ntitle 表格分页测试\ntable 各单位参赛情况 | 序号:0.6:r | 单位:2.4:l | 企业数:1:r | 参与人次:1.2:r | 项目数:1:r\nrows 500\ntotal auto\nendtable\n' >"$WORK/table.txt"
"$TS" --fonts "$FONTS" --dump "$WORK/table.dump" --pdf "$WORK/table.pdf" "$WORK/table.txt"
pages=$(grep -c '^page' "$WORK/table.dump")
[ "$pages" -gt 5 ] && ok "table: $pages pages" || fail "table: paginates ($pages pages)"
awk '/^page/ { if (p && !h) bad = 1; p = 1; h = 0 } /^  line th .*"序号"/ { h = 1 } END { if (!h) bad = 1; exit bad }' "$WORK/table.dump" &&
	ok "table: header row on every page" || fail "table: header row on every page"
[ "$(grep -c '^  line td .*"[0-9]*"$' "$WORK/table.dump")" -ge 500 ] && ok "table: 500 rows" || fail "table: 500 rows"
awk '/^page/ { n++ } /^  line total .*"合计"/ { t = n } END { exit !(t == n) }' "$WORK/table.dump" &&
	ok "table: totals row on the last page" || fail "table: totals row on the last page"
awk '/^  line t[dh]/ { for (i = 1; i <= NF; i++) if ($i ~ /^y=/) y = substr($i, 3); if (y + 0 > 262) bad = 1 } END { exit bad }' "$WORK/table.dump" &&
	ok "table: no row below the 版心" || fail "table: no row below the 版心"
check "table: qpdf --check" qpdf --check "$WORK/table.pdf"
grep -q 'line folio .*"— 3 —"' "$WORK/table.dump" && ok "table: page numbers — N —" || fail "table: page numbers — N —"

# -- a table with room at the foot of a page for its caption, header and three
# rows starts there and goes on, numbered 表3（续） over its header again
{ printf 'setup a4 numbers\n'; for i in $(seq 1 17); do printf 'p 第%s段。\n' "$i"; done
  printf 'table 表3　跨页的表 | 地区:2:l | 人数:1:r\n'
  for i in $(seq 1 20); do printf 'row 地区%s | %s\n' "$i" "$((i * 1000))"; done
  printf 'endtable\n'; } >"$WORK/cont.txt"
"$TS" --fonts "$FONTS" --dump "$WORK/cont.dump" "$WORK/cont.txt"
awk '/^page/ { p = $2 } /^  line / { print p, $0 }' "$WORK/cont.dump" >"$WORK/cont.lines"
grep -q '^1 .*"表3　跨页的表"$' "$WORK/cont.lines" && [ "$(grep -c '^1   line td ' "$WORK/cont.lines")" -ge 6 ] &&
	ok "continued table: starts at the foot of page 1 with its header and rows" ||
	fail "continued table: does not start on page 1"
awk '$1 == 2 && n < 3 { n++; sub(/^[^"]*"/, ""); sub(/"$/, ""); print }' "$WORK/cont.lines" >"$WORK/cont.top"
printf '%s\n' "表3（续）" "地区" "人数" >"$WORK/cont.want"
if cmp -s "$WORK/cont.top" "$WORK/cont.want" && grep -q '^2   line line x=28.00 y=37.00 .*"表3（续）"' "$WORK/cont.lines"; then
	ok "continued table: page 2 opens with 表3（续） and the header row"
else fail "continued table: page 2 opens with"; cat "$WORK/cont.top"; fi
python3 "$TOP/tests/layout_check.py" --counts "$WORK/cont.dump" | grep -q 'tablerows=0 .*tablegap=0' &&
	ok "continued table: no stranded rows, no room left behind" || fail "continued table: $(python3 "$TOP/tests/layout_check.py" --counts "$WORK/cont.dump")"

# -- a table whose pieces (numbers, names, words) do not fit side by side in
# 小四 is set in 五号, or else in 小五 (tests/fixtures/typeset/sizes.txt); only
# a table too wide even in 小五 has pieces broken inside: its widest, the
# numbers, never the names beside them
"$TS" --fonts "$FONTS" --dump "$WORK/sizes.dump" "$FX/sizes.txt" 2>"$WORK/sizes.err"
# the sizes the cells of the table captioned $1 come in
cells_in() { awk -v t="$1" '/^page/ { p = 0 } /^  line line / { p = index($0, "\"" t) > 0 }
	p && /^  line (th|td|total) / { c = 1; next }
	p && c && /^    run / { for (i = 1; i <= NF; i++) if ($i ~ /^size=/) print substr($i, 6); c = 0 }' "$2" | sort -u | tr '\n' ' '; }
[ "$(cells_in 表1 "$WORK/sizes.dump")" = "12.00 " ] && ok "sizes: a table that fits is set in 小四" ||
	fail "sizes: 表1 in $(cells_in 表1 "$WORK/sizes.dump")"
[ "$(cells_in 表2 "$WORK/sizes.dump")" = "10.50 " ] && ok "sizes: seven columns of seven digits in 五号" ||
	fail "sizes: 表2 in $(cells_in 表2 "$WORK/sizes.dump")"
[ "$(cells_in 表3 "$WORK/sizes.dump")" = "9.00 " ] && [ "$(cells_in 表4 "$WORK/sizes.dump")" = "9.00 " ] &&
	ok "sizes: nine digits in 小五, and no smaller" || fail "sizes: 表3 in $(cells_in 表3 "$WORK/sizes.dump"), 表4 in $(cells_in 表4 "$WORK/sizes.dump")"
[ "$(grep -c "broken inside" "$WORK/sizes.err")" = 9 ] &&
	[ "$(grep -c "table '表4　过宽', row 1: '12,345,678,901' is wider than its column" "$WORK/sizes.err")" = 9 ] &&
	ok "sizes: only the numbers of the table too wide for 小五 are broken, each reported" ||
	{ fail "sizes: broken pieces"; cat "$WORK/sizes.err"; }
[ "$(grep -c '^  line td .*"崇川区"$' "$WORK/sizes.dump")" = 4 ] && ! grep -q '^  line td .*"[南通经济技术开发区]"$' "$WORK/sizes.dump" &&
	ok "sizes: names whole or broken between words, in every table" || fail "sizes: a name broken"
# the first column's lines of the table captioned $1
names_in() { awk -v t="$1" '/^page/ { p = 0 } /^  line line / { p = index($0, "\"" t) > 0 }
	p && /^  line td x=2[0-9.]* / { sub(/^[^"]*"/, ""); sub(/"$/, ""); print }' "$2" | tr '\n' ' '; }
[ "$(cells_in 表6 "$WORK/sizes.dump")" = "9.00 " ] &&
	[ "$(names_in 表6 "$WORK/sizes.dump")" = "南通经济技术开发区 苏锡通科技产业园区 通州湾示范区 " ] &&
	ok "sizes: names that would take four lines in 五号 are set in 小五, each on one line" ||
	fail "sizes: 表6 in $(cells_in 表6 "$WORK/sizes.dump"): $(names_in 表6 "$WORK/sizes.dump")"
# the same table too wide for 小五 where it does not fit below the page's
# paragraphs waits for the next page, and reports its broken pieces once
{ printf 'setup a4 numbers\n'; for i in $(seq 1 19); do printf 'p 第%s段。\n' "$i"; done
  sed -n '/^table 表4/,/^endtable/p' "$FX/sizes.txt"; printf 'p 表后的段落。\n'; } >"$WORK/sizes-float.txt"
"$TS" --fonts "$FONTS" --dump "$WORK/sizes-float.dump" "$WORK/sizes-float.txt" 2>"$WORK/sizes-float.err"
grep -q '^  line line x=28.00 y=37.00 .*"表4　过宽"$' "$WORK/sizes-float.dump" && [ "$(grep -c "broken inside" "$WORK/sizes-float.err")" = 9 ] &&
	ok "sizes: a table that waits for the next page reports each broken piece once" ||
	{ fail "sizes: the waiting table's warnings"; head -3 "$WORK/sizes-float.err"; }
# a table in 五号 over three pages: the same size and columns under 表5（续）
{ printf 'setup a4 numbers\n'
  printf 'table 表5　跨页 | 地区:2.2:l | 引领性:1:r | 群众性创新:1:r | 绿色低碳:1:r | 技能素质:1:r | 安康杯:1:r | 班组创先:1:r | 合计:1.3:r\n'
  for i in $(seq 1 80); do printf 'row 南通经济技术开发区 | 1,227,313 | 2,041,745 | 908,790 | 1,567,647 | 1,110,417 | 939,085 | 7,794,997\n'; done
  printf 'endtable\n'; } >"$WORK/sizes-cont.txt"
"$TS" --fonts "$FONTS" --dump "$WORK/sizes-cont.dump" "$WORK/sizes-cont.txt"
awk '/^page/ { p = $2 } /^  rule column / { print p, $3 }' "$WORK/sizes-cont.dump" | sort -u |
	awk '{ x[$1] = x[$1] " " $2 } END { for (q in x) { n++; if (x[q] != x[1]) bad = 1 } exit bad || n < 3 }' &&
	! awk '/^  line th / { getline; if ($0 !~ /size=10.50/) bad = 1 } END { exit !bad }' "$WORK/sizes-cont.dump" &&
	[ "$(grep -c '"表5（续）"$' "$WORK/sizes-cont.dump")" -ge 2 ] && [ "$(cells_in 表5 "$WORK/sizes-cont.dump")" = "10.50 " ] &&
	ok "sizes: 表5（续） keeps the size and the columns of its first page" || fail "sizes: a continued table changes size or columns"

# -- a report: cover, outline, table with totals, bar and line charts in vector
expect_status 0 "report: written" "$TS" --fonts "$FONTS" --pdf "$WORK/report.pdf" --dump "$WORK/report.dump" "$FX/report.txt"
awk '/^page 1 / { p = 1; next } /^page/ { p = 0 } p && /folio/ { bad = 1 } END { exit bad }' "$WORK/report.dump" &&
	ok "report: the cover has no page number" || fail "report: the cover has no page number"
awk '/^page 2 / { p = 1; next } /^page/ { p = 0 } p && /line folio .*"— 1 —"/ { f = 1 } END { exit !f }' "$WORK/report.dump" &&
	ok "report: page 2 is — 1 —" || fail "report: page 2 is — 1 —"
grep -q '^outline 0 page=2 .*"2025年度南通市劳动和技能竞赛情况报告"' "$WORK/report.dump" && grep -q '^outline 1 page=2 .*"一、总体情况"' "$WORK/report.dump" &&
	ok "report: bookmarks for title and heading" || fail "report: bookmarks"
[ "$(grep -c '^  rect bar ' "$WORK/report.dump")" = 10 ] && ok "report: 10 bars" || fail "report: 10 bars"
[ "$(grep -c '^  circle point ' "$WORK/report.dump")" = 10 ] && ok "report: 10 line points" || fail "report: 10 line points"
grep -q '^  line value .*"456,789"' "$WORK/report.dump" && grep -q '^  line tick .*"500,000"' "$WORK/report.dump" &&
	ok "report: value labels and round ticks" || fail "report: value labels and round ticks"
grep -q '^  line total .*"1,148,256"' "$WORK/report.dump" && ok "report: totals row" || fail "report: totals row"
awk '/^  line td .*"1,234"/ { for (i = 1; i <= NF; i++) { if ($i ~ /^x=/) x = substr($i, 3); if ($i ~ /^w=/) w = substr($i, 3) } }
	/^    run / && x { for (i = 1; i <= NF; i++) { if ($i ~ /^x=/) rx = substr($i, 3); if ($i ~ /^w=/) rw = substr($i, 3) } d = x + w - rx - rw; exit !(d > -0.05 && d < 0.05) }' "$WORK/report.dump" &&
	ok "report: numbers right-aligned" || fail "report: numbers right-aligned"
check "report: qpdf --check" qpdf --check "$WORK/report.pdf"
pdftotext "$WORK/report.pdf" - 2>&1 | grep -q '1,148,256' && ok "report: table text extracts" || fail "report: table text extracts"

# -- size: a landscape certificate in LXGW WenKai
"$TS" --fonts "$FONTS" --pdf "$WORK/cert.pdf" "$FX/cert40.txt"
size=$(wc -c <"$WORK/cert.pdf")
[ "$size" -lt 12000 ] && ok "cert: $size bytes < 12 000 (40 distinct Han in WenKai)" || fail "cert: $size bytes, not under 12 000"
pdffonts "$WORK/cert.pdf" | tail -n +3 >"$WORK/cert.fonts"
[ "$(wc -l <"$WORK/cert.fonts")" = 1 ] && grep -q 'LXGWWenKai.* yes yes yes' "$WORK/cert.fonts" && ok "cert: WenKai embedded and subset" || fail "cert: WenKai embedded and subset"
sed -n 's/^box \([^ ]* \)\{6\}[^ ]* //p' "$FX/cert40.txt" | tr -d '\n' >"$WORK/cert.want"
pdftotext "$WORK/cert.pdf" - 2>"$WORK/cert.err" | tr -d ' \n\f' >"$WORK/cert.got"
if cmp -s "$WORK/cert.want" "$WORK/cert.got" && [ ! -s "$WORK/cert.err" ]; then ok "cert: extracted text equals the source, no warning"
else fail "cert: extracted text differs"; cat "$WORK/cert.want"; echo; cat "$WORK/cert.got"; echo; head -3 "$WORK/cert.err"; fi
check "cert: qpdf --check" qpdf --check "$WORK/cert.pdf"
"$TS" --fonts "$FONTS" --pdf "$WORK/cert2.pdf" "$FX/cert40.txt"
check "cert: same bytes twice" cmp "$WORK/cert.pdf" "$WORK/cert2.pdf"
# -- keep-with-next and widows/orphans (tests/fixtures/typeset/keep.txt)
"$TS" --fonts "$FONTS" --dump "$WORK/keep.dump" "$FX/keep.txt"
awk '/^page/ { p = $2 } /^  line line/ { print p, $0 }' "$WORK/keep.dump" >"$WORK/keep.lines"
# where a line box starts: "PAGE Y" of the first line box whose text is $1
at() { grep -F "\"$1\"" "$WORK/keep.lines" | head -1 | sed 's/^\([0-9]*\) .* y=\([0-9.]*\) .*/\1 \2/'; }
[ "$(at 四、各地区开展情况)" = "2 37.00" ] && ok "keep: heading over a table that does not fit moves to the next page top" ||
	fail "keep: heading before its table is at '$(at 四、各地区开展情况)', want '2 37.00'"
[ "$(at '表3  各地区开展情况' | cut -d' ' -f1)" = 2 ] && ok "keep: the table follows its heading" || fail "keep: table caption not on page 2"
[ "$(awk '$1 == 1' "$WORK/keep.lines" | tail -1 | grep -c 第20段)" = 1 ] && ok "keep: page 1 ends with the paragraph before the heading" || fail "keep: page 1 does not end with 第20段"
n3=$(grep -c '^3 .*"甲' "$WORK/keep.lines"); n4=$(grep -c '^4 .*"甲' "$WORK/keep.lines")
[ "$n3 $n4" = "2 2" ] && ok "widow: four lines with three left split two and two" || fail "widow: split $n3 / $n4, want 2 / 2"
n5=$(grep -c '^5 .*"乙' "$WORK/keep.lines"); n6=$(grep -c '^6 .*"乙' "$WORK/keep.lines")
[ "$n5 $n6" = "0 4" ] && ok "orphan: no first line alone at a page bottom" || fail "orphan: split $n5 / $n6, want 0 / 4"
[ "$(at 五、标题)" = "8 37.00" ] && [ "$(at （一）小标题)" = "8 47.23" ] && [ "$(at 正文第一行。 | cut -d' ' -f1)" = 8 ] &&
	ok "keep: two headings in a row move together with their paragraph" || fail "keep: headings at '$(at 五、标题)' '$(at （一）小标题)'"
grep -q '^outline 1 page=2 y=37.00 "四、各地区开展情况"' "$WORK/keep.dump" && ok "keep: the bookmark moves with the heading" || fail "keep: bookmark not moved"

# -- what an office sees at once (tests/fixtures/typeset/hazards.txt): titles
# in whole words, numbers and names whole, punctuation pairs in 1.5 em, no
# table row alone on a page, chart labels apart and in one size, a chart
# that does not fit waits while a paragraph fills the page (unless pinned)
"$TS" --fonts "$FONTS" --dump "$WORK/hz.dump" "$FX/hazards.txt" 2>"$WORK/hz.err"
sqlite3 "$WORK/hz.db" <"$FX/hazards.sql"
if python3 "$TOP/tests/layout_check.py" --db "$WORK/hz.db" "$WORK/hz.dump" >"$WORK/hz.check"; then
	ok "hazards: $(tail -1 "$WORK/hz.check")"; else fail "hazards: $(tail -1 "$WORK/hz.check")"; head -5 "$WORK/hz.check"; fi
awk '/^  line line / && n < 4 { n++; sub(/^[^"]*"/, ""); sub(/"$/, ""); print }' "$WORK/hz.dump" >"$WORK/hz.titles"
printf '%s\n' "“建功‘十四五’奋进新征程”" "主题劳动和技能竞赛2025年度报告" "关于公布2023—2024年度全市职工" \
	"十大科技创新成果和十大先进操作法的通报" >"$WORK/hz.want"
if cmp -s "$WORK/hz.titles" "$WORK/hz.want"; then ok "hazards: titles break after the closing quote, and where the author forced it"
else fail "hazards: title lines"; diff "$WORK/hz.want" "$WORK/hz.titles"; fi
grep -q "table '表2　信用代码', row 1: '91320600MA1X0000A1' is wider than its column" "$WORK/hz.err" &&
	ok "hazards: a code wider than its column is reported with its table and row" || { fail "hazards: no warning for the broken code"; cat "$WORK/hz.err"; }
awk '/^page/ { p = $2 } /^  line line / { print p, $0 }' "$WORK/hz.dump" >"$WORK/hz.lines"
where() { grep -F "\"$1" "$WORK/hz.lines" | head -1 | sed 's/^\([0-9]*\) .* y=\([0-9.]*\) .*/\1 \2/'; }
[ "$(where 图后的第一段 | cut -d' ' -f1)" = 2 ] && [ "$(where 图1　)" = "3 37.00" ] &&
	ok "hazards: the paragraph after a chart that does not fit fills the page; the chart opens the next" ||
	fail "hazards: float: paragraph at '$(where 图后的第一段)', chart at '$(where 图1　)'"
[ "$(where 图3　 | cut -d' ' -f1)" = "$(where 固定的图之后的段落 | cut -d' ' -f1)" ] &&
	ok "hazards: a pinned chart keeps its place before the paragraph after it" ||
	fail "hazards: pinned chart at '$(where 图3　)', paragraph at '$(where 固定的图之后的段落)'"
sed 's/^setup a4 numbers$/setup a4 numbers punct=none/' "$FX/hazards.txt" >"$WORK/hz-none.txt"
"$TS" --fonts "$FONTS" --dump "$WORK/hz-none.dump" "$WORK/hz-none.txt" 2>/dev/null
python3 "$TOP/tests/layout_check.py" --counts "$WORK/hz-none.dump" | grep -q 'pairs=[1-9]' &&
	ok "hazards: punct=none keeps every mark a full em" || fail "hazards: punct=none still compresses"

# -- the signature keeps with what comes before it (GB/T 9704 §7.3.5): where the
# issuer and the date would stand alone at the top of a page, the last lines of
# the body, the last three rows of a table (with 表1（续） and its header), a
# heading with its paragraph or a chart go on with them, and the 附注 stays with
# the date (tests/fixtures/typeset/signature.txt).  The lines of every page,
# compared exactly with signature.expected (UPDATE=1 writes it anew).
"$TS" --fonts "$FONTS" --dump "$WORK/sig.dump" "$FX/signature.txt"
awk '/^page/ { p = $2 } /^outline/ { print }
	/^  line / && ($2 ~ /^(line|issuer|date|note|folio)$/ || ($2 == "td" && / "地区[0-9]*"$/)) {
		match($0, /".*"$/); print p, $2, $4, substr($0, RSTART) }' "$WORK/sig.dump" >"$WORK/sig.lines"
if [ "${UPDATE:-0}" = 1 ]; then cp "$WORK/sig.lines" "$FX/signature.expected"; fi
if cmp -s "$WORK/sig.lines" "$FX/signature.expected"; then ok "signature: the pages as expected (signature.expected)"
else fail "signature: pages differ from signature.expected"; diff "$FX/signature.expected" "$WORK/sig.lines" | head -20; fi
python3 "$TOP/tests/layout_check.py" "$WORK/sig.dump" >"$WORK/sig.check" &&
	ok "signature: never alone on its page ($(tail -1 "$WORK/sig.check"))" || { fail "signature: $(tail -1 "$WORK/sig.check")"; head -5 "$WORK/sig.check"; }
# on each page with a signature, at least two lines of body, rows of a table or a chart above it
awk '/^page/ { p = $2 } /^  line (line|td|category) / { if (!(p in body)) body[p] = 0; body[p]++ } /^  line issuer / { sig[p] = body[p] + 0; body[p] = 0 }
	END { for (p in sig) { n++; if (sig[p] < 2) bad = 1 } exit bad || n != 5 }' "$WORK/sig.dump" &&
	ok "signature: five signatures, each below two lines of body, rows or a chart" || fail "signature: a signature with less than two lines of body above it"
grep -q '^2 line y=37.00 "表1（续）"$' "$WORK/sig.lines" && [ "$(grep -c '^2 td ' "$WORK/sig.lines")" = 3 ] &&
	ok "signature: the table's last three rows go on under 表1（续）" || fail "signature: the table's last rows"
grep -q '^6 note ' "$WORK/sig.lines" && grep -q '^6 date ' "$WORK/sig.lines" &&
	ok "signature: the 附注 stays with the date" || fail "signature: the 附注 left its date"

finish
