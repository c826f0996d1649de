"""The project pages through the Django test client: the list of the user's scope with its filters, a project's
page, creating and editing, stage moves (buttons only for the moves allowed), funds planned, monthly figures (the
second of two entries from one version refused with the saved figures), indicators; the village page's section."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.project_helpers import make_project, move_to
from villages.models import Village
from villages.projects import workflow
from villages.projects.models import FundReport, Level, PerformanceIndicator, Project, Source, Stage

D = Decimal


def test_the_list_shows_the_users_scope_and_filters(client_for, yuci_project, taigu_village, taigu_editor, viewer):
    taigu = make_project(
        taigu_village, taigu_editor, name="太谷特色种植", category="产业发展", funds={Source.CENTRAL: 80}
    )
    listed = client_for(viewer).get("/projects/")
    assert {project.pk for project in listed.context["page"]} == {yuci_project.pk, taigu.pk}
    filtered = client_for(viewer).get("/projects/", {"category": "产业发展", "county": taigu_village.county_id})
    assert [project.pk for project in filtered.context["page"]] == [taigu.pk]
    assert "80.00" in filtered.content.decode()
    bad = client_for(viewer).get("/projects/", {"stage": "nonsense"})
    assert list(bad.context["page"]) == [] and "errorlist" in bad.content.decode()


def test_an_editor_lists_their_own_and_paired_counties_only(client_for, yuci_project, registry):
    from counties.models import Profile
    from tests.conftest import make_user

    zuoquan_editor = make_user("zuoquan-editor", Profile.Role.COUNTY_EDITOR, ["140722"])
    assert list(client_for(zuoquan_editor).get("/projects/").context["page"]) == []
    assert client_for(zuoquan_editor).get(f"/projects/{yuci_project.pk}/").status_code == 404


def test_the_project_page_shows_funds_rates_figures_indicators_and_history(
    client_for, yuci_project, yuci_editor, city_admin
):
    project = yuci_project
    move_to(project, Stage.IN_PROGRESS, yuci_editor, city_admin)
    fund = project.funds.get(source=Source.CENTRAL)
    workflow.record_figures(fund, fund.version, yuci_editor, date(2025, 4, 1), D(60), D(45))
    page = client_for(yuci_editor).get(f"/projects/{project.pk}/")
    html = page.content.decode()
    # 45 spent of 150 planned: 30.0 %
    assert "30.0 %" in html and "45.00" in html and "2025-04" in html
    assert [stage for stage, _label in page.context["moves"]] == [Stage.COMPLETED]
    assert 'data-stage="completed"' in html and 'data-stage="approved"' not in html
    assert "approved → in_progress" in html


def test_the_project_page_takes_as_many_queries_with_many_months(client_for, yuci_project, yuci_editor, city_admin):
    project = yuci_project
    move_to(project, Stage.IN_PROGRESS, yuci_editor, city_admin)
    client = client_for(yuci_editor)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/projects/{project.pk}/").status_code == 200
        return len(captured)

    client.get(f"/projects/{project.pk}/")  # the session is renewed on the first request
    few = queries()
    for month in range(1, 10):
        for fund in project.funds.all():
            workflow.record_figures(fund, fund.version, yuci_editor, date(2025, month, 1), D(month), D(month))
    assert queries() == few


def test_creating_a_project_from_the_village_page(client_for, yuci_village, yuci_editor):
    client = client_for(yuci_editor)
    assert 'id="new-project"' in client.get(f"/villages/{yuci_village.code}/").content.decode()
    response = client.post(
        f"/projects/new/{yuci_village.code}/",
        {
            "name": "光伏发电",
            "category": "产业发展",
            "year": 2025,
            "villages": [yuci_village.pk],
            "start_month": "2025-03",
            "end_month": "2025-10",
        },
    )
    project = Project.objects.get(name="光伏发电")
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert (project.start_month, project.end_month, project.stage) == (date(2025, 3, 1), date(2025, 10, 1), "reserve")
    assert "光伏发电" in client.get(f"/villages/{yuci_village.code}/").content.decode()


def test_a_bad_month_is_named_and_nothing_is_created(client_for, yuci_village, yuci_editor):
    response = client_for(yuci_editor).post(
        f"/projects/new/{yuci_village.code}/",
        {"name": "x", "category": "其他", "year": 2025, "villages": [yuci_village.pk], "start_month": "2025-13"},
    )
    assert response.status_code == 200 and "YYYY-MM" in response.content.decode()
    assert not Project.objects.exists()


def test_editing_after_someone_else_saved_is_refused(client_for, yuci_project, yuci_editor, city_admin):
    version = yuci_project.version
    data = {
        "name": "改名一",
        "category": "基础设施",
        "year": 2025,
        "villages": [v.pk for v in yuci_project.villages.all()],
    }
    assert (
        client_for(city_admin).post(f"/projects/{yuci_project.pk}/edit/", {**data, "version": version}).status_code
        == 302
    )
    second = client_for(yuci_editor).post(
        f"/projects/{yuci_project.pk}/edit/", {**data, "name": "改名二", "version": version}
    )
    assert second.status_code == 409
    assert Project.objects.get(pk=yuci_project.pk).name == "改名一"


def test_moves_through_the_page(client_for, yuci_project, yuci_editor, city_admin):
    url = f"/projects/{yuci_project.pk}/move/"
    assert client_for(yuci_editor).post(url, {"version": yuci_project.version, "stage": "approved"}).status_code == 403
    assert client_for(city_admin).post(url, {"version": yuci_project.version, "stage": "approved"}).status_code == 302
    assert Project.objects.get(pk=yuci_project.pk).stage == Stage.APPROVED
    stale = client_for(yuci_editor).post(url, {"version": yuci_project.version, "stage": "in_progress"}, follow=True)
    assert Project.objects.get(pk=yuci_project.pk).stage == Stage.APPROVED
    assert "changed since" in stale.content.decode() or "已被修改" in stale.content.decode()


def test_funds_planned_through_the_page(client_for, yuci_project, yuci_editor):
    response = client_for(yuci_editor).post(
        f"/projects/{yuci_project.pk}/funds/",
        {"version": yuci_project.version, "source_0": "120", "source_1": "", "source_5": "12.5"},
    )
    assert response.status_code == 302
    assert dict(yuci_project.funds.values_list("source", "planned")) == {
        Source.CENTRAL: D("120.00"),
        Source.SELF_RAISED: D("12.50"),
    }


def test_two_people_entering_one_month_at_once(client_for, yuci_project, yuci_editor, city_admin):
    move_to(yuci_project, Stage.IN_PROGRESS, yuci_editor, city_admin)
    fund = yuci_project.funds.get(source=Source.CENTRAL)
    url = f"/projects/{yuci_project.pk}/funds/{fund.pk}/figures/"
    first, second = client_for(yuci_editor), client_for(city_admin)
    version = first.get(url).context["form"]["version"].value()
    assert second.get(url).context["form"]["version"].value() == version
    assert (
        first.post(url, {"version": version, "month": "2025-05", "allocated": "50", "spent": "20"}).status_code == 302
    )
    refused = second.post(url, {"version": version, "month": "2025-05", "allocated": "55", "spent": "25"})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "50.00" in html and "20.00" in html and "yuci-editor" in html and "55.00" in html
    assert list(FundReport.objects.values_list("allocated", "spent")) == [(D("50.00"), D("20.00"))]


def test_figures_beyond_the_plan_are_refused_on_the_page(client_for, yuci_project, yuci_editor, city_admin):
    move_to(yuci_project, Stage.IN_PROGRESS, yuci_editor, city_admin)
    fund = yuci_project.funds.get(source=Source.PROVINCIAL)  # 50 planned
    response = client_for(yuci_editor).post(
        f"/projects/{yuci_project.pk}/funds/{fund.pk}/figures/",
        {"version": fund.version, "month": "2025-05", "allocated": "50.01", "spent": "0"},
        follow=True,
    )
    assert "50.01" in response.content.decode()
    assert not FundReport.objects.exists()


def test_indicators_targets_then_actual_values(client_for, yuci_project, yuci_editor, city_admin):
    client = client_for(yuci_editor)
    url = f"/projects/{yuci_project.pk}/indicators/"
    management = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    response = client.post(
        url,
        {
            **management,
            "version": yuci_project.version,
            "form-0-level": "output",
            "form-0-kind": "quantity",
            "form-0-name": "硬化道路",
            "form-0-target_value": "3.2",
            "form-0-unit": "公里",
            "form-1-level": "satisfaction",
            "form-1-name": "群众满意度",
            "form-1-target_text": "≥90%",
        },
    )
    assert response.status_code == 302
    assert list(PerformanceIndicator.objects.values_list("level", "name", "target_value")) == [
        (Level.OUTPUT, "硬化道路", D("3.20")),
        (Level.SATISFACTION, "群众满意度", None),
    ]
    move_to(Project.objects.get(pk=yuci_project.pk), Stage.IN_PROGRESS, yuci_editor, city_admin)
    project = Project.objects.get(pk=yuci_project.pk)
    road = PerformanceIndicator.objects.get(name="硬化道路")
    satisfaction = PerformanceIndicator.objects.get(name="群众满意度")
    management.update({"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2"})
    saved = client.post(
        url,
        {
            **management,
            "version": project.version,
            "form-0-id": road.pk,
            "form-0-actual_value": "3.4",
            "form-0-name": "editor may not rename now",
            "form-1-id": satisfaction.pk,
        },
    )
    assert saved.status_code == 302, saved.content.decode()
    road.refresh_from_db()
    assert (road.name, road.actual_value) == ("硬化道路", D("3.40"))  # the target fields are disabled once in the pool


def test_the_village_page_lists_its_projects_for_a_viewer_without_a_new_button(client_for, yuci_project, viewer):
    village = Village.objects.get(pk=yuci_project.villages.get().pk)
    html = client_for(viewer).get(f"/villages/{village.code}/").content.decode()
    assert yuci_project.name in html and 'id="new-project"' not in html
