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

# A store with N MEDAL awards of 2025 (bench/cert_store.sh).
. bench/cert_store.sh
cert_store "$W/db" "$N" || exit 3
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
