"""项目库 sheets written by the tests as counties publish them: a title row, a header of two rows with 资金规模及来源
merged over its sources, group headings (一、产业发展类) and a 合计 row; as XLSX (openpyxl), XLS (BIFF8, see
tests/spreadsheet_files.py) or a GBK CSV with a flat header."""

import csv
import io

from django.utils import translation

from tests.spreadsheet_files import xls_workbook, xlsx_workbook
from villages.projects.imports.importer import import_pool

TITLE = "榆次区2025年百乡千村项目库"
TOP = ["序号", "项目名称", "项目类别", "建设地点", "建设内容及规模", "资金规模及来源(万元)", "资金规模及来源(万元)",
       "资金规模及来源(万元)", "资金规模及来源(万元)", "受益对象/联农带农机制", "绩效目标", "实施期限", "实施主体", "责任单位"]  # fmt: skip
BOTTOM = ["序号", "项目名称", "项目类别", "建设地点", "建设内容及规模", "合计", "中央衔接资金", "省级衔接资金",
          "市县财政资金", "受益对象/联农带农机制", "绩效目标", "实施期限", "实施主体", "责任单位"]  # fmt: skip
# Merged ranges of the header, 0-based (first row, last row, first column, last column): the title over every column,
# each single column over the two header rows, 资金规模及来源 over its four.
MERGES = [(0, 0, 0, 13)] + [(1, 2, c, c) for c in (0, 1, 2, 3, 4, 9, 10, 11, 12, 13)] + [(1, 1, 5, 8)]

MUSHROOMS = [1, "鸣谦村食用菌大棚", "产业发展", "乌金山镇鸣谦村", "新建食用菌大棚20座", 200, 120, 50, 30,
             "脱贫户30户，入股分红", "新建大棚20座，带动30户增收", "2025年3月-2025年10月", "鸣谦村股份经济合作社",
             "乌金山镇人民政府"]  # fmt: skip
ROADS = [2, "村内道路硬化", "", "乌金山镇结岭石村、小西沟村", "硬化道路3公里", 180, 80, 50, 50, "两村群众1200人",
         "硬化道路3公里", "2025年4月至9月", "乌金山镇人民政府", "乌金山镇人民政府"]  # fmt: skip


def pool_rows(rows=None, total=True):
    """The sheet's rows: title, header, 合计 (of the projects given), group headings and the projects."""
    projects = [MUSHROOMS, ROADS] if rows is None else rows
    body = [["一、产业发展类"], MUSHROOMS, ["二、人居环境类"], ROADS] if rows is None else list(rows)
    summary = []
    if total:
        projects = [row for row in projects if len(row) > 8]
        sums = [sum(row[c] for row in projects if isinstance(row[c], (int, float))) for c in range(5, 9)]
        summary = [["合计", "", "", "", "", *sums]]
    return [[TITLE], TOP, BOTTOM, *summary, *body]


def pool_xlsx(rows=None, total=True, sheet="项目库"):
    letters = "ABCDEFGHIJKLMN"
    merges = [f"{letters[c0]}{r0 + 1}:{letters[c1]}{r1 + 1}" for r0, r1, c0, c1 in MERGES]
    return xlsx_workbook({sheet: pool_rows(rows, total)}, merges={sheet: merges})


def pool_xls(rows=None, total=True, sheet="项目库"):
    return xls_workbook({sheet: pool_rows(rows, total)}, merges={sheet: MERGES})


def pool_csv(rows, encoding="gbk"):
    output = io.StringIO()
    csv.writer(output, lineterminator="\r\n").writerows(rows)
    return output.getvalue().encode(encoding)


def run_pool(content, user, filename="pool.xlsx", year=2025, **options):
    with translation.override("en"):
        return import_pool(content, filename, user, year, **options)


def problems(result):
    with translation.override("en"):
        return [str(problem) for problem in result.problems]


def warnings(result):
    with translation.override("en"):
        return [str(problem) for problem in result.warnings]
