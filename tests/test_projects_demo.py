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
