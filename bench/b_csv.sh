#!/bin/sh
# bench/b_csv.sh — CPU time of the CSV reader alone (decode, parse, validate, duplicate
# keys; no store) on the ~750 000 participation rows of a generated city, in
# UTF-8 and converted to GB18030, against sqlite3's .import of the same files
# (which validates nothing) measured in the same run.
cd "$(dirname "$0")/.." || exit 3
make -s build >/dev/null || exit 3
W=$(mktemp -d "${TMPDIR:-/tmp}/jingsai-bcsv.XXXXXX"); trap 'rm -rf "$W"' EXIT
build/tools/gen --scale city --seed 1 --out "$W/city" >/dev/null || exit 3
mkdir "$W/utf8" "$W/gb"
n=0
for f in $(find "$W/city" -name '*.csv' | sort); do
	head -1 "$f" | grep -q project_id || continue
	n=$((n + 1))
	sed '1s/^\xef\xbb\xbf//' "$f" >"$W/utf8/p$n.csv"
	iconv -f UTF-8 -t GB18030 "$W/utf8/p$n.csv" >"$W/gb/p$n.csv" || exit 3
done

# CPU seconds (user + system) of sqlite3 importing every file, so that a
# busy machine skews neither side.
for f in "$W"/utf8/*.csv; do
	echo ".import --csv $f t$(basename "$f" .csv)"
done >"$W/import.sql"
/usr/bin/time -f '%U %S' -o "$W/time" sqlite3 "$W/x.db" <"$W/import.sql" || exit 3
rows=$(cat "$W"/utf8/*.csv | wc -l); rows=$((rows - n))
base=$(awk -v r="$rows" '{ printf "%d", r / ($1 + $2) }' "$W/time")
echo "participation rows: $rows in $n files"
echo "sqlite3 .import (baseline): $base rows/s"
for enc in utf8 gb; do
	out=$(build/tools/csvread "$W/$enc"/*.csv 2>"$W/err") || { echo "csvread failed:"; head -5 "$W/err"; exit 1; }
	rps=$(echo "$out" | sed -n 's/^total: .* \([0-9]*\) rows\/s$/\1/p')
	echo "csv_read $enc: $rps rows/s = $(echo "scale=2; $rps / $base" | bc) x sqlite3 .import"
done
