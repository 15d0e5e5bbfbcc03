#!/bin/sh
# t_run_touch.sh — a correction to one region's annual return rebuilds that
# region's report and the city report of that year, and nothing else.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/run_lib.sh"

site "$WORK/s"
jz "$WORK/s" >/dev/null 2>"$WORK/stderr"; st=$?
[ $st -le 1 ] || { fail "full run exit $st"; head "$WORK/stderr"; finish; }

# The latest year with returns, and one region's return of that year.
year=$(sqlite3 "$WORK/s/var/jingsai.db" "SELECT max(year) FROM cur_return")
row=$(sqlite3 -separator ' ' "$WORK/s/var/jingsai.db" "SELECT r.region, f.path FROM cur_return r
  JOIN file f ON f.id = r.file_id WHERE r.year = $year ORDER BY r.region DESC LIMIT 1")
region=${row%% *}; file=${row#* }
case $file in /*) ;; *) [ -f "$file" ] || file="$WORK/s/input/${file#*input/}" ;; esac
if [ -n "$year" ] && [ -f "$file" ]; then ok "the return of $region for $year is $file"
else fail "no annual return found ($year, $row)"; finish; fi

snapshot "$WORK/s/output" >"$WORK/before"
# The correction: one more adopted proposal (small enough to move no other
# region's share or rank of the city, which region reports show).
n=$(sed -n 's/.*proposals-adopted="\([0-9]*\)".*/\1/p' "$file" | head -1)
sed "s/proposals-adopted=\"$n\"/proposals-adopted=\"$((n + 1))\"/" "$file" >"$WORK/new" && cat "$WORK/new" >"$file"
cmp -s "$WORK/new" "$file" && grep -q "proposals-adopted=\"$((n + 1))\"" "$file" || { fail "could not edit $file"; finish; }

expect_status 0 "the run after a correction exits 0" jz "$WORK/s"
if grep -q '^jingsai run: 1 file accepted' "$WORK/stdout"; then ok "its summary names the one file accepted"
else fail "summary:"; cat "$WORK/stdout"; fi
snapshot "$WORK/s/output" >"$WORK/after"
# Files whose line changed (new inode, size or mtime), or that are new.
changed=$(diff "$WORK/before" "$WORK/after" | sed -n 's/^> \([^ ]*\) .*/\1/p' | grep -v '^jingsai.log$' | LC_ALL=C sort | tr '\n' ' ')
name=$(sqlite3 "$WORK/s/var/jingsai.db" "SELECT name FROM region WHERE code = '$region'")
day=$(date -u -d "@$((SOURCE_DATE_EPOCH + 8 * 3600))" +%Y-%m-%d)
want=$(printf '%s\n' "annual/$year/$region.pdf" "annual/$year/$region.csv" "annual/$year/$region.xlsx" \
	"annual/$year/city.pdf" "annual/$year/city.csv" "annual/$year/city.xlsx" \
	"receipts/$name/$day.pdf" "receipts/$name/$day.csv" "receipts/$name/$day.xlsx" | LC_ALL=C sort | tr '\n' ' ')
if [ "$changed" = "$want" ]; then ok "exactly $region's and the city's $year report (and their CSV and workbook) and $region's receipt were written"
else fail "rewritten: [$changed], want [$want]"; fi
grep -q "$((n + 1))" "$WORK/s/output/annual/$year/$region.csv" && ok "$region's $year figures show the correction" \
	|| fail "$region's CSV does not show $((n + 1))"
finish
