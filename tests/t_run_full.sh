#!/bin/sh
# t_run_full.sh — a full disk, on small tmpfs mounts (needs root; SKIP
# otherwise).  The output folder full: a clear error, exit 3, no crash (the
# log was once freed twice), no half-written document, and no record of a
# document that is not on disk as recorded.  The store's own disk full: the
# store stays whole.  Given room again, the next run writes exactly what an
# uninterrupted run writes, with the same serials.
. "$(dirname "$0")/lib.sh"
SITE_YEARS=2025
. "$TOP/tests/run_lib.sh"

mnt() { # DIR SIZE — a tmpfs of SIZE at DIR; 1 when that cannot be done here
	mkdir -p "$1" && mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null
}
unmount_all() { for m in "$WORK/a/output" "$WORK/b"; do umount "$m" 2>/dev/null; done; }
trap 'unmount_all; rm -rf "$WORK"' EXIT

serials() { sqlite3 "$1/var/jingsai.db" "SELECT serial, recipient, credit_code, status FROM certificate ORDER BY serial"; }
# records DIR — every document the store records is on disk with the recorded bytes.
records() {
	bad=0
	sqlite3 -separator ' ' "$1/var/jingsai.db" "SELECT sha256, path FROM document" >"$WORK/recorded"
	while read -r sum path; do
		[ "$(sha256sum "$1/output/$path" 2>/dev/null | cut -d' ' -f1)" = "$sum" ] || { bad=$((bad + 1)); echo "    $path"; }
	done <"$WORK/recorded"
	[ $bad = 0 ]
}

site "$WORK/ref"
jz "$WORK/ref" >/dev/null 2>&1 || { fail "reference run"; finish; }
serials "$WORK/ref" >"$WORK/ref.serials"

# -- A. The output folder fills up half-way.
site "$WORK/a"
if ! mnt "$WORK/a/output" 1500k; then
	echo "SKIP: cannot mount a tmpfs here (not root?): disk-full tests not run"
	finish
fi
expect_status 3 "output disk full: exit 3" jz "$WORK/a"
grep -q "error: cannot write: No space left on device" "$WORK/stderr" && ok "the error says the disk is full" ||
	fail "no 'No space left on device' in: $(head -3 "$WORK/stderr")"
expect_diag "the log cannot be written either, and says so" "jingsai.log: error: cannot append to the log: No space left on device"
! grep -q 'AddressSanitizer\|double free\|Aborted' "$WORK/stderr" && ok "no crash" || fail "crash: $(grep -m1 'ERROR' "$WORK/stderr")"
[ -z "$(find "$WORK/a/output" -name '*.tmp.*')" ] && ok "no temporary file left" || fail "temporaries left"
n=0; broken=0
for f in $(cd "$WORK/a/output" && find . -name '*.pdf'); do
	n=$((n + 1)); cmp -s "$WORK/a/output/$f" "$WORK/ref/output/$f" || broken=$((broken + 1))
done
[ $broken = 0 ] && ok "each of the $n documents written is whole, as the full run wrote it" || fail "$broken of $n documents differ"
records "$WORK/a" && ok "no record of a document that is not on disk as recorded" || fail "records without their file (above)"
[ "$(sqlite3 "$WORK/a/var/jingsai.db" 'PRAGMA integrity_check')" = ok ] && ok "store intact" || fail "store"
mount -o remount,size=64m "$WORK/a/output"
expect_status 0 "room again: the next run" jz "$WORK/a"
diff -r -x jingsai.log "$WORK/ref/output" "$WORK/a/output" >"$WORK/diff" 2>&1 &&
	ok "writes exactly what the uninterrupted run wrote" || { fail "outputs differ:"; head -5 "$WORK/diff"; }
serials "$WORK/a" | cmp -s - "$WORK/ref.serials" && ok "with the same serials" || fail "serials differ"
records "$WORK/a" && ok "and every record matches its file" || fail "records"

# -- B. The store's disk fills up (the whole site on a small disk).
mnt "$WORK/b" 1200k || { fail "second tmpfs"; finish; }
site "$WORK/b"
expect_status 3 "store disk full: exit 3" jz "$WORK/b"
expect_diag "the error says the disk is full" "disk is full"
! grep -q 'AddressSanitizer\|double free\|Aborted' "$WORK/stderr" && ok "no crash" || fail "crash: $(grep -m1 'ERROR' "$WORK/stderr")"
[ "$(sqlite3 "$WORK/b/var/jingsai.db" 'PRAGMA integrity_check' 2>&1)" = ok ] && ok "the store is whole" || fail "store damaged"
records "$WORK/b" && ok "no record of a document that is not on disk" || fail "records"
mount -o remount,size=64m "$WORK/b"
expect_status 0 "room again: the next run" jz "$WORK/b"
diff -r -x jingsai.log "$WORK/ref/output" "$WORK/b/output" >"$WORK/diff" 2>&1 &&
	ok "writes exactly what the uninterrupted run wrote" || { fail "outputs differ:"; head -5 "$WORK/diff"; }
serials "$WORK/b" | cmp -s - "$WORK/ref.serials" && ok "with the same serials" || fail "serials differ"
finish
