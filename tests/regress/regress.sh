#!/bin/sh
# tests/regress/regress.sh — the regress suite (how it works, how to add a
# case and how to update it: tests/regress/README).  Each case runs jingsai
# once, in a fresh site on fixed input, and compares what it printed
# (diag/CASE.out: the command, stderr, stdout, exit status and the files it
# wrote) and the documents it keeps (output/PATH: layout dumps, companion
# CSVs) with the expected files, byte for byte.
#
#   regress.sh [-u] [CASE...]
#
# CASE is a case or the start of a group of them (check/csv, template/); none:
# every case.  -u rewrites the expected files from what the program does now
# (and, over every case, removes the ones no case makes); review the change
# with `git diff tests/regress` before committing it.  $JINGSAI is the
# program under test (default ./jingsai); REGRESS_DIFF_LINES cuts each diff
# shown to that many lines (default: whole).

cd "$(dirname "$0")/../.." || exit 3
TOP=$(pwd)
R=$TOP/tests/regress
JINGSAI=${JINGSAI:-$TOP/jingsai}
case $JINGSAI in /*) ;; *) JINGSAI=$TOP/$JINGSAI ;; esac
update=0
if [ "${1:-}" = -u ]; then update=1; shift; fi
if [ ! -x "$JINGSAI" ]; then echo "FAIL: regress: no program $JINGSAI (run make)"; exit 1; fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jingsai-regress.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# What the cases print does not depend on the caller's environment: English
# messages, and no key, date or timing of theirs.
LC_ALL=C.UTF-8; export LC_ALL
unset LANG LANGUAGE JINGSAI_KEY_FILE SOURCE_DATE_EPOCH JINGSAI_TIMING

# The site every case runs in, so that every path printed is short and the
# same on every machine: the templates, the fonts folder, the fixtures the
# cases name, input/ (programme.xml and the base submissions of
# tests/fixtures/ingest) and the certificate key.  A case's store is a fresh
# copy of a store made once (var/jingsai.db), its output/ starts empty.
S=$WORK/site
mkdir -p "$S/input" "$S/tests/fixtures" "$S/tests/regress" "$WORK/stores"
cp -R "$TOP/templates" "$TOP/fonts" "$S/"
cp -R "$TOP/tests/fixtures/csv" "$TOP/tests/fixtures/ingest" "$S/tests/fixtures/"
cp -R "$R/template" "$S/tests/regress/"
cp "$TOP/input/programme.xml" "$TOP"/tests/fixtures/ingest/base/* "$S/input/"
printf 'jingsai regress key 0123456789\n' >"$S/key"
chmod 600 "$S/key"

# store NAME — makes the store NAME once, in $WORK/stores/NAME.db:
#   empty     the schema alone (any command makes it: an annual report asked of nothing)
#   annual    tests/fixtures/annual/store.sql: a city of 11 regions, 2024-2025, one without a return
#   large     the same with tests/fixtures/annual/large.sql: participation of six to eight digits
#   bulletin  tests/fixtures/bulletin loaded as ingest stores it: the round 2023-2024
#   cert      tests/fixtures/cert/base.sql and cert-innov.sql: every award of 2025
#   printed   cert after `certificates 2025`: serials assigned and signed with the key
#   ingest    `jingsai ingest` of input/: programme.xml and tests/fixtures/ingest/base
#   none      no store at all
store() {
	db=$WORK/stores/$1.db
	[ -f "$db" ] || [ "$1" = none ] || (
		cd "$S" || exit 3
		case $1 in
		ingest) "$JINGSAI" --db "$db" ingest ;;
		printed) store cert; cp "$WORK/stores/cert.db" "$WORK/stores/printed.db"
			JINGSAI_KEY_FILE=key "$JINGSAI" --db "$WORK/stores/printed.db" --device dump \
			    --output "$WORK/printed" certificates 2025 ;;
		*) "$JINGSAI" --db "$db" annual 2025 ;;
		esac >/dev/null 2>&1
		F=$TOP/tests/fixtures
		case $1 in
		annual) sqlite3 "$db" <"$F/annual/store.sql" ;;
		large) cat "$F/annual/store.sql" "$F/annual/large.sql" | sqlite3 "$db" ;;
		bulletin) python3 "$F/bulletin/load.py" "$db" "$TOP/input/programme.xml" "$F/bulletin/enterprises.csv" \
			"$F/bulletin/achievements.csv" "$F/bulletin/scores-tech.csv" "$F/bulletin/scores-ops.csv" ;;
		cert) cat "$F/cert/base.sql" "$R/cert-innov.sql" | sqlite3 "$db" ;;
		esac
	)
}

# selected NAME — whether the command line asks for case NAME.
selected() {
	[ -z "$filters" ] && return 0
	for f in $filters; do
		case $1 in "$f"|"$f"/*|"$f"*) return 0 ;; esac
	done
	return 1
}

# section NAME FILE — "-- NAME" and FILE's lines, when FILE is not empty (a
# last line without its newline gets one).
section() {
	[ -s "$2" ] || return 0
	echo "-- $1"
	sed -e '$a\' "$2"
}

# compare EXPECTED GOT — EXPECTED is a path under tests/regress.  Checks (or
# with -u, rewrites) it; sets $bad on a difference.
compare() {
	echo "$1" >>"$WORK/made"
	want=$R/$1
	if [ ! -f "$2" ]; then
		echo "    tests/regress/$1: the case did not write it"; bad=1
	elif [ $update = 1 ]; then
		if ! cmp -s "$want" "$2"; then
			[ -f "$want" ] && echo "    updated tests/regress/$1" || echo "    new tests/regress/$1"
			mkdir -p "$(dirname "$want")" && cp "$2" "$want"
		fi
	elif [ ! -f "$want" ]; then
		echo "    tests/regress/$1: no expected file (make regress-update writes it)"; bad=1
	elif ! cmp -s "$want" "$2"; then
		diff -u --label "tests/regress/$1" --label "now" "$want" "$2" |
		    if [ -n "${REGRESS_DIFF_LINES:-}" ]; then head -n "$REGRESS_DIFF_LINES"; else cat; fi
		bad=1
	fi
}

# run NAME STORE EPOCH ARGS [KEEP] — runs `jingsai ARGS` in the site on a
# fresh copy of STORE, with SOURCE_DATE_EPOCH=EPOCH (- for none) and the
# key; compares its messages with diag/NAME.out and every file of KEEP
# (paths under output/) with output/PATH.
run() {
	name=$1 st=$2 epoch=$3 args=$4 keep=${5:-}
	selected "$name" || return 0
	store "$st"
	rm -rf "$S/output" "$S/var"
	mkdir -p "$S/var"
	[ "$st" = none ] || cp "$WORK/stores/$st.db" "$S/var/jingsai.db"
	(
		cd "$S" || exit 3
		[ "$epoch" = - ] || { SOURCE_DATE_EPOCH=$epoch; export SOURCE_DATE_EPOCH; }
		LC_ALL=$lc
		JINGSAI_KEY_FILE=key; export JINGSAI_KEY_FILE
		# shellcheck disable=SC2086 # ARGS is a list of words
		"$JINGSAI" $args >"$WORK/stdout" 2>"$WORK/stderr"
		echo "-- exit $?" >"$WORK/status"
	)
	(cd "$S" && find output -type f 2>/dev/null | LC_ALL=C sort) >"$WORK/files"
	{
		echo "\$ jingsai $args"
		section stderr "$WORK/stderr"
		section stdout "$WORK/stdout"
		cat "$WORK/status"
		section files "$WORK/files"
	} >"$WORK/got.out"
	bad=0
	compare "diag/$name.out" "$WORK/got.out"
	for f in $keep; do compare "output/$f" "$S/output/$f"; done
	n=$((1 + $(echo $keep | wc -w)))
	if [ $bad = 0 ]; then echo "PASS: regress $name ($n file$([ $n = 1 ] || echo s))"
	else echo "FAIL: regress $name"; failed=1; fi
}

# zh NAME … — case NAME run as run() does, with its messages in Chinese.
zh() {
	lc=zh_CN.UTF-8
	run "$@"
	lc=C.UTF-8
}

filters=$*
failed=0
lc=C.UTF-8
: >"$WORK/made"

# ---- The cases, one a line: NAME STORE SOURCE_DATE_EPOCH ARGUMENTS [FILES KEPT] ----

# Every kind of document, written as layout dumps (--device dump), with the
# companion CSVs of the reports.
A=annual/2025
run annual annual 1768435200 "annual 2025 --device dump" \
	"$A/city.dump $A/city.csv $A/320612.dump $A/320612.csv $A/TZW.dump $A/TZW.csv"
run annual-region annual 1768435200 "annual 2025 --region 海门市 --device dump"
# The same city with participation as at the province scale (seven digits):
# 表4 a size smaller, nothing broken inside; value labels off the axis.
run annual-large large 1768435200 "annual 2025 --output output/large --device dump" \
	"large/$A/city.dump large/$A/320612.dump"
run bulletin bulletin 1736899200 "bulletin 2023-2024 --number 3 --device dump" \
	"bulletin/2023-2024/bulletin.dump bulletin/2023-2024/bulletin.csv"
C=certificates/2025
run certificates cert 1745798400 "certificates 2025 --device dump" \
	"$C/MEDAL/print.dump $C/MEDAL/2025-MEDAL-0001.dump $C/CERT/2025-CERT-0001.dump \
	 $C/PIONEER/2025-PIONEER-0001.dump $C/TECH/2025-TECH-0001.dump $C/INNOV/2025-INNOV-0001.dump \
	 $C/WOMEN/2025-WOMEN-0001.dump"
run stock cert 1745798400 "certificates 2025 --award MEDAL --stock --offset 2,-1.5 --calibrate --device dump" \
	"$C/stock/MEDAL/print.dump $C/stock/MEDAL/calibration.dump"

# Certificates once printed: verify, as a phone's scan or a typed serial would ask.
run verify/serial printed - "verify 2025-MEDAL-0001"
run verify/altered printed - "verify https://zgh.nantong.gov.cn/zs/v?c=2025-MEDAL-0001&m=AAAAAAAAAAAAAAAAAAAAAA"
run verify/unknown printed - "verify 2025-MEDAL-0999"
run verify/junk printed - "verify hello"

# Every bad file of the fixtures, through `jingsai check` against the store
# that tests/fixtures/ingest/base makes.
for f in tests/fixtures/csv/bad_*.csv tests/fixtures/ingest/bad/* \
    tests/fixtures/ingest/more/awards.csv tests/fixtures/ingest/more/return-320602-2024-taken.xml; do
	run "check/${f#tests/fixtures/}" ingest - "check $f"
done

# The same in Chinese (LC_ALL=zh_CN.UTF-8): every message translated, the
# positions and the words error, warning and note as they are in English.
for f in tests/fixtures/csv/bad_*.csv tests/fixtures/ingest/bad/* \
    tests/fixtures/ingest/more/awards.csv tests/fixtures/ingest/more/return-320602-2024-taken.xml; do
	zh "zh/check/${f#tests/fixtures/}" ingest - "check $f"
done

# Template errors: the template at its line and column, nothing written.
T=tests/regress/template
for t in grammar names sql write xml gbk layout; do
	run "template/$t" annual 1768435200 "annual 2025 --region 320612 --templates $T/$t --device dump"
done
run template/cert cert 1745798400 "certificates 2025 --award MEDAL --templates $T/cert --device dump"
run template/cert-gbk cert 1745798400 "certificates 2025 --award MEDAL --templates $T/cert-gbk --device dump"

# Bad usage and empty stores: the message, the exit status, nothing written.
run usage/annual-year annual - "annual 20x5"
run usage/annual-period annual - "annual 2031"
run usage/annual-region annual - "annual 2025 --region 320999"
run usage/annual-empty none - "annual 2025"
run usage/bulletin-round bulletin - "bulletin 2023-2025"
run usage/bulletin-year bulletin - "bulletin 2024"
run usage/bulletin-number bulletin - "bulletin 2023-2024 --number 0"
run usage/bulletin-empty empty - "bulletin 2023-2024 --number 3"
run usage/certificates-year cert - "certificates 20x5"
run usage/certificates-award cert - "certificates 2025 --award NOPE"
run usage/certificates-empty empty - "certificates 2025"
run usage/device annual - "annual 2025 --device pdf,nonesuch"
run usage/command none - "frobnicate"
run usage/option none - "annual 2025 --colour red"
run usage/help none - "--help"
run usage/help-run none - "run --help"
run usage/help-verify none - "--db x.db verify --help"
run usage/help-unknown none - "receipts --help"
zh zh/usage/help none - "--help"
zh zh/usage/help-run none - "run --help"
zh zh/usage/help-check none - "check -h"
zh zh/usage/command none - "frobnicate"
zh zh/usage/annual-region annual - "annual 2025 --region 320999"
zh zh/template/xml annual 1768435200 "annual 2025 --region 320612 --templates $T/xml --device dump"
zh zh/template/cert cert 1745798400 "certificates 2025 --award MEDAL --templates $T/cert --device dump"

# ---- Expected files no case makes any more ----
if [ -z "$filters" ]; then
	(cd "$R" && find diag output -type f 2>/dev/null | LC_ALL=C sort) >"$WORK/have"
	LC_ALL=C sort -u "$WORK/made" | LC_ALL=C comm -23 "$WORK/have" - >"$WORK/stale"
	while read -r f; do
		if [ $update = 1 ]; then rm -f "$R/$f"; echo "removed tests/regress/$f (no case makes it)"
		else echo "FAIL: regress: tests/regress/$f belongs to no case (make regress-update removes it)"; failed=1; fi
	done <"$WORK/stale"
fi
exit $failed
