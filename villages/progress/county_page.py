"""What a county page and a pairing page show about a county, in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date

from counties.models import Pairing, Township
from villages.models import ProgressUpdate, Village
from villages.progress import counts, targets
from villages.progress.charts import burnup
from villages.progress.counts import TIERS, HasTier, Progress
from villages.progress.tables import tier_and_status_table

LATEST_UPDATES = 10


@dataclass
class YearRow(HasTier):
    year: int
    tier: str
    progress: Progress


@dataclass
class Outlook(HasTier):
    tier: str
    target: int | None
    forecast: object
    chart: object = None
    series: list = field(default_factory=list)  # [(month end, villages accepted by then)]: what the chart draws


@dataclass
class CountyPage:
    county: object
    goal: int
    years: list = field(default_factory=list)
    outlooks: list = field(default_factory=list)
    townships: list = field(default_factory=list)
    township_total: object = None
    pairings: list = field(default_factory=list)
    unlocated: list = field(default_factory=list)
    updates: list = field(default_factory=list)

    @property
    def townships_with_villages(self):
        return [row for row in self.townships if row.total]

    @property
    def townships_without_villages(self):
        """Mostly street offices (街道), whose places are communities, not villages: their rows are all zeros."""
        return [row.unit for row in self.townships if not row.total]


def year_rows(county_code, all_quotas, accepted, today, all_targets):
    """One row per (year, tier) with an annual quota or designated villages, newest first; cumulative quotas are
    in the outlook."""
    years = counts.county_years(county_code, all_targets, all_quotas, accepted, today)
    return [
        YearRow(year, tier, years[(year, tier)])
        for year, tier in sorted(years, key=lambda key: (-key[0], TIERS.index(key[1])))
    ]


def outlooks(county_code, goal, all_quotas, accepted, today, with_charts=True):
    result = []
    for tier in TIERS:
        target = all_quotas.get((goal, tier, county_code))
        outlook = Outlook(tier, target, counts.cumulative_forecast(accepted, tier, target, goal, today, county_code))
        if with_charts:
            dates = accepted.dates(tier, up_to_year=goal, county_code=county_code)
            first_year = min([d.year for d in dates] + [today.year, targets.DEFAULT_GOAL_YEAR - 2])
            series = outlook.series = counts.burnup_series(dates, date(first_year, 1, 1), today)
            outlook.chart = burnup(series, target, outlook.forecast.projected, date(goal, 12, 31))
        result.append(outlook)
    return result


def build(county, today, with_village_records=True):
    """The county page; without village records (the villages without a location, the latest updates) for users
    who see only the county's figures."""
    all_targets = targets.targets()
    goal = targets.goal_year(all_targets)
    all_quotas = targets.quotas(county_codes=[county.code])
    accepted = counts.acceptances(county_codes=[county.code])
    page = CountyPage(county, goal)
    page.years = year_rows(county.code, all_quotas, accepted, today, all_targets)
    page.outlooks = outlooks(county.code, goal, all_quotas, accepted, today)
    page.townships, page.township_total = tier_and_status_table(Township.objects.filter(county_id=county.code))
    page.pairings = list(Pairing.objects.involving(county.code).with_counties())
    if not with_village_records:
        return page
    page.unlocated = list(
        Village.objects.filter(county_id=county.code, lat__isnull=True)
        .designated()
        .select_related("township")
        .order_by("township_id", "code")
    )
    page.updates = list(
        ProgressUpdate.objects.filter(village__in=Village.objects.filter(county_id=county.code))
        .select_related("village")
        .order_by("-date", "-id")[:LATEST_UPDATES]
    )
    return page


@dataclass
class Side:
    county: object
    years: list
    outlooks: list


def pairing_sides(pairing, year, today):
    """Both counties of a pairing: their progress in `year` per tier, and toward the goal year."""
    all_targets = targets.targets()
    goal = targets.goal_year(all_targets)
    codes = [pairing.county_a_id, pairing.county_b_id]
    all_quotas = targets.quotas(years=[year, goal], county_codes=codes)
    accepted = counts.acceptances(county_codes=codes)
    per_tier = {
        tier: counts.county_progress(year, [tier], codes, all_targets, all_quotas, accepted, today) for tier in TIERS
    }
    return goal, [
        Side(
            county,
            [YearRow(year, tier, per_tier[tier][county.code]) for tier in TIERS],
            outlooks(county.code, goal, all_quotas, accepted, today, with_charts=False),
        )
        for county in pairing.counties
    ]
