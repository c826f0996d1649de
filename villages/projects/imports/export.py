"""The 项目库 as an XLSX in the shape the import reads: a title row, two header rows (资金规模及来源, 已拨付 and 已支出
merged over their sources), one row per project and a 合计 row. Exporting a pool and importing the file changes
nothing. Text that starts like a formula is escaped (villages.cells); the import removes the escape."""

import io
from collections import defaultdict

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from villages.cells import escape_formula, safe_row
from villages.projects.imports.columns import (
    FIGURE_HEADINGS,
    FUNDS_HEADING,
    LINKAGE,
    MONTH,
    TOTAL,
    month_text,
    period_text,
)
from villages.projects.models import ProjectFund, Source, Stage

STAGE_WORDS = {Stage.RESERVE: "储备", Stage.APPROVED: "入库", Stage.IN_PROGRESS: "实施中",
               Stage.COMPLETED: "已完工", Stage.ACCEPTED: "已验收", Stage.CANCELLED: "已取消"}  # fmt: skip
BEFORE_FUNDS = ["序号", "年度", "县(市、区)", "乡镇", "村", "村代码", "项目名称", "项目类别", "建设内容及规模"]
AFTER_FUNDS = ["受益对象/联农带农机制", "绩效目标", "实施期限", "实施主体", "责任单位", "项目状态"]
WIDTHS = {"项目名称": 28, "建设内容及规模": 36, "受益对象/联农带农机制": 30, "绩效目标": 30, "村": 16, "村代码": 14}


def money(value):
    return None if value is None else float(value)


class PoolSheet:
    def __init__(self, projects):
        self.projects = list(
            projects.select_related("county", "township")
            .prefetch_related("villages")
            .order_by("year", "county_id", "township_id", "name", "id")
        )
        self.funds = defaultdict(dict)
        for fund in ProjectFund.objects.filter(project__in=[p.pk for p in self.projects]):
            self.funds[fund.project_id][fund.source] = fund
        used = {source for funds in self.funds.values() for source in funds}
        self.sources = [source for source in Source.values if source != LINKAGE.header] + (
            [LINKAGE.header] if LINKAGE.header in used else []
        )
        reported = [s for s in self.sources if any(f.get(s) and f[s].reported_month for f in self.funds.values())]
        self.figure_sources = reported

    def headers(self):
        """The two header rows and the merged ranges (first row, first column, last row, last column; 1-based)."""
        top, bottom, merges = [], [], []

        def single(name):
            column = len(top) + 1
            top.append(name)
            bottom.append(name)
            merges.append((1, column, 2, column))

        def group(heading, names):
            column = len(top) + 1
            top.extend([heading] * len(names))
            bottom.extend(names)
            if len(names) > 1:
                merges.append((1, column, 1, column + len(names) - 1))

        for name in BEFORE_FUNDS:
            single(name)
        group(FUNDS_HEADING, [TOTAL.header, *self.sources])
        for name in AFTER_FUNDS:
            single(name)
        if self.figure_sources:
            single(MONTH.header)
            for kind in ("allocated", "spent"):
                group(FIGURE_HEADINGS[kind], self.figure_sources)
        return top, bottom, merges

    def row(self, number, project):
        funds = self.funds[project.pk]
        villages = sorted(project.villages.all(), key=lambda village: village.code)
        cells = [
            number,
            project.year,
            project.county.name,
            project.township.name,
            "、".join(village.short_name or village.name for village in villages),
            "、".join(village.code for village in villages),
            project.name,
            project.category,
            project.content,
            money(sum((fund.planned for fund in funds.values()), 0)),
            *[money(funds[source].planned) if source in funds else None for source in self.sources],
            project.benefit_mechanism,
            project.performance_targets,
            period_text(project.start_month, project.end_month),
            project.implementer,
            project.responsible_unit,
            STAGE_WORDS[project.stage],
        ]
        if self.figure_sources:
            months = [fund.reported_month for fund in funds.values() if fund.reported_month]
            month = max(months) if months else None
            cells.append(month_text(month) if month else "")
            for kind in ("allocated", "spent"):
                for source in self.figure_sources:
                    fund = funds.get(source)
                    reported = fund is not None and month is not None and fund.reported_month == month
                    cells.append(money(getattr(fund, kind)) if reported else None)
        return [escape_formula(cell) for cell in cells]


def pool_xlsx(projects, title):
    """The projects (a queryset) as the 项目库 workbook."""
    sheet_data = PoolSheet(projects)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "项目库"
    top, bottom, merges = sheet_data.headers()
    sheet.append(safe_row([title]))
    sheet.append(safe_row(top))
    sheet.append(safe_row(bottom))
    for row, column, last_row, last_column in merges:
        if (row, column) != (last_row, last_column):
            sheet.merge_cells(start_row=row + 1, start_column=column, end_row=last_row + 1, end_column=last_column)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(top))
    for number, project in enumerate(sheet_data.projects, start=1):
        sheet.append(sheet_data.row(number, project))
    if sheet_data.projects:
        total = ["合计"] + [None] * (len(top) - 1)
        first, last = 4, 3 + len(sheet_data.projects)
        for index, heading in enumerate(top):
            if heading in (FUNDS_HEADING, *FIGURE_HEADINGS.values()):
                values = [sheet.cell(row=r, column=index + 1).value for r in range(first, last + 1)]
                total[index] = round(sum(value or 0 for value in values), 2)
        sheet.append(total)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    for index, heading in enumerate(bottom, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(heading, 12)
        for row in (2, 3):
            sheet.cell(row=row, column=index).font = Font(bold=True)
            sheet.cell(row=row, column=index).alignment = Alignment(
                horizontal="center", vertical="center", wrap_text=True
            )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def pool_title(year=None, county=None):
    place = county.name if county is not None else ""
    return f"{place}{year or ''}{'年' if year else ''}百乡千村项目库".strip()
