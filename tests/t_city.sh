#!/bin/sh
# t_city.sh — another city runs the product from its own programme.xml:
# tests/fixtures/city/programme.xml (Yangzhou: eight regions of other codes,
# five tracks, seven awards of other codes, another issuer, prefix, URL,
# slogan and targets).  The generator makes its data, the nightly run ingests
# it and writes every document and the site, and no document, CSV or page
# shows a word of the default programme that Yangzhou's does not share
# (tests/city_check.py); what the city says is its own; its two rules give
# two different awards; awards without a template print with the default
# one, and a template an award names but that is not there fails the run.
. "$(dirname "$0")/lib.sh"

GEN=$TOP/build/tools/gen
PROG=$TOP/tests/fixtures/city/programme.xml
[ -x "$GEN" ] || { fail "build/tools/gen exists (run make)"; finish; }
cd "$WORK" || exit 3
J() { "$JINGSAI" --input in --db db --output out --templates "$TOP/templates" --fonts "$TOP/fonts" "$@"; }
q() { sqlite3 db "$1"; }
text() { pdftotext -q -layout "$1" - | tr -d ' \n\f'; }

# The generator, for this programme (two years keep the test quick; the
# round 2024-2025 and the awards rules are in them).
expect_status 0 "gen --programme (another city)" "$GEN" --scale sample --seed 3 --years 2024-2025 \
	--programme "$PROG" --out in
cp "$PROG" in/programme.xml
[ "$(ls in/企业名录 | sed 's/-.*//' | tr '\n' ' ')" = "321002 321003 321012 321023 321081 321084 ETDZ SS " ] &&
	ok "one enterprise register per region of the programme" || fail "registers: $(ls in/企业名录)"
tracks=$(cat in/*/*/*.xml | grep -o 'track="[^"]*"' | sort -u | tr '\n' ' ')
[ "$tracks" = 'track="G1" track="G2" track="G3" track="G4" track="G5" ' ] &&
	ok "projects of the programme's five tracks" || fail "tracks: $tracks"
grep -q 'region="江都市"' in/2024/321012/*.xml && ok "a region's former name in its first return" ||
	fail "the former name 江都市"
check "the last park sends no return for the first year" test ! -e in/2024/ETDZ

printf 'city-test-key-0123456789\n' >key; chmod 600 key
JINGSAI_KEY_FILE=$WORK/key SOURCE_DATE_EPOCH=1767225600; export JINGSAI_KEY_FILE SOURCE_DATE_EPOCH
expect_status 0 "the nightly run on another city's programme" J run
grep -q "32 files accepted, 0 rejected" "$WORK/stdout" && ok "every generated file accepted" ||
	fail "ingest: $(cat "$WORK/stdout")"
expect_diag "awards without a template: said once, all of them" \
	"warning: awards LDJZT (扬州市五一劳动奖状), XFH (扬州市工人先锋号), JSNS (扬州市技术能手), CXNS (扬州市职工创新能手), JGBB (扬州市五一巾帼标兵), GJ (扬州工匠) name no certificate template"
[ "$(grep -c 'name no certificate template' "$WORK/stderr")" = 1 ] && ok "the default template said once" ||
	fail "said $(grep -c 'name no certificate template' "$WORK/stderr") times"

# Every document a city gets.
for f in annual/2025/city.pdf annual/2025/321012.pdf annual/2025/ETDZ.pdf annual/2024/SS.pdf \
    bulletin/2024-2025/bulletin.pdf certificates/2025/manifest.csv site/zhengshu/index.html; do
	[ -f "out/$f" ] || fail "out/$f written"
done
n=$(ls out/annual/2025/*.pdf | wc -l)
[ "$n" = 9 ] && ok "city report and eight region reports" || fail "annual reports: $n"
for a in LDJZ LDJZT XFH JSNS CXNS JGBB GJ; do
	[ -f "out/certificates/2025/$a/print.pdf" ] || [ -f "out/certificates/2024/$a/print.pdf" ] ||
		fail "certificates of $a"
done

# No word of the default programme that Yangzhou does not share, anywhere.
find out -name '*.pdf' -path '*annual*' >files
find out -name '*.pdf' -path '*bulletin*' >>files
find out -name print.pdf >>files
find out -name '*.pdf' -path '*certificates*' ! -name print.pdf | sort | head -20 >>files
find out -name '*.csv' >>files
find out/site -name '*.html' >>files
if python3 "$TOP/tests/city_check.py" "$TOP/input/programme.xml" "$PROG" $(cat files) >found; then
	ok "no word of the default programme in $(wc -l <files) documents, CSVs and pages"
else
	fail "words of the default programme: $(sort found | head -10)"
fi

# What the city says is its own.
csv=out/annual/2025/city.csv
grep -q "^地区,重大项目,技术创新,绿色低碳,职业技能,安康杯,合计" "$csv" &&
	ok "region × track table: a column per track, its short name" || fail "track columns: $(grep '^地区,' "$csv" | sed -n 4p)"
c=$(text out/annual/2025/city.pdf)
case "$c" in *重大项目劳动竞赛、职工技术创新竞赛等五类竞赛*) ok "the tracks in the report's text, and how many";;
	*) fail "tracks in the text";; esac
case "$c" in *经开区*) ok "the park's short name on the chart";; *) fail "short name on the chart";; esac
r=$(text out/annual/2025/321002.pdf)
case "$r" in *在报送数据的8个地区中*) ok "the region report's note counts this city's regions";;
	*) fail "the region note: $(echo "$r" | grep -o '在报送数据的[0-9]*个地区中')";; esac
b=$(text out/bulletin/2024-2025/bulletin.pdf)
case "$b" in *扬劳竞〔2026〕1号*) ok "the bulletin's number with the city's prefix";; *) fail "document number";; esac
case "$b" in *第一完成人授予扬州市五一劳动奖章。*) ok "the bulletin names the award of the top ten";;
	*) fail "the bulletin's award";; esac
case "$b" in *良好氛围，为奋力谱写“好地方”扬州高质量发展新篇章作出新的更大贡献。*) ok "the bulletin closes with the city's slogan";;
	*) fail "the slogan";; esac

# Each rule gives its own award.
[ "$(q "SELECT count(*) FROM certificate WHERE source LIKE '%top-ten%' AND award <> 'LDJZ'")" = 0 ] &&
	[ "$(q "SELECT count(*) FROM certificate WHERE source LIKE '%top-ten%'")" -ge 10 ] &&
	ok "the top ten's first completers receive LDJZ" || fail "top-ten award"
[ "$(q "SELECT count(*) FROM certificate WHERE source LIKE '%skills%' AND award <> 'JSNS'")" = 0 ] &&
	[ "$(q "SELECT count(*) FROM certificate WHERE source LIKE '%skills%'")" -ge 1 ] &&
	ok "the city contests' winners receive JSNS" || fail "skills award"

# Awards without a template: the default one, with the title from programme.xml.
case "$(text out/certificates/2025/JGBB/print.pdf)" in *荣誉证书*扬州市五一巾帼标兵*荣誉称号，特发此证。*扬州市劳动竞赛委员会*)
	ok "an award without a template prints with the default one";; *) fail "default person template";; esac
case "$(text out/certificates/2025/LDJZT/print.pdf)" in *兹授予*有限公司*扬州市五一劳动奖状*)
	ok "a unit award with the default unit template";; *) fail "default unit template";; esac

# The site: the QR code of a certificate leads to its page.
s=$(q "SELECT serial FROM certificate WHERE award = 'GJ' AND year = 2025 ORDER BY seq LIMIT 1")
pdftoppm -r 150 -png "out/certificates/2025/GJ/$s.pdf" qr
url=$(zbarimg -q --raw qr*.png 2>/dev/null)
case "$url" in "https://zs.yzgh.org.cn/zhengshu/$s."*) ok "the QR code holds the city's URL";; *) fail "QR: $url";; esac
page="out/site${url#https://zs.yzgh.org.cn}/index.html"
grep -q "扬州工匠" "$page" 2>/dev/null && ok "and its page is on the site" || fail "page of $s"

# A night with nothing new: nothing said, nothing written.
touch stamp
sleep 1
expect_status 0 "the nightly run again" J run
[ ! -s "$WORK/stdout" ] && [ ! -s "$WORK/stderr" ] && [ -z "$(find out -newer stamp)" ] &&
	ok "a night with nothing new writes no page and no document" ||
	fail "second run: $(cat "$WORK/stdout" "$WORK/stderr" | head -3); $(find out -newer stamp | head -3)"

# A template an award names that is not there: the award, the file, how to make it; exit 3.
sed 's|template="cert-MEDAL.xml"|template="cert-LDJZ.xml"|' "$PROG" >in/programme.xml
expect_status 3 "a missing template an award names fails the run" J run
# (said for each year with LDJZ certificates: a year that fails does not stop the next)
[ "$(grep -c "award LDJZ (扬州市五一劳动奖章): no certificate template $TOP/templates/cert-LDJZ.xml (No such file or directory): make it (copy $TOP/templates/cert-default-person.xml" "$WORK/stderr")" -ge 1 ] &&
	ok "naming the award, the file and how to make it" || fail "naming the award: $(head -3 "$WORK/stderr")"
expect_status 3 "and the certificates command too" J certificates 2025 --award LDJZ

finish
