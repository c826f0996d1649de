"""The office's import in chromium: a file with bad rows is previewed, 导入其余 N 行，跳过 M 行 is pressed under the
preview table, the 问题清单 is downloaded and read."""

import pytest

from tests.import_helpers import HEADER, UNKNOWN, office_rows, sheet_rows, state, xlsx_file
from villages.models import Status, Village

pytestmark = pytest.mark.browser


def test_the_city_imports_the_rest_of_an_office_file_and_downloads_the_problem_list(
    browser_page, city_admin, office, settings, tmp_path
):
    settings.IMPORT_PREVIEW_DIR = tmp_path / "previews"
    path = tmp_path / "榆次区进展.xlsx"
    path.write_bytes(xlsx_file(office_rows(office)))
    before, history_before = state(office), Village.history.count()
    page = browser_page.page
    browser_page.login(city_admin.username)
    browser_page.goto("/admin/villages/village/import/")
    page.set_input_files("#import-form input[name=file]", str(path))
    page.click("#import-form input[type=submit]")
    button = page.wait_for_selector("#import-the-rest")
    assert button.inner_text() == "导入其余 3 行，跳过 3 行"
    table = page.locator("#import-preview").bounding_box()
    assert button.bounding_box()["y"] > table["y"] + table["height"]  # under the preview table
    assert "已检查：榆次区进展.xlsx" in page.inner_text("#chosen-file")
    problems = page.locator("#import-problems tbody tr")
    assert problems.count() == 3
    assert f"{office[1].code} {office[1].name}" in problems.nth(0).inner_text()
    assert state(office) == before  # the preview wrote nothing

    button.click()
    page.wait_for_selector("#skipped-rows")
    with page.expect_download() as download:
        page.click("#download-problem-list")
    assert download.value.suggested_filename == "榆次区进展-问题清单.xlsx"
    [rows] = sheet_rows(download.value.path().read_bytes()).values()
    assert rows[0] == [*HEADER, "原表行号", "问题"]
    assert [row[:6] for row in rows[1:]] == [
        [office[1].code, office[1].name, "建设中", "80", "'+返工", 3],
        [office[3].code, office[3].name, "建设中", "90", None, 5],
        [UNKNOWN, "某某村", "建设中", "10", None, 7],
    ]
    assert [row[6].split("：")[0] for row in rows[1:]] == ["状态", "状态", "村代码"]
    assert "只能在其页面上“退回”" in rows[1][6] and f"{office[3].code} {office[3].name}" in rows[2][6]

    after = state(office)
    assert [after[v.code][0] for v in office] == [
        Status.COMPLETED,
        Status.COMPLETED,
        Status.IN_PROGRESS,
        Status.COMPLETED,
        Status.COMPLETED,
    ]
    assert after[office[1].code] == before[office[1].code] and after[office[3].code] == before[office[3].code]
    assert Village.history.count() == history_before + 3  # three villages written, once each
    assert browser_page.outside_requests == [] and browser_page.console_errors == []
    assert browser_page.csp_violations == []
