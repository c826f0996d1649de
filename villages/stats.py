"""Counts of villages per county, by tier and status, in one query."""

from dataclasses import dataclass

from django.db.models import Count, Q

from counties.models import County
from villages.models import Status, Tier


@dataclass
class CountyRow:
    county: County | None
    total: int
    by_tier: list
    by_status: list


def county_table():
    """One row per county (its villages, and how many are in each tier and each status), and a total row."""
    annotations = {"total": Count("villages")}
    annotations.update({f"tier_{value}": Count("villages", filter=Q(villages__tier=value)) for value in Tier.values})
    annotations.update({f"status_{value}": Count("villages", filter=Q(villages__status=value)) for value in Status.values})
    rows = [
        CountyRow(
            county=county,
            total=county.total,
            by_tier=[getattr(county, f"tier_{value}") for value in Tier.values],
            by_status=[getattr(county, f"status_{value}") for value in Status.values],
        )
        for county in County.objects.only("code", "name").annotate(**annotations).order_by("code")
    ]
    total = CountyRow(
        county=None,
        total=sum(row.total for row in rows),
        by_tier=[sum(column) for column in zip(*(row.by_tier for row in rows))] or [0] * len(Tier.values),
        by_status=[sum(column) for column in zip(*(row.by_status for row in rows))] or [0] * len(Status.values),
    )
    return rows, total
