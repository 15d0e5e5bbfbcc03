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
              two lines of the same cell or paragraph (but after the dot of
              热依汗古丽·阿不都热合曼)
  numbers     a number split inside itself (198,59 / 7), from its sign
              (≥ / 3,000), or from its unit (72 / 个)
  pairs       two adjacent full-width marks wider together than 1.5 em
  tablerows   a table that leaves fewer than three of its rows (header
              aside) on a page it shares with another page of it
  labels      two labels of a chart (ticks, values, categories, legend,
              unit) whose ink boxes intersect
  labelsizes  a page whose chart labels come in more than one size
  squeezed    a ，。、；：！？ inside a line set narrower than its em to pull
              one more character onto the line: compression there is only
              for a line that ends with a mark it pulls back (clreq's
              push-in), besides adjacent pairs and the edges of a line
  offgrid     a line of body text (3号 across the 版心) of full-width
              characters only that fills the 28 cells of the GB/T 9704
              grid but does not sit on it, or holds more than 28
  tablegap    a table that opens a page although the page before had room
              at its foot for its caption, header and first three rows
  cellpad     a table cell whose text comes closer than 1.25 mm to a
              column rule (from the rule's inner edge)
  lonechar    a line of body text (3号 across the 版心) that ends a paragraph
              with one character alone, besides the marks that may not
              start a line (年度报 / 表。)
  lonesig     a page whose only content is the signature block (the issuing
              body, the date and the 附注 under it) and page furniture (page
              number, 版记): GB/T 9704 §7.3.5 wants body text above it

A table under the heading of an attachment (附件N) is no tablegap: an
attachment begins a new page (GB/T 9704 §8.2).  A table that opens a page with the signature after it is no tablegap when
the table and the signature together would not have fitted on the page
before (the last of the body goes to the new page with the signature).

Prints one line per fault ("FILE: page N: kind: detail") and a summary line
"forbidden=N names=N numbers=N pairs=N tablerows=N labels=N labelsizes=N
squeezed=N offgrid=N tablegap=N cellpad=N lonechar=N lonesig=N"; exits 1 when
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
RULE = re.compile(r'^  rule (\S+) x1=([-\d.]+) y1=([-\d.]+) x2=([-\d.]+) y2=([-\d.]+) '
                  r'width=([\d.]+)')
# marks that keep their em inside a line, and those a line may end with when
# it pulls them back
MIDLINE = set("，。、；：！？")
GRID_X, GRID_W, GRID_CELLS = 28.0, 156.0, 28
BODY_PT = 16.0
CELL_TAGS = {"th", "td", "total"}
SIGNATURE_TAGS = {"issuer", "date", "note"}
FURNITURE_TAGS = {"folio", "colophon"}


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
                cur = {"no": int(raw.split()[1]), "lines": [], "rules": [], "columns": [],
                       "bottom": 0.0}
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
                if last_line.tag != "folio" and last_line.text:
                    cur["bottom"] = max(cur["bottom"], last_line.y + last_line.h)
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
                cur["rules"].append((m.group(1), float(m.group(3))))
            if m and m.group(1) == "column":
                cur["columns"].append((float(m.group(2)), float(m.group(3)), float(m.group(5)),
                                       float(m.group(6))))
            if m:
                cur["bottom"] = max(cur["bottom"], float(m.group(3)), float(m.group(5)))
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


NAME_DOTS = "\u00b7\u30fb\u2022\u2027"   # 间隔号 between the parts of a name


def split_names(page, names):
    out = []
    for a, b in next_lines(page):
        end, start = a.text.rstrip(), b.text.lstrip()
        for name in names:
            for k in range(1, len(name)):
                if name[k - 1] in NAME_DOTS:
                    continue    # 热依汗古丽· / 阿不都热合曼: after its dot
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
        for r, _ in p["rules"]:
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


def squeezed(page):
    """Mid-line marks narrower than their em in a line that does not end
    with a mark it pulled back."""
    out = []
    for l in page["lines"]:
        if l.tag in LABEL_TAGS:
            continue
        gl = glyphs(l)
        if len(gl) < 3 or gl[-1][0] in NO_START:
            continue
        for k in range(1, len(gl) - 1):
            ch, _, adv, size = gl[k]
            if ch not in MIDLINE or gl[k - 1][0] in MARKS or gl[k + 1][0] in MARKS:
                continue
            if adv < 0.99 * size * PT_MM:
                out.append("%s set in %.2f em: %s" % (ch, adv / (size * PT_MM), l.text))
    return out


def fullwidth(ch):
    return ch in MARKS or "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def offgrid(page):
    """Body lines of full-width characters filling the 28 cells, off the grid."""
    out = []
    cell = GRID_W / GRID_CELLS
    for l in page["lines"]:
        if l.tag not in ("line", "note") or abs(l.x - GRID_X) > 0.01 or abs(l.w - GRID_W) > 0.01:
            continue
        gl = glyphs(l)
        if not gl or any(g[3] != BODY_PT for g in gl) or not all(fullwidth(g[0]) for g in gl):
            continue
        if any(a[0] in MARKS and b[0] in MARKS for a, b in zip(gl, gl[1:])):
            continue            # a pair of marks in 1.5 em: the rest spread
        first = round((gl[0][1] - GRID_X) / cell)
        cells = first + len(gl)
        if cells == GRID_CELLS + 1 and gl[-1][0] in NO_START:
            continue            # a closing mark pulled back (push-in)
        if cells > GRID_CELLS:
            out.append("%d characters on a %d-character grid: %s" % (cells, GRID_CELLS, l.text))
            continue
        if cells < GRID_CELLS:
            continue            # a short line: spread
        for k, g in enumerate(gl):
            if abs(g[1] - (GRID_X + (first + k) * cell)) > 0.1:
                out.append("%s at %.2f mm, not in its cell at %.2f: %s" %
                           (g[0], g[1], GRID_X + (first + k) * cell, l.text))
                break
    return out


def lone_chars(page):
    """Body lines going on from the line above with one character alone."""
    out = []
    for a, b in next_lines(page):
        if b.tag not in ("line", "note") or abs(b.x - GRID_X) > 0.01 or abs(b.w - GRID_W) > 0.01:
            continue
        gl = glyphs(b)
        if gl and all(g[3] == BODY_PT for g in gl) and \
                len([g for g in gl if g[0] not in NO_START]) == 1:
            out.append("%s after %s" % (b.text, a.text))
    return out


def table_gaps(pages):
    """Tables that open a page though the foot of the page before had room
    for their caption, header and three rows (with the caption's space above
    it, which the top of a page does without)."""
    out = []
    for i in range(1, len(pages)):
        p, before = pages[i], pages[i - 1]
        rules = p["rules"]
        if not rules or rules[0][0] != "table-top":
            continue
        above = [l for l in p["lines"] if l.text and l.tag == "line" and l.y < rules[0][1]]
        top = min([l.y for l in above] + [rules[0][1]])
        rows = [y for kind, y in rules[1:] if kind in ("row", "total")][:3]
        if abs(top - 37.0) > 0.05 or len(rows) < 3:
            continue
        if any(re.fullmatch(r"附件\d*", l.text) for l in above):
            continue            # an attachment begins a page (GB/T 9704 §8.2: 另面编排)
        need = rows[-1] - top + 2.2
        room = 262.0 - before["bottom"]
        sig = [l.y + l.h for l in p["lines"] if l.tag in SIGNATURE_TAGS]
        if sig and max(sig) - top + 2.2 > room:
            continue            # went to this page with the signature after it
        if need <= room:
            out.append((p["no"], "table opens page %d though page %d had %.1f mm for the "
                        "%.1f mm of its caption, header and three rows" %
                        (p["no"], before["no"], room, need)))
    return out


def lone_signature(page):
    """A page of the signature block and page furniture alone."""
    tags = {l.tag for l in page["lines"] if l.text}
    if not tags & SIGNATURE_TAGS or tags - SIGNATURE_TAGS - FURNITURE_TAGS or page["rules"]:
        return []
    text = " / ".join(l.text for l in page["lines"] if l.tag in SIGNATURE_TAGS)
    return ["the signature block alone on its page: %s" % text]


def cell_padding(page):
    """Cell text closer than 1.25 mm to the inner edge of a column rule."""
    out = []
    for l in page["lines"]:
        if l.tag not in CELL_TAGS or not l.runs:
            continue
        left = l.runs[0]["x"]
        right = l.runs[-1]["x"] + l.runs[-1]["w"]
        # a bracket's blank half at the edge of its cell is no ink
        if l.text[0] in OPENING:
            left += l.runs[0]["size"] * PT_MM / 2
        if l.text[-1] in CLOSING:
            right -= l.runs[-1]["size"] * PT_MM / 2
        mid = l.y + l.h / 2
        rules = [(x, wpt * PT_MM / 2) for x, y1, y2, wpt in page["columns"] if y1 <= mid <= y2]
        lr = [x + hw for x, hw in rules if x <= left + 0.01]
        rr = [x - hw for x, hw in rules if x >= right - 0.01]
        if lr and left - max(lr) < 1.25:
            out.append("%s %.2f mm from the rule on its left" % (l.text, left - max(lr)))
        if rr and min(rr) - right < 1.25:
            out.append("%s %.2f mm from the rule on its right" % (l.text, min(rr) - right))
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
                            "labelsizes", "squeezed", "offgrid", "tablegap", "cellpad", "lonechar",
                            "lonesig"], 0)
    for path in a.dumps:
        pages = parse(path)
        found = []
        for p in pages:
            for kind, fn in (("forbidden", forbidden), ("numbers", split_numbers),
                             ("pairs", wide_pairs), ("labels", labels),
                             ("labelsizes", label_sizes), ("squeezed", squeezed),
                             ("offgrid", offgrid), ("cellpad", cell_padding),
                             ("lonechar", lone_chars), ("lonesig", lone_signature)):
                for msg in fn(p):
                    found.append((p["no"], kind, msg))
            for msg in split_names(p, names):
                found.append((p["no"], "names", msg))
        for no, msg in table_rows(pages):
            found.append((no, "tablerows", msg))
        for no, msg in table_gaps(pages):
            found.append((no, "tablegap", msg))
        for no, kind, msg in found:
            counts[kind] += 1
            if not a.counts:
                print("%s: page %d: %s: %s" % (path, no, kind, msg))
    print(" ".join("%s=%d" % kv for kv in counts.items()))
    return 1 if any(counts.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
