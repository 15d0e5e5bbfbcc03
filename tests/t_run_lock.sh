#!/bin/sh
# t_run_lock.sh — `jingsai run` takes an exclusive lock next to the store: a
# second run while one holds it exits 75 with a message naming the holder and
# touches nothing; a lock left by a killed run is no obstacle.
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 3
mkdir -p input output var
run() { "$JINGSAI" run --input input --output output --db var/jingsai.db --templates "$TOP/templates" --fonts "$TOP/fonts"; }
# hold PID: flock(1) (not forking, so killing it frees the lock) holds the
# lock with PID written in the file, as a run would; sets $holder.
hold() {
	echo "$1" >var/jingsai.lock
	flock -F var/jingsai.lock sleep 30 &
	holder=$!
	i=0; while flock -n var/jingsai.lock true && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}

# 1. Someone else holds the lock (flock(1) standing in for a running job).
hold 4242
expect_status 75 "a second run exits 75 while the lock is held" run
expect_err "it says who holds the lock" "var/jingsai.lock: error: another jingsai run (pid 4242) holds the lock; try again later"
if [ ! -s "$WORK/stdout" ]; then ok "nothing on stdout when locked out"; else fail "stdout when locked out"; fi
if [ ! -e var/jingsai.db ] && [ -z "$(ls output)" ]; then ok "a locked-out run creates no store and no output"
else fail "a locked-out run changed something"; ls -la var output; fi
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

# 2. A holder killed with SIGKILL leaves its pid in the file but no lock.
hold 4343
kill -9 "$holder"; wait "$holder" 2>/dev/null
run >"$WORK/stdout" 2>"$WORK/stderr"; st=$?
if [ $st != 75 ]; then ok "a lock of a killed run is free again (exit $st)"; else fail "stale lock blocks the run"; fi

# 3. Two real runs at once: the first (stopped while it holds the lock, so
#    that the second surely meets it) works, the second exits 75; the first
#    then finishes, the store is intact and the next run has nothing to do.
. "$TOP/tests/run_lib.sh"
site "$WORK/s"
jz_bg "$WORK/s"; first=$!
i=0; while [ "$(cat "$WORK/s/var/jingsai.lock" 2>/dev/null)" != "$first" ] && [ $i -lt 200 ]; do sleep 0.02; i=$((i + 1)); done
kill -STOP "$first"
expect_status 75 "a second run while the first is working exits 75" jz "$WORK/s"
expect_err "and names the first run's pid" "$WORK/s/var/jingsai.lock: error: another jingsai run (pid $first) holds the lock; try again later"
kill -CONT "$first"
wait "$first"; st=$?
if [ $st -le 1 ]; then ok "the first run completes (exit $st)"; else fail "the first run exit $st"; fi
integrity=$(sqlite3 "$WORK/s/var/jingsai.db" 'PRAGMA integrity_check' 2>&1)
[ "$integrity" = ok ] && ok "the store is intact" || fail "store: $integrity"
n=0; broken=0
for f in $(documents "$WORK/s" | grep '\.pdf$'); do
	n=$((n + 1)); qpdf --check "$WORK/s/output/$f" >/dev/null 2>&1 || broken=$((broken + 1))
done
[ $n -gt 0 ] && [ $broken = 0 ] && ok "its $n PDFs pass qpdf --check" || fail "$broken of $n PDFs broken"
expect_status 0 "the run after it exits 0" jz "$WORK/s"
[ ! -s "$WORK/stdout" ] && [ ! -s "$WORK/stderr" ] && ok "and has nothing to do" || { fail "it printed:"; cat "$WORK/stdout" "$WORK/stderr" | head -5; }

finish
