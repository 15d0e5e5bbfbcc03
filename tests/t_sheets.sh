#!/bin/sh
# t_sheets.sh — spreadsheets that open right: with names from the input that would be
# live formulas (=1+1公司, @SUM(A1)班组, -2+3) and a rejected file named like one, every CSV
# the program writes (annual reports, the certificates' manifests, the receipts; the
# bulletin's as the regress suite keeps it) starts with a BOM, ends its lines with CRLF, has Chinese column headers and no cell that
# acts as a formula; each report's .xlsx opens with openpyxl and holds the same numbers
# (tests/sheets_check.py).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
export SOURCE_DATE_EPOCH=1768435200   # 2026-01-15
ingest_setup
A=91320614MA1XYW0012
cat >in/awards.csv <<EOF
year,award,recipient,recipient_kind,gender,credit_code,reason
2024,CERT,=1+1公司,unit,,$A,"=HYPERLINK(""http://example.invalid"")"
2024,PIONEER,@SUM(A1)班组,team,,$A,
2024,MEDAL,-2+3,person,男,$A,+86 重点工程
EOF
printf 'credit_code,name,region,ownership,above_scale,industry,employees\n91320614MA1XYW0013,=1+1公司,海门区,民营,是,,\n' \
	>"in/=cmd(1).csv"
J ingest >/dev/null 2>&1
[ "$(q "SELECT status FROM file WHERE path = 'awards.csv'")" = accepted ] && ok "awards with formula-like names accepted" ||
	fail "awards with formula-like names accepted"
[ "$(q "SELECT status FROM file WHERE path = '=cmd(1).csv'")" = rejected ] && ok "the file named like a formula rejected" ||
	fail "the file named like a formula rejected"
T() { J --output out --templates "$TOP/templates" --fonts "$TOP/fonts" "$@"; }
expect_status 0 "annual 2024" T annual 2024
expect_status 0 "certificates 2024" T certificates 2024
expect_status 0 "certificates 2024 --stock" T certificates 2024 --stock
# the nightly run writes the receipts of what the ingest above read
T run >/dev/null 2>&1
[ -f out/certificates/2024/stock/manifest.csv ] && ls out/receipts/*/*.csv >/dev/null 2>&1 &&
	ok "the stock manifest and the receipts written" || fail "the stock manifest and the receipts written"
[ -f out/certificates/2024/manifest.csv ] && [ -f out/annual/2024/city.xlsx ] && ok "CSVs and workbooks written" ||
	fail "CSVs and workbooks written"

# the names are there, kept as written, not as formulas (the manifest names the award too)
grep -qF "'=1+1公司" out/certificates/2024/manifest.csv && grep -qF "'@SUM(A1)班组" out/certificates/2024/manifest.csv &&
	grep -qF "'-2+3" out/certificates/2024/manifest.csv && ok "manifest: the names, neutralised with a leading '" ||
	fail "manifest: the names, neutralised"
grep -qF "'=cmd(1).csv" out/annual/2024/city.csv && ok "appendix: the file's name, neutralised" ||
	fail "appendix: the file's name, neutralised"
grep -qF "'=1+1公司" out/certificates/2024/stock/manifest.csv && ok "stock manifest: the names, neutralised" ||
	fail "stock manifest: the names, neutralised"
grep -qF "'=cmd(1).csv" out/receipts/*/*.csv && ok "receipt: the rejected file's name, neutralised" ||
	fail "receipt: the rejected file's name, neutralised"

"$PY" "$TOP/tests/sheets_check.py" out >"$WORK/check" 2>&1 || true
cat "$WORK/check"
grep -q '^FAIL' "$WORK/check" || [ ! -s "$WORK/check" ] || ok "sheets_check: every CSV and workbook"
grep -q '^PASS: .*xlsx: the same cells as the CSV' "$WORK/check" && ok "workbooks compared" || fail "workbooks compared"
grep -q '^PASS: receipts/.*xlsx: the same cells as the CSV' "$WORK/check" && ok "receipts' workbooks compared" ||
	fail "receipts' workbooks compared"
# the bulletin's CSV (not made here: the regress suite keeps it, compared byte for byte there)
"$PY" "$TOP/tests/sheets_check.py" "$TOP/tests/regress/output" >"$WORK/check2" 2>&1 || true
if grep -q '^FAIL' "$WORK/check2"; then fail "the CSVs of the regress suite:"; grep '^FAIL' "$WORK/check2" | sed 's/^/    /'
elif grep -q '^PASS: bulletin/.*: no cell acts as a formula' "$WORK/check2"; then
	ok "the CSVs of the regress suite, the bulletin's among them ($(grep -c '^PASS' "$WORK/check2") checks)"
else fail "the bulletin's CSV checked"; fi

# the workbook, as the office opens it: numbers as numbers with thousands separators,
# percentages as percentages, columns wide enough
"$PY" - out/annual/2024/city.xlsx >"$WORK/formats" <<'EOF'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])["全市总体情况"]
print(ws["C3"].value, ws["C3"].number_format, ws["K3"].number_format,
      ws.column_dimensions["B"].width >= 2 * len(ws["B2"].value))
EOF
read -r n fmt pct wide <"$WORK/formats"
[ "$fmt" = "#,##0" ] && [ "$pct" = "0.0%" ] && [ "$wide" = True ] &&
	ok "workbook: #,##0 for counts, 0.0% for shares, columns as wide as their headers" ||
	fail "workbook formats: $(cat "$WORK/formats")"

# the same tables give the same bytes
cp out/annual/2024/city.xlsx "$WORK/first.xlsx"
expect_status 0 "annual 2024 again" T annual 2024
cmp -s "$WORK/first.xlsx" out/annual/2024/city.xlsx && ok "the workbook is the same, byte for byte" ||
	fail "the workbook is the same, byte for byte"
finish
