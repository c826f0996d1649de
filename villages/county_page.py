"""What a county page and a pairing page show about a county, in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q

from counties.models import Township
from villages import progress
from villages.charts import burnup
from villages.dashboard import TIERS, pairings_of
from villages.models import ProgressUpdate, Status, Tier, Village

LATEST_UPDATES = 10


@dataclass
class YearRow:
    year: int
    tier: str
    progress: progress.Progress

    @property
    def tier_label(self):
        return Tier(self.tier).label


@dataclass
class Outlook:
    tier: str
    target: int | None
    forecast: object
    chart: object = None

    @property
    def tier_label(self):
        return Tier(self.tier).label


@dataclass
class CountyPage:
    county: object
    goal: int
    years: list = field(default_factory=list)
    outlooks: list = field(default_factory=list)
    townships: list = field(default_factory=list)
    township_total: dict = field(default_factory=dict)
    pairings: list = field(default_factory=list)
    unlocated: list = field(default_factory=list)
    updates: list = field(default_factory=list)


def year_rows(county_code, all_quotas, accepted, today, all_targets):
    """One row per (year, tier) with an annual quota or designated villages; cumulative quotas are in the outlook."""
    keys = {
        (year, tier)
        for (year, tier, code) in all_quotas
        if code == county_code and not progress.quota_is_cumulative(all_targets, year, tier)
    }
    counted = {
        (row["programme_year"], row["tier"]): row
        for row in progress.status_counts(Village.objects.filter(county_id=county_code).designated(), "programme_year", "tier")
    }
    keys.update(counted)
    rows = []
    cutoff = today - timedelta(days=progress.CHANGE_DAYS)
    for year, tier in sorted(keys, key=lambda key: (-key[0], TIERS.index(key[1]))):
        row = counted.get((year, tier), {})
        cumulative = progress.quota_is_cumulative(all_targets, year, tier)
        item = progress.Progress(
            target=None if cumulative else all_quotas.get((year, tier, county_code)),
            **{name: row.get(name, 0) for name in ["designated", "in_progress", "completed", "accepted"]},
        )
        item.accepted_before = sum(1 for d in accepted.dates(tier, year=year, county_code=county_code) if d <= cutoff)
        rows.append(YearRow(year, tier, item))
    return rows


def outlooks(county_code, goal, all_quotas, accepted, today, with_charts=True):
    result = []
    for tier in TIERS:
        target = all_quotas.get((goal, tier, county_code))
        outlook = Outlook(tier, target, progress.cumulative_forecast(accepted, tier, target, goal, today, county_code))
        if with_charts:
            dates = accepted.dates(tier, up_to_year=goal, county_code=county_code)
            first_year = min([d.year for d in dates] + [today.year, progress.DEFAULT_GOAL_YEAR - 2])
            series = progress.burnup_series(dates, date(first_year, 1, 1), today)
            outlook.chart = burnup(series, target, outlook.forecast.projected, date(goal, 12, 31))
        result.append(outlook)
    return result


def township_rows(county_code):
    annotations = {"total": Count("villages"), "unlocated": Count("villages", filter=Q(villages__lat__isnull=True))}
    annotations.update({f"tier_{value}": Count("villages", filter=Q(villages__tier=value)) for value in Tier.values})
    annotations.update({f"status_{value}": Count("villages", filter=Q(villages__status=value)) for value in Status.values})
    rows = []
    for township in Township.objects.filter(county_id=county_code).only("code", "name", "kind").annotate(**annotations):
        township.by_tier = [getattr(township, f"tier_{value}") for value in Tier.values]
        township.by_status = [getattr(township, f"status_{value}") for value in Status.values]
        rows.append(township)
    total = {
        "total": sum(row.total for row in rows),
        "unlocated": sum(row.unlocated for row in rows),
        "by_tier": [sum(column) for column in zip(*(row.by_tier for row in rows))],
        "by_status": [sum(column) for column in zip(*(row.by_status for row in rows))],
    }
    return rows, total


def build(county, today):
    all_targets = progress.targets()
    goal = progress.goal_year(all_targets)
    all_quotas = progress.quotas(county_codes=[county.code])
    accepted = progress.acceptances(county_codes=[county.code])
    page = CountyPage(county, goal)
    page.years = year_rows(county.code, all_quotas, accepted, today, all_targets)
    page.outlooks = outlooks(county.code, goal, all_quotas, accepted, today)
    page.townships, page.township_total = township_rows(county.code)
    page.pairings = list(pairings_of(county.code))
    page.unlocated = list(
        Village.objects.filter(county_id=county.code, lat__isnull=True).designated().select_related("township").order_by("township_id", "code")
    )
    page.updates = list(
        ProgressUpdate.objects.filter(village__county_id=county.code).select_related("village").order_by("-date", "-id")[:LATEST_UPDATES]
    )
    return page


@dataclass
class Side:
    county: object
    years: list
    outlooks: list


def pairing_sides(pairing, year, today):
    """Both counties of a pairing: their progress in `year` per tier, and toward the goal year."""
    all_targets = progress.targets()
    goal = progress.goal_year(all_targets)
    codes = [pairing.county_a_id, pairing.county_b_id]
    all_quotas = progress.quotas(years=[year, goal], county_codes=codes)
    accepted = progress.acceptances(county_codes=codes)
    per_tier = {tier: progress.county_progress(year, tier, codes, accepted, all_quotas, today, all_targets) for tier in TIERS}
    return goal, [
        Side(
            county,
            [YearRow(year, tier, per_tier[tier][county.code]) for tier in TIERS],
            outlooks(county.code, goal, all_quotas, accepted, today, with_charts=False),
        )
        for county in pairing.counties
    ]
