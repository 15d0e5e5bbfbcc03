#!/bin/sh
# t_inputs.sh — what is read from the input folder, and how.  Only regular
# files inside it: symbolic links are not followed (not even to files inside)
# and what they point to reaches no output; FIFOs, sockets and devices are
# skipped with a warning and never block; office and system litter is skipped
# without a word (listed with --verbose) and a night with Excel's lock files
# about says nothing.  An element with 80 000 attributes is refused in well
# under a second; a file cut short while it is read is an error, not a crash.
# A file name that is not printable UTF-8 is printed escaped everywhere
# (stderr, log, store, the report's appendix) and can be named to forget.
# Another writer holding the store for 2 s is waited for.
. "$(dirname "$0")/lib.sh"
SITE_YEARS=2025
. "$TOP/tests/run_lib.sh"

d=$WORK/s
site "$d"
# -- Links to secrets, a FIFO, a socket, a device.
mkdir "$WORK/outside"
printf 'root:$6$SECRETHASH:19000:0:99999:7:::\n' >"$WORK/outside/shadow"
printf 'credit_code,name,region,ownership,above_scale,industry,employees\n91320602MA1W9LXL5C,SECRETCOMPANY,320602,民营,是,,\n' \
	>"$WORK/outside/secret.csv"
ln -s "$WORK/outside/shadow" "$d/input/shadow.csv"
ln -s "$WORK/outside/secret.csv" "$d/input/企业名录/secret.csv"
ln -s "$WORK/outside" "$d/input/linked"
ln -s "企业名录" "$d/input/inside"          # a link that stays inside: not followed either
mkfifo "$d/input/pipe.csv"
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$d/input/sock.csv"
mknod "$d/input/null.csv" c 1 3 2>/dev/null || echo "SKIP: no device node (mknod refused)"
timeout 60 "$JINGSAI" run --input "$d/input" --output "$d/output" --db "$d/var/jingsai.db" \
    --templates "$TOP/templates" --fonts "$TOP/fonts" >"$WORK/stdout" 2>"$WORK/stderr"; st=$?
[ $st -le 1 ] && ok "the run ends (a FIFO does not block it; exit $st)" || { fail "run: exit $st"; head "$WORK/stderr"; }
grep -v '^jingsai: warning: no certificate key' "$WORK/stderr" | sed "s|$d/||" | sort >"$WORK/said"
{
	echo "input/inside: warning: symbolic link, not followed: a submission is a file in the input folder itself; skipped"
	echo "input/linked: warning: symbolic link, not followed: a submission is a file in the input folder itself; skipped"
	[ -c "$d/input/null.csv" ] && echo "input/null.csv: warning: a character device, not a file: skipped"
	echo "input/pipe.csv: warning: a FIFO (named pipe), not a file: skipped"
	echo "input/shadow.csv: warning: symbolic link, not followed: a submission is a file in the input folder itself; skipped"
	echo "input/sock.csv: warning: a socket, not a file: skipped"
	echo "input/企业名录/secret.csv: warning: symbolic link, not followed: a submission is a file in the input folder itself; skipped"
} | sort >"$WORK/want"
cmp -s "$WORK/want" "$WORK/said" && ok "each is named, with why it is skipped" ||
	{ fail "warnings:"; diff "$WORK/want" "$WORK/said" | sed 's/^/    /'; }
for f in $(find "$d/output" -name '*.pdf'); do pdftotext -q "$f" -; done >"$WORK/pdftext"
sqlite3 "$d/var/jingsai.db" .dump >"$WORK/dump"
if grep -l 'SECRET' "$WORK/stdout" "$WORK/stderr" "$WORK/pdftext" "$WORK/dump" "$d/output/jingsai.log" \
    $(find "$d/output" -name '*.csv') 2>/dev/null; then fail "a secret reached an output (above)"
else ok "nothing a link points to reaches stderr, the log, the store or a document"; fi
[ "$(sqlite3 "$d/var/jingsai.db" "SELECT count(*) FROM file WHERE path LIKE '%secret%' OR path LIKE '%shadow%' OR path LIKE 'linked%' OR path LIKE 'inside%'")" = 0 ] &&
	ok "no link is a file of the store" || fail "a link was stored"
rm -f "$d/input/shadow.csv" "$d/input/企业名录/secret.csv" "$d/input/linked" "$d/input/inside" \
	"$d/input/pipe.csv" "$d/input/sock.csv" "$d/input/null.csv"

# -- Office and system litter: never rejected, never said; --verbose lists it.
jz "$d" >/dev/null 2>&1
for f in '~$2025年度表彰名单.csv' '.~lock.2025年度表彰名单.csv#' '.~竞赛参与.csv' 'Thumbs.db' 'desktop.ini' \
    '.DS_Store' '~WRL0003.tmp' '名单.bak'; do
	printf '\001\002garbage\377' >"$d/input/2025/$f"
done
expect_status 0 "a night with Excel's and WPS's lock files and Windows' litter about: exit 0" jz "$d"
[ ! -s "$WORK/stdout" ] && [ ! -s "$WORK/stderr" ] && ok "and it prints nothing" ||
	{ fail "it printed:"; cat "$WORK/stdout" "$WORK/stderr" | head -5; }
[ "$(sqlite3 "$d/var/jingsai.db" "SELECT count(*) FROM file WHERE path LIKE '2025/%' AND status = 'rejected'")" = 0 ] &&
	ok "none is rejected, so none is in a report" || fail "litter rejected"
expect_status 0 "--verbose" jz "$d" --verbose
[ "$(grep -c 'office or system file, not a submission: skipped' "$WORK/stderr")" = 8 ] &&
	ok "--verbose lists each as skipped" || fail "--verbose: $(grep -c 'not a submission' "$WORK/stderr") listed"

# -- 80 000 attributes on one element: refused at once.
python3 -c "
import sys
a = ' '.join('a%d=\"1\"' % i for i in range(80000))
sys.stdout.write('<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<annual-return xmlns=\"urn:jingsai:annual-return:1\" region=\"320602\" year=\"2025\" submitted=\"2025-01-10T10:00:00+08:00\">\n  <projects>\n    <project ' + a + '/>\n  </projects>\n</annual-return>\n')
" >"$WORK/attrs.xml"
t0=$(now_ms)
expect_status 1 "an element with 80 000 attributes" "$JINGSAI" --input "$d/input" check "$WORK/attrs.xml"
ms=$(($(now_ms) - t0))
expect_diag "is refused where it is" "attrs.xml:4:5: error: an element with more than 256 attributes: no element of an annual return has more than a dozen; delete the extra ones"
[ $ms -lt 1000 ] && ok "in under a second ($ms ms)" || fail "took $ms ms"

# -- A file cut short and written again while it is read: never a crash.
python3 -c "
import sys
rows = ['credit_code,name,region,ownership,above_scale,industry,employees']
for i in range(120000):
    rows.append('91320602MA1W9LXL5C,企业%d,320602,民营,是,制造业,%d' % (i, i))
sys.stdout.write('\n'.join(rows) + '\n')
" >"$WORK/big.csv"
mkdir "$WORK/t"; cp "$WORK/big.csv" "$WORK/t/big.csv"
touch "$WORK/t/churn"
(while [ -f "$WORK/t/churn" ]; do truncate -s 4096 "$WORK/t/big.csv"; cat "$WORK/big.csv" >"$WORK/t/big.csv"; done) &
churn=$!
crashed=0 changed=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	"$JINGSAI" --input "$d/input" check "$WORK/t/big.csv" >/dev/null 2>"$WORK/err"; st=$?
	[ $st -ge 128 ] && crashed=$((crashed + 1))
	grep -q 'changed while it was read' "$WORK/err" && changed=$((changed + 1))
done
rm -f "$WORK/t/churn"; wait $churn 2>/dev/null
[ $crashed = 0 ] && ok "12 reads of a file cut short and rewritten under them: no crash ($changed saw it change)" ||
	fail "$crashed of 12 reads crashed (SIGBUS?)"

# -- A file name that is not UTF-8 (GBK from a Windows zip), and one with a
#    line break: escaped wherever they are printed; forget can name them.
gbk=$(printf '\262\342\312\324')        # 测试 in GBK
printf 'credit_code,name\n1,2\n' >"$d/input/2025/$gbk.csv"
printf 'credit_code,name\n1,2\n' >"$d/input/2025/a
error: forged.csv"
jz "$d" >"$WORK/stdout" 2>"$WORK/stderr"; st=$?
[ $st = 1 ] && ok "both rejected, the run goes on (exit 1)" || fail "exit $st"
grep -q "^$d/input/2025/\\\\xB2\\\\xE2\\\\xCA\\\\xD4.csv:1:1: error: " "$WORK/stderr" &&
	ok "stderr names the GBK file escaped" || { fail "stderr:"; head -3 "$WORK/stderr"; }
grep -q '^error: forged' "$WORK/stderr" && fail "a line break in a name forged a diagnostic" ||
	ok "a line break in a name forges no line (\\x0A)"
grep -q "2025/a\\\\x0Aerror: forged.csv:1:1: error: " "$WORK/stderr" && ok "and it is named escaped" || fail "newline name"
grep -q '\\xB2\\xE2\\xCA\\xD4.csv' "$d/output/jingsai.log" && ok "so does the log" || fail "log"
[ "$(sqlite3 "$d/var/jingsai.db" "SELECT path FROM file WHERE status = 'rejected' AND path LIKE '%xB2%'")" = '2025/\xB2\xE2\xCA\xD4.csv' ] &&
	ok "and the store" || fail "store: $(sqlite3 "$d/var/jingsai.db" "SELECT path FROM file WHERE status = 'rejected'")"
pdftotext -q "$d/output/annual/2025/city.pdf" - | tr -d ' ' | grep -q '2025/\\xB2\\xE2\\xCA\\xD4.csv' &&
	ok "the city report is built, its appendix names the file escaped" || fail "city report appendix"
rm "$d/input/2025/a
error: forged.csv"
# accepted under such a name, then forgotten by the name as printed
sed 's/SECRETCOMPANY/某企业/' "$WORK/outside/secret.csv" >"$d/input/2025/$gbk.csv"
jz "$d" >/dev/null 2>&1
[ "$(sqlite3 "$d/var/jingsai.db" "SELECT status FROM file WHERE path = '2025/\\xB2\\xE2\\xCA\\xD4.csv' ORDER BY id DESC LIMIT 1")" = accepted ] &&
	ok "accepted under its escaped name" || fail "not accepted"
rm "$d/input/2025/$gbk.csv"
expect_status 0 "forget names it as printed" "$JINGSAI" --input "$d/input" --db "$d/var/jingsai.db" forget \
	"$d/input/2025/\\xB2\\xE2\\xCA\\xD4.csv"
check "forgotten" grep -q 'forgotten, 1 row removed' "$WORK/stdout"
printf 'credit_code,name,region,ownership,above_scale,industry,employees\n91320602MA1W9LXL5C,某企业,320602,民营,是,,\n' >"$d/input/2025/$gbk.csv"
jz "$d" >/dev/null 2>&1
expect_status 0 "forget names it by its bytes too" "$JINGSAI" --input "$d/input" --db "$d/var/jingsai.db" forget \
	"$d/input/2025/$gbk.csv"

# -- Another writer holds the store for 2 s: ingest waits, then goes on.
printf 'credit_code,name,region,ownership,above_scale,industry,employees\n91320602MA1W9LXL5C,等待企业,320602,民营,是,,\n' >"$d/input/2025/wait.csv"
(printf "BEGIN IMMEDIATE; UPDATE programme SET value = value WHERE key = 'name';\n"; sleep 2; printf 'COMMIT;\n') |
	sqlite3 "$d/var/jingsai.db" &
holder=$!
sleep 0.3
t0=$(now_ms)
expect_status 0 "ingest while another process holds a write transaction" \
	"$JINGSAI" --input "$d/input" --db "$d/var/jingsai.db" ingest "$d/input/2025/wait.csv"
ms=$(($(now_ms) - t0))
wait $holder
[ $ms -ge 1000 ] && ok "it waited for the other writer ($ms ms) and stored the file" || fail "did not wait ($ms ms)"
[ "$(sqlite3 "$d/var/jingsai.db" "SELECT name FROM enterprise WHERE credit_code = '91320602MA1W9LXL5C'")" = 等待企业 ] &&
	ok "the file is in" || fail "not stored"
(printf "BEGIN IMMEDIATE; UPDATE programme SET value = value WHERE key = 'name';\n"; sleep 2; printf 'COMMIT;\n') |
	sqlite3 "$d/var/jingsai.db" &
holder=$!
sleep 0.3
rm "$d/input/2025/wait.csv"
printf 'credit_code,name,region,ownership,above_scale,industry,employees\n91320602MA1W9LXL5C,又一企业,320602,民营,是,,\n' >"$d/input/2025/wait2.csv"
expect_status 0 "and so does the nightly run" jz "$d"
wait $holder
finish
