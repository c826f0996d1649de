"""Villages by tier and by status, one row per county or per township, in one query."""

from dataclasses import dataclass

from django.db.models import Count, Q

from villages.models import Status, Tier


@dataclass
class Row:
    unit: object  # a County or a Township, None for the total row
    total: int
    unlocated: int
    by_tier: list
    by_status: list


def tier_and_status_table(units, villages="villages"):
    """A Row per unit of `units` (a queryset of cities, counties or townships, whose villages are reached by the
    lookup `villages`), and a total."""

    def count(**condition):
        return Count(villages, filter=Q(**{f"{villages}__{name}": value for name, value in condition.items()}))

    annotations = {"total": Count(villages), "unlocated": count(lat__isnull=True)}
    annotations.update({f"tier_{value}": count(tier=value) for value in Tier.values})
    annotations.update({f"status_{value}": count(status=value) for value in Status.values})
    rows = [
        Row(
            unit=unit,
            total=unit.total,
            unlocated=unit.unlocated,
            by_tier=[getattr(unit, f"tier_{value}") for value in Tier.values],
            by_status=[getattr(unit, f"status_{value}") for value in Status.values],
        )
        for unit in units.only("code", "name").annotate(**annotations).order_by("code")
    ]
    total = Row(
        unit=None,
        total=sum(row.total for row in rows),
        unlocated=sum(row.unlocated for row in rows),
        by_tier=[sum(row.by_tier[index] for row in rows) for index in range(len(Tier.values))],
        by_status=[sum(row.by_status[index] for row in rows) for index in range(len(Status.values))],
    )
    return rows, total
