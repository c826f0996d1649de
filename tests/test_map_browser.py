from datetime import date

import pytest

from counties.models import County
from tests.conftest import BrowserPage
from tests.map_helpers import HESHUN, YUCI, expected_villages
from tests.project_helpers import make_project
from villages.maps.style import NO_QUOTA_COLOUR
from villages.models import Tier
from villages.projects.map_colours import SHARE_COLOURS
from villages.projects.models import Category, Source

pytestmark = pytest.mark.browser

DRAWN_MARKERS = """() => ProgressMap.last.layers.groups
  .filter(group => ProgressMap.last.map.hasLayer(group))
  .reduce((count, group) => count + group.getLayers().filter(marker => marker._map && marker._renderer).length, 0)"""
DRAWN_COUNTIES = """() => ProgressMap.last.layers.counties.getLayers()
  .filter(layer => layer instanceof L.Polygon && layer._map).length"""
# Page coordinates of a point, and how far (px) the nearest village marker drawn is from it.
PAGE_POINT = """([lat, lon]) => {
  const map = ProgressMap.last.map;
  const box = map.getContainer().getBoundingClientRect();
  const point = map.latLngToContainerPoint([lat, lon]);
  const distances = ProgressMap.last.layers.groups.flatMap(group => group.getLayers())
    .map(marker => map.latLngToContainerPoint(marker.getLatLng()).distanceTo(point));
  return {x: box.left + point.x, y: box.top + point.y, nearest: Math.min(Infinity, ...distances)};
}"""
# Along a pairing line, the point farthest from every village marker, in page coordinates.
QUIET_POINT_ON_LINE = """([from, to]) => {
  const map = ProgressMap.last.map;
  const box = map.getContainer().getBoundingClientRect();
  const a = map.latLngToContainerPoint(from), b = map.latLngToContainerPoint(to);
  const markers = ProgressMap.last.layers.groups.flatMap(group => group.getLayers())
    .map(marker => map.latLngToContainerPoint(marker.getLatLng()));
  let best = null;
  for (let t = 0.1; t <= 0.55; t += 0.01) {  // the arrow sits at 0.6
    const point = a.add(b.subtract(a).multiplyBy(t));
    const nearest = Math.min(Infinity, ...markers.map(marker => marker.distanceTo(point)));
    if (!best || nearest > best.nearest) best = {x: box.left + point.x, y: box.top + point.y, nearest: nearest};
  }
  return best;
}"""


def open_map(browser_page, path="/map/?year=2025"):
    browser_page.login("viewer")
    browser_page.goto(path)
    browser_page.page.wait_for_selector("[data-villages-drawn]")
    return browser_page.page


def test_chromium_gets_the_map_as_zstd_and_draws_it(browser_page, viewer, map_villages):
    browser_page.login("viewer")
    response = browser_page.goto("/map/?year=2025")
    assert response.headers["content-encoding"] == "zstd"
    browser_page.page.wait_for_selector("[data-villages-drawn]")
    assert browser_page.page.evaluate(DRAWN_MARKERS) == expected_villages().count() > 0
    assert browser_page.console_errors == []


def test_map_draws_11_counties_and_every_village_with_nothing_from_outside(browser_page, viewer, map_villages):
    page = open_map(browser_page)
    assert page.evaluate(DRAWN_COUNTIES) == 11
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
    assert page.evaluate(DRAWN_COUNTIES) == 0


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


COUNTY_FILLS = """() => Object.fromEntries(ProgressMap.last.layers.counties.getLayers()
  .filter(layer => layer instanceof L.Polygon).map(layer => [layer.feature.properties.name, layer.options.fillColor]))"""


def test_on_a_phone_the_counties_are_coloured_by_the_money_chosen_in_the_filters(
    phone_page, viewer, map_villages, yuci_village, yuci_editor
):
    make_project(yuci_village, yuci_editor, name="A", category=Category.INDUSTRY, funds={Source.CENTRAL: 100})
    page = open_map(phone_page)
    page.select_option("#id_colour", "industry")
    page.click("#map-filters button[type=submit]")
    page.wait_for_selector("[data-villages-drawn]")
    assert "colour=industry" in page.url
    fills = page.evaluate(COUNTY_FILLS)
    assert fills["榆次区"] == SHARE_COLOURS["meets"] and fills["左权县"] == NO_QUOTA_COLOUR
    assert "≥ 60 %" in page.locator("#colour-legend").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone_page.console_errors == []


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


def hover(page, x, y):
    """Rest the pointer at x, y. Leaflet reads the pointer's moves at most every 32 ms: the last one must count."""
    page.mouse.move(x - 2, y - 2)
    page.wait_for_timeout(100)
    page.mouse.move(x, y)


def label_point(code):
    county = County.objects.get(code=code)
    return [county.label_lat, county.label_lon]


def test_hovering_a_county_away_from_any_village_shows_its_tooltip(browser_page, viewer, map_villages):
    page = open_map(browser_page)
    for code, name in [("140722", "左权县"), ("140725", "寿阳县")]:  # neither has a village or a pairing line
        point = page.evaluate(PAGE_POINT, label_point(code))
        assert point["nearest"] > 15, "the test needs a point away from the villages"
        hover(page, point["x"], point["y"])
        tooltip = page.locator(".leaflet-tooltip", has_text=name)
        tooltip.wait_for(timeout=5000)
        assert "验收通过" in tooltip.inner_text()
    assert browser_page.console_errors == []


def test_clicking_a_pairing_line_opens_its_popup(browser_page, viewer, map_villages):
    page = open_map(browser_page)
    point = page.evaluate(QUIET_POINT_ON_LINE, [label_point(YUCI), label_point(HESHUN)])
    assert point["nearest"] > 15, "the test needs a point of the line away from the villages"
    page.mouse.click(point["x"], point["y"])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert "榆次区 → 和顺县" in popup.inner_text() and "经济大县帮扶小县" in popup.inner_text()
    assert browser_page.console_errors == []


def test_villages_stay_clickable_after_the_counties_are_switched_off_and_on(browser_page, viewer, map_villages):
    page = open_map(browser_page)
    counties = page.locator(".leaflet-control-layers-overlays label", has_text="县（市、区）").locator("input")
    counties.uncheck()
    counties.check()
    assert page.evaluate(DRAWN_COUNTIES) == 11
    village = expected_villages().filter(tier=Tier.UPGRADED, county_id=YUCI).order_by("code").first()
    page.evaluate(
        "([lat, lon]) => ProgressMap.last.map.setView([lat, lon], 15, { animate: false })", [village.lat, village.lon]
    )
    point = page.evaluate(PAGE_POINT, [village.lat, village.lon])
    page.mouse.click(point["x"], point["y"])
    page.locator(".leaflet-popup-content", has_text=village.short_name).wait_for(timeout=5000)


def test_the_year_filter_is_the_dashboards_list_of_years(browser_page, viewer, map_villages):
    page = open_map(browser_page, "/map/")
    map_years = page.eval_on_selector_all("#id_year option", "options => options.map(o => [o.value, o.selected])")
    browser_page.goto("/")
    dashboard_years = page.eval_on_selector_all("#id_year option", "options => options.map(o => [o.value, o.selected])")
    assert map_years == dashboard_years
    # map_helpers.PLAN designates villages for 2025 and 2026; both open on the latest year up to this one.
    years = [int(value) for value, _selected in map_years]
    assert {2025, 2026, date.today().year} <= set(years)
    opens_on = max(year for year in years if year <= date.today().year)
    assert [int(value) for value, selected in map_years if selected] == [opens_on]


DRAWN_PAIRING_LINES = """() => ProgressMap.last.layers.pairings.getLayers()
  .filter(layer => layer instanceof L.Polyline && layer._map).length"""


def test_a_county_editor_map_draws_the_whole_city_its_own_pairing_and_lists_the_others(
    browser_page, yuci_editor, map_villages
):
    browser_page.login(yuci_editor.username)
    browser_page.goto("/map/?year=2025")
    page = browser_page.page
    page.wait_for_selector("[data-villages-drawn]")
    assert page.evaluate(DRAWN_COUNTIES) == 11
    assert page.locator(".county-label").count() == 11
    assert page.evaluate(DRAWN_MARKERS) == expected_villages(counties=[YUCI]).count() > 0
    # 榆次 → 和顺 is drawn; 祁县 and 平遥's pairing is listed beside the map, not drawn.
    assert page.evaluate(DRAWN_PAIRING_LINES) == 1
    point = page.evaluate(QUIET_POINT_ON_LINE, [label_point(YUCI), label_point(HESHUN)])
    page.mouse.click(point["x"], point["y"])
    page.locator(".leaflet-popup-content", has_text="榆次区 → 和顺县").wait_for(timeout=5000)
    listed = page.locator("#pairings-not-drawn")
    assert not listed.locator("li").is_visible()
    listed.locator("summary").click()
    assert listed.locator("li").count() == 1 and "祁县" in listed.locator("li").inner_text()
    assert "村庄点位只显示榆次区、和顺县的村庄" in page.locator("#villages-shown").inner_text()
    assert browser_page.console_errors == []


def test_a_city_administrator_map_has_no_note_about_an_editors_villages(browser_page, city_admin, map_villages):
    browser_page.login(city_admin.username)
    browser_page.goto("/map/?year=2025")
    page = browser_page.page
    page.wait_for_selector("[data-villages-drawn]")
    assert page.evaluate(DRAWN_COUNTIES) == 11
    assert page.evaluate(DRAWN_PAIRING_LINES) == 2
    assert page.locator("#villages-shown").count() == 0
    assert page.locator("#pairings-not-drawn").count() == 0
