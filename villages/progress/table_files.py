"""The tables of the dashboard, city and county pages as villages.tabular Tables: what their CSV/XLSX downloads and
the read API (/api/v1/) give, column for column."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from villages.models import Status, Tier
from villages.tabular import Column, Table


def progress_columns(unit_label):
    return [
        Column("code", _("Code")),
        Column("name", unit_label),
        Column("quota", _("Quota")),
        Column("quota_illustrative", _("Quota is demo data (示意)")),
        Column("designated", _("Designated")),
        Column("in_progress", _("In progress")),
        Column("completed", _("Completed")),
        Column("accepted", _("Accepted")),
        Column("share", _("Percent of quota accepted"), percent=True),
        Column("change", _("Change in 30 days")),
    ]


def progress_cells(progress, illustrative):
    return [
        progress.target,
        illustrative,
        progress.designated,
        progress.in_progress,
        progress.completed,
        progress.accepted,
        progress.share,
        progress.change,
    ]


def dashboard_table(data):
    """The dashboard's (or a city page's) main table: a row per county (per city on the province's), and the total."""
    by_county = data.level == "county"
    table = Table(
        "progress",
        _("Progress by county") if by_county else _("Progress by city"),
        progress_columns(_("County") if by_county else pgettext("column", "City")),
    )
    for row in data.rows:
        illustrative = by_county and data.quota_is_illustrative(row.unit.code)
        table.rows.append([row.unit.code, row.unit.name, *progress_cells(row.progress, illustrative)])
    place = data.place.name if data.place else _("Province")
    table.rows.append(["", place, *progress_cells(data.city, data.illustrative_quotas)])
    return table


def status_table(name, title, unit_label, rows, total):
    """A tier_and_status_table (villages by tier and by status, a row per unit) with its total row."""
    columns = [
        Column("code", _("Code")),
        Column("name", unit_label),
        Column("villages", _("Villages")),
        Column("without_location", _("Without a location")),
        *(Column(f"tier_{tier.value}", str(tier.label)) for tier in Tier),
        *(Column(f"status_{status.value}", str(status.label)) for status in Status),
    ]
    table = Table(name, title, columns)
    for row in [*rows, total]:
        unit = row.unit
        table.rows.append(
            [unit.code if unit else "", unit.name if unit else _("Total"), row.total, row.unlocated, *row.by_tier]
            + row.by_status
        )
    return table


def year_table(page, illustrative, tier_labels=True):
    """A county page's table of years and tiers (the tier as its label, or its code for the API)."""
    columns = [Column("year", _("Year")), Column("tier", _("Tier")), *progress_columns("")[2:]]
    table = Table("years", _("By year and tier"), columns)
    for row in page.years:
        flagged = (row.year, row.tier, page.county.code) in illustrative
        tier = str(row.tier_label) if tier_labels else row.tier
        table.rows.append([row.year, tier, *progress_cells(row.progress, flagged)])
    return table


def series_table(name, title, outlooks):
    """The burn-up series of each tier (villages accepted by each month's end), and the target they run toward."""
    columns = [
        Column("tier", _("Tier")),
        Column("month_end", _("Month end")),
        Column("accepted", _("Accepted by then")),
        Column("target", _("Target")),
    ]
    table = Table(name, title, columns)
    for outlook in outlooks:
        for month_end, accepted in outlook.series:
            table.rows.append([str(outlook.tier_label), month_end.isoformat(), accepted, outlook.target])
    return table
