#!/bin/sh
# b_annual.sh — the whole annual set (city + 11 regions) for the province-scale
# data set (13 × a city: ≈ 10 million participation rows over five years).
# Prints the time spent in SQL (aggregation + template queries) and in
# typesetting, pages per second, and the SQL time as a ratio of a baseline
# measured in the same run: the sqlite3 shell making one pass over the same
# participation rows (join to projects, grouped by year and enterprise).
# The generated and ingested store is kept in build/bench/annual/ (the
# generator is deterministic); remove it to start afresh.
cd "$(dirname "$0")/.." || exit 3
SCALE=${ANNUAL_BENCH_SCALE:-province}
B=build/bench/annual-$SCALE
mkdir -p "$B"
now() { date +%s.%N; }

if [ ! -f "$B/store.db" ]; then
	t0=$(now)
	rm -rf "$B/input"
	build/tools/gen --scale "$SCALE" --seed 1 --out "$B/input" >/dev/null || exit 3
	cp input/programme.xml "$B/input/" 2>/dev/null
	t1=$(now)
	./jingsai --quiet --input "$B/input" --db "$B/store.tmp" ingest >/dev/null 2>&1
	st=$?; [ $st -le 1 ] || { echo "ingest failed ($st)"; exit 3; }
	mv "$B/store.tmp" "$B/store.db"
	t2=$(now)
	awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "prepared the %s store: generated in %.1f s, ingested in %.1f s\n", "'"$SCALE"'", b - a, c - b }'
fi
rows=$(sqlite3 "$B/store.db" "SELECT COUNT(*) FROM participation")

# baseline: one grouped pass of the sqlite3 shell over the same rows (wall
# clock and processor time, as the machine may be shared)
t0=$(now)
/usr/bin/time -f "%U %S" -o "$B/base.cpu" sqlite3 -readonly "$B/store.db" "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -262144;
  SELECT COUNT(*) FROM (SELECT pa.year, pa.credit_code, SUM(pa.participants) FROM participation pa
  JOIN cur_project p ON p.id = pa.project_id GROUP BY pa.year, pa.credit_code);" >/dev/null || exit 3
t1=$(now)
base=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
base_cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$B/base.cpu")

rm -rf "$B/out"
t0=$(now)
LC_ALL=C ./jingsai --verbose --db "$B/store.db" --output "$B/out" annual 2025 2>"$B/timing" || { cat "$B/timing"; exit 3; }
t1=$(now)
line=$(grep 'note: annual 2025:' "$B/timing")
sql=$(echo "$line" | sed -n 's/.*SQL \([0-9.]*\) s.*/\1/p')
sql_cpu=$(echo "$line" | sed -n 's/.*SQL [0-9.]* s (processor \([0-9.]*\) s).*/\1/p')
typeset=$(echo "$line" | sed -n 's/.*typesetting \([0-9.]*\) s.*/\1/p')
typeset_cpu=$(echo "$line" | sed -n 's/.*typesetting [0-9.]* s (processor \([0-9.]*\) s.*/\1/p')
pages=$(echo "$line" | sed -n 's/.*documents, \([0-9]*\) pages.*/\1/p')
docs=$(echo "$line" | sed -n 's/.*annual 2025: \([0-9]*\) documents.*/\1/p')
bytes=$(cat "$B"/out/annual/2025/*.pdf | wc -c)
awk -v rows="$rows" -v base="$base" -v sql="$sql" -v ts="$typeset" -v pages="$pages" -v docs="$docs" \
    -v base_cpu="$base_cpu" -v sql_cpu="$sql_cpu" -v ts_cpu="$typeset_cpu" \
    -v t0="$t0" -v t1="$t1" -v bytes="$bytes" 'BEGIN {
	printf "annual 2025, %s scale: %d participation rows, %d documents, %d pages, %.0f KB of PDF\n", "'"$SCALE"'", rows, docs, pages, bytes / 1024;
	printf "  SQL          %7.2f s wall, %6.2f s processor   (baseline, one grouped pass in the sqlite3 shell: %.2f s wall, %.2f s processor; ratio %.2f)\n", sql, sql_cpu, base, base_cpu, sql_cpu / base_cpu;
	printf "  typesetting  %7.2f s wall, %6.2f s processor   %.1f pages/s\n", ts, ts_cpu, pages / ts_cpu;
	printf "  wall clock   %7.2f s\n", t1 - t0;
}'
