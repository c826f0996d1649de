"""What the project pages show, read from the database in a constant number of queries: the list's page with its
money figures, a project with its funds, monthly figures, indicators and history."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Prefetch
from django.utils import timezone

from villages.models import Village
from villages.projects import money
from villages.projects.models import FundReport, Project, ProjectFund, Source

HISTORY_LINES = 30


def page_figures(projects):
    """{project id: {"planned", "spent", "rate"}} of the list's page, in one query."""
    figures = {
        row["project_id"]: row
        for row in ProjectFund.objects.filter(project__in=projects)
        .values("project_id")
        .annotate(**money.sums(["planned", "allocated", "spent"]))
    }
    result = {}
    for project in projects:
        row = money.named(figures.get(project.pk, {}))
        planned, spent = row.get("planned", Decimal(0)), row.get("spent", Decimal(0))
        result[project.pk] = {"planned": planned, "spent": spent, "rate": money.spending_rate(spent, planned)}
    return result


def with_villages(projects):
    return projects.select_related("county", "township").prefetch_related(
        Prefetch("villages", queryset=Village.all_objects.only("pk", "code", "short_name", "township_id"))
    )


def stage_counts(projects):
    return dict(projects.order_by().values_list("stage").annotate(n=Count("pk")))


def fund_rows(project, on=None):
    """Each fund with its 支出率; the totals and the project's 序时进度 gap as of `on` (today)."""
    on = on or timezone.localdate()
    funds = list(project.funds.select_related("pairing__county_a", "pairing__county_b"))
    order = {source: index for index, source in enumerate(Source.values)}
    funds.sort(key=lambda fund: order[fund.source])
    for fund in funds:
        fund.rate = money.spending_rate(fund.spent, fund.planned)
    planned = sum((fund.planned for fund in funds), Decimal(0))
    allocated = sum((fund.allocated for fund in funds), Decimal(0))
    spent = sum((fund.spent for fund in funds), Decimal(0))
    rate = money.spending_rate(spent, planned)
    elapsed = money.elapsed_share(project.year, on)
    gap = money.gap_points(rate, elapsed)
    return funds, {
        "planned": planned,
        "allocated": allocated,
        "spent": spent,
        "rate": rate,
        "elapsed": elapsed,
        "gap": gap,
        "gap_text": money.gap_text(gap),
        "behind": gap is not None and gap < 0,
    }


def monthly_table(funds):
    """[(month, [(allocated, spent) or None per fund])] of every month any fund has figures for, newest first."""
    by_month = defaultdict(dict)
    for report in FundReport.objects.filter(fund__in=funds).select_related("recorded_by"):
        by_month[report.month][report.fund_id] = report
    return [(month, [by_month[month].get(fund.pk) for fund in funds]) for month in sorted(by_month, reverse=True)]


def history(project):
    """The newest lines of the project's history: when, who, what (the workflow's reason)."""
    return list(project.history.select_related("history_user").order_by("-history_date", "-history_id")[:HISTORY_LINES])


def village_projects(village):
    """The projects naming the village, with their money, for the village page (two queries)."""
    projects = list(Project.objects.of_village(village).select_related("township").order_by("-year", "name"))
    figures = page_figures(projects)
    for project in projects:
        project.figures = figures[project.pk]
    return projects
