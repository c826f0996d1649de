"""End-to-end scenarios in a real browser (Debian's chromium), with every request outside the test server blocked."""

import pytest

from tests.conftest import TAIGU, YUCI
from tests.import_helpers import xlsx_file
from tests.village_helpers import jpeg_bytes
from villages.models import Photo, Status, Tier, Village

pytestmark = pytest.mark.browser

# A WGS84 point inside 榆次区 (its label point lies inside the polygon by construction).
YUCI_POINT = (37.63878, 112.79677)


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def yuci_village(registry):
    village = Village.objects.filter(county_id=YUCI).order_by("code")[3]
    village.tier, village.programme_year, village.status, village.progress = Tier.SHOWCASE, 2025, Status.PLANNED, 5
    village.save()
    return village


def test_county_editor_edits_a_village_adds_a_photo_and_sees_it_everywhere(
    browser_page, yuci_editor, yuci_village, media_root, tmp_path
):
    page = browser_page.page
    browser_page.login("yuci-editor")

    browser_page.goto("/villages/")
    page.fill("#village-filters input[name=q]", yuci_village.short_name)
    page.click("#village-filters button[type=submit]")
    page.click(f"#village-table a[href='/villages/{yuci_village.code}/']")
    page.wait_for_selector("#village-fields")

    browser_page.goto(f"/villages/{yuci_village.code}/edit/")
    page.select_option("#village-form select[name=status]", Status.IN_PROGRESS)
    page.fill("#village-form input[name=progress]", "35")
    page.fill("#village-form input[name=location_lat]", str(YUCI_POINT[0]))
    page.fill("#village-form input[name=location_lon]", str(YUCI_POINT[1]))
    page.click("#village-form button[type=submit]")
    page.wait_for_selector("#village-fields")

    photo = tmp_path / "before.jpg"
    photo.write_bytes(jpeg_bytes(size=(320, 240)))
    browser_page.goto(f"/villages/{yuci_village.code}/updates/new/")
    page.fill("#update-form input[name=date]", "2025-06-01")
    page.fill("#update-form textarea[name=text]", "村内道路硬化完成一半")
    page.fill("#update-form input[name=progress]", "50")
    page.set_input_files("#update-form input[name=photos]", str(photo))
    page.click("#update-form button[type=submit]")
    page.wait_for_selector("#updates")

    village = Village.objects.get(pk=yuci_village.pk)
    assert (village.status, village.progress) == (Status.IN_PROGRESS, 50)
    assert Photo.objects.filter(update__village=village).count() == 1
    assert "村内道路硬化完成一半" in page.locator("#updates").inner_text()
    image = page.locator("#updates img").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert page.evaluate("(img) => img.naturalWidth", image.element_handle()) == 320
    history = page.locator("#history").inner_text()
    assert "建设中" in history and "yuci-editor" in history

    browser_page.goto(f"/map/?county={YUCI}&year=2025")
    page.wait_for_selector("[data-villages-drawn]")
    drawn = page.evaluate("() => ProgressMap.last.data.villages")
    # Rows are compact: [lat, lon, township index, last 3 digits of the code, short name, ...].
    mine = [row for row in drawn if str(row[3]).zfill(3) == village.code[-3:] and row[4] == village.short_name]
    assert len(mine) == 1
    assert (round(mine[0][0], 4), round(mine[0][1], 4)) == (round(YUCI_POINT[0], 4), round(YUCI_POINT[1], 4))
    assert browser_page.outside_requests == []
    assert browser_page.console_errors == []


def test_editor_of_another_county_cannot_reach_the_edit_page(browser_page, taigu_editor, yuci_village):
    browser_page.login("taigu-editor")
    response = browser_page.goto(f"/villages/{yuci_village.code}/edit/")
    assert response.status == 404
    assert Village.objects.get(pk=yuci_village.pk).status == Status.PLANNED


def test_city_admin_imports_an_xlsx_in_the_admin_and_sees_the_dashboard_numbers(browser_page, city_admin, tmp_path):
    taigu = list(Village.objects.filter(county_id=TAIGU).order_by("code")[:3])
    rows = [["村代码", "村庄名称", "类型", "年度", "状态"]]
    rows += [[village.code, village.name, "精品示范村", 2025, "已规划"] for village in taigu]
    workbook = tmp_path / "太谷区2025年精品示范村.xlsx"
    workbook.write_bytes(xlsx_file(rows, title_rows=["太谷区2025年精品示范村名单"]))
    page = browser_page.page
    browser_page.login("city-admin")

    browser_page.goto("/admin/villages/village/import/")
    page.set_input_files("#import-form input[type=file]", str(workbook))
    page.click("#import-form [type=submit]")
    page.wait_for_selector("#confirm-import")
    assert Village.objects.filter(county_id=TAIGU, tier=Tier.SHOWCASE).count() == 0
    preview = page.content()
    assert all(village.code in preview for village in taigu)
    page.click("#confirm-import [type=submit]")
    page.wait_for_load_state()

    assert Village.objects.filter(county_id=TAIGU, tier=Tier.SHOWCASE, programme_year=2025).count() == 3
    browser_page.goto("/?year=2025&tier=showcase")
    row = page.locator(f"tr:has(a[href='/counties/{TAIGU}/'])").first
    assert "3" in row.inner_text()
    assert browser_page.outside_requests == []
    assert browser_page.console_errors == []
