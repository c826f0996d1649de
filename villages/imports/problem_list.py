"""The 问题清单 of an import: the rows it skipped, as the county sent them, each with a 问题 column saying what is
wrong and what to do, for the city to send back to the county. One sheet per sheet of the file that had such rows
(named as it was), the file's header row above them."""

import io
import re
from pathlib import PurePath

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font

from villages.cells import safe_row

SHEET_TITLE_LIMIT = 31  # Excel's
NOT_IN_SHEET_TITLES = re.compile(r"[\[\]:*?/\\]")


def skipped_by_table(result):
    """[(table, [(row number, cells, [problem, ...])])] of the tables that have rows with problems."""
    by_line = {}
    for problem in result.problems:
        if problem.line is not None:
            by_line.setdefault((problem.sheet, problem.line), []).append(problem)
    tables = []
    for table in result.tables:
        rows = [
            (line, cells, by_line[table.sheet, line]) for line, cells in table.rows if (table.sheet, line) in by_line
        ]
        if rows:
            tables.append((table, rows))
    return tables


def problem_text(problems):
    return "\n".join(f"{problem.column}：{problem.text}" if problem.column else problem.text for problem in problems)


def sheet_title(name, used):
    title = NOT_IN_SHEET_TITLES.sub("_", name or _("problems"))[:SHEET_TITLE_LIMIT] or _("problems")
    base, number = title, 2
    while title in used:
        suffix = f" ({number})"
        title, number = base[: SHEET_TITLE_LIMIT - len(suffix)] + suffix, number + 1
    used.add(title)
    return title


def workbook_bytes(result):
    """The 问题清单 as XLSX bytes."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    used = set()
    for table, rows in skipped_by_table(result):
        sheet = workbook.create_sheet(sheet_title(table.sheet or PurePath(result.filename).stem, used))
        width = len(table.headers)
        sheet.append(safe_row([*table.headers, _("Row in the file"), _("Problem")]))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line, cells, problems in rows:
            cells = (list(cells) + [""] * width)[:width]
            sheet.append(safe_row([*cells, line, problem_text(problems)]))
            sheet.cell(sheet.max_row, width + 2).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[openpyxl.utils.get_column_letter(width + 2)].width = 80
        sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def filename(import_name):
    """榆次区名单.xlsx → 榆次区名单-问题清单.xlsx."""
    suffix = _("problem list")
    return f"{PurePath(import_name).stem}-{suffix}.xlsx"
