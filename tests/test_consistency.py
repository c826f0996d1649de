"""Figures that do not fit together (villages/consistency.py): 已完工 below 100 %, progress going down, more villages
designated than the target, a county above its quota. Warned in the import preview (the import goes on, the warnings
listed with its result) and on the dashboard for the data already in, counted in a fixed number of queries."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.conftest import JINZHONG, TAIGU, YUCI
from tests.import_helpers import csv_file, run_import, xlsx_file
from villages import consistency
from villages.models import CountyQuota, ProgressUpdate, Status, Target, Tier, Village

IMPORT_URL = "/admin/villages/village/import/"
CONFIRM_URL = "/admin/villages/village/import/confirm/"


@pytest.fixture
def limits(registry):
    """晋中's 2025 target (the registry's, lowered): one 精品示范村; 榆次区's quota: one."""
    Target.objects.update_or_create(
        city_id=JINZHONG, year=2025, tier=Tier.SHOWCASE, kind=Target.Kind.ANNUAL, defaults={"count": 1}
    )
    CountyQuota.objects.update_or_create(year=2025, tier=Tier.SHOWCASE, county_id=YUCI, defaults={"count": 1})


@pytest.fixture
def yuci(registry):
    villages = list(Village.objects.filter(county_id=YUCI).order_by("code")[:3])
    Village.objects.filter(pk=villages[0].pk).update(
        tier=Tier.UPGRADED, programme_year=2025, status=Status.IN_PROGRESS, progress=50
    )
    return [Village.objects.get(pk=v.pk) for v in villages]


def rows_for(villages):
    first, second, third = villages
    return [
        ["村代码", "村庄类别", "年度", "状态", "进度"],
        [first.code, "", "", "已完工", "80"],  # completed at 80 %, and 50 → 80 is fine
        [second.code, "精品示范村", "2025", "", ""],
        [third.code, "精品示范村", "2025", "", ""],  # two showcase villages: above the target and the quota
    ]


def expected_import_warnings(villages):
    first = villages[0]
    return [
        f"{first.code} {first.name} is completed but its progress is 80%",
        "晋中市, 2025, showcase village (精品示范村): 2 villages designated, more than the target of 1",
        "榆次区, 2025, showcase village (精品示范村): 2 villages designated, more than its quota of 1",
    ]


def test_the_import_warns_and_goes_on(city_admin, yuci, limits):
    with translation.override("en"):
        result = run_import(csv_file(rows_for(yuci)), city_admin)
        assert [warning.text for warning in result.warnings] == expected_import_warnings(yuci)
    assert result.written and result.ok
    assert Village.objects.filter(county_id=YUCI, tier=Tier.SHOWCASE, programme_year=2025).count() == 2
    assert Village.objects.get(pk=yuci[0].pk).status == Status.COMPLETED


def test_progress_going_down_in_an_import_is_a_warning(city_admin, yuci):
    rows = [["村代码", "进度"], [yuci[0].code, "30"]]
    with translation.override("en"):
        result = run_import(xlsx_file(rows), city_admin, filename="x.xlsx")
        assert [warning.text for warning in result.warnings] == [
            f"{yuci[0].code} {yuci[0].name}: progress goes down from 50% to 30%"
        ]
    assert result.written and Village.objects.get(pk=yuci[0].pk).progress == 30


def test_a_designation_within_the_target_is_no_warning(city_admin, yuci, limits):
    rows = [["村代码", "村庄类别", "年度"], [yuci[1].code, "精品示范村", "2025"]]
    assert run_import(csv_file(rows), city_admin).warnings == []


def test_the_preview_and_the_result_list_the_warnings(client_for, city_admin, yuci, limits, settings, tmp_path):
    settings.IMPORT_PREVIEW_DIR = tmp_path
    client = client_for(city_admin)
    client.cookies["django_language"] = "en"
    content = csv_file(rows_for(yuci), encoding="gbk")
    response = client.post(IMPORT_URL, {"crs": "wgs84", "encoding": "", "file": SimpleUploadedFile("x.csv", content)})
    html = response.content.decode()
    assert 'id="import-warnings"' in html and html.index('id="import-warnings"') < html.index('id="import-preview"')
    for text in expected_import_warnings(yuci):
        assert text in html
    assert "Confirm import" in html  # a warning lets the import go on
    done = client.post(CONFIRM_URL, {"token": response.context["confirm_form"]["token"].value()}, follow=True)
    html = done.content.decode()
    for text in expected_import_warnings(yuci):
        assert text in html
    assert 'id="download-problem-list"' not in html  # nothing was skipped
    assert Village.objects.filter(county_id=YUCI, tier=Tier.SHOWCASE).count() == 2


def test_the_command_prints_the_warnings(city_admin, yuci, limits, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(csv_file(rows_for(yuci), encoding="gbk"))
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_villages", str(path), "--user", city_admin.username, stdout=out)
    for text in expected_import_warnings(yuci):
        assert f"Warning: {text}" in out.getvalue()


# --- the data already in, on the dashboard ------------------------------------------------------------------------


def data_in(city_admin):
    """榆次区: two villages completed below 100 %, one whose progress is below what its update reported, one lowered
    with a written correction (no warning); two showcase villages of 2025 against a quota of one; 太谷区: one."""
    yuci = list(Village.objects.filter(county_id=YUCI).order_by("code")[:5])
    taigu = Village.objects.filter(county_id=TAIGU).order_by("code").first()
    for village in yuci + [taigu]:
        village.tier, village.programme_year, village.status, village.progress = Tier.UPGRADED, 2025, "in_progress", 40
    yuci[0].status, yuci[0].progress = Status.COMPLETED, 90
    yuci[1].status, yuci[1].progress = Status.ACCEPTED, 99
    yuci[3].tier = yuci[4].tier = taigu.tier = Tier.SHOWCASE
    Village.objects.bulk_update(yuci + [taigu], ["tier", "programme_year", "status", "progress"])
    ProgressUpdate.objects.create(
        village=yuci[2], date=date(2025, 5, 1), text="路面", progress=60, created_by=city_admin
    )
    ProgressUpdate.objects.create(
        village=yuci[3], date=date(2025, 5, 1), text="路面", progress=70, created_by=city_admin
    )
    ProgressUpdate.objects.create(
        village=yuci[3], date=date(2025, 6, 1), text="复核", progress=40, correction="误报", created_by=city_admin
    )


def test_the_dashboard_lists_what_does_not_fit_in_the_data(client_for, city_admin, viewer, limits):
    data_in(city_admin)
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert 'id="data-warnings"' in html
    expected = [
        "榆次区: 2 villages completed (or further) with progress below 100%",
        "榆次区: 1 village whose progress is below a figure its progress updates reported, without a written "
        "correction",
        "晋中市, 2025, showcase village (精品示范村): 3 villages designated, more than the target of 1",
        "榆次区, 2025, showcase village (精品示范村): 2 villages designated, more than its quota of 1",
    ]
    with translation.override("en"):
        assert [warning.text for warning in consistency.data_warnings()] == expected
    for text in expected:
        assert text in html


def test_a_dashboard_without_mismatches_shows_no_warnings(client_for, viewer, registry):
    assert 'id="data-warnings"' not in client_for(viewer).get("/").content.decode()


def test_the_data_warnings_take_the_same_queries_with_few_and_many_villages(city_admin, limits):
    with CaptureQueriesContext(connection) as few:
        consistency.data_warnings()
    data_in(city_admin)
    many = list(Village.objects.order_by("code")[:600])
    for village in many:
        village.tier, village.programme_year, village.status, village.progress = Tier.UPGRADED, 2026, "completed", 10
    Village.objects.bulk_update(many, ["tier", "programme_year", "status", "progress"])
    with CaptureQueriesContext(connection) as lots:
        found = consistency.data_warnings()
    assert len(lots) == len(few) <= 5
    assert sum(warning.kind == "unfinished" for warning in found) >= 2


def test_the_dashboard_says_it_in_chinese(client_for, city_admin, viewer, limits):
    data_in(city_admin)
    html = client_for(viewer).get("/").content.decode()
    assert "数据不一致提示" in html and "榆次区：2 个村已完工（或已进入验收），进度却不到 100%" in html
    assert "晋中市 2025 年精品示范村：已确定 3 个村，超过目标 1 个" in html
    assert "已完工的村进度应为 100%；" in html
