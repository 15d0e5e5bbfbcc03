#!/bin/sh
# tests/run.sh — runs every unit test in $UNITDIR and every tests/t_*.sh,
# counts their PASS/FAIL lines and closes with "N passed, N failed".
# Scripts that are slow or meaningless under sanitizers check $SANITIZED.
cd "$(dirname "$0")/.." || exit 3
log=$(mktemp); trap 'rm -f "$log"' EXIT
status=0
for t in "$UNITDIR"/*; do
	[ -x "$t" ] || continue
	echo "-- $(basename "$t")"
	"$t" >"$log" 2>&1 || status=1
	cat "$log"; grep -q '^FAIL' "$log" && status=1
	cat "$log" >>"$log.all"
done
for t in tests/t_*.sh; do
	[ -f "$t" ] || continue
	echo "-- $t"
	sh "$t" >"$log" 2>&1 || { grep -q '^FAIL' "$log" || echo "FAIL: $t exited non-zero" >>"$log"; status=1; }
	cat "$log"; cat "$log" >>"$log.all"
done
passed=$(grep -c '^PASS' "$log.all" 2>/dev/null); failed=$(grep -c '^FAIL' "$log.all" 2>/dev/null)
rm -f "$log.all"
echo "${passed:-0} passed, ${failed:-0} failed"
[ "${failed:-0}" = 0 ] && [ $status = 0 ]
