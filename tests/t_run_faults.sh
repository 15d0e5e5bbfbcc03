#!/bin/sh
# t_run_faults.sh — faults stay local.  A certificate that cannot be printed
# (a name no font has) in an earlier year does not stop the later years; a
# withdrawn certificate whose file cannot be removed (a read-only folder)
# keeps its record; SIGTERM ends a run cleanly: workers gone, no temporary
# file left, the summary and the log say it was interrupted (and not that the
# group it cut short failed while the others were built), and the next run
# finishes the job with the bytes of an uninterrupted one.
. "$(dirname "$0")/lib.sh"
SITE_YEARS="2024 2025"
. "$TOP/tests/run_lib.sh"

# -- One recipient of 2024 whose name no font can print.
d=$WORK/s
site "$d"
printf 'award,year,credit_code,recipient,recipient_kind,gender,reason\nMEDAL,2024,913206022919981725,张\356\200\200,person,男,测试\n' \
	>"$d/input/2024/表彰/补充.csv"
expect_status 3 "a run with a certificate that cannot be printed fails" jz "$d"
expect_diag "the name and the character are said" "no font of role 'sans' has U+E000"
serial=$(sqlite3 "$d/var/jingsai.db" "SELECT serial FROM certificate WHERE recipient = '张'||char(57344)")
check "its certificate is not written" test ! -f "$d/output/certificates/2024/MEDAL/$serial.pdf"
grep -q "with failures: certificates 2024 (see below; the others were built)" "$WORK/stdout" &&
	ok "the summary names what failed" || fail "summary: $(cat "$WORK/stdout")"
n25=$(sqlite3 "$d/var/jingsai.db" "SELECT count(*) FROM certificate WHERE year = 2025")
n25f=$(ls "$d"/output/certificates/2025/*/*-[0-9][0-9][0-9][0-9].pdf | wc -l)
[ "$n25" -gt 0 ] && [ "$n25" = "$n25f" ] && [ -f "$d/output/certificates/2025/manifest.csv" ] &&
	ok "every certificate of 2025 is printed all the same ($n25)" || fail "2025: $n25f files of $n25"
n24=$(ls "$d"/output/certificates/2024/*/*-[0-9][0-9][0-9][0-9].pdf | wc -l)
[ "$n24" -gt 10 ] && ok "and the other certificates of 2024 ($n24)" || fail "2024: $n24 files"
[ -f "$d/output/annual/2025/city.pdf" ] && ok "the annual reports too" || fail "no annual report"
grep -q 'with failures: certificates 2024.*; exit 3$' "$d/output/jingsai.log" && ok "the log says so" || fail "log"
# Put right, the next run prints it and the rest stays as it is.
snapshot "$d/output/certificates/2025" >"$WORK/before"
rm "$d/input/2024/表彰/补充.csv"
"$JINGSAI" --input "$d/input" --db "$d/var/jingsai.db" forget "$d/input/2024/表彰/补充.csv" >/dev/null
expect_status 0 "after the name is put right" jz "$d"
snapshot "$d/output/certificates/2025" | cmp -s - "$WORK/before" && ok "2025 is not touched again" ||
	fail "2025 rewritten"

# -- A withdrawn certificate in a folder that cannot be written (read-only
#    mount): its file stays, so does its record; the next run removes both.
victim=$(sed -n 3p "$d/output/certificates/2025/manifest.csv" | cut -d, -f1)
who=$(sed -n 3p "$d/output/certificates/2025/manifest.csv" | cut -d, -f4)   # 获奖者
f=$(ls "$d"/input/2025/表彰/*.csv)
grep -v ",$who," "$f" >"$WORK/awards" && cp "$WORK/awards" "$f"
ro="$d/output/certificates/2025/MEDAL"
if mount --bind "$ro" "$ro" 2>/dev/null && mount -o remount,ro,bind "$ro" 2>/dev/null; then
	expect_status 3 "withdrawing into a read-only folder fails" jz "$d"
	expect_diag "said so" "$victim.pdf: error: cannot remove the withdrawn certificate: Read-only file system"
	[ "$(sqlite3 "$d/var/jingsai.db" "SELECT count(*) FROM document WHERE path LIKE '%/$victim.pdf'")" = 1 ] &&
		ok "its file is there, and so is its record" || fail "record of $victim lost"
	umount "$ro"
	expect_status 0 "writable again: the next run" jz "$d"
	[ ! -f "$ro/$victim.pdf" ] && [ "$(sqlite3 "$d/var/jingsai.db" "SELECT count(*) FROM document WHERE path LIKE '%/$victim.pdf'")" = 0 ] &&
		ok "removes the file and its record" || fail "withdrawn $victim still there"
else
	umount "$ro" 2>/dev/null
	echo "SKIP: read-only folder (cannot mount --bind here)"
fi

# -- SIGTERM in the middle of a full run.
r=$WORK/ref; site "$r"
t0=$(now_ms); jz "$r" >/dev/null 2>&1; full_ms=$(($(now_ms) - t0))
k=$WORK/k; site "$k"
jz_bg "$k"; pid=$!
sleep "$(awk "BEGIN { printf \"%.3f\", $full_ms * 0.6 / 1000 }")"
kill -TERM "$pid"
{ wait "$pid"; } 2>/dev/null; st=$?
if [ $st = 143 ]; then ok "SIGTERM: the run ends by the signal (exit 143)"
elif [ $st -le 1 ]; then echo "SKIP: the run ended before SIGTERM (${full_ms} ms)"
else fail "SIGTERM: exit $st"; fi
if [ $st = 143 ]; then
	grep ' run: ' "$k/output/jingsai.log" | tail -1 |
		grep -q 'run: interrupted by SIGTERM, the rest is left for the next run; .*; exit 3$' &&
		ok "the log says it was interrupted" || fail "log: $(tail -3 "$k/output/jingsai.log")"
	# the group the signal cut short did not fail, and the rest were not built
	grep ' run: ' "$k/output/jingsai.log" | tail -1 | grep -q 'with failures\|the others were built' &&
		fail "interrupted, the log says a group failed: $(grep ' run: ' "$k/output/jingsai.log" | tail -1)" ||
		ok "interrupted: no group said to have failed, nor the others built"
	left=$(find "$k/output" "$k/var" -name '*.tmp.*' | head -3)
	[ -z "$left" ] && ok "no temporary file left" || fail "left: $left"
	# its workers ended with it (none has the site's store open)
	sleep 0.2
	busy=$(for p in /proc/[0-9]*; do readlink "$p/cwd" "$p/fd"/* 2>/dev/null; done | grep -c "^$k/")
	[ "$busy" = 0 ] && ok "no worker left" || fail "$busy files of the site still open"
	[ "$(sqlite3 "$k/var/jingsai.db" 'PRAGMA integrity_check')" = ok ] && ok "store intact" || fail "store"
fi
jz "$k" >/dev/null 2>&1
diff -r -x jingsai.log "$r/output" "$k/output" >"$WORK/diff" 2>&1 &&
	ok "the next run finishes the job, byte for byte" || { fail "outputs differ:"; head -5 "$WORK/diff"; }
# -- SIGTERM between two reports of a year, at the same moment every time:
# the signal comes as the run looks whether the second region's report of
# the last year is there (strace injects it at that call); the run stops
# after that report.  That year's
# group of documents is cut short, not done: the next run makes the rest.
if command -v strace >/dev/null 2>&1; then
	s=$WORK/term; site "$s"
	last=$(ls "$r/output/annual" | tail -1)
	second=$(ls "$r/output/annual/$last" | grep -v '^city' | sed -n 's/\.pdf$//p' | sed -n 2p)
	target=$s/output/annual/$last/$second.pdf
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -o /dev/null -P "$target" -e trace=openat -e inject=openat:signal=TERM:when=1 \
	    "$JINGSAI" run --input "$s/input" --output "$s/output" --db "$s/var/jingsai.db" \
	    --templates "$TOP/templates" --fonts "$TOP/fonts" >/dev/null 2>&1; st=$?
	[ $st = 143 ] && ok "SIGTERM while the reports of $last are made: the run ends by the signal" || fail "exit $st"
	cut=$(ls "$s/output/annual/$last" | grep -c '\.pdf$'); whole=$(ls "$r/output/annual/$last" | grep -c '\.pdf$')
	[ "$cut" -ge 2 ] && [ "$cut" -lt "$whole" ] && ok "$cut of the $whole reports of $last are written" ||
		fail "$cut of the $whole reports of $last written"
	jz "$s" >/dev/null 2>&1
	diff -r -x jingsai.log "$r/output" "$s/output" >"$WORK/diff" 2>&1 &&
		ok "the next run makes the rest of $last, byte for byte" || { fail "outputs differ:"; head -5 "$WORK/diff"; }
else
	fail "strace is missing (make deps installs it)"
fi
# -- A font package missing (every file of a role's line absent): the run
# makes nothing, and says so once, at the role's line, with what to do; the
# summary does not claim the rest was built.
fonts=$WORK/fonts; cp -R "$TOP/fonts" "$fonts"
sed -i 's|^wenkai:.*|wenkai:  truetype/none/Missing-Regular.ttf|' "$fonts/roles.conf"
line=$(grep -n '^wenkai:' "$fonts/roles.conf" | cut -d: -f1)
m=$WORK/nofont; site "$m"
expect_status 3 "a run without a role's fonts fails" "$JINGSAI" run --input "$m/input" --output "$m/output" \
    --db "$m/var/jingsai.db" --templates "$TOP/templates" --fonts "$fonts"
said=$(grep -c "font role 'wenkai' has no usable font file" "$WORK/stderr")
[ "$said" = 1 ] && ok "says so once" || fail "said $said times"
expect_diag "at the role's line, with what to do" "$fonts/roles.conf:$line:1: fatal: font role 'wenkai' has no usable font file: none of the files its line names is installed; install the font packages (make deps, as root, installs them) or copy a font file into the fonts folder and name it on the line (fonts/README)"
grep -q '; 0 documents rebuilt, 1 failed; with failures: the receipts, annual .* (see below; nothing was built)$' "$WORK/stdout" &&
	ok "the summary names the receipts and says nothing was built" || fail "summary: $(cat "$WORK/stdout")"
# -- The whole output folder shut to the run (a read-only mount; another
# owner does the same for a user other than root): said once, nothing is
# attempted, and the next run with the folder writable makes what changed.
o=$WORK/ro; site "$o"
jz "$o" >/dev/null 2>&1
sed 's/proposals-adopted="\([0-9]\)/proposals-adopted="9/' "$(ls "$o"/input/2025/*/*.xml | head -1)" >"$WORK/ret"
if mount --bind "$o/output" "$o/output" 2>/dev/null && mount -o remount,ro,bind "$o/output" 2>/dev/null; then
	cp "$WORK/ret" "$(ls "$o"/input/2025/*/*.xml | head -1)"
	expect_status 3 "a run whose output folder is read-only fails" jz "$o"
	expect_diag "said once for the folder" "$o/output: error: cannot write in the output folder: Read-only file system; no document was made (the next run makes them): let the user that runs jingsai ($(id -un)) write there, e.g. chown -R $(id -un) $o/output, or mount it writable"
	n=$(grep -c 'error:' "$WORK/stderr")
	[ "$n" = 2 ] && ok "and the log that cannot be written: two errors in all" ||
		{ fail "$n errors:"; head -4 "$WORK/stderr"; }
	umount "$o/output"
	expect_status 0 "writable again: the next run" jz "$o"
	grep -q '^jingsai run: 0 files accepted, 0 rejected; [1-9][0-9]* documents rebuilt; receipts: ' "$WORK/stdout" &&
		ok "makes the documents and the receipt" || fail "$(cat "$WORK/stdout")"
else
	umount "$o/output" 2>/dev/null
	echo "SKIP: read-only output folder (cannot mount --bind here)"
fi
finish
