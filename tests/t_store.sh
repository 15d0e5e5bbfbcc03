#!/bin/sh
# t_store.sh — the store's identity and versions, its backups, and restore:
# another program's database and a file that is no database are refused
# untouched; a store of 0.1.0 (tests/fixtures/store/schema0.sql) is backed up
# and migrated with its serials as they were; a store of a newer schema is
# refused; every command that changed the store leaves one checked backup,
# only so many are kept; `backup` and `restore` as an operator uses them.
. "$(dirname "$0")/lib.sh"
ingest_setup
printf 'jingsai-test-key-0123456789\n' >key; chmod 600 key
JINGSAI_KEY_FILE=$WORK/key; export JINGSAI_KEY_FILE
C() { "$JINGSAI" --db store.db --output out --templates "$TOP/templates" --fonts "$TOP/fonts" "$@"; }
# Backup names carry the time: shown as STAMP.
stamps() { sed 's/jingsai-[0-9]\{8\}-[0-9]\{6\}Z/jingsai-STAMP/g' "$@"; }
listing() { ls "$1" | stamps; }
# expect_out NAME FILE TEXT — FILE holds exactly TEXT (backup names as STAMP).
expect_out() {
	printf '%s\n' "$3" >want
	if stamps "$2" | cmp -s - want; then ok "$1"
	else fail "$1:"; stamps "$2" | diff want - | sed 's/^/    /' | head -10; fi
}

# -- Another program's database: refused, and not a byte or a file changes.
mkdir app
sqlite3 app/other.db "CREATE TABLE contacts (name, phone); INSERT INTO contacts VALUES ('a', '1');"
sum_before=$(sha256sum app/other.db)
expect_status 3 "another program's database is refused" J --db app/other.db ingest
expect_out "it says what the file is" stderr \
	"app/other.db: fatal: another program's SQLite database, not a jingsai store: left untouched; check --db"
[ "$(sha256sum app/other.db)" = "$sum_before" ] && ok "its bytes are untouched" || fail "other.db changed"
[ "$(ls app)" = other.db ] && ok "no file beside it (journal, backup) was made" || fail "files made beside other.db: $(ls app)"
expect_status 3 "verify refuses it too" "$JINGSAI" --db app/other.db verify 2025-MEDAL-0001
[ "$(sha256sum app/other.db)" = "$sum_before" ] && ok "still untouched" || fail "other.db changed by verify"

printf 'name,phone\na,1\n' >notes.db
expect_status 3 "a file that is no database is refused" J --db notes.db ingest
expect_out "said so" stderr \
	"notes.db: fatal: not a jingsai store (file is not a database): left untouched; check --db"
check "its bytes are untouched" test "$(cat notes.db)" = "$(printf 'name,phone\na,1')"

# -- A new store: our identity, one checked backup beside it.
expect_status 0 "a new store" J ingest
[ "$(q 'PRAGMA application_id')/$(q 'PRAGMA user_version')" = "1246970185/1" ] &&
	ok "application id 'JSAI' and schema version 1" || fail "identity: $(q 'PRAGMA application_id')/$(q 'PRAGMA user_version')"
expect_out "one backup, beside the store" /dev/stdin "jingsai-STAMP.db" <<EOF
$(listing backup)
EOF
b1=backup/$(ls backup)
[ "$(sqlite3 "$b1" 'PRAGMA integrity_check; PRAGMA journal_mode; PRAGMA application_id')" = "$(printf 'ok\ndelete\n1246970185')" ] &&
	ok "the backup is a whole store in one file" || fail "backup: $(sqlite3 "$b1" 'PRAGMA integrity_check; PRAGMA journal_mode')"
[ "$(sqlite3 "$b1" 'SELECT count(*) FROM enterprise')" = "$(q 'SELECT count(*) FROM enterprise')" ] &&
	ok "it holds what the store holds" || fail "backup content"
expect_status 0 "nothing new" J ingest
[ "$(ls backup | wc -l)" = 1 ] && ok "a command that changed nothing makes no backup" || fail "backups: $(ls backup)"

# -- A newer schema: refused untouched.
cp db newer.db
sqlite3 newer.db 'PRAGMA user_version = 7'
sum_before=$(sha256sum newer.db)
expect_status 3 "a store of a newer schema is refused" J --db newer.db ingest
expect_out "said so, with what to do" stderr \
	"newer.db: fatal: made by a newer version of jingsai (schema 7; this one knows up to 1): left untouched; use that version, or restore a backup made by this one"
[ "$(sha256sum newer.db)" = "$sum_before" ] && ok "newer store untouched" || fail "newer.db changed"

# -- A store of 0.1.0, with certificates numbered: migrated, serials kept.
sqlite3 store.db <"$TOP/tests/fixtures/store/schema0.sql"
# 0.1.0 stored a GBK file name as its bytes, which no report could print
sqlite3 store.db "INSERT INTO file (path, sha256, size, kind, ingested_at, status)
    VALUES (CAST(X'323032312FB2E2CAD42E637376' AS TEXT), 'x9', 1, NULL, '2025-03-01T00:00:00Z', 'rejected')"
sqlite3 store.db "SELECT serial, recipient, credit_code, status, fields FROM certificate ORDER BY serial" >serials0
expect_status 0 "certificates on a store of 0.1.0" C certificates 2025
grep 'schema' stderr >said
expect_out "the migration is said, with the copy kept" said \
	"store.db: warning: store brought from schema 0 to 1; the store as it was is kept as backup/jingsai-STAMP-before-migration.db"
[ "$(sqlite3 store.db 'PRAGMA application_id; PRAGMA user_version')" = "$(printf '1246970185\n1')" ] &&
	ok "migrated to schema 1" || fail "store.db not migrated"
sqlite3 store.db "SELECT serial, recipient, credit_code, status, fields FROM certificate ORDER BY serial" >serials1
cmp -s serials0 serials1 && ok "every serial and signed record as 0.1.0 left them" || fail "serials changed by the migration"
[ "$(sqlite3 store.db "SELECT path FROM file WHERE sha256 = 'x9'")" = '2021/\xB2\xE2\xCA\xD4.csv' ] &&
	ok "a file name stored as GBK bytes is escaped, as ingest now stores it" ||
	fail "path: $(sqlite3 store.db "SELECT path FROM file WHERE sha256 = 'x9'")"
old=$(ls backup/*before-migration.db)
[ "$(sqlite3 "$old" 'PRAGMA user_version; PRAGMA application_id')" = "$(printf '0\n0')" ] &&
	sqlite3 "$old" "SELECT serial, recipient, credit_code, status, fields FROM certificate ORDER BY serial" | cmp -s - serials0 &&
	ok "the copy before the migration is the old store" || fail "before-migration copy"
payload=$(zbarimg -q --raw "$(pdftoppm -r 150 -png out/certificates/2025/MEDAL/2025-MEDAL-0001.pdf pg >/dev/null; ls pg*.png | head -1)" 2>/dev/null)
expect_status 0 "a certificate of 0.1.0 verifies after the migration" C verify "$payload"
expect_status 0 "a second command: nothing to migrate" C certificates 2025
! grep -q schema stderr && ok "no second migration" || fail "migrated again"

# -- Generations: --backups N keeps the N newest; the named copies stay.
rm -rf backup
for i in 1 2 3; do
	printf 'credit_code,name,region,ownership,above_scale,industry,employees\n91320614MA1XYW0012,甲%s,320614,民营,是,,\n' $i >in/x-enterprises.csv
	J --backups 2 ingest >/dev/null 2>&1
done
[ "$(ls backup | wc -l)" = 2 ] && ok "--backups 2: two generations kept" || fail "generations: $(ls backup)"
kept=$(for b in backup/*.db; do sqlite3 "$b" "SELECT name FROM enterprise WHERE credit_code = '91320614MA1XYW0012'"; done | sort | tr '\n' ' ')
[ "$kept" = "甲2 甲3 " ] && ok "the two kept are the two last states" || fail "kept: $kept"
mkdir elsewhere
JINGSAI_BACKUP_DIR=$WORK/elsewhere "$JINGSAI" --input in --db db forget in/x-enterprises.csv >/dev/null 2>&1
[ "$(ls elsewhere | wc -l)" = 1 ] && ok "JINGSAI_BACKUP_DIR names the folder" || fail "JINGSAI_BACKUP_DIR: $(ls elsewhere)"
mkdir other
printf 'credit_code,name,region,ownership,above_scale,industry,employees\n91320614MA1XYW0012,乙,320614,民营,是,,\n' >in/x-enterprises.csv
JINGSAI_BACKUP_DIR=$WORK/elsewhere J --backup-dir other ingest >/dev/null 2>&1
[ "$(ls other | wc -l)/$(ls elsewhere | wc -l)" = 1/1 ] && ok "--backup-dir wins over the variable" || fail "--backup-dir"
expect_status 2 "--backups 0 is refused" J --backups 0 ingest
JINGSAI_BACKUPS=x expect_status 2 "JINGSAI_BACKUPS must be a number" J ingest

# -- jingsai backup (and what a backup killed half-way left goes).
rm -rf backup; mkdir backup
dead=999999; while kill -0 $dead 2>/dev/null; do dead=$((dead - 1)); done
: >backup/.jingsai-backup.tmp.$dead; : >backup/.jingsai-backup.tmp.$dead-journal
expect_status 0 "jingsai backup" J backup
[ -z "$(ls -A backup | grep tmp)" ] && ok "the copy a killed backup left is removed" || fail "left: $(ls -A backup)"
expect_out "it says where" stdout "backup/jingsai-STAMP.db: backup of db, checked"
expect_status 3 "no store, no backup" J --db missing.db backup

# -- restore: the register comes back; what it replaces is kept.
good=backup/$(ls backup)
q "SELECT * FROM enterprise ORDER BY 1" >before
q "DELETE FROM enterprise WHERE credit_code = '91320614MA1XYW0012'"
expect_status 0 "restore a backup" J restore "$good"
expect_out "it says what came back and where the replaced store is" stdout \
"db: restored from backup/jingsai-STAMP.db (no certificates)
the store it replaced is kept as backup/jingsai-STAMP-before-restore.db"
q "SELECT * FROM enterprise ORDER BY 1" | cmp -s - before && ok "the store is the backup again" || fail "restore content"
[ "$(q 'PRAGMA journal_mode; PRAGMA integrity_check')" = "$(printf 'wal\nok')" ] && ok "restored store whole, in WAL" || fail "restored store"
expect_status 3 "restore of something that is no store" J restore notes.db
q "SELECT * FROM enterprise ORDER BY 1" | cmp -s - before && ok "the store is left as it was" || fail "store changed by a refused restore"
expect_status 3 "restore of another program's database" J restore app/other.db
# A damaged store is moved aside, not lost.
head -c 8192 /dev/urandom >damaged.db
expect_status 0 "restore over a damaged store" J --db damaged.db restore "$good"
ls damaged.db.damaged-* >/dev/null 2>&1 && ok "the damaged store is kept aside" || fail "damaged store lost"
[ "$(sqlite3 damaged.db 'SELECT count(*) FROM enterprise')" = "$(q 'SELECT count(*) FROM enterprise')" ] &&
	ok "and the backup is in its place" || fail "restore over damaged"
# Not while a run holds the lock.
flock jingsai.lock sleep 3 &
sleep 0.5
expect_status 75 "restore waits for no run: another holds the lock" J restore "$good"
wait
# -- A backup that could not be made is owed: the next command makes one
# although it changes nothing (a quiet night after a night whose backup
# folder was full or shut), and says so every time until it can.
printf 'credit_code,name,region,ownership,above_scale,industry,employees\n91320614MA1XYW0012,丙,320614,民营,是,,\n' >in/x-enterprises.csv
: >shut
expect_status 3 "a command whose backup cannot be made fails" J --backup-dir shut/b ingest
expect_status 3 "the next, although it changes nothing, tries again and fails" J --backup-dir shut/b ingest
expect_out "and says so" stderr "shut/b: fatal: cannot back up the store: cannot make the folder: Not a directory (the earlier backups are kept)"
mkdir owed
expect_status 0 "with the folder there, the next command" J --backup-dir owed ingest
[ "$(ls owed | wc -l)" = 1 ] && [ "$(sqlite3 owed/*.db "SELECT name FROM enterprise WHERE credit_code = '91320614MA1XYW0012'")" = 丙 ] &&
	ok "makes the backup owed, of the store as it is" || fail "owed: $(ls owed)"
J --backup-dir owed ingest >/dev/null 2>&1
[ "$(ls owed | wc -l)" = 1 ] && ok "and the command after it none" || fail "backups: $(ls owed)"
# A backup folder the user may not write in is said to be so (not SQLite's
# "unable to open database file"); root is run without its power to write
# everywhere.
mkdir shut2; chmod 555 shut2
expect_status 3 "a backup folder that cannot be written in" nodac "$JINGSAI" --input in --db db --backup-dir shut2 backup
expect_out "is said to be so" stderr "shut2: fatal: cannot back up the store: cannot write in the folder: Permission denied (the earlier backups are kept)"
chmod 755 shut2
finish
