"""The admin import: upload, preview (dry run, field by field, every error), confirm — through the test client."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import TAIGU
from tests.import_helpers import csv_file, xlsx_file
from villages.models import Status, Tier, Village

IMPORT_URL = "/admin/villages/village/import/"
CONFIRM_URL = "/admin/villages/village/process_import/"


@pytest.fixture
def admin_client(city_admin, client_for):
    client = client_for(city_admin)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def villages(registry):
    return list(Village.objects.filter(county_id=TAIGU).order_by("code")[:4])


def upload(client, content, name, file_format, crs="wgs84", encoding=""):
    return client.post(IMPORT_URL, {"resource": "0", "format": file_format, "crs": crs, "encoding": encoding,
                                    "import_file": SimpleUploadedFile(name, content)})


def test_import_page_offers_xlsx_csv_coordinate_system_encoding_and_the_template(admin_client, villages):
    response = admin_client.get(IMPORT_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/villages/import-template.xlsx" in html
    assert 'name="crs"' in html and 'name="encoding"' in html and ">xlsx<" in html and ">csv<" in html


def test_preview_shows_changed_and_unchanged_rows_field_by_field_then_confirm_writes(admin_client, city_admin, villages):
    rows = [["村代码", "类型", "年度", "状态"]] + [[v.code, "精品示范村", "2025", "已规划"] for v in villages[:2]]
    rows += [[v.code, "", "", "未启动"] for v in villages[2:]]
    content = csv_file(rows, encoding="gbk")
    response = upload(admin_client, content, "太谷.csv", "1")
    assert response.status_code == 200
    result = response.context["result"]
    assert [row.import_type for row in result.valid_rows()] == ["update", "update", "skip", "skip"]
    html = response.content.decode()
    assert "changed: 2 · unchanged: 2" in html
    assert "<del>not started</del> <ins>planned</ins>" in html
    assert "<ins>showcase village (精品示范村)</ins>" in html
    assert not Village.objects.designated().exists()  # the preview is a dry run

    confirm = response.context["confirm_form"]
    data = {name: confirm.initial.get(name, "") for name in confirm.fields}
    response = admin_client.post(CONFIRM_URL, data, follow=True)
    assert response.status_code == 200
    assert "2 villages changed, 2 unchanged" in response.content.decode()
    for village in villages[:2]:
        village.refresh_from_db()
        assert (village.tier, village.status) == (Tier.SHOWCASE, Status.PLANNED)
        record = village.history.first()
        assert record.history_user == city_admin and record.history_change_reason == "import 太谷.csv"


def test_preview_lists_every_error_with_row_and_column_and_offers_no_confirmation(admin_client, villages):
    rows = [["说明：太谷区名单"], ["村代码", "状态", "进度"], [villages[0].code, "已规划", "10"],
            [villages[1].code, "差不多", "200"], ["12345", "已规划", "5"]]
    response = upload(admin_client, xlsx_file(rows), "list.xlsx", "0")
    assert response.status_code == 200
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    invalid = {row.number: row.error_dict for row in response.context["result"].invalid_rows}
    assert set(invalid) == {4, 5}
    assert set(invalid[4]) == {"状态", "进度"} and set(invalid[5]) == {"村代码"}
    html = response.content.decode()
    assert "差不多 is not a status" in html and "200 is not a progress" in html
    assert not Village.objects.exclude(status=Status.NOT_STARTED).exists()


def test_unreadable_file_is_explained(admin_client, registry):
    response = upload(admin_client, csv_file([["甲", "乙"], ["1", "2"]]), "x.csv", "1")
    assert "No header row found" in response.content.decode()
    assert not response.context.get("confirm_form")


def test_confirm_rechecks_the_file_and_writes_nothing_if_the_villages_changed_meanwhile(admin_client, villages):
    content = csv_file([["村代码", "状态"], [villages[0].code, "建设中"]])
    response = upload(admin_client, content, "list.csv", "1")
    confirm = response.context["confirm_form"]
    Village.objects.filter(pk=villages[0].pk).update(status=Status.ACCEPTED, tier=Tier.UPGRADED, programme_year=2025)
    response = admin_client.post(CONFIRM_URL, {name: confirm.initial.get(name, "") for name in confirm.fields}, follow=True)
    assert "Nothing was imported" in response.content.decode()
    villages[0].refresh_from_db()
    assert villages[0].status == Status.ACCEPTED


def test_village_changelist_links_to_import_and_export(admin_client, registry):
    html = admin_client.get("/admin/villages/village/").content.decode()
    assert IMPORT_URL in html and "/admin/villages/village/export/" in html
