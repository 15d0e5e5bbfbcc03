#!/usr/bin/env python3
"""annual_check.py — recomputes the annual figures of SPEC §4 straight from the
input files, the simple way (no store, no SQL), and compares them with the
companion CSVs and the PDF text that `jingsai annual` wrote.

usage: annual_check.py INPUT_DIR OUTPUT_DIR YEAR
Prints PASS:/FAIL: lines (tests/run.sh counts them); exits 1 on any FAIL.
"""
import csv
import datetime
import fractions
import io
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

NS = "{urn:jingsai:annual-return:1}"

# SPEC §2 defaults, used when programme.xml does not say otherwise.
REGIONS = [("320602", "崇川区", ["港闸区"]), ("320612", "通州区", []), ("320614", "海门区", ["海门市"]),
           ("320623", "如东县", []), ("320681", "启东市", []), ("320682", "如皋市", []),
           ("320685", "海安市", ["海安县"]), ("KFQ", "南通经济技术开发区", []),
           ("SXT", "苏锡通科技产业园区", []), ("TZW", "通州湾示范区", []), ("SZ", "市直", [])]
TRACKS = [("T1", "引领性劳动竞赛"), ("T2", "群众性创新竞赛"), ("T3", "绿色低碳发展竞赛"),
          ("T4", "技能素质提升竞赛"), ("T5", "\"安康杯\"竞赛"), ("T6", "班组创先争优竞赛")]
FIRST_YEAR, LAST_YEAR = 2021, 2025

failures = 0


def ok(name):
    print("PASS: " + name)


def fail(name):
    global failures
    failures += 1
    print("FAIL: " + name)


def decode(data):
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def local(tag):
    return tag.split("}")[-1]


def read_programme(path):
    """Regions, tracks and the first year from programme.xml, if it is there."""
    global REGIONS, TRACKS, FIRST_YEAR, LAST_YEAR
    if not os.path.exists(path):
        return
    root = ET.fromstring(decode(open(path, "rb").read()).encode("utf-8"))
    regions, tracks = [], []
    for el in root.iter():
        name = local(el.tag)
        if name == "region" and el.get("code"):
            aliases = [a.text.strip() for a in el if local(a.tag) == "alias" and a.text]
            aliases += [a for a in re.split(r"[ ,，、]+", el.get("aliases", "")) if a]
            nm = el.get("name") or "".join(t for t in el.itertext()).strip()
            regions.append((el.get("code"), nm, aliases))
        elif name == "track" and el.get("code"):
            tracks.append((el.get("code"), el.get("name") or (el.text or "").strip()))
        elif name == "period" and el.get("first"):
            FIRST_YEAR = int(el.get("first"))
            LAST_YEAR = int(el.get("last", LAST_YEAR))
        elif name == "period" and el.get("first-year"):
            FIRST_YEAR = int(el.get("first-year"))
    if regions:
        REGIONS = regions
    if tracks:
        TRACKS = tracks


def load(input_dir):
    """Returns (returns, enterprises, participation) as plain Python data."""
    returns, enterprises, participation = [], {}, {}
    alias = {}
    for code, name, aliases in REGIONS:
        alias[code] = code
        alias[name] = code
        for a in aliases:
            alias[a] = code
    for dirpath, dirnames, filenames in sorted(os.walk(input_dir)):
        dirnames.sort()
        for fn in sorted(filenames):
            path = os.path.join(dirpath, fn)
            data = open(path, "rb").read()
            try:
                text = decode(data)
            except UnicodeDecodeError:
                continue
            if fn.lower().endswith(".xml"):
                try:
                    root = ET.fromstring(text.encode("utf-8"))
                except ET.ParseError:
                    continue
                if root.tag != NS + "annual-return":
                    continue
                r = {"region": alias.get(root.get("region"), root.get("region")),
                     "year": int(root.get("year")),
                     "submitted": datetime.datetime.fromisoformat(root.get("submitted").replace("Z", "+00:00")),
                     "projects": [], "studios": [], "figures": {}}
                for el in root:
                    name = local(el.tag)
                    if name == "projects":
                        r["projects"] = [dict(p.attrib) for p in el]
                    elif name == "studios":
                        r["studios"] = [dict(s.attrib) for s in el]
                    else:
                        for k, v in el.attrib.items():
                            r["figures"][k.replace("-", "_")] = int(v)
                returns.append(r)
            elif fn.lower().endswith(".csv"):
                rows = list(csv.reader(io.StringIO(text)))
                if not rows:
                    continue
                header = [h.strip() for h in rows[0]]
                body = [dict(zip(header, row)) for row in rows[1:] if any(c.strip() for c in row)]
                if set(header) == {"credit_code", "name", "region", "ownership", "above_scale",
                                   "industry", "employees"}:
                    for row in body:
                        row["region"] = alias.get(row["region"].strip(), row["region"].strip())
                        enterprises[row["credit_code"].strip()] = row
                elif set(header) == {"year", "project_id", "credit_code", "participants"}:
                    for row in body:
                        key = (int(row["year"]), row["project_id"].strip(), row["credit_code"].strip())
                        participation[key] = int(row["participants"])
    return returns, enterprises, participation


class Figures:
    """Everything the reports show for one year, computed directly."""

    def __init__(self, returns, enterprises, participation, year):
        self.year = year
        cur = {}
        for r in returns:
            k = (r["region"], r["year"])
            if k not in cur or r["submitted"] > cur[k]["submitted"]:
                cur[k] = r
        self.cur = cur
        projects = {}
        for (region, y), r in cur.items():
            for p in r["projects"]:
                projects[p["id"]] = dict(p, region=region, year=y)
        self.projects = projects

        def part(y):
            out = {}
            for (py, pid, cc), n in participation.items():
                if py != y or pid not in projects or cc not in enterprises:
                    continue
                e = enterprises[cc]
                key = (e["region"], projects[pid]["track"])
                d = out.setdefault(key, {"ents": set(), "nonpublic": set(), "participants": 0})
                d["ents"].add(cc)
                if e["ownership"].strip() not in ("国有", "集体"):
                    d["nonpublic"].add(cc)
                d["participants"] += n
            return out
        self.part = part(year)
        self.part_prev = part(year - 1)
        # cumulative since the first year
        self.cum_participants = sum(n for (py, pid, cc), n in participation.items()
                                    if FIRST_YEAR <= py <= year and pid in projects and cc in enterprises)
        self.cum_enterprises = len({cc for (py, pid, cc) in participation
                                    if FIRST_YEAR <= py <= year and pid in projects and cc in enterprises})

    def submitted(self, region, year=None):
        return (region, year or self.year) in self.cur

    def fig(self, region, name, year=None):
        r = self.cur.get((region, year or self.year))
        return None if r is None else r["figures"].get(name, 0)

    def region_part(self, region, part=None):
        part = part if part is not None else self.part
        ents, nonpub, n = set(), set(), 0
        for (rg, tr), d in part.items():
            if rg == region:
                ents |= d["ents"]
                nonpub |= d["nonpublic"]
                n += d["participants"]
        return len(ents), len(nonpub), n

    def track_part(self, track, region=None):
        ents, nonpub, n = set(), set(), 0
        for (rg, tr), d in self.part.items():
            if tr == track and (region is None or rg == region):
                ents |= d["ents"]
                nonpub |= d["nonpublic"]
                n += d["participants"]
        return len(ents), len(nonpub), n

    def city_part(self):
        ents, nonpub, n = set(), set(), 0
        for d in self.part.values():
            ents |= d["ents"]
            nonpub |= d["nonpublic"]
            n += d["participants"]
        return len(ents), len(nonpub), n

    def projects_count(self, region=None, track=None):
        return sum(1 for p in self.projects.values()
                   if p["year"] == self.year and p["status"] != "申报"
                   and (region is None or p["region"] == region) and (track is None or p["track"] == track))

    def studios(self, region=None, level=None):
        ids = set()
        for (rg, y), r in self.cur.items():
            if y == self.year and (region is None or rg == region):
                for s in r["studios"]:
                    if level is None or s.get("level") == level:
                        ids.add(s["id"])
        return len(ids)

    def city_sum(self, name, year=None):
        return sum(r["figures"].get(name, 0) for (rg, y), r in self.cur.items() if y == (year or self.year))


def read_blocks(path):
    """The CSV's blocks: {title: [rows]} (header row first)."""
    text = open(path, "rb").read()
    if not text.startswith(b"\xef\xbb\xbf"):
        fail(path + ": starts with a UTF-8 BOM")
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    # A cell a spreadsheet would read as a date or a formula is kept as
    # text with a leading ' (the rank 1/11 would be 11 January): read it
    # as written.
    rows = [[c[1:] if c.startswith("'") else c for c in row] for row in rows]
    blocks, cur = {}, None
    for row in rows:
        if not row or row == [""]:
            cur = None
        elif cur is None:
            cur = []
            blocks[row[0]] = cur
        else:
            cur.append(row)
    return blocks


def block(blocks, prefix):
    for title, rows in blocks.items():
        if title.startswith(prefix):
            return rows
    return None


def cell(v):
    return "未报送" if v is None else str(v)


def pct(num, den):
    """NUM/DEN as a percentage to a tenth, from the exact fraction, a half
    rounded up (away from zero), as one rounds by hand."""
    if not den:
        return "—"
    tenths = fractions.Fraction(1000 * num, den)
    n = abs(tenths)
    r = int(n) + (1 if n - int(n) >= fractions.Fraction(1, 2) else 0)
    if tenths < 0 and r:
        r = -r
    return "%s%d.%d%%" % ("-" if r < 0 else "", abs(r) // 10, abs(r) % 10)


def compare(name, got, want):
    if got is not None and [str(x) for x in got] == [str(x) for x in want]:
        ok(name)
    else:
        fail("%s: CSV has %s, the input files give %s" % (name, got, want))


def check_city(f, outdir):
    path = os.path.join(outdir, "city.csv")
    if not os.path.exists(path):
        fail("city.csv exists")
        return
    b = read_blocks(path)
    names = dict((c, n) for c, n, a in REGIONS)
    tracks = dict(TRACKS)
    # the summary paragraph
    tot = block(b, "全市总体情况")
    if tot is None:
        fail("city.csv: 全市总体情况 block")
    else:
        # columns named in Chinese, by the template's <col header>
        row = dict(zip(tot[0], tot[1]))
        e, np_, n = f.city_part()
        compare("city: enterprises, non-public, participants, projects",
                [row.get("开展竞赛的企业（家）"), row.get("其中非公企业（家）"), row.get("参与职工（人次）"),
                 row.get("在推进项目（个）")],
                [e, np_, n, f.projects_count()])
        compare("city: innovation figures",
                [row.get("职工技术革新项目（个）"), row.get("先进操作法（项）"), row.get("采纳合理化建议（件）"),
                 row.get("劳模创新工作室（个）")],
                [f.city_sum("tech_innovations"), f.city_sum("operating_methods"),
                 f.city_sum("proposals_adopted"), f.studios()])
        compare("city: since the first year", [row.get("累计参与职工（人次）"), row.get("累计开展竞赛的企业（家）")],
                [f.cum_participants, f.cum_enterprises])
    # target progress: value, previous year's value, progress, verdict
    t = block(b, "表1")
    if t is None:
        fail("city.csv: target progress table")
    else:
        rows = dict((r[0].split("（")[0], r) for r in t[1:])
        y = f.year
        cum = lambda k, last: sum(f.city_sum(k, yy) for yy in range(FIRST_YEAR, last + 1))
        want = {"职工节能减排义务监督员总数": (f.city_sum("supervisors"), 10000),
                "职工技术革新项目": (cum("tech_innovations", y), 20000),
                "总结推广先进操作法": (cum("operating_methods", y), 5000),
                "采纳合理化建议": (cum("proposals_adopted", y), 200000),
                "各级劳模创新工作室": (f.studios(), 400),
                "市示范性劳模创新工作室": (f.studios(None, "city-demo"), 100),
                "参与职工人次": (f.cum_participants, 3000000),
                "开展竞赛活动的企业": (f.cum_enterprises, 10000)}
        elapsed = (y - FIRST_YEAR + 1) / float(LAST_YEAR - FIRST_YEAR + 1)
        for label, (value, target) in want.items():
            row = rows.get(label)
            if row is None:
                fail("target progress: row " + label)
                continue
            progress = value / target
            verdict = "已完成" if value >= target else "符合进度" if progress >= elapsed else "滞后于进度"
            compare("target progress " + label, [row[2], row[4], row[5]],
                    [value, pct(value, target), verdict])

    # per track
    t = block(b, "表2")
    if t is None:
        fail("city.csv: per-track table")
    else:
        for code, name in TRACKS:
            row = next((r for r in t if r[0] == name), None)
            e, np_, n = f.track_part(code)
            compare("city per track " + code, row[1:5] if row else None, [e, np_, n, f.projects_count(track=code)])
        e, np_, n = f.city_part()
        compare("city per track: total (distinct enterprises)", t[-1][1:5], [e, np_, n, f.projects_count()])
    # per region
    t = block(b, "表3")
    if t is None:
        fail("city.csv: per-region table")
    else:
        for code, name, _ in REGIONS:
            row = next((r for r in t if r[0] == name), None)
            e, np_, n = f.region_part(code)
            sub = f.submitted(code)
            has_part = any(rg == code for rg, tr in f.part)
            want = [e if sub or has_part else None, np_ if sub or has_part else None,
                    n if sub or has_part else None,
                    f.projects_count(region=code) if sub else None, f.fig(code, "tech_innovations")]
            compare("city per region " + code, row[1:6] if row else None, [cell(x) for x in want])
    # region × track
    t = block(b, "表4")
    if t is None:
        fail("city.csv: region × track table")
    else:
        bad = []
        for code, name, _ in REGIONS:
            row = next((r for r in t if r[0] == name), None)
            want = [f.track_part(tc, code)[2] for tc, tn in TRACKS] + [f.region_part(code)[2]]
            if row is None or [int(x) for x in row[1:8]] != want:
                bad.append((code, row, want))
        if bad:
            fail("city region × track participants: %s" % bad[:2])
        else:
            ok("city region × track participants (%d cells)" % (len(REGIONS) * 7))
    # innovation
    t = block(b, "表5")
    keys = ["tech_innovations", "operating_methods", "proposals_submitted", "proposals_adopted", "five_small"]
    if t is None:
        fail("city.csv: innovation table")
    else:
        for code, name, _ in REGIONS:
            row = next((r for r in t if r[0] == name), None)
            compare("city innovation " + code, row[1:6] if row else None, [cell(f.fig(code, k)) for k in keys])
        compare("city innovation total", t[-1][1:6], [f.city_sum(k) for k in keys])
    t = block(b, "表6")
    levels = ["city-demo", "city", "county", "enterprise", None]
    if t is None:
        fail("city.csv: studios table")
    else:
        for code, name, _ in REGIONS:
            row = next((r for r in t if r[0] == name), None)
            sub = f.submitted(code)
            compare("city studios " + code, row[1:6] if row else None,
                    [cell(f.studios(code, lv) if sub else None) for lv in levels])
        compare("city studios total (distinct)", t[-1][1:6], [f.studios(None, lv) for lv in levels])
    # green and safety
    t = block(b, "表7")
    if t is None:
        fail("city.csv: green and ankang table")
    else:
        for code, name, _ in REGIONS:
            row = next((r for r in t if r[0] == name), None)
            if not f.submitted(code):
                want = ["未报送"] * 5
            else:
                g = lambda k: f.fig(code, k)
                want = [g("supervisors"), pct(g("key_enterprise_participants"), g("key_enterprise_workers")),
                        g("above_scale_enterprises"), g("ankang_enterprises"),
                        pct(g("ankang_enterprises"), g("above_scale_enterprises"))]
            compare("city green/ankang " + code, row[1:6] if row else None, want)
    t = block(b, "表8")
    if t is None:
        fail("city.csv: accidents table")
    else:
        for i, k in enumerate(["deaths", "serious_injuries", "occupational_incidents"]):
            now, prev = f.city_sum(k), f.city_sum(k, f.year - 1)
            has_prev = any(y == f.year - 1 for (rg, y) in f.cur)
            ch = now - prev
            want = [now, prev if has_prev else "无数据",
                    ("+%d" % ch if ch > 0 else str(ch)) if has_prev else "—"]
            compare("city accidents " + k, t[i + 1][1:4], want)
    return b


def check_region(f, outdir, code, name):
    path = os.path.join(outdir, code + ".csv")
    if not os.path.exists(path):
        fail(code + ".csv exists")
        return None
    b = read_blocks(path)
    t = block(b, "表1")
    if t is None:
        fail(code + ".csv: main indicators")
        return b
    rows = dict((r[0].split("（")[0], r) for r in t[1:])
    e, np_, n = f.region_part(code)
    sub = f.submitted(code)
    has_part = any(rg == code for rg, tr in f.part)
    want = {"开展竞赛活动的企业": e if sub or has_part else None,
            "参与职工": n if sub or has_part else None,
            "在推进的竞赛项目": f.projects_count(region=code) if sub else None,
            "职工技术革新项目": f.fig(code, "tech_innovations"),
            "采纳合理化建议": f.fig(code, "proposals_adopted"),
            "劳模创新工作室": f.studios(code) if sub else None,
            "节能减排义务监督员": f.fig(code, "supervisors"),
            "职工死亡事故": f.fig(code, "deaths")}
    got = [rows.get(k, [None, None])[1] for k in want]
    compare(code + ": main indicators", got, [cell(v) for v in want.values()])
    # share of the city's participants, and the rank among regions
    if sub or has_part:
        city_n = f.city_part()[2]
        values = []
        for c, nm, _ in REGIONS:
            if f.submitted(c) or any(rg == c for rg, tr in f.part):
                values.append(f.region_part(c)[2])
        rank = 1 + sum(1 for v in values if v > n)
        compare(code + ": share and rank of participants", rows["参与职工"][4:6],
                [pct(n, city_n), "%d/%d" % (rank, len(values))])
    t = block(b, "表2")
    if t is not None:
        for tc, tn in TRACKS:
            row = next((r for r in t if r[0] == tn), None)
            e, np_, n = f.track_part(tc, code)
            compare(code + " track " + tc, row[1:5] if row else None, [e, np_, n, f.projects_count(code, tc)])
    return b


def pdf_has_numbers(pdf, blocks, label):
    """Every number of the CSV's tables appears in the PDF's text, as printed."""
    try:
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, check=True).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        fail(label + ": pdftotext reads the PDF")
        return
    flat = re.sub(r"\s+", "", text)
    missing, seen = [], 0
    for title, rows in blocks.items():
        if not title.startswith(("表", "附表")):
            continue
        for row in rows[1:]:
            for v in row[1:]:
                if not re.fullmatch(r"[+-]?\d+(\.\d+)?%?", v):
                    continue
                m = re.match(r"([+-]?)(\d+)(.*)", v)
                shown = m.group(1) + "{:,}".format(int(m.group(2))) + m.group(3)
                if "." in v or "%" in v:
                    shown = v
                seen += 1
                if shown not in flat:
                    missing.append(shown)
    if missing:
        fail("%s: %d of %d table numbers not in the PDF text, e.g. %s" % (label, len(missing), seen, missing[:5]))
    else:
        ok("%s: all %d table numbers appear in the PDF text" % (label, seen))


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    input_dir, outdir, year = sys.argv[1], sys.argv[2], int(sys.argv[3])
    read_programme(os.path.join(input_dir, "programme.xml"))
    returns, enterprises, participation = load(input_dir)
    if not returns or not participation:
        fail("the input has annual returns and participation rows")
        return 1
    f = Figures(returns, enterprises, participation, year)
    b = check_city(f, outdir)
    if b:
        pdf_has_numbers(os.path.join(outdir, "city.pdf"), b, "city.pdf")
    for code, name, _ in REGIONS:
        rb = check_region(f, outdir, code, name)
        if rb:
            pdf_has_numbers(os.path.join(outdir, code + ".pdf"), rb, code + ".pdf")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
