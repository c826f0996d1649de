"""Everything the dashboard (home page), a city's page and their ledger show, assembled in a fixed number of
queries. The same columns at each level: the province's total and a row per city when the registry holds several
cities; a city's total and a row per county on the city's page, and on the dashboard when it holds one."""

from dataclasses import dataclass, field
from datetime import date

from counties.models import City, County, Pairing
from villages import consistency
from villages.models import Target, Village
from villages.progress import counts, targets
from villages.progress.charts import burnup
from villages.progress.counts import TIERS, HasTier, Progress

SORT_KEYS = ["county", "quota", "designated", "in_progress", "completed", "accepted", "percent", "change"]


@dataclass
class Row:
    unit: County | City
    progress: Progress
    forecast: object = None


@dataclass
class Cumulative(HasTier):
    tier: str
    target: int | None
    completed: int
    forecast: object
    chart: object
    series: list = field(default_factory=list)  # [(month end, villages accepted by then)]: what the chart draws


@dataclass
class PairingRow:
    pairing: Pairing
    helped: Progress


@dataclass
class Dashboard(HasTier):
    year: int
    tier: str
    today: date
    goal: int
    city: Progress  # the total of the page: its city's, or the province's
    rows: list
    place: City = None  # the city of the page, None for the province
    cities: list = field(default_factory=list)  # the cities of the registry
    counties: list = field(default_factory=list)  # the counties of the page: its city's, or every county
    cumulative: list = field(default_factory=list)
    pairings: list = field(default_factory=list)
    quota_total: Progress = None  # the counties that have a quota, together: the city average
    illustrative: set = field(default_factory=set)  # (year, tier, county code) of the quotas shown that are demo data
    warnings: list = field(default_factory=list)  # villages.consistency.Mismatch: figures that do not fit together

    @property
    def level(self):
        """What a row is: "county" (on a city's page) or "city" (on the province's)."""
        return "county" if self.place else "city"

    @property
    def illustrative_quotas(self):
        return bool(self.illustrative)

    def quota_is_illustrative(self, county_code, year=None):
        return (year or self.year, self.tier, county_code) in self.illustrative


def sort_value(row, name):
    """(missing, value) so that "not set" sorts last whichever way the column is sorted."""
    if name == "county":
        return (False, row.unit.code)
    value = row.progress.target if name == "quota" else getattr(row.progress, name)
    return (value is None, value if value is not None else 0)


def sort_rows(rows, sort):
    """`sort` is a column name, optionally prefixed with '-' for descending; unknown names keep county order."""
    name = sort.lstrip("-")
    if name not in SORT_KEYS:
        return rows
    ordered = sorted(rows, key=lambda row: sort_value(row, name)[1], reverse=sort.startswith("-"))
    return [row for row in ordered if not sort_value(row, name)[0]] + [
        row for row in ordered if sort_value(row, name)[0]
    ]


def build(year, tier, today, sort="", city=None):
    """The dashboard of `city`, or without it of the registry: its one city, or the province."""
    cities = list(City.objects.only("code", "name"))
    if city is None and len(cities) == 1:
        city = cities[0]
    by_place = targets.targets_by_place(cities)
    all_targets = by_place.get(city.code if city else None, {})
    goal = targets.goal_year(all_targets)
    counties = list(County.objects.filter(**({"city": city} if city else {})).only("code", "name", "city_id"))
    codes = [county.code for county in counties]
    all_quotas = targets.quotas(years=[year, goal], county_codes=codes if city else None)
    accepted = counts.acceptances(codes if city else None)
    by_county = counts.county_progress(year, [tier], codes, all_targets, all_quotas, accepted, today)
    if city is None:  # a county's quota is a share of its own city's target
        for county in counties:
            city_targets = by_place.get(county.city_id, {})
            by_county[county.code].target = counts.county_target(year, [tier], county.code, all_quotas, city_targets)

    total = Progress(target=all_targets.get((year, tier, Target.Kind.ANNUAL)))
    quota_total = Progress(target=0)
    for code in codes:
        total.add(by_county[code])
        if by_county[code].target is not None:
            quota_total.add(by_county[code])
            quota_total.target += by_county[code].target
    if city:
        rows = [
            Row(
                county,
                by_county[county.code],
                counts.cumulative_forecast(
                    accepted, tier, all_quotas.get((goal, tier, county.code)), goal, today, county.code
                ),
            )
            for county in counties
        ]
    else:
        codes_of = {}
        for county in counties:
            codes_of.setdefault(county.city_id, set()).add(county.code)
        rows = [
            city_row(
                each,
                codes_of.get(each.code, set()),
                by_county,
                by_place.get(each.code, {}),
                accepted,
                year,
                tier,
                goal,
                today,
            )
            for each in cities
        ]
    dashboard = Dashboard(
        year,
        tier,
        today,
        goal,
        total,
        sort_rows(rows, sort),
        place=city,
        cities=cities,
        counties=counties,
        quota_total=quota_total if quota_total.target else None,
        illustrative=targets.illustrative_quota_keys(year__in=[year, goal], tier=tier),
        warnings=consistency.data_warnings(codes if city else None),
    )
    villages = Village.objects.filter(programme_year__lte=goal, tier__in=TIERS, county_id__in=codes)
    completed = {row["tier"]: row["completed"] for row in counts.status_counts(villages, "tier")}
    first_year = min([y for (y, _t, _k) in all_targets] + [item.date.year for item in accepted.items] + [today.year])
    for each_tier in TIERS:
        target = all_targets.get((goal, each_tier, Target.Kind.CUMULATIVE))
        outlook = counts.cumulative_forecast(accepted, each_tier, target, goal, today)
        series = counts.burnup_series(accepted.dates(each_tier, up_to_year=goal), date(first_year, 1, 1), today)
        chart = burnup(series, target, outlook.projected, date(goal, 12, 31))
        dashboard.cumulative.append(Cumulative(each_tier, target, completed.get(each_tier, 0), outlook, chart, series))

    if city:  # the province's dashboard leaves them to each city's page
        helped = Pairing.objects.filter(kind=Pairing.Kind.HELP, county_b__in=codes).with_counties()
        dashboard.pairings = [PairingRow(pairing, by_county[pairing.county_b_id]) for pairing in helped]
    return dashboard


def city_row(city, codes, by_county, city_targets, accepted, year, tier, goal, today):
    """A city on the province's dashboard: its counties (`codes`) together, against the city's own targets."""
    progress = Progress(target=city_targets.get((year, tier, Target.Kind.ANNUAL)))
    for code in codes:
        progress.add(by_county[code])
    target = city_targets.get((goal, tier, Target.Kind.CUMULATIVE))
    outlook = counts.cumulative_forecast(accepted, tier, target, goal, today, county_codes=codes)
    return Row(city, progress, outlook)
