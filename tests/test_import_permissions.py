"""Who may import what: city administrators any county; others not at all through the admin or the command.

The import module itself applies counties.permissions row by row, so an editor's rows of another county,
tier changes by a non-admin and status steps outside the rules are row errors.
"""

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import TAIGU, YUCI
from tests.import_helpers import csv_file, messages, run_import
from villages.models import Status, Tier, Village


def first_village(county):
    return Village.objects.filter(county_id=county).order_by("code").first()


def test_city_admin_imports_villages_of_any_county(city_admin):
    villages = [first_village(YUCI), first_village(TAIGU), first_village("140781")]
    rows = [["村代码", "类型", "年度"]] + [[v.code, "提档升级村", "2025"] for v in villages]
    result = run_import(csv_file(rows), city_admin)
    assert messages(result) == [] and result.changed == 3


def test_county_editor_rows_of_another_county_are_errors_and_nothing_is_written(yuci_editor):
    own, other = first_village(YUCI), first_village(TAIGU)
    rows = [["村代码", "状态"], [own.code, "已规划"], [other.code, "已规划"]]
    result = run_import(csv_file(rows), yuci_editor)
    assert [(p.line, p.column) for p in result.problems] == [(3, None)]
    assert "太谷区" in messages(result)[0] and "send it to that county's editor" in messages(result)[0]
    own.refresh_from_db()
    assert own.status == Status.NOT_STARTED


def test_county_editor_may_not_set_tiers_by_import(yuci_editor):
    own = first_village(YUCI)
    result = run_import(csv_file([["村代码", "类型", "年度"], [own.code, "精品示范村", "2025"]]), yuci_editor)
    assert [(p.line, p.column) for p in result.problems] == [(2, "类型")]
    assert "a city administrator sets them" in messages(result)[0]


def test_viewer_may_change_nothing_by_import(viewer):
    result = run_import(csv_file([["村代码", "状态"], [first_village(YUCI).code, "已规划"]]), viewer)
    assert not result.ok and not result.written


def test_city_admin_may_move_a_status_forward_by_several_steps_and_accepting_sets_accepted_at(city_admin):
    village = first_village(YUCI)
    Village.objects.filter(pk=village.pk).update(return_reason="earlier return")
    result = run_import(
        csv_file([["村代码", "类型", "年度", "状态"], [village.code, "精品示范村", "2025", "验收通过"]]), city_admin
    )
    assert messages(result) == []
    village.refresh_from_db()
    assert village.status == Status.ACCEPTED and village.accepted_at is not None and village.return_reason == ""


def test_a_step_back_in_the_workflow_is_refused_by_import(city_admin):
    village = first_village(YUCI)
    Village.objects.filter(pk=village.pk).update(status=Status.COMPLETED, tier=Tier.UPGRADED, programme_year=2025)
    result = run_import(csv_file([["村代码", "状态"], [village.code, "建设中"]]), city_admin)
    assert [(p.line, p.column) for p in result.problems] == [(2, "状态")]
    village.refresh_from_db()
    assert village.status == Status.COMPLETED


@pytest.mark.parametrize("user_fixture", ["yuci_editor", "viewer"])
def test_only_city_administrators_may_run_the_import_command(request, tmp_path, user_fixture):
    user = request.getfixturevalue(user_fixture)
    path = tmp_path / "list.csv"
    path.write_bytes(csv_file([["村代码", "状态"], [first_village(YUCI).code, "已规划"]]))
    with pytest.raises(CommandError) as error:
        call_command("import_villages", str(path), "--user", user.username)
    assert user.username in str(error.value)
    assert not Village.objects.exclude(status=Status.NOT_STARTED).exists()


@pytest.mark.parametrize("user_fixture", ["yuci_editor", "taigu_editor", "viewer"])
def test_admin_import_page_is_closed_to_everyone_but_city_administrators(request, client_for, user_fixture):
    client = client_for(request.getfixturevalue(user_fixture))
    for url in ("/admin/villages/village/import/", "/admin/villages/village/export/"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.post("/admin/villages/village/import/confirm/", {})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("user_fixture,status", [("yuci_editor", 403), ("viewer", 403), ("city_admin", 200)])
def test_import_template_download_is_for_city_administrators(request, client_for, user_fixture, status):
    response = client_for(request.getfixturevalue(user_fixture)).get("/villages/import-template.xlsx")
    assert response.status_code == status


def test_import_template_asks_anonymous_users_to_log_in(client, registry):
    response = client.get("/villages/import-template.xlsx")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
