#!/usr/bin/env python3
"""Builds the spreadsheets under tests/data with writers other than
rust_xlsxwriter, so the importer is tested on files other programs make.

    pip install openpyxl          # writes the .xlsx files
    apt-get install libreoffice-calc-nogui   # converts CSV to .ods and .xls
    python3 tests/data/make_fixtures.py

The outputs are committed; this script documents how they were made.
"""
import csv
import os
import subprocess
import tempfile

from openpyxl import Workbook
from openpyxl.styles import Alignment

HERE = os.path.dirname(os.path.abspath(__file__))

CATALOGUE_HEADER = [
    "监管部门", "事项编码", "监管事项\n（主项）", "对应的许可事项", "子项编码", "监管事项子项",
    "子项类别", "监管对象", "监管措施", "设定依据", "监管流程", "监管结果", "监管层级",
]

# (部门, 主项编码, 主项名称, 许可, [(子项编码, 名称, 类别, 对象, 依据, 层级)])
CATALOGUE_V1 = [
    ("国家市场监督管理总局", "30100100000000", "对食品生产活动的行政检查", "食品生产许可", [
        ("30100100100000", "对食品生产企业的监督检查", "行政检查", "食品生产企业",
         "《中华人民共和国食品安全法》第一百一十条", "省级、市级、县级"),
        ("30100100200000", "对食品生产企业的监督抽检", "0", "食品生产企业",
         "《中华人民共和国食品安全法》第八十七条；《中华人民共和国食品安全法》第一百一十条", "国家级、省级、市级、县级"),
    ]),
    ("国家市场监督管理总局", "30100200000000", "对未取得许可从事食品生产经营活动的行政处罚", "", [
        ("30100200100000", "对未取得食品经营许可从事食品经营活动的行政处罚", "行政处罚", "食品经营者",
         "《中华人民共和国食品安全法》第一百二十二条", "市、县"),
    ]),
    ("生态环境部", "30200100000000", "对排污单位的行政检查", "排污许可", [
        ("30200100100000", "对排污单位排放污染物情况的现场检查", "行政检查", "排污单位",
         "《中华人民共和国环境保护法》第二十四条", "省级、市级、县级"),
        ("30200100200000", "查封、扣押造成污染物排放的设施、设备", "行政强制", "排污单位",
         "《中华人民共和国环境保护法》第二十五条", "省级、市级、县级"),
        ("30200100300000", "对违法排放污染物企业的约谈", "其他", "排污单位",
         "《排污许可管理条例》", "市级、县级"),
    ]),
]


def catalogue_sheet(ws, items, title, blank_between=False):
    """A title row, one header row, main-item cells merged down over their
    sub-items, like the files departments circulate."""
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(CATALOGUE_HEADER))
    ws.append(CATALOGUE_HEADER)
    row = 3
    for dept, mcode, mname, permit, subs in items:
        first = row
        for scode, sname, cat, target, basis, levels in subs:
            ws.append([dept, mcode, mname, permit, scode, sname, cat, target,
                       "现场检查", basis, "检查→记录→处理", "检查记录", levels])
            row += 1
        if row - first > 1:
            for col in (1, 2, 3, 4):
                ws.merge_cells(start_row=first, start_column=col, end_row=row - 1, end_column=col)
        if blank_between:
            ws.append([])
            row += 1
    for r in ws.iter_rows(min_row=2):
        for c in r:
            c.alignment = Alignment(wrap_text=True, vertical="top")


def save_catalogues():
    wb = Workbook()
    ws = wb.active
    ws.title = "国家目录"
    catalogue_sheet(ws, CATALOGUE_V1, "国家监管事项目录清单", blank_between=True)
    # A 14-digit code stored as a number, full-width digits, stray spaces;
    # blank rows lie between the items.
    ws["E3"] = 30100100100000
    ws["E4"] = "３０１００１００２０００００ "
    wb.save(os.path.join(HERE, "catalogue_v1.xlsx"))

    v2 = [list(x) for x in CATALOGUE_V1]
    # 30100100200000 leaves the catalogue; one item is renamed; one is new.
    v2[0] = (v2[0][0], v2[0][1], v2[0][2], v2[0][3], [v2[0][4][0]])
    subs = list(v2[2][4])
    subs[2] = ("30200100300000", "对违法排放污染物企业的约谈警示", "其他", "排污单位", "《排污许可管理条例》", "市级、县级")
    subs.append(("30200100400000", "对排污许可证执行报告的非现场检查", "行政检查", "排污单位",
                 "《排污许可管理条例》", "市级、县级"))
    v2[2] = (v2[2][0], v2[2][1], v2[2][2], v2[2][3], subs)
    wb = Workbook()
    catalogue_sheet(wb.active, v2, "国家监管事项目录清单（更新）")
    wb.save(os.path.join(HERE, "catalogue_v2.xlsx"))

    # Bad rows: a short code, an unknown category, no levels, and a
    # sub-item code used twice.
    bad = [("国家市场监督管理总局", "30100100000000", "对食品生产活动的行政检查", "", [
        ("3010010010000", "编码少一位", "行政检查", "食品生产企业", "", "市级"),
        ("30100100200000", "类别写错", "行政检验", "食品生产企业", "", "市级"),
        ("30100100300000", "层级没填", "行政检查", "食品生产企业", "", ""),
        ("30100100400000", "第一次", "行政检查", "食品生产企业", "", "市级"),
        ("30100100400000", "第二次", "行政检查", "食品生产企业", "", "市级"),
    ])]
    wb = Workbook()
    catalogue_sheet(wb.active, bad, "有错误的目录")
    wb.save(os.path.join(HERE, "catalogue_bad_rows.xlsx"))

    # The required 子项类别 column is missing.
    wb = Workbook()
    ws = wb.active
    ws.append([h for h in CATALOGUE_HEADER if h != "子项类别"])
    ws.append(["国家市场监督管理总局", "30100100000000", "主项", "", "30100100100000", "子项", "对象",
               "", "", "", "", "市级"])
    wb.save(os.path.join(HERE, "catalogue_missing_column.xlsx"))


def libreoffice(csv_rows, name, fmt):
    """Writes a CSV and lets LibreOffice convert it (fmt: ods or xls)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, name + ".csv")
        with open(src, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(csv_rows)
        subprocess.run(
            ["libreoffice", "--headless", "--infilter=CSV:44,34,76", "--convert-to", fmt,
             "--outdir", HERE, src],
            check=True, capture_output=True)


def save_power_list_and_accounts():
    libreoffice([
        ["权责事项编码", "权责事项名称", "实施主体", "地区名称", "职权类型"],
        ["QZ-SC-0001", "对食品生产经营活动的行政检查", "市场监督管理局", "", "行政检查"],
        ["QZ-SC-0002", "对网络餐饮服务的行政检查", "市场监督管理局", "", "行政检查"],
        ["QZ-CG-0001", "对生活垃圾分类的行政检查", "城市管理局", "", "行政检查"],
        ["QZ-JS-0001", "对食品销售者的行政检查", "市场监督管理局", "金水区", "行政检查"],
    ], "power_list", "ods")
    libreoffice([
        ["序号", "登录名", "单位名称", "地区名称", "处室及职务", "姓名", "联系电话", "角色", "是否联络人"],
        ["1", "qianer", "应急管理局", "", "法规处 科员", "钱二", "13700000001", "部门管理员", "是"],
        ["2", "zhengsan", "金水区城市管理局", "", "法规股 科员", "郑三", "13700000002", "operator", "否"],
    ], "accounts", "xls")


def save_checklists():
    """Annex 5 as a department might lay it out by hand: two header rows,
    groups merged across, single columns merged down, no title row."""
    groups = [("监管事项目录编码", None), ("行使层级", None), ("实施主体", ["实施主体名称", "实施主体编码"]),
              ("委托部门", ["委托部门名称", "委托部门编码"]), ("监管对象", ["监管对象主项", "监管对象子项"]),
              ("检查类别", None), ("检查方式", None), ("双随机信息", ["是否纳入双随机", "检查比例", "检查频次"]),
              ("检查内容", ["检查内容（日常）"]), ("监督抽检", ["是否抽检", "监督抽检内容"]),
              ("协同机构", ["是否协同", "协同机构"])]
    wb = Workbook()
    ws = wb.active
    ws.title = "清单"
    col = 1
    for name, subs in groups:
        if subs is None:
            ws.cell(row=1, column=col, value=name)
            ws.merge_cells(start_row=1, start_column=col, end_row=2, end_column=col)
            col += 1
        else:
            ws.cell(row=1, column=col, value=name)
            if len(subs) > 1:
                ws.merge_cells(start_row=1, start_column=col, end_row=1, end_column=col + len(subs) - 1)
            for i, sub in enumerate(subs):
                ws.cell(row=2, column=col + i, value=sub)
            col += len(subs)
    common = ["市级", "郑州市市场监督管理局", "91350100M000100Y43", "", "", "食品生产企业", ""]
    ws.append(["10100100100000"] + common + ["随机检查", "实地检查", "是", "5%", "每年1次", "检查生产记录", "否", "", "否", ""])
    ws.append(["10100100200000"] + common + ["现场检查", "实地检查", "可能", "5%", "每年1次", "检查生产记录", "否", "", "否", ""])
    wb.save(os.path.join(HERE, "checklists_bad_enums.xlsx"))


if __name__ == "__main__":
    save_checklists()
    save_catalogues()
    save_power_list_and_accounts()
    # Not a spreadsheet, and a spreadsheet cut short.
    with open(os.path.join(HERE, "not_a_spreadsheet.xlsx"), "w", encoding="utf-8") as f:
        f.write("这不是电子表格\n")
    with open(os.path.join(HERE, "catalogue_v1.xlsx"), "rb") as f:
        data = f.read()
    with open(os.path.join(HERE, "truncated.xlsx"), "wb") as f:
        f.write(data[: len(data) // 2])
