#!/bin/sh
# bench/run.sh — runs every bench/b_*.sh; each prints its figures next to a
# baseline measured in the same run, as ratios.
cd "$(dirname "$0")/.." || exit 3
for b in bench/b_*.sh; do
	[ -f "$b" ] || continue
	echo "== $b"
	sh "$b" || echo "(failed: $b)"
done
