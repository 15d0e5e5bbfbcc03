#!/bin/sh
# tests/crashtest.sh — `make crashtest` (long; not part of make test): the
# nightly run at city scale (build/tools/gen --scale city) killed with
# SIGKILL at 50 moments, spread over full runs, one chain of runs killed
# again and again, and runs after a change (data corrected, an award withdrawn
# and one added).  After every kill: the store passes PRAGMA integrity_check
# and every document on disk is whole, the one the uninterrupted run wrote
# (after a change: the one before or the one after it); every backup is a
# whole store.  The next run then finishes the job: its outputs are those of
# an uninterrupted run, byte for byte, and every certificate has its serial.
#
#   CRASH_FULL=20 CRASH_CHAIN=15 CRASH_CHANGED=15   kill moments of each kind (runs after
#                                                   the change make up what the chain
#                                                   fell short of, to 50 in all)
#   CRASH_DIR=/tmp                                  where the sites are made
: "${JINGSAI:?JINGSAI must name the program under test}"
TOP=$(cd "$(dirname "$0")/.." && pwd)
full=${CRASH_FULL:-20} chain=${CRASH_CHAIN:-15} changed=${CRASH_CHANGED:-15}
W=$(mktemp -d "${CRASH_DIR:-/tmp}/jingsai-crash.XXXXXX")
trap 'rm -rf "$W"' EXIT
FAILED=0 kills=0
ok()   { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; FAILED=1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
printf 'crashtest key, long enough\n' >"$W/key"; chmod 600 "$W/key"
export JINGSAI_KEY_FILE="$W/key"
unset SOURCE_DATE_EPOCH   # documents are dated by their data

jz() { d=$1; shift; "$JINGSAI" run --input "$d/input" --output "$d/output" --db "$d/var/jingsai.db" \
	--templates "$TOP/templates" --fonts "$TOP/fonts" "$@"; }
serials() { sqlite3 "$1/var/jingsai.db" "SELECT serial, year, award, recipient, credit_code, status FROM certificate ORDER BY serial"; }
# kill_after DIR MS — a run on DIR, SIGKILLed after MS ms; 0 when killed mid-way.
kill_after() {
	("$JINGSAI" run --input "$1/input" --output "$1/output" --db "$1/var/jingsai.db" \
	    --templates "$TOP/templates" --fonts "$TOP/fonts" >/dev/null 2>&1 & echo $! >"$W/pid"; wait) &
	waiter=$!
	sleep "$(awk "BEGIN { printf \"%.3f\", $2 / 1000 }")"
	pid=$(cat "$W/pid")
	kill -9 "$pid" 2>/dev/null; st=$?
	wait "$waiter" 2>/dev/null
	[ $st = 0 ]
}

# The city, its uninterrupted run, then the change and its uninterrupted run.
echo "== making the city (build/tools/gen --scale city --seed 1)"
mkdir -p "$W/city"
"$TOP/build/tools/gen" --scale city --seed 1 --out "$W/city/input" >/dev/null || { fail "gen"; exit 1; }
cp "$TOP/input/programme.xml" "$W/city/input/"
# The change: a corrected participation file, an award withdrawn, one added.
change() {
	python3 - "$1/input/2025" <<'EOF'
import sys, os
d = sys.argv[1]
p = os.path.join(d, '竞赛参与-2025.csv')
lines = open(p, encoding='utf-8').read().split('\n')
head = lines[0].split(',')
col = head.index('participants')
for i in range(1, 200):
    f = lines[i].split(',')
    f[col] = str(int(f[col]) + 7)
    lines[i] = ','.join(f)
open(p, 'w', encoding='utf-8').write('\n'.join(lines))
a = os.path.join(d, '表彰', '2025年度表彰名单.csv')
rows = open(a, encoding='utf-8').read().rstrip('\n').split('\n')
head = rows[0].split(',')
r = rows[5].split(',')
r[head.index('recipient')] = r[head.index('recipient')] + '甲'
rows = rows[:3] + rows[4:] + [','.join(r)]
open(a, 'w', encoding='utf-8').write('\n'.join(rows) + '\n')
EOF
}
ref=$W/ref; mkdir -p "$ref"; cp -R "$W/city/input" "$ref/"
t0=$(now_ms); jz "$ref" >/dev/null 2>"$W/err"; st=$?; full_ms=$(($(now_ms) - t0))
[ $st -le 1 ] && ok "the uninterrupted full run: ${full_ms} ms, $(find "$ref/output" -type f | wc -l) files" ||
	{ fail "reference run: exit $st"; head "$W/err"; exit 1; }
serials "$ref" >"$W/ref.serials"
ref2=$W/ref2; cp -R "$ref" "$ref2"; change "$ref2"
t0=$(now_ms); jz "$ref2" >/dev/null 2>"$W/err"; st=$?; change_ms=$(($(now_ms) - t0))
[ $st -le 1 ] && ok "the uninterrupted run after the change: ${change_ms} ms" ||
	{ fail "reference change run: exit $st"; head "$W/err"; exit 1; }
serials "$ref2" >"$W/ref2.serials"
[ "$(grep -c withdrawn "$W/ref2.serials")" -ge 1 ] && ok "the change withdraws a certificate and numbers a new one" ||
	fail "the change withdrew nothing"

bad=0
# after_kill DIR WHAT [OLD] — the state a kill left: store, documents, backups.
after_kill() {
	if [ -f "$1/var/jingsai.db" ]; then
		r=$(sqlite3 "$1/var/jingsai.db" 'PRAGMA integrity_check' 2>&1)
		[ "$r" = ok ] || { fail "$2: store integrity: $r"; bad=1; }
	fi
	for b in "$1"/var/backup/jingsai-*.db; do
		[ -f "$b" ] || continue
		r=$(sqlite3 "$b" 'PRAGMA integrity_check' 2>&1)
		[ "$r" = ok ] || { fail "$2: backup $b: $r"; bad=1; }
	done
	# every document there is whole: the reference's (or, after a change, the old one)
	: >"$W/damage"
	if [ -d "$1/output" ]; then
		diff -rq -x jingsai.log -x '*.tmp.*' "$REF/output" "$1/output" 2>&1 |
		    sed -n "s|^Files $REF/output/\(.*\) and .* differ\$|\1|p; s|^Only in $1/output\(.*\): \(.*\)\$|.\1/\2|p" |
		while read -r f; do
			[ -n "$3" ] && cmp -s "$1/output/$f" "$3/output/$f" && continue
			echo "$f"
		done >"$W/damage"
	fi
	[ -s "$W/damage" ] && { fail "$2: documents neither old nor new: $(head -3 "$W/damage" | tr '\n' ' ')"; bad=1; }
	kills=$((kills + 1))
	echo "   $2: checked"
}
# finish_run DIR WHAT — the next run completes; outputs and serials as the reference's.
finish_run() {
	jz "$1" >/dev/null 2>"$W/err"; st=$?
	[ $st -le 1 ] || { fail "$2: the next run: exit $st"; head -3 "$W/err"; bad=1; }
	diff -r -q -x jingsai.log "$REF/output" "$1/output" >"$W/diff" 2>&1 ||
		{ fail "$2: final outputs differ: $(head -3 "$W/diff" | tr '\n' ' ')"; bad=1; }
	serials "$1" | cmp -s - "$REF_SERIALS" || { fail "$2: serials differ"; bad=1; }
	left=$(find "$1/output" "$1/var" -name '*.tmp.*' | head -3)
	[ -z "$left" ] || { fail "$2: temporary files left: $left"; bad=1; }
}

# 1. Full runs, each killed once, at moments spread over the run.
echo "== $full full runs, each killed once"
REF=$ref REF_SERIALS=$W/ref.serials
i=1; mid=0
while [ $i -le "$full" ]; do
	ms=$((full_ms * i / (full + 1)))
	d=$W/k; rm -rf "$d"; mkdir -p "$d"; cp -R "$W/city/input" "$d/"
	kill_after "$d" $ms && mid=$((mid + 1))
	after_kill "$d" "full run killed at ${ms} ms"
	finish_run "$d" "full run killed at ${ms} ms"
	i=$((i + 1))
done
[ $mid -ge $((full * 3 / 4)) ] && ok "$mid of $full full runs were killed mid-way" || fail "only $mid of $full killed mid-way"

# 2. One site, killed again and again, each run a little longer.  Each
#    killed run keeps what it finished (files stored, documents written), so
#    the steps are small: a sixth of a run, and 0.3 s, at the fifteenth kill.
echo "== one full run killed $chain times in a row"
d=$W/chain; rm -rf "$d"; mkdir -p "$d"; cp -R "$W/city/input" "$d/"
n=0
while [ $n -lt "$chain" ] && kill_after "$d" $((full_ms * (n + 1) / (6 * chain) + 300)); do
	n=$((n + 1))
	after_kill "$d" "chained kill $n"
done
finish_run "$d" "after $n chained kills"
[ $n -ge $((chain / 2)) ] && ok "$n kills in a row, then the run that finished the job" || fail "only $n chained kills"

# 3. Runs after the change, each killed once: documents old or new.  (As
#    many more as the chain fell short of: a run may end before its kill.)
changed=$((changed + chain - n))
echo "== $changed runs after the change, each killed once"
REF=$ref2 REF_SERIALS=$W/ref2.serials
i=1; mid=0
while [ $i -le "$changed" ]; do
	ms=$((change_ms * i / (changed + 1)))
	d=$W/c; rm -rf "$d"; cp -R "$ref" "$d"; change "$d"
	kill_after "$d" $ms && mid=$((mid + 1))
	after_kill "$d" "changed run killed at ${ms} ms" "$ref"
	finish_run "$d" "changed run killed at ${ms} ms"
	i=$((i + 1))
done
[ $mid -ge $((changed / 2)) ] && ok "$mid of $changed changed runs were killed mid-way" || fail "only $mid of $changed killed mid-way"

[ $bad = 0 ] && ok "$kills kills: after each the store and its backups were whole and every document old or new; every next run wrote the uninterrupted run's bytes and serials"
echo "crashtest: $kills kills, $([ $FAILED = 0 ] && echo passed || echo FAILED)"
exit $FAILED
