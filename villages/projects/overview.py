"""Where the money goes, for the dashboard, a city's page and a county's page: per county (or per city on the
province's page) and for the whole scope, the projects by stage, the funds planned and spent by source, 支出率
against 序时进度 (ranked, the laggards flagged) and 产业发展's share of 衔接资金 against the 60 % rule; and, for every
programme year, the share of each category in the funds planned.

Figures of every county are open to every signed-in user (counties/access.py), as the other dashboard figures are.
Three aggregate queries whatever the number of projects, on ProjectTotal (a few rows per county and year, kept by
the workflow: villages/projects/totals.py), not on the funds.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from villages.projects import money
from villages.projects.models import LINKAGE_SOURCES, Category, ProjectTotal, Source, Stage

ZERO = Decimal(0)
# The chart's colour of each category: 产业 in green, 人居环境 in blue, so that the shift between them shows.
CATEGORY_COLOURS = {
    Category.INDUSTRY: "#2f855a",
    Category.INFRASTRUCTURE: "#b7791f",
    Category.LIVING_ENVIRONMENT: "#2b6cb0",
    Category.PUBLIC_SERVICES: "#805ad5",
    Category.GOVERNANCE: "#c05621",
    Category.OTHER: "#718096",
}


@dataclass
class Money:
    """The money of a unit (a county, a city, the scope)."""

    unit: object = None
    projects: int = 0
    stages: dict = field(default_factory=dict)
    planned: Decimal = ZERO
    allocated: Decimal = ZERO
    spent: Decimal = ZERO
    linkage: Decimal = ZERO
    industry_linkage: Decimal = ZERO
    elapsed: Decimal = ZERO

    def add(self, figures):
        for name in ("planned", "allocated", "spent", "linkage", "industry_linkage"):
            setattr(self, name, getattr(self, name) + figures.get(name, ZERO))

    def count(self, stage, number):
        self.stages[stage] = self.stages.get(stage, 0) + number
        self.projects += number

    @property
    def rate(self):
        return money.spending_rate(self.spent, self.planned)

    @property
    def gap(self):
        return money.gap_points(self.rate, self.elapsed)

    @property
    def gap_text(self):
        return money.gap_text(self.gap)

    @property
    def behind(self):
        """A laggard: spending behind the share of the year elapsed."""
        return self.gap is not None and money.rounded(self.gap) < 0

    @property
    def industry_share(self):
        return money.industry_share(self.industry_linkage, self.linkage)

    @property
    def meets_industry_rule(self):
        return money.meets_industry_rule(self.industry_share)

    @property
    def stage_list(self):
        return [(stage, label, self.stages.get(stage, 0)) for stage, label in Stage.choices]


@dataclass
class Overview:
    year: int
    on: object
    elapsed: Decimal
    rows: list  # Money per unit, ranked: the furthest ahead of 序时进度 first, those without funds last
    total: Money
    sources: list  # [(source, label, planned, spent, rate)]
    chart: list  # [(year, total planned, [(category, label, colour, amount, share)])]
    by_county: bool

    def __bool__(self):
        return bool(self.total.projects or self.chart)

    @property
    def legend(self):
        return [(category, label, CATEGORY_COLOURS[category]) for category, label in Category.choices]


def scoped(queryset, prefix, counties):
    """The rows of the counties (None: every county)."""
    return queryset if counties is None else queryset.filter(**{f"{prefix}county_id__in": counties})


def build(year, units, by_county=True, on=None, counties=None):
    """The overview of programme year `year` for `units` (counties, or cities with by_county False); `counties`
    limits the projects read (None: every county, the province)."""
    on = on or timezone.localdate()
    elapsed = money.elapsed_share(year, on)
    unit_of = (lambda code: code) if by_county else (lambda code: code[:4])
    rows = {unit.code: Money(unit=unit, elapsed=elapsed) for unit in units}
    total = Money(elapsed=elapsed)
    scope = scoped(ProjectTotal.objects.order_by(), "", counties)
    # A row counts projects or adds up funds, never both: the sums of a county's stage take both kinds at once.
    for row in (
        scope.filter(year=year).values("county_id", "stage").annotate(**{key: make() for key, make in TOTALS.items()})
    ):
        figures = money.named(row)
        unit = rows.get(unit_of(figures["county_id"]))
        for each in (unit, total) if unit is not None else ():
            each.count(figures["stage"], figures["projects"])
            if figures["stage"] != Stage.CANCELLED:
                each.add(figures)
    live = scope.exclude(stage=Stage.CANCELLED).exclude(source="")
    by_source = {
        row["source"]: money.named(row)
        for row in live.filter(year=year).values("source").annotate(**{key: TOTALS[key]() for key in SOURCE_TOTALS})
    }
    sources = [
        (source, label, by_source[source]["planned"], by_source[source]["spent"])
        for source, label in Source.choices
        if source in by_source
    ]
    sources = [(*row, money.spending_rate(row[3], row[2])) for row in sources]
    ranked = sorted(rows.values(), key=lambda unit: (unit.gap is None, -(unit.gap or 0), unit.unit.code))
    return Overview(year, on, elapsed, ranked, total, sources, category_chart(live), by_county)


def has_illustrative(counties):
    """Whether demo projects are among those of the counties (None: every county)."""
    return scoped(ProjectTotal.objects.filter(illustrative__gt=0), "", counties).exists()


TOTALS = {  # made anew for each query
    "total_projects": lambda: Sum("projects"),
    "total_planned": lambda: money.summed("planned"),
    "total_allocated": lambda: money.summed("allocated"),
    "total_spent": lambda: money.summed("spent"),
    "total_linkage": lambda: money.summed("planned", source__in=LINKAGE_SOURCES),
    "total_industry_linkage": lambda: money.summed("planned", source__in=LINKAGE_SOURCES, category=Category.INDUSTRY),
}
SOURCE_TOTALS = ["total_planned", "total_spent"]


def category_chart(totals):
    """[(year, total, [(category, label, colour, amount, share)])] of every programme year, oldest first."""
    amounts = defaultdict(dict)
    for row in totals.values("year", "category").annotate(planned_sum=money.summed("planned")):
        amounts[row["year"]][row["category"]] = row["planned_sum"]
    chart = []
    for year in sorted(amounts):
        total = sum(amounts[year].values(), ZERO)
        if not total:
            continue
        parts = [
            (category, label, CATEGORY_COLOURS[category], amounts[year][category], amounts[year][category] / total)
            for category, label in Category.choices
            if amounts[year].get(category)
        ]
        chart.append((year, total, parts))
    return chart


def with_bars(chart, width=1000):
    """The chart with each part's x offset and width on a bar of `width` units (an SVG viewBox)."""
    drawn = []
    for year, total, parts in chart:
        x, bars = Decimal(0), []
        for category, label, colour, amount, share in parts:
            bars.append((category, label, colour, amount, share, float(x), float(share * width)))
            x += share * width
        industry = next((share for category, *_rest, share in parts if category == Category.INDUSTRY), ZERO)
        drawn.append((year, total, bars, industry))
    return drawn
