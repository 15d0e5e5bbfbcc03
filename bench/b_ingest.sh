#!/bin/sh
# bench/b_ingest.sh — validated ingest of the province-scale data set, next to sqlite3's bare
# .import of the same CSV rows into equivalent tables (same columns, same keys), same run.
# Prints rows per second of both, their ratio (target: ingest >= 0.5 x .import), and the peak
# memory of ingest at city and at province scale (streaming: it must not grow with the files).
# BENCH_SCALE=city compares on the city data set instead (quicker).
cd "$(dirname "$0")/.." || exit 3
BIN=$(pwd)/jingsai
GEN=$(pwd)/build/tools/gen
D=${BENCH_DIR:-$(pwd)/build/bench}
BIG=${BENCH_SCALE:-province}
[ -x "$BIN" ] && [ -x "$GEN" ] || { echo "build first (make)"; exit 3; }
command -v sqlite3 >/dev/null || { echo "sqlite3 missing"; exit 3; }
mkdir -p "$D"

now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }'; }
# timed CMD... — runs CMD; sets WALL and CPU (seconds) and RSS (KB; 0 when unknown).
timed() {
	t0=$(now)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%U %S %M' -o "$D/time.out" "$@"; st=$?
		CPU=$(awk '{ printf "%.2f", $1 + $2 }' "$D/time.out"); RSS=$(awk '{ print $3 }' "$D/time.out")
	else
		"$@"; st=$?; CPU=0; RSS=0
	fi
	WALL=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
	return $st
}

for scale in city $BIG; do
	[ -f "$D/$scale/.done" ] && continue
	rm -rf "${D:?}/$scale"
	"$GEN" --scale "$scale" --seed 1 --out "$D/$scale" >/dev/null || exit 3
	touch "$D/$scale/.done"
done

# -- jingsai ingest: every file (the annual returns too), validated, one transaction per file.
for scale in city $BIG; do
	cp input/programme.xml "$D/$scale/"
	rm -f "$D/$scale.db" "$D/$scale.db-wal" "$D/$scale.db-shm"
	timed "$BIN" --quiet --input "$D/$scale" --db "$D/$scale.db" ingest || { echo "ingest failed"; exit 1; }
	eval "wall_$scale=$WALL cpu_$scale=$CPU rss_$scale=$RSS"
done
eval "wall=\$wall_$BIG cpu=\$cpu_$BIG"
db="$D/$BIG.db"
rows=$(sqlite3 "$db" "SELECT sum(rows) FROM file WHERE kind <> 'annual-return'")
xml_rows=$(sqlite3 "$db" "SELECT sum(rows) FROM file WHERE kind = 'annual-return'")
files=$(sqlite3 "$db" "SELECT count(*) FROM file")
mb=$(du -sm "$D/$BIG" | awk '{ print $1 }')
biggest=$(find "$D/$BIG" -name '*.csv' -exec ls -l {} + | awk '$5 > m { m = $5 } END { printf "%.0f", m / 1048576 }')
timed "$BIN" --quiet --input "$D/$BIG" --db "$db" ingest
wall_again=$WALL

# -- The baseline: sqlite3 .import of the same CSV files (one transaction each), into one
#    table per distinct header (the files' columns, the kind's key: a participation table
#    grows to millions of rows as the store's does), WAL and synchronous=NORMAL as the store.
sql="$D/import.sql"
{
	echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	: >"$D/import.tables"
	find "$D/$BIG" -name '*.csv' | sort | while read -r f; do
		header=$(head -n 1 "$f" | tr -d '\r' | sed 's/^\xEF\xBB\xBF//')
		n=t$(echo "$header" | md5sum | cut -c1-12)
		opt=""
		case "$header" in
		*participants*) key="year, project_id, credit_code"; opt=" WITHOUT ROWID" ;;
		*ownership*) key="credit_code" ;;
		*first_completer*) key="round, entry_id" ;;
		*judge*) key="round, entry_id, judge" ;;
		*competition*) key="year, competition, rank, name" ;;
		*recipient*) key="year, award, recipient, credit_code" ;;
		*) continue ;;
		esac
		if ! grep -qx "$n" "$D/import.tables"; then
			echo "$n" >>"$D/import.tables"
			echo "CREATE TABLE $n ($(echo "$header" | sed 's/,/ TEXT, /g; s/$/ TEXT/'), PRIMARY KEY ($key))$opt;"
		fi
		echo ".import --csv --skip 1 '$f' $n"
	done
} >"$sql"
rm -f "$D/import.db" "$D/import.db-wal" "$D/import.db-shm"
timed sqlite3 "$D/import.db" ".read $sql" >/dev/null 2>"$D/import.err"
wall_import=$WALL cpu_import=$CPU
imported=$(sqlite3 "$D/import.db" "SELECT name FROM sqlite_master WHERE type = 'table'" |
	while read -r t; do echo "SELECT count(*) FROM $t;"; done | sqlite3 "$D/import.db" |
	awk '{ s += $1 } END { print s }')

echo "$BIG data set: $files files, $mb MB (largest CSV $biggest MB): $rows CSV rows, $xml_rows annual-return rows"
printf '%-38s %8s s wall %8s s CPU %9s rows/s wall %9s rows/s CPU\n' \
	"jingsai ingest (validated, stored)" "$wall" "$cpu" "$(rate "$rows" "$wall")" "$(rate "$rows" "$cpu")"
printf '%-38s %8s s wall %8s s CPU %9s rows/s wall %9s rows/s CPU\n' \
	"sqlite3 .import (bare, $imported rows)" "$wall_import" "$cpu_import" \
	"$(rate "$imported" "$wall_import")" "$(rate "$imported" "$cpu_import")"
awk -v a="$(rate "$rows" "$wall")" -v b="$(rate "$imported" "$wall_import")" \
    -v c="$(rate "$rows" "$cpu")" -v d="$(rate "$imported" "$cpu_import")" \
    'BEGIN { printf "ratio ingest / .import: %.2f (wall), %.2f (CPU); target >= 0.50\n", (b > 0) ? a / b : 0, (d > 0) ? c / d : 0 }'
echo "second ingest of the same files (nothing new): $wall_again s wall"
echo "peak memory of ingest: city $((rss_city / 1024)) MB; $BIG $(( $(eval echo "\$rss_$BIG") / 1024 )) MB"

# -- Memory against file size: one participation file of 1 and of 2 million rows (the $BIG
#    files' rows, in one column order), ingested into the $BIG store (its rows replace the
#    stored ones); streaming means the same peak for both.
one=""
for m in 1 2; do
	f1="$D/one-$m.csv"
	find "$D/$BIG" -name '*.csv' | sort | while read -r f; do
		head -n 1 "$f" | grep -q participants && cat "$f"
	done | tr -d '\r' | sed 's/^\xEF\xBB\xBF//' | awk -F, -v want=$((m * 1000000)) '
		/participants/ { for (i = 1; i <= NF; i++) c[$i] = i; next }
		n == 0 { print "year,project_id,credit_code,participants" }
		n >= want { exit }
		{ print $c["year"] "," $c["project_id"] "," $c["credit_code"] "," $c["participants"]; n++ }' >"$f1"
	timed "$BIN" --quiet --input "$D/$BIG" --db "$db" ingest "$f1" || { echo "ingest of $f1 failed"; exit 1; }
	one="$one $(($(wc -l <"$f1") - 1)) rows ($(du -m "$f1" | cut -f1) MB): $((RSS / 1024)) MB;"
	rm -f "$f1"
done
echo "peak memory of ingest of one participation file:${one%;}"
