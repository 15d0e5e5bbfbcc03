#!/bin/sh
# t_regress.sh — the regress suite of tests/regress/ in make test, with the
# program under test ($JINGSAI): every case's messages, exit status and
# documents against the expected files (diffs cut to 60 lines each here;
# `make regress` shows them whole).
cd "$(dirname "$0")/.." || exit 3
REGRESS_DIFF_LINES=${REGRESS_DIFF_LINES:-60}; export REGRESS_DIFF_LINES
exec sh tests/regress/regress.sh
