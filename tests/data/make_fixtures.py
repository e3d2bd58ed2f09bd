#!/usr/bin/env python3
"""Builds the spreadsheets under tests/data with writers other than
rust_xlsxwriter, so the importer is tested on files other programs make.

    pip install openpyxl          # writes the .xlsx files
    apt-get install libreoffice-calc-nogui   # converts CSV to .ods and .xls
    python3 tests/data/make_fixtures.py
    python3 tests/data/make_fixtures.py real_city   # only tests/data/real_city/ (openpyxl alone)

The outputs are committed; this script documents how they were made.
"""
import csv
import os
import subprocess
import sys
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


# --- tests/data/real_city: a city starting from an empty database ---------
# (tests/real_city.rs plays the notice's timeline on these files.)

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(first17):
    """Completes 17 characters with the GB 32100-2015 check character, as
    src/domain/uscc.rs does."""
    assert len(first17) == 17
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return first17 + USCC_CHARSET[(31 - total % 31) % 31]


def artificial_uscc(region_code, seq):
    """Valid but plainly made up: 11 (机关) + the region + MB + a sequence."""
    return uscc(f"11{region_code}MB{seq:07d}")


def seed_units():
    """(类别, 名称, 对口上级部门) of the 42 annex-1 units and the two
    coordinating offices, from seeds/units.tsv."""
    path = os.path.join(HERE, "..", "..", "seeds", "units.tsv")
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            out.append((cols[1], cols[2], cols[3] if len(cols) > 3 else ""))
    return out


# (区划, 区划代码, 类别, 名称, 对口上级部门)
REAL_CITY_COUNTY_UNITS = [
    ("金水区", "410105", "其他", "金水区人民政府办公室", ""),
    ("金水区", "410105", "政府工作部门", "金水区市场监督管理局",
     "郑州市市场监督管理局、国家市场监督管理总局、河南省市场监督管理局"),
    ("金水区", "410105", "政府工作部门", "金水区城市管理局",
     "郑州市城市管理局、住房和城乡建设部、河南省住房和城乡建设厅"),
    ("中牟县", "410122", "其他", "中牟县人民政府办公室", ""),
    ("中牟县", "410122", "政府工作部门", "中牟县市场监督管理局",
     "郑州市市场监督管理局、国家市场监督管理总局、河南省市场监督管理局"),
]

REAL_CITY_CATALOGUE = [
    ("国家市场监督管理总局", "30100100000000", "对食品生产活动的行政检查", "食品生产许可", [
        ("30100100100000", "对食品生产企业的监督检查", "行政检查", "食品生产企业",
         "《中华人民共和国食品安全法》第一百一十条", "省级、市级、县级"),
        ("30100100200000", "对食品生产企业落实食品安全追溯制度的检查", "行政检查", "食品生产企业",
         "《中华人民共和国食品安全法》", "市级、县级"),
        ("30100100300000", "对食品生产企业标签标识的检查", "行政检查", "食品生产企业",
         "《中华人民共和国食品安全法》", "市级、县级"),
    ]),
    ("国家市场监督管理总局", "30100300000000", "对特殊食品生产企业的行政检查", "保健食品生产许可", [
        # Not for counties: a county's claim leaves it out and names it.
        ("30100300100000", "对保健食品生产企业生产质量管理体系的检查", "行政检查", "保健食品生产企业",
         "《中华人民共和国食品安全法》", "省级、市级"),
    ]),
    ("国家市场监督管理总局", "30100400000000", "对计量器具使用的行政检查", "", [
        # 金水区 claims it as 不行使: no checklist is required of it there.
        ("30100400100000", "对强制检定的工作计量器具使用情况的检查", "行政检查", "计量器具使用单位",
         "《中华人民共和国计量法》", "市级、县级"),
    ]),
    ("国家市场监督管理总局", "30100200000000", "对未取得许可从事食品生产经营活动的行政处罚", "", [
        ("30100200100000", "对未取得食品经营许可从事食品经营活动的行政处罚", "行政处罚", "食品经营者",
         "《中华人民共和国食品安全法》第一百二十二条", "市级、县级"),
    ]),
    ("住房和城乡建设部", "30300100000000", "对城市生活垃圾处理的行政检查", "", [
        ("30300100100000", "对城市生活垃圾经营性清扫、收集、运输活动的检查", "行政检查", "生活垃圾清扫收运企业",
         "《城市市容和环境卫生管理条例》", "市级、县级"),
    ]),
]


def titled_sheet(ws, title, header):
    """A title row merged across, then the header row."""
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)


def save_real_city():
    out = os.path.join(HERE, "real_city")
    os.makedirs(out, exist_ok=True)

    # Units: the annex-1 names as the seeds have them, each with a code; the
    # units of two counties, created by the import.
    wb = Workbook()
    ws = wb.active
    ws.title = "单位"
    titled_sheet(ws, "郑州市“互联网+监管”梳理单位名单",
                 ["单位名称", "所属区划", "单位类别", "统一社会信用代码", "对口上级部门"])
    codes = set()
    for i, (category, name, counterparts) in enumerate(seed_units(), start=1):
        code = artificial_uscc("410100", i)
        codes.add(code)
        ws.append([name, "郑州市", category, code, counterparts])
    for i, (region, region_code, category, name, counterparts) in enumerate(REAL_CITY_COUNTY_UNITS, 1):
        code = artificial_uscc(region_code, i)
        codes.add(code)
        ws.append([name, region, category, code, counterparts])
    assert len(codes) == 44 + len(REAL_CITY_COUNTY_UNITS), "codes are distinct"
    wb.save(os.path.join(out, "units.xlsx"))

    # Accounts: annex 2's two tables, plus 登录名, 角色, 是否联络人.
    extra = ["登录名", "角色", "是否联络人"]
    wb = Workbook()
    ws = wb.active
    ws.title = "表1 市直部门"
    titled_sheet(ws, "表 1：市直部门填报", ["序号", "单位名称", "处室及职务", "姓名", "联系电话"] + extra)
    for row in [
        [1, "市场监督管理局", "法规科 科长", "王敏", "13700001001", "scj_wangmin", "部门管理员", "是"],
        [2, "城市管理局", "法规处 副处长", "李强", "13700001002", "cgj_liqiang", "部门管理员", "是"],
        [3, "司法局", "行政执法协调监督处 处长", "赵丽", "13700001003", "sfj_zhaoli", "合法性审核员", "是"],
        [4, "人民政府办公厅（政务服务办公室）", "审改处 科员", "刘洋", "13700001004", "zwb_liuyang",
         "协调员", "是"],
    ]:
        ws.append(row)
    ws = wb.create_sheet("表2 县（市、区）")
    titled_sheet(ws, "表 2：各县（市、区）填报",
                 ["序号", "地区名称", "单位名称", "单位及职务", "姓名", "联系电话"] + extra)
    ws.append([1, "金水区", "金水区人民政府办公室", "审改科 科长", "陈静", "13700002001", "js_chenjing",
               "县级管理员", "是"])
    ws.append([2, "中牟县", "中牟县人民政府办公室", "审改科 科员", "孙磊", "13700003001", "zm_sunlei",
               "县级管理员", "是"])
    wb.save(os.path.join(out, "accounts.xlsx"))

    # 金水区's own operators, imported by its county admin.
    wb = Workbook()
    ws = wb.active
    ws.title = "金水区"
    titled_sheet(ws, "金水区部门管理员", ["序号", "地区名称", "单位名称", "单位及职务", "姓名", "联系电话"] + extra)
    ws.append([1, "金水区", "金水区市场监督管理局", "法规股 股长", "赵磊", "13700002002", "jsscj_zhaolei",
               "部门管理员", "是"])
    ws.append([2, "金水区", "金水区城市管理局", "法规股 科员", "周杰", "13700002003", "jscg_zhoujie",
               "部门管理员", "是"])
    wb.save(os.path.join(out, "jinshui_accounts.xlsx"))

    wb = Workbook()
    ws = wb.active
    ws.title = "国家目录"
    catalogue_sheet(ws, REAL_CITY_CATALOGUE, "国家监管事项目录清单（节选）")
    wb.save(os.path.join(out, "catalogue.xlsx"))


if __name__ == "__main__":
    save_real_city()
    if sys.argv[1:] == ["real_city"]:
        sys.exit(0)
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
