"""The acceptance reviews (验收复核) of the dashboard's year and tier, per row of the dashboard (a county on a
city's page, a city on the province's), as a section of the page and a sheet of its ledger."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from counties.access import village_county_codes
from villages.acceptance.counts import Applications, application_counts
from villages.acceptance.models import Standard
from villages.progress.ledger import blank, row_writer


@dataclass
class AcceptanceTable:
    standard: Standard | None
    rows: list  # (unit, Applications) in the order of the dashboard's rows
    total: Applications
    by_county: bool  # else the rows are cities, on the province's dashboard

    def __bool__(self):
        return bool(self.standard or self.total)


def acceptance_table(data):
    by_county = data.level == "county"
    units = [row.unit for row in data.rows]
    if by_county:
        unit_of = {unit.code: unit.code for unit in units}
    else:
        unit_of = {county.code: county.city_id for county in data.counties}
    per_county = application_counts(data.year, data.tier, list(unit_of))
    per_unit = {unit.code: Applications() for unit in units}
    total = Applications()
    for code, counted in per_county.items():
        per_unit[unit_of[code]].add(counted)
        total.add(counted)
    standard = Standard.objects.current(data.tier, data.year)
    return AcceptanceTable(standard, [(unit, per_unit[unit.code]) for unit in units], total, by_county)


def dashboard_section(request, data, city=None):
    table = acceptance_table(data)
    if not table:
        return None
    return {"data": data, "table": table, "linkable": village_county_codes(request.user) if table.by_county else ()}


def ledger_sheet(workbook, data):
    table = acceptance_table(data)
    if not table:
        return
    sheet = workbook.create_sheet(_("Acceptance reviews"))
    row = row_writer(sheet)
    row(
        _("Acceptance reviews (验收复核) by county") if table.by_county else _("Acceptance reviews (验收复核) by city"),
        strong=True,
    )
    row(_("Year"), data.year, _("Tier"), str(data.tier_label))
    if table.standard:
        note = _("示意: the standard is demo data") if table.standard.is_illustrative else ""
        row(_("Standard"), str(table.standard), _("Pass score"), table.standard.pass_score, note)
    row()
    unit_code, unit = (_("County code"), _("County")) if table.by_county else (_("City code"), _("City"))
    row(
        unit_code,
        unit,
        _("Waiting for review"),
        _("Returned"),
        _("Accepted by review"),
        _("Average score"),
        strong=True,
    )
    for place, counted in table.rows:
        row(place.code, place.name, counted.waiting, counted.returned, counted.accepted, blank(counted.average))
    total = table.total
    row(
        "",
        _("City") if table.by_county else _("Province"),
        total.waiting,
        total.returned,
        total.accepted,
        blank(total.average),
        strong=True,
    )
    for column, width in zip("ABCDEF", [14, 14, 16, 12, 16, 14]):
        sheet.column_dimensions[column].width = width
