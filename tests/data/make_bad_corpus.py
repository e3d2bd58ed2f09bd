#!/usr/bin/env python3
"""Builds the malformed spreadsheets under tests/data/bad: files as they
reach operators — renamed, truncated, exported by other systems, edited by
hand. tests/bad_files.rs imports each with the real binary and compares the
output with NAME.expected; the database must not change.

    pip install openpyxl msoffcrypto-tool
    python3 tests/data/make_bad_corpus.py

The outputs are committed; this script documents how they were made.
catalogue-fuzz-*.xls are inputs the fuzzer (fuzz/, see the README) found
crashing calamine, copied from fuzz/artifacts/ as they were. After
changing a file, `JG_BLESS=1 cargo test --test bad_files` rewrites the
expected outputs: read the diff before committing it.
"""
import io
import os
import zipfile

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bad")

HEADER = ["监管部门", "主项编码", "主项名称", "子项编码", "子项名称", "子项类别",
          "监管对象", "监管措施", "设定依据", "监管层级", "事项来源", "是否涉密", "事项状态"]


def row(sub="30100100100000", name="对食品生产企业的监督检查", cat="行政检查", levels="省级、市级、县级",
        main="30100100000000", basis="《中华人民共和国食品安全法》第一百一十条", classified="否",
        status="在用", source="国家"):
    return ["国家市场监督管理总局", main, "对食品生产活动的行政检查", sub, name, cat,
            "食品生产企业", "现场检查", basis, levels, source, classified, status]


GOOD = [row(), row(sub="30100100200000", name="对食品生产企业的监督抽检")]


def out(name):
    return os.path.join(HERE, name)


def book(rows, header=HEADER, title="目录"):
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header)
    for r in rows:
        ws.append(r)
    return wb


def raw_bytes(wb):
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write(name, data):
    with open(out(name), "wb") as f:
        f.write(data)


def rezip(data, change):
    """Copies an .xlsx package, letting `change(name, bytes)` alter or drop
    (return None) each entry."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = change(info.filename, src.read(info.filename))
            if body is not None:
                dst.writestr(info.filename, body)
    return buf.getvalue()


def catalogue_files():
    # The file is there but empty: a copy that failed.
    write("catalogue-empty.xlsx", b"")
    # A CSV renamed to .xlsx by hand.
    write("catalogue-csv-renamed.xlsx", (",".join(HEADER) + "\r\n" + ",".join(GOOD[0]) + "\r\n").encode())
    # A business system's “xls” export that is really a web page.
    cells = "".join(f"<td>{h}</td>" for h in HEADER)
    write("catalogue-html-as-xls.xls",
          f"<html><head><meta charset='utf-8'></head><body><table><tr>{cells}</tr></table></body></html>".encode())
    write("catalogue-pdf-renamed.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    good = raw_bytes(book(GOOD))
    # Cut off half way, as by an interrupted download.
    write("catalogue-truncated-zip.xlsx", good[: len(good) // 2])
    # A zip whose sheet XML stops in the middle of a row.
    def cut_sheet(name, body):
        if name == "xl/worksheets/sheet1.xml":
            return body[: body.index(b"<row r=\"2\"") + 40]
        return body
    write("catalogue-broken-sheet-xml.xlsx", rezip(good, cut_sheet))
    # An old-style .xls (LibreOffice's, from make_fixtures.py) cut short.
    with open(os.path.join(HERE, "..", "accounts.xls"), "rb") as f:
        xls = f.read()
    write("catalogue-truncated.xls", xls[: len(xls) // 3])
    # A zip that is not a spreadsheet package at all.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("说明.txt", "不是表格")
    write("catalogue-zip-of-text.xlsx", buf.getvalue())
    # Protected with an opening password (“1234”).
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
        plain = io.BytesIO(good)
        enc = io.BytesIO()
        f = OOXMLFile(plain)
        f.encrypt("1234", enc)
        write("catalogue-password.xlsx", enc.getvalue())
    except ImportError:
        print("msoffcrypto-tool not installed: catalogue-password.xlsx not rebuilt")

    # Some notes and no header anywhere in the first rows.
    wb = Workbook()
    ws = wb.active
    ws.title = "说明"
    for line in ["请各单位于12月10日前报送", "联系人：张三", "电话：0371-12345678"]:
        ws.append([line])
    wb.save(out("catalogue-no-header.xlsx"))
    # The header below row 15 (a long preamble).
    wb = Workbook()
    ws = wb.active
    for i in range(18):
        ws.append([f"填表说明第{i + 1}条"])
    ws.append(HEADER)
    ws.append(GOOD[0])
    wb.save(out("catalogue-header-too-low.xlsx"))
    book([]).save(out("catalogue-header-only.xlsx"))
    missing = [h for h in HEADER if h not in ("子项类别", "监管层级")]
    book([[c for h, c in zip(HEADER, r) if h in missing] for r in GOOD], header=missing).save(
        out("catalogue-missing-columns.xlsx"))

    # The same sub-item code on two sheets, and twice on one.
    wb = book([GOOD[0], GOOD[1], row(sub="30100100200000", name="重复的子项")], title="第一批")
    ws = wb.create_sheet("第二批")
    ws.append(HEADER)
    ws.append(row(name="另一张表上的同一编码"))
    wb.save(out("catalogue-duplicate-codes.xlsx"))
    book([GOOD[0],
          row(sub="30100100200000", cat="行政检验"),
          row(sub="30100100300000", levels="乡级、村级"),
          row(sub="30100100400000", classified="可能"),
          row(sub="30100100500000", status="暂停"),
          row(sub="30100100600000", source="市级")]).save(out("catalogue-invalid-values.xlsx"))
    book([GOOD[0],
          row(sub="30100100200000", basis="《中华人民共和国食品安全法》" + "第一百一十条" * 900),
          row(sub="30100100300000", name="监" * 4001)]).save(out("catalogue-overlong-text.xlsx"))

    # Formulas saved by a script, never computed: the cells read as blank.
    wb = book([GOOD[0]])
    ws = wb.active
    ws.append(row(sub='=CONCAT("301001","00200000")', name="=E2&\"（抽检）\""))
    wb.save(out("catalogue-formulas-without-values.xlsx"))
    # Error values a broken reference leaves.
    wb = book([GOOD[0], row(sub="30100100200000", name="#REF!", levels="#N/A")])
    wb.save(out("catalogue-error-values.xlsx"))

    # Codes that Excel turned into dates, and dates in odd forms.
    import datetime
    wb = book([GOOD[0]])
    ws = wb.active
    ws.append(row(sub=datetime.date(2019, 5, 14)))
    ws.cell(row=3, column=4).number_format = "yyyy/m/d"
    ws.append(row(sub="2026年12月1日"))
    ws.append(row(sub="12/1/26"))
    wb.save(out("catalogue-dates-in-codes.xlsx"))
    # A 14-digit code as a number reads with every digit; codes that went
    # through scientific notation or picked up a fraction do not.
    wb = book([])
    ws = wb.active
    ws.append(row(sub=30100100100000))
    ws.cell(row=2, column=4).number_format = "0.00E+00"
    ws.append(row(sub=30100100200000.0, main=30100100000000.0))
    ws.append(row(sub="3.01001E+13"))
    ws.append(row(sub=30100100400000.5))
    wb.save(out("catalogue-code-as-float.xlsx"))

    # The data is on a hidden sheet; the visible one holds notes.
    wb = Workbook()
    ws = wb.active
    ws.title = "填表说明"
    ws.append(["见“目录”工作表"])
    data = wb.create_sheet("目录")
    data.append(HEADER)
    for r in GOOD:
        data.append(r)
    data.sheet_state = "hidden"
    wb.save(out("catalogue-hidden-sheet.xlsx"))
    # Only a chart sheet is visible.
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["单位", "认领数"])
    ws.append(["市场监督管理局", 3])
    cs = wb.create_chartsheet("图表")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=2), titles_from_data=True)
    cs.add_chart(chart)
    ws.sheet_state = "hidden"
    wb.active = 1
    wb.save(out("catalogue-only-a-chart.xlsx"))

    # One good row, 100,000 rows of spaces, then a bad row.
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("目录")
    ws.append(HEADER)
    ws.append(GOOD[0])
    for _ in range(100_000):
        ws.append([" ", None, "　"])
    ws.append(row(sub="30100100200000", cat="其它检查"))
    wb.save(out("catalogue-100k-blank-rows.xlsx"))
    # Rows 16,384 cells wide (Excel's last column, XFD), with 监管层级 there.
    wide = 16_384
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("目录")
    header = HEADER[:-4] + [f"备注{i}" for i in range(len(HEADER) - 4, wide - 1)] + ["监管层级"]
    ws.append(header)
    for r in [GOOD[0], row(sub="30100100200000", levels="")]:
        ws.append(r[:-4] + ["x"] * (wide - 1 - (len(HEADER) - 4)) + [r[9]])
    wb.save(out("catalogue-wide-rows.xlsx"))


def ods_too_many_cells():
    """An .ods whose repeated rows and columns stand for a billion cells, with
    content at the far end (calamine refuses more than 100 million)."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    cells = "".join(f'<table:table-cell office:value-type="string"><text:p>{h}</text:p></table:table-cell>'
                    for h in HEADER)
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="目录">'
               f'<table:table-row>{cells}</table:table-row>'
               '<table:table-row table:number-rows-repeated="1048000">'
               '<table:table-cell table:number-columns-repeated="1000"/>'
               '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
               '</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    write("catalogue-ods-too-many-cells.ods", buf.getvalue())


def other_files():
    wb = book([["wangwu", "王五", "市场监督管理局", "", "科员", "1380000000", "operator", "否"],
               ["zhaoliu", "赵六", "不存在的局", "", "科员", "13800000001", "管理员", "也许"],
               ["wangwu", "王五", "市场监督管理局", "", "科员", "13800000002", "operator", "否"]],
              header=["登录名", "姓名", "单位名称", "地区名称", "处室及职务", "联系电话", "角色", "是否联络人"],
              title="账号")
    wb.save(out("accounts-invalid.xlsx"))
    # Checklists filled offline for 郑州市市场监督管理局 (demo: zhangwei).
    header = ["监管事项目录编码", "行使层级", "实施主体名称", "实施主体编码", "检查类别", "检查方式",
              "是否纳入双随机", "检查比例", "检查频次", "检查内容（日常）", "是否抽检", "是否协同"]
    wb = book([["10100200200000", "市级", "郑州市市场监督管理局", "11410100MB1234567X", "现场检查", "现场检查",
                "否", "", "", "检查餐饮服务许可情况", "否", "否"],
               ["10100200200000", "县级", "郑州市市场监督管理局", "", "现场检查", "现场检查",
                "否", "", "", "检查餐饮服务许可情况", "否", "否"],
               ["10100200200000", "市级", "", "", "重点检查", "", "也许", "", "", "", "", ""],
               ["99999999999999", "市级", "", "", "", "", "", "", "", "", "", ""]],
              header=header, title="检查实施清单")
    wb.save(out("checklists-invalid.xlsx"))
    wb = book([["QZ-SC-0100", "对食品销售的行政检查", "不存在的局", "", "行政检查"],
               ["", "没有编码的事项", "市场监督管理局", "", "行政检查"]],
              header=["权责事项编码", "权责事项名称", "实施主体", "地区名称", "职权类型"], title="权责清单")
    wb.save(out("power-list-invalid.xlsx"))


if __name__ == "__main__":
    os.makedirs(HERE, exist_ok=True)
    catalogue_files()
    ods_too_many_cells()
    other_files()
    print("\n".join(sorted(n for n in os.listdir(HERE) if not n.endswith(".expected"))))
