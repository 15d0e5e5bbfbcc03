#!/bin/sh
# b_cert.sh — 1 000 certificates as one merged print.pdf and as 1 000 single
# files, against the baseline measured in the same run: libharu used directly
# with the whole LXGW WenKai font loaded (tools/cert_naive.c).  Prints
# certificates per second, ratios and file sizes; the targets come from
# ReportLab and Typst on this machine (shared FACTS): 3x their throughput,
# i.e. 1 000 merged < 0.2 s, 1 000 single files < 1 s, and smaller files.
cd "$(dirname "$0")/.." || exit 3
N=${CERT_BENCH_N:-1000}
NAIVE_SINGLE=${CERT_BENCH_NAIVE_SINGLE:-50}   # the baseline is slow: a sample, as a rate
W=$(mktemp -d "${TMPDIR:-/tmp}/jingsai-bench-cert.XXXXXX")
trap 'rm -rf "$W"' EXIT
now() { date +%s.%N; }
fmt() { awk -v a="$1" 'BEGIN { printf "%.3f", a }'; }

# A store with N MEDAL awards of 2025: names from a pool of common and rare
# characters, units in every region.
./jingsai --db "$W/db" --output "$W/out" --quiet certificates 2025 >/dev/null 2>&1
awk -v n="$N" 'BEGIN {
	split("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹", sn, " ");
	split("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 霞 平 刚 桂 喆 堃 昇 镕 旻 婷 浩 宇 鑫 博 晨 辉", gn, " ");
	split("320602 320612 320614 320623 320681 320682 320685 KFQ SXT TZW SZ", rg, " ");
	print "BEGIN;";
	print "INSERT INTO programme VALUES (\x27issuer\x27, \x27南通市劳动竞赛委员会\x27);";
	print "INSERT INTO programme VALUES (\x27verify_url\x27, \x27https://zgh.nantong.gov.cn/zs/v?c={serial}&m={mac}\x27);";
	print "INSERT INTO award VALUES (\x27MEDAL\x27, \x27南通市五一劳动奖章\x27, \x27person\x27, \x27cert-MEDAL.xml\x27, 0, 1);";
	print "INSERT INTO file (id, path, sha256, size, kind, ingested_at, status) VALUES (1, \x27input/awards.csv\x27, \x27x\x27, 1, \x27awards\x27, \x272025-01-01T00:00:00Z\x27, \x27accepted\x27);";
	for (i = 1; i <= 11; i++) {
		printf "INSERT INTO region VALUES (\x27%s\x27, \x27区域%d\x27, \x27county\x27, %d);\n", rg[i], i, i;
		printf "INSERT INTO enterprise VALUES (\x279132060%011d\x27, \x27南通第%d精密机械制造股份有限公司\x27, \x27%s\x27, \x27民营\x27, 1, 1, NULL, NULL, 1, %d);\n", i, i, rg[i], i;
	}
	srand(7);
	for (i = 1; i <= n; i++) {
		name = sn[int(rand() * 30) + 1] gn[int(rand() * 34) + 1];
		if (rand() < 0.6) name = name gn[int(rand() * 34) + 1];
		name = name i;  # unique
		printf "INSERT INTO award_row VALUES (2025, \x27MEDAL\x27, \x27%s\x27, \x27person\x27, \x27男\x27, \x279132060%011d\x27, NULL, 1, %d);\n", name, i % 11 + 1, i + 1;
	}
	print "COMMIT;";
}' | sqlite3 "$W/db" || exit 3
printf 'bench-key-0123456789abcdef\n' >"$W/key"

# jingsai: one run writes the N single files and print.pdf; its notes time each part.
t0=$(now)
JINGSAI_KEY_FILE=$W/key ./jingsai --db "$W/db" --output "$W/out" --verbose certificates 2025 \
	--award MEDAL 2>"$W/notes" || { cat "$W/notes"; exit 3; }
t1=$(now)
line=$(grep 'MEDAL 2025:' "$W/notes")
j_single=$(echo "$line" | sed -n 's/.*unchanged (\([0-9.]*\) s).*/\1/p')
j_merged=$(echo "$line" | sed -n 's/.*print.pdf written (\([0-9.]*\) s).*/\1/p')
j_qr=$(echo "$line" | sed -n 's/.*QR codes \([0-9.]*\) s.*/\1/p')
# Each way on its own would need the QR codes too: count them in both.
j_single=$(awk -v a="$j_single" -v b="$j_qr" 'BEGIN { print a + b }')
j_merged=$(awk -v a="$j_merged" -v b="$j_qr" 'BEGIN { print a + b }')
j_total=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
one=$(ls "$W"/out/certificates/2025/MEDAL/2025-MEDAL-*.pdf | head -1)
j_one=$(stat -c %s "$one")
j_print=$(stat -c %s "$W/out/certificates/2025/MEDAL/print.pdf")

# The baseline: the same names, merged (all N) and single (a sample).
sqlite3 -separator '	' "$W/db" "SELECT c.serial, c.recipient, c.unit FROM certificate c ORDER BY c.seq" >"$W/list"
mkdir -p "$W/naive-m" "$W/naive-s"
t0=$(now); ./build/tools/cert_naive merged "$W/list" "$W/naive-m" >/dev/null || exit 3; t1=$(now)
n_merged=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
head -n "$NAIVE_SINGLE" "$W/list" >"$W/list-s"
t0=$(now); ./build/tools/cert_naive single "$W/list-s" "$W/naive-s" >/dev/null || exit 3; t1=$(now)
n_single_sample=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
n_single=$(awk -v s="$n_single_sample" -v k="$NAIVE_SINGLE" -v n="$N" 'BEGIN { print s / k * n }')
n_one=$(stat -c %s "$(ls "$W"/naive-s/*.pdf | head -1)")
n_print=$(stat -c %s "$W/naive-m/print.pdf")

rate() { awk -v n="$N" -v t="$1" 'BEGIN { printf "%8.0f", (t > 0 ? n / t : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
echo "certificates: $N (A4 landscape, LXGW WenKai, QR code in jingsai's)"
printf '%-34s %10s %10s %12s\n' "" "time s" "certs/s" "size"
printf '%-34s %10s %10s %12s\n' "jingsai, merged print.pdf" "$(fmt "$j_merged")" "$(rate "$j_merged")" "$j_print B"
printf '%-34s %10s %10s %12s\n' "baseline (libharu, whole font)" "$(fmt "$n_merged")" "$(rate "$n_merged")" "$n_print B"
printf '%-34s %10s %10s %12s\n' "jingsai, single files" "$(fmt "$j_single")" "$(rate "$j_single")" "$j_one B each"
printf '%-34s %10s %10s %12s\n' "baseline, single (from $NAIVE_SINGLE)" "$(fmt "$n_single")" "$(rate "$n_single")" "$n_one B each"
printf '%-34s %10s\n' "jingsai, whole command (both)" "$(fmt "$j_total")"
echo "(jingsai's times include the $N QR codes, $(fmt "$j_qr") s, in each line; the baseline has none)"
echo "speed-up vs baseline: merged $(ratio "$n_merged" "$j_merged")x, single $(ratio "$n_single" "$j_single")x;" \
	"size: one certificate $(ratio "$n_one" "$j_one")x smaller, merged $(ratio "$n_print" "$j_print")x smaller"
ok_m=$(awk -v t="$j_merged" -v n="$N" 'BEGIN { print (t * 1000 / n < 0.2) ? "met" : "MISSED" }')
ok_s=$(awk -v t="$j_single" -v n="$N" 'BEGIN { print (t * 1000 / n < 1.0) ? "met" : "MISSED" }')
ok_z=$([ "$j_one" -lt 15360 ] && echo met || echo MISSED)
echo "targets (3x ReportLab/Typst): merged < 0.2 s per 1000: $ok_m; single < 1 s per 1000: $ok_s;" \
	"one certificate < 15 KB (Typst 18.6 KB, ReportLab 25 KB): $ok_z"
