"""A page's tables as files: CSV (one table) or XLSX (every table of the page, a sheet each), with the same filters
as the page. Any table page offers them by adding `?format=csv` or `?format=xlsx` to its own address:

    tables = [Table("counties", _("Progress by county"), columns, rows), ...]
    if (response := download(request, tables, "dashboard-2025-showcase")) is not None:
        return response

Demo data is marked in columns of its own (a quota that is illustrative, a point that is made up), so that a
spreadsheet keeps the mark when rows are sorted or filtered. Text that starts like a formula is escaped
(villages.cells). The read API (api/) serves the same Table objects as JSON.
"""

import csv
import io
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from villages.cells import escape_formula, safe_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}
PERCENT_FORMAT = "0.0%"


@dataclass(frozen=True)
class Column:
    key: str  # the name in JSON, and what `percent` columns hold a share of
    label: str
    percent: bool = False  # a share (0.125), shown as 12.5 % in XLSX and as 12.5 in CSV


@dataclass
class Table:
    name: str  # ASCII: the ?table= value and the sheet's place in the file name
    title: str
    columns: list
    rows: list = field(default_factory=list)  # one list of values per row, in the order of `columns`

    def records(self):
        keys = [column.key for column in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


def cell(value, column):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if column.percent and value is not None:
        return round(100 * value, 1)
    if hasattr(value, "as_tuple"):  # Decimal
        return float(value)
    return "" if value is None else value


def csv_bytes(table):
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(
        safe_row([f"{column.label} (%)" if column.percent else str(column.label) for column in table.columns])
    )
    for row in table.rows:
        writer.writerow([escape_formula(cell(value, column)) for value, column in zip(row, table.columns, strict=True)])
    return output.getvalue().encode("utf-8-sig")  # with a BOM, so that Excel reads UTF-8


def xlsx_bytes(tables):
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(str(table.title)[:31])
        sheet.append(safe_row([str(column.label) for column in table.columns]))
        for header in sheet[1]:
            header.font = bold
        for row in table.rows:
            values = [
                value if column.percent or value is None else cell(value, column)
                for value, column in zip(row, table.columns, strict=True)
            ]
            sheet.append([escape_formula(value) if isinstance(value, str) else value for value in values])
            for sheet_cell, column in zip(sheet[sheet.max_row], table.columns, strict=True):
                if column.percent:
                    sheet_cell.number_format = PERCENT_FORMAT
        for index, column in enumerate(table.columns):
            sheet.column_dimensions[sheet.cell(1, index + 1).column_letter].width = max(10, len(str(column.label)) * 2)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def download(request, tables, filename):
    """The tables as the file `?format=` asks for; None when the request asks for the page itself."""
    file_format = request.GET.get("format")
    if not file_format:
        return None
    if file_format not in FORMATS:
        return HttpResponse(
            _("format must be csv or xlsx, not “%(value)s”.") % {"value": file_format},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    if file_format == "xlsx":
        body = xlsx_bytes(tables)
    else:
        wanted = request.GET.get("table") or tables[0].name
        table = next((table for table in tables if table.name == wanted), None)
        if table is None:
            return HttpResponse(
                _("table must be one of %(names)s, not “%(value)s”.")
                % {"names": ", ".join(table.name for table in tables), "value": wanted},
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        body, filename = csv_bytes(table), f"{filename}-{table.name}"
    response = HttpResponse(body, content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response
