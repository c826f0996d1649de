"""The dashboard tables as an XLSX workbook (台账), with the date and the filters written in the sheet.

Shares are percent cells (0.125 shown as 12.5%). A row built on demo data says so in its last column.
"""

from dataclasses import dataclass
from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from villages import extensions
from villages.cells import safe_row

PERCENT_FORMAT = "0.0%"


@dataclass(frozen=True)
class Percent:
    share: float | None


def not_set(value):
    return _("not set") if value is None else value


def illustrative_note(quota=False, pairing=False):
    notes = [_("示意: the pairing is demo data")] * pairing + [_("示意: the quota is demo data")] * quota
    return "; ".join(notes)


def blank(value):
    return "" if value is None else value


def pace_cells(forecast):
    """Villages per month now, the forecast, villages per month needed and the outlook."""
    rate, needed = (
        blank(value if value is None else round(value, 1)) for value in (forecast.rate, forecast.needed_rate)
    )
    return rate, blank(forecast.projected), needed, str(forecast.verdict_label)


def dashboard_workbook(data):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Ledger")
    bold = Font(bold=True)

    def row(*values, strong=False):
        sheet.append(safe_row([not_set(value.share) if isinstance(value, Percent) else value for value in values]))
        for cell, value in zip(sheet[sheet.max_row], values):
            if isinstance(value, Percent) and value.share is not None:
                cell.number_format = PERCENT_FORMAT
        if strong:
            for cell in sheet[sheet.max_row]:
                cell.font = bold

    row(_("百乡千村 progress ledger"), strong=True)
    row(_("Date"), data.today.isoformat())
    row(_("Year"), data.year)
    row(_("Tier"), str(data.tier_label))
    row()
    by_county = data.level == "county"  # else the rows are cities, on the province's ledger
    unit_code, unit = (_("County code"), _("County")) if by_county else (_("City code"), pgettext("column", "City"))
    row(_("City") if by_county else _("Province"), strong=True)
    row(
        _("Target"),
        _("Designated"),
        _("In progress"),
        _("Completed"),
        _("Accepted"),
        _("Percent of target accepted"),
        strong=True,
    )
    city = data.city
    row(not_set(city.target), city.designated, city.in_progress, city.completed, city.accepted, Percent(city.share))
    row()
    row(_("By county") if by_county else _("By city"), strong=True)
    if data.illustrative_quotas:
        row(_("The county quotas on this page are demo data, not quotas set by the city."))
    row(
        unit_code,
        unit,
        _("Quota") if by_county else _("Target"),
        _("Designated"),
        _("In progress"),
        _("Completed"),
        _("Accepted"),
        _("Percent of quota accepted"),
        _("Change in 30 days"),
        _("Note"),
        strong=True,
    )
    for county_row in data.rows:
        p = county_row.progress
        row(
            county_row.unit.code,
            county_row.unit.name,
            not_set(p.target),
            p.designated,
            p.in_progress,
            p.completed,
            p.accepted,
            Percent(p.share),
            p.change,
            illustrative_note(quota=data.quota_is_illustrative(county_row.unit.code)),
        )
    if data.standard or data.applications:
        row()
        row(
            _("Acceptance reviews (验收复核) by county") if by_county else _("Acceptance reviews (验收复核) by city"),
            strong=True,
        )
        if data.standard:
            row(_("Standard"), str(data.standard), _("Pass score"), data.standard.pass_score)
        row(
            unit_code,
            unit,
            _("Waiting for review"),
            _("Returned"),
            _("Accepted by review"),
            _("Average score"),
            strong=True,
        )
        for county_row in data.rows:
            a = county_row.applications
            row(county_row.unit.code, county_row.unit.name, a.waiting, a.returned, a.accepted, blank(a.average))
        a = data.applications
        row(
            "",
            _("City") if by_county else _("Province"),
            a.waiting,
            a.returned,
            a.accepted,
            blank(a.average),
            strong=True,
        )
    row()
    row(_("Toward %(year)d (cumulative)") % {"year": data.goal}, strong=True)
    row(
        _("Tier"),
        _("Target"),
        _("Accepted"),
        _("Completed"),
        _("Villages per month (last 6 months)"),
        _("Forecast by the deadline"),
        _("Villages per month still needed"),
        _("Outlook"),
        strong=True,
    )
    for item in data.cumulative:
        f = item.forecast
        row(
            str(item.tier_label),
            not_set(item.target),
            f.accepted,
            item.completed,
            *pace_cells(f),
        )
    row()
    row(
        (
            _("Pace by county: %(tier)s, by the end of %(year)s")
            if by_county
            else _("Pace by city: %(tier)s, by the end of %(year)s")
        )
        % {"tier": data.tier_label, "year": data.goal},
        strong=True,
    )
    row(
        unit_code,
        unit,
        _("Quota") if by_county else _("Target"),
        _("Accepted"),
        _("Per month now"),
        _("Forecast"),
        _("Per month needed"),
        _("Outlook"),
        _("Note"),
        strong=True,
    )
    for county_row in data.rows:
        f = county_row.forecast
        row(
            county_row.unit.code,
            county_row.unit.name,
            not_set(f.target),
            f.accepted,
            *pace_cells(f),
            illustrative_note(quota=data.quota_is_illustrative(county_row.unit.code, data.goal)),
        )
    if data.pairings:
        row()
        row(_("Helped counties compared with the city"), strong=True)
        row(
            _("Pairing"),
            _("Helped county"),
            _("Percent of quota accepted"),
            _("City average"),
            _("Note"),
            strong=True,
        )
        average = data.quota_total.share if data.quota_total else None
        for pairing_row in data.pairings:
            pairing = pairing_row.pairing
            row(
                str(pairing),
                pairing.county_b.name,
                Percent(pairing_row.helped.share),
                Percent(average),
                illustrative_note(
                    quota=data.quota_is_illustrative(pairing.county_b_id), pairing=pairing.is_illustrative
                ),
            )
    for column, width in zip("ABCDEFGHIJ", [14, 12, 12, 12, 12, 12, 14, 16, 14, 24]):
        sheet.column_dimensions[column].width = width
    for step in extensions.ledger_sheets:
        step.run(workbook, data)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
