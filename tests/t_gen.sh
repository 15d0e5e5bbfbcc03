#!/bin/sh
# t_gen.sh — the synthetic data generator: deterministic, valid credit codes,
# consistent references, the encodings and quirks the sample promises, and
# input/ being exactly what the generator writes for seed 2025.
. "$(dirname "$0")/lib.sh"

GEN=$TOP/build/tools/gen
[ -x "$GEN" ] || { fail "build/tools/gen exists (run make)"; finish; }
# The generator is not built with sanitizers: the second pass would only
# repeat the first.
[ -n "$SANITIZED" ] && finish

expect_status 0 "gen --help" "$GEN" --help
expect_status 2 "gen rejects an unknown scale" "$GEN" --scale county --seed 1 --out "$WORK/x"
expect_err "unknown scale is named" "gen: unknown scale 'county' (sample, city or province)"
expect_status 2 "gen rejects bad years" "$GEN" --scale sample --seed 1 --out "$WORK/x" --years 2025-2021

expect_status 0 "sample generates" "$GEN" --scale sample --seed 7 --out "$WORK/a"
expect_status 0 "sample generates again" "$GEN" --scale sample --seed 7 --out "$WORK/b"
check "same seed gives byte-identical files" diff -r "$WORK/a" "$WORK/b"
"$GEN" --scale sample --seed 8 --out "$WORK/c" >/dev/null
if diff -r "$WORK/a" "$WORK/c" >/dev/null 2>&1; then fail "another seed gives other data"; else ok "another seed gives other data"; fi

S=$WORK/a
# UTF-8 copies of every CSV (GB18030 files converted, BOM and CR removed),
# listed by kind (the header's last-but-one distinctive column).  A file is
# either strict UTF-8 or strict GB18030; anything else fails here.
mkdir -p "$WORK/u"
BOM=$(printf '\357\273\277'); CR=$(printf '\r')
bad=0; n=0; gbk=0; bom=0; crlf=0; gb_crlf=0; nonbmp_gb=0; gb_rare=0
find "$S" -name '*.csv' | sort >"$WORK/csvs"
while IFS= read -r f; do
	n=$((n + 1)); out="$WORK/u/$n.csv"; gb=0
	if iconv -f UTF-8 -t UTF-8 "$f" >"$out" 2>/dev/null; then :
	elif iconv -f GB18030 -t UTF-8 "$f" >"$out" 2>/dev/null; then gbk=$((gbk + 1)); gb=1
	else bad=$((bad + 1)); echo "    not UTF-8 nor GB18030: $f"; fi
	[ "$(head -c 3 "$f")" = "$BOM" ] && bom=$((bom + 1))
	if grep -q "$CR\$" "$f"; then crlf=$((crlf + 1)); gb_crlf=$((gb_crlf + gb)); fi
	sed -i "1s/^$BOM//; s/$CR\$//" "$out"
	[ $gb = 1 ] && grep -q '𠮷' "$out" && nonbmp_gb=$((nonbmp_gb + 1))
	[ $gb = 1 ] && grep -qF -e 喆 -e 堃 -e 昇 -e 镕 -e 旻 "$out" && gb_rare=$((gb_rare + 1))
	read -r header <"$out"
	for kind in ownership participants first_completer judge city_contest recipient_kind; do
		case ",$header," in *",$kind,"*) echo "$out" >>"$WORK/kind.$kind" ;; esac
	done
done <"$WORK/csvs"
[ $bad = 0 ] && ok "every CSV is UTF-8 or GB18030 ($n files)" || fail "$bad CSV files in no known encoding"
[ $gbk -ge 3 ] && ok "some CSV files are GB18030 ($gbk)" || fail "GB18030 files: $gbk"
[ $bom -ge 3 ] && ok "some CSV files carry a UTF-8 BOM ($bom)" || fail "BOM files: $bom"
[ $crlf -ge 3 ] && ok "some CSV files end lines with CRLF ($crlf)" || fail "CRLF files: $crlf"
[ $gb_rare -ge 2 ] && ok "GB18030 files carry names outside GB2312 ($gb_rare)" || fail "GB18030 files with 喆 堃 昇 镕 旻: $gb_rare"
[ $gb_crlf = $gbk ] && ok "GB18030 files use CRLF, as Excel writes them" || fail "GB18030 with CRLF: $gb_crlf of $gbk"
for kind in ownership participants first_completer judge city_contest recipient_kind; do
	check "some files of the kind with column $kind" test -s "$WORK/kind.$kind"
done

# Names outside GB2312 and outside the BMP.
cat "$WORK"/u/*.csv "$S"/*/*/*.xml >"$WORK/all.txt"
for ch in 喆 堃 昇 镕 旻; do
	check "names use $ch (outside GB2312)" grep -q "$ch" "$WORK/all.txt"
done
check "a name uses 𠮷 (outside the BMP)" grep -q '𠮷' "$WORK/all.txt"
[ $nonbmp_gb = 0 ] && ok "𠮷 appears only in UTF-8 files" || fail "𠮷 in $nonbmp_gb GB18030 files"
gb2312_fail=0
for f in "$WORK"/u/*.csv; do
	iconv -f UTF-8 -t GB2312 "$f" >/dev/null 2>&1 || gb2312_fail=$((gb2312_fail + 1))
	[ $gb2312_fail -ge 5 ] && break
done
[ $gb2312_fail -ge 5 ] && ok "many files need more than GB2312 ($gb2312_fail)" || fail "files beyond GB2312: $gb2312_fail"

# cols KIND NAME: prints column NAME of the converted CSV files of KIND (a
# column only that kind has).  Fields holding commas are quoted: split them.
cols() {
	awk -v want="$2" '
	function split_csv(line, out,   n, i, c, q, field) {
		n = 0; field = ""; q = 0
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			if (q) { if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { field = field c; i++ } else q = 0 } else field = field c }
			else if (c == "\"") q = 1
			else if (c == ",") { out[++n] = field; field = "" }
			else field = field c
		}
		out[++n] = field; return n
	}
	FNR == 1 { n = split_csv($0, h); k = 0; for (i = 1; i <= n; i++) if (h[i] == want) k = i; next }
	index($0, "\"") == 0 { split($0, v, ","); print v[k]; next }
	{ split_csv($0, v); print v[k] }' $(cat "$WORK/kind.$1")
}

# Credit codes: GB 32100-2015 check character on every code in every file.
for kind in ownership participants first_completer city_contest recipient_kind; do
	cols $kind credit_code
done | sort -u >"$WORK/codes"
awk '
BEGIN { cs = "0123456789ABCDEFGHJKLMNPQRTUWXY"; split("1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28", w, " ") }
length($0) != 18 { print "length: " $0; bad++; next }
{ s = 0; for (i = 1; i <= 17; i++) { v = index(cs, substr($0, i, 1)) - 1; if (v < 0) { bad++; next } s += v * w[i] }
  c = (31 - s % 31) % 31; if (substr(cs, c + 1, 1) != substr($0, 18, 1)) { print "check: " $0; bad++ } }
END { exit bad > 0 }' "$WORK/codes" >"$WORK/badcodes"
[ $? = 0 ] && ok "every credit code passes GB 32100 ($(wc -l <"$WORK/codes") codes)" || { fail "bad credit codes"; head -5 "$WORK/badcodes"; }

# References: participation names known enterprises and that year's projects.
cols ownership credit_code | sort >"$WORK/enterprises"
check "enterprise credit codes are unique" test -z "$(uniq -d "$WORK/enterprises")"
cols participants credit_code | sort -u >"$WORK/pcodes"
check "participation names only registered enterprises" test -z "$(comm -23 "$WORK/pcodes" "$WORK/enterprises")"
cols participants project_id | sort -u >"$WORK/pids"
grep -ho 'project id="[^"]*"' "$S"/*/*/*.xml | sed 's/.*="//; s/"//' | sort -u >"$WORK/ids"
check "participation names only declared projects" test -z "$(comm -23 "$WORK/pids" "$WORK/ids")"
cols participants year >"$WORK/py"; cols participants project_id >"$WORK/pp"
check "a participation row's project is of its year" test -z "$(paste -d' ' "$WORK/py" "$WORK/pp" | awk 'substr($2, 1, 4) != $1')"
cols recipient_kind award >"$WORK/aw"; cols recipient_kind gender >"$WORK/ag"; cols recipient_kind recipient_kind >"$WORK/ak"
check "WOMEN awards go to women only" test -z "$(paste -d' ' "$WORK/aw" "$WORK/ag" | awk '$1 == "WOMEN" && $2 != "女"')"
check "recipient kinds fit the awards" test -z "$(paste -d' ' "$WORK/aw" "$WORK/ak" | awk '
	($1 == "CERT" && $2 != "unit") || ($1 == "PIONEER" && $2 != "team") || ($1 != "CERT" && $1 != "PIONEER" && $2 != "person")')"
cols judge score | awk '!/^[0-9]+(\.[0-9])?$/ || $0 > 100' >"$WORK/badscores"
check "scores have at most one decimal" test ! -s "$WORK/badscores"

# The round's ranking (SPEC §4, in exact tenths): two deliberate ties, one at
# tenth place (the top ten of 科技创新成果 lists eleven), one at third place.
cat $(cat "$WORK/kind.judge") | awk -F, '
/entry_id/ { for (i = 1; i <= NF; i++) h[$i] = i; next }
{ e = $h["entry_id"]; v = int($h["score"] * 10 + 0.5); n[e]++; s[e] += v
  if (!(e in mx) || v > mx[e]) mx[e] = v; if (!(e in mn) || v < mn[e]) mn[e] = v }
END { for (e in n) { t = s[e]; c = n[e]; if (c >= 5) { t -= mx[e] + mn[e]; c -= 2 }
  printf "%s %s %d %d\n", substr(e, 1, 2), e, t, c } }' | sort >"$WORK/means"
rank_of() { # category → "entry rank" lines, ties sharing a rank
	grep "^$1 " "$WORK/means" | awk '{ print $2, $3, $4, $3 / $4 }' | sort -k4,4gr | awk '
	{ if (NR == 1 || $2 * pc != pt * $3) r = NR; print $1, r; pt = $2; pc = $3 }'
}
n4=$(awk '$4 == 4' "$WORK/means" | wc -l)
[ "$n4" -ge 2 ] && ok "some entries have only 4 scores ($n4)" || fail "entries with 4 scores: $n4"
top_kj=$(rank_of KJ | awk '$2 <= 10' | wc -l); top_cz=$(rank_of CZ | awk '$2 <= 10' | wc -l)
[ "$top_kj" = 11 ] && ok "科技创新成果: tie at tenth place, top ten lists 11" || fail "科技创新成果 top ten: $top_kj"
[ "$top_cz" = 10 ] && ok "先进操作法: top ten lists 10" || fail "先进操作法 top ten: $top_cz"
check "先进操作法: two entries share third place" test "$(rank_of CZ | awk '$2 == 3' | wc -l)" = 2

# The annual returns and their quirks.
nx=$(find "$S" -name '*.xml' | wc -l)
[ "$nx" = 55 ] && ok "55 annual returns (11 regions x 5 years, one missing, one resubmitted)" || fail "annual returns: $nx"
check "TZW sent no return for 2021" test -z "$(grep -l 'region="TZW" year="2021"' -r "$S")"
check "one return names 海门区 by its alias 海门市" grep -rq 'region="海门市" year="2021"' "$S"
check "如东县 2024 was resubmitted" test "$(grep -rl 'region="320623" year="2024"' "$S" | wc -l)" = 2
check "every return is in the annual-return namespace" test -z "$(grep -L 'xmlns="urn:jingsai:annual-return:1"' $(find "$S" -name '*.xml'))"
if command -v xmllint >/dev/null; then
	check "every return is well-formed XML" xmllint --noout $(find "$S" -name '*.xml')
fi
check "every track appears every year" test "$(grep -ho 'track="T[1-6]"' "$S"/2025/*/*.xml | sort -u | wc -l)" = 6
check "project ids are unique within a return" test -z "$(for f in $(find "$S" -name '*.xml'); do grep -o 'project id="[^"]*"' "$f" | sort | uniq -d; done)"
check "studio ids persist across years" grep -q 'studio id="GZS-320682-001"' "$S"/2021/320682/*.xml "$S"/2025/320682/*.xml

# The committed sample is exactly what the generator writes for seed 2025.
"$GEN" --scale sample --seed 2025 --out "$WORK/s2025" >/dev/null
drift=0
for f in $(cd "$WORK/s2025" && find . -type f); do
	cmp -s "$WORK/s2025/$f" "$TOP/input/$f" || { drift=$((drift + 1)); echo "    differs: input/$f"; }
done
[ $drift = 0 ] && ok "input/ holds the sample of gen --seed 2025" || fail "$drift sample files differ from the generator"
# The default programme given as a file is the default programme.
"$GEN" --scale sample --seed 2025 --programme "$TOP/input/programme.xml" --out "$WORK/p2025" >/dev/null
check "gen --programme input/programme.xml writes the same sample" diff -r "$WORK/s2025" "$WORK/p2025"
# Another programme: its regions, tracks and awards, its period; a bad file is refused.
"$GEN" --scale sample --seed 1 --programme "$TOP/tests/fixtures/city/programme.xml" --out "$WORK/yz" >/dev/null
check "another programme: its period (2022-2025)" test -d "$WORK/yz/2022" -a ! -d "$WORK/yz/2021" -a -d "$WORK/yz/2025"
check "another programme: its regions' returns" test -d "$WORK/yz/2023/ETDZ" -a ! -d "$WORK/yz/2023/320602"
check "another programme: its award codes" grep -q '^JGBB,' "$WORK"/yz/2023/表彰/*.csv
printf '<programme/>' >"$WORK/bad.xml"
expect_status 3 "gen refuses a programme that is not one" "$GEN" --scale sample --seed 1 --programme "$WORK/bad.xml" \
	--out "$WORK/bad"
size=$(du -sk "$WORK/s2025" | cut -f1)
[ "$size" -lt 6000 ] && ok "sample stays small (${size} KB)" || fail "sample is ${size} KB"

# City scale (fast enough for the suite): the volumes of SPEC §8.
if true; then
	"$GEN" --scale city --seed 3 --years 2025-2025 --out "$WORK/city" >/dev/null
	ne=$(cat "$WORK"/city/企业名录/*.csv | grep -c ',')
	[ "$ne" -gt 11500 ] && [ "$ne" -lt 12500 ] && ok "city: about 12 000 enterprises ($ne)" || fail "city enterprises: $ne"
	np=$(($(wc -l <"$WORK/city/2025/竞赛参与-2025.csv") - 1))
	[ "$np" -gt 120000 ] && [ "$np" -lt 180000 ] && ok "city: about 150 000 participation rows ($np)" || fail "city rows: $np"
fi
finish
