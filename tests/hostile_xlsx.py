"""hostile_xlsx.py — writes the hostile workbooks of t_xlsx_hostile.sh into
DIR: each is a zip that a spreadsheet program would never write, made to
blow memory or time up, to reach outside the archive, or to make the XML
parser fetch or expand something.  Usage: hostile_xlsx.py DIR"""
import os, sys, zipfile

out = sys.argv[1]
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
CT = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WB_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    '</Relationships>')
WB = f'<?xml version="1.0"?><workbook {NS}><sheets><sheet name="参与" sheetId="1" r:id="rId1"/></sheets></workbook>'
HEADER = ('<row r="1"><c r="A1" t="inlineStr"><is><t>year</t></is></c><c r="B1" t="inlineStr"><is><t>project_id</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>credit_code</t></is></c><c r="D1" t="inlineStr"><is><t>participants</t></is></c></row>')

def sheet(rows):
    return f'<?xml version="1.0"?><worksheet {NS}><sheetData>{rows}</sheetData></worksheet>'

def book(name, parts, compress=zipfile.ZIP_DEFLATED):
    base = {"[Content_Types].xml": CT, "_rels/.rels": RELS, "xl/workbook.xml": WB,
        "xl/_rels/workbook.xml.rels": WB_RELS, "xl/worksheets/sheet1.xml": sheet(HEADER),
        "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst {NS}/>'}
    base.update(parts)
    with zipfile.ZipFile(f"{out}/{name}", "w", compress) as z:
        for k, v in base.items():
            if v is not None:
                z.writestr(k, v)

# A zip bomb: a sheet of 200 MB of blanks packed into a few hundred KB.
with zipfile.ZipFile(f"{out}/bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
    for k, v in {"[Content_Types].xml": CT, "_rels/.rels": RELS, "xl/workbook.xml": WB,
            "xl/_rels/workbook.xml.rels": WB_RELS}.items():
        z.writestr(k, v)
    with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
        f.write(f'<?xml version="1.0"?><worksheet {NS}><sheetData>'.encode())
        chunk = b" " * (1 << 20)
        for _ in range(200):
            f.write(chunk)
        f.write(b"</sheetData></worksheet>")

# Entry names that leave the archive.
book("dotdot.xlsx", {"../../evil.xml": "<x/>"})
book("absolute.xlsx", {"/etc/evil.xml": "<x/>"})
# A relationship pointing outside the archive.
book("target.xlsx", {"xl/_rels/workbook.xml.rels": WB_RELS.replace("worksheets/sheet1.xml", "../../../etc/passwd")})
# DOCTYPE with an external entity, in the sheet, in the shared strings, in the workbook.
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
book("xxe-sheet.xlsx", {"xl/worksheets/sheet1.xml": XXE + f'<worksheet {NS}><sheetData>{HEADER}<row r="2"><c r="A2" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>'})
book("xxe-strings.xlsx", {"xl/sharedStrings.xml": XXE + f'<sst {NS}><si><t>&e;</t></si></sst>'})
book("xxe-workbook.xlsx", {"xl/workbook.xml": XXE + WB[len('<?xml version="1.0"?>'):]})
# Billion laughs in the shared strings.
LOL = '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
book("laughs.xlsx", {"xl/sharedStrings.xml": LOL + f'<sst {NS}><si><t>&h;</t></si></sst>'})
# A million and one shared strings (each different, so that the part is
# packed no tighter than a real one).
book("strings.xlsx", {"xl/sharedStrings.xml": f'<?xml version="1.0"?><sst {NS} count="1000001">' + "".join(f"<si><t>{i * 7919 % 1000003:x}</t></si>" for i in range(1000001)) + "</sst>"})
# A sheet of a million and a few rows (past Excel's 1 048 576).
rows = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in range(2, 1048580))
book("rows.xlsx", {"xl/worksheets/sheet1.xml": sheet(HEADER + rows)})
# A million data rows under a header, every one wrong: read in bounded
# memory and time, the errors past the first thousand only counted.
rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, 1000002))
book("million.xlsx", {"xl/worksheets/sheet1.xml": sheet(HEADER + rows)})
# Cells out of order, a shared string that is not there, a cell of 2 MB.
book("order.xlsx", {"xl/worksheets/sheet1.xml": sheet(HEADER + '<row r="3"/><row r="2"/>')})
book("index.xlsx", {"xl/worksheets/sheet1.xml": sheet(HEADER + '<row r="2"><c r="A2" t="s"><v>99</v></c></row>')})
book("longcell.xlsx", {"xl/worksheets/sheet1.xml": sheet(HEADER + '<row r="2"><c r="A2" t="inlineStr"><is><t>' + os.urandom(1 << 20).hex() + "</t></is></c></row>")})
# Not a workbook: a zip without one, a truncated zip.
with zipfile.ZipFile(f"{out}/nobook.xlsx", "w") as z:
    z.writestr("hello.txt", "hello")
with open(f"{out}/rows.xlsx", "rb") as f:
    data = f.read()
with open(f"{out}/truncated.xlsx", "wb") as f:
    f.write(data[: len(data) // 2])
# A sheet whose CRC is not the one its headers say (damaged in transit or
# by hand): refused once it is unpacked, whichever way it is read.
rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, 20002))
book("crc.xlsx", {"xl/worksheets/sheet1.xml": sheet(HEADER + rows)})
with open(f"{out}/crc.xlsx", "rb") as f:
    data = bytearray(f.read())
name = b"xl/worksheets/sheet1.xml"
i = data.find(b"PK\x03\x04")
while i >= 0:
    if data[i + 30:i + 30 + len(name)] == name:
        data[i + 14] ^= 1  # the local header's CRC
    i = data.find(b"PK\x03\x04", i + 4)
i = data.find(b"PK\x01\x02")
while i >= 0:
    if data[i + 46:i + 46 + len(name)] == name:
        data[i + 16] ^= 1  # the central directory's
    i = data.find(b"PK\x01\x02", i + 4)
with open(f"{out}/crc.xlsx", "wb") as f:
    f.write(data)
