#!/bin/sh
# bench/b_xlsx.sh — the workbook reader on a city's participation rows: one
# year (~165 000 rows) written into an .xlsx by libxlsxwriter, read through
# the reader and the same validation as a CSV file (build/tools/xlsxread),
# side by side in the same run with the same rows as CSV (build/tools/
# csvread) and with openpyxl's read-only mode (what a user would otherwise
# script).  Speeds in processor time (every thread's) and in wall time: a
# large sheet is unpacked and parsed on threads of their own while the rows
# are validated, so wall time is below processor time when a core is free.
# Then the peak memory of the reader for one year and for five years in
# one sheet (~750 000 rows): flat in the sheet's size.  Aims: at least half
# the CSV speed, at least 10x openpyxl.
cd "$(dirname "$0")/.." || exit 3
make -s build >/dev/null || exit 3
W=$(mktemp -d "${TMPDIR:-/tmp}/jingsai-bxlsx.XXXXXX"); trap 'rm -rf "$W"' EXIT
build/tools/gen --scale city --seed 1 --out "$W/city" >/dev/null || exit 3
PY=/usr/bin/python3

# One year, and all five in one file, as plain UTF-8 CSV.
files=$(find "$W/city" -name '竞赛参与-*.csv' | sort)
one=$(echo "$files" | tail -1)
sed '1s/^\xef\xbb\xbf//; s/\r$//' "$one" >"$W/year.csv"
{ head -1 "$W/year.csv"; for f in $files; do sed '1d; s/\r$//' "$f"; done; } >"$W/all.csv"
build/tools/csv2xlsx "$W/year.xlsx" 参与=$W/year.csv || exit 3
build/tools/csv2xlsx "$W/all.xlsx" 参与=$W/all.csv || exit 3
rows=$(($(wc -l <"$W/year.csv") - 1))
echo "participation of one year: $rows rows; CSV $(($(wc -c <"$W/year.csv") / 1024)) KB, xlsx $(($(wc -c <"$W/year.xlsx") / 1024)) KB"
echo "  $(nproc) cores; load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (wall times suffer from a busy machine, processor times less)"

# Best of five runs each, taken in turn, rows per second.
best() { sort -n | tail -1; }
i=0
while [ $i -lt 5 ]; do
	build/tools/csvread "$W/year.csv" >>"$W/csv.out"
	build/tools/xlsxread "$W/year.xlsx" >>"$W/xlsx.out"
	i=$((i + 1))
done
cpu() { sed -n 's/.* s, \([0-9]*\) rows\/s[,;].*/\1/p' "$1" | best; }
wall() { sed -n 's/.*wall [0-9.]* s, \([0-9]*\) rows\/s$/\1/p' "$1" | best; }
csv=$(cpu "$W/csv.out"); csv_w=$(wall "$W/csv.out")
xlsx=$(cpu "$W/xlsx.out"); xlsx_w=$(wall "$W/xlsx.out")
opx=$(for i in 1 2 3; do $PY - "$W/year.xlsx" <<'PY'
import sys, time
import openpyxl
t = time.process_time()
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True)) - 1
print(int(n / (time.process_time() - t)))
PY
done | best)
echo "  csv_read (CSV, same rows, same rules):     $csv rows/s processor, $csv_w rows/s wall"
echo "  xlsx reader (workbook, same rules):        $xlsx rows/s processor = $(echo "scale=2; $xlsx / $csv" | bc) x the CSV;" \
	"$xlsx_w rows/s wall = $(echo "scale=2; $xlsx_w / $csv_w" | bc) x the CSV"
echo "  openpyxl read-only (cells only, no rules): $opx rows/s processor; the xlsx reader is $(echo "scale=1; $xlsx / $opx" | bc) x openpyxl"

# Peak memory: one year against five years in one sheet.  xlsxread holds the
# workbook's (packed) bytes, as ingest maps them; the rest is the reader's.
m1=$(/usr/bin/time -f %M build/tools/xlsxread "$W/year.xlsx" 2>&1 >/dev/null | tail -1)
m5=$(/usr/bin/time -f %M build/tools/xlsxread "$W/all.xlsx" 2>&1 >/dev/null | tail -1)
r5=$(($(wc -l <"$W/all.csv") - 1))
k1=$(($(wc -c <"$W/year.xlsx") / 1024)); k5=$(($(wc -c <"$W/all.xlsx") / 1024))
echo "  peak memory: $m1 KB for $rows rows, $m5 KB for $r5 rows; less the workbook's bytes" \
	"($k1 and $k5 KB): $((m1 - k1)) KB and $((m5 - k5)) KB"
