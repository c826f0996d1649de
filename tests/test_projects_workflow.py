"""A project's lifecycle through villages/projects/workflow.py: who may make which move, in which order, refused
with a message and nothing written; the version check; the history of every change."""

from datetime import date
from decimal import Decimal

import pytest

from tests.constants import TAIGU
from tests.project_helpers import make_project, move_to
from villages.models import Village
from villages.projects import workflow
from villages.projects.models import Kind, Level, PerformanceIndicator, Project, Source, Stage
from villages.projects.workflow import EditConflict, Refused

D = Decimal


def test_a_new_project_is_in_reserve_with_its_village_and_a_history_line(yuci_project, yuci_village, yuci_editor):
    project = Project.objects.get(pk=yuci_project.pk)
    assert (project.stage, project.county_id, project.township_id) == (
        Stage.RESERVE,
        yuci_village.county_id,
        yuci_village.township_id,
    )
    assert list(project.villages.all()) == [yuci_village]
    assert dict(project.funds.values_list("source", "planned")) == {
        Source.CENTRAL: D("100.00"),
        Source.PROVINCIAL: D("50.00"),
    }
    first = project.history.earliest()
    assert (first.history_type, first.history_user, first.history_change_reason) == ("+", yuci_editor, "created")


def test_a_township_project_names_villages_of_its_township_only(yuci_village, yuci_editor):
    neighbours = list(Village.objects.filter(township=yuci_village.township).order_by("code")[:3])
    project = workflow.create_project(
        yuci_editor, yuci_village.township, neighbours, name="乡镇污水管网", category="人居环境", year=2025
    )
    assert set(project.villages.all()) == set(neighbours)
    elsewhere = Village.objects.filter(county_id=yuci_village.county_id).exclude(township=yuci_village.township).first()
    with pytest.raises(Refused, match=elsewhere.name):
        workflow.create_project(
            yuci_editor, yuci_village.township, [yuci_village, elsewhere], name="跨乡项目", category="其他", year=2025
        )
    with pytest.raises(Refused):
        workflow.create_project(yuci_editor, yuci_village.township, [], name="无村项目", category="其他", year=2025)
    assert Project.objects.count() == 1


def test_an_editor_creates_projects_of_their_own_county_only(taigu_village, yuci_editor, viewer):
    for user in (yuci_editor, viewer):
        with pytest.raises(Refused):
            make_project(taigu_village, user)
    assert not Project.objects.filter(county_id=TAIGU).exists()


def test_the_lifecycle_in_order_with_the_reviewer_deciding_the_pool_and_acceptance(
    yuci_project, yuci_editor, city_admin
):
    p = yuci_project
    assert workflow.allowed_moves(yuci_editor, p) == [Stage.CANCELLED]
    assert workflow.allowed_moves(city_admin, p) == [Stage.APPROVED, Stage.CANCELLED]
    with pytest.raises(Refused, match="城市管理员|city administrator|审定"):
        workflow.move(p, p.version, yuci_editor, Stage.APPROVED)
    with pytest.raises(Refused):
        workflow.move(p, p.version, city_admin, Stage.IN_PROGRESS)  # skips 入库
    workflow.move(p, p.version, city_admin, Stage.APPROVED)
    assert workflow.allowed_moves(yuci_editor, p) == [Stage.IN_PROGRESS]
    workflow.move(p, p.version, yuci_editor, Stage.IN_PROGRESS)
    workflow.move(p, p.version, yuci_editor, Stage.COMPLETED)
    with pytest.raises(Refused):
        workflow.move(p, p.version, yuci_editor, Stage.ACCEPTED)
    workflow.move(p, p.version, city_admin, Stage.ACCEPTED)
    assert workflow.allowed_moves(city_admin, p) == []
    saved = Project.objects.get(pk=p.pk)
    assert (saved.stage, saved.version) == (Stage.ACCEPTED, p.version)
    reasons = list(saved.history.order_by("history_date", "history_id").values_list("history_change_reason", flat=True))
    assert reasons[-4:] == [
        "reserve → approved",
        "approved → in_progress",
        "in_progress → completed",
        "completed → accepted",
    ]


def test_no_completion_while_an_output_indicator_has_no_actual_value(yuci_project, yuci_editor, city_admin):
    p = yuci_project
    workflow.save_indicators(
        p,
        p.version,
        yuci_editor,
        [
            (
                None,
                {
                    "level": Level.OUTPUT,
                    "kind": Kind.QUANTITY,
                    "name": "硬化道路长度",
                    "target_value": D("3.2"),
                    "unit": "公里",
                },
            ),
            (None, {"level": Level.SATISFACTION, "kind": "", "name": "群众满意度", "target_value": D(90), "unit": "%"}),
        ],
    )
    move_to(p, Stage.IN_PROGRESS, yuci_editor, city_admin)
    with pytest.raises(Refused, match="硬化道路长度"):
        workflow.move(p, p.version, yuci_editor, Stage.COMPLETED)
    assert Project.objects.get(pk=p.pk).stage == Stage.IN_PROGRESS
    length = PerformanceIndicator.objects.get(name="硬化道路长度")
    workflow.save_indicators(p, p.version, yuci_editor, [(length.pk, {"actual_value": D("3.4")})])
    workflow.move(p, p.version, yuci_editor, Stage.COMPLETED)  # the satisfaction indicator does not hold it up
    assert Project.objects.get(pk=p.pk).stage == Stage.COMPLETED


def test_cancelling_needs_a_reason_and_no_money_spent(yuci_project, yuci_editor, city_admin):
    p = yuci_project
    with pytest.raises(Refused):
        workflow.move(p, p.version, yuci_editor, Stage.CANCELLED, reason="  ")
    move_to(p, Stage.IN_PROGRESS, yuci_editor, city_admin)
    fund = p.funds.get(source=Source.CENTRAL)
    workflow.record_figures(fund, fund.version, yuci_editor, date(2025, 5, 1), D(40), D(10))
    with pytest.raises(Refused):
        workflow.move(p, p.version, yuci_editor, Stage.CANCELLED, reason="选址调整")  # the reviewer's once in the pool
    with pytest.raises(Refused, match="spent|支出"):
        workflow.move(p, p.version, city_admin, Stage.CANCELLED, reason="选址调整")
    fund.refresh_from_db()
    workflow.record_figures(fund, fund.version, yuci_editor, date(2025, 6, 1), D(0), D(0), reason="资金收回")
    workflow.move(p, p.version, city_admin, Stage.CANCELLED, reason="选址调整")
    saved = Project.objects.get(pk=p.pk)
    assert (saved.stage, saved.cancel_reason) == (Stage.CANCELLED, "选址调整")


def test_of_two_people_moving_the_same_version_the_second_is_refused(yuci_project, city_admin, province_admin):
    first = Project.objects.get(pk=yuci_project.pk)
    second = Project.objects.get(pk=yuci_project.pk)
    workflow.move(first, first.version, city_admin, Stage.APPROVED)
    with pytest.raises(EditConflict) as refused:
        workflow.move(second, second.version, province_admin, Stage.APPROVED)
    assert refused.value.current["stage"] == Stage.APPROVED
    assert Project.objects.get(pk=yuci_project.pk).version == first.version


def test_the_plan_is_the_countys_in_reserve_and_the_reviewers_once_in_the_pool(
    yuci_project, yuci_editor, city_admin, taigu_editor
):
    p = yuci_project
    workflow.edit_project(p, p.version, yuci_editor, {"name": "村道硬化及亮化"})
    with pytest.raises(Refused):
        workflow.edit_project(p, p.version, taigu_editor, {"name": "别的县改的"})
    workflow.move(p, p.version, city_admin, Stage.APPROVED)
    with pytest.raises(Refused):
        workflow.edit_project(p, p.version, yuci_editor, {"name": "入库后县里改名"})
    with pytest.raises(Refused):
        workflow.save_funds(p, p.version, yuci_editor, {Source.CENTRAL: (D(120), None)})
    workflow.save_funds(p, p.version, city_admin, {Source.CENTRAL: (D(120), None)})
    assert Project.objects.get(pk=p.pk).name == "村道硬化及亮化"
    assert p.funds.get(source=Source.CENTRAL).planned == D(120)


def test_pairing_funds_name_a_pairing_of_the_projects_county(yuci_project, yuci_editor):
    from counties.models import Pairing

    p = yuci_project
    with pytest.raises(Refused):
        workflow.save_funds(p, p.version, yuci_editor, {Source.PAIRING: (D(30), None)})
    other = Pairing.objects.create(kind=Pairing.Kind.HELP, county_a_id="140781", county_b_id=TAIGU, start_year=2024)
    with pytest.raises(Refused):
        workflow.save_funds(p, p.version, yuci_editor, {Source.PAIRING: (D(30), other)})
    pairing = Pairing.objects.create(
        kind=Pairing.Kind.HELP, county_a_id=p.county_id, county_b_id=TAIGU, start_year=2024
    )
    workflow.save_funds(p, p.version, yuci_editor, {Source.PAIRING: (D(30), pairing)})
    assert list(pairing.project_funds.values_list("project", "planned")) == [(p.pk, D("30.00"))]
