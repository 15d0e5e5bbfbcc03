#!/bin/sh
# t_receipt.sh — the receipts (回执) for the counties: a run with an accepted and a rejected
# file of 崇川区 writes output/receipts/崇川区/DAY.pdf (+ .csv, .xlsx) naming both, the
# rejected one with every problem in Chinese (under LC_ALL=C too), its row, column and what
# to change; a file whose region only its folder names (an unknown header, a picture) goes to
# that region, one with no region to 未归属; a second run with nothing new writes nothing; a
# correction the same day rewrites the day's receipt; `check` records nothing.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/run_lib.sh"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
DAY=$(date -u -d "@$((SOURCE_DATE_EPOCH + 8 * 3600))" +%Y-%m-%d)   # the run's day in China
S=$WORK/s
mkdir -p "$S/input/2024/320602" "$S/input/企业名录" "$S/input/杂项" "$S/var"
cp "$TOP/input/programme.xml" "$S/input/"
cp "$TOP/input/2024/320602/"*.xml "$S/input/2024/320602/"
# the register of 崇川区 with a wrong check character on line 3
awk -F, 'NR == 3 { $1 = substr($1, 1, 17) (substr($1, 18, 1) == "X" ? "Y" : "X") } 1' OFS=, \
	"$TOP/input/企业名录/320602-崇川区.csv" >"$S/input/企业名录/320602-崇川区.csv"
printf '姓名,电话\n张三,123\n' >"$S/input/2024/320602/备注.csv"     # the folder names 崇川区
printf '\211PNG\r\n\032\n\0\0\0\rIHDR' >"$S/input/2024/320602/照片.png"  # unreadable as a form: its folder's
printf '姓名,电话\n李四,456\n' >"$S/input/杂项/说明.csv"            # nothing names a region
R=$S/output/receipts

LC_ALL=C jz "$S" >"$WORK/stdout" 2>"$WORK/stderr"
[ $? = 1 ] && ok "the run exits 1 (some input rejected)" || fail "the run exits 1"
for ext in pdf csv xlsx; do
	[ -f "$R/崇川区/$DAY.$ext" ] && ok "崇川区 receipt: $DAY.$ext" || fail "崇川区 receipt: $DAY.$ext"
done
[ -f "$R/未归属/$DAY.pdf" ] && ok "未归属 receipt for the file no region names" || fail "未归属 receipt"
# dated 00:00 of its day in China, as the reports are, not by the moment of the run: a run
# killed and run again writes the same bytes
at=$(date -u -d "$DAY 00:00 +0800" +%Y%m%d%H%M%S)
got=$(qpdf --qdf --object-streams=disable "$R/崇川区/$DAY.pdf" - 2>/dev/null | grep -a -o '/CreationDate ([^)]*)')
[ "$got" = "/CreationDate (D:${at}Z00'00')" ] && ok "receipt PDF dated 00:00 of its day in China" ||
	fail "receipt PDF dated: $got, want D:${at}Z"
got=$(unzip -p "$R/崇川区/$DAY.xlsx" docProps/core.xml | grep -o '<dcterms:created[^>]*>[^<]*' | sed 's/.*>//')
[ "$got" = "$(date -u -d "$DAY 00:00 +0800" +%Y-%m-%dT%H:%M:%SZ)" ] && ok "receipt workbook dated the same" ||
	fail "receipt workbook dated: $got"
[ "$(ls "$R" | wc -l)" = 2 ] && ok "no receipt for a region whose files did not change" ||
	fail "receipts only for 崇川区 and 未归属 (got: $(ls "$R"))"
ls "$S/output/receipts/崇川区" >/dev/null

# the PDF, under LC_ALL=C: Chinese, naming both files, the problem where it is and what to do
pdftotext -raw "$R/崇川区/$DAY.pdf" "$WORK/r.txt" 2>/dev/null
tr -d ' \n' <"$WORK/r.txt" >"$WORK/r1"
# (-raw: the lines of a table cell one after another, not interleaved with the next cell's)
for want in "报送数据处理回执" "崇川区：" "共4个文件" "接收1个" "拒收3个" \
    "return.xml" "年度报表" "崇川区.csv" "校验不通过" "请照营业执照填写" \
    "备注.csv" "无法识别表头" "照片.png" "这不是报表文件" "南通市劳动竞赛委员会" "（表2中的行、列指"; do
	grep -qF -- "$want" "$WORK/r1" && ok "receipt shows $want" || fail "receipt shows $want"
done
grep -qi 'error\|fails its check\|not recognised' "$WORK/r.txt" && fail "no English in the receipt" ||
	ok "no English in the receipt"
check "the receipt passes qpdf --check" qpdf --check "$R/崇川区/$DAY.pdf"
# the CSV: both files, the problem's row and column
grep -q "^企业名录/320602-崇川区.csv,企业名录,3,1,统一社会信用代码" "$R/崇川区/$DAY.csv" &&
	ok "receipt CSV: the rejected file, line 3 column 1, in Chinese" || fail "receipt CSV: the rejected file"
grep -q "^2024/320602/照片.png,无法识别,1,1,这不是报表文件" "$R/崇川区/$DAY.csv" &&
	ok "receipt CSV: the file that is no form, in its folder's region" || fail "receipt CSV: the file that is no form"
grep -q "^2024/320602/annual-return.xml,年度报表,2024,[0-9]*,新报送" "$R/崇川区/$DAY.csv" &&
	ok "receipt CSV: the accepted return, its year and rows" || fail "receipt CSV: the accepted return"
pdftotext -raw "$R/未归属/$DAY.pdf" - 2>/dev/null | tr -d ' \n' | grep -qF "杂项/说明.csv" &&
	ok "未归属 receipt names its file" || fail "未归属 receipt names its file"
"$PY" "$TOP/tests/sheets_check.py" "$R" >"$WORK/check" 2>&1
grep '^FAIL' "$WORK/check" && fail "receipts' CSV and workbook" || ok "receipts' CSV and workbook (sheets_check)"

# the signature keeps with the body (GB/T 9704 §7.3.5): 崇川区's 表2 (three rows, never
# split) would end page 1 with no room below it for the issuer and the date, so it goes on
# to page 2 with them, and the 附注 stays under the date; the same files run with --dump
mkdir -p "$WORK/d/var" "$WORK/d/output"
cp -R "$S/input" "$WORK/d/"
LC_ALL=C jz "$WORK/d" --dump >/dev/null 2>&1
D=$WORK/d/output/receipts/崇川区/$DAY.dump
"$PY" "$TOP/tests/layout_check.py" "$D" >"$WORK/d.check" 2>&1 &&
	ok "receipt: the signature is not alone on its page ($(tail -1 "$WORK/d.check"))" ||
	{ fail "receipt: $(tail -1 "$WORK/d.check")"; head -5 "$WORK/d.check"; }
awk '/^page/ { p = $2 } /^  line / { print p, $2, substr($0, index($0, "\""))}' "$D" >"$WORK/d.lines"
sp=$(awk '$2 == "issuer" { print $1 }' "$WORK/d.lines")
[ -n "$sp" ] && [ "$sp" -gt 1 ] &&
	[ "$(awk -v p="$sp" '$1 == p && $2 == "td" && /"企业名录\/320602-崇川区.csv"$/' "$WORK/d.lines" | wc -l)" = 1 ] &&
	grep -q "^$sp line \"表2　被拒收的文件及须修改之处\"" "$WORK/d.lines" &&
	ok "receipt: 表2 goes on to page $sp with the issuer and the date" ||
	{ fail "receipt: the signature's page"; grep -v ' td ' "$WORK/d.lines" | head -40; }
[ "$(awk -v p="$sp" '$1 == p && ($2 == "date" || $2 == "note")' "$WORK/d.lines" | wc -l)" -ge 2 ] &&
	ok "receipt: the 附注 under the date, on its page" || fail "receipt: the 附注 under the date"

# a second run with nothing new writes nothing
snapshot "$S/output" | grep -v '^jingsai.log ' >"$WORK/before"
LC_ALL=C jz "$S" >/dev/null 2>&1
snapshot "$S/output" | grep -v '^jingsai.log ' >"$WORK/after"
cmp -s "$WORK/before" "$WORK/after" && ok "a second run with nothing new writes no receipt" ||
	{ fail "a second run with nothing new writes no receipt"; diff "$WORK/before" "$WORK/after" | head; }

# `check` records nothing for the receipts
n=$(sqlite3 "$S/var/jingsai.db" "SELECT count(*) FROM receipt_file")
"$JINGSAI" --input "$S/input" --db "$S/var/jingsai.db" check "$S/input" >/dev/null 2>&1
[ "$(sqlite3 "$S/var/jingsai.db" "SELECT count(*) FROM receipt_file")" = "$n" ] && ok "check records no receipt" ||
	fail "check records no receipt"

# the register corrected the same day: the day's receipt of 崇川区 is written again, the
# register now accepted, the other files as they were; 未归属 is left alone
cp "$TOP/input/企业名录/320602-崇川区.csv" "$S/input/企业名录/320602-崇川区.csv"
cp "$R/未归属/$DAY.pdf" "$WORK/unassigned.pdf"
LC_ALL=C jz "$S" >/dev/null 2>&1
grep -q "^企业名录/320602-崇川区.csv,企业名录,—,[0-9]*,新报送" "$R/崇川区/$DAY.csv" &&
	ok "corrected the same day: the register now accepted in the day's receipt" ||
	fail "corrected the same day: the register now accepted"
grep -q "^2024/320602/annual-return.xml,年度报表,2024" "$R/崇川区/$DAY.csv" &&
	ok "the day's receipt keeps the file accepted earlier that day" || fail "the day's receipt keeps the earlier file"
grep -q "^企业名录/320602-崇川区.csv,企业名录,3,1" "$R/崇川区/$DAY.csv" &&
	fail "the corrected file is no longer listed as rejected" || ok "the corrected file is no longer listed as rejected"
cmp -s "$WORK/unassigned.pdf" "$R/未归属/$DAY.pdf" && ok "未归属 left alone" || fail "未归属 left alone"

# a return replaced by a corrected one says so
sed 's/proposals-adopted="\([0-9]*\)"/proposals-adopted="1\1"/' "$TOP/input/2024/320602/annual-return.xml" \
	>"$S/input/2024/320602/annual-return.xml"
LC_ALL=C jz "$S" >/dev/null 2>&1
grep -q "^2024/320602/annual-return.xml,年度报表,2024,[0-9]*,替换此前报送的版本" "$R/崇川区/$DAY.csv" &&
	ok "a corrected file: what it replaced" || { fail "a corrected file: what it replaced"; cat "$R/崇川区/$DAY.csv"; }

# a file the run may not open (its permissions) is on the receipt of its folder's region, with
# the system's reason in Chinese under LC_ALL=C; it stays unread, and is not news, next time
# (root reads every file: the run is made without that power, nodac)
# run_nodac — the run under LC_ALL=C without root's power to read every file
run_nodac() {
	LC_ALL=C nodac "$JINGSAI" run --input "$S/input" --output "$S/output" --db "$S/var/jingsai.db" \
	    --templates "$TOP/templates" --fonts "$TOP/fonts"
}
# listed WHAT REGION SAID ROW TEXT — after `run_nodac 2>"$WORK/stderr"; st=$?`: the run exited
# 1, said SAID (a pattern) on the terminal, and REGION's receipt has ROW (a pattern) in its CSV
# and TEXT in its PDF
listed() {
	[ "$st" = 1 ] && ok "$1: the run exits 1" || fail "$1: exit 1"
	grep -q "$3" "$WORK/stderr" && ok "$1: said on the terminal" || { fail "$1: said on the terminal"; cat "$WORK/stderr"; }
	tr -d '\r' <"$R/$2/$DAY.csv" | grep -q "$4" && ok "$1: on its region's receipt, why in Chinese" ||
		{ fail "$1: on its region's receipt"; cat "$R/$2/$DAY.csv"; }
	pdftotext -raw "$R/$2/$DAY.pdf" - 2>/dev/null | tr -d ' \n' | grep -qF "$5" &&
		ok "$1: in the receipt's PDF" || fail "$1: in the PDF"
}
printf '姓名,电话\n王五,789\n' >"$S/input/2024/320602/副本.csv"
chmod 000 "$S/input/2024/320602/副本.csv"
run_nodac >/dev/null 2>"$WORK/stderr"; st=$?
listed "a file that cannot be opened" 崇川区 "副本.csv: error: cannot read the file: Permission denied" \
	"^2024/320602/副本.csv,无法识别,—,—,无法读取文件：权限不够$" "副本.csv无法识别——无法读取文件：权限不够"
snapshot "$S/output/receipts" >"$WORK/before"
run_nodac >/dev/null 2>&1
snapshot "$S/output/receipts" >"$WORK/after"
cmp -s "$WORK/before" "$WORK/after" && ok "still unreadable the next run: no new receipt" ||
	{ fail "still unreadable the next run: no new receipt"; diff "$WORK/before" "$WORK/after" | head; }

# a folder the run may not read is on the receipt of the region it names, as a file is; once it
# can be read, its files are read and it is no longer counted as rejected (the data-quality
# appendix); the day's receipt keeps what the day's earlier run found
chmod 644 "$S/input/2024/320602/副本.csv"
mkdir -p "$S/input/2024/320612"
cp "$TOP/input/2024/320612/"* "$S/input/2024/320612/" 2>/dev/null
chmod 000 "$S/input/2024/320612"
run_nodac >/dev/null 2>"$WORK/stderr"; st=$?
listed "a folder that cannot be read" 通州区 \
	"2024/320612: error: cannot read the folder: Permission denied; the files in it were not read" \
	"^2024/320612,文件夹,—,—,无法读取文件夹：权限不够$" "2024/320612文件夹——无法读取文件夹：权限不够"
rejected_folders() { sqlite3 "$S/var/jingsai.db" "SELECT count(*) FROM file WHERE kind = 'folder' AND status = 'rejected'"; }
[ "$(rejected_folders)" = 1 ] && ok "a folder that cannot be read: kept as rejected" || fail "folder kept as rejected: $(rejected_folders)"
chmod 755 "$S/input/2024/320612"
LC_ALL=C jz "$S" >/dev/null 2>&1
[ "$(rejected_folders)" = 0 ] && tr -d '\r' <"$R/通州区/$DAY.csv" | grep -q "^2024/320612/通州区2024年度报表.xml,年度报表,2024,[0-9]*,新报送" &&
	ok "the folder readable again: its files read, the folder no longer rejected" ||
	{ fail "the folder readable again"; rejected_folders; cat "$R/通州区/$DAY.csv"; }
finish
