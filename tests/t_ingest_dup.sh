#!/bin/sh
# t_ingest_dup.sh — duplicate keys within one CSV file (found by the store, not by a set of
# keys in memory): each reported at its line with the line of the first, in line order among
# the file's other errors, also far apart, among bad rows and rows the store cannot hold;
# a later file's row with the same key still replaces an earlier file's row.
. "$(dirname "$0")/lib.sh"
ingest_setup
expect_status 0 "base ingested" J ingest

# expect_errors NAME FILE — the last command's errors about FILE are exactly those in FILE.want.
expect_errors() {
	grep -F "$2:" "$WORK/stderr" | grep -F ": error: " >got.err
	if cmp -s got.err "$2.want"; then ok "$1"; else fail "$1"; diff "$2.want" got.err | head -20 | sed 's/^/    /'; fi
}

# -- Duplicates far apart in a file of 3000 rows (a key held three times: both later ones
#    name the first).
A=91320614MA1XYW0012
awk -v c=$A 'BEGIN { print "year,award,recipient,recipient_kind,gender,credit_code,reason"
	for (i = 1; i <= 3000; i++) {
		n = i; if (i == 2990) n = 1; if (i == 1001 || i == 3000) n = 999
		printf "2024,MEDAL,职工%d,person,男,%s,\n", n, c } }' >far.csv
cat >far.csv.want <<EOF
far.csv:1002:1: error: duplicate row: year 2024, award MEDAL, recipient 职工999, credit_code $A as on line 1000, and a file may hold that once: delete or correct one of the two rows
far.csv:2991:1: error: duplicate row: year 2024, award MEDAL, recipient 职工1, credit_code $A as on line 2, and a file may hold that once: delete or correct one of the two rows
far.csv:3001:1: error: duplicate row: year 2024, award MEDAL, recipient 职工999, credit_code $A as on line 1000, and a file may hold that once: delete or correct one of the two rows
EOF
expect_status 1 "far-apart duplicates rejected" J ingest far.csv
expect_errors "far-apart duplicates: exact diagnostics" far.csv
[ "$(q "SELECT count(*) FROM award_row")" = 0 ] && ok "nothing of the file stored" || fail "nothing of the file stored"
[ "$(q "SELECT status FROM file WHERE path LIKE '%far.csv'")" = rejected ] && ok "far.csv recorded as rejected" ||
	fail "far.csv recorded as rejected"

# -- Among other errors, in line order: a row with a reference error still holds its key
#    (line 2, duplicated at 4); a row with a field error holds none (line 5, then 6 is new);
#    a duplicate is reported alone, not with the errors of its fields' references (line 7).
cat >mixed.csv <<EOF
year,award,recipient,recipient_kind,gender,credit_code,reason
2024,MEDAL,甲,person,男,91320614MA1XYW005E,
2024,MEDAL,乙,person,男,$A,
2024,MEDAL,甲,person,男,91320614MA1XYW005E,
2024,MEDAL,丙,person,X,$A,
2024,MEDAL,丙,person,女,$A,
2024,WOMEN,乙,person,男,$A,
2024,WOMEN,乙,person,男,$A,
EOF
cat >mixed.csv.want <<EOF
mixed.csv:2:23: error: unknown enterprise '91320614MA1XYW005E': no enterprise register lists this credit code; add the enterprise to its region's register, or correct the code
mixed.csv:4:1: error: duplicate row: year 2024, award MEDAL, recipient 甲, credit_code 91320614MA1XYW005E as on line 2, and a file may hold that once: delete or correct one of the two rows
mixed.csv:5:21: error: 'X' is not a value of column 'gender': write one of 男 女
mixed.csv:7:21: error: award WOMEN (南通市五一巾帼标兵) is for women only, but gender is '男'
mixed.csv:8:1: error: duplicate row: year 2024, award WOMEN, recipient 乙, credit_code $A as on line 7, and a file may hold that once: delete or correct one of the two rows
EOF
expect_status 1 "mixed errors rejected" J check mixed.csv
expect_errors "duplicates among other errors, in line order" mixed.csv

# -- Rows the store cannot hold (an unknown region, an unknown award): their keys still count.
cat >ent.csv <<EOF
credit_code,name,region,ownership,above_scale,industry,employees
91320614MA1XYW005E,甲公司,火星,民营,是,,
91320614MA1XYW005E,甲公司,海门区,民营,是,,
91320602MA1ABC0021,乙公司,崇川区,民营,是,,
91320602MA1ABC0021,乙公司,月球,民营,是,,
EOF
cat >ent.csv.want <<EOF
ent.csv:2:24: error: unknown region '火星': write the name or code of one of 崇川区（320602）、通州区（320612）、海门区（320614）、如东县（320623）、启东市（320681）、如皋市（320682）、海安市（320685）、南通经济技术开发区（KFQ）、苏锡通科技产业园区（SXT）、通州湾示范区（TZW）、市直（SZ）
ent.csv:3:1: error: duplicate row: credit_code 91320614MA1XYW005E as on line 2, and a file may hold that once: delete or correct one of the two rows
ent.csv:5:1: error: duplicate row: credit_code 91320602MA1ABC0021 as on line 4, and a file may hold that once: delete or correct one of the two rows
EOF
expect_status 1 "enterprises with unknown regions rejected" J check ent.csv
expect_errors "duplicates of rows the store refuses" ent.csv
cat >gold.csv <<EOF
year,award,recipient,recipient_kind,gender,credit_code,reason
2024,GOLD,甲,person,男,$A,
2024,GOLD,甲,person,男,$A,
EOF
cat >gold.csv.want <<EOF
gold.csv:2:6: error: unknown award 'GOLD': write one of MEDAL（南通市五一劳动奖章）、CERT（南通市五一劳动奖状）、PIONEER（南通市工人先锋号）、TECH（南通市技术能手）、INNOV（南通市五一创新能手）、WOMEN（南通市五一巾帼标兵）
gold.csv:3:1: error: duplicate row: year 2024, award GOLD, recipient 甲, credit_code $A as on line 2, and a file may hold that once: delete or correct one of the two rows
EOF
expect_status 1 "unknown awards rejected" J check gold.csv
expect_errors "duplicate of a key no table can hold" gold.csv

# -- Keys compare as the store holds them: rank 01 is rank 1 (it would overwrite it).
cat >skills.csv <<EOF
year,competition,city_contest,rank,name,gender,credit_code,score
2024,焊工,是,1,张三,男,$A,95
2024,焊工,是,01,张三,男,$A,90
EOF
echo "skills.csv:3:1: error: duplicate row: year 2024, competition 焊工, rank 01, name 张三 as on line 2, and a file may hold that once: delete or correct one of the two rows" >skills.csv.want
expect_status 1 "rank 01 after rank 1 rejected" J check skills.csv
expect_errors "numbers in keys compare as numbers" skills.csv

# -- A file of over a megabyte is read on a thread of its own while its rows are stored
#    (ingest_csv.c); at the first thing to say of it, it is read again the plain way: the
#    same diagnostics, in the same order, as for any file.
big() {  # big FILE [AWK STATEMENTS] — 30 000 award rows, 2.6 MB; the statements change row i
	awk -v c=$A "BEGIN { print \"year,award,recipient,recipient_kind,gender,credit_code,reason\"
		for (i = 1; i <= 30000; i++) { n = i; g = \"男\"; e = c; w = \"MEDAL\"; $2
			printf \"2024,%s,职工%d,person,%s,%s,连续三年完成全部生产任务并带出徒弟%d名\\n\", w, n, g, e, i } }" >"$1"
}
big bigbad.csv 'if (i == 10000) e = "91320614MA1XYW005E"; if (i == 20000) g = "X"; if (i == 29000) n = 4; if (i == 29500) w = "GOLD";'
cat >bigbad.csv.want <<EOF
bigbad.csv:10001:29: error: unknown enterprise '91320614MA1XYW005E': no enterprise register lists this credit code; add the enterprise to its region's register, or correct the code
bigbad.csv:20001:27: error: 'X' is not a value of column 'gender': write one of 男 女
bigbad.csv:29001:1: error: duplicate row: year 2024, award MEDAL, recipient 职工4, credit_code $A as on line 5, and a file may hold that once: delete or correct one of the two rows
bigbad.csv:29501:6: error: unknown award 'GOLD': write one of MEDAL（南通市五一劳动奖章）、CERT（南通市五一劳动奖状）、PIONEER（南通市工人先锋号）、TECH（南通市技术能手）、INNOV（南通市五一创新能手）、WOMEN（南通市五一巾帼标兵）
EOF
expect_status 1 "a large file with errors rejected" J check bigbad.csv
expect_errors "a large file: its errors exactly, in line order" bigbad.csv
big bigdup.csv 'if (i == 30000) n = 1;'
echo "bigdup.csv:30001:1: error: duplicate row: year 2024, award MEDAL, recipient 职工1, credit_code $A as on line 2, and a file may hold that once: delete or correct one of the two rows" >bigdup.csv.want
expect_status 1 "a large file whose last row repeats the first key rejected" J ingest bigdup.csv
expect_errors "a large file: a duplicate the store finds at its end" bigdup.csv
[ "$(q "SELECT count(*) FROM award_row")" = 0 ] && ok "nothing of the large file stored" ||
	fail "nothing of the large file stored"
big bigok.csv
expect_status 0 "a large file without errors stored" J ingest bigok.csv
[ "$(q "SELECT count(*) || ' ' || min(line) || ' ' || max(line) || ' ' || count(DISTINCT recipient) FROM award_row")" = "30000 2 30001 30000" ] &&
	ok "every row of the large file stored, with its line" || fail "every row of the large file stored, with its line"
[ "$(q "SELECT rows FROM file WHERE path LIKE '%bigok.csv'")" = 30000 ] && ok "the large file's rows counted" ||
	fail "the large file's rows counted"
head -15001 bigok.csv >half1.csv; { head -1 bigok.csv; tail -15000 bigok.csv; } >half2.csv
"$JINGSAI" --input in --db db2 ingest >/dev/null 2>&1
"$JINGSAI" --input in --db db2 ingest half1.csv half2.csv >/dev/null 2>&1
rows() { sqlite3 "$1" "SELECT year, award, recipient, recipient_kind, gender, credit_code, reason FROM award_row ORDER BY recipient"; }
[ "$(rows db | md5sum)" = "$(rows db2 | md5sum)" ] && [ "$(rows db2 | wc -l)" = 30000 ] &&
	ok "stored as two small files store it" || fail "stored as two small files store it"
expect_status 0 "check of the stored large file finds nothing" J check bigok.csv
expect_status 0 "the large file forgotten" J forget bigok.csv

# -- Across files no duplicate: the later file's row replaces the earlier one's.
printf 'year,award,recipient,recipient_kind,gender,credit_code,reason\n2024,MEDAL,甲,person,男,%s,一\n2024,MEDAL,乙,person,男,%s,一\n' $A $A >in/awards-1.csv
printf 'year,award,recipient,recipient_kind,gender,credit_code,reason\n2024,MEDAL,丁,person,男,%s,二\n2024,MEDAL,乙,person,男,%s,二\n' $A $A >in/awards-2.csv
expect_status 0 "two award files with a shared key accepted" J ingest
[ "$(q "SELECT recipient || ':' || reason || ':' || line FROM award_row ORDER BY recipient")" = "$(printf '丁:二:2\n乙:二:3\n甲:一:2')" ] &&
	ok "the later file's row replaces the earlier file's" || fail "the later file's row replaces the earlier file's"
expect_status 0 "check of stored files finds no duplicates in them" J check in
# A new version of a file whose rows another file replaced meanwhile.
printf 'year,award,recipient,recipient_kind,gender,credit_code,reason\n2024,MEDAL,甲,person,男,%s,三\n2024,MEDAL,乙,person,男,%s,三\n2024,MEDAL,乙,person,男,%s,三\n' $A $A $A >in/awards-1.csv
expect_status 1 "new version with a duplicate rejected" J ingest
expect_err "its duplicate named" "in/awards-1.csv:4:1: error: duplicate row: year 2024, award MEDAL, recipient 乙, credit_code $A as on line 3, and a file may hold that once: delete or correct one of the two rows" \
	"in/awards-1.csv: warning: the version of this file accepted before (2 rows) stays in use until a corrected one is accepted"
[ "$(q "SELECT recipient || ':' || reason FROM award_row ORDER BY recipient")" = "$(printf '丁:二\n乙:二\n甲:一')" ] &&
	ok "the rejected version changes nothing" || fail "the rejected version changes nothing"
sed -i '$d' in/awards-1.csv
expect_status 0 "corrected version accepted" J ingest
[ "$(q "SELECT recipient || ':' || reason FROM award_row ORDER BY recipient")" = "$(printf '丁:二\n乙:三\n甲:三')" ] &&
	ok "the corrected version's rows win" || fail "the corrected version's rows win"
finish
