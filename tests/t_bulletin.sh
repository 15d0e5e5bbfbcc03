#!/bin/sh
# t_bulletin.sh — `jingsai bulletin` on the fixture round 2023-2024: the CSV
# equals an independent computation from the submitted files, the PDF shows
# the same order and scores, the red header is there, the number and date
# stay put, and bad input is reported with file and line.
. "$(dirname "$0")/lib.sh"

F=$TOP/tests/fixtures/bulletin
DB=$WORK/jingsai.db
OUT=$WORK/output
B=$OUT/bulletin/2023-2024
EPOCH=1736899200 # 2025-01-15 08:00 in Nantong

jz() { SOURCE_DATE_EPOCH=$EPOCH "$JINGSAI" --db "$DB" --output "$OUT" --templates "$TOP/templates" \
	--fonts "$TOP/fonts" "$@"; }

# Usage.
expect_status 2 "years that do not follow each other are not a round" jz bulletin 2023-2025
expect_diag "the message names the round" "2023-2025"
expect_status 2 "a single year is not a round" jz bulletin 2024
expect_status 2 "--number 0 is refused" jz bulletin 2023-2024 --number 0
expect_status 2 "--number x is refused" jz bulletin 2023-2024 --number x

# An empty store: nothing to rank, nothing written, no number used up.
expect_status 1 "a round without entries writes no bulletin" jz bulletin 2023-2024 --number 3
expect_diag "and says why" "2023-2024"
check "no PDF for an empty round" test ! -e "$B/bulletin.pdf"

# The fixture round, loaded as ingest stores it.
python3 "$F/load.py" "$DB" "$TOP/input/programme.xml" "$F/enterprises.csv" "$F/achievements.csv" \
	"$F/scores-tech.csv" "$F/scores-ops.csv" || fail "fixtures load"

expect_status 0 "bulletin 2023-2024 --number 3" jz bulletin 2023-2024 --number 3
expect_diag "an entry with two scores is reported at its line" "achievements.csv:16:1: warning: entry KJ15"
expect_diag "a score for an unknown entry is reported at its line" "scores-tech.csv:75:1: warning:"
check "bulletin.pdf written" test -s "$B/bulletin.pdf"
check "bulletin.csv written" test -s "$B/bulletin.csv"
check "the PDF passes qpdf --check" qpdf --check "$B/bulletin.pdf"

# The CSV against the computation from the CSV files themselves.
python3 "$TOP/tests/bulletin_check.py" 2023-2024 --programme "$TOP/input/programme.xml" \
	--enterprises "$F/enterprises.csv" --achievements "$F/achievements.csv" \
	--scores "$F/scores-tech.csv" "$F/scores-ops.csv" --compare "$B/bulletin.csv" >"$WORK/cmp" 2>&1
if [ $? = 0 ]; then ok "the CSV equals the independent computation ($(cat "$WORK/cmp"))"
else fail "the CSV equals the independent computation"; sed 's/^/    /' "$WORK/cmp"; fi

# The PDF's text: header, number, title, date, and the tables in the same order.
pdftotext -raw "$B/bulletin.pdf" "$WORK/b.txt" 2>/dev/null
nows() { tr -d ' \n\f' <"$WORK/b.txt"; }
has() { if nows | grep -qF -- "$2"; then ok "$1"; else fail "$1 (no '$2' in the PDF text)"; fi; }
has "the issuing-office mark" "南通市劳动竞赛委员会文件"
has "the document number" "通劳竞〔2025〕3号"
has "the title" "关于公布2023—2024年度全市职工十大科技创新成果和十大先进操作法的通报"
has "the date in Arabic numerals" "2025年1月15日"
has "page numbers" "—1—"
has "the award of the top ten, from programme.xml" "以上成果和操作法的第一完成人授予南通市五一劳动奖章。"
has "the closing slogan, from programme.xml" "良好氛围，为奋力谱写“强富美高”新南通现代化建设新篇章作出新的更大贡献。"
has "the issuer does the work" "南通市劳动竞赛委员会在全市组织开展了"
python3 "$TOP/tests/bulletin_check.py" 2023-2024 --programme "$TOP/input/programme.xml" \
	--enterprises "$F/enterprises.csv" --achievements "$F/achievements.csv" \
	--scores "$F/scores-tech.csv" "$F/scores-ops.csv" --text "$WORK/b.txt" >"$WORK/order" 2>&1
if [ $? = 0 ]; then ok "$(cat "$WORK/order")"
else fail "the PDF lists the entries in the computed order"; sed 's/^/    /' "$WORK/order"; fi
nows >"$WORK/b.flat"
if grep -Eq '[0-9A-Z]{18}' "$WORK/b.flat"; then fail "no credit code or ID number in the PDF"
else ok "no credit code or ID number in the PDF"; fi
if grep -q '[0-9A-Z]\{18\}' "$B/bulletin.csv"; then fail "no credit code or ID number in the CSV"
else ok "no credit code or ID number in the CSV"; fi

# The red header, looked at.
pdftoppm -r 50 -f 1 -l 1 "$B/bulletin.pdf" "$WORK/p" 2>/dev/null
python3 "$TOP/tests/redhead_check.py" "$WORK"/p*1.ppm >"$WORK/red" 2>&1
if [ $? = 0 ]; then ok "the red header: $(head -2 "$WORK/red" | tr '\n' ' ')"
else fail "the red header"; sed 's/^/    /' "$WORK/red"; fi

# Same store, same bytes; a later run without --number keeps the number and its date.
cp "$B/bulletin.pdf" "$WORK/first.pdf"
expect_status 0 "bulletin again" jz bulletin 2023-2024
check "the same store gives the same PDF" cmp -s "$B/bulletin.pdf" "$WORK/first.pdf"
EPOCH=1739577600 # a month later
expect_status 0 "bulletin a month later, no --number" jz bulletin 2023-2024
check "the same store gives the same PDF a month later" cmp -s "$B/bulletin.pdf" "$WORK/first.pdf"
pdftotext "$B/bulletin.pdf" - 2>/dev/null | tr -d ' \n' >"$WORK/b2.flat"
check "the number last used stays" grep -qF "通劳竞〔2025〕3号" "$WORK/b2.flat"
check "and so does its date" grep -qF "2025年1月15日" "$WORK/b2.flat"
expect_status 0 "a new number, a month later" jz bulletin 2023-2024 --number 4
pdftotext "$B/bulletin.pdf" - 2>/dev/null | tr -d ' \n' >"$WORK/b3.flat"
check "a new number is issued on the day" grep -qF "通劳竞〔2025〕4号" "$WORK/b3.flat"
check "with that day's date" grep -qF "2025年2月15日" "$WORK/b3.flat"

finish
