# tests/run_lib.sh — shared by the t_run_*.sh scripts (sourced after lib.sh):
# a private copy of the sample, a run against it, snapshots of output/.

# Documents are byte-identical across runs only with a fixed date and key.
SOURCE_DATE_EPOCH=1745798400; export SOURCE_DATE_EPOCH   # 2025-04-28
printf 'jingsai test key\n' >"$WORK/key"; chmod 600 "$WORK/key"
JINGSAI_KEY_FILE="$WORK/key"; export JINGSAI_KEY_FILE

# site DIR — a fresh site under DIR: a copy of the sample input, empty
# output.  To keep the suite fast only the years in $SITE_YEARS (default the
# last two, under the sanitizers the last one) are taken, with everything that
# is not filed under a year (programme, enterprises, the biennial round).
if [ -n "$SANITIZED" ]; then SITE_YEARS=${SITE_YEARS:-2025}; else SITE_YEARS=${SITE_YEARS:-"2024 2025"}; fi
site() {
	mkdir -p "$1/output" "$1/var" "$1/input"
	for f in "$TOP"/input/*; do
		case ${f##*/} in
		[0-9][0-9][0-9][0-9]) case " $SITE_YEARS " in *" ${f##*/} "*) ;; *) continue ;; esac ;;
		esac
		cp -R "$f" "$1/input/"
	done
}

# jz DIR [ARGS] — `jingsai run` on the site DIR.
jz() {
	d=$1; shift
	"$JINGSAI" run --input "$d/input" --output "$d/output" --db "$d/var/jingsai.db" \
	    --templates "$TOP/templates" --fonts "$TOP/fonts" "$@"
}
# jz_bg DIR — the same in the background; $! is then jingsai itself (not a
# subshell), so that signals reach it.
jz_bg() {
	(exec "$JINGSAI" run --input "$1/input" --output "$1/output" --db "$1/var/jingsai.db" \
	    --templates "$TOP/templates" --fonts "$TOP/fonts" >/dev/null 2>&1) &
}

# snapshot DIR — every file under DIR with inode, size and mtime (ns), sorted:
# a file rewritten, even with the same bytes, shows a new inode or time.
snapshot() {
	(cd "$1" && find . -type f -printf '%P %i %s %T@\n' | LC_ALL=C sort)
}

# now_ms — milliseconds since the epoch.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# documents DIR — the documents under DIR/output (not the log), sorted.
documents() {
	(cd "$1/output" && find . -type f ! -name jingsai.log | LC_ALL=C sort)
}
