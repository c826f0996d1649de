import pytest

from tests.conftest import BrowserPage
from tests.map_helpers import expected_villages
from villages.models import Tier

pytestmark = pytest.mark.browser

DRAWN_MARKERS = """() => ProgressMap.last.layers.groups
  .filter(group => ProgressMap.last.map.hasLayer(group))
  .reduce((count, group) => count + group.getLayers().filter(marker => marker._map && marker._renderer).length, 0)"""


def open_map(browser_page, path="/map/?year=2025"):
    browser_page.login("viewer")
    browser_page.goto(path)
    browser_page.page.wait_for_selector("[data-villages-drawn]")
    return browser_page.page


def test_map_draws_11_counties_and_every_village_with_nothing_from_outside(browser_page, viewer, map_villages):
    page = open_map(browser_page)
    assert page.locator("path.county-shape").count() == 11
    expected = expected_villages().count()
    assert expected > 0
    assert page.evaluate(DRAWN_MARKERS) == expected
    assert int(page.get_attribute("[data-villages-drawn]", "data-villages-drawn")) == expected
    assert page.locator(".county-label").count() == 11
    assert browser_page.outside_requests == []
    assert browser_page.console_errors == []


def test_clicking_a_village_opens_its_popup(browser_page, viewer, map_villages):
    page = open_map(browser_page)
    village = expected_villages().filter(tier=Tier.SHOWCASE).order_by("code").first()
    point = page.evaluate(
        """([lat, lon]) => {
          const map = ProgressMap.last.map;
          map.setView([lat, lon], 15, { animate: false });  // close enough that no neighbour overlaps it
          const box = map.getContainer().getBoundingClientRect();
          const point = map.latLngToContainerPoint([lat, lon]);
          return [box.left + point.x, box.top + point.y];
        }""",
        [village.lat, village.lon],
    )
    page.mouse.click(*point)
    popup = page.locator(".leaflet-popup-content", has_text=village.short_name)
    popup.wait_for(timeout=5000)
    assert page.locator(".leaflet-popup-content").count() == 1
    text = popup.inner_text()
    assert village.short_name in text and village.township.name in text
    assert popup.locator("a").get_attribute("href").endswith(f"/villages/{village.code}/")
    assert browser_page.console_errors == []


def test_layer_control_hides_a_tier(browser_page, viewer, map_villages):
    page = open_map(browser_page)
    before = page.evaluate(DRAWN_MARKERS)
    page.locator(".leaflet-control-layers-overlays label", has_text="精品示范村").locator("input").uncheck()
    assert page.evaluate(DRAWN_MARKERS) == before - expected_villages().filter(tier=Tier.SHOWCASE).count()
    page.locator(".leaflet-control-layers-overlays label", has_text="县（市、区）").locator("input").uncheck()
    assert page.locator("path.county-shape").count() == 0


@pytest.fixture
def phone_page(chromium, live_server, registry):
    context = chromium.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield BrowserPage(context, live_server.url)
    context.close()


def test_on_a_phone_the_layer_list_is_folded_until_tapped(phone_page, viewer, map_villages):
    browser_page = phone_page
    page = open_map(browser_page)
    control = page.locator(".leaflet-control-layers")
    assert control.count() == 1
    assert "leaflet-control-layers-expanded" not in control.get_attribute("class")
    assert not page.locator(".leaflet-control-layers-list").is_visible()
    folded = control.bounding_box()
    assert folded["width"] < 60 and folded["height"] < 60
    page.locator(".leaflet-control-layers-toggle").tap()
    assert "leaflet-control-layers-expanded" in control.get_attribute("class")
    page.locator(".leaflet-control-layers-overlays label", has_text="精品示范村").locator("input").uncheck()
    assert page.evaluate(DRAWN_MARKERS) == expected_villages().exclude(tier=Tier.SHOWCASE).count()
    assert browser_page.console_errors == []


def test_on_a_desktop_the_layer_list_is_open(browser_page, viewer, map_villages):
    page = open_map(browser_page)
    assert "leaflet-control-layers-expanded" in page.locator(".leaflet-control-layers").get_attribute("class")
    assert page.locator(".leaflet-control-layers-list").is_visible()


def test_filters_in_the_browser_draw_only_the_matching_villages(browser_page, viewer, map_villages):
    page = open_map(browser_page)
    page.select_option("#id_tier", Tier.UPGRADED)
    page.click("#map-filters button[type=submit]")
    page.wait_for_selector("[data-villages-drawn]")
    assert "tier=upgraded" in page.url
    assert page.evaluate(DRAWN_MARKERS) == expected_villages(tier=Tier.UPGRADED).count()
    assert browser_page.outside_requests == []
