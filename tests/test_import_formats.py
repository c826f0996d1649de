"""Every accepted file format, encoding and header spelling, with real files written here."""

import prcoords
import pytest
from django.db.models import Count

from counties.geo import county_frame
from tests.conftest import TAIGU, YUCI
from tests.import_helpers import csv_file, messages, run_import, xlsx_file
from tests.spreadsheet_files import xlsb_workbook
from villages.models import LocationSource, Status, Tier, Village


def some_villages(county=YUCI, count=3):
    return list(Village.objects.filter(county_id=county).select_related("county", "township").order_by("code")[:count])


def designation_rows(villages, headers=("村代码", "村名", "类型", "年度", "状态")):
    return [list(headers)] + [[v.code, v.name, "精品示范村", "2025", "已规划"] for v in villages]


def assert_designated(villages):
    for village in villages:
        village.refresh_from_db()
        assert (village.tier, village.programme_year, village.status) == (Tier.SHOWCASE, 2025, Status.PLANNED)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_accepted_encoding_is_detected_and_imported(city_admin, encoding):
    villages = some_villages()
    content = csv_file(designation_rows(villages), encoding=encoding)
    if encoding == "gbk":
        with pytest.raises(UnicodeDecodeError):
            content.decode("utf-8")  # a real GBK file, not UTF-8 in disguise
    result = run_import(content, city_admin)
    assert messages(result) == []
    assert result.changed == len(villages)
    assert_designated(villages)


def test_gbk_file_with_the_encoding_given_explicitly(city_admin):
    villages = some_villages()
    result = run_import(csv_file(designation_rows(villages), encoding="gbk"), city_admin, encoding="gb18030")
    assert result.ok and result.written
    assert_designated(villages)


def test_gbk_file_read_as_utf8_says_which_line_is_not_utf8(city_admin):
    villages = some_villages()
    result = run_import(csv_file(designation_rows(villages), encoding="gbk"), city_admin, encoding="utf-8")
    assert not result.ok
    assert "utf-8" in messages(result)[0] and "1" in messages(result)[0]
    assert not Village.objects.designated().exists()


def test_xlsx_with_title_rows_above_the_header_and_numeric_codes(city_admin):
    villages = some_villages(TAIGU)
    rows = designation_rows(villages)
    for row in rows[1:]:
        row[0] = int(row[0])  # Excel often stores the code as a number
        row[3] = 2025
    content = xlsx_file(rows, title_rows=["太谷区2025年百乡千村示范村名单", "填报单位：太谷区农业农村局"])
    result = run_import(content, city_admin, filename="名单.xlsx")
    assert messages(result) == []
    assert result.changed == len(villages)
    assert_designated(villages)
    assert min(row.line for row in result.rows) == 4  # the spreadsheet's own row numbers


def test_xlsb_with_shared_strings_and_numeric_codes(city_admin):
    villages = some_villages(TAIGU, count=2)
    rows = [[("sst", 0), ("sst", 1), "类型", "年度", "状态"]]
    rows += [[int(v.code), v.name, "精品示范村", 2025, ("sst", 2)] for v in villages]
    content = xlsb_workbook({"太谷区": rows}, strings=["村代码", "村名", "已规划"])
    result = run_import(content, city_admin, filename="名单.xlsb")
    assert messages(result) == []
    assert [(row.sheet, row.line, row.village["code"]) for row in result.rows] == [
        ("太谷区", 2, villages[0].code),
        ("太谷区", 3, villages[1].code),
    ]
    assert result.changed == 2
    assert_designated(villages)


def test_blank_trailing_rows_and_columns_are_ignored(city_admin):
    villages = some_villages()
    rows = [row + ["", ""] for row in designation_rows(villages)] + [[""] * 7, [""] * 7]
    result = run_import(xlsx_file(rows), city_admin, filename="list.xlsx")
    assert result.ok and len(result.rows) == len(villages)
    result = run_import(csv_file(rows), city_admin)
    assert result.ok and result.unchanged == len(villages)


def test_office_header_aliases_and_township_code_free_matching(city_admin):
    village = some_villages(count=1)[0]
    rows = [
        ["序号", "行政区划代码", "村庄名称", "县区", "乡镇", "等级", "批次", "状态", "进度", "备注"],
        [
            "1",
            village.code,
            village.short_name,
            village.county.name,
            village.township.name,
            "提档升级村",
            "2026年第一批",
            "建设中",
            "35%",
            "道路硬化",
        ],
    ]
    result = run_import(csv_file(rows, encoding="utf-8-sig"), city_admin)
    assert messages(result) == []
    village.refresh_from_db()
    assert (village.tier, village.programme_year, village.status, village.progress, village.notes) == (
        Tier.UPGRADED,
        2026,
        Status.IN_PROGRESS,
        35,
        "道路硬化",
    )


def test_rows_without_code_match_by_county_township_and_name(city_admin):
    village = Village.objects.filter(county_id=TAIGU).select_related("county", "township").order_by("-code").first()
    rows = [
        ["县(市、区)", "乡镇(街道)", "村名", "状态"],
        [village.county.name, village.township.name, village.name, "已规划"],
    ]
    result = run_import(csv_file(rows), city_admin)
    assert messages(result) == []
    assert result.rows[0].village["code"] == village.code
    village.refresh_from_db()
    assert village.status == Status.PLANNED


def test_a_name_shared_by_two_villages_of_a_county_needs_the_township_and_lists_the_candidates(city_admin):
    duplicate = (
        Village.objects.filter(county_id=YUCI)
        .values("short_name")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("short_name")
        .first()
    )
    namesakes = list(
        Village.objects.filter(county_id=YUCI, short_name=duplicate["short_name"]).select_related("township")
    )
    rows = [["县区", "村名", "状态"], ["榆次区", duplicate["short_name"], "已规划"]]
    result = run_import(csv_file(rows), city_admin)
    assert not result.ok
    message = messages(result)[0]
    assert message.startswith("Row 2, column 村名")
    for namesake in namesakes:
        assert namesake.code in message
    rows = [["县区", "乡镇", "村名", "状态"], ["榆次区", namesakes[0].township.name, duplicate["short_name"], "已规划"]]
    result = run_import(csv_file(rows), city_admin)
    assert messages(result) == [] and result.rows[0].village["code"] == namesakes[0].code


@pytest.mark.parametrize("system,forward", [("gcj02", prcoords.wgs_gcj), ("bd09", prcoords.wgs_bd)])
def test_coordinates_are_converted_to_wgs84(city_admin, system, forward):
    village = some_villages(count=1)[0]
    label = county_frame([YUCI]).iloc[0]
    wgs = prcoords.Coords(float(label["label_lat"]), float(label["label_lon"]))
    shown = forward(wgs)  # what 高德 / 百度 maps would show for that place
    rows = [["村代码", "经度", "纬度", "坐标系"], [village.code, repr(shown.lon), repr(shown.lat), system]]
    result = run_import(csv_file(rows), city_admin)
    assert messages(result) == []
    village.refresh_from_db()
    assert village.lat == pytest.approx(wgs.lat, abs=1e-5) and village.lon == pytest.approx(wgs.lon, abs=1e-5)
    assert abs(village.lat - shown.lat) + abs(village.lon - shown.lon) > 1e-4  # really converted
    assert village.location_source == LocationSource.IMPORTED
    again = run_import(csv_file(rows), city_admin)
    assert again.ok and again.unchanged == 1


def test_file_level_coordinate_system_applies_to_rows_without_one(city_admin):
    village = some_villages(count=1)[0]
    label = county_frame([YUCI]).iloc[0]
    wgs = prcoords.Coords(float(label["label_lat"]), float(label["label_lon"]))
    shown = prcoords.wgs_gcj(wgs)
    rows = [["村代码", "经度", "纬度"], [village.code, repr(shown.lon), repr(shown.lat)]]
    result = run_import(csv_file(rows), city_admin, crs="gcj02")
    assert messages(result) == []
    village.refresh_from_db()
    assert village.lat == pytest.approx(wgs.lat, abs=1e-5)
