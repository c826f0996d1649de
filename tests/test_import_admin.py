"""The admin import: upload, preview (dry run, field by field, every problem), confirm — through the test client."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import JINZHONG, TAIGU
from tests.import_helpers import csv_file, xlsx_file
from villages.imports import pending
from villages.models import Status, Tier, Village

IMPORT_URL = "/admin/villages/village/import/"
CONFIRM_URL = "/admin/villages/village/import/confirm/"


@pytest.fixture
def preview_dir(settings, tmp_path):
    settings.IMPORT_PREVIEW_DIR = tmp_path / "previews"
    return settings.IMPORT_PREVIEW_DIR


@pytest.fixture
def admin_client(city_admin, client_for, preview_dir):
    client = client_for(city_admin)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def villages(registry):
    return list(Village.objects.filter(county_id=TAIGU).order_by("code")[:4])


def upload(client, content, name, crs="wgs84", encoding=""):
    return client.post(IMPORT_URL, {"crs": crs, "encoding": encoding, "file": SimpleUploadedFile(name, content)})


def confirm(client, response):
    return client.post(CONFIRM_URL, {"token": response.context["confirm_form"]["token"].value()}, follow=True)


def test_import_page_offers_a_file_the_coordinate_system_the_encoding_and_the_template(admin_client, villages):
    response = admin_client.get(IMPORT_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/villages/import-template.xlsx" in html
    assert 'name="file"' in html and 'name="crs"' in html and 'name="encoding"' in html


def test_preview_shows_changed_and_unchanged_rows_field_by_field_then_confirm_writes(
    admin_client, city_admin, villages
):
    rows = [["村代码", "类型", "年度", "状态"]] + [[v.code, "精品示范村", "2025", "已规划"] for v in villages[:2]]
    rows += [[v.code, "", "", "未启动"] for v in villages[2:]]
    response = upload(admin_client, csv_file(rows, encoding="gbk"), "太谷.csv")
    assert response.status_code == 200
    assert [row.changed for row in response.context["rows"]] == [True, True, False, False]
    html = response.content.decode()
    assert "changed 2 · unchanged 2" in html
    assert "<del>not started</del> <ins>planned</ins>" in html
    assert "<ins>showcase village (精品示范村)</ins>" in html
    assert not Village.objects.designated().exists()  # the preview is a dry run

    response = confirm(admin_client, response)
    assert response.status_code == 200
    assert "2 villages changed, 2 unchanged" in response.content.decode()
    for village in villages[:2]:
        village.refresh_from_db()
        assert (village.tier, village.status) == (Tier.SHOWCASE, Status.PLANNED)
        record = village.history.first()
        assert record.history_user == city_admin and record.history_change_reason == "import 太谷.csv"


def test_preview_lists_every_problem_with_row_and_column_and_offers_only_to_skip_those_rows(
    admin_client, villages, preview_dir
):
    rows = [
        ["说明：太谷区名单"],
        ["村代码", "状态", "进度"],
        [villages[0].code, "已规划", "10"],
        [villages[1].code, "差不多", "200"],
        ["12345", "已规划", "5"],
    ]
    response = upload(admin_client, xlsx_file(rows), "list.xlsx")
    assert response.status_code == 200
    assert not response.context[
        "result"
    ].ok  # all or nothing by default; importing the rest is offered (test_import_skip)
    problems = {(problem.line, problem.column) for problem in response.context["result"].problems}
    assert problems == {(4, "状态"), (4, "进度"), (5, "村代码")}
    html = response.content.decode()
    assert "差不多 is not a status" in html and "200 is not a progress" in html
    assert not Village.objects.exclude(status=Status.NOT_STARTED).exists()


def test_unreadable_file_is_explained(admin_client, registry):
    response = upload(admin_client, csv_file([["甲", "乙"], ["1", "2"]]), "x.csv")
    assert "No header row found" in response.content.decode()
    assert "confirm_form" not in response.context


def test_a_file_that_changes_nothing_says_so_and_offers_no_confirmation(admin_client, villages):
    response = upload(admin_client, csv_file([["村代码", "状态"], [villages[0].code, "未启动"]]), "same.csv")
    assert "there is nothing to import" in response.content.decode()
    assert "confirm_form" not in response.context


def test_confirm_rechecks_the_file_and_writes_nothing_if_the_villages_changed_meanwhile(admin_client, villages):
    response = upload(admin_client, csv_file([["村代码", "状态"], [villages[0].code, "建设中"]]), "list.csv")
    Village.objects.filter(pk=villages[0].pk).update(status=Status.ACCEPTED, tier=Tier.UPGRADED, programme_year=2025)
    response = confirm(admin_client, response)
    assert "Nothing was imported" in response.content.decode()
    villages[0].refresh_from_db()
    assert villages[0].status == Status.ACCEPTED


def test_the_upload_waits_under_a_name_the_app_chose_readable_by_the_app_only(admin_client, villages, preview_dir):
    response = upload(admin_client, csv_file([["村代码", "状态"], [villages[0].code, "已规划"]]), "../../名单.csv")
    token = response.context["confirm_form"]["token"].value()
    assert sorted(path.name for path in preview_dir.iterdir()) == [f"{token}.json", f"{token}.upload"]
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in preview_dir.iterdir())
    confirm(admin_client, response)
    assert not any(preview_dir.iterdir())  # removed once imported


@pytest.mark.parametrize("token", ["../../victim", "../victim.csv", "/etc/passwd", "0" * 31, "G" * 32, ""])
def test_a_posted_name_is_never_used_as_a_path(admin_client, villages, preview_dir, tmp_path, token):
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    (tmp_path / "victim.csv").write_text("keep me")
    response = admin_client.post(CONFIRM_URL, {"token": token}, follow=True)
    assert "This preview has expired or does not exist" in response.content.decode()
    assert victim.read_text() == "keep me" and (tmp_path / "victim.csv").read_text() == "keep me"


def test_another_administrators_preview_cannot_be_confirmed(admin_client, client_for, villages):
    from counties.models import Profile
    from tests.conftest import make_user

    response = upload(admin_client, csv_file([["村代码", "状态"], [villages[0].code, "已规划"]]), "list.csv")
    other = client_for(make_user("other-admin", Profile.Role.CITY_ADMIN, city=JINZHONG))
    other.cookies["django_language"] = "en"
    answer = other.post(CONFIRM_URL, {"token": response.context["confirm_form"]["token"].value()}, follow=True)
    assert "This preview has expired or does not exist" in answer.content.decode()
    villages[0].refresh_from_db()
    assert villages[0].status == Status.NOT_STARTED


def test_previews_older_than_a_day_are_removed_when_a_new_one_is_stored(admin_client, villages, preview_dir):
    preview_dir.mkdir(parents=True, exist_ok=True)
    stale = preview_dir / ("a" * 32 + ".upload")
    stale.write_bytes(b"old")
    day_and_a_minute_ago = time.time() - 24 * 3600 - 60
    os.utime(stale, (day_and_a_minute_ago, day_and_a_minute_ago))
    fresh = preview_dir / ("b" * 32 + ".upload")
    fresh.write_bytes(b"recent")
    upload(admin_client, csv_file([["村代码", "状态"], [villages[0].code, "已规划"]]), "list.csv")
    assert not stale.exists() and fresh.exists()


def test_pending_tokens_are_checked_for_their_shape(city_admin, preview_dir):
    assert pending.load("../" + "a" * 29, city_admin) is None
    token = pending.store(b"data", "x.csv", city_admin, {})
    assert pending.load(token, city_admin).content == b"data"


def test_village_changelist_links_to_import_and_export(admin_client, registry):
    html = admin_client.get("/admin/villages/village/").content.decode()
    assert IMPORT_URL in html and "/admin/villages/village/export/" in html


def test_the_preview_speaks_chinese_unchanged_rows_say_so_and_location_sources_are_words(
    client_for, city_admin, villages, preview_dir
):
    client = client_for(city_admin)  # in Chinese, the default
    first, second = villages[:2]
    rows = [["村代码", "村庄类别", "年度", "经度", "纬度"], [first.code, "精品示范村", "2025", "112.72", "37.44"]]
    rows += [[second.code, "", "", "", ""]]
    html = upload(client, csv_file(rows), "太谷.csv").content.decode()
    assert "预览" in html and "太谷.csv：变更 1 · 未变 1（导入不会新建村庄）" in html
    assert "<td>变更</td>" in html and "<td>未变</td>" in html
    assert "<ins>导入</ins>" in html  # 位置来源, as a word, not the stored value "imported"
    assert "确认导入" in html and "以上是导入将作出的更改" in html
    html = upload(client, csv_file([["村代码", "状态"], [first.code, "未启动"]]), "same.csv").content.decode()
    assert "没有需要导入的内容" in html and "确认导入" not in html


def test_files_with_the_old_tier_header_still_import(admin_client, villages):
    for header in ("类型", "类别", "村庄类别"):
        response = upload(
            admin_client, csv_file([["村代码", header, "年度"], [villages[0].code, "提档升级村", "2025"]]), "old.csv"
        )
        assert response.context["result"].ok and response.context["result"].changed == 1
