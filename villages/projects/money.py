"""The figures of the money: 支出率 (spending rate), 序时进度 (the share of the programme year elapsed), the signed gap
between them, and the share of 衔接资金 going to industry (产业发展), against the central rule of 60 %.

Definitions (docs/projects.md):
- 支出率 = spent ÷ planned (no rate where nothing is planned).
- 序时进度 on a date = (months completed + the elapsed part of the current month, by days) ÷ 12 of the programme
  year: 0 before it begins, 1 after it ends. At the end of month M it is exactly M/12, as the monthly 通报 counts it
  (end of April: 33.3 %).
- The gap = 支出率 − 序时进度, in percentage points: "超序时进度 8.7 个百分点" when ahead, "落后…" when behind.
- 产业 share = 衔接资金 (central and provincial) planned for 产业发展 projects ÷ all 衔接资金 planned; the rule is
  met at 60 % or more (原则上60%以上).
"""

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from villages.projects.models import LINKAGE_SOURCES, Category, ProjectFund, Source, Stage

ZERO = Decimal(0)
HUNDRED = Decimal(100)
INDUSTRY_RULE = Decimal("0.6")
ONE_DECIMAL = Decimal("0.1")


def spending_rate(spent, planned):
    """spent ÷ planned as a fraction, or None where nothing is planned."""
    if not planned:
        return None
    return Decimal(spent) / Decimal(planned)


def elapsed_share(year, on):
    """序时进度 of the programme year `year` on the date `on` (its end), as a fraction from 0 to 1."""
    if on.year < year:
        return ZERO
    if on.year > year:
        return Decimal(1)
    days = calendar.monthrange(on.year, on.month)[1]
    return (Decimal(on.month - 1) + Decimal(on.day) / Decimal(days)) / Decimal(12)


def month_end(month):
    """The last day of the month of the date `month`."""
    return date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])


def gap_points(rate, elapsed):
    """支出率 − 序时进度 in percentage points (None without a rate)."""
    if rate is None:
        return None
    return (rate - elapsed) * HUNDRED


def rounded(value, places=ONE_DECIMAL):
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


def percent(fraction):
    """ "42.0 %" of the fraction 0.42, "—" without one."""
    if fraction is None:
        return "—"
    return f"{rounded(fraction * HUNDRED)} %"


def gap_text(points):
    """The gap as a 通报 says it: "超序时进度 8.7 个百分点", "落后序时进度 12.3 个百分点", or level with it."""
    if points is None:
        return _("no funds planned")
    points = rounded(points)
    if points > 0:
        return _("%(points)s percentage points ahead of the elapsed share (超序时进度)") % {"points": points}
    if points < 0:
        return _("%(points)s percentage points behind the elapsed share (落后序时进度)") % {"points": -points}
    return _("level with the elapsed share (与序时进度持平)")


def industry_share(industry_linkage, all_linkage):
    """产业发展's share of 衔接资金, a fraction, or None without 衔接资金."""
    return spending_rate(industry_linkage, all_linkage)


def meets_industry_rule(share):
    return share is not None and share >= INDUSTRY_RULE


# --- Figures from the database: one aggregate query each, whatever the number of projects ------------------------

MONEY_SUM = {"output_field": DecimalField(max_digits=16, decimal_places=2)}


def summed(field, **filters):
    condition = Q(**filters) if filters else None
    return Coalesce(Sum(field, filter=condition), Value(ZERO), **MONEY_SUM)


def live_funds(projects):
    """The funds of the projects (a queryset) that count: those of projects not cancelled."""
    return ProjectFund.objects.filter(project__in=projects.live().values("pk"))


FIGURES = {
    "planned": lambda: summed("planned"),
    "allocated": lambda: summed("allocated"),
    "spent": lambda: summed("spent"),
    "linkage": lambda: summed("planned", source__in=LINKAGE_SOURCES),
    "industry_linkage": lambda: summed("planned", source__in=LINKAGE_SOURCES, project__category=Category.INDUSTRY),
}


def sums(names):
    """The aggregates of FIGURES, named apart from the fields they add up (Django would not tell them apart)."""
    return {f"total_{name}": FIGURES[name]() for name in names}


def named(row):
    return {key.removeprefix("total_"): value for key, value in row.items()}


def totals(projects):
    """{"planned", "allocated", "spent", "linkage", "industry_linkage"} of the projects, cancelled ones left out."""
    return named(live_funds(projects).aggregate(**sums(FIGURES)))


def by_source(projects):
    """[{"source", "planned", "allocated", "spent"}] in the order of the sources, those with nothing planned left
    out."""
    rows = live_funds(projects).values("source").annotate(**sums(["planned", "allocated", "spent"]))
    found = {row["source"]: named(row) for row in rows}
    return [found[source] for source in Source.values if source in found]


def by_county(projects):
    """{county code: totals} of the projects, as totals() gives them, one query for every county."""
    rows = live_funds(projects).values("project__county_id").annotate(**sums(FIGURES))
    return {row.pop("project__county_id"): named(row) for row in rows}


def stage_counts(projects):
    """{stage: number of projects} (every stage, zeros included)."""
    found = dict(projects.values("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    return {stage: found.get(stage, 0) for stage in Stage.values}
