#!/bin/sh
# t_run_crash.sh — `jingsai run` killed with SIGKILL at many moments of a full
# run: after every kill the store passes PRAGMA integrity_check and every
# document present is whole (qpdf --check) and equal to the one an
# uninterrupted run writes; the next run finishes the job, and the final
# outputs (and certificate serials) equal the uninterrupted run's byte for byte.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/run_lib.sh"

# Kill moments spread over one full run; fewer under the sanitizers (slower).
if [ -n "$SANITIZED" ]; then points=${KILL_POINTS:-4}; chain=${KILL_CHAIN:-4}
else points=${KILL_POINTS:-12}; chain=${KILL_CHAIN:-12}; fi

serials() { sqlite3 "$1/var/jingsai.db" "SELECT serial, recipient, credit_code, status FROM certificate ORDER BY serial" 2>&1; }

# The reference: one uninterrupted run, timed.
site "$WORK/ref"
t0=$(now_ms)
jz "$WORK/ref" >/dev/null 2>"$WORK/ref.err"; ref_status=$?
full_ms=$(($(now_ms) - t0))
if [ $ref_status -le 1 ] && [ -n "$(documents "$WORK/ref")" ]; then ok "an uninterrupted run writes the documents (${full_ms} ms, exit $ref_status)"
else fail "reference run exit $ref_status"; head "$WORK/ref.err"; finish; fi
serials "$WORK/ref" >"$WORK/ref.serials"

bad=0
# check_after_kill DIR WHAT — the state a kill left behind.
check_after_kill() {
	integrity=$(sqlite3 "$1/var/jingsai.db" 'PRAGMA integrity_check' 2>&1)
	[ -f "$1/var/jingsai.db" ] || integrity=ok   # killed before the store existed
	if [ "$integrity" != ok ]; then fail "$2: store integrity: $integrity"; bad=1; fi
	for f in $(documents "$1"); do
		case $f in *.tmp.*) continue ;; esac  # a temporary file, not a document
		if [ ! -f "$WORK/ref/output/$f" ]; then
			fail "$2: $f is not a document of the full run"; bad=1
		elif ! cmp -s "$1/output/$f" "$WORK/ref/output/$f"; then
			case $f in
			*.pdf) qpdf --check "$1/output/$f" >/dev/null 2>&1 || { fail "$2: $f is damaged"; bad=1; continue; } ;;
			esac
			fail "$2: $f differs from the full run's"; bad=1
		fi
	done
	# Every PDF whole (the comparison above already implies it; this is the
	# check a user would make).
	for f in $(documents "$1" | grep '\.pdf$'); do
		[ "$1/output/$f" -nt "$1/.killed-start" ] || continue
		qpdf --check "$1/output/$f" >/dev/null 2>&1 || { fail "$2: qpdf --check $f"; bad=1; }
	done
}

# check_final DIR WHAT — after a run that ended by itself.
check_final() {
	if diff -r -x jingsai.log "$WORK/ref/output" "$1/output" >"$WORK/diff" 2>&1; then :
	else fail "$2: final outputs differ from the full run's:"; head -5 "$WORK/diff"; bad=1; fi
	serials "$1" >"$WORK/serials"
	cmp -s "$WORK/ref.serials" "$WORK/serials" || { fail "$2: certificate serials differ"; bad=1; }
	integrity=$(sqlite3 "$1/var/jingsai.db" 'PRAGMA integrity_check' 2>&1)
	[ "$integrity" = ok ] || { fail "$2: store integrity after the rerun: $integrity"; bad=1; }
}

# kill_after DIR MS — starts a run on DIR, SIGKILLs it after MS ms; returns
# 0 when it was killed, 1 when it had ended by itself.
kill_after() {
	touch "$1/.killed-start"
	jz "$1" >/dev/null 2>&1 &
	pid=$!
	sleep "$(awk "BEGIN { printf \"%.3f\", $2 / 1000 }")"
	kill -9 "$pid" 2>/dev/null
	wait "$pid"; st=$?
	[ $st = 137 ]
}

# 1. Fresh sites, one kill each, at moments spread over the full run.
killed=0
i=1
while [ $i -le "$points" ]; do
	ms=$((full_ms * i / (points + 1) + i))
	d="$WORK/k$i"; rm -rf "$d"; site "$d"
	if kill_after "$d" $ms; then killed=$((killed + 1)); fi
	check_after_kill "$d" "kill at ${ms} ms"
	jz "$d" >/dev/null 2>"$WORK/rerun.err"; st=$?
	[ $st -le 1 ] || { fail "run after kill at ${ms} ms: exit $st"; head -5 "$WORK/rerun.err"; bad=1; }
	check_final "$d" "kill at ${ms} ms"
	rm -rf "$d"
	i=$((i + 1))
done
if [ $killed -ge $((points / 2)) ]; then ok "$killed of $points runs were killed mid-way"; else fail "only $killed of $points runs were killed mid-way"; fi

# 2. One site, killed again and again after short moments until a run gets
#    to the end by itself: every stage of the work gets interrupted.
d="$WORK/chain"; site "$d"
n=0; step=$((full_ms / (chain + 1) + 1))
while kill_after "$d" $((step + n * 7)); do
	n=$((n + 1))
	check_after_kill "$d" "chained kill $n"
	if [ $n -ge $((chain * 3)) ]; then step=$((step * 2)); fi
	[ $n -lt 200 ] || break
done
check_final "$d" "after $n chained kills"
if [ $n -ge 2 ]; then ok "$n kills in a row, then a run that finished the job"; else fail "only $n chained kills"; fi

[ $bad = 0 ] && ok "after every kill: store intact, documents whole and equal to the full run's; reruns finish the job byte for byte"
finish
