#!/bin/sh
# t_run_quiet.sh — cron manners: a full run reports what it did (stdout, log);
# the run after it prints nothing, exits 0 and rewrites no file; touching a
# file without changing it changes nothing either; a night without the
# certificate key leaves the signed certificates alone and says so.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/run_lib.sh"
export TZ=UTC

site "$WORK/s"
jz "$WORK/s" >"$WORK/stdout" 2>"$WORK/stderr"; st=$?
if [ $st -le 1 ]; then ok "a full run completes (exit $st)"; else fail "full run exit $st"; sed 's/^/    /' "$WORK/stderr" | head -20; fi
if grep -q 'files\{0,1\} accepted' "$WORK/stdout" && grep -q 'documents\{0,1\} rebuilt' "$WORK/stdout"
then ok "a run that did something says so in one summary line"; else fail "no summary:"; cat "$WORK/stdout"; fi
n=$(documents "$WORK/s" | grep -c '\.pdf$')
built=$(sed -n 's/.* \([0-9][0-9]*\) documents\{0,1\} rebuilt.*/\1/p' "$WORK/stdout")
if [ "$n" -gt 0 ] && [ "${built:-0}" -ge "$n" ]; then ok "the summary counts $built documents rebuilt ($n PDFs)"
else fail "summary says ${built:-?} documents rebuilt, $n PDFs written"; fi
if [ -f "$WORK/s/output/jingsai.log" ] && grep -q ' run: .*rebuilt.*; exit [01]$' "$WORK/s/output/jingsai.log"
then ok "the run is logged in output/jingsai.log"; else fail "no log entry"; cat "$WORK/s/output/jingsai.log"; fi
# its time in the programme's zone (the receipts' dates), whatever the
# machine's (the suite runs under TZ=UTC as a server may)
stamp=$(head -1 "$WORK/s/output/jingsai.log" | cut -c1-24)
case "$stamp" in
"$(TZ=Asia/Shanghai date +%F)"*+0800|"$(TZ=Asia/Shanghai date -d '-1 min' +%F)"*+0800)
	ok "the log's time is the programme's, China time ($stamp)" ;;
*) fail "the log's time: $stamp (China time is $(TZ=Asia/Shanghai date '+%F %T'))" ;;
esac

snapshot "$WORK/s/output" >"$WORK/before"
snapshot "$WORK/s/input" >"$WORK/input-before"
expect_status 0 "the run after a full run exits 0" jz "$WORK/s"
if [ ! -s "$WORK/stdout" ] && [ ! -s "$WORK/stderr" ]; then ok "and prints nothing"
else fail "it printed:"; cat "$WORK/stdout" "$WORK/stderr" | head; fi
snapshot "$WORK/s/output" >"$WORK/after"
if cmp -s "$WORK/before" "$WORK/after"; then ok "and writes no file (log included: same inodes, sizes, mtimes)"
else fail "files changed:"; diff "$WORK/before" "$WORK/after" | head; fi
snapshot "$WORK/s/input" >"$WORK/input-after"
if cmp -s "$WORK/input-before" "$WORK/input-after"; then ok "input/ is never touched"; else fail "input/ changed"; fi

# Touched (new mtime), same bytes: still nothing to do.
find "$WORK/s/input" -type f -exec touch {} +
expect_status 0 "a run after touching every input file exits 0" jz "$WORK/s"
if [ ! -s "$WORK/stdout" ] && [ ! -s "$WORK/stderr" ]; then ok "and prints nothing"
else fail "it printed:"; cat "$WORK/stdout" "$WORK/stderr" | head; fi
snapshot "$WORK/s/output" >"$WORK/after"
if cmp -s "$WORK/before" "$WORK/after"; then ok "and writes no file"
else fail "files changed:"; diff "$WORK/before" "$WORK/after" | head; fi

# A document deleted by hand comes back; nothing else is rewritten.
victim=$(documents "$WORK/s" | grep '\.pdf$' | head -1)
rm -f "$WORK/s/output/$victim"
jz "$WORK/s" >"$WORK/stdout" 2>"$WORK/stderr"
snapshot "$WORK/s/output" | grep -v '^jingsai.log ' | grep -v "^${victim#./} " >"$WORK/after"
grep -v "^${victim#./} " "$WORK/before" | grep -v '^jingsai.log ' >"$WORK/before2"
if [ -f "$WORK/s/output/$victim" ] && cmp -s "$WORK/before2" "$WORK/after"
then ok "a deleted document ($victim) is rebuilt, and only it"
else fail "deleted document: rebuilt=$([ -f "$WORK/s/output/$victim" ] && echo yes || echo no)"; diff "$WORK/before2" "$WORK/after" | head; fi

# A night whose cron job lacks the certificate key leaves the signed
# certificates as they are (their QR codes stay) and says why, every night;
# with the key back, the run has nothing to do.
jz "$WORK/s" >/dev/null 2>&1
snapshot "$WORK/s/output" | grep -v '^jingsai.log ' >"$WORK/before"
unset JINGSAI_KEY_FILE
expect_status 3 "a run without the key that signed the certificates fails" jz "$WORK/s"
y=$(sqlite3 "$WORK/s/var/jingsai.db" "SELECT min(year) FROM cert_signing WHERE key_id <> ''")
signed=$(sqlite3 "$WORK/s/var/jingsai.db" "SELECT group_concat(code, ', ') FROM (SELECT a.code FROM award a
    JOIN cert_signing s ON s.award = a.code AND s.year = $y AND s.key_id <> '' ORDER BY a.ord)")
expect_diag "and says why, naming the awards signed" "jingsai: error: the certificates of $y ($signed) were signed with a key, and JINGSAI_KEY_FILE is not set: not printed again, so that their QR codes stay (set JINGSAI_KEY_FILE as for the run that signed them; --re-sign prints them without codes)"
snapshot "$WORK/s/output" | grep -v '^jingsai.log ' >"$WORK/after"
if cmp -s "$WORK/before" "$WORK/after"; then ok "and rewrites no file"
else fail "files changed:"; diff "$WORK/before" "$WORK/after" | head; fi
expect_status 3 "the next night without the key says it again" jz "$WORK/s"
# A key file not there (a disk not mounted): said once for the run, with
# what to do, not once for each year and again for the site.
JINGSAI_KEY_FILE="$WORK/mnt/key"; export JINGSAI_KEY_FILE
expect_status 3 "a run whose key file is not there fails" jz "$WORK/s"
said=$(grep -c "error: certificate key $WORK/mnt/key" "$WORK/stderr")
[ "$said" = 1 ] && ok "and says so once" || { fail "said $said times:"; head -3 "$WORK/stderr"; }
expect_diag "that the file does not exist, and what to set" "jingsai: error: certificate key $WORK/mnt/key does not exist: set JINGSAI_KEY_FILE to the key file that signed the certificates (is the disk that holds it mounted?); a new key is made only before the first certificates are signed (doc/documents.md, \"The key and the QR code\")"
JINGSAI_KEY_FILE="$WORK/key"; export JINGSAI_KEY_FILE
expect_status 0 "with the key back: nothing to do" jz "$WORK/s"
if [ ! -s "$WORK/stdout" ] && [ ! -s "$WORK/stderr" ]; then ok "and prints nothing"
else fail "it printed:"; cat "$WORK/stdout" "$WORK/stderr" | head; fi

# On a terminal, a progress bar; never in the log or without a terminal.
rm -f "$WORK/s/output/$victim"
if command -v script >/dev/null 2>&1; then
	TERM=dumb script -qec "$JINGSAI run --input $WORK/s/input --output $WORK/s/output --db $WORK/s/var/jingsai.db --templates $TOP/templates --fonts $TOP/fonts" /dev/null >"$WORK/tty" 2>&1
	if grep -q 'documents .*/s' "$WORK/tty"; then ok "a terminal gets a progress bar"; else fail "no progress bar on a terminal:"; head -c 400 "$WORK/tty"; fi
	if grep -q '/s ' "$WORK/s/output/jingsai.log"; then fail "progress bar in the log"; else ok "the log has no progress bar"; fi
fi
finish
