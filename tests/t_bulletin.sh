#!/bin/sh
# t_bulletin.sh — `jingsai bulletin` on the fixture round 2023-2024 (its
# layout, CSV and messages are the regress case bulletin; bad usage the
# cases usage/bulletin-…): the CSV equals an independent computation from the
# submitted files, the PDF's text is what was laid out and lists the same
# order and scores, the red header is there as a reader sees it, no credit
# code is printed, and the number and date stay put on later runs.
. "$(dirname "$0")/lib.sh"

F=$TOP/tests/fixtures/bulletin
DB=$WORK/jingsai.db
OUT=$WORK/output
B=$OUT/bulletin/2023-2024
EPOCH=1736899200 # 2025-01-15 08:00 in Nantong

jz() { SOURCE_DATE_EPOCH=$EPOCH "$JINGSAI" --db "$DB" --output "$OUT" --templates "$TOP/templates" \
	--fonts "$TOP/fonts" "$@"; }

# An empty store: nothing to rank, nothing written, no number used up.
expect_status 1 "a round without entries writes no bulletin" jz bulletin 2023-2024 --number 3
check "no PDF for an empty round" test ! -e "$B/bulletin.pdf"

# The fixture round, loaded as ingest stores it.
python3 "$F/load.py" "$DB" "$TOP/input/programme.xml" "$F/enterprises.csv" "$F/achievements.csv" \
	"$F/scores-tech.csv" "$F/scores-ops.csv" || fail "fixtures load"

expect_status 0 "bulletin 2023-2024 --number 3" jz bulletin 2023-2024 --number 3 --dump
check "the PDF passes qpdf --check" qpdf --check "$B/bulletin.pdf"
if python3 "$TOP/tests/pdf_dump_text.py" "$B/bulletin.pdf" "$B/bulletin.dump" >"$WORK/text" 2>&1; then
	ok "the PDF's extracted text is the text laid out ($(cat "$WORK/text"))"
else fail "the PDF's text differs from the layout:"; sed 's/^/    /' "$WORK/text"; fi

# The CSV against the computation from the CSV files themselves.
python3 "$TOP/tests/bulletin_check.py" 2023-2024 --programme "$TOP/input/programme.xml" \
	--enterprises "$F/enterprises.csv" --achievements "$F/achievements.csv" \
	--scores "$F/scores-tech.csv" "$F/scores-ops.csv" --compare "$B/bulletin.csv" >"$WORK/cmp" 2>&1
if [ $? = 0 ]; then ok "the CSV equals the independent computation ($(cat "$WORK/cmp"))"
else fail "the CSV equals the independent computation"; sed 's/^/    /' "$WORK/cmp"; fi

# The PDF's text lists the tables in the computed order.
pdftotext -raw "$B/bulletin.pdf" "$WORK/b.txt" 2>/dev/null
nows() { tr -d ' \n\f' <"$WORK/b.txt"; }
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

# Same store, same bytes; a later run without --number keeps the number and
# its date (the same bytes a month later); a new number is issued that day.
cp "$B/bulletin.pdf" "$WORK/first.pdf"
expect_status 0 "bulletin again" jz bulletin 2023-2024
check "the same store gives the same PDF" cmp -s "$B/bulletin.pdf" "$WORK/first.pdf"
EPOCH=1739577600 # a month later
expect_status 0 "bulletin a month later, no --number" jz bulletin 2023-2024
check "the same store gives the same PDF a month later" cmp -s "$B/bulletin.pdf" "$WORK/first.pdf"
expect_status 0 "a new number, a month later" jz bulletin 2023-2024 --number 4
pdftotext "$B/bulletin.pdf" - 2>/dev/null | tr -d ' \n' >"$WORK/b3.flat"
check "a new number is issued on the day" grep -qF "通劳竞〔2025〕4号" "$WORK/b3.flat"
check "with that day's date" grep -qF "2025年2月15日" "$WORK/b3.flat"

finish
