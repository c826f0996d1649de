"""The money overview (villages/projects/overview.py) as a section of the dashboard, a city's and a county's page,
and as two sheets of the dashboard's ledger."""

from django.utils import timezone
from django.utils.translation import gettext as _

from villages.progress.ledger import Percent, blank, row_writer
from villages.projects import money, overview
from villages.projects.models import Project, Stage


def scope_of(data):
    """The county codes of the dashboard's rows, or None on the province's (every county)."""
    return [row.unit.code for row in data.rows] if data.level == "county" else None


def dashboard_overview(data):
    units = [row.unit for row in data.rows]
    return overview.build(data.year, units, by_county=data.level == "county", on=data.today, counties=scope_of(data))


def dashboard_section(request, data, city=None):
    found = dashboard_overview(data)
    if not found:
        return None
    return {
        "overview": found,
        "bars": overview.with_bars(found.chart),
        "illustrative": overview.has_illustrative(scope_of(data)),
    }


def county_section(request, county, **page):
    today = timezone.localdate()
    years = list(Project.objects.filter(county=county).values_list("year", flat=True).distinct().order_by("-year"))
    if not years:
        return None
    year = next((year for year in years if year <= today.year), years[-1])
    found = overview.build(year, [county], on=today, counties=[county.code])
    return {
        "overview": found,
        "bars": overview.with_bars(found.chart),
        "county": county,
        "illustrative": overview.has_illustrative([county.code]),
    }


def ledger_sheet(workbook, data):
    """The 项目 sheet (projects by stage, 支出率 against 序时进度, 产业 share) and the 资金 sheet (funds by source), per
    row of the dashboard."""
    found = dashboard_overview(data)
    if not found:
        return
    unit_code, unit_name = (_("County code"), _("County")) if found.by_county else (_("City code"), _("City"))
    note = _("示意: the projects include demo data") if overview.has_illustrative(scope_of(data)) else ""
    sheet = workbook.create_sheet(_("Projects"))
    row = row_writer(sheet)
    row(_("Projects (项目库) by stage, 支出率 against 序时进度"), strong=True)
    row(_("Programme year"), data.year, _("序时进度"), Percent(found.elapsed), _("as of"), found.on.isoformat(), note)
    row()
    stages = [label for _stage, label in Stage.choices]
    row(
        unit_code,
        unit_name,
        *[str(label) for label in stages],
        _("Planned (万元)"),
        _("Spent (万元)"),
        _("支出率"),
        _("Gap (percentage points)"),
        _("产业 share of 衔接资金"),
        strong=True,
    )
    for unit in sorted(found.rows, key=lambda unit: unit.unit.code):
        row(unit.unit.code, unit.unit.name, *project_cells(unit))
    row("", _("Total"), *project_cells(found.total), strong=True)
    sheet = workbook.create_sheet(_("Funds"))
    row = row_writer(sheet)
    row(_("Funds by source (万元)"), strong=True)
    row(_("Programme year"), data.year, note)
    row()
    row(_("Source"), _("Planned (万元)"), _("Spent (万元)"), _("支出率"), strong=True)
    for _source, label, planned, spent, rate in found.sources:
        row(str(label), planned, spent, Percent(rate))
    for column, width in zip("ABCDEFGHIJKLMN", [14, 22, 10, 10, 10, 10, 10, 10, 14, 14, 10, 14, 14]):
        sheet.column_dimensions[column].width = width


def project_cells(unit):
    gap = money.rounded(unit.gap)
    return [
        *[count for _stage, _label, count in unit.stage_list],
        unit.planned,
        unit.spent,
        Percent(unit.rate),
        blank(gap),
        Percent(unit.industry_share),
    ]
