#!/bin/sh
# b_run.sh — the nightly run at city scale (SPEC §8): a full run from an empty
# store and the no-change run after it, wall time and peak memory of each,
# next to `jingsai ingest` alone on the same files measured in the same run.
cd "$(dirname "$0")/.." || exit 3
TOP=$(pwd)
B=$(mktemp -d "${TMPDIR:-/tmp}/jingsai-bench-run.XXXXXX")
trap 'rm -rf "$B"' EXIT
SCALE=${SCALE:-city}

build/tools/gen --scale "$SCALE" --seed 1 --out "$B/input" >/dev/null || exit 3
[ -f "$B/input/programme.xml" ] || cp input/programme.xml "$B/input/"
printf 'bench key, long enough\n' >"$B/key"; chmod 600 "$B/key"
export JINGSAI_KEY_FILE="$B/key"
echo "data: $SCALE scale, $(find "$B/input" -type f | wc -l) files, $(du -sh "$B/input" | cut -f1)"

# measure NAME CMD... — runs CMD under /usr/bin/time -v; sets $wall and $cpu
# (user + system) in seconds and $peak (MB).  On a shared machine the CPU
# time is the steadier figure.
measure() {
	name=$1; shift
	/usr/bin/time -v -o "$B/time" "$@" >"$B/out" 2>"$B/err"; st=$?
	wall=$(sed -n 's/.*Elapsed (wall clock) time.*: \(.*\)$/\1/p' "$B/time" |
	    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }')
	peak=$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$B/time" |
	    awk '{ printf "%.0f", $1 / 1024 }')
	cpu=$(sed -n 's/.*\(User\|System\) time (seconds): \([0-9.]*\).*/\2/p' "$B/time" |
	    awk '{ s += $1 } END { printf "%.2f", s }')
	[ $st -le 1 ] || { echo "$name: exit $st"; tail -5 "$B/err"; }
}

opts="--input $B/input --templates $TOP/templates --fonts $TOP/fonts"

measure "ingest" ./jingsai ingest $opts --db "$B/ingest/jingsai.db" --output "$B/ingest-out"
ingest_wall=$wall; ingest_peak=$peak; ingest_cpu=$cpu

measure "full run" ./jingsai run $opts --db "$B/var/jingsai.db" --output "$B/output"
full_wall=$wall; full_peak=$peak; full_cpu=$cpu
full_summary=$(head -1 "$B/out")
docs=$(find "$B/output" -type f ! -name jingsai.log | wc -l)
pdfs=$(find "$B/output" -type f -name '*.pdf' | wc -l)

measure "no-change run" ./jingsai run $opts --db "$B/var/jingsai.db" --output "$B/output"
same_wall=$wall; same_peak=$peak; same_cpu=$cpu
same_out=$(cat "$B/out" "$B/err" | wc -c)

ratio() { awk "BEGIN { if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"-\" }"; }
printf '%-26s %8s %8s %8s %15s\n' "" "wall s" "cpu s" "peak MB" "× ingest (wall)"
printf '%-26s %8s %8s %8s %15s\n' "ingest alone (baseline)" "$ingest_wall" "$ingest_cpu" "$ingest_peak" "1.00"
printf '%-26s %8s %8s %8s %15s\n' "full run, empty store" "$full_wall" "$full_cpu" "$full_peak" "$(ratio "$full_wall" "$ingest_wall")"
printf '%-26s %8s %8s %8s %15s\n' "no-change run" "$same_wall" "$same_cpu" "$same_peak" "$(ratio "$same_wall" "$ingest_wall")"
echo "full run: $full_summary"
echo "          $docs files written ($pdfs PDF), $(du -sh "$B/output" | cut -f1)"
echo "no-change run printed $same_out bytes"
