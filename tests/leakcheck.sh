#!/bin/sh
# leakcheck.sh — `make leakcheck`: valgrind (memcheck, full leak check) over
# `jingsai run` on a copy of the sample: the full run from an empty store,
# then the no-change run.  Fails on any error or definite/indirect leak.
cd "$(dirname "$0")/.." || exit 3
TOP=$(pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/jingsai-leakcheck.XXXXXX")
trap 'rm -rf "$W"' EXIT
cp -R input "$W/input"
printf 'leakcheck key, long enough\n' >"$W/key"; chmod 600 "$W/key"
export JINGSAI_KEY_FILE="$W/key" SOURCE_DATE_EPOCH=1745798400
status=0
for pass in full no-change; do
	valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no \
	    --log-file="$W/valgrind.$pass" \
	    ./jingsai run --input "$W/input" --output "$W/output" --db "$W/var/jingsai.db" \
	    --templates "$TOP/templates" --fonts "$TOP/fonts" >/dev/null 2>"$W/stderr.$pass"
	st=$?
	summary=$(grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|total heap usage' "$W/valgrind.$pass" | sed 's/^==[0-9]*== *//')
	echo "== $pass run (exit $st)"
	echo "$summary" | sed 's/^/   /'
	if [ $st = 99 ] || ! grep -q 'ERROR SUMMARY: 0 errors' "$W/valgrind.$pass"; then
		status=1
		sed -n '/^==[0-9]*== [A-Z].*\(Invalid\|uninitialised\|definitely\|indirectly\)/,/^==[0-9]*== $/p' "$W/valgrind.$pass" | head -60
	fi
done
[ $status = 0 ] && echo "leakcheck: no errors, no leaks" || echo "leakcheck: FAILED"
exit $status
