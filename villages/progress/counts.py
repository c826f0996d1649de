"""Progress toward targets and quotas, counted from the village records and their history.

The one computation of a county's progress: the dashboard, county and pairing pages, the map, its PNG,
the ledger and the GeoJSON API all read it from county_progress().

What counts (as the pages say): designated = a tier assigned for that year, in any status;
in progress and completed = villages in that status now; accepted = 验收通过. A village's
acceptance date is its accepted_at, or else the first time its history shows it accepted.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from villages.models import CountyQuota, Status, Target, Tier, Village
from villages.progress.forecast import forecast
from villages.progress.targets import quota_is_cumulative

TIERS = [Tier.SHOWCASE, Tier.UPGRADED]
CHANGE_DAYS = 30
COUNTED = ["designated", "in_progress", "completed", "accepted"]
# "Completed" counts the villages awaiting acceptance: those applying for it (待复核) too.
AWAITING_ACCEPTANCE = [Status.COMPLETED, Status.UNDER_REVIEW]


class HasTier:
    @property
    def tier_label(self):
        return Tier(self.tier).label


@dataclass
class Progress:
    target: int | None = None  # the city's target or the county's quota; None when not set
    designated: int = 0
    in_progress: int = 0
    completed: int = 0
    accepted: int = 0
    accepted_before: int = 0  # accepted CHANGE_DAYS days ago

    @property
    def share(self):
        """Accepted villages as a share of the target (may exceed 1), or None without a target."""
        return self.accepted / self.target if self.target else None

    @property
    def percent(self):
        return None if self.share is None else round(100 * self.share, 1)

    @property
    def change(self):
        return self.accepted - self.accepted_before

    def add(self, other):
        for name in [*COUNTED, "accepted_before"]:
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

    def dates(self, tier, year=None, up_to_year=None, county_code=None, county_codes=None):
        return [
            item.date
            for item in self.items
            if item.tier == tier
            and (year is None or item.year == year)
            and (up_to_year is None or item.year <= up_to_year)
            and (county_code is None or item.county_code == county_code)
            and (county_codes is None or item.county_code in county_codes)
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


def status_counts(villages, *group_by):
    """Designated / in progress / completed / accepted counts of `villages` grouped by the given fields."""
    return (
        villages.values(*group_by)
        .annotate(
            designated=Count("id"),
            in_progress=Count("id", filter=Q(status=Status.IN_PROGRESS)),
            completed=Count("id", filter=Q(status__in=AWAITING_ACCEPTANCE)),
            accepted=Count("id", filter=Q(status=Status.ACCEPTED)),
        )
        .order_by()
    )


def county_target(year, tiers, county_code, all_quotas, all_targets):
    """The county's quota for the year and tiers together, or None unless the city set one for every tier.

    In a year whose target is cumulative, quotas are shares of the cumulative goal: no annual quota.
    """
    parts = [
        None if quota_is_cumulative(all_targets, year, tier) else all_quotas.get((year, tier, county_code))
        for tier in tiers
    ]
    return None if None in parts else sum(parts)


def accepted_by_cutoff(accepted, today):
    """{(county code, year, tier): villages accepted CHANGE_DAYS days ago or earlier}."""
    cutoff = today - timedelta(days=CHANGE_DAYS)
    return Counter((item.county_code, item.year, item.tier) for item in accepted.items if item.date <= cutoff)


def fill(progress, counted):
    for name in COUNTED:
        setattr(progress, name, counted[name])


def county_progress(year, tiers, county_codes, all_targets, all_quotas, accepted=None, today=None):
    """{county code: Progress} for the villages of the tiers designated in `year`.

    With `accepted` (acceptances()) and `today`, also the villages accepted CHANGE_DAYS days ago."""
    result = {code: Progress(target=county_target(year, tiers, code, all_quotas, all_targets)) for code in county_codes}
    for row in status_counts(
        Village.objects.filter(programme_year=year, tier__in=tiers, county_id__in=county_codes), "county_id"
    ):
        fill(result[row["county_id"]], row)
    if accepted is not None:
        before = accepted_by_cutoff(accepted, today)
        for code, progress in result.items():
            progress.accepted_before = sum(before[(code, year, tier)] for tier in tiers)
    return result


def county_years(county_code, all_targets, all_quotas, accepted, today):
    """{(year, tier): Progress} of one county, for every year and tier with an annual quota or designated villages."""
    designated = {
        (row["programme_year"], row["tier"]): row
        for row in status_counts(Village.objects.filter(county_id=county_code).designated(), "programme_year", "tier")
    }
    keys = set(designated) | {
        (year, tier)
        for (year, tier, code) in all_quotas
        if code == county_code and not quota_is_cumulative(all_targets, year, tier)
    }
    before = accepted_by_cutoff(accepted, today)
    result = {}
    for year, tier in keys:
        progress = result[(year, tier)] = Progress(
            target=county_target(year, [tier], county_code, all_quotas, all_targets)
        )
        if (year, tier) in designated:
            fill(progress, designated[(year, tier)])
        progress.accepted_before = before[(county_code, year, tier)]
    return result


def cumulative_forecast(accepted, tier, target, goal, today, county_code=None, county_codes=None):
    dates = accepted.dates(tier, up_to_year=goal, county_code=county_code, county_codes=county_codes)
    return forecast(dates, target, today, date(goal, 12, 31))


def month_ends(start, end):
    """The last day of each month from start's month to end's month."""
    result = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        result.append(date(next_year, next_month, 1) - timedelta(days=1))
        year, month = next_year, next_month
    return result


def burnup_series(dates, start, today):
    """[(month end, villages accepted by then)] from start to this month; this month counts up to today."""
    ordered = sorted(dates)
    return [
        (month_end, sum(1 for d in ordered if d <= min(month_end, today))) for month_end in month_ends(start, today)
    ]


def programme_years():
    """Years with targets, quotas or designated villages."""
    years = (
        Target.objects.order_by()
        .values_list("year")
        .union(
            CountyQuota.objects.order_by().values_list("year"),
            Village.objects.exclude(programme_year=None).order_by().values_list("programme_year"),
        )
    )
    return {year for (year,) in years}


def year_choices(today, years=None):
    """Years worth offering in a year filter: those of the programme (`years`, read when not given), and this year."""
    return sorted((programme_years() if years is None else years) | {today.year})


def default_year(today, years=None):
    """The year pages open on: the latest year of the programme up to this year, else this year."""
    years = programme_years() if years is None else years
    return max((year for year in years if year <= today.year), default=today.year)
