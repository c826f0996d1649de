"""Progress toward targets and quotas, counted from the village records and their history.

What counts (as the pages say): designated = a tier assigned for that year, in any status;
in progress and completed = villages in that status now; accepted = 验收通过. A village's
acceptance date is its accepted_at, or else the first time its history shows it accepted.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from villages.forecast import forecast
from villages.models import CountyQuota, Status, Target, Village

CHANGE_DAYS = 30
DEFAULT_GOAL_YEAR = 2027


@dataclass
class Progress:
    target: int | None = None  # the city's target or the county's quota; None when not set
    designated: int = 0
    in_progress: int = 0
    completed: int = 0
    accepted: int = 0
    accepted_before: int = 0  # accepted CHANGE_DAYS days ago

    @property
    def percent(self):
        if not self.target:
            return None
        return round(100 * self.accepted / self.target, 1)

    @property
    def change(self):
        return self.accepted - self.accepted_before

    def add(self, other):
        for name in ["designated", "in_progress", "completed", "accepted", "accepted_before"]:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Acceptance:
    county_code: str
    tier: str
    year: int
    date: object


@dataclass
class Acceptances:
    """Every accepted village with its acceptance date, fetched once and filtered in memory."""

    items: list = field(default_factory=list)

    def dates(self, tier, year=None, up_to_year=None, county_code=None):
        return [
            item.date
            for item in self.items
            if item.tier == tier
            and (year is None or item.year == year)
            and (up_to_year is None or item.year <= up_to_year)
            and (county_code is None or item.county_code == county_code)
        ]


def acceptances(county_codes=None):
    first_accepted = (
        Village.history.model.objects.filter(id=OuterRef("pk"), status=Status.ACCEPTED)
        .order_by("history_date")
        .values("history_date")[:1]
    )
    villages = Village.objects.filter(status=Status.ACCEPTED)
    if county_codes is not None:
        villages = villages.filter(county_id__in=county_codes)
    rows = villages.annotate(accepted_on=Coalesce("accepted_at", Subquery(first_accepted), "updated_at")).values_list(
        "county_id", "tier", "programme_year", "accepted_on"
    )
    return Acceptances([Acceptance(county, tier, year, timezone.localdate(on)) for county, tier, year, on in rows])


def targets():
    """{(year, tier, kind): count} of every target the city has set."""
    return {(year, tier, kind): count for year, tier, kind, count in Target.objects.values_list("year", "tier", "kind", "count")}


def goal_year(all_targets):
    years = [year for (year, _tier, kind) in all_targets if kind == Target.Kind.CUMULATIVE]
    return max(years) if years else DEFAULT_GOAL_YEAR


def quota_is_cumulative(all_targets, year, tier):
    """A quota is the county's share of that year's target: cumulative in a year whose target is (e.g. 2027)."""
    return (year, tier, Target.Kind.CUMULATIVE) in all_targets and (year, tier, Target.Kind.ANNUAL) not in all_targets


def quotas(years=None, county_codes=None):
    """{(year, tier, county code): quota}."""
    rows = CountyQuota.objects.all()
    if years is not None:
        rows = rows.filter(year__in=years)
    if county_codes is not None:
        rows = rows.filter(county_id__in=county_codes)
    return {(year, tier, county): count for year, tier, county, count in rows.values_list("year", "tier", "county_id", "count")}


def status_counts(villages, *group_by):
    """Designated / in progress / completed / accepted counts of `villages` grouped by the given fields."""
    return villages.values(*group_by).annotate(
        designated=Count("id"),
        in_progress=Count("id", filter=Q(status=Status.IN_PROGRESS)),
        completed=Count("id", filter=Q(status=Status.COMPLETED)),
        accepted=Count("id", filter=Q(status=Status.ACCEPTED)),
    ).order_by()


def county_progress(year, tier, county_codes, accepted, all_quotas, today, all_targets):
    """{county code: Progress} for the villages of a tier designated in `year`."""
    annual = not quota_is_cumulative(all_targets, year, tier)
    result = {code: Progress(target=all_quotas.get((year, tier, code)) if annual else None) for code in county_codes}
    villages = Village.objects.filter(programme_year=year, tier=tier, county_id__in=county_codes)
    for row in status_counts(villages, "county_id"):
        progress = result[row["county_id"]]
        for name in ["designated", "in_progress", "completed", "accepted"]:
            setattr(progress, name, row[name])
    cutoff = today - timedelta(days=CHANGE_DAYS)
    for item in accepted.items:
        if item.tier == tier and item.year == year and item.date <= cutoff and item.county_code in result:
            result[item.county_code].accepted_before += 1
    return result


def cumulative_forecast(accepted, tier, target, goal, today, county_code=None):
    dates = accepted.dates(tier, up_to_year=goal, county_code=county_code)
    return forecast(dates, target, today, timezone.datetime(goal, 12, 31).date())


def month_ends(start, end):
    """The last day of each month from start's month to end's month."""
    result = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        result.append(timezone.datetime(next_year, next_month, 1).date() - timedelta(days=1))
        year, month = next_year, next_month
    return result


def burnup_series(dates, start, today):
    """[(month end, villages accepted by then)] from start to this month; this month counts up to today."""
    ordered = sorted(dates)
    series = []
    for month_end in month_ends(start, today):
        cutoff = min(month_end, today)
        series.append((month_end, sum(1 for d in ordered if d <= cutoff)))
    return series
