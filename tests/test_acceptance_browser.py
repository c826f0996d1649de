"""The review page on a desktop and the self-assessment on a 390 px phone, in chromium."""

import pytest

from tests.acceptance_helpers import FULL, apply, complete, make_standard
from tests.village_helpers import jpeg_bytes
from villages.acceptance.models import Application, Evidence
from villages.models import Status, Village

pytestmark = pytest.mark.browser


def test_the_city_reviews_side_by_side_sees_the_total_and_the_village_is_returned(
    browser_page, client_for, city_admin, yuci_editor, yuci_village, media_root
):
    standard = make_standard()
    village = complete(yuci_village)
    apply(client_for(yuci_editor), village, standard, FULL, action="finish", texts={"3": "已分类收集"})
    page = browser_page.page
    browser_page.login(city_admin.username)
    browser_page.goto(f"/villages/{village.code}/")
    page.click("#review-link")
    page.wait_for_selector("#review-form")
    row = page.locator('.review-row[data-item="3"]')
    page.wait_for_load_state("load")  # photos above the row would move it while it is measured
    # One snapshot of the three boxes, so that nothing moves between the measurements.
    item_box, county_box, city_box = row.evaluate(
        "row => ['.review-item', '.review-county', '.review-city'].map(selector => {"
        " const box = row.querySelector(selector).getBoundingClientRect(); return {x: box.x, y: box.y}; })"
    )
    assert item_box["x"] < county_box["x"] < city_box["x"]  # side by side
    assert abs(item_box["y"] - county_box["y"]) < 5
    assert "已分类收集" in row.locator(".review-county").inner_text()
    for number, score in {"1": "25", "2": "20", "3": "20", "4": "22"}.items():
        page.fill(f'.review-row[data-item="{number}"] input.score', score)
    assert page.locator("[data-live-total-value]").first.inner_text() == "87"
    assert page.locator("[data-live-verdict]").first.inner_text() == "不通过"
    page.fill('.review-row[data-item="4"] input.score', "25")  # 90: reaches the pass score
    assert page.locator("[data-live-verdict]").first.inner_text() == "通过"
    page.fill('.review-row[data-item="4"] input.score', "22")
    page.click("#finish-confirm > summary")
    page.click("#finish-review")
    page.wait_for_selector("#round-items")
    assert page.locator('#round-items tr[data-item="3"] [data-col="city"]').inner_text() == "20"
    assert "退回" in page.locator("#round-facts").inner_text()
    assert Village.objects.get(pk=village.pk).status == Status.IN_PROGRESS
    assert browser_page.outside_requests == [] and browser_page.console_errors == []


def test_the_county_fills_the_self_assessment_on_a_phone_saves_a_draft_and_submits(
    browser_page, yuci_editor, yuci_village, media_root, tmp_path
):
    make_standard()
    village = complete(yuci_village)
    photo = tmp_path / "道路.jpg"
    photo.write_bytes(jpeg_bytes(size=(640, 480)))
    page = browser_page.page
    page.set_viewport_size({"width": 390, "height": 844})
    browser_page.login(yuci_editor.username)
    browser_page.goto(f"/villages/{village.code}/")
    page.click("#apply-link")
    page.wait_for_selector("#self-assessment")
    item = page.locator('article.item[data-item="1"]')
    item.locator("input.score").fill("28")
    item.locator("textarea").fill("已硬化 3.2 公里")
    item.locator('input[type="file"]').set_input_files(str(photo))
    assert page.locator("[data-live-total-value]").first.inner_text() == "28"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.click('button[value="save"]')
    page.wait_for_selector(".messages .success")
    assert page.locator('article.item[data-item="1"] input.score').input_value() == "28"
    assert Evidence.objects.get().name == "道路.jpg"
    for number, score in {"2": "20", "3": "24.5", "4": "25"}.items():
        page.fill(f'article.item[data-item="{number}"] input.score', score)
    assert page.locator("[data-live-total-value]").first.inner_text() == "97.5"
    page.click("#submit-application")
    page.wait_for_selector("#acceptance-rounds")
    assert Application.objects.get().status == "submitted"
    assert Village.objects.get(pk=village.pk).status == Status.UNDER_REVIEW
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert browser_page.outside_requests == [] and browser_page.console_errors == []
