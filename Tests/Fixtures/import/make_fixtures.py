#!/usr/bin/env python3
"""Writes the workbooks that Tests/UnitTests/Leads/XLSXReaderTests.swift and the XLSX import
end-to-end test read. Run it again only to change them; the tests expect exactly these cells.

  python3 -m venv /tmp/fixtures-venv
  /tmp/fixtures-venv/bin/pip install openpyxl xlwt msoffcrypto-tool
  /tmp/fixtures-venv/bin/python Tests/Fixtures/import/make_fixtures.py

leads-openpyxl.xlsx   openpyxl's own output: inline strings, a rich-text cell, a phone stored as a
                      number, date cells (custom format yyyy-mm-dd), a styled empty row, a sparse
                      row, a formula never calculated; the same leads as the CSV end-to-end test.
leads-excel.xlsx      parts written here as Excel writes them: shared strings (rich-text runs, a
                      phonetic guide, _x000D_ and entity escapes), built-in and custom number
                      formats, booleans, a formula's cached text, #N/A, numbers in exponent form,
                      tab order that differs from the part names, a hidden first sheet.
leads-1904.xlsx       the 1904 date system, x:-prefixed elements (as the Open XML SDK writes),
                      ISO t="d" cells, an absolute relationship target, no shared strings.
large-sheet.xlsx      a sheet part of 11 MB (100,000 rows) in a 40 KB file.
no-sheet.xlsx         a workbook without a worksheet.
not-a-workbook.xlsx   a ZIP that is not a workbook.
legacy.xls            an Excel 97-2003 workbook (xlwt).
encrypted.xlsx        a password-protected workbook (msoffcrypto-tool; password 1234). Its salt is
                      random, so this one file changes on every run; the others do not.
"""
import io
import os
import re
import zipfile
from datetime import date, datetime

from msoffcrypto.format.ooxml import OOXMLFile
import xlwt
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Font

HERE = os.path.dirname(os.path.abspath(__file__))
FIXED = (2025, 1, 1, 0, 0, 0)  # ZIP entry times, so that re-running changes no bytes
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"


def write_zip(name, parts):
    with zipfile.ZipFile(os.path.join(HERE, name), "w", zipfile.ZIP_DEFLATED) as z:
        for path, text in parts:
            z.writestr(zipfile.ZipInfo(path, FIXED), text.encode("utf-8"), zipfile.ZIP_DEFLATED)


def restamp(name):
    """openpyxl stamps the entries and docProps/core.xml's modified date with the current time;
    rewrite both with a fixed one."""
    path = os.path.join(HERE, name)
    with zipfile.ZipFile(path) as z:
        parts = [(info.filename, z.read(info)) for info in z.infolist()]
    parts = [(f, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-01-01T00:00:00Z", d) if f == "docProps/core.xml" else d)
             for f, d in parts]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for filename, data in parts:
            z.writestr(zipfile.ZipInfo(filename, FIXED), data, zipfile.ZIP_DEFLATED)


def serial(value, epoch=datetime(1899, 12, 30)):
    """An Excel date serial: days since the epoch (1900 system unless told), the time as a fraction."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    delta = value - epoch
    return str(delta.days) if delta.seconds == 0 else repr(delta.days + delta.seconds / 86400)


def rels(entries):
    body = "".join(f'<Relationship Id="{i}" Type="{RELS}/{t}" Target="{target}"/>' for i, t, target in entries)
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_RELS}">{body}</Relationships>'


def content_types(sheets, shared=True):
    overrides = "".join(f'<Override PartName="/{p}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for p in sheets)
    if shared:
        overrides += '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{CT}">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f'{overrides}</Types>')


def sheet_xml(rows, prefix=""):
    body = f'<worksheet xmlns="{MAIN}"><sheetData>' + "".join(rows) + "</sheetData></worksheet>"
    if prefix:  # every element prefixed, the namespace bound to the prefix instead of the default
        body = re.sub(r"<(/?)([a-zA-Z])", rf"<\1{prefix}:\2", body).replace(f'xmlns="{MAIN}"', f'xmlns:{prefix}="{MAIN}"')
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body


def inline(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def openpyxl_leads():
    wb = Workbook()
    wb.properties.created = datetime(2025, 1, 1)
    ws = wb.active
    ws.title = "线索"
    ws.append(["姓名", "手机", "公司", "渠道", "城市", "核心需求", "下次联系时间", "微信号"])
    ws.append(["王建国", 13816622001, "上海瑞金医院", "官网表单", "上海",
               CellRichText([TextBlock(InlineFont(b=True), "腔镜"), "两套"]), date(2026, 12, 1), "wx1"])
    ws["A3"].font = Font(bold=True)  # row 3: present in the file, no value
    ws.append(["周晓梅", 1381662, "上海仁济医院", "展会", "上海", "超声刀耗材", date(2026, 12, 2), "wx2"])
    ws.append(["吴海", 13916622003, None, "抖音", "上海", "制氧机", None, "wx3"])
    ws.append(["孙莉", 15026622005, None, "美团", "上海", "验光, 套餐", date(2026, 12, 4), '="wx"&5'])
    wb.create_sheet("说明")["A1"] = "第一张表是线索"
    wb.save(os.path.join(HERE, "leads-openpyxl.xlsx"))
    restamp("leads-openpyxl.xlsx")


def excel_leads():
    strings = [
        "<t>姓名</t>", "<t>公司</t>", "<t>手机</t>", "<t>统一社会信用代码</t>", "<t>城市</t>", "<t>咨询内容</t>",
        "<t>下次联系时间</t>", "<t>预算</t>", "<t>是否老客户</t>", "<t>备注</t>",
        '<t>王建国</t><rPh sb="0" eb="3"><t>wáng jiàn guó</t></rPh><phoneticPr fontId="1" type="noConversion"/>',  # 10
        '<r><rPr><b/><sz val="11"/></rPr><t>腔镜</t></r><r><rPr><sz val="11"/></rPr><t xml:space="preserve"> 两套</t></r>',  # 11
        "<t>上海</t>", "<t>91350100M000100Y43</t>", "<t>第一行_x000D_\n第二行</t>",  # 12, 13, 14
        "<t>R&amp;D 部门 &lt;试用&gt;</t>", "<t>周晓梅</t>", "<t>吴海</t>", "<t>_x005F_x0041_ 原样</t>",  # 15..18
    ]
    shared = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
              + "".join(f"<si>{s}</si>" for s in strings) + "</sst>")
    styles = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN}">'
              '<numFmts count="3"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
              '<numFmt numFmtId="177" formatCode="#,##0.00_);[Red]\\(#,##0.00\\)"/>'
              '<numFmt numFmtId="178" formatCode="0&quot; days&quot;"/></numFmts>'
              # a named style with a date format: cells' styles are cellXfs, not these
              '<cellStyleXfs count="1"><xf numFmtId="14" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
              '<cellXfs count="9"><xf numFmtId="0" xfId="0"/><xf numFmtId="14" xfId="0" applyNumberFormat="1"/>'
              '<xf numFmtId="176" xfId="0" applyNumberFormat="1"/><xf numFmtId="177" xfId="0" applyNumberFormat="1"/>'
              '<xf numFmtId="49" xfId="0" applyNumberFormat="1"/><xf numFmtId="22" xfId="0" applyNumberFormat="1"/>'
              '<xf numFmtId="58" xfId="0" applyNumberFormat="1"/><xf numFmtId="178" xfId="0" applyNumberFormat="1"/>'
              '<xf numFmtId="20" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>')
    def s(ref, index):
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    def n(ref, value, style=0):
        return f'<c r="{ref}" s="{style}"><v>{value}</v></c>' if style else f'<c r="{ref}"><v>{value}</v></c>'

    leads = [
        '<row r="1" spans="1:10">' + "".join(s(f"{col}1", i) for i, col in enumerate("ABCDEFGHIJ")) + "</row>",
        '<row r="2" spans="1:10">' + s("A2", 10) + inline("B2", "上海瑞金医院") + n("C2", "13816621001") + s("D2", 13) + s("E2", 12)
        + s("F2", 11) + n("G2", serial(date(2026, 12, 1)), 1) + n("H2", "120000.5", 3) + '<c r="I2" t="b"><v>1</v></c>'
        + '<c r="J2" t="str"><f>CONCATENATE(E2,"-",LEFT(F2,2))</f><v>上海-腔镜</v></c></row>',
        '<row r="3" spans="1:10" ht="20" customHeight="1"/>',
        '<row r="4" spans="1:10"><c r="A4" s="4"/><c r="B4" s="4" t="s"/></row>',
        '<row r="5" spans="1:10">' + s("A5", 16) + n("C5", "1.381662E6") + s("E5", 12) + s("F5", 14)
        + n("G5", serial(datetime(2026, 12, 2, 14, 30)), 5) + n("H5", "3", 7) + '<c r="I5" t="b"><v>0</v></c>'
        + '<c r="J5" t="e"><f>VLOOKUP(A5,字典!A:B,2,FALSE)</f><v>#N/A</v></c></row>',
        '<row r="7" spans="1:10">' + s("A7", 17) + n("C7", "1.3916621003E10") + s("F7", 15) + n("G7", serial(date(2026, 12, 3)), 6)
        + n("H7", "0.5625", 8) + s("J7", 18) + "</row>",
        # cells without references (allowed, rare): each goes after the one before
        '<row r="8"><c t="inlineStr"><is><t>无坐标</t></is></c><c><v>42</v></c><c><v>0.30000000000000004</v></c></row>',
    ]
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
                '<workbookPr defaultThemeVersion="164011"/><sheets>'
                '<sheet name="字典" sheetId="3" state="hidden" r:id="rId3"/><sheet name="线索" sheetId="2" r:id="rId2"/>'
                '<sheet name="说明" sheetId="1" r:id="rId1"/></sheets></workbook>')
    write_zip("leads-excel.xlsx", [
        ("[Content_Types].xml", content_types(["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"])),
        ("_rels/.rels", rels([("rId1", "officeDocument", "xl/workbook.xml")])),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", rels([
            ("rId1", "worksheet", "worksheets/sheet1.xml"), ("rId2", "worksheet", "worksheets/sheet2.xml"),
            ("rId3", "worksheet", "worksheets/sheet3.xml"), ("rId4", "styles", "styles.xml"), ("rId5", "sharedStrings", "sharedStrings.xml")])),
        ("xl/worksheets/sheet1.xml", sheet_xml(['<row r="1">' + inline("A1", "这是说明页，不是线索") + "</row>"])),
        ("xl/worksheets/sheet2.xml", sheet_xml(leads)),
        ("xl/worksheets/sheet3.xml", sheet_xml(['<row r="1">' + inline("A1", "官网表单") + inline("B1", "web_form") + "</row>"])),
        ("xl/styles.xml", styles),
        ("xl/sharedStrings.xml", shared),
    ])


def leads_1904():
    epoch = datetime(1904, 1, 1)
    rows = [
        '<row r="1">' + inline("A1", "姓名") + inline("B1", "手机") + inline("C1", "下次联系时间") + inline("D1", "登记时间") + "</row>",
        '<row r="2">' + inline("A2", "王建国") + '<c r="B2"><v>13816621001</v></c>'
        + f'<c r="C2" s="1"><v>{serial(date(2026, 12, 1), epoch)}</v></c>' + '<c r="D2" t="d"><v>2026-12-05T09:15:00</v></c></row>',
        '<row r="3">' + inline("A3", "李娜") + '<c r="B3"><v>15026621005</v></c>'
        + '<c r="C3" t="d"><v>2026-12-06T00:00:00Z</v></c>' + '<c r="D3" t="d"><v>2026-12-07</v></c></row>',
    ]
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<x:workbook xmlns:x="{MAIN}" xmlns:rel="{RELS}">'
                '<x:workbookPr date1904="1"/><x:sheets><x:sheet name="Leads" sheetId="1" rel:id="R1a"/></x:sheets></x:workbook>')
    styles = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<x:styleSheet xmlns:x="{MAIN}">'
              '<x:cellXfs count="2"><x:xf numFmtId="0"/><x:xf numFmtId="14" applyNumberFormat="1"/></x:cellXfs></x:styleSheet>')
    write_zip("leads-1904.xlsx", [
        ("[Content_Types].xml", content_types(["xl/worksheets/data.xml"], shared=False)),
        ("_rels/.rels", rels([("rId1", "officeDocument", "xl/workbook.xml")])),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", rels([("R1a", "worksheet", "/xl/worksheets/data.xml"), ("R2", "styles", "styles.xml")])),
        ("xl/worksheets/data.xml", sheet_xml(rows, prefix="x")),
        ("xl/styles.xml", styles),
    ])


def large_sheet():
    """libxml2 refuses a document over 10 MB given in one piece; this sheet part is 11 MB (it
    compresses to almost nothing: the same row 100,000 times, without references)."""
    row = '<row><c t="inlineStr"><is><t>王建国王建国王建国王建国王建国</t></is></c><c><v>13800138000</v></c></row>'
    write_zip("large-sheet.xlsx", [
        ("[Content_Types].xml", content_types(["xl/worksheets/sheet1.xml"], shared=False)),
        ("_rels/.rels", rels([("rId1", "officeDocument", "xl/workbook.xml")])),
        ("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
                            '<sheets><sheet name="线索" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        ("xl/_rels/workbook.xml.rels", rels([("rId1", "worksheet", "worksheets/sheet1.xml")])),
        ("xl/worksheets/sheet1.xml", sheet_xml(['<row><c t="inlineStr"><is><t>姓名</t></is></c><c t="inlineStr"><is><t>手机</t></is></c></row>']
                                               + [row] * 100_000)),
    ])


def broken_and_foreign():
    write_zip("no-sheet.xlsx", [
        ("[Content_Types].xml", content_types([], shared=False)),
        ("_rels/.rels", rels([("rId1", "officeDocument", "xl/workbook.xml")])),
        ("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{MAIN}"><sheets/></workbook>'),
        ("xl/_rels/workbook.xml.rels", rels([])),
    ])
    write_zip("not-a-workbook.xlsx", [("readme.txt", "这是一个压缩包，不是表格\n")])

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("线索")
    for column, value in enumerate(["姓名", "手机"]):
        sheet.write(0, column, value)
    sheet.write(1, 0, "王建国")
    sheet.write(1, 1, "13816621001")
    book.save(os.path.join(HERE, "legacy.xls"))

    plain = io.BytesIO()
    wb = Workbook()
    wb.active.append(["姓名", "手机"])
    wb.active.append(["王建国", "13816621001"])
    wb.save(plain)
    plain.seek(0)
    with open(os.path.join(HERE, "encrypted.xlsx"), "wb") as out:
        OOXMLFile(plain).encrypt("1234", out)


if __name__ == "__main__":
    openpyxl_leads()
    excel_leads()
    leads_1904()
    large_sheet()
    broken_and_foreign()
