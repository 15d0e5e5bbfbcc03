#!/bin/sh
# t_run_nochange.sh — a night with nothing new decides from the store alone:
# no output file and no submitted file is opened (their size, times and
# inode are compared with what was recorded when they were last written or
# read).  A certificate deleted and another edited by hand (even keeping its
# size and modification time) are still noticed: the next run rebuilds
# exactly those two, as they were, and the run after that touches nothing.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/run_lib.sh"

site "$WORK/s"
jz "$WORK/s" >/dev/null 2>"$WORK/stderr"; st=$?
[ $st -le 1 ] || { fail "full run exit $st"; head "$WORK/stderr"; finish; }

# opened LOG — the regular files under the site's output/ and input/ that
# the traced run opened (folders aside), one per line.
opened() {
	sed -n 's/.*openat([^"]*"\([^"]*\)", \([^)]*\)).*/\1 \2/p' "$1" | grep -v O_DIRECTORY |
	    sed -n "s#^$WORK/s/\(output\|input\)/\([^ ]*\) .*#\1/\2#p" | grep -v '^input/programme.xml$' | LC_ALL=C sort -u
}
# quiet_run NAME — a run that must print nothing, exit 0 and open no file of
# output/ or input/ (but programme.xml, read on every run).
# (LeakSanitizer cannot run under a tracer: the traced runs leave leaks to
# the other runs of the suite.)
quiet_run() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -e trace=openat -o "$WORK/trace" "$JINGSAI" run --input "$WORK/s/input" \
	    --output "$WORK/s/output" --db "$WORK/s/var/jingsai.db" \
	    --templates "$TOP/templates" --fonts "$TOP/fonts" >"$WORK/stdout" 2>"$WORK/stderr"; st=$?
	if [ $st = 0 ] && [ ! -s "$WORK/stdout" ] && [ ! -s "$WORK/stderr" ]; then ok "$1: exit 0, nothing printed"
	else fail "$1: exit $st, printed:"; cat "$WORK/stdout" "$WORK/stderr" | head -5; fi
	files=$(opened "$WORK/trace" | tr '\n' ' ')
	if [ -z "$files" ]; then ok "$1: no output or input file opened"
	else fail "$1: opened $(echo "$files" | cut -c1-300)"; fi
}

if command -v strace >/dev/null 2>&1; then
	quiet_run "no-change run"
	# the trace sees what is opened: a run that must read shows up
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -e trace=openat -o "$WORK/trace-check" "$JINGSAI" check "$WORK/s/input" \
	    --db "$WORK/s/var/jingsai.db" >/dev/null 2>&1
	[ -n "$(opened "$WORK/trace-check")" ] && ok "the trace sees the files that check reads" \
		|| fail "the trace saw no input file read by check"
else
	fail "strace is missing (make deps installs it)"
fi

certs=$WORK/s/output/certificates/2025/MEDAL
gone=$(ls "$certs" | grep -- '-MEDAL-' | sed -n 2p)
edited=$(ls "$certs" | grep -- '-MEDAL-' | sed -n 3p)
[ -n "$gone" ] && [ -n "$edited" ] || { fail "no MEDAL certificates of 2025"; finish; }
cp "$certs/$gone" "$WORK/gone.pdf"
cp "$certs/$edited" "$WORK/edited.pdf"
snapshot "$WORK/s/output" | grep -v -e "MEDAL/$gone " -e "MEDAL/$edited " >"$WORK/before"
rm "$certs/$gone"
# edited in place, same size, modification time put back as it was
touch -r "$certs/$edited" "$WORK/stamp"
printf 'X' | dd of="$certs/$edited" bs=1 seek=100 conv=notrunc 2>/dev/null
touch -r "$WORK/stamp" "$certs/$edited"
cmp -s "$certs/$edited" "$WORK/edited.pdf" && fail "the edit did not change the file"

# jz_traced DIR — jz, its processes (not threads) made noted in $WORK/procs
jz_traced() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -e trace=clone,clone3,fork,vfork -o "$WORK/procs" "$JINGSAI" run --input "$1/input" \
	    --output "$1/output" --db "$1/var/jingsai.db" --templates "$TOP/templates" --fonts "$TOP/fonts"
}
if command -v strace >/dev/null 2>&1; then
	expect_status 0 "the run after a deletion and an edit exits 0" jz_traced "$WORK/s"
	# two documents are made here: a worker process would race this one
	# for their temporary files and leave some behind
	grep -E 'clone3?\(|fork\(' "$WORK/procs" | grep -v CLONE_THREAD >"$WORK/forks"
	[ -s "$WORK/forks" ] && fail "two documents made by a worker process: $(head -c 200 "$WORK/forks")" \
		|| ok "two documents are made without a worker process"
else
	expect_status 0 "the run after a deletion and an edit exits 0" jz "$WORK/s"
fi
grep -q '; 2 documents rebuilt$' "$WORK/stdout" && ok "its summary says 2 documents rebuilt" \
	|| { fail "summary:"; cat "$WORK/stdout"; }
cmp -s "$certs/$gone" "$WORK/gone.pdf" && ok "the deleted certificate is back, as it was" \
	|| fail "$gone not rebuilt as it was"
cmp -s "$certs/$edited" "$WORK/edited.pdf" && ok "the edited certificate is rebuilt, as it was" \
	|| fail "$edited not rebuilt as it was"
snapshot "$WORK/s/output" | grep -v -e "MEDAL/$gone " -e "MEDAL/$edited " -e ' jingsai.log ' \
    -e '^jingsai.log ' >"$WORK/after"
grep -v '^jingsai.log ' "$WORK/before" >"$WORK/before2"
if cmp -s "$WORK/before2" "$WORK/after"; then ok "no other file was rewritten"
else fail "other files changed:"; diff "$WORK/before2" "$WORK/after" | head -5; fi

snapshot "$WORK/s/output" >"$WORK/before"
if command -v strace >/dev/null 2>&1; then quiet_run "the run after that"; else jz "$WORK/s"; fi
snapshot "$WORK/s/output" >"$WORK/after"
cmp -s "$WORK/before" "$WORK/after" && ok "the run after that touches nothing" || fail "the run after that wrote files"

# A submitted file touched (same bytes) is read once, then known again; one
# edited keeping its size and time is noticed.
f=$(cd "$WORK/s/input" && ls 2025/*/*.xml | head -1)
touch "$WORK/s/input/$f"
jz "$WORK/s" >"$WORK/stdout" 2>&1
[ ! -s "$WORK/stdout" ] && ok "a touched submission changes nothing" || { fail "after touch:"; head -3 "$WORK/stdout"; }
if command -v strace >/dev/null 2>&1; then quiet_run "the run after a touch"; fi
touch -r "$WORK/s/input/$f" "$WORK/stamp"
sed 's/proposals-adopted="\([0-9]\)/proposals-adopted="9/' "$WORK/s/input/$f" >"$WORK/new"
[ "$(wc -c <"$WORK/new")" = "$(wc -c <"$WORK/s/input/$f")" ] && ! cmp -s "$WORK/new" "$WORK/s/input/$f" \
	|| fail "could not make a same-size edit of $f"
cat "$WORK/new" >"$WORK/s/input/$f"
touch -r "$WORK/stamp" "$WORK/s/input/$f"
jz "$WORK/s" >"$WORK/stdout" 2>&1
grep -q '^jingsai run: 1 file accepted' "$WORK/stdout" && ok "a same-size edit with its old time is ingested" \
	|| { fail "after a same-size edit:"; head -3 "$WORK/stdout"; }

# A note kept beside the templates changes no document: the run after it
# finds every group as it was (without looking into its documents); a
# template changed is looked into.
mkdir "$WORK/tpl" && cp "$TOP"/templates/*.xml "$TOP/templates/README.md" "$WORK/tpl/"
jz_tpl() { "$JINGSAI" run --verbose --input "$WORK/s/input" --output "$WORK/s/output" \
    --db "$WORK/s/var/jingsai.db" --templates "$WORK/tpl" --fonts "$TOP/fonts" >"$WORK/stdout" 2>"$WORK/stderr"; }
skipped() { grep -c ': nothing it depends on changed; its [0-9]* documents are as written$' "$WORK/stderr"; }
jz_tpl
jz_tpl
groups=$(skipped)
[ "$groups" -gt 0 ] && [ "$groups" = "$(sqlite3 "$WORK/s/var/jingsai.db" 'SELECT count(*) FROM run_group')" ] && ok "templates from another folder: the run after finds its $(skipped) groups as they were" ||
	{ fail "groups skipped: $(skipped)"; head -3 "$WORK/stderr"; }
echo "打印前请核对证书模板。" >"$WORK/tpl/说明.txt"
echo "Notes of this office." >>"$WORK/tpl/README.md"
jz_tpl
all=$(skipped)
[ "$all" = "$groups" ] &&
    ! grep -q 'documents rebuilt' "$WORK/stdout" && ok "a note beside the templates: all $all groups skipped whole" ||
	{ fail "after a note beside the templates, $all groups skipped whole (want all, as before: $groups)"; head -3 "$WORK/stdout"; }
echo '<!-- 已核对 -->' >>"$WORK/tpl/receipt.xml"
cmp -s "$WORK/tpl/receipt.xml" "$TOP/templates/receipt.xml" && fail "receipt.xml not edited"
jz_tpl
[ "$(skipped)" = 0 ] && ok "a template edited: every group is looked into" || fail "a template edited, yet $(skipped) groups skipped"
# The programme's slogan changed: it is in the bulletin alone, yet every
# document is made again (the programme is in each one's fingerprint);
# the certificates and the site's pages come out the same bytes, are not
# rewritten, and are not counted as rebuilt (they were: the office would
# have sent every certificate on again).
snapshot "$WORK/s/output/certificates" >"$WORK/before"
sed -i 's|<slogan>\(.*\)</slogan>|<slogan>\1，再创新佳绩</slogan>|' "$WORK/s/input/programme.xml"
jz "$WORK/s" >"$WORK/stdout" 2>&1
n=$(sed -n 's/.*; \([0-9]*\) documents\{0,1\} rebuilt.*/\1/p' "$WORK/stdout")
[ -n "$n" ] && [ "$n" -le 3 ] && [ "$n" -ge 1 ] && ok "a new slogan: $n documents rebuilt (the bulletin's)" ||
	fail "a new slogan: $(head -1 "$WORK/stdout")"
snapshot "$WORK/s/output/certificates" | cmp -s - "$WORK/before" && ok "no certificate rewritten" ||
	fail "certificates rewritten"
finish
