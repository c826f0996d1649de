"""导入其余 N 行，跳过 M 行: a file refused whole by default for a few bad rows may be imported without them; the
skipped rows change nothing and come back as a 问题清单 (the county's rows as sent, with a 问题 column). Real files
(XLSX, GBK CSV) through the command and the admin, the database checked after."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.import_helpers import (
    HEADER,
    UNKNOWN,
    csv_file,
    messages,
    office_rows,
    run_import,
    sheet_rows,
    state,
    xlsx_file,
)
from tests.spreadsheet_files import xlsx_workbook
from villages.imports import pending
from villages.models import Status, Village

IMPORT_URL = "/admin/villages/village/import/"
CONFIRM_URL = "/admin/villages/village/import/confirm/"


def assert_rest_imported(villages, before, history_before):
    """Rows 2, 4 and 6 written once, the skipped villages exactly as they were."""
    after = state(villages)
    v = villages
    assert after[v[0].code] == (Status.COMPLETED, 100, "道路硬化", before[v[0].code][3] + 1)
    assert after[v[2].code] == (Status.IN_PROGRESS, 70, "绿化", before[v[2].code][3] + 1)
    assert after[v[4].code] == (Status.COMPLETED, 100, "亮化", before[v[4].code][3] + 1)
    assert after[v[1].code] == before[v[1].code] and after[v[3].code] == before[v[3].code]
    assert Village.history.count() == history_before + 3
    assert not Village.all_objects.filter(code=UNKNOWN).exists()


def test_by_default_a_file_with_bad_rows_writes_nothing_and_each_problem_names_the_village_and_the_way_out(
    city_admin, office
):
    before, history_before = state(office), Village.history.count()
    result = run_import(xlsx_file(office_rows(office)), city_admin, filename="榆次区.xlsx")
    assert not result.written and Village.history.count() == history_before and state(office) == before
    assert [(p.line, p.village) for p in result.problems] == [
        (3, f"{office[1].code} {office[1].name}"),
        (5, f"{office[3].code} {office[3].name}"),
        (7, f"{UNKNOWN} 某某村"),
    ]
    assert messages(result)[0] == (
        f"Sheet sheet, row 3, column 状态: {office[1].code} {office[1].name}: the status may not go back from completed to in "
        "progress by import: a completed village goes back only through 退回 on its page"
    )
    assert result.skippable and len(result.imported_rows) == 3 and result.changed == 3


def test_the_command_imports_the_rest_and_writes_the_problem_list_beside_the_file(city_admin, office, tmp_path):
    before, history_before = state(office), Village.history.count()
    path = tmp_path / "榆次区名单.xlsx"
    path.write_bytes(xlsx_file(office_rows(office), title_rows=["2025年榆次区百乡千村进展"]))
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("import_villages", str(path), "--user", city_admin.username, "--skip-invalid", stdout=out)
    assert_rest_imported(office, before, history_before)
    assert "榆次区名单-问题清单.xlsx" in out.getvalue()
    [(title, rows)] = sheet_rows((tmp_path / "榆次区名单-问题清单.xlsx").read_bytes()).items()
    assert title == "Sheet"  # the file's own sheet name: openpyxl's default, as xlsx_file left it
    assert rows[0] == [*HEADER, "原表行号", "问题"]
    assert [row[:6] for row in rows[1:]] == [
        [office[1].code, office[1].name, "建设中", "80", "'+返工", 4],
        [office[3].code, office[3].name, "建设中", "90", None, 6],
        [UNKNOWN, "某某村", "建设中", "10", None, 8],
    ]
    problems = [row[6] for row in rows[1:]]
    assert problems[0].startswith(f"状态：{office[1].code} {office[1].name}：")
    assert "退回" in problems[0] and "退回" in problems[1]
    assert problems[2] == f"村代码：名录中没有代码为 {UNKNOWN} 的村庄；请核对村代码（村庄列表的导出中有全部代码）"

    # the same file again: the imported rows are as it says, the skipped ones still skipped; nothing written
    history_after = Village.history.count()
    call_command("import_villages", str(path), "--user", city_admin.username, "--skip-invalid", stdout=io.StringIO())
    assert Village.history.count() == history_after


def test_the_command_with_a_gbk_csv_a_chosen_problem_file_and_a_dry_run(city_admin, office, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_file(office_rows(office), encoding="gbk"))
    problems = tmp_path / "out" / "back-to-county.xlsx"
    problems.parent.mkdir()
    before, history_before = state(office), Village.history.count()
    call_command(
        "import_villages",
        str(path),
        "--user",
        city_admin.username,
        "--skip-invalid",
        "--dry-run",
        "--problems",
        str(problems),
        stdout=io.StringIO(),
    )
    assert state(office) == before and Village.history.count() == history_before
    [rows] = sheet_rows(problems.read_bytes()).values()
    assert [row[0] for row in rows[1:]] == [office[1].code, office[3].code, UNKNOWN]
    call_command(
        "import_villages", str(path), "--user", city_admin.username, "--skip-invalid", "--problems", str(problems)
    )
    assert_rest_imported(office, before, history_before)


def test_without_the_option_the_command_refuses_the_whole_file(city_admin, office, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_file(office_rows(office), encoding="gbk"))
    before = state(office)
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("import_villages", str(path), "--user", city_admin.username)
    assert error.value.returncode == 1 and f"{office[1].code} {office[1].name}" in str(error.value)
    assert state(office) == before and not (tmp_path / "list-问题清单.xlsx").exists()


def test_a_problem_list_path_without_skip_invalid_is_refused(city_admin, office, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_file(office_rows(office)))
    with pytest.raises(CommandError, match="--skip-invalid"):
        call_command("import_villages", str(path), "--user", city_admin.username, "--problems", "x.xlsx")


def test_a_problem_of_the_whole_file_skips_nothing(city_admin, office, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_file([["村代码", "状态", "坏列"], [office[0].code, "已完工", "x"]]))
    with pytest.raises(CommandError):
        call_command("import_villages", str(path), "--user", city_admin.username, "--skip-invalid")
    assert not list(tmp_path.glob("*问题清单*"))
    assert Village.objects.get(pk=office[0].pk).status == Status.IN_PROGRESS


def test_a_village_given_twice_skips_both_rows(city_admin, office):
    v = office
    rows = [HEADER, [v[0].code, "", "已完工", "100", ""], [v[2].code, "", "已完工", "100", ""]]
    rows += [[v[0].code, "", "建设中", "60", ""]]
    with translation.override("en"):
        result = run_import(csv_file(rows), city_admin, skip_invalid=True)
    assert sorted(result.bad_lines) == [(None, 2), (None, 4)] and result.written
    assert Village.objects.get(pk=v[0].pk).status == Status.IN_PROGRESS
    assert Village.objects.get(pk=v[2].pk).status == Status.COMPLETED
    assert "given again in row 4; keep one of the rows" in messages(result)[0]


def test_problem_list_keeps_each_sheet_of_a_workbook(city_admin, office):
    v = office
    content = xlsx_workbook(
        {
            "说明": [["填报说明"]],
            "榆次区": [HEADER, [v[0].code, v[0].name, "已完工", "100", ""], [v[1].code, v[1].name, "建设中", "1", ""]],
            "补充": [HEADER, [v[3].code, v[3].name, "已规划", "5", ""], [v[2].code, v[2].name, "已完工", "100", ""]],
        }
    )
    from villages.imports import problem_list

    with translation.override("zh-hans"):
        result = run_import(content, city_admin, filename="x.xlsx", skip_invalid=True, dry_run=True)
        sheets = sheet_rows(problem_list.workbook_bytes(result))
    assert list(sheets) == ["榆次区", "补充"]
    assert [row[:2] for row in sheets["榆次区"][1:]] == [[v[1].code, v[1].name]]
    assert [row[:2] for row in sheets["补充"][1:]] == [[v[3].code, v[3].name]]


# --- the admin: preview, 导入其余 N 行，跳过 M 行, the 问题清单 ------------------------------------------------------


@pytest.fixture
def admin_client(city_admin, client_for, settings, tmp_path):
    settings.IMPORT_PREVIEW_DIR = tmp_path / "previews"
    return client_for(city_admin)  # in Chinese, the default


def upload(client, content, name):
    return client.post(IMPORT_URL, {"crs": "wgs84", "encoding": "", "file": SimpleUploadedFile(name, content)})


def test_the_preview_offers_to_import_the_rest_under_the_preview_table(admin_client, office):
    before = state(office)
    response = upload(admin_client, csv_file(office_rows(office), encoding="gbk"), "榆次区.csv")
    html = response.content.decode()
    assert "导入其余 3 行，跳过 3 行" in html
    assert html.index('id="import-preview"') < html.index('id="import-the-rest"')
    assert html.index('id="import-problems"') < html.index('id="import-preview"')
    assert f"<td>{office[1].code} {office[1].name}</td>" in html  # the problem's village
    assert "已检查：榆次区.csv" in html  # the file stays chosen: kept on the server for the confirmation
    assert [row.code for row in response.context["rows"]] == [office[0].code, office[2].code, office[4].code]
    assert state(office) == before

    listed = admin_client.get(f"{IMPORT_URL}problems/{response.context['problem_list']}/")
    [rows] = sheet_rows(listed.content).values()
    assert [row[0] for row in rows[1:]] == [office[1].code, office[3].code, UNKNOWN]


def test_import_the_rest_writes_the_other_rows_and_offers_the_problem_list(admin_client, office, city_admin):
    before, history_before = state(office), Village.history.count()
    response = upload(admin_client, xlsx_file(office_rows(office)), "榆次区.xlsx")
    token = response.context["confirm_form"]["token"].value()
    result_page = admin_client.post(CONFIRM_URL, {"token": token}, follow=True)
    assert_rest_imported(office, before, history_before)
    html = result_page.content.decode()
    assert "3 行已跳过" in html
    link = result_page.context["stored"].token
    download = admin_client.get(f"{IMPORT_URL}problems/{link}/")
    assert download["Content-Disposition"].startswith("attachment")
    [rows] = sheet_rows(download.content).values()
    assert [row[0] for row in rows[1:]] == [office[1].code, office[3].code, UNKNOWN]
    assert admin_client.post(CONFIRM_URL, {"token": token}, follow=True).status_code == 200
    assert Village.history.count() == history_before + 3  # a second press imports nothing more


def test_the_rest_is_not_imported_if_other_rows_went_wrong_since_the_preview(admin_client, office):
    response = upload(admin_client, xlsx_file(office_rows(office)), "榆次区.xlsx")
    Village.objects.filter(pk=office[2].pk).update(status=Status.ACCEPTED)  # row 4 would now step back
    before = state(office)
    answer = admin_client.post(CONFIRM_URL, {"token": response.context["confirm_form"]["token"].value()}, follow=True)
    assert "没有导入" in answer.content.decode() or "未导入" in answer.content.decode()
    assert state(office) == before


def test_a_problem_list_is_only_its_owners_and_never_a_confirmation(admin_client, office, client_for, city_admin):
    from counties.models import Profile
    from tests.conftest import JINZHONG, make_user

    response = upload(admin_client, xlsx_file(office_rows(office)), "榆次区.xlsx")
    listed = response.context["problem_list"]
    other = client_for(make_user("other-admin", Profile.Role.CITY_ADMIN, city=JINZHONG))
    assert other.get(f"{IMPORT_URL}problems/{listed}/").status_code == 404
    assert other.get(f"{IMPORT_URL}result/{listed}/").status_code == 404
    before = state(office)
    admin_client.post(CONFIRM_URL, {"token": listed}, follow=True)
    assert state(office) == before
    assert pending.load(listed, city_admin) is not None
