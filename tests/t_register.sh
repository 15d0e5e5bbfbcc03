#!/bin/sh
# t_register.sh — the store is the register of certificate serials.  Lost
# (deleted with its journal), the next night's run must not number the
# certificates afresh over the ones printed: it stops that step with an error
# naming the backup to restore, overwrites no certificate and makes no
# backup of the store in doubt; `restore` brings the register back and the
# next run gives every certificate its serial and its bytes again.  A store
# whose records disagree with the manifests stops too; --new-register is the
# operator's explicit way to start over.
. "$(dirname "$0")/lib.sh"
SITE_YEARS=2025
. "$TOP/tests/run_lib.sh"

d=$WORK/s
site "$d"
serials() { sqlite3 "$d/var/jingsai.db" "SELECT serial, recipient, credit_code, status FROM certificate ORDER BY serial"; }
certs() { (cd "$d/output/certificates" && find . -type f -printf '%P %i %s %T@\n' | LC_ALL=C sort); }
stamps() { sed 's/jingsai-[0-9]\{8\}-[0-9]\{6\}Z/jingsai-STAMP/g'; }

jz "$d" >/dev/null 2>"$WORK/err"; st=$?
[ $st -le 1 ] && ok "the first run prints the certificates (exit $st)" || { fail "first run: exit $st"; head "$WORK/err"; finish; }
serials >"$WORK/serials.0"
certs >"$WORK/certs.0"
total=$(wc -l <"$WORK/serials.0")
[ "$total" -gt 50 ] && ok "$total certificates numbered" || fail "only $total certificates"
good=$(ls "$d/var/backup")

# -- The disk with the store is lost.
rm -f "$d/var/jingsai.db" "$d/var/jingsai.db-wal" "$d/var/jingsai.db-shm"
expect_status 3 "the run after the loss fails" jz "$d"
# (the sample's round 2023-2024 gives MEDALs of 2024 too: two years printed)
said() { # YEAR: what the run must say of it
	first=$(sed -n 2p "$d/output/certificates/$1/manifest.csv" | cut -d, -f1,4)   # 证书编号, 获奖者
	serial=${first%%,*}; who=${first#*,}
	listed=$(grep -c "^$1-" "$WORK/serials.0")
	cat <<EOF
output/certificates/$1/manifest.csv:2:1: error: certificate $serial ($who) listed here is unknown to the store var/jingsai.db ($listed of the $listed listed disagree with it): the store is not the register these certificates were numbered by
jingsai: error: no serial assigned for $1, so that no printed serial goes to someone else: restore the register from a backup, e.g. the newest that has this certificate: jingsai --db var/jingsai.db restore var/backup/jingsai-STAMP.db (all backups are in var/backup); or, to number the certificates afresh on purpose, run again with --new-register
EOF
}
{ said 2024; said 2025; echo "jingsai: warning: no backup made: the store disagrees with the certificates on disk, and the backups in var/backup may be what puts it right"; } >"$WORK/want"
grep "manifest.csv\\|no serial\\|no backup" "$WORK/stderr" | sed "s|$d/||g" | stamps >"$WORK/said"
cmp -s "$WORK/want" "$WORK/said" && ok "the error names the certificate, the backup to restore and how" ||
	{ fail "what the run said:"; diff "$WORK/want" "$WORK/said" | sed 's/^/    /'; }
[ "$(sqlite3 "$d/var/jingsai.db" 'SELECT count(*) FROM certificate')" = 0 ] && ok "no serial was assigned" || fail "serials assigned"
certs | cmp -s - "$WORK/certs.0" && ok "no certificate file, print.pdf or manifest was touched" || fail "certificates touched"
[ "$(ls "$d/var/backup")" = "$good" ] && ok "no backup of the store in doubt" || fail "backups now: $(ls "$d/var/backup")"
[ -f "$d/output/annual/2025/city.pdf" ] && grep -q "interrupted\|exit 3" "$d/output/jingsai.log" &&
	ok "the rest of the run was done and logged" || fail "annual reports or log"
expect_status 3 "the next night the same" jz "$d"
[ "$(ls "$d/var/backup")" = "$good" ] && ok "still no backup of it" || fail "backups now: $(ls "$d/var/backup")"

# -- Restored, the register is back: the same serials, the same bytes.
expect_status 0 "restore the backup the error named" "$JINGSAI" --db "$d/var/jingsai.db" restore "$d/var/backup/$good"
expect_status 0 "the run after the restore" jz "$d"
serials | cmp -s - "$WORK/serials.0" && ok "every serial as before the loss" || fail "serials differ after restore"
(cd "$d/output/certificates" && find . -type f -name '*.pdf' -exec sha256sum {} + | sort) >"$WORK/sums.1"
(cd "$d/output/certificates" && find . -type f -printf '%P %i %s %T@\n' | LC_ALL=C sort) >"$WORK/certs.1"
cmp -s "$WORK/certs.0" "$WORK/certs.1" && ok "not one certificate rewritten" || fail "certificates rewritten after restore"

# -- A store from elsewhere (another installation, the wrong backup) that
#    knows these people under other serials: no serial either.  Elsewhere, one
#    more MEDAL came first in ceremony order, so every serial after it moved.
o=$WORK/other; site "$o"
f=$(ls "$o"/input/2025/表彰/*.csv)
grep -m1 ",MEDAL,$who," "$f" | sed "s/,MEDAL,$who,/,MEDAL,阿$who,/" >>"$f"
(jz "$o") >/dev/null 2>&1    # (jz sets $d)
cp "$d/var/jingsai.db" "$WORK/good.db"
cp "$o/var/jingsai.db" "$d/var/jingsai.db"
expect_status 3 "a store whose serials name other people" jz "$d"
expect_diag "says which certificate and who" "certificate $serial is $who here but 阿$who in the store"
certs | cmp -s - "$WORK/certs.0" && ok "and no certificate was touched" || fail "certificates touched"
cp "$WORK/good.db" "$d/var/jingsai.db"

# -- A manifest an earlier version wrote (English header, no award title) is
#    read by its header: agreeing, it passes; naming someone else, it stops.
m=$d/output/certificates/2025/manifest.csv
{ echo "serial,award,recipient,region,file,sha256"
  tail -n +2 "$m" | tr -d '\r' | awk -F, -v OFS=, '{ print $1, $2, $4, $5, $6, $7 }'; } >"$WORK/old.csv"
cp "$WORK/old.csv" "$m"
expect_status 0 "a manifest of an earlier version (serial,award,recipient,…) agrees with the store" jz "$d"
first=$(sed -n 2p "$WORK/old.csv" | cut -d, -f1,3); serial=${first%%,*}; who=${first#*,}
sed "2s/,$who,/,阿$who,/" "$WORK/old.csv" >"$m"
expect_status 3 "one of an earlier version naming someone else" jz "$d"
expect_diag "read by its header" "certificate $serial is 阿$who here but $who in the store"

# -- --new-register: on purpose, with a warning.
rm -f "$d/var/jingsai.db" "$d/var/jingsai.db-wal" "$d/var/jingsai.db-shm"
expect_status 0 "--new-register numbers afresh" jz "$d" --new-register
expect_diag "it warns what that means" "warning: --new-register: the certificates of 2025 are numbered afresh"
got=$(sqlite3 "$d/var/jingsai.db" 'SELECT count(*) FROM certificate')
[ "$got" = "$total" ] && ok "all numbered" || fail "new register: $got certificates, $total before"
expect_status 0 "the run after: the new register agrees with the manifest" jz "$d"
finish
