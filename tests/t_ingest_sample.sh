#!/bin/sh
# t_ingest_sample.sh — the committed sample in input/ loads without a rejection, and a second
# ingest reports nothing new and leaves the store exactly as it was.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 3
n=$(find input -type f ! -name programme.xml ! -name '.*' | wc -l)
expect_status 0 "sample ingested" "$JINGSAI" --db "$WORK/db" ingest input/
check "every sample file accepted" grep -qE "^$n files accepted \([0-9]+ rows\), 0 rejected, 0 unchanged; programme.xml loaded\$" "$WORK/stdout"
sqlite3 "$WORK/db" .dump >"$WORK/dump1"
expect_status 0 "second ingest" "$JINGSAI" --db "$WORK/db" ingest input/
expect_out "second ingest reports nothing new" "0 files accepted (0 rows), 0 rejected, $n unchanged"
sqlite3 "$WORK/db" .dump >"$WORK/dump2"
check "second ingest changes nothing" cmp -s "$WORK/dump1" "$WORK/dump2"
expect_err "second ingest prints no diagnostic"
finish
