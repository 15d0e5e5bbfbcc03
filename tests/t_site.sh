#!/bin/sh
# t_site.sh — `jingsai publish`, the verification site: from the certificates
# of tests/fixtures/cert, a page where each printed QR code points (followed
# from the code as a phone reads it, over HTTP, in headless Chromium when it
# is there), its fields, escaping, nothing fetched and nothing the certificate
# does not print; a forged code finds no page; the lists; pages rewritten
# only when their certificate changed; a withdrawn certificate's page; a
# certificate signed anew leaves no page at its old address; the key and
# the URL checked.
. "$(dirname "$0")/lib.sh"

FIX=$TOP/tests/fixtures/cert
DB=$WORK/store.db
OUT=$WORK/out
SITE=$OUT/site
HOST=https://zs.example.cn
J() { "$JINGSAI" --db "$DB" --output "$OUT" --templates "$TOP/templates" --fonts "$TOP/fonts" "$@"; }
q() { sqlite3 "$DB" "$1"; }
# The page a URL of the site's host names, as a web server finds it.
page_of() { echo "$SITE${1#$HOST}/index.html"; }
# The URL in the QR code of certificate $1 (2025, award $2).
qr_of() {
	rm -f "$WORK"/qr*.png
	pdftoppm -r 150 -png "$OUT/certificates/2025/$2/$1.pdf" "$WORK/qr"
	zbarimg -q --raw "$WORK"/qr*.png 2>/dev/null
}

J certificates 2025 >/dev/null 2>&1     # the schema
sqlite3 "$DB" <"$FIX/base.sql" || fail "fixture store"
# A unit whose name HTML would take for markup.
q "UPDATE enterprise SET name = '江苏<b>鑫&amp;\"源''</b>机械有限公司' WHERE credit_code =
   (SELECT credit_code FROM award_row WHERE recipient = '李堃鹏')"

# A URL with a query cannot be a static page: said, nothing written.
printf 'site-test-key-0123456789\n' >"$WORK/key"; chmod 600 "$WORK/key"
JINGSAI_KEY_FILE=$WORK/key; export JINGSAI_KEY_FILE
expect_status 0 "certificates 2025 (signed)" J certificates 2025
expect_status 3 "publish refuses a verification URL with a query" J publish
expect_diag "and says why" "a query (?…), which a static site cannot answer"
check "nothing published" test ! -e "$SITE"
q "UPDATE programme SET value = 'https://zs.example.cn/v/../../etc/{payload}' WHERE key = 'verify_url'"
expect_status 3 "publish refuses a URL whose path climbs out of the site" J publish
expect_diag "and says why" "a path segment that is empty, . or .."

q "UPDATE programme SET value = '$HOST/zs/{payload}' WHERE key = 'verify_url'"
expect_status 0 "certificates 2025 again, for the new URL" J certificates 2025
expect_status 0 "publish" J publish
grep -q "^jingsai publish: [1-9][0-9]* pages written, 0 unchanged, 0 removed" "$WORK/stdout" &&
	ok "publish says what it wrote" || fail "publish summary: $(cat "$WORK/stdout")"

s_wang=$(q "SELECT serial FROM certificate WHERE recipient = '王喆'")
s_li=$(q "SELECT serial FROM certificate WHERE recipient = '李堃鹏'")
s_cert=$(q "SELECT serial FROM certificate WHERE award = 'CERT'")
url=$(qr_of "$s_wang" MEDAL)
case "$url" in "$HOST/zs/$s_wang."*) ok "the QR code holds the site's URL of $s_wang";;
	*) fail "QR code of $s_wang: '$url'";; esac
P=$(page_of "$url")
check "the page is at the path of the QR code's URL" test -f "$P"
pages=$(find "$SITE/zs" -mindepth 2 -name index.html | wc -l)
[ "$pages" = "$(q "SELECT count(*) FROM certificate WHERE fields IS NOT NULL")" ] &&
	ok "one page per certificate printed ($pages)" || fail "pages: $pages"

# What the page says: the fields as printed, the issuer, what it proves.
txt() { python3 -c 'import html,re,sys; t=open(sys.argv[1],encoding="utf-8").read(); t=re.sub(r"<style>.*?</style>","",t,flags=re.S); print(html.unescape(re.sub(r"<[^>]+>"," ",t)))' "$1"; }
txt "$P" >"$WORK/page.txt"
for want in 王喆 南通市五一劳动奖章 二〇二五年四月二十八日 "$s_wang" 南通市劳动竞赛委员会 本证书真实有效 本页证明什么; do
	grep -qF "$want" "$WORK/page.txt" || fail "the page of $s_wang shows $want"
done
unit=$(q "SELECT unit FROM certificate WHERE serial = '$s_wang'")
grep -qF "$unit" "$WORK/page.txt" && ok "the page shows award, recipient, unit, date, serial, issuer" ||
	fail "unit on the page"
# Markup in a name is text.
Pli=$(page_of "$(qr_of "$s_li" MEDAL)")
grep -qF '江苏&lt;b&gt;鑫&amp;amp;&quot;源&#39;&lt;/b&gt;机械有限公司' "$Pli" && ! grep -q '<b>' "$Pli" &&
	ok "a unit name with < & \" ' is escaped" || fail "escaping: $(grep -o '江苏[^<]*' "$Pli" | head -1)"
# Nothing fetched, no script, nothing the certificate does not print.
if grep -qiE '<script|<link|<img|<iframe|src=|@import|url\(|https?://' "$SITE/zs"/*/index.html "$SITE/zs"/*.html "$SITE"/zs/*/*.html "$SITE"/*.html; then
	fail "a page fetches or runs something"
else
	ok "no script, nothing fetched from elsewhere"
fi
# No page is for search engines: the lists name people with their employers.
unindexed=$(find "$SITE" -name '*.html' | while read -r f; do grep -q '<meta name="robots" content="noindex">' "$f" || echo "${f#$SITE/}"; done)
[ -z "$unindexed" ] && ok "every page asks search engines not to index it" ||
	fail "pages without noindex: $(echo $unindexed | head -c 200)"
leak=0
for code in $(q "SELECT DISTINCT credit_code FROM certificate"); do
	grep -rqF "$code" "$SITE" && leak=1
done
grep -rqF "site-test-key" "$SITE" && leak=1
[ $leak = 0 ] && ok "no credit code, no key on the site" || fail "the site shows a credit code or the key"

# A forged code (one character of the MAC changed) finds no page.
last=$(printf '%s' "$url" | tail -c 1)
case "$last" in A) other=B;; *) other=A;; esac
forged="$(printf '%s' "$url" | sed 's/.$//')$other"
check "a forged code names no page" test ! -e "$(page_of "$forged")"
check "nor a bare serial" test ! -e "$SITE/zs/$s_wang/index.html"
# What the holder sees there instead of the web server's English one: the
# site's own 404.html at its root, which says in Chinese what a missing page
# means, with no name on it, and links by absolute paths (it is served at
# any address).
N=$SITE/404.html
if test -f "$N"; then
	txt "$N" >"$WORK/404.txt"
	grep -q "未找到" "$WORK/404.txt" && grep -qF "南通市劳动竞赛委员会" "$WORK/404.txt" &&
		grep -q 'noindex' "$N" && grep -q 'href="/zs/index.html"' "$N" && ! grep -q 'href="[^/]' "$N" &&
		! grep -qF "王喆" "$N" && ok "the site's 404.html says what a missing page means" ||
		fail "404.html: $(cat "$WORK/404.txt" | tr -s ' \n' ' ' | head -c 300)"
else
	fail "the site has no 404.html"
fi

# The lists: one per award, ceremony order, no page of its own address.
L=$SITE/zs/2025/MEDAL.html
check "the list of MEDAL 2025" test -f "$L"
check "the index of the lists" test -f "$SITE/zs/index.html"
txt "$L" >"$WORK/list.txt"
[ "$(grep -c 2025-MEDAL- "$WORK/list.txt")" = "$(q "SELECT count(*) FROM certificate WHERE award = 'MEDAL' AND status = 'active'")" ] &&
	ok "the list names every MEDAL" || fail "the list of MEDAL"
grep -q "2025年度南通市五一劳动奖章名单" "$WORK/list.txt" && ok "the list's title" || fail "list title"
if grep -q "$(printf '%s' "$url" | sed 's|.*/||')" "$L" "$SITE/zs/index.html"; then
	fail "a list gives a page's address away"
else
	ok "no list gives a page's code away"
fi
grep -q '2025/MEDAL.html' "$SITE/zs/index.html" && ok "the index links the list" || fail "index links"

# Over HTTP, as a phone follows the code: the page, and no page for a forgery.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$SITE" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$WORK"' EXIT
status() { python3 - "$1" <<'EOF'
import sys, time, urllib.request, urllib.error
for _ in range(50):
    try:
        print(urllib.request.urlopen(sys.argv[1], timeout=5).status); break
    except urllib.error.HTTPError as e:
        print(e.code); break
    except OSError:
        time.sleep(0.1)
EOF
}
local_url=$(printf '%s' "$url" | sed "s|^$HOST|http://127.0.0.1:$port|")
local_forged=$(printf '%s' "$forged" | sed "s|^$HOST|http://127.0.0.1:$port|")
[ "$(status "$local_url")" = 200 ] && ok "the QR code's URL answers 200" || fail "HTTP status of the page"
# The web server sends the browser on to the folder, PATH/: that is the
# address a holder copies from the phone and sends the office, and verify
# takes it (and PATH/index.html) for the code it holds.
shown=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).geturl())' "$local_url")
case "$shown" in "$local_url/") ok "the browser is sent on to $s_wang.…/";; *) fail "the address shown: $shown";; esac
for copied in "$url/" "$url/index.html" " $url"; do
	expect_status 0 "verify '$copied'" J verify "$copied"
	grep -q "^valid: $s_wang (code checked)" "$WORK/stdout" || fail "verify '$copied': $(head -1 "$WORK/stdout")"
done
expect_status 1 "verify a forged code with a final /" J verify "$forged/"
grep -q "^altered: the code of $s_wang does not match" "$WORK/stdout" && ok "is altered" ||
	fail "verify '$forged/': $(head -1 "$WORK/stdout")"
[ "$(status "$local_forged")" = 404 ] && ok "a forged code answers 404" || fail "HTTP status of a forgery"
if command -v chromium >/dev/null 2>&1; then
	chrome() { timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$WORK/chrome" "$@" 2>/dev/null; }
	chrome --dump-dom "$local_url" >"$WORK/dom.html"
	dom_ok=1
	for want in "<dd>王喆</dd>" "<dd>南通市五一劳动奖章</dd>" "<dd>$s_wang</dd>" "<dd>二〇二五年四月二十八日</dd>" \
	    "<dd>$unit</dd>" "<dd>南通市劳动竞赛委员会</dd>"; do
		grep -qF "$want" "$WORK/dom.html" || { dom_ok=0; echo "    no $want"; }
	done
	[ $dom_ok = 1 ] && ok "Chromium, following the QR code: the page holds the recorded fields" ||
		fail "Chromium --dump-dom of the page"
	chrome --dump-dom "$local_forged" >"$WORK/dom404.html"
	grep -q "404" "$WORK/dom404.html" && ! grep -qF "王喆" "$WORK/dom404.html" &&
		ok "Chromium, following a forged code: not found" || fail "Chromium on a forgery"
	# A picture at a phone's width, for a person to look at.
	chrome --screenshot="$WORK/phone.png" --window-size=390,844 "$local_url" >/dev/null
	[ -s "$WORK/phone.png" ] && ok "a screenshot at 390 px" || fail "screenshot"
	[ -n "$SITE_SHOT" ] && cp "$WORK/phone.png" "$SITE_SHOT"
	# At a phone's width no line of a heading or paragraph is left with one
	# or two characters (2025年度南通市五一劳动奖章 / 名单 read badly).  The
	# lines are counted by a script put into a copy of the page for the
	# test only: the site itself runs none.
	lines() {
		python3 - "$1" "$WORK/measured.html" <<'EOF'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
probe = """<script>
document.body.style.width = '390px';   /* --dump-dom keeps its own window */
const out = [];
for (const el of document.querySelectorAll('h1, main > p')) {
  const t = el.firstChild;
  if (!t || t.nodeType !== 3 || el.childNodes.length !== 1) continue;
  const r = document.createRange(), tops = new Map();
  for (let i = 0; i < t.length; i++) {
    r.setStart(t, i); r.setEnd(t, i + 1);
    const y = Math.round(r.getBoundingClientRect().top);
    tops.set(y, (tops.get(y) || 0) + 1);
  }
  out.push(el.tagName + ':' + [...tops.values()].join(','));
}
document.body.setAttribute('data-lines', out.join(' '));
</script>"""
open(sys.argv[2], "w", encoding="utf-8").write(page.replace("</body>", probe + "</body>"))
EOF
		chrome --window-size=390,844 --dump-dom "file://$WORK/measured.html" | grep -o 'data-lines="[^"]*"'
	}
	short=
	for page in "$L" "$SITE/zs/index.html" "$P" "$SITE/404.html"; do
		got=$(lines "$page")
		case "$got" in *[:,][12]\ *|*[:,][12]\"|"") short="$short ${page#$SITE/}: $got";; esac
	done
	[ -z "$short" ] && ok "at 390 px no line of a heading or paragraph holds one or two characters" ||
		fail "lines at 390 px:$short"
else
	echo "SKIP: chromium is not installed: the pages are not opened in a browser (apt-get install chromium)"
fi

# Unchanged certificates: nothing written again.
touch "$WORK/stamp"
sleep 1
expect_status 0 "publish again" J publish
grep -q "^jingsai publish: 0 pages written" "$WORK/stdout" && [ -z "$(find "$SITE" -newer "$WORK/stamp")" ] &&
	ok "publishing unchanged certificates writes nothing" || fail "republish: $(cat "$WORK/stdout")"

# Another year only: this year's pages stay, nothing written (the index
# and the 404 page are every year's).
expect_status 0 "publish 2024 (no certificates)" J publish 2024
grep -q "^jingsai publish: 0 pages written, 2 unchanged, 0 removed" "$WORK/stdout" && test -f "$P" &&
	ok "publishing another year leaves this year's pages" || fail "publish 2024: $(cat "$WORK/stdout")"

# A withdrawn certificate: its page says so and names no one; the list drops it.
q "DELETE FROM award_row WHERE recipient = '王喆'"
J certificates 2025 >/dev/null 2>&1
expect_status 0 "publish after a withdrawal" J publish
grep -q "^jingsai publish: 3 pages written" "$WORK/stdout" && ok "three files rewritten: the page, the list, the index" ||
	fail "after a withdrawal: $(cat "$WORK/stdout")"
txt "$P" >"$WORK/page.txt"
grep -q "本证书已撤销" "$WORK/page.txt" && grep -qF "$s_wang" "$WORK/page.txt" && ! grep -q "王喆" "$WORK/page.txt" &&
	ok "the withdrawn certificate's page says so, without the recipient" || fail "withdrawn page"
grep -q "王喆" "$L" && fail "a withdrawn recipient stays on the list" || ok "the list drops the withdrawn one"

# A unit renamed in the enterprise register after the certificates were
# handed out: they are printed again with the new name, so with a new code.
# The copy handed out still carries the old one: its page stays, says that
# the certificate was printed again, and shows what each copy prints (a 404
# would call it a forgery); verify says superseded.
s_wu=$(q "SELECT serial FROM certificate WHERE recipient = '吴𠮷'")
old_wu=$(qr_of "$s_wu" MEDAL)
q "UPDATE enterprise SET name = '国网江苏省电力有限公司南通市供电分公司' WHERE credit_code = '91320600MA1XXXXX04'"
expect_status 0 "certificates 2025 after a unit renamed" J certificates 2025
expect_diag "says which certificate is printed again, and what changed" \
	"certificate $s_wu (吴𠮷) is printed again with a new QR code: its unit was '国网江苏省电力有限公司南通供电分公司' and is now '国网江苏省电力有限公司南通市供电分公司'"
new_wu=$(qr_of "$s_wu" MEDAL)
[ -n "$old_wu" ] && [ "$old_wu" != "$new_wu" ] && ok "the certificate printed again carries a new code" ||
	fail "codes of $s_wu: $old_wu, $new_wu"
expect_status 0 "publish after a unit renamed" J publish
Pwu_old=$(page_of "$old_wu")
txt "$(page_of "$new_wu")" >"$WORK/page.txt"
grep -q "本证书真实有效" "$WORK/page.txt" && grep -qF "国网江苏省电力有限公司南通市供电分公司" "$WORK/page.txt" &&
	ok "the new code's page shows the new unit" || fail "the page of the new code"
if test -f "$Pwu_old"; then
	txt "$Pwu_old" >"$WORK/page.txt"
	grep -q "本证书为原件，已重新印发" "$WORK/page.txt" && grep -qF "国网江苏省电力有限公司南通供电分公司" "$WORK/page.txt" &&
		grep -qF "国网江苏省电力有限公司南通市供电分公司" "$WORK/page.txt" && grep -qF "吴𠮷" "$WORK/page.txt" &&
		! grep -q "本证书真实有效" "$WORK/page.txt" &&
		ok "the old code's page says the certificate was printed again, with both units" ||
		fail "the old code's page: $(tr -s ' \n' ' ' <"$WORK/page.txt" | head -c 400)"
else
	fail "the copy handed out before finds no page at $old_wu"
fi
[ "$(status "$(printf '%s' "$old_wu" | sed "s|^$HOST|http://127.0.0.1:$port|")")" = 200 ] &&
	ok "the old code's URL answers 200" || fail "HTTP status of the old code"
expect_status 1 "verify the old code" J verify "$old_wu"
grep -q "^superseded: $s_wu is a copy printed before" "$WORK/stdout" &&
	grep -qF "unit: 国网江苏省电力有限公司南通市供电分公司" "$WORK/stdout" &&
	ok "verify answers superseded, with the unit printed now" || fail "verify of the old code: $(cat "$WORK/stdout")"
expect_status 0 "verify the new code" J verify "$new_wu"
grep -q "^valid: $s_wu (code checked)" "$WORK/stdout" && ok "answers valid" || fail "verify: $(cat "$WORK/stdout")"
touch "$WORK/stamp"
sleep 1
expect_status 0 "publish again" J publish
grep -q "^jingsai publish: 0 pages written" "$WORK/stdout" && [ -z "$(find "$SITE" -newer "$WORK/stamp")" ] &&
	ok "publishing again writes nothing" || fail "republish: $(cat "$WORK/stdout")"
# Its unit renamed back: the first code is the current one again, and the
# second's page says the certificate was printed again.
q "UPDATE enterprise SET name = '国网江苏省电力有限公司南通供电分公司' WHERE credit_code = '91320600MA1XXXXX04'"
J certificates 2025 >/dev/null 2>&1
expect_status 0 "publish after the unit renamed back" J publish
[ "$(qr_of "$s_wu" MEDAL)" = "$old_wu" ] && grep -q "本证书真实有效" "$Pwu_old" &&
	grep -q "本证书为原件，已重新印发" "$(page_of "$new_wu")" &&
	ok "renamed back: the first code valid again, the second's page says printed again" ||
	fail "renamed back"

# Signed anew under another key: the old codes find no page, the new ones do.
printf 'site-test-key-another-one\n' >"$WORK/key2"; chmod 600 "$WORK/key2"
expect_status 3 "publish with a key that did not sign" env JINGSAI_KEY_FILE="$WORK/key2" "$JINGSAI" \
	--db "$DB" --output "$OUT" publish
expect_diag "says the key is another" "did not sign the certificates of 2025 MEDAL"
expect_status 3 "publish without the key" env -u JINGSAI_KEY_FILE "$JINGSAI" --db "$DB" --output "$OUT" publish
expect_diag "says the key is needed" "the certificates of 2025 MEDAL carry QR codes signed with a key, and JINGSAI_KEY_FILE is not set"
old=$(page_of "$(qr_of "$s_cert" CERT)")
JINGSAI_KEY_FILE=$WORK/key2 J certificates 2025 --re-sign >/dev/null 2>&1
expect_status 0 "publish after signing anew" env JINGSAI_KEY_FILE="$WORK/key2" "$JINGSAI" --db "$DB" \
	--output "$OUT" publish
new=$(page_of "$(qr_of "$s_cert" CERT)")
[ "$old" != "$new" ] && test ! -e "$old" && test ! -d "$(dirname "$old")" && test -f "$new" &&
	ok "the page moved to the new code; the old address has none" || fail "re-signed: $old -> $new"
test ! -e "$Pwu_old" && test ! -e "$(page_of "$new_wu")" &&
	ok "nor have the codes of a certificate printed again under the key before" ||
	fail "pages of the codes signed with the key before stay"
[ "$(q "SELECT count(*) FROM document WHERE path LIKE 'site/%' AND path NOT IN ('site/zs/index.html', 'site/404.html')
	AND path NOT LIKE 'site/zs/2025/%'")" = "$(find "$SITE/zs" -mindepth 2 -name index.html | wc -l)" ] &&
	ok "the store records exactly the pages there are" || fail "page records"

finish
