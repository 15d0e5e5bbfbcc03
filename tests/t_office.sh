#!/bin/sh
# t_office.sh — submissions as Chinese offices make them (SPEC 3): Chinese
# headers in GB18030 and UTF-8, a title row, 序号, 合计 and 填表人 rows,
# "1,200", full-width digits, 120.0; a workbook written by openpyxl, one
# written by libxlsxwriter, forms of `jingsai forms` filled in by a script
# (the annual return and the awards).  Each set is accepted and stores
# exactly the rows the plain CSV and XML files store; every skipped row is
# noted with its line.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
F=$TOP/tests/fixtures/office
B=$TOP/tests/fixtures/ingest/base
TOOLS=$TOP/build/tools
cd "$WORK" || exit 3

# The rows a store holds, without file ids and lines.
dump() {
	sqlite3 "$1" "
SELECT 'E', credit_code, name, region, ownership, nonpublic, above_scale, ifnull(industry, '-'), ifnull(employees, '-') FROM enterprise ORDER BY 2;
SELECT 'P', year, project_id, credit_code, participants FROM participation ORDER BY 2, 3, 4;
SELECT 'R', region, year, submitted, tech_innovations, operating_methods, proposals_submitted, proposals_adopted,
  five_small, supervisors, key_enterprise_workers, key_enterprise_participants, above_scale_enterprises,
  ankang_enterprises, deaths, serious_injuries, occupational_incidents, pioneer_teams, six_type_teams, qc_groups
  FROM annual_return ORDER BY 2, 3;
SELECT 'J', id, track, level, status, name, ifnull(organizer, '-') FROM project ORDER BY 2;
SELECT 'S', id, name, ifnull(leader, '-'), level, ifnull(founded, '-') FROM studio ORDER BY 2;
SELECT 'A', year, award, recipient, recipient_kind, ifnull(gender, '-'), credit_code, ifnull(reason, '-') FROM award_row ORDER BY 2, 3, 4;"
}

for d in plain csv forms lxw; do mkdir $d; cp "$TOP/input/programme.xml" $d/; done
cp "$B/enterprises.csv" "$B/a-participation.csv" "$B/z-return-320614-2024.xml" "$F/awards.csv" plain/
expect_status 0 "plain files ingest" "$JINGSAI" --input plain --db plain.db ingest
dump plain.db >plain.rows
[ "$(grep -c . plain.rows)" = 14 ] && ok "plain store holds 14 rows" || fail "plain store: $(cat plain.rows)"

# 1. CSV: the register as Excel on a Chinese Windows saves it (GB18030,
#    CRLF), the participation as "CSV UTF-8" (BOM, CRLF).
sed 's/$/\r/' "$F/enterprises.csv" | iconv -f UTF-8 -t GB18030 >csv/企业名录.csv
{ printf '\357\273\277'; sed 's/$/\r/' "$F/participation.csv"; } >csv/参与情况.csv
cp "$B/z-return-320614-2024.xml" "$F/awards.csv" csv/
expect_status 0 "Chinese CSV with Excel's habits ingest" "$JINGSAI" --input csv --db csv.db --verbose ingest
dump csv.db >csv.rows
if cmp -s plain.rows csv.rows; then ok "Chinese CSV store the plain rows"; else fail "Chinese CSV rows differ:"; diff plain.rows csv.rows | head; fi
for note in "企业名录.csv:1:1: note: row above the header skipped: 海门区2024年度参赛企业名录" \
    "企业名录.csv:2:1: note: row above the header skipped: 填报单位：海门区总工会" \
    "企业名录.csv:8:1: note: totals row skipped" \
    "企业名录.csv:10:1: note: note below the table skipped: 填表人：张三,,联系电话：0513-82123456" \
    "企业名录.csv:11:1: note: note below the table skipped: 审核人：李四" \
    "参与情况.csv:1:1: note: row above the header skipped" \
    "参与情况.csv:6:1: note: totals row skipped: 小计,,,,９６５" \
    "参与情况.csv:7:1: note: note below the table skipped: 备注：人次按参赛场次累计"; do
	expect_diag "noted: ${note%%: note*}" "$note"
done

# 2. Workbooks: forms of `jingsai forms` filled in with openpyxl (the annual
#    return, the awards) and a workbook of a clerk's own (openpyxl).
expect_status 0 "forms for 海门区 2024" "$JINGSAI" --input forms --output out forms --region 320614 --year 2024
$PY "$F/fill.py" out/forms/320614 forms || fail "filling the forms"
expect_status 0 "filled forms and an openpyxl workbook ingest" "$JINGSAI" --input forms --db forms.db --verbose ingest
dump forms.db >forms.rows
if cmp -s plain.rows forms.rows; then ok "workbooks store the plain rows"; else fail "workbook rows differ:"; diff plain.rows forms.rows | head; fi
expect_diag "workbook: title row noted with its sheet" "企业和参与.xlsx:1:1: note: row above the header skipped: 海门区参赛企业名录 (sheet 企业名录)"
expect_diag "workbook: totals row noted" "企业和参与.xlsx:7:1: note: totals row skipped: 合计 (sheet 企业名录)"
expect_diag "workbook: note row noted" "企业和参与.xlsx:6:1: note: note below the table skipped: 填表人：张三,,联系电话：0513-82123456 (sheet 参与情况)"
expect_diag "workbook: empty sheet noted" "企业和参与.xlsx: note: empty sheet skipped (sheet Sheet3)"
sqlite3 forms.db "SELECT path, kind, encoding FROM file ORDER BY path" >kinds
grep -q '^海门区2024年度报表.xlsx|annual-return|xlsx$' kinds && grep -q '^企业和参与.xlsx|workbook|xlsx$' kinds \
	&& ok "workbooks recorded by kind" || { fail "file kinds"; cat kinds; }

# 3. A workbook written by libxlsxwriter (numbers as number cells).
"$TOOLS/csv2xlsx" lxw/报表.xlsx 企业=plain/enterprises.csv 参与=plain/a-participation.csv 表彰=plain/awards.csv \
	|| fail "csv2xlsx"
cp "$B/z-return-320614-2024.xml" lxw/
expect_status 0 "libxlsxwriter workbook ingests" "$JINGSAI" --input lxw --db lxw.db ingest
dump lxw.db >lxw.rows
if cmp -s plain.rows lxw.rows; then ok "libxlsxwriter workbook stores the plain rows"; else fail "libxlsxwriter rows differ:"; diff plain.rows lxw.rows | head; fi
# ... and forgetting it removes the rows of all its sheets
expect_status 0 "forget a workbook of three kinds" "$JINGSAI" --input lxw --db lxw.db forget lxw/报表.xlsx
[ "$(sqlite3 lxw.db 'SELECT (SELECT count(*) FROM enterprise) + (SELECT count(*) FROM participation) + (SELECT count(*) FROM award_row)')" = 0 ] \
	&& ok "forgotten workbook leaves no row" || fail "rows left after forget"

# ... and cells read as a Chinese Excel shows them, but for the unit a
#     number format adds (0"人"), which is no part of the value: the long
#     date Excel's 长日期 writes, a count in 人, a score in 分.
$PY - <<'PY'
import datetime, openpyxl
wb = openpyxl.Workbook(); ws = wb.active
for value, fmt in ((datetime.datetime(2025, 1, 15), "[$-F800]dddd, mmmm dd, yyyy"), (1200, '0"人"'),
        (1200, '#,##0"人次"'), (95.5, '0.0"分"'), (0.25, "0%"), (1, '"第"0"名"')):
    ws.append([value]); ws.cell(row=ws.max_row, column=1).number_format = fmt
wb.save("formats.xlsx")
PY
"$TOOLS/xlsxread" --cells formats.xlsx | grep '^[0-9]' >formats.cells
printf '%s\n' "1:1 2025年1月15日" "2:1 1200" "3:1 1,200" "4:1 95.5" "5:1 25%" "6:1 1" | cmp -s - formats.cells \
	&& ok "cells: a long date as 2025年1月15日, the units of number formats left out" \
	|| { fail "cells as shown:"; cat formats.cells; }

# 4. What stays an error: a credit code Excel made a number, in a workbook;
#    an .xls; a sheet with no known header.
$PY - <<'PY'
import openpyxl
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "参与"
ws.append(["年份", "项目编号", "统一社会信用代码", "参与人次"])
ws.append([2024, "2024-320614-001", 913206141234567891, 800])
ws2 = wb.create_sheet("汇总"); ws2.append(["地区", "人次"]); ws2.append(["海门区", 800])
wb.save("bad.xlsx")
PY
mkdir bad; cp "$TOP/input/programme.xml" bad/; mv bad.xlsx bad/
printf '\320\317\021\340\241\261\032\341rest of an old workbook' >bad/old.xls
expect_status 1 "bad workbooks rejected" "$JINGSAI" --input bad --db bad.db ingest
expect_diag "credit code as a number" "bad.xlsx:2:3: error: credit code '9.13206E+17' is a number in scientific notation"
expect_diag "... named with its sheet" "format the column as text (设置单元格格式为“文本”) and enter the codes again (sheet 参与)"
expect_diag "unknown sheet" "bad.xlsx:1:1: error: header row not recognised (地区,人次): the first row must hold the column names of one of the forms (enterprise register, participation, achievements, scores, skills results, awards) (sheet 汇总)"
expect_diag ".xls refused with what to do" "old.xls: error: .xls workbook (Excel 97-2003) not read: open it in Excel or WPS and save it as 'Excel 工作簿 (*.xlsx)'"
finish
