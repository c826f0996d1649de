"""Importing an acceptance standard (评分细则) from the city's spreadsheet: `manage.py import_standard` and the admin.

The workbook is written here in the shape the city uses: a title row merged across, the header on the second
row, each category (考核内容) in a cell merged down over its items, a 合计 row, a note below it.
"""

import io
import subprocess
import sys
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.acceptance_helpers import FULL, apply, complete, make_standard
from tests.spreadsheet_files import xls_workbook
from villages.acceptance.models import Standard

HEADER = ["考核内容", "序号", "考核要点", "分值（分）", "评分标准", "佐证资料", "一票否决"]
BODY = [
    ["基础设施", "1", "道路硬化", 30, "每缺 1 公里扣 5 分", "照片、竣工报告", ""],
    [None, "2", "安全饮水", 20, "自来水入户率 100%", "水质检测报告", "是"],
    ["人居环境", "3", "垃圾治理", 25, "分类收集", "照片", "否"],
    [None, "4", "厕所改造", 25.0, "改厕率 90% 以上", "台账", None],
]
TOTAL = ["合计", None, None, 100, None, None, None]


def workbook(body=BODY, total=TOTAL, title="2025年提档升级村验收评分细则", merges=("A3:A4", "A5:A6")):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "评分细则"
    if title:
        sheet.append([title])
        sheet.merge_cells("A1:G1")
    sheet.append(HEADER)
    for row in body:
        sheet.append(row)
    if total:
        sheet.append(total)
        sheet.merge_cells(f"A{sheet.max_row}:C{sheet.max_row}")
        sheet.append(["注：一票否决项不达标的，不予验收。"])
    for cells in merges:
        sheet.merge_cells(cells)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def run(tmp_path, content, *options, pass_score="90", user="city-admin", name="评分细则.xlsx"):
    path = tmp_path / name
    path.write_bytes(content)
    return call_command(
        "import_standard",
        str(path),
        "--tier",
        "upgraded",
        "--year",
        "2025",
        "--pass-score",
        pass_score,
        "--user",
        user,
        *options,
    )


def problems(tmp_path, content, **kwargs):
    with pytest.raises(CommandError) as error, translation.override("en"):
        run(tmp_path, content, **kwargs)
    assert error.value.returncode == 1
    assert not Standard.objects.exists()
    return str(error.value).split("\n")[1:]


def test_the_citys_spreadsheet_with_merged_categories_is_imported(city_admin, tmp_path, capsys):
    with translation.override("en"):
        run(tmp_path, workbook())
    assert capsys.readouterr().out.strip() == (
        "Imported 2025年提档升级村验收评分细则, version 1: 4 items, 100 points in all, pass score 90."
    )
    standard = Standard.objects.get()
    assert (standard.tier, standard.year, standard.version, standard.pass_score) == ("upgraded", 2025, 1, 90)
    assert standard.total_points == 100 and standard.created_by == city_admin
    items = [
        (i.category, i.number, i.point, i.points, i.guidance, i.evidence_expected, i.decisive)
        for i in standard.items.all()
    ]
    assert items == [
        ("基础设施", "1", "道路硬化", Decimal(30), "每缺 1 公里扣 5 分", "照片、竣工报告", False),
        ("基础设施", "2", "安全饮水", Decimal(20), "自来水入户率 100%", "水质检测报告", True),
        ("人居环境", "3", "垃圾治理", Decimal(25), "分类收集", "照片", False),
        ("人居环境", "4", "厕所改造", Decimal(25), "改厕率 90% 以上", "台账", False),
    ]
    assert standard.history.get().history_user == city_admin


def test_an_xls_workbook_is_read_the_same_way(city_admin, tmp_path):
    """Excel 97-2003, written by tests/spreadsheet_files.py: the categories merged down (rows 3-4 and 5-6)."""
    rows = [["2025年提档升级村验收评分细则"], HEADER, *BODY, TOTAL]
    merges = [(0, 0, 0, 6), (2, 3, 0, 0), (4, 5, 0, 0), (6, 6, 0, 2)]  # zero-based rows and columns
    run(tmp_path, xls_workbook({"评分细则": rows}, {"评分细则": merges}), name="评分细则.xls")
    standard = Standard.objects.get()
    assert standard.name == "2025年提档升级村验收评分细则" and standard.total_points == 100
    assert [(i.category, i.number, i.points, i.decisive) for i in standard.items.all()] == [
        ("基础设施", "1", 30, False),
        ("基础设施", "2", 20, True),
        ("人居环境", "3", 25, False),
        ("人居环境", "4", 25, False),
    ]


def test_a_header_on_the_first_row_and_no_total_row_are_read_too(city_admin, tmp_path):
    run(tmp_path, workbook(title=None, total=None, merges=("A2:A3", "A4:A5")), "--name", "示范标准")
    standard = Standard.objects.get()
    assert standard.name == "示范标准" and standard.items.count() == 4
    assert list(standard.items.values_list("category", flat=True)) == ["基础设施", "基础设施", "人居环境", "人居环境"]


def test_importing_again_makes_a_new_version_and_keeps_the_old_one(city_admin, tmp_path):
    run(tmp_path, workbook())
    body = [row[:] for row in BODY]
    body[0][3], body[2][3] = 35, 20
    run(tmp_path, workbook(body=body), pass_score="85")
    first, second = Standard.objects.order_by("version")
    assert (first.version, first.pass_score, first.items.get(number="1").points) == (1, 90, 30)
    assert (second.version, second.pass_score, second.items.get(number="1").points) == (2, 85, 35)
    assert Standard.objects.current("upgraded", 2025) == second


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(city_admin, tmp_path):
    body = [row[:] for row in BODY]
    body[0][3] = None  # row 3: no 分值
    body[1][3] = "二十"  # row 4: not a number
    body[2][1] = "1"  # row 5: 序号 1 again
    body[3][6] = "可能"  # row 6: not 是 or 否
    assert problems(tmp_path, workbook(body=body)) == [
        "评分细则 sheet, row 3, column 分值（分）: 分值 is empty",
        "评分细则 sheet, row 4, column 分值（分）: 二十 is not a number of points",
        "评分细则 sheet, row 5, column 序号: 序号 1 is already used in row 3",
        "评分细则 sheet, row 6, column 一票否决: 可能 is not 是 or 否",
    ]


def test_points_that_are_negative_or_not_in_half_points_are_refused(city_admin, tmp_path):
    body = [row[:] for row in BODY]
    body[0][3], body[1][3] = -5, 20.3
    assert problems(tmp_path, workbook(body=body)) == [
        "评分细则 sheet, row 3, column 分值（分）: -5 is not a number of points above 0",
        "评分细则 sheet, row 4, column 分值（分）: 20.3 is not a multiple of 0.5",
    ]


def test_a_total_row_that_does_not_add_up_is_refused(city_admin, tmp_path):
    assert problems(tmp_path, workbook(total=["合计", None, None, 95, None, None, None])) == [
        "评分细则 sheet, row 7, column 分值（分）: the 合计 is 95 but the items add up to 100",
    ]


def test_a_pass_score_above_the_total_is_refused(city_admin, tmp_path):
    assert problems(tmp_path, workbook(), pass_score="100.5") == [
        "The pass score 100.5 is above the total of the items, 100.",
    ]


def test_a_file_without_items_is_refused(city_admin, tmp_path):
    assert problems(tmp_path, workbook(body=[], merges=())) == ["The file has no items."]


def test_a_header_without_the_points_column_is_refused(city_admin, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["考核内容", "序号", "考核要点", "评分标准"])
    book.active.append(["基础设施", "1", "道路硬化", "扣分"])
    output = io.BytesIO()
    book.save(output)
    assert problems(tmp_path, output.getvalue()) == ["Sheet sheet, row 1: the header has no 分值 column"]


def test_a_file_that_is_not_a_spreadsheet_is_refused(city_admin, tmp_path):
    assert len(problems(tmp_path, b"%PDF-1.4 not a workbook", name="标准.xlsx")) == 1


def test_only_a_city_administrator_may_import(yuci_editor, tmp_path):
    with pytest.raises(CommandError) as error:
        run(tmp_path, workbook(), user=yuci_editor.username)
    assert yuci_editor.username in str(error.value) and not Standard.objects.exists()


def test_the_command_has_help():
    result = subprocess.run(
        [sys.executable, "manage.py", "import_standard", "--help"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "LANGUAGE": "en"},
    )
    assert result.returncode == 0
    assert all(option in result.stdout for option in ("--tier", "--year", "--pass-score", "--user", "评分细则"))


def test_the_admin_imports_a_standard_and_lists_the_problems_of_a_wrong_file(client_for, city_admin):
    client = client_for(city_admin)
    data = {"tier": "upgraded", "year": "2025", "pass_score": "90", "name": ""}
    body = [row[:] for row in BODY]
    body[1][3] = None
    bad = io.BytesIO(workbook(body=body))
    bad.name = "评分细则.xlsx"
    response = client.post("/admin/acceptance/standard/import/", {**data, "file": bad})
    assert response.status_code == 200 and not Standard.objects.exists()
    assert [problem.line for problem in response.context["problems"]] == [4]
    good = io.BytesIO(workbook())
    good.name = "评分细则.xlsx"
    response = client.post("/admin/acceptance/standard/import/", {**data, "file": good})
    standard = Standard.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/acceptance/standard/{standard.pk}/change/"
    assert standard.items.count() == 4


@pytest.mark.parametrize("user_fixture", ["yuci_editor", "viewer"])
def test_the_admin_import_is_for_city_administrators_only(request, client_for, user_fixture):
    response = client_for(request.getfixturevalue(user_fixture)).get("/admin/acceptance/standard/import/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_standard_in_use_is_read_only_in_the_admin_and_a_new_version_can_be_made(
    client_for, city_admin, yuci_editor, yuci_village
):
    standard = make_standard()
    apply(client_for(yuci_editor), complete(yuci_village), standard, FULL, action="finish")
    client = client_for(city_admin)
    page = client.get(f"/admin/acceptance/standard/{standard.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = client.post(
        f"/admin/acceptance/standard/{standard.pk}/change/", {"name": "改名", "pass_score": "50", "tier": "upgraded"}
    )
    assert response.status_code == 403
    assert Standard.objects.get(pk=standard.pk).pass_score == 90
    client.post(
        "/admin/acceptance/standard/", {"action": "make_new_version", "_selected_action": [standard.pk]}, follow=True
    )
    newer = Standard.objects.get(version=2)
    assert newer.items.count() == 4
    assert 'name="_save"' in client.get(f"/admin/acceptance/standard/{newer.pk}/change/").content.decode()


# --- A condition (否决项): 0 points or none, found met or not met ------------------------------------------


VETO_ROWS = [
    ["否决项", "否决1", "发生重大安全生产事故、重大群体性事件的，发生即不予验收", 0, "", "", "是"],
    ["否决项", "否决2", "存在违法占用耕地建设的，不予验收", "—", "", "", ""],
]


def test_a_condition_with_no_points_is_imported_and_adds_nothing_to_the_total(city_admin, tmp_path):
    run(tmp_path, workbook(body=BODY + VETO_ROWS))
    standard = Standard.objects.get()
    assert standard.total_points == 100
    conditions = [(i.number, i.points, i.decisive, i.is_condition) for i in standard.items.filter(points=0)]
    assert conditions == [("否决1", 0, True, True), ("否决2", 0, True, True)]


def test_zero_points_on_an_item_that_is_no_condition_is_refused(city_admin, tmp_path):
    body = [*BODY[:3], [None, "4", "厕所改造", 0, "改厕率 90% 以上", "台账", None]]
    assert problems(tmp_path, workbook(body=body, total=None)) == [
        "评分细则 sheet, row 6, column 分值（分）: 0 points: only a condition (否决项, 一票否决) may have no points"
    ]
