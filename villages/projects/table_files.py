"""The project list as a villages.tabular Table: every project the list shows with its filters (not only one page),
with its money as of the latest month reported. The 项目库 workbook (imports/export.py) is the import's shape; this is
the flat table of the list, for spreadsheets."""

from decimal import Decimal

from django.utils.translation import gettext as _

from villages.projects import money
from villages.projects.models import ProjectFund, Source
from villages.tabular import Column, Table


def project_columns():
    return [
        Column("id", _("Number")),
        Column("name", _("project name")),
        Column("category", _("Category")),
        Column("year", _("Programme year")),
        Column("stage", _("Stage")),
        Column("county", _("County")),
        Column("township", _("Township")),
        Column("village_codes", _("Village codes")),
        Column("villages", _("Villages")),
        Column("planned", _("Planned (万元)")),
        *[Column(f"planned_{source.name.lower()}", source.label) for source in Source],
        Column("allocated", _("Allocated to date (万元)")),
        Column("spent", _("Spent to date (万元)")),
        Column("rate", _("支出率"), percent=True),
        Column("reported_month", _("Month of the latest figures")),
        Column("is_illustrative", _("Project is demo data (示意)")),
    ]


def project_table(projects):
    """The projects (a queryset) as one Table, in three queries whatever their number."""
    funds = {}
    for fund in ProjectFund.objects.filter(project__in=projects.values("pk")).values(
        "project_id", "source", "planned", "allocated", "spent", "reported_month"
    ):
        funds.setdefault(fund["project_id"], []).append(fund)
    rows = []
    for project in projects.select_related("county", "township").prefetch_related("villages"):
        own = funds.get(project.pk, [])
        planned = sum((fund["planned"] for fund in own), Decimal(0))
        spent = sum((fund["spent"] for fund in own), Decimal(0))
        months = [fund["reported_month"] for fund in own if fund["reported_month"]]
        by_source = {fund["source"]: fund["planned"] for fund in own}
        villages = sorted(project.villages.all(), key=lambda village: village.code)
        rows.append(
            [
                project.pk,
                project.name,
                project.category,
                project.year,
                project.get_stage_display(),
                project.county.name,
                project.township.name,
                ",".join(village.code for village in villages),
                ",".join(village.short_name for village in villages),
                planned,
                *[by_source.get(source.value, Decimal(0)) for source in Source],
                sum((fund["allocated"] for fund in own), Decimal(0)),
                spent,
                money.spending_rate(spent, planned),
                max(months).strftime("%Y-%m") if months else "",
                project.is_illustrative,
            ]
        )
    return Table("projects", _("Projects"), project_columns(), rows)
