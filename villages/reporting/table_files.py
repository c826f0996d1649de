"""The period page's table as a villages.tabular Table: its rows (counties of a city, or cities of the province) in
the page's order, with the rates as shares and the period's demo mark as a column."""

from django.utils.translation import gettext as _

from villages.tabular import Column, Table

PERCENT_KEYS = ("reporting_rate", "on_time_rate")


def share(percent):
    return None if percent is None else percent / 100


def period_table(page, columns):
    """`columns`: the page's [(key, label)] (views.columns)."""
    table_columns = [
        Column("code", _("Code")),
        *[Column(key, label, percent=key in PERCENT_KEYS) for key, label in columns],
        Column("period_illustrative", _("Period is demo data (示意)")),
    ]
    rows = []
    for row in page.table.rows:
        rate = row.rate
        values = {
            "rank": row.rank,
            "name": row.name,
            "expected": rate.expected,
            "received": rate.received,
            "on_time": rate.on_time,
            "missing": rate.missing,
            "reporting_rate": share(rate.reporting_rate),
            "on_time_rate": share(rate.on_time_rate),
            "previous_late": row.previous_late,
        }
        rows.append([row.code, *[values[key] for key, _label in columns], page.period.is_illustrative])
    return Table("rates", _("Reporting rates"), table_columns, rows)
