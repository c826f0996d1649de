"""Everything the dashboard (home page) and its XLSX export show, assembled in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from counties.models import County, Pairing
from villages import progress
from villages.charts import burnup
from villages.models import Tier, Village
from villages.targets import illustrative_quotas_among

TIERS = [Tier.SHOWCASE, Tier.UPGRADED]
SORT_KEYS = ["county", "quota", "designated", "in_progress", "completed", "accepted", "percent", "change"]


@dataclass
class CountyRow:
    county: County
    progress: progress.Progress
    forecast: object = None


@dataclass
class Cumulative:
    tier: str
    target: int | None
    completed: int
    forecast: object
    chart: object


@dataclass
class PairingRow:
    pairing: Pairing
    helped: progress.Progress


@dataclass
class Dashboard:
    year: int
    tier: str
    today: date
    goal: int
    city: progress.Progress
    rows: list
    cumulative: list = field(default_factory=list)
    pairings: list = field(default_factory=list)
    quota_total: progress.Progress = None  # the counties that have a quota, together: the city average
    illustrative_quotas: bool = False  # some quota shown is demo data

    @property
    def tier_label(self):
        return Tier(self.tier).label


def sort_key(name):
    def key(row):
        if name == "county":
            return (0, row.county.code)
        value = row.progress.target if name == "quota" else getattr(row.progress, name)
        return (value is None, value if value is not None else 0)

    return key


def sort_rows(rows, sort):
    """`sort` is a column name, optionally prefixed with '-' for descending; unknown names keep county order."""
    name = sort.lstrip("-")
    if name not in SORT_KEYS:
        return rows
    ordered = sorted(rows, key=sort_key(name), reverse=sort.startswith("-"))
    if sort.startswith("-") and name != "county":  # "not set" stays last either way
        ordered = [row for row in ordered if sort_key(name)(row)[0] is False] + [
            row for row in ordered if sort_key(name)(row)[0] is True
        ]
    return ordered


def year_choices(today):
    """Years worth offering: those with targets, quotas or designated villages, and this year."""
    years = progress.Target.objects.order_by().values_list("year").union(
        progress.CountyQuota.objects.order_by().values_list("year"),
        Village.objects.exclude(programme_year=None).order_by().values_list("programme_year"),
    )
    years = {today.year} | {year for (year,) in years}
    return sorted(years)


def default_year(today):
    """The latest programme year up to this year in which villages were designated, else this year."""
    latest = (
        Village.objects.filter(programme_year__lte=today.year).order_by("-programme_year").values_list("programme_year", flat=True).first()
    )
    return latest or today.year


def build(year, tier, today, sort=""):
    all_targets = progress.targets()
    goal = progress.goal_year(all_targets)
    counties = list(County.objects.only("code", "name"))
    codes = [county.code for county in counties]
    all_quotas = progress.quotas(years=[year, goal])
    accepted = progress.acceptances()
    by_county = progress.county_progress(year, tier, codes, accepted, all_quotas, today, all_targets)

    city = progress.Progress(target=all_targets.get((year, tier, progress.Target.Kind.ANNUAL)))
    quota_total = progress.Progress(target=0)
    for code in codes:
        city.add(by_county[code])
        if by_county[code].target is not None:
            quota_total.add(by_county[code])
            quota_total.target += by_county[code].target
    rows = []
    for county in counties:
        target = all_quotas.get((goal, tier, county.code))
        rows.append(CountyRow(county, by_county[county.code], progress.cumulative_forecast(accepted, tier, target, goal, today, county.code)))

    dashboard = Dashboard(
        year, tier, today, goal, city, sort_rows(rows, sort),
        quota_total=quota_total if quota_total.target else None,
        illustrative_quotas=illustrative_quotas_among(year__in=[year, goal], tier=tier),
    )
    completed = {
        row["tier"]: row["completed"] for row in progress.status_counts(Village.objects.filter(programme_year__lte=goal, tier__in=TIERS), "tier")
    }
    first_year = min([y for (y, _t, _k) in all_targets] + [item.date.year for item in accepted.items] + [today.year])
    deadline = date(goal, 12, 31)
    for each_tier in TIERS:
        target = all_targets.get((goal, each_tier, progress.Target.Kind.CUMULATIVE))
        outlook = progress.cumulative_forecast(accepted, each_tier, target, goal, today)
        series = progress.burnup_series(accepted.dates(each_tier, up_to_year=goal), date(first_year, 1, 1), today)
        chart = burnup(series, target, outlook.projected, deadline)
        dashboard.cumulative.append(Cumulative(each_tier, target, completed.get(each_tier, 0), outlook, chart))

    helped = with_counties(Pairing.objects.filter(kind=Pairing.Kind.HELP))
    dashboard.pairings = [PairingRow(pairing, by_county[pairing.county_b_id]) for pairing in helped]
    return dashboard


def with_counties(pairings):
    """Pairings with their two counties' names, without the (large) county boundaries."""
    return pairings.select_related("county_a", "county_b").defer("county_a__boundary", "county_b__boundary")


def pairings_of(county_code):
    return with_counties(Pairing.objects.filter(Q(county_a=county_code) | Q(county_b=county_code)))
