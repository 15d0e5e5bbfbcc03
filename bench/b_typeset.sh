#!/bin/sh
# b_typeset.sh — the typesetting core against libharu used directly (the naive
# way: whole font, 28 characters a line, no fallback) on the same text, in the
# same run: a 1 000-page document, then 1 000 one-page certificates as files.
cd "$(dirname "$0")/.." || exit 3
TS=build/tools/typeset
NAIVE=build/tools/naive_hpdf
FX=tests/fixtures/typeset
SONG=/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf
WENKAI=/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf
PAGES=${BENCH_PAGES:-1000}
COPIES=${BENCH_COPIES:-1000}
NAIVE_COPIES=${BENCH_NAIVE_COPIES:-100}   # ~70 ms each: a rate from 100 is enough
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
SOURCE_DATE_EPOCH=1736899200; export SOURCE_DATE_EPOCH

# secs CMD... — CPU seconds (user + system) of CMD, the machine may be busy
secs() {
	/usr/bin/time -f '%U %S %e' -o "$W/time" "$@" >/dev/null 2>"$W/err" || { cat "$W/err"; echo "failed: $*" >&2; }
	awk '{ printf "%.3f %.3f\n", $1 + $2, $3 }' "$W/time"
}
pages() { pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ { print $2 }'; }

echo "$PAGES-page document (tests/fixtures/typeset/bench.txt, programme text), CPU time:"
set -- $(secs "$TS" --pages "$PAGES" --pdf "$W/ours.pdf" "$FX/bench.txt"); ours_t=$1; ours_wall=$2
set -- $(secs "$NAIVE" --pages "$PAGES" "$SONG" "$FX/bench.txt" "$W/naive.pdf"); naive_t=$1; naive_wall=$2
ours_p=$(pages "$W/ours.pdf"); naive_p=$(pages "$W/naive.pdf")
ours_b=$(wc -c <"$W/ours.pdf"); naive_b=$(wc -c <"$W/naive.pdf")
awk -v ot="$ours_t" -v nt="$naive_t" -v op="$ours_p" -v np="$naive_p" -v ob="$ours_b" -v nb="$naive_b" \
    -v ow="$ours_wall" -v nw="$naive_wall" 'BEGIN {
	printf "  %-28s %8s %10s %12s %10s\n", "", "pages", "pages/s", "bytes/page", "wall s"
	printf "  %-28s %8d %10.0f %12.0f %10.2f\n", "jingsai (subset, fallback)", op, op / ot, ob / op, ow
	printf "  %-28s %8d %10.0f %12.0f %10.2f\n", "libharu naive (whole font)", np, np / nt, nb / np, nw
	printf "  ratio jingsai/naive: speed %.2f×, size per page %.2f×\n", (op / ot) / (np / nt), (ob / op) / (nb / np)
}'
pdffonts "$W/ours.pdf" | tail -n +3 | awk '{ n++; if ($0 ~ / yes yes yes /) s++ } END { printf "  jingsai fonts: %d, embedded+subset+ToUnicode: %d\n", n, s }'

echo "$COPIES one-page certificates (tests/fixtures/typeset/cert40.txt, LXGW WenKai), one file each:"
set -- $(secs "$TS" --copies "$COPIES" "$W/ours" "$FX/cert40.txt"); ours_t=$1
set -- $(secs "$NAIVE" --copies "$NAIVE_COPIES" "$WENKAI" "$FX/cert40.txt" "$W/naive"); naive_t=$1
ours_b=$(cat "$W"/ours/*.pdf | wc -c); naive_b=$(cat "$W"/naive/*.pdf | wc -c)
awk -v ot="$ours_t" -v nt="$naive_t" -v ob="$ours_b" -v nb="$naive_b" -v n="$COPIES" -v nn="$NAIVE_COPIES" 'BEGIN {
	printf "  %-28s %6s %10s %12s\n", "", "docs", "docs/s", "bytes/doc"
	printf "  %-28s %6d %10.0f %12.0f\n", "jingsai", n, n / ot, ob / n
	printf "  %-28s %6d %10.0f %12.0f\n", "libharu naive", nn, nn / nt, nb / nn
	printf "  ratio jingsai/naive: speed %.1f×, size %.3f×\n", (n / ot) / (nn / nt), (ob / n) / (nb / nn)
}'
