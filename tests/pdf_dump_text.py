#!/usr/bin/env python3
"""pdf_dump_text.py — the text a reader gets out of a PDF (pdftotext) is the
text its layout dump says was laid out, page by page, white space aside.

    pdf_dump_text.py PDF DUMP [PDF DUMP ...]

The dump is what --dump writes beside the PDF; a page that draws a shared
block ("  shared N") gets that block's lines where it draws it.  Prints one
line per pair ("NAME: N pages, N characters") and exits 0 when every pair
agrees; else names the first page and place where they part.
"""
import re
import subprocess
import sys

LINE = re.compile(r'^  line \S+ .*?"(.*)"$')
WS = re.compile(r'\s')


def dump_pages(path):
    """The text of each page of the dump, shared blocks in place."""
    shared, pages, cur = {}, [], None
    for raw in open(path, encoding="utf-8"):
        raw = raw.rstrip("\n")
        if raw.startswith("shared "):
            cur = shared.setdefault(int(raw.split()[1]), [])
        elif raw.startswith("page "):
            cur = []
            pages.append(cur)
        elif raw.startswith("outline "):
            cur = None
        elif raw.startswith("  shared ") and cur is not None:
            cur.extend(shared.get(int(raw.split()[1]), []))
        elif cur is not None:
            m = LINE.match(raw)
            if m:
                cur.append(m.group(1))
    return [WS.sub("", "".join(p)) for p in pages]


def pdf_pages(path):
    """The text pdftotext gets out of each page."""
    out = subprocess.run(["pdftotext", "-raw", path, "-"], capture_output=True, check=True).stdout
    pages = out.decode("utf-8").split("\f")
    if pages and pages[-1].strip() == "":
        pages.pop()
    return [WS.sub("", p) for p in pages]


def main(argv):
    if len(argv) < 2 or len(argv) % 2:
        sys.exit(__doc__.strip())
    bad = 0
    for pdf, dump in zip(argv[0::2], argv[1::2]):
        want, got = dump_pages(dump), pdf_pages(pdf)
        if len(want) != len(got):
            print(f"{pdf}: {len(got)} pages, its dump {len(want)}")
            bad = 1
            continue
        for n, (w, g) in enumerate(zip(want, got), 1):
            if w != g:
                i = next((i for i in range(min(len(w), len(g))) if w[i] != g[i]), min(len(w), len(g)))
                print(f"{pdf}: page {n}, character {i + 1}: the PDF gives '{g[max(0, i - 12):i + 12]}', "
                      f"the dump '{w[max(0, i - 12):i + 12]}'")
                bad = 1
                break
        else:
            print(f"{'/'.join(pdf.split('/')[-2:])}: {len(want)} pages, {sum(map(len, want))} characters")
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
