"""seed_demo gives the designated villages illustrative projects (villages/projects/demo.py): one of 2025 for
each, at the stage of its village's works, with funds from several sources, 绩效目标 and monthly figures; marked
illustrative wherever they are shown; a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from villages.models import Status, Village
from villages.projects.models import FundReport, Level, Project, ProjectFund, Stage

pytestmark = pytest.mark.django_db


def seed():
    out = StringIO()
    with translation.override("en"):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_demo_fills_the_pool_and_marks_it_illustrative(registry, settings, client_for):
    settings.DEBUG = True
    output = seed()
    assert "illustrative projects" in output
    designated = Village.objects.designated().filter(programme_year=2025)
    projects = Project.objects.filter(year=2025)
    assert projects.count() == designated.count() == 340
    assert not Project.objects.filter(is_illustrative=False).exists()
    accepted = Village.objects.filter(status=Status.ACCEPTED).first()
    assert Project.objects.get(villages=accepted, year=2025).stage == Stage.ACCEPTED
    completed = Project.objects.filter(stage__in=[Stage.COMPLETED, Stage.ACCEPTED])
    assert completed.exists()
    for project in completed[:20]:
        assert all(i.has_actual for i in project.indicators.filter(level=Level.OUTPUT))
    funded = ProjectFund.objects.filter(project__stage=Stage.IN_PROGRESS)
    assert funded.filter(spent__gt=0).exists() and FundReport.objects.filter(fund__in=funded).exists()
    assert not ProjectFund.objects.filter(project__stage=Stage.RESERVE, allocated__gt=0).exists()
    assert (
        Project.objects.filter(year=2024).exists() and Project.objects.filter(year=2026, category="产业发展").exists()
    )

    # The history the page functions write, one record per step: made by the county, planned, moved by each role.
    project = Project.objects.filter(stage=Stage.ACCEPTED, year=2025).first()
    records = project.history.order_by("history_id")
    assert [(r.history_change_reason, r.stage, r.history_user.username) for r in records] == [
        ("created", "reserve", project.created_by.username),
        ("funds planned", "reserve", project.created_by.username),
        ("indicators", "reserve", project.created_by.username),
        ("reserve → approved", "approved", "admin"),
        ("approved → in_progress", "in_progress", project.created_by.username),
        ("in_progress → completed", "completed", project.created_by.username),
        ("completed → accepted", "accepted", "admin"),
    ]
    assert project.version == 7 and project.updated_by.username == "admin"
    assert all(list(r.villages.values_list("village_id", flat=True)) == [project.villages.get().pk] for r in records)
    fund = project.funds.get(source="中央衔接资金")
    assert [r.history_change_reason for r in fund.history.order_by("history_id")] == ["planned", "figures"]
    assert list(fund.reports.values_list("month__month", flat=True)) == [4, 7, 10] and fund.version == 2
    assert (fund.allocated, fund.spent) == fund.reports.values_list("allocated", "spent").last()

    admin = Project.objects.first().created_by  # a county editor of the demo
    client = client_for(admin)
    project = Project.objects.filter(stage=Stage.IN_PROGRESS).first()
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'id="illustrative-note"' in page and '<span class="badge illustrative"' in page
    assert '<span class="badge illustrative"' in client.get("/projects/").content.decode()
    dashboard = client.get("/", {"year": 2025}).content.decode()
    assert (
        'id="project-money"' in dashboard and "illustrative" in dashboard[dashboard.index('id="project-money"') :][:400]
    )

    counts = (Project.objects.count(), FundReport.objects.count(), Project.history.count())
    assert "nothing changed" in seed()
    assert (Project.objects.count(), FundReport.objects.count(), Project.history.count()) == counts
