#!/usr/bin/env python3
"""layout_check.py — what a reader of the printed documents sees at once,
checked on their layout dumps (jingsai --dump), independently of the
layout code.

    layout_check.py [--db STORE] [--counts] DUMP...

Counts, over every dump given:

  forbidden   a line that starts with a mark that may not start one
              (，。、；：！？）》” …) or ends with one that may not end one (（《“ …)
  names       a personal name of the store (first completers, completers,
              award recipients, skills contestants; needs --db) split across
              two lines of the same cell or paragraph
  numbers     a number split inside itself (198,59 / 7), from its sign
              (≥ / 3,000), or from its unit (72 / 个)
  pairs       two adjacent full-width marks wider together than 1.5 em
  tablerows   a table that leaves fewer than three of its rows (header
              aside) on a page it shares with another page of it
  labels      two labels of a chart (ticks, values, categories, legend,
              unit) whose ink boxes intersect
  labelsizes  a page whose chart labels come in more than one size

Prints one line per fault ("FILE: page N: kind: detail") and a summary line
"forbidden=N names=N numbers=N pairs=N tablerows=N labels=N labelsizes=N"; exits 1 when
any count is not zero.  With --counts only the summary is printed.
"""
import argparse
import re
import sqlite3
import sys

PT_MM = 25.4 / 72

NO_START = set("、。，．：；！？）》〉」』】〕〗〙〛］｝”’·・‰％℃‼⁇⁈⁉)]},.:;!?%")
NO_END = set("（《〈「『【〔〖〘〚［｛“‘([{")
OPENING = set("（《〈「『【〔〖〘〚［｛“‘")
CLOSING = set("、。，．：；！？）》〉」』】〕〗〙〛］｝”’")
MARKS = OPENING | CLOSING
UNITS = ["个百分点", "百分点", "万人次", "人次", "万人", "万元", "亿元", "年度", "小时",
         "个", "项", "件", "家", "人", "名", "位", "起", "次", "年", "月", "日", "元",
         "倍", "户", "岁", "天", "吨", "%", "％", "‰"]
LABEL_TAGS = {"tick", "value", "category", "legend", "unit"}

LINE = re.compile(r'^  line (\S+) x=([-\d.]+) y=([-\d.]+) w=([-\d.]+) h=([-\d.]+) "(.*)"$')
RUN = re.compile(r'^    run (\S+) x=([-\d.]+) base=([-\d.]+) w=([-\d.]+) font=\S+ '
                 r'size=([\d.]+) sp=([-\d.]+)(?: bold)? color=\S+ n=(\d+) adv=([\d,]*) "(.*)"$')
RULE = re.compile(r'^  rule (\S+) x1=([-\d.]+) y1=([-\d.]+) x2=([-\d.]+) y2=([-\d.]+)')


class Line:
    def __init__(self, page, tag, x, y, w, h, text):
        self.page, self.tag, self.text = page, tag, text
        self.x, self.y, self.w, self.h = x, y, w, h
        self.runs = []


def parse(path):
    """Pages of PATH: each a dict with its lines (with their runs) and its
    table rules in order."""
    pages = []
    cur = None
    last_line = None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            raw = raw.rstrip("\n")
            if raw.startswith("page "):
                cur = {"no": int(raw.split()[1]), "lines": [], "rules": []}
                pages.append(cur)
                last_line = None
                continue
            if cur is None:
                continue            # shared blocks (certificates) are not checked
            m = LINE.match(raw)
            if m:
                last_line = Line(cur["no"], m.group(1), float(m.group(2)), float(m.group(3)),
                                 float(m.group(4)), float(m.group(5)), m.group(6))
                cur["lines"].append(last_line)
                continue
            m = RUN.match(raw)
            if m and last_line is not None:
                adv = [int(a) for a in m.group(8).split(",")] if m.group(8) else []
                last_line.runs.append({
                    "x": float(m.group(2)), "base": float(m.group(3)), "w": float(m.group(4)),
                    "size": float(m.group(5)), "sp": float(m.group(6)), "adv": adv,
                    "text": m.group(9)})
                continue
            m = RULE.match(raw)
            if m and m.group(1) in ("table-top", "table-cont", "head", "row", "total"):
                cur["rules"].append(m.group(1))
    return pages


def next_lines(page):
    """Pairs (a, b) of lines where b goes on with a's text: the same kind,
    column and width, b one line below a."""
    lines = [l for l in page["lines"] if l.text]
    pairs = []
    for i, a in enumerate(lines):
        for b in lines[i + 1:]:
            if b.tag == a.tag and abs(b.x - a.x) < 0.01 and abs(b.w - a.w) < 0.01 and \
                    abs(b.y - (a.y + a.h)) < 0.05:
                pairs.append((a, b))
                break
    return pairs


def forbidden(page):
    out = []
    for l in page["lines"]:
        if l.tag in LABEL_TAGS:
            continue
        t = l.text.strip()
        if t and t[0] in NO_START:
            out.append("line starts with %s: %s" % (t[0], t))
        if t and t[-1] in NO_END:
            out.append("line ends with %s: %s" % (t[-1], t))
    return out


def split_names(page, names):
    out = []
    for a, b in next_lines(page):
        end, start = a.text.rstrip(), b.text.lstrip()
        for name in names:
            for k in range(1, len(name)):
                if end.endswith(name[:k]) and start.startswith(name[k:]):
                    out.append("name %s split: …%s / %s…" % (name, end[-6:], start[:6]))
    return out


NUMCHAR = re.compile(r"[0-9０-９]")


def split_numbers(page):
    out = []
    for a, b in next_lines(page):
        end, start = a.text.rstrip(), b.text.lstrip()
        if not end or not start:
            continue
        e, s = end[-1], start[0]
        bad = False
        if NUMCHAR.match(e) and (NUMCHAR.match(s) or s in ",.%％‰"):
            bad = True
        elif e in ",." and len(end) > 1 and NUMCHAR.match(end[-2]) and NUMCHAR.match(s):
            bad = True
        elif e in "≥≤＞＜><±" and NUMCHAR.match(s):
            bad = True
        elif NUMCHAR.match(e) and any(start.startswith(u) for u in UNITS):
            bad = True
        if bad:
            out.append("number split: …%s / %s…" % (end[-8:], start[:8]))
    return out


def glyphs(line):
    """(char, origin mm, advance mm, size pt) of each glyph of LINE."""
    out = []
    for r in line.runs:
        x = r["x"]
        size_mm = r["size"] * PT_MM
        for ch, a in zip(r["text"], r["adv"]):
            out.append((ch, x, a / 1000 * size_mm, r["size"]))
            x += a / 1000 * size_mm + r["sp"] * PT_MM
    return out


def wide_pairs(page):
    out = []
    for l in page["lines"]:
        gl = glyphs(l)
        for (ca, xa, aa, sa), (cb, xb, ab, sb) in zip(gl, gl[1:]):
            if ca not in MARKS or cb not in MARKS:
                continue
            em = sa * PT_MM
            if aa < 0.9 * em or ab < 0.9 * em:
                continue            # not full-width in this font
            width = xb + ab - xa
            if width > 1.5 * em + 0.02:
                out.append("pair %s%s is %.2f em: %s" % (ca, cb, width / em, l.text))
    return out


def table_rows(pages):
    """Faults of tables across pages: segments of fewer than three rows."""
    out = []
    tables = []             # each: list of (page, rows)
    for p in pages:
        seg = None
        for r in p["rules"]:
            if r == "table-top":
                tables.append([])
                seg = [p["no"], 0]
                tables[-1].append(seg)
            elif r == "table-cont":
                if not tables:
                    tables.append([])
                seg = [p["no"], 0]
                tables[-1].append(seg)
            elif r in ("row", "total") and seg is not None:
                seg[1] += 1
    for t in tables:
        if len(t) < 2:
            continue
        for no, rows in t:
            if rows < 3:
                out.append((no, "table split leaves %d row(s) on page %d (pages %s)" %
                            (rows, no, ",".join(str(s[0]) for s in t))))
    return out


def label_boxes(page):
    boxes = []
    for l in page["lines"]:
        if l.tag not in LABEL_TAGS:
            continue
        for r in l.runs:
            size_mm = r["size"] * PT_MM
            boxes.append((r["x"], r["base"] - 0.8 * size_mm, r["x"] + r["w"],
                          r["base"] + 0.15 * size_mm, l.tag, r["text"]))
    return boxes


def labels(page):
    out = []
    b = label_boxes(page)
    for i in range(len(b)):
        for j in range(i + 1, len(b)):
            x0, y0, x1, y1 = b[i][:4]
            u0, v0, u1, v1 = b[j][:4]
            if x0 < u1 - 0.05 and u0 < x1 - 0.05 and y0 < v1 - 0.05 and v0 < y1 - 0.05:
                out.append("labels intersect: %s '%s' and %s '%s'" % (b[i][4], b[i][5], b[j][4], b[j][5]))
    return out


def label_sizes(page):
    sizes = sorted({r["size"] for l in page["lines"] if l.tag in LABEL_TAGS for r in l.runs})
    return ["chart labels in %d sizes: %s pt" % (len(sizes), ", ".join("%g" % z for z in sizes))] \
        if len(sizes) > 1 else []


def store_names(db):
    names = set()
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    queries = ["SELECT first_completer FROM achievement", "SELECT completers FROM achievement",
               "SELECT recipient FROM award WHERE recipient_kind = 'person'",
               "SELECT name FROM skills"]
    for q in queries:
        try:
            for (v,) in con.execute(q):
                for n in (v or "").split("、"):
                    n = n.strip()
                    if len(n) >= 2:
                        names.add(n)
        except sqlite3.Error:
            pass
    con.close()
    return sorted(names, key=len, reverse=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--counts", action="store_true")
    ap.add_argument("dumps", nargs="+")
    a = ap.parse_args()
    names = store_names(a.db) if a.db else []
    counts = dict.fromkeys(["forbidden", "names", "numbers", "pairs", "tablerows", "labels",
                            "labelsizes"], 0)
    for path in a.dumps:
        pages = parse(path)
        found = []
        for p in pages:
            for kind, fn in (("forbidden", forbidden), ("numbers", split_numbers),
                             ("pairs", wide_pairs), ("labels", labels),
                             ("labelsizes", label_sizes)):
                for msg in fn(p):
                    found.append((p["no"], kind, msg))
            for msg in split_names(p, names):
                found.append((p["no"], "names", msg))
        for no, msg in table_rows(pages):
            found.append((no, "tablerows", msg))
        for no, kind, msg in found:
            counts[kind] += 1
            if not a.counts:
                print("%s: page %d: %s: %s" % (path, no, kind, msg))
    print(" ".join("%s=%d" % kv for kv in counts.items()))
    return 1 if any(counts.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
