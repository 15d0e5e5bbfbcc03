#!/bin/sh
# b_cert.sh — 1 000 certificates as one merged print.pdf and as 1 000 single
# files, against the baseline measured in the same run: libharu used directly
# with the whole LXGW WenKai font loaded (tools/cert_naive.c).  Prints
# certificates per second (wall clock and processor time: the machine is
# shared, so processor time is the steadier figure), ratios and file sizes.
# Targets, from ReportLab and Typst on this machine (shared FACTS): 3x their
# throughput, i.e. 1 000 merged < 0.2 s, 1 000 single files < 1 s, and
# smaller files than both (Typst 18.6 KB, ReportLab 25 KB a certificate).
cd "$(dirname "$0")/.." || exit 3
N=${CERT_BENCH_N:-1000}
NAIVE_SINGLE=${CERT_BENCH_NAIVE_SINGLE:-50}   # the baseline is slow: a sample, as a rate
W=$(mktemp -d "${TMPDIR:-/tmp}/jingsai-bench-cert.XXXXXX")
trap 'rm -rf "$W"' EXIT
now() { date +%s.%N; }
fmt() { awk -v a="$1" 'BEGIN { printf "%.3f", a }'; }
calc() { awk "BEGIN { print $1 }"; }

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
printf 'bench-key-0123456789abcdef\n' >"$W/key"; chmod 600 "$W/key"

# jingsai: one run writes the N single files and print.pdf; its note times
# each part (wall and processor time).  print.pdf's figures cover all it
# needs: its QR codes (made by threads while the fonts are narrowed and the
# pages laid out) and its fonts.  The single files reuse both; on their own
# they would need the fonts narrowed and the QR codes made over the cores:
# that is counted in as the narrowing time plus the QR codes' processor
# time divided by the threads that made them.
t0=$(now)
JINGSAI_KEY_FILE=$W/key ./jingsai --db "$W/db" --output "$W/out" --verbose certificates 2025 \
	--award MEDAL 2>"$W/notes" || { cat "$W/notes"; exit 3; }
t1=$(now)
set -- $(sed -n 's/.*QR codes [0-9.]* s (cpu \([0-9.]*\) s, \([0-9]*\) threads); fonts \([0-9.]*\) s; .* unchanged (\([0-9.]*\) s, cpu \([0-9.]*\) s); print.pdf written (\([0-9.]*\) s, cpu \([0-9.]*\) s.*/\1 \2 \3 \4 \5 \6 \7/p' "$W/notes")
[ $# = 7 ] || { echo "no timing note in:"; cat "$W/notes"; exit 3; }
j_single=$(calc "$4 + $3 + $1 / ($2 > 0 ? $2 : 1)"); j_single_cpu=$(calc "$5 + $3 + $1")
j_merged=$6; j_merged_cpu=$7
j_total=$(calc "$t1 - $t0")
one=$(ls "$W"/out/certificates/2025/MEDAL/2025-MEDAL-*.pdf | head -1)
j_one=$(stat -c %s "$one")
j_avg=$(ls -l "$W"/out/certificates/2025/MEDAL/2025-MEDAL-*.pdf | awk '{ s += $5; n++ } END { printf "%.0f", s / n }')
j_max=$(ls -l "$W"/out/certificates/2025/MEDAL/2025-MEDAL-*.pdf | awk '$5 > m { m = $5 } END { print m }')
j_print=$(stat -c %s "$W/out/certificates/2025/MEDAL/print.pdf")

# The baseline: the same names, merged (all N) and single (a sample).
sqlite3 -separator "$(printf '\t')" "$W/db" "SELECT serial, recipient, unit FROM certificate ORDER BY seq" >"$W/list"
mkdir -p "$W/naive-m" "$W/naive-s"
t0=$(now); set -- $(./build/tools/cert_naive merged "$W/list" "$W/naive-m") || exit 3; t1=$(now)
n_merged=$(calc "$t1 - $t0"); n_merged_cpu=$2
head -n "$NAIVE_SINGLE" "$W/list" >"$W/list-s"
t0=$(now); set -- $(./build/tools/cert_naive single "$W/list-s" "$W/naive-s") || exit 3; t1=$(now)
n_single=$(calc "($t1 - $t0) / $NAIVE_SINGLE * $N"); n_single_cpu=$(calc "$2 / $NAIVE_SINGLE * $N")
n_one=$(stat -c %s "$(ls "$W"/naive-s/*.pdf | head -1)")
n_print=$(stat -c %s "$W/naive-m/print.pdf")

rate() { awk -v n="$N" -v t="$1" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
echo "certificates: $N (A4 landscape; jingsai with QR codes, the baseline without); load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-36s %9s %9s %9s %9s %14s\n' "" "wall s" "certs/s" "cpu s" "certs/s" "size"
row() { printf '%-36s %9s %9s %9s %9s %14s\n' "$1" "$(fmt "$2")" "$(rate "$2")" "$(fmt "$3")" "$(rate "$3")" "$4"; }
row "jingsai, merged print.pdf" "$j_merged" "$j_merged_cpu" "$j_print B"
row "baseline (libharu, whole font)" "$n_merged" "$n_merged_cpu" "$n_print B"
row "jingsai, single files" "$j_single" "$j_single_cpu" "$j_avg B avg"
row "baseline, single (from $NAIVE_SINGLE)" "$n_single" "$n_single_cpu" "$n_one B"
printf '%-36s %9s\n' "jingsai, whole command (both)" "$(fmt "$j_total")"
# The peers, as measured once on this machine (shared FACTS, for reference):
# merged time and size, single-file time, one certificate's size.
facts=/work/shared/FACTS.md
[ -r "$facts" ] || facts=$(dirname "$0")/../FACTS.md
if [ -r "$facts" ]; then
	awk -F'|' -v n="$N" '/^\| (ReportLab|Typst)/ {
		name = $2; gsub(/^ +| +$/, "", name); sub(/ \(.*/, "", name)
		split($3, m, ","); ms = m[1] + 0; msz = m[2]; gsub(/^ +| +$/, "", msz)
		ss = $4 + 0; one = $5; gsub(/^ +| +$/, "", one)
		printf "%-36s %9.3f %9.0f %9s %9s %14s\n", "peer " name ", merged", ms, n / ms, "", "", msz
		printf "%-36s %9.3f %9.0f %9s %9s %14s\n", "peer " name ", single files", ss, n / ss, "", "", one " each"
	}' "$facts"
fi
echo "speed-up vs baseline (cpu): merged $(ratio "$n_merged_cpu" "$j_merged_cpu")x, single $(ratio "$n_single_cpu" "$j_single_cpu")x;" \
	"files: one certificate $j_one B (largest $j_max B), $(ratio "$n_one" "$j_one")x smaller; merged $(ratio "$n_print" "$j_print")x smaller"
met() { awk -v t="$1" -v n="$N" -v lim="$2" 'BEGIN { print (t * 1000 / n < lim) ? "met" : "MISSED" }'; }
echo "targets per 1 000 (wall / cpu): merged < 0.2 s: $(met "$j_merged" 0.2) / $(met "$j_merged_cpu" 0.2);" \
	"single < 1 s: $(met "$j_single" 1.0) / $(met "$j_single_cpu" 1.0);" \
	"one certificate < 15 KB: $([ "$j_max" -lt 15360 ] && echo met || echo MISSED);" \
	"merged smaller than ReportLab's 780 KB: $([ "$j_print" -lt 780000 ] && echo met || echo MISSED)"
