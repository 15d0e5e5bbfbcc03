#!/bin/sh
# t_device.sh — the devices a document is written with: --dump writes a
# layout dump beside every PDF of every document kind without changing a
# byte of the PDFs, the same dump on every run; --device dump writes the
# dumps alone.  (What the dumps say, and an unknown device: the regress
# suite.)  Then the file graph of src/: no include or use cycle, and only the
# device table names a device.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/run_lib.sh"
SITE_YEARS=2025

# A plain run, and the same site run again with --dump.
site "$WORK/plain"
jz "$WORK/plain" >/dev/null 2>"$WORK/plain.err"; st=$?
[ $st -le 1 ] && ok "a plain run (exit $st)" || { fail "a plain run (exit $st)"; sed 's/^/    /' "$WORK/plain.err" | head; }
site "$WORK/dump"
jz "$WORK/dump" --dump >/dev/null 2>"$WORK/dump.err"; st=$?
[ $st -le 1 ] && ok "a run with --dump (exit $st)" || { fail "a run with --dump (exit $st)"; sed 's/^/    /' "$WORK/dump.err" | head; }

# Certificates for pre-printed stock, with their calibration page, the same way.
for d in plain dump; do
	flag=; [ $d = dump ] && flag=--dump
	"$JINGSAI" --db "$WORK/$d/var/jingsai.db" --output "$WORK/$d/output" --templates "$TOP/templates" \
	    --fonts "$TOP/fonts" certificates 2025 --award MEDAL --stock $flag >/dev/null 2>&1 ||
	    fail "certificates --stock $flag"
done

(cd "$WORK/plain/output" && find . -name '*.pdf' | sort) >"$WORK/pdfs"
(cd "$WORK/dump/output" && find . -name '*.dump' | sort | sed 's/\.dump$/.pdf/') >"$WORK/dumps"
n=$(wc -l <"$WORK/pdfs")
for kind in annual/ bulletin/ /print.pdf /calibration.pdf stock/ '/[0-9]\{4\}-[A-Z]*-[0-9]*\.pdf'; do
	grep -q "$kind" "$WORK/pdfs" || fail "the plain run wrote no document matching $kind"
done
if cmp -s "$WORK/pdfs" "$WORK/dumps"; then ok "--dump: a dump beside each of the $n PDFs, of every kind"
else fail "--dump: dumps and PDFs do not pair up:"; diff "$WORK/pdfs" "$WORK/dumps" | head -5; fi
if diff -r -x jingsai.log -x '*.dump' "$WORK/plain/output" "$WORK/dump/output" >"$WORK/diff" 2>&1; then
	ok "--dump: every other file byte-identical to the plain run's"
else fail "--dump changed other files:"; head -5 "$WORK/diff"; fi

# The same dumps again, into a new output folder, and with the dump device alone.
"$JINGSAI" --db "$WORK/dump/var/jingsai.db" --output "$WORK/again" --templates "$TOP/templates" \
    --fonts "$TOP/fonts" annual 2025 --dump >/dev/null 2>&1
"$JINGSAI" --db "$WORK/dump/var/jingsai.db" --output "$WORK/alone" --templates "$TOP/templates" \
    --fonts "$TOP/fonts" annual 2025 --device dump >/dev/null 2>&1
if diff -r -x '*.pdf' -x '*.csv' "$WORK/dump/output/annual" "$WORK/again/annual" >/dev/null 2>&1; then
	ok "dumps are the same on every run"; else fail "dumps differ between runs"; fi
if [ -n "$(find "$WORK/alone" -name '*.pdf')" ] || [ ! -f "$WORK/alone/annual/2025/city.dump" ]; then
	fail "--device dump: the dumps alone, no PDF"
elif diff -r -x '*.pdf' "$WORK/again/annual" "$WORK/alone/annual" >/dev/null 2>&1; then
	ok "--device dump: the same dumps (and CSVs), no PDF"
else fail "--device dump: other dumps than with --dump"; fi


# The file graph: no cycle, and only the device table names a device.
if out=$(python3 "$TOP/tools/filegraph.py" --obj "$TOP/build/obj" 2>&1); then ok "$out"
else fail "file graph of src/:"; echo "$out" | sed 's/^/    /'; fi
finish
