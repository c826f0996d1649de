"""Workbooks as offices send them: XLSX, XLS and ODS, every sheet with a header read and named in problems,
instruction sheets and hidden sheets skipped, headers over several rows with merged cells, 合计 rows left out,
codes typed as numbers, and codes Excel shortened to scientific notation."""

import pytest
import xlrd
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.conftest import TAIGU, YUCI
from tests.import_helpers import csv_file, messages, run_import
from tests.spreadsheet_files import workbook, xls_workbook, xlsx_parts, xlsx_workbook
from villages.models import Status, Village

IMPORT_URL = "/admin/villages/village/import/"
KINDS = ["xlsx", "xlsb", "xls", "ods"]
INSTRUCTIONS = [["填报说明"], ["1. 每个县一个工作表"], ["2. 村代码填12位统计用区划代码"]]


@pytest.fixture
def yuci(registry):
    return list(Village.objects.filter(county_id=YUCI).order_by("code")[:3])


@pytest.fixture
def taigu(registry):
    return list(Village.objects.filter(county_id=TAIGU).order_by("code")[:2])


def county_sheets(yuci, taigu, taigu_status="建设中"):
    """An instruction sheet, then one sheet per county; codes of 榆次区 typed as numbers; a 合计 row each."""
    return {
        "填报说明": INSTRUCTIONS,
        "榆次区": [["榆次区百乡千村进展表"], ["村代码", "村名", "状态", "进度(%)"]]
        + [[int(v.code), v.name, "已规划", 10] for v in yuci]
        + [["", "合计", "", 30]],
        "太谷区": [["村代码", "村名", "状态", "进度(%)"]]
        + [[v.code, v.name, taigu_status, 20] for v in taigu]
        + [["总 计：", "", "", 40]],
    }


@pytest.mark.parametrize("kind", KINDS)
def test_every_county_sheet_is_read_and_the_instructions_and_summary_rows_are_left_out(city_admin, yuci, taigu, kind):
    result = run_import(workbook(kind, county_sheets(yuci, taigu)), city_admin, filename=f"名单.{kind}")
    assert messages(result) == []
    assert [(row.sheet, row.line, row.village["code"]) for row in result.rows] == [
        ("榆次区", 3, yuci[0].code),
        ("榆次区", 4, yuci[1].code),
        ("榆次区", 5, yuci[2].code),
        ("太谷区", 2, taigu[0].code),
        ("太谷区", 3, taigu[1].code),
    ]
    assert result.sheets == ["榆次区", "太谷区"]
    assert result.skipped_sheets == [("填报说明", "no header row")]
    assert result.summary_rows == [("榆次区", 6, "合计"), ("太谷区", 4, "总 计：")]
    for village in yuci:
        village.refresh_from_db()
        assert (village.status, village.progress) == (Status.PLANNED, 10)
    for village in taigu:
        village.refresh_from_db()
        assert (village.status, village.progress) == (Status.IN_PROGRESS, 20)


@pytest.mark.parametrize("kind", KINDS)
def test_a_problem_names_its_sheet_row_and_column_and_nothing_is_written(city_admin, yuci, taigu, kind):
    result = run_import(
        workbook(kind, county_sheets(yuci, taigu, taigu_status="差不多")), city_admin, filename=f"a.{kind}"
    )
    assert [message.split(":")[0] for message in messages(result)] == [
        "太谷区 sheet, row 2, column 状态",
        "太谷区 sheet, row 3, column 状态",
    ]
    assert not Village.objects.exclude(status=Status.NOT_STARTED).exists()


def test_the_same_village_in_two_sheets_names_both_sheets(city_admin, yuci):
    sheets = {
        "一": [["村代码", "状态"], [yuci[0].code, "已规划"]],
        "二": [["村代码", "状态"], [yuci[0].code, "建设中"]],
    }
    result = run_import(xlsx_workbook(sheets), city_admin, filename="a.xlsx")
    village = f"{yuci[0].code} {yuci[0].name}"
    assert messages(result) == [
        f"一 sheet, row 2: village {village} is given again in 二 sheet, row 2; keep one of the rows",
        f"二 sheet, row 2: village {village} is already in 一 sheet, row 2",
    ]


# 序号, 村代码 and 村名 merged over two rows; 建设情况 merged over the two columns it heads.
MERGED_HEADER = [["序号", "村代码", "村名", "建设情况", ""], ["", "", "", "状态", "进度(%)"]]
MERGES = [(0, 1, 0, 0), (0, 1, 1, 1), (0, 1, 2, 2), (0, 0, 3, 4)]


@pytest.mark.parametrize("kind", KINDS)
def test_a_header_over_two_rows_with_merged_cells(city_admin, yuci, kind):
    rows = MERGED_HEADER + [[n + 1, v.code, v.name, "建设中", 50] for n, v in enumerate(yuci)]
    result = run_import(workbook(kind, {"榆次区": rows}, {"榆次区": MERGES}), city_admin, filename=f"a.{kind}")
    assert messages(result) == []
    assert [row.line for row in result.rows] == [3, 4, 5]
    for village in yuci:
        village.refresh_from_db()
        assert (village.status, village.progress) == (Status.IN_PROGRESS, 50)


def test_a_header_over_two_rows_without_merges_and_a_unit_under_its_heading(city_admin, yuci):
    rows = [
        ["村代码", "村名", "建设情况", "", "计划投资"],
        ["", "", "状态", "进度", "(万元)"],
        [yuci[0].code, yuci[0].name, "已规划", "5", "12.5"],
    ]
    result = run_import(csv_file(rows), city_admin)
    assert messages(result) == []
    yuci[0].refresh_from_db()
    assert (yuci[0].status, yuci[0].progress, str(yuci[0].planned_investment)) == (Status.PLANNED, 5, "12.50")


def test_a_hidden_sheet_is_skipped_and_said(city_admin, yuci):
    sheets = {
        "名单": [["村代码", "状态"], [yuci[0].code, "已规划"]],
        "旧名单": [["村代码", "状态"], [yuci[1].code, "已规划"]],
    }
    result = run_import(xlsx_workbook(sheets, hidden=["旧名单"]), city_admin, filename="a.xlsx")
    assert result.ok and [row.village["code"] for row in result.rows] == [yuci[0].code]
    assert result.skipped_sheets == [("旧名单", "hidden")]


def test_a_workbook_without_any_header_lists_its_sheets(city_admin):
    result = run_import(
        xlsx_workbook({"填报说明": INSTRUCTIONS, "Sheet2": [["甲", "乙"]]}), city_admin, filename="a.xlsx"
    )
    assert messages(result) == [
        "No header row found in the first 10 rows: the header needs at least two known column names such as "
        "村代码, 村名, 县(市、区), 状态. Sheets read: 填报说明、Sheet2."
    ]


@pytest.mark.parametrize(
    "content,filename",
    [
        (csv_file([["村代码", "状态"], ["1.40702E+11", "已规划"]]), "a.csv"),
        (xlsx_workbook({"名单": [["村代码", "状态"], ["1.40702E+11", "已规划"]]}), "a.xlsx"),
        (xls_workbook({"名单": [["村代码", "状态"], ["1.40702e11", "已规划"]]}), "a.xls"),
    ],
)
def test_a_code_excel_shortened_to_scientific_notation_is_refused_with_how_to_keep_it(city_admin, content, filename):
    result = run_import(content, city_admin, filename=filename)
    assert len(result.problems) == 1 and (result.problems[0].line, result.problems[0].column) == (2, "村代码")
    assert result.problems[0].message.endswith(
        "is a code that Excel shortened to scientific notation: its last digits are lost. Format the column as "
        "text before typing or pasting the 12-digit codes, then enter them again."
    )


def test_the_xls_the_tests_write_is_read_alike_by_an_independent_reader():
    content = xls_workbook(
        {"填报说明": INSTRUCTIONS, "榆次区": [["村代码", "进度"], ["140702100200", 35]]}, {"榆次区": [(0, 0, 0, 1)]}
    )
    book = xlrd.open_workbook(file_contents=content, formatting_info=True)
    assert book.sheet_names() == ["填报说明", "榆次区"]
    sheet = book.sheet_by_name("榆次区")
    assert [sheet.row_values(n) for n in range(sheet.nrows)] == [["村代码", "进度"], ["140702100200", 35.0]]
    assert sheet.merged_cells == [(0, 1, 0, 2)]


def test_an_xlsx_without_cell_references_is_read_in_order(city_admin, yuci):
    rows = "".join(
        f'<row><c t="inlineStr"><is><t>{v.code}</t></is></c><c t="inlineStr"><is><t>已规划</t></is></c></row>'
        for v in yuci
    )
    content = xlsx_parts('<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>' + rows)
    result = run_import(content, city_admin, filename="a.xlsx")
    assert messages(result) == [] and [row.line for row in result.rows] == [2, 3, 4]


@pytest.mark.parametrize("kind", KINDS)
def test_workbooks_go_through_the_admin_preview_and_confirmation(
    city_admin, client_for, settings, tmp_path, yuci, taigu, kind
):
    settings.IMPORT_PREVIEW_DIR = tmp_path
    client = client_for(city_admin)
    client.cookies["django_language"] = "en"
    content = workbook(kind, county_sheets(yuci, taigu))
    response = client.post(
        IMPORT_URL, {"crs": "wgs84", "encoding": "", "file": SimpleUploadedFile(f"名单.{kind}", content)}
    )
    html = response.content.decode()
    assert "Sheets read: 榆次区、太谷区" in html
    assert "Sheets skipped: 填报说明 (no header row)" in html
    assert "Summary rows left out: 榆次区 row 6 (合计)、太谷区 row 4 (总 计：)" in html
    assert "<td>太谷区</td><td>3</td>" in html
    token = response.context["confirm_form"]["token"].value()
    response = client.post(IMPORT_URL + "confirm/", {"token": token}, follow=True)
    assert "5 villages changed" in response.content.decode()
    taigu[1].refresh_from_db()
    assert taigu[1].status == Status.IN_PROGRESS


@pytest.mark.parametrize("kind", KINDS)
def test_workbooks_through_the_command(city_admin, tmp_path, capsys, yuci, taigu, kind):
    path = tmp_path / f"名单.{kind}"
    path.write_bytes(workbook(kind, county_sheets(yuci, taigu)))
    with translation.override("en"):
        call_command("import_villages", str(path), "--user", city_admin.username, "--dry-run")
    out = capsys.readouterr().out
    assert "Sheets skipped: 填报说明 (no header row)" in out
    assert "Summary rows left out: 榆次区 row 6 (合计)、太谷区 row 4 (总 计：)" in out
    assert "Dry run: 5 rows, 5 would change" in out
    path.write_bytes(workbook(kind, county_sheets(yuci, taigu, taigu_status="差不多")))
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("import_villages", str(path), "--user", city_admin.username)
    assert f"太谷区 sheet, row 3, column 状态: {taigu[1].code} {taigu[1].name}: 差不多 is not a status" in str(
        error.value
    )
