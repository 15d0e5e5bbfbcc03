#!/bin/sh
# b_peers.sh — the same 1 000 certificates (the MEDAL template: A4 landscape,
# LXGW WenKai, border, wording, name, unit, serial) made by jingsai, by
# ReportLab (python3-reportlab, Debian) and by Typst (typst.ts, the Node
# compiler from the npm registry, installed on first use into a cache folder
# outside the repository), each as one file per certificate plus one merged
# file, in one process per tool, side by side in one run.  Prints the whole
# process's wall and processor time (user + system) of each, the median of
# PEER_ROUNDS alternating rounds, and the peers' times as multiples of
# jingsai's.
#
# Without QR codes first (every tool draws the same page; the aims are
# judged on this one), then once with the QR code of each certificate's
# verification URL (jingsai: libqrencode; ReportLab: its own encoder; Typst:
# an SVG from the npm qrcode package, placed as an image).
cd "$(dirname "$0")/.." || exit 3
N=${PEER_N:-1000}
ROUNDS=${PEER_ROUNDS:-3}
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/jingsai-bench/node
W=$(mktemp -d "${TMPDIR:-/tmp}/jingsai-bench-peers.XXXXXX")
trap 'rm -rf "$W"' EXIT
TOP=$(pwd)

# The same font for every tool: every role of jingsai set in LXGW WenKai.
WENKAI=/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf
mkdir -p "$W/fonts"
for role in title body heading kai wenkai number table sans song; do
	echo "$role: truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf, truetype/droid/DroidSansFallbackFull.ttf, truetype/hanazono/HanaMinA.ttf, truetype/hanazono/HanaMinB.ttf"
done >"$W/fonts/roles.conf"

# Two stores of the same N awards: one printed without a key, one signed.
. bench/cert_store.sh
cert_store "$W/plain.db" "$N" || exit 3
cp "$W/plain.db" "$W/signed.db"
printf 'bench-key-0123456789abcdef\n' >"$W/key"; chmod 600 "$W/key"
JINGSAI_KEY_FILE=$W/key ./jingsai --db "$W/signed.db" --output "$W/warm" --fonts "$W/fonts" --quiet \
    certificates 2025 --award MEDAL >/dev/null 2>&1 || { echo "jingsai failed on the bench store"; exit 3; }
rm -rf "$W/warm"
./jingsai --db "$W/plain.db" --output "$W/warm" --fonts "$W/fonts" --quiet certificates 2025 \
    --award MEDAL >/dev/null 2>&1
rm -rf "$W/warm"
# The list the peers print: serial, name, unit (and the QR payload jingsai encodes).
/usr/bin/python3 bench/peers/certlist.py "$W/signed.db" "$W/key" 2025 MEDAL >"$W/list-qr" || exit 3
cut -f1-3 "$W/list-qr" >"$W/list"

# The peers, or a note why one is left out.
have_rl=0; have_typst=0
if /usr/bin/python3 -c 'import reportlab' 2>/dev/null; then have_rl=1
else echo "note: ReportLab left out: python3-reportlab is not installed (apt-get install python3-reportlab)"; fi
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	if [ ! -d "$CACHE/node_modules/@myriaddreamin/typst-ts-node-compiler" ] ||
	    [ ! -d "$CACHE/node_modules/qrcode" ]; then
		mkdir -p "$CACHE"
		npm install --prefix "$CACHE" --no-audit --no-fund --silent \
		    @myriaddreamin/typst-ts-node-compiler qrcode >"$W/npm.log" 2>&1 ||
		    { echo "note: Typst left out: npm could not install typst.ts:"; tail -3 "$W/npm.log"; }
	fi
	NODE_PATH=$CACHE/node_modules node -e 'require("@myriaddreamin/typst-ts-node-compiler"); require("qrcode")' \
	    2>/dev/null && have_typst=1
	[ $have_typst = 1 ] || [ -s "$W/npm.log" ] || echo "note: Typst left out: typst.ts does not load"
else
	echo "note: Typst left out: node and npm are not installed"
fi

# measure NAME CMD... — runs CMD into a fresh output folder $out under
# /usr/bin/time; appends "NAME wall cpu peak_MB" to $W/times.
measure() {
	name=$1; shift
	/usr/bin/time -f '%e %U %S %M' -o "$W/time" "$@" >"$W/out.log" 2>&1 ||
	    { echo "$name failed:"; tail -5 "$W/out.log"; }
	awk -v n="$name" '{ printf "%s %.3f %.3f %.0f\n", n, $1, $2 + $3, $4 / 1024 }' "$W/time" >>"$W/times"
}

# sizes DIR MERGED — "N KB each, merged M KB" of the single files and the merged one.
sizes() {
	[ -f "$1/$2" ] || return 0
	ls -l "$1" | awk -v m="$(stat -c %s "$1/$2")" '/MEDAL-[0-9]*\.pdf$/ { s += $5; n++ }
	    END { if (n) printf "%.1f KB each, merged %.0f KB", s / n / 1024, m / 1024 }'
}

# run VARIANT — the rounds of one variant (qr or plain).
run() {
	variant=$1; : >"$W/times"
	for r in $(seq "$ROUNDS"); do
		out=$W/o-$variant-$r
		mkdir -p "$out/jingsai" "$out/reportlab" "$out/typst"
		if [ "$variant" = qr ]; then
			measure jingsai env JINGSAI_KEY_FILE="$W/key" ./jingsai --db "$W/signed.db" \
			    --output "$out/jingsai" --fonts "$W/fonts" certificates 2025 --award MEDAL
		else
			measure jingsai env -u JINGSAI_KEY_FILE ./jingsai --db "$W/plain.db" \
			    --output "$out/jingsai" --fonts "$W/fonts" certificates 2025 --award MEDAL
		fi
		list=$W/list; [ "$variant" = qr ] && list=$W/list-qr
		[ $have_typst = 1 ] && measure typst env NODE_PATH="$CACHE/node_modules" \
		    node bench/peers/typst_certs.js "$list" "$out/typst"
		[ $have_rl = 1 ] && measure reportlab /usr/bin/python3 bench/peers/reportlab_certs.py \
		    "$list" "$out/reportlab"
	done
	sizes "$out/jingsai/certificates/2025/MEDAL" print.pdf >"$W/size-jingsai"
	sizes "$out/typst" merged.pdf >"$W/size-typst"
	sizes "$out/reportlab" merged.pdf >"$W/size-reportlab"
	awk -v sj="$(cat "$W/size-jingsai")" -v st="$(cat "$W/size-typst")" -v sr="$(cat "$W/size-reportlab")" '
	function median(a, n,   i, j, t) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{ k = ++cnt[$1]; wall[$1, k] = $2; cpu[$1, k] = $3; if ($4 > peak[$1]) peak[$1] = $4 }
	END {
		split("jingsai typst reportlab", tools, " ")
		size["jingsai"] = sj; size["typst"] = st; size["reportlab"] = sr
		for (t = 1; t <= 3; t++) {
			name = tools[t]; n = cnt[name]; if (n == 0) continue
			for (i = 1; i <= n; i++) { w[i] = wall[name, i]; c[i] = cpu[name, i] }
			mw[name] = median(w, n); mc[name] = median(c, n)
		}
		printf "%-10s %8s %8s %8s %8s %8s  %s\n", "", "wall s", "cpu s", "peak MB", "x wall", "x cpu", "size"
		for (t = 1; t <= 3; t++) {
			name = tools[t]; if (!(name in mw)) continue
			printf "%-10s %8.2f %8.2f %8d %8.1f %8.1f  %s\n", name, mw[name], mc[name], peak[name],
			    mw[name] / mw["jingsai"], mc[name] / mc["jingsai"], size[name]
		}
		if ("typst" in mw)
			printf "aim: 3x Typst: wall %s, cpu %s\n", (mw["typst"] >= 3 * mw["jingsai"] ? "met" : "MISSED"),
			    (mc["typst"] >= 3 * mc["jingsai"] ? "met" : "MISSED")
		if ("reportlab" in mw)
			printf "aim: 5x ReportLab: wall %s, cpu %s\n", (mw["reportlab"] >= 5 * mw["jingsai"] ? "met" : "MISSED"),
			    (mc["reportlab"] >= 5 * mc["jingsai"] ? "met" : "MISSED")
	}' "$W/times"
}

echo "$N certificates, one file each plus one merged file, whole process, median of $ROUNDS rounds;" \
    "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "-- without QR codes"
run plain
if [ "${PEER_QR:-1}" = 1 ]; then
	ROUNDS=1
	echo "-- with a QR code on each certificate (one round)"
	run qr
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
