#!/bin/sh
# bench/b_csv.sh — CPU time of the CSV reader alone (decode, parse, validate,
# duplicate keys; no store) on the files of a generated city: its ~750 000
# participation rows (ASCII) and its enterprise directories (Chinese text,
# read 20 times over), each in UTF-8 and converted to GB18030, against
# sqlite3's .import of the same UTF-8 files into an in-memory database
# (which validates nothing),
# measured in the same run.
cd "$(dirname "$0")/.." || exit 3
make -s build >/dev/null || exit 3
W=$(mktemp -d "${TMPDIR:-/tmp}/jingsai-bcsv.XXXXXX"); trap 'rm -rf "$W"' EXIT
build/tools/gen --scale city --seed 1 --out "$W/city" >/dev/null || exit 3

# split KIND PATTERN: the files whose header names PATTERN, in UTF-8 without
# BOM in $W/KIND/utf8 and in GB18030 in $W/KIND/gb.
split() {
	mkdir -p "$W/$1/utf8" "$W/$1/gb"; n=0
	for f in $(find "$W/city" -name '*.csv' | sort); do
		head -1 "$f" | grep -q "$2" || continue
		n=$((n + 1))
		if iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1; then
			sed '1s/^\xef\xbb\xbf//' "$f" >"$W/$1/utf8/f$n.csv"
		else # the generator writes some files in GBK, as Excel does
			iconv -f GB18030 -t UTF-8 "$f" >"$W/$1/utf8/f$n.csv" || exit 3
		fi
		iconv -f UTF-8 -t GB18030 "$W/$1/utf8/f$n.csv" >"$W/$1/gb/f$n.csv" || exit 3
	done
}

# bench KIND REPEAT: rows/s of sqlite3 .import, then of csv_read in UTF-8
# and in GB18030, each file read REPEAT times.
bench() {
	kind=$1; times=$2
	files=$(ls "$W/$kind/utf8"/*.csv)
	i=0
	for f in $files; do
		i=$((i + 1)); r=1
		echo ".import --csv $f t$i"
		while [ $r -lt "$times" ]; do
			r=$((r + 1))
			echo ".import --csv --skip 1 $f t$i"
		done
	done >"$W/import.sql"
	/usr/bin/time -f '%U %S' -o "$W/time" sqlite3 :memory: <"$W/import.sql" || exit 3
	rows=0
	for f in $files; do rows=$((rows + $(wc -l <"$f") - 1)); done
	rows=$((rows * times))
	base=$(awk -v r="$rows" '{ t = $1 + $2; if (t < 0.01) t = 0.01; printf "%d", r / t }' "$W/time")
	echo "$kind: $rows rows; sqlite3 .import (baseline): $base rows/s"
	for enc in utf8 gb; do
		set --
		for f in $files; do
			g="$W/$kind/$enc/$(basename "$f")"; r=0
			while [ $r -lt "$times" ]; do set -- "$@" "$g"; r=$((r + 1)); done
		done
		out=$(build/tools/csvread "$@" 2>"$W/err") || { echo "csvread failed:"; head -5 "$W/err"; exit 1; }
		rps=$(echo "$out" | sed -n 's/^total: .* \([0-9]*\) rows\/s$/\1/p')
		echo "  csv_read $enc: $rps rows/s = $(echo "scale=2; $rps / $base" | bc) x sqlite3 .import"
	done
}

split participation project_id
split enterprises ownership
bench participation 1
bench enterprises 20
