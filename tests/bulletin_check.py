#!/usr/bin/env python3
"""bulletin_check.py — the bulletin's ranking computed independently of
jingsai, straight from the submitted CSV files (SPEC §4), for the tests.

    bulletin_check.py ROUND --programme P.xml --enterprises E.csv \
        --achievements A.csv [A2.csv ...] --scores S.csv [S2.csv ...] [--compare B.csv]

Prints the two top-ten tables as CSV (header line, then one line per entry:
category, rank, title, first completer, other completers, unit, region,
score with two decimals rounded half up from the exact mean).  Files are
read in the order given; a key seen again replaces the earlier row (the later
file wins).  Files may be UTF-8 with or without BOM, or GB18030.

With --text T.txt, checks that the text of the bulletin's PDF (pdftotext
-raw) shows every entry's title, first completer and score in the computed
order.  With --compare, reads the bulletin's CSV B.csv instead (blocks of title row,
header row, data rows, blank row), takes the rows of the two blocks whose
titles name 十大科技创新成果 and 十大先进操作法, and exits 1 with the
differences unless they equal the computation.
"""
import argparse
import csv
import io
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal
from fractions import Fraction

CATEGORIES = ["科技创新成果", "先进操作法"]
TOP = 10


def read_csv(path):
    """Rows of PATH as dicts, with their line numbers."""
    raw = open(path, "rb").read()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip() for h in rows[0]]
    for n, r in enumerate(rows[1:], start=2):
        if not r or all(not c.strip() for c in r):
            continue
        yield n, dict(zip(header, (c.strip() for c in r)))


def mean(scores):
    """The exact (trimmed) mean of SCORES (Fractions)."""
    s = sorted(scores)
    if len(s) >= 5:
        s = s[1:-1]
    return sum(s, Fraction(0)) / len(s)


def two_decimals(q):
    """Q rounded half up to two decimals."""
    h = (q * 100 + Fraction(1, 2)).__floor__()
    return "%d.%02d" % (h // 100, h % 100)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("round")
    ap.add_argument("--programme", required=True)
    ap.add_argument("--enterprises", nargs="+", required=True)
    ap.add_argument("--achievements", nargs="+", required=True)
    ap.add_argument("--scores", nargs="+", required=True)
    ap.add_argument("--all", action="store_true", help="every ranked entry, not only the top ten")
    ap.add_argument("--compare", help="the bulletin's CSV to compare with")
    ap.add_argument("--text", help="the bulletin's text (pdftotext -raw) to check the order in")
    a = ap.parse_args()

    ns = {"p": "urn:jingsai:programme:1"}
    root = ET.parse(a.programme).getroot()
    region_name = {}
    for r in root.iter("{urn:jingsai:programme:1}region"):
        region_name[r.get("code")] = r.get("name")
        for alias in r.findall("p:alias", ns):
            region_name[alias.text.strip()] = r.get("name")

    units = {}
    for path in a.enterprises:
        for _, r in read_csv(path):
            units[r["credit_code"]] = (r["name"], region_name.get(r["region"], r["region"]))

    entries = {}
    for path in a.achievements:
        for _, r in read_csv(path):
            if r["round"] == a.round:
                entries[r["entry_id"]] = r

    judged = {}
    for path in a.scores:
        for _, r in read_csv(path):
            if r["round"] == a.round and r["entry_id"] in entries:
                score = Fraction(Decimal(r["score"]))
                if 0 <= score <= 100 and (score * 10).denominator == 1:
                    judged.setdefault(r["entry_id"], {})[r["judge"]] = score

    want = []
    for cat in CATEGORIES:
        ranked = []
        for eid, r in entries.items():
            s = judged.get(eid, {})
            if r["category"] == cat and len(s) >= 3:
                ranked.append((mean(list(s.values())), eid, r))
        ranked.sort(key=lambda t: (-t[0], t[1]))
        for m, eid, r in ranked:
            rank = 1 + sum(1 for o in ranked if o[0] > m)
            if rank > TOP and not a.all:
                continue
            unit, region = units.get(r["credit_code"], ("", ""))
            want.append([cat, str(rank), r["title"], r["first_completer"], r["completers"], unit, region,
                         two_decimals(m)])

    if a.text:
        # Each entry's title, first completer and score, in this order, after the entry before.
        text = "".join(open(a.text, encoding="utf-8").read().split())
        pos = 0
        for r in want:
            for field in (r[2], r[3], r[7]):
                at = text.find("".join(field.split()), pos)
                if at < 0:
                    print("%s %s: '%s' not found in the text after offset %d" % (r[0], r[1], field, pos))
                    return 1
                pos = at + len(field)
        print("the text lists %d entries in the computed order with their scores" % len(want))
        return 0
    if a.compare:
        got = bulletin_rows(a.compare)
        if got == want:
            print("bulletin CSV equals the computation: %d rows" % len(want))
            return 0
        for i in range(max(len(got), len(want))):
            g = got[i] if i < len(got) else None
            x = want[i] if i < len(want) else None
            if g != x:
                print("row %d: bulletin %s, computed %s" % (i + 1, g, x))
        return 1
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["category", "rank", "title", "first_completer", "completers", "unit", "region", "score"])
    for r in want:
        w.writerow(r)
    return 0


def bulletin_rows(path):
    """The top-ten rows of the bulletin's CSV at PATH, category first."""
    text = open(path, "rb").read().decode("utf-8-sig")
    out, block = [], []
    for row in list(csv.reader(io.StringIO(text, newline=""))) + [[]]:
        if row and any(row):
            block.append(row)
            continue
        if block:
            title = block[0][0]
            for cat in CATEGORIES:
                if "十大" + cat in title:
                    out += [[cat] + r for r in block[2:]]
        block = []
    out.sort(key=lambda r: CATEGORIES.index(r[0]))
    return out


if __name__ == "__main__":
    sys.exit(main())
