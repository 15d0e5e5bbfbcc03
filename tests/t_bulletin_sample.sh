#!/bin/sh
# t_bulletin_sample.sh — the bulletin of the sample round 2023-2024 in input/:
# ingested, its CSV equals a computation straight from the sample's score
# files, and its PDF lists the same entries in the same order with the same
# scores.
. "$(dirname "$0")/lib.sh"

S=$TOP/input
DB=$WORK/jingsai.db
OUT=$WORK/output
B=$OUT/bulletin/2023-2024
PROG=$S/programme.xml

jz() { SOURCE_DATE_EPOCH=1736899200 "$JINGSAI" --db "$DB" --output "$OUT" --templates "$TOP/templates" \
	--fonts "$TOP/fonts" "$@"; }

expect_status 0 "the sample ingests" jz ingest --input "$S"
expect_status 0 "bulletin of the sample round" jz bulletin 2023-2024 --number 1
check "qpdf --check" qpdf --check "$B/bulletin.pdf"

set -- --programme "$PROG" --enterprises "$S"/企业名录/*.csv \
	--achievements "$S"/biennial/2023-2024/achievements-2023-2024.csv \
	--scores "$S"/biennial/2023-2024/评分-*.csv
python3 "$TOP/tests/bulletin_check.py" 2023-2024 "$@" --compare "$B/bulletin.csv" >"$WORK/cmp" 2>&1
if [ $? = 0 ]; then ok "sample: $(cat "$WORK/cmp")"
else fail "sample: the CSV equals the computation from the score files"; sed 's/^/    /' "$WORK/cmp"; fi

pdftotext -raw "$B/bulletin.pdf" "$WORK/b.txt" 2>/dev/null
python3 "$TOP/tests/bulletin_check.py" 2023-2024 "$@" --text "$WORK/b.txt" >"$WORK/order" 2>&1
if [ $? = 0 ]; then ok "sample: $(cat "$WORK/order")"
else fail "sample: the PDF shows the computed order and scores"; sed 's/^/    /' "$WORK/order"; fi

# The sample's deliberate ties: eleven 科技创新成果 (two tied at 10), two 先进操作法 tied at 3.
tr -d '\r' <"$B/bulletin.csv" | awk -F, '/十大科技创新成果/ {b = "tech"; next} /十大先进操作法/ {b = "ops"; next}
	/^$/ {b = ""} b != "" && $1 ~ /^[0-9]+$/ {n[b]++; r[b, $1]++}
	END {print n["tech"], r["tech", 10], n["ops"], r["ops", 3]}' >"$WORK/ties"
check "sample: eleven 科技创新成果 with two tied at 10; two 先进操作法 tied at 3" \
	grep -qx "11 2 [0-9]* 2" "$WORK/ties"

finish
