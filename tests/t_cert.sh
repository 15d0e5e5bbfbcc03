#!/bin/sh
# t_cert.sh — certificates end to end as PDF (their layout and messages on a
# fixed store are the regress cases certificates, stock, verify/… and
# template/cert…): a store from tests/fixtures/cert, `jingsai certificates`,
# then what a user checks: serials and de-duplication in the store, the
# manifest, the text a reader extracts (rare and non-BMP characters), size,
# fonts, the QR code as a phone reads it and `verify` of it, byte-identical
# reruns and workers, serial stability, the key refused or changed, names
# too long or without a font.
. "$(dirname "$0")/lib.sh"

FIX=$TOP/tests/fixtures/cert
DB=$WORK/store.db
OUT=$WORK/out
Y=$OUT/certificates/2025
J() { "$JINGSAI" --db "$DB" --output "$OUT" --templates "$TOP/templates" --fonts "$TOP/fonts" "$@"; }
q() { sqlite3 "$DB" "$1"; }
# Text of a PDF (or of page $2), spaces and line ends removed.
text() { pdftotext -q -layout ${2:+-f $2 -l $2} "$1" - | tr -d ' \n\f'; }

# The schema (any command makes it), then the fixture.
J certificates 2025 >/dev/null 2>&1
sqlite3 "$DB" <"$FIX/base.sql" || fail "fixture store"

printf 'jingsai-test-key-0123456789\n' >"$WORK/key"; chmod 600 "$WORK/key"
JINGSAI_KEY_FILE=$WORK/key; export JINGSAI_KEY_FILE
expect_status 0 "certificates 2025" J certificates 2025 --dump
expect_err "and says nothing"
[ "$(q "SELECT count(*) FROM certificate WHERE year = 2025 AND award = 'MEDAL'")" = 6 ] &&
	ok "six MEDALs: awards rows + derived, one per person" || fail "MEDAL count"
[ "$(q "SELECT source FROM certificate WHERE recipient = '张三'")" = "awards,top-ten,skills" ] &&
	ok "张三 named by three rules, one certificate" || fail "de-duplication of 张三"

s_wang=$(q "SELECT serial FROM certificate WHERE recipient = '王喆'")
s_li=$(q "SELECT serial FROM certificate WHERE recipient = '李堃鹏'")
s_wu=$(q "SELECT serial FROM certificate WHERE recipient = '吴𠮷'")
s_zhang=$(q "SELECT serial FROM certificate WHERE recipient = '张三' AND award = 'MEDAL'")
s_cert=$(q "SELECT serial FROM certificate WHERE award = 'CERT'")
check "serial form YYYY-AWARD-NNNN" test "$s_wang" = 2025-MEDAL-0001
for s in $s_wang $s_li $s_wu $s_zhang; do
	[ -f "$Y/MEDAL/$s.pdf" ] || fail "file of $s"
done
for a in MEDAL CERT PIONEER TECH WOMEN; do
	[ -f "$Y/$a/print.pdf" ] || fail "print.pdf of $a"
done
check "manifest.csv written" test -f "$Y/manifest.csv"

# The manifest's sha256 are those of the files.
bad=0
tail -n +2 "$Y/manifest.csv" | tr -d '\r' | while IFS=, read -r serial award title recipient region file sha; do
	[ "$(sha256sum "$Y/$file" | cut -d' ' -f1)" = "$sha" ] || { echo "FAIL: sha256 of $file"; exit 1; }
done || bad=1
[ $bad = 0 ] && [ "$(wc -l <"$Y/manifest.csv")" -ge 15 ] && ok "manifest sha256 match the files" ||
	fail "manifest sha256"
# For Excel on Chinese Windows: a BOM, CRLF, Chinese headers, the award's title beside its code.
head -c 3 "$Y/manifest.csv" | od -An -tx1 | grep -q 'ef bb bf' && ok "manifest: BOM" || fail "manifest: BOM"
[ "$(grep -c "$(printf '\r')\$" "$Y/manifest.csv")" = "$(wc -l <"$Y/manifest.csv")" ] && ok "manifest: CRLF" || fail "manifest: CRLF"
head -1 "$Y/manifest.csv" | grep -q "^$(printf '\357\273\277')证书编号,奖项代码,奖项名称,获奖者,地区,文件,文件校验值（SHA-256）" &&
	ok "manifest: Chinese headers" || fail "manifest: Chinese headers"
grep -q ',MEDAL,南通市五一劳动奖章,' "$Y/manifest.csv" && ok "manifest: award titles besides codes" ||
	fail "manifest: award titles besides codes"

# The text a reader extracts from every certificate and print.pdf is the
# text laid out: rare names (喆 堃, 𠮷 outside the BMP) and the 〇 of the date
# included.
set --
for f in $(find "$Y" -name '*.pdf' | sort); do set -- "$@" "$f" "${f%.pdf}.dump"; done
if python3 "$TOP/tests/pdf_dump_text.py" "$@" >"$WORK/text" 2>&1; then
	ok "every certificate's extracted text is the text laid out ($(grep -c pages "$WORK/text") files)"
else fail "extracted text differs from the layout:"; grep -v ' pages, ' "$WORK/text" | sed 's/^/    /'; fi
case "$(text "$Y/MEDAL/$s_wu.pdf")" in *吴𠮷*) ok "a name outside the BMP (𠮷) extracts";; *) fail "name with 𠮷";; esac

# Size, fonts, structure.
size=$(stat -c %s "$Y/MEDAL/$s_wang.pdf")
[ "$size" -lt 15360 ] && ok "one certificate is $size bytes (< 15 KB)" || fail "certificate is $size bytes"
pdffonts "$Y/MEDAL/$s_wang.pdf" >"$WORK/fonts" 2>/dev/null
[ "$(tail -n +3 "$WORK/fonts" | wc -l)" -ge 1 ] && ! tail -n +3 "$WORK/fonts" | awk '{ if ($(NF-4) != "yes") bad=1 } END { exit !bad }' &&
	ok "fonts embedded" || fail "fonts embedded"
check "qpdf --check certificate" qpdf --check "$Y/MEDAL/$s_wang.pdf"
check "qpdf --check print.pdf" qpdf --check "$Y/MEDAL/print.pdf"

# The QR code, read as a phone would, is the URL with the serial and the keyed code.
fields=$(q "SELECT fields FROM certificate WHERE serial = '$s_wang'")
mac=$(printf '%s\n' "$fields" | openssl dgst -sha256 -hmac "jingsai-test-key-0123456789" -binary |
	head -c 16 | base64 | tr '+/' '-_' | tr -d '=')
want_payload="https://zgh.nantong.gov.cn/zs/v?c=$s_wang&m=$mac"
pdftoppm -r 150 -png "$Y/MEDAL/$s_wang.pdf" "$WORK/wang"
payload=$(zbarimg -q --raw "$WORK"/wang*.png 2>/dev/null)
[ "$payload" = "$want_payload" ] && ok "QR decodes to the verification URL" ||
	fail "QR payload '$payload', want '$want_payload'"

# verify the scanned code; another certificate's code, the name or the
# signed fields changed in the store: altered.  (What verify prints of a
# serial, a made-up code, an unknown serial and junk: regress verify/….)
expect_status 0 "verify the scanned payload" J verify "$payload"
expect_out "valid, with the fields" "valid: $s_wang (code checked)" "  serial: $s_wang" "  title: 南通市五一劳动奖章" \
	"  recipient: 王喆" "  unit: 江苏南通二建集团有限公司" "  date: 二〇二五年四月二十八日"
# in Chinese the verdict stays a word for scripts, the fields are named in Chinese
expect_status 0 "verify in Chinese" env LC_ALL=zh_CN.UTF-8 "$JINGSAI" --db "$DB" verify "$payload"
expect_out "valid, the fields named in Chinese" "valid: $s_wang（二维码已核验）" "  证书编号: $s_wang" \
	"  奖项名称: 南通市五一劳动奖章" "  获奖者: 王喆" "  单位: 江苏南通二建集团有限公司" "  日期: 二〇二五年四月二十八日"
altered="altered: the record of $s_wang no longer matches what was printed"
expect_status 1 "verify another certificate's code" J verify "https://zgh.nantong.gov.cn/zs/v?c=$s_li&m=$mac"
expect_out "another certificate's code is altered" "altered: the code of $s_li does not match the recorded fields"
q "UPDATE certificate SET recipient = '王哲' WHERE serial = '$s_wang'"
expect_status 1 "verify after the name changed in the store" J verify "$payload"
expect_out "changed name is caught" "$altered" "  serial: $s_wang" "  title: 南通市五一劳动奖章" \
	"  recipient: 王喆" "  unit: 江苏南通二建集团有限公司" "  date: 二〇二五年四月二十八日"
q "UPDATE certificate SET recipient = '王喆' WHERE serial = '$s_wang'"
q "UPDATE certificate SET fields = replace(fields, '王喆', '王哲') WHERE serial = '$s_wang'"
expect_status 1 "verify after the signed fields changed" J verify "$payload"
# (the code is checked first: a code that does not match learns nothing of the record)
expect_out "changed fields are caught" "altered: the code of $s_wang does not match the recorded fields"
q "UPDATE certificate SET fields = replace(fields, '王哲', '王喆') WHERE serial = '$s_wang'"
# A serial alone is printed on the certificate for anyone to read: it tells
# that the serial exists and its status, never whose it is.
expect_status 0 "verify a bare serial" J verify "$s_wang"
check "a bare serial: exists and active, no name" test "$(cat "$WORK/stdout")" = \
	"valid: $s_wang is in the register and active (scan its QR code to check the name and unit printed on it)"
# An empty or malformed code never verifies, with or without a key.
for text in "$s_wang." "https://zgh.nantong.gov.cn/zs/v?c=$s_wang&m="; do
	expect_status 1 "verify '$text'" J verify "$text"
	check "'$text' is unknown" test "$(cat "$WORK/stdout")" = \
		"unknown: '$text' is neither a certificate serial nor a certificate code"
	(unset JINGSAI_KEY_FILE; expect_status 1 "verify '$text' without a key" J verify "$text")
done
for code in x AAAAAAAAAAAAAAAAAAAAA "$mac"A 'JWw2B0Ch124Is3DWOZhs3?'; do
	expect_status 1 "verify a code of the wrong form ($code)" J verify "https://zgh.nantong.gov.cn/zs/v?c=$s_wang&m=$code"
	check "a code of the wrong form is altered" test "$(cat "$WORK/stdout")" = \
		"altered: $s_wang does not carry a code of the form this program prints"
done
expect_status 1 "a right code with more after it" J verify "$s_wang.$mac."
grep -q '^altered' "$WORK/stdout" && ok "is altered" || fail "$s_wang.$mac.: $(cat "$WORK/stdout")"
# The key file: a regular file of the user, closed to group and others.
chmod 644 "$WORK/key"
expect_status 3 "a key file others can read is refused" J verify "$payload"
expect_diag "says so, and how to fix it" \
	"jingsai: error: certificate key $WORK/key: open to group or others (mode 0644): make it private with chmod 600 $WORK/key"
expect_status 3 "and certificates are not printed with it" J certificates 2025 --award TECH
chmod 600 "$WORK/key"
mkfifo "$WORK/fifo-key"
JINGSAI_KEY_FILE=$WORK/fifo-key timeout 10 "$JINGSAI" --db "$DB" verify "$payload" >"$WORK/stdout" 2>"$WORK/stderr"
[ $? = 3 ] && ok "a FIFO as key file: refused, no hang" || fail "FIFO key file"
expect_diag "not a regular file" "certificate key $WORK/fifo-key: not a regular file"

# The same store and templates give the same bytes.
cp "$Y/MEDAL/print.pdf" "$WORK/print1.pdf"
expect_status 0 "second run" J certificates 2025
check "byte-identical on a second run" cmp -s "$WORK/print1.pdf" "$Y/MEDAL/print.pdf"
# Single files are made by worker processes, one per core; made by one
# process on one core they are the same bytes.
mkdir -p "$WORK/par" && cp "$Y"/MEDAL/*.pdf "$WORK/par/"
if command -v taskset >/dev/null 2>&1; then
	expect_status 0 "certificates on one core" taskset -c 0 "$JINGSAI" --db "$DB" --output "$OUT" \
		--templates "$TOP/templates" --fonts "$TOP/fonts" certificates 2025 --award MEDAL
	same=1
	for f in "$WORK"/par/*.pdf; do cmp -s "$f" "$Y/MEDAL/${f##*/}" || same=0; done
	[ $same = 1 ] && ok "single files: the same bytes from workers and from one process" ||
		fail "single files differ between workers and one process"
fi
# print.pdf draws what all certificates have alike once (a form XObject
# each page draws), and every page still shows it.
[ "$(qpdf --qdf --object-streams=disable "$Y/MEDAL/print.pdf" - 2>/dev/null | grep -a -c '/Subtype /Form')" = 1 ] &&
	ok "print.pdf: one shared form for the six certificates" || fail "print.pdf: shared form"
shown=0
for p in 1 2 3 4 5 6; do
	case "$(text "$Y/MEDAL/print.pdf" $p)" in *荣誉证书*南通市五一劳动奖章*荣誉称号，特发此证。*南通市劳动竞赛委员会*二〇二五年四月二十八日*) shown=$((shown + 1));; esac
done
[ $shown = 6 ] && ok "print.pdf: the shared wording on all six pages" || fail "shared wording on $shown of 6 pages"

# Serials never change: withdraw 王喆, add 钱九; 王喆 comes back with his serial.
q "DELETE FROM award_row WHERE recipient = '王喆'"
q "INSERT INTO award_row VALUES (2025, 'MEDAL', '钱九', 'person', '男', '91320600MA1XXXXX02', NULL, 1, 10)"
expect_status 0 "run with one award withdrawn and one added" J certificates 2025
expect_err "withdrawal reported with its serial" \
	"jingsai: warning: certificate $s_wang (王喆) is withdrawn: no longer in the data; its serial stays unused"
check "withdrawn certificate's file removed" test ! -f "$Y/MEDAL/$s_wang.pdf"
# A dump follows its document: the layout dump the first run wrote (--dump)
# goes with the PDF, and so do the records of both, though this run writes
# no dumps.
check "and its layout dump with it" test ! -f "$Y/MEDAL/$s_wang.dump"
check "and the records of both" test "$(q "SELECT count(*) FROM document WHERE path LIKE '%/$s_wang.%'")" = 0
! grep -q "$s_wang" "$Y/manifest.csv" && ok "withdrawn serial not in the manifest" || fail "manifest lists withdrawn"
[ "$(q "SELECT serial FROM certificate WHERE recipient = '李堃鹏'") $(q "SELECT serial FROM certificate WHERE recipient = '张三' AND award = 'MEDAL'")" = "$s_li $s_zhang" ] &&
	ok "other serials unchanged" || fail "serials renumbered"
check "new award takes the next number" test "$(q "SELECT serial FROM certificate WHERE recipient = '钱九'")" = 2025-MEDAL-0007
expect_status 1 "verify a withdrawn certificate" J verify "$payload"
expect_out "withdrawn certificate reported so" "withdrawn: certificate $s_wang was withdrawn" \
	"  serial: $s_wang" "  title: 南通市五一劳动奖章" "  recipient: 王喆" "  unit: 江苏南通二建集团有限公司" \
	"  date: 二〇二五年四月二十八日"
q "INSERT INTO award_row VALUES (2025, 'MEDAL', '王喆', 'person', '男', '91320600MA1XXXXX02', NULL, 1, 3)"
expect_status 0 "run with the award back" J certificates 2025
check "award back keeps its serial" test "$(q "SELECT serial || status FROM certificate WHERE recipient = '王喆'")" = "${s_wang}active"

# A WOMEN award for a man is an error at its file and line; the rest is printed.
q "INSERT INTO award_row VALUES (2025, 'WOMEN', '钱九', 'person', '男', '91320600MA1XXXXX02', NULL, 1, 12)"
expect_status 1 "WOMEN for a man is rejected" J certificates 2025 --award WOMEN
expect_err "error at file:line" \
	"input/2025/awards.csv:12:1: error: award WOMEN (南通市五一巾帼标兵) is for women only; recipient '钱九' is recorded with gender '男'"
[ "$(q "SELECT count(*) FROM certificate WHERE award = 'WOMEN'")" = 1 ] && ok "no serial for the rejected row" ||
	fail "rejected row got a serial"
q "DELETE FROM award_row WHERE award = 'WOMEN' AND recipient = '钱九'"

# --stock: only the variable fields, shifted, and the calibration page (what
# they lay out: regress stock), as PDFs that check, beside the certificates.
expect_status 0 "stock printing" J certificates 2025 --award MEDAL --stock --offset 2,-1.5
check "qpdf --check stock print.pdf" qpdf --check "$Y/stock/MEDAL/print.pdf"
check "qpdf --check calibration" qpdf --check "$Y/stock/MEDAL/calibration.pdf"
check "normal certificates untouched by --stock" test -f "$Y/MEDAL/$s_wang.pdf"

# Signed certificates are not printed again without their key (a cron job
# without the variable) nor under another key: the codes handed out would
# be lost or no longer verify.  The files stay as they are.
sums() { cat "$Y/TECH/print.pdf" "$Y/TECH/"2025-TECH-*.pdf | sha256sum; }
before=$(sums)
unset JINGSAI_KEY_FILE
expect_status 3 "signed, no key now: refused" J certificates 2025
expect_err "refusal names every award, once; no warning of certificates without a code" \
	"jingsai: error: the certificates of 2025 (MEDAL, CERT, PIONEER, TECH, WOMEN) were signed with a key, and JINGSAI_KEY_FILE is not set: not printed again, so that their QR codes stay (set JINGSAI_KEY_FILE as for the run that signed them; --re-sign prints them without codes)"
check "refused: TECH files untouched" test "$(sums)" = "$before"
printf 'another-key-0123456789abcdef\n' >"$WORK/key2"; chmod 600 "$WORK/key2"
JINGSAI_KEY_FILE=$WORK/key2; export JINGSAI_KEY_FILE
expect_status 3 "signed, another key now: refused" J certificates 2025 --award TECH
# cert_key_id: the keyed hash of a fixed text, as the messages show it.
key_id() { printf 'jingsai certificate key id' | openssl dgst -sha256 -hmac "$1" -binary | head -c 16 | base64 |
	tr '+/' '-_' | tr -d '='; }
key_id=$(key_id jingsai-test-key-0123456789) key2_id=$(key_id another-key-0123456789abcdef)
expect_err "another key: said so, with both keys' ids" \
	"jingsai: error: the certificates of 2025 TECH were signed with another key (id $key_id; this one is $key2_id): not printed again, since the codes already handed out would no longer verify (use the key that signed them; --re-sign signs them anew, to be printed again)"
check "refused: TECH files still untouched" test "$(sums)" = "$before"
expect_status 3 "verify under another key: a failure, not 'altered'" J verify "$payload"
expect_err "verify says the key is not the one that signed" \
	"jingsai: error: the key in JINGSAI_KEY_FILE (id $key2_id) is not the one that signed the certificates of 2025 MEDAL (id $key_id): cannot check the code of $s_wang"
expect_out "and accuses nobody"
# --re-sign without a key: printed again with no code, and a warning.
unset JINGSAI_KEY_FILE
expect_status 0 "--re-sign without a key" J certificates 2025 --award TECH --re-sign
expect_err "no key is warned about" \
	"jingsai: warning: no certificate key (JINGSAI_KEY_FILE is not set): certificates are printed without QR code"
pdftoppm -r 150 -png "$Y/TECH/print.pdf" "$WORK/tech"
[ -z "$(zbarimg -q --raw "$WORK"/tech*.png 2>/dev/null)" ] && ok "no QR code without a key" || fail "QR without key"
expect_status 0 "unsigned now: printed without a key, no --re-sign needed" J certificates 2025 --award TECH
# A key for certificates printed without codes: signed, no --re-sign needed.
JINGSAI_KEY_FILE=$WORK/key2; export JINGSAI_KEY_FILE
expect_status 0 "unsigned, then a key: signed" J certificates 2025 --award TECH
pdftoppm -r 150 -png "$Y/TECH/print.pdf" "$WORK/tech2"
tech_payload=$(zbarimg -q --raw "$WORK"/tech2*.png 2>/dev/null | head -1)
expect_status 0 "its code verifies under that key" J verify "$tech_payload"
# --re-sign under another key: signed anew; the old key no longer verifies them.
JINGSAI_KEY_FILE=$WORK/key; export JINGSAI_KEY_FILE
expect_status 0 "--re-sign under another key" J certificates 2025 --award TECH --re-sign
expect_status 1 "a code of the old key no longer verifies" J verify "$tech_payload"
expect_out "the old copy's code: altered" "altered: the code of 2025-TECH-0001 does not match the recorded fields"
JINGSAI_KEY_FILE=$WORK/missing; export JINGSAI_KEY_FILE
expect_status 3 "unreadable key file is a failure" J certificates 2025 --award TECH
unset JINGSAI_KEY_FILE
expect_status 3 "verify of a code without the key" J verify "https://zgh.nantong.gov.cn/zs/v?c=$s_wang&m=$mac"
JINGSAI_KEY_FILE=$WORK/key; export JINGSAI_KEY_FILE

# Names too long for their box: shrunk and said so when hard to read, or
# said to run over; the certificates are printed all the same, and each is
# reported once (not again for its single file).
n60=$(awk 'BEGIN { for (i = 0; i < 60; i++) printf "张" }')
n200=$(awk 'BEGIN { for (i = 0; i < 200; i++) printf "李" }')
q "INSERT INTO award_row VALUES (2025, 'MEDAL', '$n60', 'person', '男', '91320600MA1XXXXX02', NULL, 1, 13)"
q "INSERT INTO award_row VALUES (2025, 'MEDAL', '$n200', 'person', '男', '91320600MA1XXXXX02', NULL, 1, 14)"
expect_status 0 "names too long for the box: printed" J certificates 2025 --award MEDAL
s60=$(q "SELECT serial FROM certificate WHERE recipient = '$n60'")
s200=$(q "SELECT serial FROM certificate WHERE recipient = '$n200'")
expect_err "each name reported once: shrunk too far, or running over" \
	"jingsai: warning: recipient of $s200: wider than its box of 95 mm even at 4 pt, so it runs over the edge: shorten it, or widen the box in the template" \
	"jingsai: warning: recipient of $s60: shrunk to 4.5 pt to fit its box of 95 mm (the template sets 28 pt): check that it can be read before printing"
check "the shrunk name's certificate is written" test -f "$Y/MEDAL/$s60.pdf"
q "DELETE FROM award_row WHERE recipient IN ('$n60', '$n200')"

# A name no font can print: reported against its certificate (from the
# worker process that made it), and neither file is written.
# (not $name: lib.sh's check sets that)
bad_name=$(printf '\350\265\265\315\270')   # 赵 U+0378
q "INSERT INTO award_row VALUES (2025, 'MEDAL', '$bad_name', 'person', '男', '91320600MA1XXXXX02', NULL, 1, 11)"
s_bad=$(printf '2025-MEDAL-%04d' $(( $(q "SELECT count(*) FROM certificate WHERE award = 'MEDAL' AND year = 2025") + 1 )))
expect_status 3 "a name no font has" J certificates 2025 --award MEDAL
expect_err "the long names' certificates withdrawn; the character, named once with its certificate; neither file written" \
	"jingsai: warning: certificate $s200 ($n200) is withdrawn: no longer in the data; its serial stays unused" \
	"jingsai: warning: certificate $s60 ($n60) is withdrawn: no longer in the data; its serial stays unused" \
	"jingsai: error: recipient of $s_bad: no font of role 'sans' has U+0378 '$(printf '\315\270')'" \
	"jingsai: note: put a font that has it into fonts/ and name it in fonts/roles.conf" \
	"jingsai: error: 南通市五一劳动奖章 2025: not written: 1 character(s) have no font" \
	"jingsai: error: 南通市五一劳动奖章 $s_bad: not written: 1 character(s) have no font"
check "no file for it" test ! -f "$Y/MEDAL/$s_bad.pdf"
check "the others are written" test -f "$Y/MEDAL/$s_li.pdf"
q "DELETE FROM award_row WHERE recipient = '$bad_name'"
[ "$(q "SELECT count(*) FROM award_row WHERE recipient = '$bad_name'")" = 0 ] && ok "that row is gone again" ||
	fail "the row with U+0378 is still there"

# UTF-8 bytes under a declaration of another encoding: read as the UTF-8
# they are.  (A template in GBK: regress template/cert-gbk.)
mkdir -p "$WORK/gbk"
sed '1s/UTF-8/US-ASCII/' "$TOP/templates/cert-MEDAL.xml" >"$WORK/gbk/cert-MEDAL.xml"
expect_status 0 "a UTF-8 template declared US-ASCII is read as UTF-8" "$JINGSAI" --db "$DB" \
	--output "$WORK/outgbk" --templates "$WORK/gbk" --fonts "$TOP/fonts" certificates 2025 --award MEDAL
case "$(text "$WORK/outgbk/certificates/2025/MEDAL/print.pdf" 1)" in *荣誉证书*兹授予*同志*荣誉称号，特发此证*) ok "and prints its wording";;
	*) fail "wording of the template declared US-ASCII";; esac

# A font libharu rewrites to a multiple of 4096 bytes is written all the same.
expect_status 0 "font of exactly 3 x 4096 bytes" "$JINGSAI" --db "$DB" --output "$WORK/out4096" \
	--templates "$FIX/block4096" --fonts "$TOP/fonts" certificates 2025 --award MEDAL
check "qpdf --check that certificate" qpdf --check "$WORK/out4096/certificates/2025/MEDAL/print.pdf"

finish
