#!/bin/sh
# t_annual_numbers.sh — the sample in input/ ingested, the 2025 annual reports
# built, and every figure of city.csv and the region CSVs compared with an
# independent computation from the input files (tests/annual_check.py, which
# reads the XML and CSV itself), and with the text of the PDFs.
. "$(dirname "$0")/lib.sh"

DB=$WORK/store.db
OUT=$WORK/out
export SOURCE_DATE_EPOCH=1768435200
"$JINGSAI" --input "$TOP/input" --db "$DB" --quiet ingest >"$WORK/ingest.log" 2>&1
st=$?
[ $st -le 1 ] && ok "sample ingested" || { fail "sample ingested (exit $st)"; head "$WORK/ingest.log"; }
expect_status 0 "annual 2025 on the sample" "$JINGSAI" --db "$DB" --output "$OUT" --templates "$TOP/templates" \
    --fonts "$TOP/fonts" annual 2025
python3 "$TOP/tests/annual_check.py" "$TOP/input" "$OUT/annual/2025" 2025 || FAILED=1
finish
