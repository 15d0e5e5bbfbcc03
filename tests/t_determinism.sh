#!/bin/sh
# t_determinism.sh — the same store, templates and fonts give the same bytes,
# with SOURCE_DATE_EPOCH or without, today or any day: documents are dated by
# their data (the report's year end, or the day its last return arrived when
# that is later; the bulletin's recorded issue; the ceremony), the PDF's
# /CreationDate and /ID come from them.  programme.xml's
# <time-zone> (default Asia/Shanghai) is the zone of every document date.
. "$(dirname "$0")/lib.sh"
SITE_YEARS=2025
. "$TOP/tests/run_lib.sh"

d=$WORK/s
site "$d"
jz "$d" >/dev/null 2>&1 || { fail "first run"; finish; }
cp -R "$d/output" "$WORK/first"
rebuild() { rm -rf "$d/output/annual" "$d/output/bulletin" "$d/output/certificates"; jz "$d" >/dev/null 2>&1; }
same() { diff -r -x jingsai.log "$WORK/first" "$d/output" >"$WORK/diff" 2>&1; }
n=$(find "$WORK/first" -name '*.pdf' | wc -l)

unset SOURCE_DATE_EPOCH
rebuild
same && ok "without SOURCE_DATE_EPOCH: the same $n PDFs, byte for byte" || { fail "differ:"; head -5 "$WORK/diff"; }
SOURCE_DATE_EPOCH=1900000000 rebuild
same && ok "with another SOURCE_DATE_EPOCH (2030): the same bytes" || { fail "differ:"; head -5 "$WORK/diff"; }

# What the documents say and carry.
info() { qpdf --qdf --object-streams=disable "$1" - 2>/dev/null | grep -a -o '/CreationDate ([^)]*)'; }
id() { qpdf --show-object=trailer "$1" | grep -o '/ID \[ <[0-9a-f]*> <[0-9a-f]*> \]'; }
city=$d/output/annual/2025/city.pdf
cert=$(ls "$d"/output/certificates/2025/MEDAL/2025-MEDAL-0001.pdf)
# the sample's last return of 2025 came on 2026-02-27 (13:31 in Nantong)
check "the annual report is dated by its data: the last return, 2026年2月27日" \
	sh -c "pdftotext -f 1 -l 1 '$city' - | grep -q '^2026年2月27日$'"
[ "$(info "$city")" = "/CreationDate (D:20260226160000Z00'00')" ] && ok "its /CreationDate too: 00:00 in Asia/Shanghai" ||
	fail "report date: $(info "$city")"
sqlite3 "$d/var/jingsai.db" "SELECT max(submitted) FROM cur_return WHERE year = 2025" >"$WORK/last"
[ "$(cat "$WORK/last")" = 2026-02-27T05:31:00Z ] && ok "(the store has it so, in UTC)" || fail "last return: $(cat "$WORK/last")"
[ "$(info "$cert")" = "/CreationDate (D:20250427160000Z00'00')" ] &&
	ok "a certificate's /CreationDate: the ceremony, 00:00 in Asia/Shanghai" || fail "certificate date: $(info "$cert")"
id "$city" | grep -q '<\([0-9a-f]\{32\}\)> <\1>' && ok "a file identifier /ID" || fail "no /ID: $(id "$city")"
[ "$(id "$city")" != "$(id "$d/output/annual/2025/320602.pdf")" ] && ok "another document, another /ID" || fail "same /ID"
qpdf --check "$city" >/dev/null 2>&1 && qpdf --check "$cert" >/dev/null 2>&1 && ok "qpdf --check" || fail "qpdf --check"
# a year whose returns all came within it is dated by its last day
cp "$d/var/jingsai.db" "$WORK/early.db"
sqlite3 "$WORK/early.db" "UPDATE annual_return SET submitted = '2025-11-30T08:00:00Z' WHERE year = 2025"
"$JINGSAI" --db "$WORK/early.db" --output "$WORK/early" --templates "$TOP/templates" --fonts "$TOP/fonts" \
    annual 2025 --region 320602 >/dev/null 2>&1
check "returns all in the year: the report is dated 2025年12月31日" \
	sh -c "pdftotext -f 1 -l 1 '$WORK/early/annual/2025/320602.pdf' - | grep -q '^2025年12月31日$'"

# -- The time zone: a bulletin number issued at 2025-01-15 03:00 UTC is of
#    the 15th in Nantong and of the 14th in New York.
bulletin_date() { # ZONE-ELEMENT: the date the bulletin prints
	b=$WORK/b$$; rm -rf "$b"; mkdir -p "$b"; cp -R "$d/input" "$b/"
	[ -n "$1" ] && sed -i "s|</verify-url>|</verify-url>\n  $1|" "$b/input/programme.xml"
	"$JINGSAI" --input "$b/input" --db "$b/db" ingest >/dev/null 2>&1
	SOURCE_DATE_EPOCH=1736910000 "$JINGSAI" --db "$b/db" --output "$b/out" --templates "$TOP/templates" \
	    --fonts "$TOP/fonts" bulletin 2023-2024 --number 3 >/dev/null 2>"$WORK/stderr"
	pdftotext "$b/out/bulletin/2023-2024/bulletin.pdf" - | tr -d ' ' | grep -o '20[0-9][0-9]年[0-9]*月[0-9]*日' | head -1
}
[ "$(bulletin_date)" = 2025年1月15日 ] && ok "no <time-zone>: Asia/Shanghai, the 15th" || fail "default zone: $(bulletin_date)"
[ "$(bulletin_date '<time-zone>Asia/Shanghai</time-zone>')" = 2025年1月15日 ] && ok "Asia/Shanghai named: the 15th" ||
	fail "Asia/Shanghai"
[ "$(bulletin_date '<time-zone>America/New_York</time-zone>')" = 2025年1月14日 ] && ok "America/New_York: the 14th" ||
	fail "America/New_York: $(bulletin_date '<time-zone>America/New_York</time-zone>')"
# and the ceremony is 00:00 of its day in the zone
b=$WORK/ny; mkdir -p "$b"; cp -R "$d/input" "$b/"
sed -i "s|</verify-url>|</verify-url>\n  <time-zone>America/New_York</time-zone>|" "$b/input/programme.xml"
"$JINGSAI" --input "$b/input" --db "$b/db" --output "$b/out" --templates "$TOP/templates" --fonts "$TOP/fonts" run >/dev/null 2>&1
[ "$(info "$b/out/certificates/2025/MEDAL/2025-MEDAL-0001.pdf")" = "/CreationDate (D:20250428040000Z00'00')" ] &&
	ok "a certificate's /CreationDate in New York's midnight" || fail "NY certificate: $(info "$b/out/certificates/2025/MEDAL/2025-MEDAL-0001.pdf")"
# an unknown zone is an error where it is written
sed -i "s|<time-zone>America/New_York</time-zone>|<time-zone>Mars/Olympus</time-zone>|" "$b/input/programme.xml"
line=$(grep -n Mars "$b/input/programme.xml" | cut -d: -f1)
expect_status 3 "an unknown time zone is refused" "$JINGSAI" --input "$b/input" --db "$b/db2" ingest
expect_diag "where, and what to write" "programme.xml:$line:3: error: unknown time zone 'Mars/Olympus': give an IANA name such as Asia/Shanghai"
finish
