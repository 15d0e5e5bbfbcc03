#!/bin/sh
# t_run_office.sh — what the office reads after `jingsai run`, in Chinese, and what it forwards:
# a county's corrected file that is
# rejected says, on the terminal and on its receipt, that the version accepted before still
# counts; a corrected file accepted does not claim to have replaced rows of other files (a
# file that does still says so).
. "$(dirname "$0")/lib.sh"
SITE_YEARS=2025
. "$TOP/tests/run_lib.sh"
ZH=zh_CN.UTF-8
DAY=$(date -u -d "@$((SOURCE_DATE_EPOCH + 8 * 3600))" +%Y-%m-%d)   # the run's day in China
d=$WORK/s
site "$d"
R=$d/output/receipts
REG=$d/input/企业名录/320602-崇川区.csv

LC_ALL=C jz "$d" >/dev/null 2>&1

# -- 崇川区 corrects its register, with a mistake: rejected; what it sent before still counts,
#    on the terminal and on the receipt the county receives.
cp "$REG" "$WORK/register"
awk -F, 'NR == 2 { $7 = "-5" } 1' OFS=, "$WORK/register" >"$REG"
rows=$(sqlite3 "$d/var/jingsai.db" "SELECT rows FROM file WHERE path = '企业名录/320602-崇川区.csv' AND status = 'accepted'")
LC_ALL=$ZH jz "$d" >"$WORK/stdout" 2>"$WORK/stderr"
expect_diag "the terminal: the version accepted before stays in use" \
	"320602-崇川区.csv: warning: 此前已接收的该文件版本（数据 $rows 行）仍然有效，直到改正后的文件被接收"
tr -d '\r' <"$R/崇川区/$DAY.csv" >"$WORK/receipt.csv"
grep -qx "企业名录/320602-崇川区.csv,企业名录,—,—,此前已接收的该文件版本（数据${rows}行）仍然有效，直到改正后的文件被接收" \
	"$WORK/receipt.csv" && ok "the receipt: the version accepted before stays in use" ||
	{ fail "the receipt: the version accepted before"; cat "$WORK/receipt.csv"; }
grep -q "^企业名录/320602-崇川区.csv,企业名录,2,[0-9]*,.*负数" "$WORK/receipt.csv" &&
	ok "the receipt: the mistake after it" || fail "the receipt: the mistake"
pdftotext -raw "$R/崇川区/$DAY.pdf" - 2>/dev/null | tr -d ' \n' | grep -qF "此前已接收的该文件版本（数据${rows}行）仍然有效" &&
	ok "the receipt's PDF says it" || fail "the receipt's PDF says it"

# -- Corrected again, right this time: it replaces its own earlier version, not other files' rows.
awk -F, 'NR == 2 { $7 = $7 + 1 } 1' OFS=, "$WORK/register" >"$REG"
LC_ALL=C jz "$d" >/dev/null 2>&1
tr -d '\r' <"$R/崇川区/$DAY.csv" >"$WORK/receipt.csv"
grep -qx "企业名录/320602-崇川区.csv,企业名录,—,$rows,替换此前报送的版本" "$WORK/receipt.csv" &&
	ok "a correction accepted: it replaces the version sent before, nothing else" ||
	{ fail "a correction accepted"; grep 企业名录 "$WORK/receipt.csv"; }
# a second register that repeats one enterprise of the first does replace another file's row
head -2 "$REG" >"$d/input/企业名录/320602-补充.csv"
LC_ALL=C jz "$d" >/dev/null 2>&1
grep -q "^企业名录/320602-补充.csv,企业名录,—,1,其中 1 行替换了其他文件中的相同记录" "$R/崇川区/$DAY.csv" &&
	ok "a row of another file replaced: still said" || { fail "a row of another file replaced"; cat "$R/崇川区/$DAY.csv"; }

finish
