#!/usr/bin/env python3
"""city_check.py — finds the default programme's words in another city's documents.

usage: city_check.py DEFAULT_PROGRAMME.xml OTHER_PROGRAMME.xml FILE...

Every name and code the default programme.xml gives — the city (and its name
without 市), issuer, basis, document prefix, the verification URL's host, the
slogan, every region's code, name and alias, every track's code and name,
every award's code and title — that the other city's programme does not give
too (a track every city runs is no one city's word) is looked for in the text
of each FILE: the text pdftotext extracts from a PDF, the text of an HTML page
(tags dropped, entities decoded), a CSV as it is.  Short names are not looked
for (群众性创新 or 绿色低碳 are words of every report).  Names are looked for
as substrings; codes (ASCII) as whole words.  Prints FILE: 'WORD' (what) for
each one found, and exits 1 when any was, else 0.
"""
import html
import html.parser
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

NS = {"p": "urn:jingsai:programme:1"}


def words(path):
    """(word, what) pairs of the programme at PATH."""
    root = ET.parse(path).getroot()
    out = []

    def text(tag):
        e = root.find("p:" + tag, NS)
        return e.text.strip() if e is not None and e.text else None

    city = text("city")
    out.append((city, "city"))
    if city.endswith("市"):
        out.append((city[:-1], "city without 市"))
    for tag in ("issuer", "basis", "doc-prefix", "slogan"):
        if text(tag):
            out.append((text(tag), tag))
    url = text("verify-url")
    if url:
        out.append((re.sub(r"^https?://([^/]+).*$", r"\1", url), "verify-url host"))
    for r in root.iterfind("p:regions/p:region", NS):
        out.append((r.get("code"), "region code"))
        out.append((r.get("name"), "region"))
        for a in r.iterfind("p:alias", NS):
            out.append((a.text.strip(), "alias of " + r.get("name")))
    for t in root.iterfind("p:tracks/p:track", NS):
        out.append((t.get("code"), "track code"))
        out.append((t.get("name"), "track"))
    for a in root.iterfind("p:awards/p:award", NS):
        out.append((a.get("code"), "award code"))
        out.append((a.get("title"), "award"))
    return out


class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def text_of(path):
    if path.endswith(".pdf"):
        out = subprocess.run(["pdftotext", "-q", "-layout", path, "-"], capture_output=True)
        return out.stdout.decode("utf-8", "replace")
    data = open(path, "rb").read().decode("utf-8-sig", "replace")
    if path.endswith(".html"):
        p = Text()
        p.feed(data)
        return html.unescape(" ".join(p.parts))
    return data


def main():
    shared = {w for w, _ in words(sys.argv[2])}
    pairs = [(w, what) for w, what in words(sys.argv[1]) if w not in shared]
    found = 0
    for path in sys.argv[3:]:
        t = text_of(path)
        # Text extraction may break a line inside a name: look at it joined too.
        joined = re.sub(r"\s+", "", t)
        for w, what in pairs:
            if re.fullmatch(r"[\x21-\x7e]+", w):
                hit = re.search(r"(?<![0-9A-Za-z_])" + re.escape(w) + r"(?![0-9A-Za-z_])", t)
            else:
                hit = w in t or w in joined
            if hit:
                print(f"{path}: '{w}' ({what})")
                found += 1
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
