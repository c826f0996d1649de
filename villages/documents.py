"""Parts of the Word documents the app writes (python-docx) in the shape government offices use: fonts by their
Chinese names, 28-point lines, the first line indented two characters, tables with a grid. The monthly 通报
(villages/reporting) and the 项目公示 (villages/projects) are made of them."""

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import _Cell

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"


def chinese_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def set_font(run, name, size=None, bold=None, color=None):
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if color is not None:
        run.font.color.rgb = color


def paragraph(document, text="", font=BODY_FONT, size=16, bold=False, align=None, indent=True, color=None):
    para = document.add_paragraph()
    if align is not None:
        para.alignment = align
    if indent and align is None:
        para.paragraph_format.first_line_indent = Pt(size * 2)
    para.paragraph_format.line_spacing = Pt(28)
    para.paragraph_format.space_after = Pt(0)
    if text:
        set_font(para.add_run(text), font, size, bold, color)
    return para


def heading(document, text):
    return paragraph(document, text, font=HEADING_FONT, size=16)


def table(document, headers, rows, size=10.5, widths=None):
    """A grid table: the header row, then a row per item of `rows`; `widths` (Length of each column) if given."""
    grid = document.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths:
        for column, width in zip(grid.columns, widths):
            column.width = width
    for cell, text in zip(grid.rows[0].cells, headers):
        set_font(cell.paragraphs[0].add_run(text), HEADING_FONT, size)
    for values in rows:
        # A row's cells straight from its <w:tc> elements: python-docx's row.cells walks the whole table each time,
        # which makes a table of a few hundred rows take seconds.
        cells = [_Cell(tc, grid) for tc in grid.add_row()._tr.tc_lst]
        for cell, value in zip(cells, values):
            set_font(cell.paragraphs[0].add_run(str(value)), BODY_FONT, size)
    return grid
