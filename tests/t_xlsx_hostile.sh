#!/bin/sh
# t_xlsx_hostile.sh — hostile workbooks (tests/hostile_xlsx.py): a zip bomb,
# entry names and relationships leaving the archive, DOCTYPEs with external
# entities and entity loops in every kind of part, a million shared
# strings, a sheet past Excel's last row, a million bad rows, cells out of
# order, a truncated archive, a sheet whose CRC is wrong.  Each is refused
# with its reason (or, the million rows, read through in bounded time and
# memory), never a crash or a hang; `make test` runs this under ASan and
# UBSan too.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 3
mkdir in h
cp "$TOP/input/programme.xml" in/
/usr/bin/python3 "$TOP/tests/hostile_xlsx.py" h || { fail "making the hostile workbooks"; finish; }

# hostile NAME TEXT — `check` of h/NAME.xlsx exits 1 (rejected, no crash,
# within two minutes) and says TEXT.
hostile() {
	timeout 120 "$JINGSAI" --input in check "h/$1.xlsx" >"$WORK/stdout" 2>"$WORK/stderr"; got=$?
	if [ "$got" = 1 ]; then ok "$1 rejected"; else fail "$1 (exit $got, want 1)"; head -5 "$WORK/stderr"; fi
	expect_diag "$1: reason" "$2"
}
hostile bomb "h/bomb.xlsx: error: workbook part xl/worksheets/sheet1.xml unpacks to 209715411 bytes from 204000, packed tighter than any spreadsheet: refused (a zip bomb?)"
hostile dotdot "h/dotdot.xlsx: error: workbook entry '../../evil.xml' points outside the workbook: refused"
hostile absolute "h/absolute.xlsx: error: workbook entry '/etc/evil.xml' points outside the workbook: refused"
hostile target "h/target.xlsx: error: workbook entry '../../../etc/passwd' points outside the workbook: refused"
hostile xxe-sheet "h/xxe-sheet.xlsx: error: workbook part xl/worksheets/sheet1.xml has a DOCTYPE or an entity reference: refused"
hostile xxe-strings "h/xxe-strings.xlsx: error: workbook part xl/sharedStrings.xml has a DOCTYPE or an entity reference: refused"
hostile xxe-workbook "h/xxe-workbook.xlsx: error: workbook part xl/workbook.xml has a DOCTYPE or an entity reference: refused"
hostile laughs "h/laughs.xlsx: error: the workbook is damaged (its part xl/sharedStrings.xml is not well-formed XML)"
hostile strings "h/strings.xlsx: error: workbook has more than 1000000 shared strings: refused"
hostile rows "h/rows.xlsx:1048577:1: error: row number 1048577 out of order or beyond the 1048576 rows a sheet can have (sheet 参与)"
hostile million "h/million.xlsx: error: 3990000 more errors in this file not shown"
hostile order "h/order.xlsx:3:1: error: row number 2 out of order"
hostile index "h/index.xlsx:2:1: error: cell refers to shared string '99', which the workbook does not have (sheet 参与)"
hostile longcell "h/longcell.xlsx:2:1: error: cell text longer than 1048576 bytes: refused (sheet 参与)"
hostile nobook "h/nobook.xlsx: error: the workbook is incomplete (its part xl/workbook.xml is missing): open it in Excel or WPS and save it again"
hostile truncated "h/truncated.xlsx: error: not a readable workbook (.xlsx)"
hostile crc "h/crc.xlsx: error: not a readable workbook (.xlsx): open it in Excel or WPS and save it again as .xlsx (sheet 参与)"
expect_diag "crc: libzip's words, for the office" "h/crc.xlsx: note: zip: xl/worksheets/sheet1.xml: CRC error"
grep -q passwd "$WORK/stderr" && grep -q root: "$WORK/stderr" && fail "a file outside was read" || ok "nothing outside read"

# The million rows in bounded memory: the reader's peak is the same for a
# sheet of a million rows as for one of a thousand (within 2 MB).
if [ -z "$SANITIZED" ] && [ -x "$TOP/build/tools/xlsxread" ] && [ -x /usr/bin/time ]; then
	/usr/bin/python3 - <<'PY'
import zipfile
with zipfile.ZipFile("h/million.xlsx") as z, zipfile.ZipFile("h/small.xlsx", "w", zipfile.ZIP_DEFLATED) as o:
    for i in z.infolist():
        data = z.read(i.filename)
        if i.filename == "xl/worksheets/sheet1.xml":
            data = data[:data.index(b'<row r="1002"')] + b"</sheetData></worksheet>"
        o.writestr(i.filename, data)
PY
	# xlsxread holds the packed workbook, as ingest maps it: that is taken off
	big=$(/usr/bin/time -f %M "$TOP/build/tools/xlsxread" h/million.xlsx 2>&1 >/dev/null | tail -1)
	small=$(/usr/bin/time -f %M "$TOP/build/tools/xlsxread" h/small.xlsx 2>&1 >/dev/null | tail -1)
	big=$((big - $(wc -c <h/million.xlsx) / 1024)); small=$((small - $(wc -c <h/small.xlsx) / 1024))
	[ $((big - small)) -lt 2048 ] && ok "million rows in flat memory (${small} KB vs ${big} KB beside the workbook)" \
		|| fail "memory grows with the sheet: ${small} KB for a thousand rows, ${big} KB for a million"
fi
finish
