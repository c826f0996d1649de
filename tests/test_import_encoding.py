"""CSV encodings: UTF-8 (with or without BOM), UTF-16 with BOM, GBK/GB18030 detected on the whole file (a
sample is never cut inside a character), GB18030 winning whenever the bytes are GB18030 and not UTF-8, and the
preview saying which encoding it used."""

import csv

import charset_normalizer
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from tests.conftest import YUCI
from tests.import_helpers import csv_file, messages, run_import
from villages.models import Status, Village

IMPORT_URL = "/admin/villages/village/import/"


@pytest.fixture
def admin_client(city_admin, client_for, settings, tmp_path):
    settings.IMPORT_PREVIEW_DIR = tmp_path / "previews"
    return client_for(city_admin)  # in Chinese, the default language


def city_csv_in_gbk():
    """Every village of data/jinzhong/villages.csv in GBK (about 209 KB), padded so that byte 200,000 falls
    inside a two-byte character, where the old detector cut its sample."""
    with open(settings.DATA_DIR / "villages.csv", encoding="utf-8") as handle:
        villages = list(csv.DictReader(handle))
    places = dict(Village.objects.values_list("code", "township__name"))
    counties = dict(Village.objects.values_list("code", "county__name"))
    works = "村内道路硬化、污水管网改造、村容整治"
    rows = [["村代码", "村名", "县(市、区)", "乡镇(街道)", "状态", "进度(%)", "联系人", "联系电话", "主要建设内容"]]
    rows += [
        [v["code"], v["name"], counties[v["code"]], places[v["code"]], "已规划", "10", "王主任", "0354-3012345", works]
        for v in villages
    ]
    for padding in range(60):
        rows[1][8] = works + "x" * padding
        content = csv_file(rows, encoding="gbk")
        try:
            content[:200_000].decode("gb18030")
        except UnicodeDecodeError:
            return content, len(villages)
    raise AssertionError("no padding puts byte 200,000 inside a character")


def test_a_whole_city_gbk_csv_is_detected_as_gb18030_and_the_preview_says_so(admin_client):
    content, count = city_csv_in_gbk()
    assert count == 1940 and 200_000 < len(content) < 220_000
    response = admin_client.post(
        IMPORT_URL, {"crs": "wgs84", "encoding": "", "file": SimpleUploadedFile("晋中.csv", content)}
    )
    result = response.context["result"]
    assert result.ok and len(result.rows) == 1940 and result.changed == 1940
    assert "编码：GB18030（自动识别）" in response.content.decode()


def test_a_whole_city_gbk_csv_through_the_command(city_admin, tmp_path, capsys):
    content, _count = city_csv_in_gbk()
    path = tmp_path / "晋中.csv"
    path.write_bytes(content)
    with translation.override("en"):
        call_command("import_villages", str(path), "--user", city_admin.username)
    assert "Encoding: GB18030 (detected)" in capsys.readouterr().out
    assert Village.objects.filter(status=Status.PLANNED).count() == 1940


def test_a_34_byte_gb18030_csv_that_charset_normalizer_alone_calls_cp949(city_admin, registry):
    village = Village.objects.filter(county_id=YUCI).order_by("code").first()
    content = f"村代码,状态\r\n{village.code},已规划\r\n".encode("gb18030")
    assert len(content) == 34
    assert charset_normalizer.from_bytes(content).best().encoding == "cp949"  # the trap
    result = run_import(content, city_admin)
    assert messages(result) == [] and (result.encoding, result.encoding_detected) == ("GB18030", True)
    village.refresh_from_db()
    assert village.status == Status.PLANNED


@pytest.mark.parametrize(
    "encoding,delimiter,shown",
    [("utf-8", ",", "UTF-8"), ("utf-8-sig", ",", "UTF-8"), ("utf-16", "\t", "UTF-16"), ("gbk", ",", "GB18030")],
)
def test_each_encoding_is_detected_and_named(city_admin, registry, encoding, delimiter, shown):
    village = Village.objects.filter(county_id=YUCI).order_by("code").first()
    result = run_import(csv_file([["村代码", "状态"], [village.code, "建设中"]], encoding, delimiter), city_admin)
    assert messages(result) == [] and (result.encoding, result.encoding_detected) == (shown, True)
    village.refresh_from_db()
    assert village.status == Status.IN_PROGRESS


def test_an_encoding_chosen_in_the_form_is_used_and_said(admin_client, registry):
    village = Village.objects.filter(county_id=YUCI).order_by("code").first()
    content = csv_file([["村代码", "状态"], [village.code, "建设中"]], "gbk")
    admin_client.cookies["django_language"] = "en"
    response = admin_client.post(
        IMPORT_URL, {"crs": "wgs84", "encoding": "gb18030", "file": SimpleUploadedFile("a.csv", content)}
    )
    assert response.context["result"].ok
    assert "Encoding: GB18030 (as chosen)" in response.content.decode()
