# tests/lib.sh — shared by the end-to-end test scripts (sourced, POSIX sh).
# $JINGSAI is the program under test; every script works in its own $WORK.
# ok/fail print the PASS/FAIL lines that tests/run.sh counts.

: "${JINGSAI:?JINGSAI must name the program under test}"
# Messages in English (C.UTF-8: the C locale's messages, and UTF-8 text for
# grep) whatever the caller's locale; a test of the Chinese ones sets
# LC_ALL=zh_CN.UTF-8 for its command.
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE LC_MESSAGES LANG
TOP=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/jingsai-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILED=0

ok()   { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; FAILED=1; }

# check NAME CMD... — passes when CMD exits 0.
check() { name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else fail "$name"; fi; }

# expect_status WANT NAME CMD... — runs CMD, keeps its stderr in $WORK/stderr.
expect_status() {
	want=$1; name=$2; shift 2
	"$@" >"$WORK/stdout" 2>"$WORK/stderr"; got=$?
	if [ "$got" = "$want" ]; then ok "$name"; else fail "$name (exit $got, want $want)"; sed 's/^/    /' "$WORK/stderr" | head -20; fi
}

# expect_err NAME [LINE...] — the last command's stderr is exactly these
# lines, in this order (none: it printed nothing).  What a whole case prints
# on fixed input belongs in tests/regress; this is for the steps of a story
# (a store changed between commands) that a regress case cannot tell.
expect_err() {
	name=$1; shift
	if [ $# = 0 ]; then : >"$WORK/want.err"; else printf '%s\n' "$@" >"$WORK/want.err"; fi
	if cmp -s "$WORK/want.err" "$WORK/stderr"; then ok "$name"
	else fail "$name:"; diff -u --label want --label got "$WORK/want.err" "$WORK/stderr" | head -30 | sed 's/^/    /'; fi
}

# expect_out NAME [LINE...] — the same for stdout.
expect_out() {
	name=$1; shift
	if [ $# = 0 ]; then : >"$WORK/want.out"; else printf '%s\n' "$@" >"$WORK/want.out"; fi
	if cmp -s "$WORK/want.out" "$WORK/stdout"; then ok "$name"
	else fail "$name:"; diff -u --label want --label got "$WORK/want.out" "$WORK/stdout" | head -30 | sed 's/^/    /'; fi
}

# expect_diag NAME TEXT — exactly one line of the last command's stderr
# holds TEXT (a duplicated message fails); for a step whose other messages
# do not matter here.  Where they do, expect_err says them all.
expect_diag() {
	n=$(grep -cF -- "$2" "$WORK/stderr")
	if [ "$n" = 1 ]; then ok "$1"; else fail "$1 ('$2' is in $n lines of:)"; sed 's/^/    /' "$WORK/stderr" | head -20; fi
}

# nodac CMD... — CMD without root's power to read and write every file
# (permissions then count for root as for anyone); as it is for others.
nodac() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --inh-caps=-dac_override,-dac_read_search \
		    --bounding-set=-dac_override,-dac_read_search "$@"
	else
		"$@"
	fi
}

# ingest_setup — for the ingest tests: works in $WORK, with in/ holding programme.xml and the
# base fixtures; J runs jingsai on in/ with the store db, q queries that store.
ingest_setup() {
	FIX=$TOP/tests/fixtures/ingest
	cd "$WORK" || exit 3
	mkdir in
	cp "$TOP/input/programme.xml" "$FIX"/base/* in/
}
J() { "$JINGSAI" --input in --db db "$@"; }
q() { sqlite3 db "$1"; }

finish() { exit $FAILED; }
