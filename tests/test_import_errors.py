"""Every problem is reported with its row and column, all at once, and a file with any problem writes nothing."""

import pytest
from django.utils import translation

from counties.models import Township
from tests.conftest import TAIGU, YUCI
from tests.import_helpers import csv_file, messages, run_import
from villages.imports.importer import import_villages
from villages.models import Village

HEADERS = ["村代码", "村名", "县(市、区)", "乡镇(街道)", "类型", "年度", "状态", "进度", "经度", "纬度"]


def row(village, **changes):
    values = {
        "村代码": village.code,
        "村名": village.name,
        "县(市、区)": village.county.name,
        "乡镇(街道)": village.township.name,
        "类型": "",
        "年度": "",
        "状态": "",
        "进度": "",
        "经度": "",
        "纬度": "",
    }
    values.update(changes)
    return [values[header] for header in HEADERS]


@pytest.fixture
def villages(registry):
    return list(Village.objects.filter(county_id=YUCI).select_related("county", "township").order_by("code")[:4])


def history_count():
    return Village.history.count()


def only_problem(result):
    assert not result.ok
    assert len(result.problems) == 1, messages(result)
    return result.problems[0]


@pytest.mark.parametrize(
    "column,value,expected",
    [
        ("村代码", "14070210020", "12 digits"),
        ("村代码", "140702100199", "no village with code"),
        ("县(市、区)", "太原市", "not a county"),
        ("乡镇(街道)", "不存在镇", "has no township"),
        ("类型", "示范", "not a tier"),
        ("状态", "差不多", "not a status"),
        ("年度", "1999", "not a programme year"),
        ("进度", "120", "not a progress"),
        ("进度", "abc", "not a progress"),
    ],
)
def test_bad_cell_is_reported_with_row_and_column(city_admin, villages, column, value, expected):
    rows = [
        HEADERS,
        row(villages[0]),
        row(
            villages[1],
            **{
                column: value,
                "类型": "精品示范村" if column != "类型" else value,
                "年度": "2025" if column != "年度" else value,
            },
        ),
    ]
    before = history_count()
    result = run_import(csv_file(rows), city_admin)
    problem = only_problem(result)
    assert (problem.line, problem.column) == (3, column)
    assert expected in problem.message
    assert messages(result)[0].startswith(f"Row 3, column {column}: ")
    assert history_count() == before
    assert not Village.objects.designated().exists()


def test_village_not_in_the_given_township(city_admin, villages):
    other = Township.objects.filter(county_id=YUCI).exclude(code=villages[0].township_id).order_by("code").first()
    result = run_import(
        csv_file([HEADERS, row(villages[0], **{"乡镇(街道)": other.name, "状态": "已规划"})]), city_admin
    )
    problem = only_problem(result)
    assert (problem.line, problem.column) == (2, "乡镇(街道)")
    assert villages[0].township.name in problem.message
    assert "the code decides: correct that column or the code" in problem.message


def test_village_in_another_county_than_given(city_admin, villages):
    result = run_import(
        csv_file([HEADERS, row(villages[0], **{"县(市、区)": "太谷区", "乡镇(街道)": "", "状态": "已规划"})]),
        city_admin,
    )
    problem = only_problem(result)
    assert (problem.line, problem.column) == (2, "县(市、区)")
    assert "榆次区" in problem.message and "the code decides: correct that column or the code" in problem.message


def test_the_same_village_twice_names_the_first_row_and_the_first_row_names_the_second(city_admin, villages):
    rows = [HEADERS, row(villages[0], 状态="已规划"), row(villages[1]), row(villages[0], 状态="建设中")]
    result = run_import(csv_file(rows), city_admin)
    assert [(problem.line, problem.column) for problem in result.problems] == [(2, None), (4, None)]
    assert "row 4" in result.problems[0].message and "row 2" in result.problems[1].message


@pytest.mark.parametrize("lon,lat,column", [("200", "37.7", "经度"), ("112.7", "95", "纬度"), ("112.7", "", "纬度")])
def test_coordinates_out_of_range_or_incomplete(city_admin, villages, lon, lat, column):
    problem = only_problem(run_import(csv_file([HEADERS, row(villages[0], 经度=lon, 纬度=lat)]), city_admin))
    assert (problem.line, problem.column) == (2, column)


def test_coordinates_outside_the_village_county_are_refused(city_admin, villages):
    from counties.geo import county_frame

    taigu = county_frame([TAIGU]).iloc[0]  # a point in 太谷区, for a village of 榆次区
    rows = [HEADERS, row(villages[0], 经度=str(taigu["label_lon"]), 纬度=str(taigu["label_lat"]))]
    problem = only_problem(run_import(csv_file(rows), city_admin))
    assert (problem.line, problem.column) == (2, "经度")
    assert "榆次区" in problem.message
    assert "not swapped" in problem.message and "or leave them empty" in problem.message
    villages[0].refresh_from_db()
    assert villages[0].lat is None


def test_every_problem_of_every_row_is_reported_at_once_and_nothing_is_written(city_admin, villages):
    rows = [
        HEADERS,
        row(villages[0], 类型="精品示范村", 年度="2025", 状态="已规划"),  # good
        row(villages[1], 状态="差不多", 进度="101"),  # two problems
        row(villages[2], 类型="精品示范村", 年度="2025", 状态="已规划"),  # good
        row(villages[3], 村代码="140702999999"),
    ]
    before = history_count()
    result = run_import(csv_file(rows), city_admin)
    assert [(p.line, p.column) for p in result.problems] == [(3, "状态"), (3, "进度"), (5, "村代码")]
    assert not result.written and history_count() == before
    assert not Village.objects.designated().exists()


def test_a_tier_needs_a_year_and_a_year_needs_a_tier(city_admin, villages):
    result = run_import(
        csv_file([HEADERS, row(villages[0], 类型="精品示范村"), row(villages[1], 年度="2025")]), city_admin
    )
    assert [(p.line, p.column) for p in result.problems] == [(2, "年度"), (3, "年度")]


def test_unknown_header_and_missing_header_are_reported(city_admin, villages):
    result = run_import(csv_file([["村代码", "状 态", "村庄等级X"], [villages[0].code, "已规划", "x"]]), city_admin)
    assert not result.ok and "村庄等级X" in messages(result)[0] and "column 3" in messages(result)[0]
    result = run_import(csv_file([["甲", "乙"], ["1", "2"]]), city_admin)
    assert not result.ok and "header" in messages(result)[0].lower()


def test_not_a_spreadsheet_is_refused(city_admin):
    result = run_import(b"PK\x03\x04 not really", city_admin, filename="list.xlsx")
    assert not result.ok and "Excel" in messages(result)[0]
    result = run_import(b"a,b", city_admin, filename="list.pdf")
    assert not result.ok


def test_a_village_edited_by_someone_else_during_the_import_is_not_overwritten_and_nothing_is_written(
    city_admin, villages
):
    from django.db.models import F

    rows = [HEADERS, row(villages[0], 状态="已规划"), row(villages[1], 状态="已规划")]

    def edit_meanwhile(lines):
        # Another user saves villages[1] after the import has read the registry.
        Village.objects.filter(pk=villages[1].pk).update(notes="edited meanwhile", version=F("version") + 1)
        return lines

    before = history_count()
    result = run_import(csv_file(rows), city_admin, progress=edit_meanwhile)
    assert not result.written and "changed by someone else" in messages(result)[0]
    assert history_count() == before
    villages[0].refresh_from_db()
    villages[1].refresh_from_db()
    assert villages[0].status == "not_started" and villages[1].notes == "edited meanwhile"


def test_a_csv_row_wider_than_its_header_is_refused_saying_which_cells_have_no_column(city_admin, villages):
    first, second, third = villages[:3]
    before = history_count()
    content = (
        f"村代码,村名,状态\r\n{first.code},{first.name},已规划\r\n"
        f"{second.code},{second.name},道路,绿化,建设中\r\n"  # 主要建设内容 written without quotes around its comma
        f"{third.code},{third.name},建设中,,\r\n"  # empty cells past the header say nothing: read
    ).encode()
    result = run_import(content, city_admin, filename="mixed.csv")
    assert messages(result) == [
        "Row 3: the row has 5 cells but the header (row 1) has 3 columns: column 4 (绿化)、column 5 (建设中) under "
        "no column name. A value that holds a comma must be in double quotes."
    ]
    assert history_count() == before


def test_a_csv_row_shorter_than_its_header_is_read_with_its_last_cells_empty(city_admin, villages):
    first, second = villages[:2]
    content = f"村代码,状态,进度,备注\r\n{first.code},建设中,30,村道\r\n{second.code},已规划\r\n".encode()
    result = run_import(content, city_admin, filename="mixed.csv")
    assert messages(result) == [] and result.written
    assert Village.objects.filter(pk=first.pk).values_list("status", "progress", "notes").get() == (
        "in_progress",
        30,
        "村道",
    )
    # the missing 进度 and 备注 are empty cells: they change nothing
    assert Village.objects.filter(pk=second.pk).values_list("status", "progress", "notes").get() == ("planned", 0, "")


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_a_title_line_above_a_tab_or_semicolon_separated_header_is_skipped(city_admin, villages, delimiter):
    village = villages[0]
    content = csv_file(
        [["2025年榆次区百乡千村名单"], ["村代码", "状态"], [village.code, "已规划"]], delimiter=delimiter
    )
    result = run_import(content, city_admin, filename="list.csv")
    assert messages(result) == [] and result.written
    assert Village.objects.get(pk=village.pk).status == "planned"


def test_a_problem_says_the_way_out_in_chinese(city_admin, villages):
    content = csv_file([HEADERS, row(villages[0], **{"县(市、区)": "太谷区", "乡镇(街道)": ""})])
    with translation.override("zh-hans"):
        result = import_villages(content, "list.csv", city_admin)
    assert only_problem(result).message.endswith("不属于 太谷区；以村代码为准：请改正该列或村代码")
