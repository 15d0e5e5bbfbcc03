#!/bin/sh
# t_run_crash.sh — `jingsai run` killed with SIGKILL at many moments of a full
# run: after every kill the store passes PRAGMA integrity_check and every
# document present is whole (qpdf --check) and equal to the one an
# uninterrupted run writes; the next run finishes the job, and the final
# outputs (and certificate serials) equal the uninterrupted run's byte for byte.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/run_lib.sh"

# Kill moments spread over one full run; fewer under the sanitizers (slower).
if [ -n "$SANITIZED" ]; then points=${KILL_POINTS:-2}; chain=${KILL_CHAIN:-3}
else points=${KILL_POINTS:-6}; chain=${KILL_CHAIN:-10}; fi

serials() { sqlite3 "$1/var/jingsai.db" "SELECT serial, recipient, credit_code, status FROM certificate ORDER BY serial" 2>&1; }

# The reference: one uninterrupted run, timed.
site "$WORK/ref"
t0=$(now_ms)
jz "$WORK/ref" >/dev/null 2>"$WORK/ref.err"; ref_status=$?
full_ms=$(($(now_ms) - t0))
if [ $ref_status -le 1 ] && [ -n "$(documents "$WORK/ref")" ]; then ok "an uninterrupted run writes the documents (${full_ms} ms, exit $ref_status)"
else fail "reference run exit $ref_status"; head "$WORK/ref.err"; finish; fi
serials "$WORK/ref" >"$WORK/ref.serials"
n=0; broken=0
for f in $(cd "$WORK/ref/output" && find . -name '*.pdf'); do
	n=$((n + 1)); qpdf --check "$WORK/ref/output/$f" >/dev/null 2>&1 || broken=$((broken + 1))
done
[ $broken = 0 ] && ok "its $n PDFs pass qpdf --check" || fail "$broken of $n PDFs of the full run fail qpdf --check"

bad=0
# check_after_kill DIR WHAT — the state a kill left behind.
check_after_kill() {
	integrity=$(sqlite3 "$1/var/jingsai.db" 'PRAGMA integrity_check' 2>&1)
	[ -f "$1/var/jingsai.db" ] || integrity=ok   # killed before the store existed
	if [ "$integrity" != ok ]; then fail "$2: store integrity: $integrity"; bad=1; fi
	# Every document there is the full run's, byte for byte (a document not
	# yet written is fine; a temporary file is not a document).
	diff -rq -x jingsai.log -x '*.tmp.*' "$WORK/ref/output" "$1/output" 2>&1 |
	    grep -v "^Only in $WORK/ref/output" >"$WORK/damage"
	if [ -s "$WORK/damage" ]; then fail "$2: documents not as the full run wrote them:"; head -5 "$WORK/damage"; bad=1; fi
	# What a user would check: the last PDFs the killed run wrote open cleanly.
	for f in $(cd "$1/output" && find . -name '*.pdf' -newer "$1/.killed-start" -printf '%T@ %P\n' |
	    sort -rn | head -5 | cut -d' ' -f2); do
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
	jz_bg "$1"
	pid=$!
	sleep "$(awk "BEGIN { printf \"%.3f\", $2 / 1000 }")"
	kill -9 "$pid" 2>/dev/null
	{ wait "$pid"; } 2>/dev/null; st=$?
	[ $st = 137 ]
}

# 1. Fresh sites, one kill each, at moments spread over the full run.
killed=0
i=0
while [ $i -le "$points" ]; do
	ms=$((full_ms * i / (points + 1) + full_ms / 30))  # the first during ingest
	d="$WORK/k$i"; rm -rf "$d"; site "$d"
	if kill_after "$d" $ms; then killed=$((killed + 1)); fi
	check_after_kill "$d" "kill at ${ms} ms"
	jz "$d" >/dev/null 2>"$WORK/rerun.err"; st=$?
	[ $st -le 1 ] || { fail "run after kill at ${ms} ms: exit $st"; head -5 "$WORK/rerun.err"; bad=1; }
	check_final "$d" "kill at ${ms} ms"
	rm -rf "$d"
	i=$((i + 1))
done
if [ $killed -ge $((points / 2 + 1)) ]; then ok "$killed of $((points + 1)) runs were killed mid-way"
else fail "only $killed of $((points + 1)) runs were killed mid-way"; fi

# 2. One site, killed again and again after short moments until a run gets
#    to the end by itself (each run a little longer than the one before):
#    every stage of the work gets interrupted, some of them more than once.
#    The steps are half of what CHAIN evenly spread would give: a rerun has
#    less left to do, and the timed reference run may have been slowed by a
#    busy machine, so at least two kills must not depend on the timing.
d="$WORK/chain"; site "$d"
n=0
while kill_after "$d" $((full_ms * (n + 1) / (2 * (chain + 1)))); do
	n=$((n + 1))
	check_after_kill "$d" "chained kill $n"
	[ $n -lt $((chain * 3)) ] || { jz "$d" >/dev/null 2>&1; break; }
done
check_final "$d" "after $n chained kills"
if [ $n -ge 2 ]; then ok "$n kills in a row, then a run that finished the job"; else fail "only $n chained kills"; fi

[ $bad = 0 ] && ok "after every kill: store intact, documents whole and equal to the full run's; reruns finish the job byte for byte"
finish
