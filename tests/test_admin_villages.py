"""The admin's villages: none added there, a list that fits 1,366 px, the full name as on the village's page
(issue 25, item 8)."""

import pytest
from django.db.models.functions import Length
from django.utils import timezone

from villages.models import Village

LIST = "/admin/villages/village/"


def test_villages_are_not_added_in_the_admin(client_for, city_admin):
    client = client_for(city_admin)
    assert f'href="{LIST}add/"' not in client.get("/admin/").content.decode()
    assert f'href="{LIST}add/"' not in client.get(LIST).content.decode()
    assert client.get(f"{LIST}add/").status_code == 403


def test_the_edit_pages_name_the_village_as_its_page_does(client_for, city_admin, yuci_village):
    client = client_for(city_admin)
    assert yuci_village.name != yuci_village.short_name
    heading = f"<h1>{yuci_village.name} <small"
    assert heading in client.get(f"/villages/{yuci_village.code}/").content.decode()
    edit_page = client.get(f"/villages/{yuci_village.code}/edit/").content.decode()
    assert f"<title>编辑 {yuci_village.name}" in edit_page and f"<h1>编辑 {yuci_village.name}</h1>" in edit_page
    admin_page = client.get(f"{LIST}{yuci_village.pk}/change/").content.decode()
    assert f"<h2>{yuci_village.name} ({yuci_village.code})</h2>" in admin_page


def test_the_admins_village_list_shows_the_last_change_as_a_day(client_for, city_admin, yuci_village):
    page = client_for(city_admin).get(LIST, {"q": yuci_village.code}).content.decode()
    assert '<th scope="col" class="sortable column-last_change">' in page
    assert f'<td class="field-last_change">{timezone.localdate(yuci_village.updated_at):%Y-%m-%d}</td>' in page


@pytest.mark.browser
def test_the_admins_village_list_fits_1366_px_one_line_a_village(browser_page, city_admin):
    longest = Village.objects.annotate(length=Length("name")).order_by("-length", "code").first()
    county = longest.county_id
    Village.objects.filter(pk=longest.pk).update(tier="showcase", programme_year=2025, status="accepted", progress=100)
    page = browser_page.page
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_page.login("city-admin")
    browser_page.goto(f"{LIST}?county__code__exact={county}&o=6")  # by status: the accepted village first
    styles = page.locator("#result_list td.field-name, #result_list td.field-status").evaluate_all(
        "cells => cells.map(cell => getComputedStyle(cell).whiteSpace)"
    )
    assert set(styles) == {"nowrap"}, "names and statuses may wrap"
    results = page.locator("#changelist .results")
    assert results.evaluate("box => box.scrollWidth <= box.clientWidth"), "the list is cut at the side"
    header = page.locator("th.column-last_change").bounding_box()
    assert header["x"] + header["width"] <= 1366
    heights = page.locator("#result_list tbody tr").evaluate_all("rows => rows.map(row => row.offsetHeight)")
    assert max(heights) == min(heights), "a row wraps"
    assert page.locator(f"#result_list tbody tr:has-text('{longest.name}')").count() == 1
    assert not browser_page.console_errors
