"""ProjectTotal, the projects and funds of each county's programme year added up by stage, category and source:
recomputed from the projects and funds by the workflow at the end of every change, in the same transaction, so
that the overviews read it instead of every fund (issue 22).

Recomputing (not adding differences) keeps it exact whatever changed. The county's row is locked first, so that
of two changes of one county at once the second recomputes after the first committed and sees both.
"""

from django.db import connection, transaction
from django.db.models import Count, F, Q

from counties.models import County
from villages.projects import money
from villages.projects.models import Project, ProjectFund, ProjectTotal


def refresh(counties, years, models=(County, Project, ProjectFund, ProjectTotal)):
    """Recompute the totals of the programme years `years` of the counties `counties` (codes)."""
    county_model, project_model, fund_model, total_model = models
    counties, years = sorted(set(counties)), sorted(set(years))
    if not counties or not years:
        return
    lock(counties, county_model)
    total_model.objects.filter(county_id__in=counties, year__in=years).delete()
    projects = project_model.objects.filter(county_id__in=counties, year__in=years).order_by()
    rows = [
        total_model(**row, source="")
        for row in projects.values("county_id", "year", "stage", "category").annotate(
            projects=Count("pk"), illustrative=Count("pk", filter=Q(is_illustrative=True))
        )
    ]
    funds = fund_model.objects.filter(project__county_id__in=counties, project__year__in=years).order_by()
    keys = ["project__county_id", "project__year", "project__stage", "project__category", "source"]
    for row in funds.values(*keys).annotate(**money.sums(["planned", "allocated", "spent"])):
        rows.append(total_model(**{key.removeprefix("project__"): value for key, value in money.named(row).items()}))
    total_model.objects.bulk_create(rows, batch_size=2000)


def lock(counties, county_model=County):
    """The counties' rows locked, in code order. Every write of a county's projects, funds and figures (the pages'
    and the import's) takes its county's lock first, before any project's: two writes of one county wait for each
    other instead of deadlocking, and their totals are recomputed one after the other. SQLite has no row locks: a
    write takes the database's write lock (waiting up to SQLITE_TIMEOUT for another writer), where a read first
    would fail at once with "database is locked" when the transaction writes."""
    rows = county_model.objects.filter(code__in=counties)
    if connection.features.has_select_for_update:
        list(rows.select_for_update().order_by("code").values_list("code"))
    else:
        rows.update(name=F("name"))


def refresh_project(project, *years):
    """After a change of the project (and of its programme year from `years`). Its year is read again once the
    county is locked: `project` may have been read before another change of its year committed."""
    lock([project.county_id])
    saved = Project.objects.filter(pk=project.pk).values_list("year", flat=True)
    refresh([project.county_id], [project.year, *saved, *years])


def rebuild(models=(County, Project, ProjectFund, ProjectTotal)):
    """Every county's every year, from scratch (a migration, data written around the workflow)."""
    county_model, project_model, _fund, total_model = models
    with transaction.atomic():
        lock(county_model.objects.values_list("code", flat=True), county_model)
        total_model.objects.all().delete()
        years = project_model.objects.values_list("year", flat=True).distinct().order_by()
        refresh(county_model.objects.values_list("code", flat=True), years, models)
