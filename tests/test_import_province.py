"""A province's village list as an office sends it (county by name, 12-digit codes) and the app's own export of the
province import against the real registry of 山西 (data/shanxi: 117 counties, 18,851 villages), where 阳泉市 and
晋城市 each have a county named 城区. The code decides the county; a name two cities share is told apart by the
code, the city (市) column or the township, and refused, naming both counties and their cities, only when nothing
tells them apart."""

import csv

import pytest
from django.conf import settings
from django.core.management import call_command

from counties.models import County
from tests.import_helpers import csv_file, messages, run_import
from villages.models import Status, Village
from villages.registry_loader import load_registry

SHANXI = settings.BASE_DIR / "data" / "shanxi"
YANGQUAN_CHENGQU, JINCHENG_CHENGQU = "140302", "140502"

THE_CODE_DECIDES = "the code decides: correct that column or the code"


@pytest.fixture
def province(registry):
    load_registry(SHANXI)
    with open(SHANXI / "villages.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def county_names():
    return dict(County.objects.values_list("code", "name"))


def test_the_office_list_of_the_province_matches_every_village_by_its_code(province, province_admin):
    names = county_names()
    chengqu = [row for row in province if row["county_code"] in (YANGQUAN_CHENGQU, JINCHENG_CHENGQU)]
    assert len(chengqu) == 61 and {names[row["county_code"]] for row in chengqu} == {"城区"}
    rows = [["序号", "县(市、区)", "村代码", "村名", "状态"]]
    rows += [
        [number, names[row["county_code"]], row["code"], row["name"], "已规划"]
        for number, row in enumerate(province, start=1)
    ]
    before = Village.history.count()
    result = run_import(csv_file(rows), province_admin, filename="全省名单.csv")
    assert messages(result) == [] and result.written and result.changed == len(province) == 18_851
    assert Village.objects.exclude(status=Status.PLANNED).count() == 0
    assert Village.history.count() == before + len(province)


def test_an_export_of_the_province_imports_back_changing_nothing(province, province_admin, tmp_path):
    for code, status, progress in [("140302100201", Status.IN_PROGRESS, 30), ("140502100224", Status.PLANNED, 0)]:
        village = Village.objects.get(code=code)
        village.tier, village.programme_year, village.status, village.progress = "upgraded", 2025, status, progress
        village.save()
    path = tmp_path / "province.csv"
    call_command("export_villages", str(path))
    before = Village.history.count()
    result = run_import(path.read_bytes(), province_admin, filename="province.csv")
    assert messages(result) == []
    assert result.changed == 0 and result.unchanged == len(province)
    assert Village.history.count() == before


NAME_ONLY = ["市", "县(市、区)", "乡镇(街道)", "村名", "状态"]


def test_a_row_without_a_code_is_told_apart_by_its_city_township_or_village(province, province_admin):
    rows = [
        ["阳泉市", "城区", "", "义井村", "建设中"],
        ["晋城", "城区", "", "东上庄村", "建设中"],
        ["1405", "城区", "", "寺底村", "建设中"],
        ["", "城区", "义井镇", "义东沟村", "建设中"],  # 义井镇 is in one 城区 only
        ["", "城区", "", "七岭店村", "建设中"],  # one 城区 only has a 七岭店村
        ["", "140502", "", "孙村", "建设中"],  # a county code is one county
        ["", "城区", "", "某某村", "建设中"],
    ]
    result = run_import(csv_file([NAME_ONLY, *rows]), province_admin)
    assert messages(result) == ["Row 8, column 村名: 城区 (阳泉市)、城区 (晋城市) has no village 某某村"]
    assert [row.village["code"] for row in result.rows] == [
        "140302100200",
        "140502006200",
        "140502006207",
        "140302100201",
        "140502100241",
        "140502100240",
    ]


def test_a_county_name_nothing_tells_apart_is_refused_naming_both_counties_and_their_cities(province, province_admin):
    """Were there a 东关村 in each 城区, neither the county's name nor the village's would decide."""
    for township, county in [("140302100", YANGQUAN_CHENGQU), ("140502100", JINCHENG_CHENGQU)]:
        Village.objects.create(
            code=f"{township}290", name="东关村委会", short_name="东关村", township_id=township, county_id=county
        )
    result = run_import(csv_file([NAME_ONLY, ["", "城区", "", "东关村", "建设中"]]), province_admin)
    assert messages(result) == [
        "Row 2, column 县(市、区): 城区 is the name of 2 counties: 城区 (阳泉市)、城区 (晋城市); give the city (市) or "
        "the village code"
    ]
    result = run_import(csv_file([NAME_ONLY, ["晋城市", "城区", "", "东关村", "建设中"]]), province_admin)
    assert messages(result) == [] and [row.village["code"] for row in result.rows] == ["140502100290"]


def test_a_city_that_contradicts_the_county_or_the_code_is_refused(province, province_admin):
    rows = [
        ["晋城市", "城区", "140302100201", "建设中"],
        ["大同市", "城区", "140302100201", "建设中"],
        ["北京市", "城区", "140302100201", "建设中"],
    ]
    result = run_import(csv_file([["市", "县(市、区)", "村代码", "状态"], *rows]), province_admin)
    assert messages(result) == [
        "Row 2, column 县(市、区): village 140302100201 is in 城区 (阳泉市), not 城区 (晋城市); " + THE_CODE_DECIDES,
        "Row 3, column 县(市、区): 大同市 has no county 城区",
        "Row 4, column 市: 北京市 is not a city in the registry",
    ]
    # without a county column the city is checked against the code
    rows = [["阳泉市", "140302100201", "建设中"], ["晋城市", "140302100202", "建设中"]]
    result = run_import(csv_file([["市", "村代码", "状态"], *rows]), province_admin)
    assert messages(result) == ["Row 3, column 市: village 140302100202 is in 阳泉市, not 晋城市; " + THE_CODE_DECIDES]
