#!/bin/sh
# t_run_office.sh — what the office reads after `jingsai run`, in Chinese, and what it forwards:
# the summary names the receipts written and where they are; a county's corrected file that is
# rejected says, on the terminal and on its receipt, that the version accepted before still
# counts; a corrected file accepted does not claim to have replaced rows of other files (a
# file that does still says so); a group that failed is named in Chinese; a run interrupted
# by Ctrl-C names no group as failed, and the next run writes every document it left.
. "$(dirname "$0")/lib.sh"
SITE_YEARS=2025
. "$TOP/tests/run_lib.sh"
ZH=zh_CN.UTF-8
DAY=$(date -u -d "@$((SOURCE_DATE_EPOCH + 8 * 3600))" +%Y-%m-%d)   # the run's day in China
d=$WORK/s
site "$d"
R=$d/output/receipts
REG=$d/input/企业名录/320602-崇川区.csv

# -- The first run: the summary names every receipt written, and where they are.
LC_ALL=$ZH jz "$d" >"$WORK/stdout" 2>"$WORK/stderr"
names=$(sed -n 's/.*；回执：\([^（]*\)（在 .*\/output\/receipts\/ 下，发给各地区）.*/\1/p' "$WORK/stdout")
[ -n "$names" ] && ok "the summary names the receipts: $names" || { fail "the summary names the receipts"; cat "$WORK/stdout"; }
n=0 missing=
for name in $(echo "$names" | sed 's/、/ /g'); do
	n=$((n + 1))
	[ -f "$R/$name/$DAY.pdf" ] || missing="$missing $name"
done
[ "$n" = "$(ls "$R" | wc -l)" ] && [ -z "$missing" ] && ok "every receipt named is there, and no other ($n)" ||
	fail "receipts named: $names; missing:$missing; written: $(ls "$R" | tr '\n' ' ')"
# the log says it in the office's words, at China time
head -1 "$d/output/jingsai.log" | grep -q '^[0-9-]* [0-9:]*+0800 运行：接收文件 [0-9]* 个.*；退出码 [01]$' &&
	ok "the log: 运行：… ；退出码" || fail "the log: $(head -1 "$d/output/jingsai.log" | cut -c1-120)"
LC_ALL=C jz "$d" >"$WORK/stdout" 2>&1
expect_out "nothing new: nothing said"

# -- 崇川区 corrects its register, with a mistake: rejected; what it sent before still counts,
#    on the terminal and on the receipt the county receives.
cp "$REG" "$WORK/register"
awk -F, 'NR == 2 { $7 = "-5" } 1' OFS=, "$WORK/register" >"$REG"
rows=$(sqlite3 "$d/var/jingsai.db" "SELECT rows FROM file WHERE path = '企业名录/320602-崇川区.csv' AND status = 'accepted'")
LC_ALL=$ZH jz "$d" >"$WORK/stdout" 2>"$WORK/stderr"
expect_diag "the terminal: the version accepted before stays in use" \
	"320602-崇川区.csv: warning: 此前已接收的该文件版本（数据 $rows 行）仍然有效，直到改正后的文件被接收"
grep -q "；回执：崇川区（在 " "$WORK/stdout" && ok "the summary names 崇川区's receipt alone" ||
	fail "summary: $(cat "$WORK/stdout")"
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

# -- The certificate key open to others: the certificates and the site fail, named in Chinese.
chmod 644 "$WORK/key"
LC_ALL=$ZH jz "$d" >"$WORK/stdout" 2>"$WORK/stderr"
st=$?
chmod 600 "$WORK/key"
[ $st = 3 ] && grep -q "；出错的有：2024 年证书、2025 年证书、查验网站（site）（见下文；其余均已生成）$" "$WORK/stdout" &&
	ok "the groups that failed, in Chinese" || { fail "the groups that failed (exit $st)"; cat "$WORK/stdout"; }

# -- Interrupted (Ctrl-C) at a few moments of a full run: the summary says so, and does not
#    name the group the signal cut short as failed, nor say that the others were built.
i=$WORK/i; site "$i"
t0=$(now_ms); jz "$i" >/dev/null 2>&1; full_ms=$(($(now_ms) - t0))
mv "$i/output" "$WORK/ref"
cut=0 wrong=0 unfinished=0
for part in 25 40 55 62 70 72 74 76; do
	rm -rf "$i/output" "$i/var"; mkdir -p "$i/output" "$i/var"
	(LC_ALL=$ZH exec "$JINGSAI" run --input "$i/input" --output "$i/output" --db "$i/var/jingsai.db" \
	    --templates "$TOP/templates" --fonts "$TOP/fonts" >"$WORK/int.out" 2>&1) &
	pid=$!
	sleep "$(awk "BEGIN { printf \"%.3f\", $full_ms * $part / 100000 }")"
	kill -INT "$pid"
	{ wait "$pid"; } 2>/dev/null; st=$?
	[ $st = 130 ] || continue
	cut=$((cut + 1))
	grep -q "被 SIGINT 中断，其余工作留待下次运行" "$WORK/int.out" || wrong=1
	grep -q "出错的有\|其余均已生成" "$WORK/int.out" && { wrong=1; cat "$WORK/int.out"; }
	# the next run finishes the job: every document there (a group the signal cut short
	# after its builder's last check was recorded complete, its last reports never written)
	jz "$i" >/dev/null 2>&1
	diff -rq -x jingsai.log "$WORK/ref" "$i/output" >"$WORK/int.diff" 2>&1 ||
		{ unfinished=$((unfinished + 1)); head -3 "$WORK/int.diff"; }
done
[ $unfinished = 0 ] && ok "after each interrupted run the next one wrote every document" ||
	fail "$unfinished interrupted runs left documents the next run did not write"
if [ $cut = 0 ]; then echo "SKIP: every run ended before Ctrl-C (${full_ms} ms)"
elif [ $wrong = 0 ]; then ok "interrupted $cut times: said so, no group called failed"
else fail "interrupted: a group called failed, or the interruption not said"; fi
finish
