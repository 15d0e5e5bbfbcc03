#!/usr/bin/env python3
"""sheets_check.py OUTDIR — every CSV jingsai wrote under OUTDIR is one that Excel on
Chinese Windows opens right, and every .xlsx beside a CSV holds the same tables.

A CSV: starts with a UTF-8 BOM, ends every line with CRLF, names its columns in
Chinese (no header cell is an ASCII identifier such as participants_share), and
holds no cell that a spreadsheet would run as a formula: none begins with = + - @
tab or CR unless it is a number (-5, +56, -1.5%).  A report's CSV is blocks
(a title row, the header, the rows, an empty row); other CSVs (manifest.csv) are
one table with a header.

A workbook beside a CSV: opens with openpyxl, has one sheet per block in the same
order, the title on top, the header frozen below it, and the same cells: text as
the CSV has it (without the ' that keeps it text), numbers as numbers equal to the
CSV's (percentages as fractions).  Prints PASS/FAIL lines."""
import csv
import glob
import io
import os
import re
import sys

failed = 0
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")


def ok(msg):
    print("PASS: " + msg)


def fail(msg):
    global failed
    failed = 1
    print("FAIL: " + msg)


def read(path):
    raw = open(path, "rb").read()
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def blocks(rows):
    """[(title, header, rows)] of a report's CSV."""
    out, cur = [], None
    for row in rows:
        if not row or row == [""]:
            cur = None
        elif cur is None:
            cur = [row[0], None, []]
            out.append(cur)
        elif cur[1] is None:
            cur[1] = row
        else:
            cur[2].append(row)
    return out


def check_csv(path):
    raw, rows = read(path)
    name = os.path.relpath(path, sys.argv[1])
    if raw.startswith(b"\xef\xbb\xbf"):
        ok(name + ": BOM")
    else:
        fail(name + ": starts with a BOM")
    lines = raw.split(b"\n")[:-1]
    if raw.endswith(b"\r\n") and all(l.endswith(b"\r") for l in lines):
        ok(name + ": CRLF")
    else:
        fail(name + ": every line ends with CRLF")
    plain = len(rows) > 0 and len(rows[0]) > 1  # one table with a header
    tables = [(None, rows[0], rows[1:])] if plain else blocks(rows)
    headers = [h for _, hdr, _ in tables for h in (hdr or [])]
    ident = [h for h in headers if IDENT.fullmatch(h)]
    if ident:
        fail(name + ": ASCII identifiers as column headers: " + ", ".join(sorted(set(ident))))
    else:
        ok(name + ": %d column headers, none an ASCII identifier" % len(headers))
    live = [c for row in rows for c in row
            if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not NUMBER.fullmatch(c)]
    if live:
        fail(name + ": cells a spreadsheet would run as formulas: " + ", ".join(live[:5]))
    else:
        ok(name + ": no cell acts as a formula")
    return tables


def as_number(text):
    t = text.lstrip("+")
    if t.endswith("%"):
        return float(t[:-1]) / 100.0
    return float(t)


def check_xlsx(path, tables):
    import openpyxl
    name = os.path.relpath(path, sys.argv[1])
    wb = openpyxl.load_workbook(path)
    if len(wb.sheetnames) != len(tables):
        fail("%s: %d sheets, the CSV %d tables" % (name, len(wb.sheetnames), len(tables)))
        return
    ok("%s: a sheet per table (%d)" % (name, len(tables)))
    bad, numbers = [], 0
    for ws, (title, header, rows) in zip(wb.worksheets, tables):
        if ws["A1"].value != title:
            bad.append("%s: title %r, the CSV %r" % (ws.title, ws["A1"].value, title))
        if ws.freeze_panes != "A3":
            bad.append("%s: header not frozen (%s)" % (ws.title, ws.freeze_panes))
        got = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_col=len(header or []))]
        want = [header] + rows
        for r, (grow, wrow) in enumerate(zip(got, want)):
            for c, (g, w) in enumerate(zip(grow, wrow)):
                cell = "%s!%s%d" % (ws.title, chr(65 + c), r + 2)
                if isinstance(g, (int, float)):
                    numbers += 1
                    try:
                        same = abs(as_number(w) - g) < 1e-9
                    except ValueError:
                        same = False
                    if not same:
                        bad.append("%s: %r, the CSV %r" % (cell, g, w))
                elif (g or "") != (w[1:] if w.startswith("'") else w):
                    bad.append("%s: %r, the CSV %r" % (cell, g, w))
        if len(got) < len(want):
            bad.append("%s: %d rows, the CSV %d" % (ws.title, len(got), len(want)))
    if bad:
        fail(name + ": the workbook differs from the CSV: " + "; ".join(bad[:6]))
    else:
        ok("%s: the same cells as the CSV (%d numbers as numbers)" % (name, numbers))


def main():
    paths = sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.csv"), recursive=True))
    if not paths:
        fail("no CSV under " + sys.argv[1])
    for p in paths:
        tables = check_csv(p)
        x = p[:-4] + ".xlsx"
        if os.path.exists(x):
            check_xlsx(x, tables)
    return failed


if __name__ == "__main__":
    sys.exit(main())
