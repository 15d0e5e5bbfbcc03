#!/bin/sh
# t_i18n.sh — messages in the user's language: the catalogue is complete (every message of
# src/ translated, printf conversions checked), every diagnostic of the bad-file fixtures is
# Chinese under zh_CN.UTF-8 and English in the C locale, LANGUAGE is honoured, the catalogue is
# found beside an installed program, and what goes into the store for documents is Chinese.
. "$(dirname "$0")/lib.sh"
ZH=zh_CN.UTF-8

# -- The catalogue: every message the sources hold is translated, none fuzzy, and each
#    translation takes the same printf arguments as its message (msgfmt -c).  A message added
#    anywhere in src/ without its translation fails here.
xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=D:3 \
	--flag=D:3:c-format --flag=_:1:pass-c-format --flag=N_:1:pass-c-format \
	--package-name=jingsai --msgid-bugs-address=none -o "$WORK/now.pot" \
	"$TOP"/src/*.c "$TOP"/src/*.def 2>"$WORK/xgettext.err" || { fail "xgettext"; cat "$WORK/xgettext.err"; }
msgmerge --quiet --no-fuzzy-matching -o "$WORK/now.po" "$TOP/po/zh_CN.po" "$WORK/now.pot"
if msgfmt -c --statistics -o /dev/null "$WORK/now.po" 2>"$WORK/stats"; then ok "msgfmt -c accepts every translation"
else fail "msgfmt -c accepts every translation"; sed 's/^/    /' "$WORK/stats" | head -20; fi
if grep -qE '^[0-9]+ translated messages\.$' "$WORK/stats"; then ok "catalogue complete: $(cat "$WORK/stats")"
else fail "catalogue complete: 0 untranslated, 0 fuzzy (got: $(cat "$WORK/stats"))"
	msgattrib --untranslated --only-fuzzy "$WORK/now.po" 2>/dev/null | grep '^msgid' | head -10 | sed 's/^/    /'
	msgattrib --untranslated "$WORK/now.po" 2>/dev/null | grep '^msgid' | head -10 | sed 's/^/    /'
fi
[ "$(grep -c '^#~' "$TOP/po/zh_CN.po")" = 0 ] && ok "no translation of a message gone from src/" ||
	fail "po/zh_CN.po keeps translations of messages gone from src/ (make po, then delete the #~ entries)"

# -- The catalogue holds no row that no file of src/ reports.
unused=""
for code in $(sed -n 's/^D(\(DIAG_[A-Z0-9_]*\),.*/\1/p' "$TOP"/src/*.def); do
	grep -qw "$code" "$TOP"/src/*.c || unused="$unused $code"
done
[ -z "$unused" ] && ok "every row of the catalogue is used" || fail "rows of the catalogue no file uses:$unused"

# -- Every diagnostic the bad fixtures give (tests/fixtures/ingest/bad, the reader's bad CSV files,
#    the workbooks of the fuzzing seeds): Chinese under zh_CN.UTF-8, English in C.  A line is
#    Chinese when its message differs from the English one at the same place (a message left
#    untranslated reads the same in both) and holds Chinese text of its own.
ingest_setup
cp -r "$FIX/bad" .
# the bad CSV files of the reader's tests and the workbooks of the fuzzing seeds too
cp "$TOP"/tests/fixtures/csv/bad_*.csv "$TOP"/tests/fuzz/corpus/xlsx/*.xlsx bad/
for f in bad/*; do
	name=${f#bad/}
	LC_ALL=C.UTF-8 J check "$f" >/dev/null 2>&1 && continue   # a good workbook
	J check "$f" >/dev/null 2>"$WORK/en.$name"
	LC_ALL=$ZH J check "$f" >"$WORK/zh.out.$name" 2>"$WORK/zh.$name"
	# the message part, after "error: " (or warning, note): positions are the same in both
	sed -n 's/^[^ ]*: \(error\|warning\|note\|fatal\): //p' "$WORK/en.$name" >"$WORK/en.msg"
	sed -n 's/^[^ ]*: \(error\|warning\|note\|fatal\): //p' "$WORK/zh.$name" >"$WORK/zh.msg"
	n=$(wc -l <"$WORK/zh.msg")
	if [ "$n" -gt 0 ] && [ "$n" = "$(wc -l <"$WORK/en.msg")" ]; then ok "$name: $n diagnostic line(s) in both languages"
	else fail "$name: as many diagnostics in Chinese as in English"; cat "$WORK/en.$name" "$WORK/zh.$name" | sed 's/^/    /'; continue; fi
	# positions and severity words: the same, so that tools find them in either language
	if [ "$(sed 's/: \(error\|warning\|note\|fatal\): .*//' "$WORK/en.$name")" = "$(sed 's/: \(error\|warning\|note\|fatal\): .*//' "$WORK/zh.$name")" ] &&
	   [ "$(grep -o ': \(error\|warning\|note\|fatal\): ' "$WORK/en.$name")" = "$(grep -o ': \(error\|warning\|note\|fatal\): ' "$WORK/zh.$name")" ]
	then ok "$name: FILE:LINE:COL: and error/warning/note the same in Chinese"
	else fail "$name: positions and severity words the same in Chinese"; fi
	english=$(paste -d '\n' "$WORK/en.msg" "$WORK/zh.msg" | awk 'NR % 2 { en = $0; next } $0 == en { print }')
	if [ -z "$english" ]; then ok "$name: no message left in English"
	else fail "$name: message left in English:"; echo "$english" | sed 's/^/    /'; fi
	if grep -qvP '\p{Han}' "$WORK/zh.msg"; then fail "$name: a message without Chinese text"; grep -vP '\p{Han}' "$WORK/zh.msg" | sed 's/^/    /'
	else ok "$name: every message holds Chinese"; fi
	if grep -qvE '[A-Za-z]{4,}' "$WORK/en.msg"
	then fail "$name: a message without English words in the C locale"; grep -vE '[A-Za-z]{4,}' "$WORK/en.msg" | sed 's/^/    /'
	else ok "$name: English in the C locale"; fi
done
# -- The schema's verdicts as the submitter needs them: the element and the field, the form
#    expected, an example; nothing of libxml2, the schema, SQL or programme.xml on the line a
#    submitter reads (the operator's note after it may name programme.xml), in any bad
#    fixture.  One fixture per kind of schema error (xsd-*.xml); the regress suite holds their
#    messages whole (tests/regress/diag/check/ingest/bad/xsd-*.out).
said() { sed -n 's/^[^ ]*: \(error\|warning\|fatal\): //p' "$WORK/$1"; }
for f in bad/*; do
	name=${f#bad/}
	[ -f "$WORK/en.$name" ] || continue   # a good workbook
	for lang in en zh; do
		inside=$(said "$lang.$name" | grep -iE 'libxml|xsd|schema|\bsql|programme\.xml|\{urn:|xs:[a-z]')
		[ -z "$inside" ] && ok "$name ($lang): no word of the program's insides" ||
			{ fail "$name ($lang): words of the program's insides:"; echo "$inside" | sed 's/^/    /'; }
	done
done
while IFS='|' read -r name en zh; do
	said "en.$name" | grep -qF -- "$en" && said "zh.$name" | grep -qF -- "$zh" &&
		ok "$name: $en / $zh" || { fail "$name: '$en' and '$zh'"; cat "$WORK/en.$name" "$WORK/zh.$name" | sed 's/^/    /'; }
done <<'EOF'
xsd-wrong-type.xml|'二〇二四' is not a year: year（年度） of <annual-return> takes one such as 2024|“二〇二四”不是年份：<annual-return> 的 year（年度）应填年份，例如 2024
xsd-wrong-type.xml|'十二' is not a count: tech-innovations（职工技术革新项目） of <innovation> takes a whole number from 0, e.g. 120|“十二”不是数量
xsd-missing-attribute.xml|<project> lacks track（赛道）: add it, e.g. track="T1"|<project> 缺少 track（赛道）：请补上，例如 track="T1"
xsd-unknown.xml|<project> has no field budget: delete it or correct its name (the fields of <project> are: id, track|<project> 没有 budget 这一项
xsd-unknown.xml|<projekt> does not belong in <projects>: delete it or correct its name (expected here: <project>)|<projekt> 不应出现在 <projects> 中
xsd-wrong-order.xml|<innovation> is out of order: inside <annual-return> the parts come in this order: <projects>, <innovation>|<innovation> 的位置不对
xsd-out-of-range.xml|'1999' is too small for year（年度） of <annual-return>: the least allowed is 2000|“1999”对 <annual-return> 的 year（年度）来说过小：最小为 2000
xsd-out-of-range.xml|'3000000000' is too large for proposals-submitted|“3000000000”对 <innovation> 的 proposals-submitted（提出合理化建议）来说过大
EOF

# one of them in full, in both languages
grep -qxF "bad/negative-count.csv:2:41: error: '-5' in column 'participants' is negative: write a count from 0, e.g. 120" "$WORK/en.negative-count.csv" &&
	ok "C locale: the English message" || fail "C locale: the English message"
grep -qxF "bad/negative-count.csv:2:41: error: “participants”列的“-5”是负数：请填写 0 或正整数，例如 120" "$WORK/zh.negative-count.csv" &&
	ok "zh_CN.UTF-8: the Chinese message" || fail "zh_CN.UTF-8: the Chinese message"
grep -qxF "bad/invalid.xml:5:35: note: 赛道在 programme.xml 中设定" "$WORK/zh.invalid.xml" &&
	ok "the operator's second line, as a note" || fail "the operator's second line, as a note"

# -- Usage errors and --help follow the locale too; LANGUAGE is honoured as gettext would.
LC_ALL=$ZH "$JINGSAI" --frobnicate 2>"$WORK/usage" >/dev/null
grep -qxF "jingsai: error: 未知选项“--frobnicate”" "$WORK/usage" && ok "usage error in Chinese" || fail "usage error in Chinese"
LC_ALL=$ZH "$JINGSAI" --help | head -1 | grep -qxF "用法：jingsai [选项] 命令 [参数] [选项]" && ok "--help in Chinese" || fail "--help in Chinese"
"$JINGSAI" --help | head -1 | grep -qxF "usage: jingsai [OPTIONS] COMMAND [ARGS] [OPTIONS]" && ok "--help in English" || fail "--help in English"
LC_ALL=$ZH LANGUAGE=en_US:en "$JINGSAI" --frobnicate 2>&1 | grep -q "unknown option" &&
	ok "LANGUAGE=en_US:en under zh_CN: English" || fail "LANGUAGE=en_US:en under zh_CN: English"
LC_ALL=C.UTF-8 LANGUAGE=zh_CN:en "$JINGSAI" --frobnicate 2>&1 | grep -q "未知选项" &&
	ok "LANGUAGE=zh_CN under C.UTF-8: Chinese" || fail "LANGUAGE=zh_CN under C.UTF-8: Chinese"
LC_ALL=C LANGUAGE=zh_CN "$JINGSAI" --frobnicate 2>&1 | grep -q "unknown option" &&
	ok "the C locale ignores LANGUAGE" || fail "the C locale ignores LANGUAGE"

# -- The catalogue is found beside an installed program (PREFIX/bin, PREFIX/share/locale),
#    and a program without one speaks English.
mkdir -p inst/bin inst/share/locale/zh_CN/LC_MESSAGES bare
cp "$JINGSAI" inst/bin/jingsai
cp "$JINGSAI" bare/jingsai
cp "$TOP/build/locale/zh_CN/LC_MESSAGES/jingsai.mo" inst/share/locale/zh_CN/LC_MESSAGES/
LC_ALL=$ZH inst/bin/jingsai --frobnicate 2>&1 | grep -q "未知选项" && ok "installed: PREFIX/share/locale found" ||
	fail "installed: PREFIX/share/locale found"
if [ ! -e /usr/local/share/locale/zh_CN/LC_MESSAGES/jingsai.mo ]; then
	LC_ALL=$ZH bare/jingsai --frobnicate 2>&1 | grep -q "unknown option" && ok "no catalogue: English" ||
		fail "no catalogue: English"
fi

# -- What goes into documents is Chinese whatever the locale: the rejection kept for the
#    annual report's appendix, under LC_ALL=C.
cp bad/unknown-region.csv in/
LC_ALL=C J ingest >/dev/null 2>&1
[ "$(q "SELECT line || ':' || col || ': ' || message FROM rejection JOIN file ON file.id = file_id WHERE path = 'unknown-region.csv'")" = \
	"2:32: 未知地区“港闸市”：请填写以下地区之一的名称或代码：崇川区（320602）、通州区（320612）、海门区（320614）、如东县（320623）、启东市（320681）、如皋市（320682）、海安市（320685）、南通经济技术开发区（KFQ）、苏锡通科技产业园区（SXT）、通州湾示范区（TZW）、市直（SZ）" ] &&
	ok "rejection stored in Chinese under LC_ALL=C, without the operator's line" ||
	fail "rejection stored in Chinese under LC_ALL=C: $(q "SELECT message FROM rejection")"
# and the annual report's appendix of rejected files, made under LC_ALL=C, shows it in Chinese
LC_ALL=C "$JINGSAI" --input in --db db --output out --templates "$TOP/templates" --fonts "$TOP/fonts" \
	annual 2024 >/dev/null 2>&1
pdftotext out/annual/2024/city.pdf - 2>/dev/null | tr -d ' \n' >appendix.txt
grep -qF "被拒收的文件及原因" appendix.txt && grep -qF "unknown-region.csv" appendix.txt &&
	grep -qF "未知地区“港闸市”：请填写以下地区之一的名称或代码" appendix.txt &&
	ok "appendix of rejected files in Chinese under LC_ALL=C" ||
	fail "appendix of rejected files in Chinese under LC_ALL=C"
grep -qF "unknown region" appendix.txt && fail "no English message in the appendix" || ok "no English message in the appendix"
finish
