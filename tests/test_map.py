import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from counties.models import County, CountyBoundary, Pairing
from tests.map_helpers import HESHUN, QIXIAN, TAIGU, YEAR, YUCI, expected_villages, map_data, village_codes
from villages.maps.data import MAP_TIERS
from villages.maps.style import TIER_LAYER_NAMES
from villages.models import LocationSource, Status, Tier, Village

pytestmark = pytest.mark.django_db

MAP = reverse("villages:map")


def get_map(client, **params):
    response = client.get(MAP, {"year": YEAR, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitor_is_redirected_to_login_and_gets_no_map_data(client, map_villages):
    response = client.get(MAP)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert b"progress-map-data" not in response.content


def test_map_draws_every_located_village_of_the_year_and_the_other_villages(viewer, client_for, map_villages):
    data = map_data(get_map(client_for(viewer)))
    expected = expected_villages()
    assert village_codes(data) == sorted(expected.values_list("code", flat=True))
    for index, tier in enumerate(MAP_TIERS):
        assert sum(row[5] == index for row in data["villages"]) == expected.filter(tier=tier).count()
    illustrative = {data["townships"][row[2]][0] + f"{row[3]:03d}" for row in data["villages"] if row[9]}
    assert illustrative == set(
        expected.filter(location_source=LocationSource.ILLUSTRATIVE).values_list("code", flat=True)
    )


def test_the_page_is_in_the_site_layout_with_a_layer_per_tier_and_counties_and_pairings(
    viewer, client_for, map_villages
):
    html = get_map(client_for(viewer))
    assert 'class="site-header"' in html
    overlays = re.search(r"overlays\s*:\s*\{(.*?)\}", html, re.S).group(1)
    with translation.override("zh-hans"):
        expected = [gettext("Counties"), *(str(TIER_LAYER_NAMES[tier]) for tier in MAP_TIERS), gettext("Pairings")]
    assert [json.loads(f'"{name}"') for name in re.findall(r'"([^"]+)"\s*:', overlays)] == expected
    assert expected[1] == "精品示范村"
    data = map_data(html)
    assert len(data["counties"]["features"]) == County.objects.count() == 11


@pytest.mark.parametrize(
    "params, filters",
    [
        ({"tier": Tier.SHOWCASE}, {"tier": Tier.SHOWCASE}),
        ({"tier": Tier.NONE}, {"tier": Tier.NONE}),
        ({"status": Status.ACCEPTED}, {"status": Status.ACCEPTED}),
        ({"county": TAIGU}, {"county_id": TAIGU}),
        ({"county": YUCI, "tier": Tier.UPGRADED}, {"county_id": YUCI, "tier": Tier.UPGRADED}),
    ],
)
def test_filters_change_which_villages_are_drawn(viewer, client_for, map_villages, params, filters):
    data = map_data(get_map(client_for(viewer), **params))
    expected = sorted(expected_villages(**filters).values_list("code", flat=True))
    assert expected and village_codes(data) == expected


def test_year_filter_draws_that_years_villages(viewer, client_for, map_villages):
    data = map_data(get_map(client_for(viewer), year=YEAR + 1))
    assert village_codes(data) == sorted(expected_villages(year=YEAR + 1).values_list("code", flat=True))
    assert Village.objects.filter(programme_year=YEAR + 1, lat__isnull=False).count() == 1


def flatten_points(coordinates):
    if isinstance(coordinates[0], (int, float)):
        yield coordinates
    else:
        for part in coordinates:
            yield from flatten_points(part)


def test_county_filter_zooms_to_that_county(viewer, client_for, map_villages):
    html = get_map(client_for(viewer), county=TAIGU)
    bounds = [value for corner in map_data(html)["bounds"] for value in corner]
    taigu = next(f for f in map_data(html)["counties"]["features"] if f["id"] == TAIGU)
    points = list(flatten_points(taigu["geometry"]["coordinates"]))
    lons, lats = [point[0] for point in points], [point[1] for point in points]
    assert bounds == pytest.approx([min(lats), min(lons), max(lats), max(lons)])


def test_a_changed_county_boundary_is_drawn_and_zoomed_to_at_once(viewer, client_for, map_villages):
    client = client_for(viewer)
    get_map(client, county=TAIGU)  # the boundaries are now decoded and kept by this process
    taigu = CountyBoundary.objects.get(county_id=TAIGU)
    shifted = json.loads(json.dumps(taigu.geometry).replace("[112.", "[113."))
    assert shifted != taigu.geometry
    taigu.geometry = shifted
    taigu.save()
    data = map_data(get_map(client, county=TAIGU))
    drawn = next(f for f in data["counties"]["features"] if f["id"] == TAIGU)["geometry"]
    # Simplified: fewer points, every one of them a point of the new boundary.
    drawn_points = [tuple(point) for point in flatten_points(drawn["coordinates"])]
    assert set(drawn_points) <= {tuple(point) for point in flatten_points(shifted["coordinates"])}
    assert drawn_points[0] == tuple(shifted["coordinates"][0][0])
    lons = [point[0] for point in flatten_points(shifted["coordinates"])]
    assert [data["bounds"][0][1], data["bounds"][1][1]] == pytest.approx([min(lons), max(lons)])


def test_map_layer_names_follow_the_language_of_each_request(viewer, client_for, map_villages):
    def layer_names(html):
        overlays = re.search(r"overlays\s*:\s*\{(.*?)\}", html, re.S).group(1)
        return [json.loads(f'"{name}"') for name in re.findall(r'"([^"]+)"\s*:', overlays)]

    client = client_for(viewer)
    chinese = layer_names(get_map(client))
    client.post(reverse("set_language"), {"language": "en", "next": MAP})
    english = layer_names(get_map(client))
    client.post(reverse("set_language"), {"language": "zh-hans", "next": MAP})
    assert layer_names(get_map(client)) == chinese
    assert chinese[:2] == ["县（市、区）", "精品示范村"] and english[:2] == ["Counties", "Showcase villages"]


def test_pairings_of_the_year_are_drawn_and_a_county_filter_keeps_its_own(viewer, client_for, map_villages):
    data = map_data(get_map(client_for(viewer)))
    active = Pairing.objects.filter(start_year__lte=YEAR).exclude(end_year__lt=YEAR)
    assert len(data["pairings"]) == active.count() == 2
    assert {row[4] for row in data["pairings"]} == {Pairing.Kind.HELP, Pairing.Kind.NEIGHBOURS}
    assert any("示例" in row[6] or "演示" in row[6] for row in data["pairings"])

    data = map_data(get_map(client_for(viewer), county=QIXIAN))
    assert len(data["pairings"]) == 1 and data["pairings"][0][4] == Pairing.Kind.NEIGHBOURS


@pytest.mark.parametrize("tier", ["", Tier.SHOWCASE, Tier.UPGRADED, Tier.NONE])
def test_villages_without_a_location_are_counted_with_a_link_to_exactly_their_list(
    viewer, client_for, map_villages, tier
):
    client = client_for(viewer)
    html = get_map(client, county=YUCI, tier=tier)
    unlocated = Village.objects.filter(county_id=YUCI, lat__isnull=True)
    if tier == Tier.NONE:
        expected = unlocated.filter(tier=Tier.NONE).count()
    else:
        expected = unlocated.filter(programme_year=YEAR).filter(**({"tier": tier} if tier else {})).count()
    paragraph = re.search(r'<p id="without-location">(.*?)</p>', html, re.S).group(1)
    assert re.search(r"\b(\d+)\b", paragraph).group(1) == str(expected)
    if expected:
        link = re.search(r'href="([^"]+)"', paragraph).group(1).replace("&amp;", "&")
        assert "located=no" in link and f"county={YUCI}" in link
        listed = client.get(link).content.decode()
        assert re.search(r'<p class="counts" id="counts">\s*<strong>\D*(\d+)', listed).group(1) == str(expected)


def test_county_editor_sees_every_county_of_the_city_and_only_the_villages_they_may_see(
    yuci_editor, client_for, map_villages
):
    html = get_map(client_for(yuci_editor))
    data = map_data(html)
    # 榆次's editor sees 榆次's villages and those of 和顺, paired with it this year (none of them located).
    assert village_codes(data) == sorted(expected_villages(counties=[YUCI]).values_list("code", flat=True))
    # Every county of the city, each with its colour, as the city's map draws them; none left to list.
    features = data["counties"]["features"]
    assert sorted(f["id"] for f in features) == sorted(County.objects.values_list("code", flat=True))
    assert all(f["properties"]["style"]["fillColor"] for f in features)
    assert 'id="counties-not-drawn"' not in html
    # The map opens on the whole city, as its PNG does.
    points = [p for boundary in CountyBoundary.objects.all() for p in flatten_points(boundary.geometry["coordinates"])]
    lons, lats = [point[0] for point in points], [point[1] for point in points]
    assert [*data["bounds"][0], *data["bounds"][1]] == pytest.approx([min(lats), min(lons), max(lats), max(lons)])
    assert "村庄点位只显示榆次区、和顺县的村庄" in html


def test_county_editor_map_draws_only_the_pairings_of_their_counties_and_lists_the_others(
    yuci_editor, client_for, map_villages
):
    html = get_map(client_for(yuci_editor))
    drawn = map_data(html)["pairings"]
    yuci, heshun = County.objects.get(code=YUCI), County.objects.get(code=HESHUN)
    assert [row[:4] for row in drawn] == [[yuci.label_lat, yuci.label_lon, heshun.label_lat, heshun.label_lon]]
    listed = re.search(r'<details id="pairings-not-drawn">(.*?)</details>', html, re.S).group(1)
    other = Pairing.objects.get(county_a_id=QIXIAN)
    assert re.findall(r'<li data-pairing="(\d+)">', listed) == [str(other.pk)]
    assert str(other) in listed and "祁县" in listed


def test_city_staff_map_draws_every_pairing_and_lists_none(viewer, client_for, map_villages):
    html = get_map(client_for(viewer))
    assert len(map_data(html)["pairings"]) == 2
    assert 'id="pairings-not-drawn"' not in html


@pytest.mark.parametrize("user", ["viewer", "city_admin", "province_viewer", "province_admin"])
def test_the_note_on_whose_villages_are_shown_is_for_county_editors_only(user, request, client_for, map_villages):
    html = get_map(client_for(request.getfixturevalue(user)))
    assert 'id="villages-shown"' not in html
    assert "村庄点位只显示" not in html


def test_county_editor_may_zoom_to_another_county_and_sees_its_figures_not_its_villages(
    yuci_editor, client_for, map_villages
):
    response = client_for(yuci_editor).get(MAP, {"county": TAIGU})
    assert response.status_code == 200
    data = map_data(response.content.decode())
    assert data["villages"] == []
    # Every county is drawn, and the map is fitted to the one zoomed to; only 榆次's pairing would be drawn, and
    # 太谷 is in none this year.
    assert len(data["counties"]["features"]) == 11 and data["pairings"] == []
    taigu = CountyBoundary.objects.get(county_id=TAIGU).geometry
    lats = [point[1] for point in flatten_points(taigu["coordinates"])]
    assert [data["bounds"][0][0], data["bounds"][1][0]] == pytest.approx([min(lats), max(lats)])


def test_an_unknown_county_in_the_filter_is_refused(viewer, client_for, map_villages):
    response = client_for(viewer).get(MAP, {"county": "999999"})
    assert response.status_code == 400
    assert "progress-map-data" not in response.content.decode()
    assert "不在可用的选项中" in response.content.decode()


@pytest.mark.parametrize(
    "params", [{"year": "abc"}, {"year": "1999"}, {"tier": "gold"}, {"status": "done"}, {"county": "999999"}]
)
def test_bad_filters_get_a_clear_error_and_no_map(viewer, client_for, map_villages, params):
    response = client_for(viewer).get(MAP, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert "progress-map-data" not in html


def test_no_asset_is_requested_outside_the_app(viewer, client_for, map_villages):
    html = get_map(client_for(viewer))
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith("/static/") or url == "/manifest.webmanifest" for url in assets)
    assert "/static/vendor/leaflet/leaflet.js" in assets and "/static/vendor/leaflet/leaflet.css" in assets
    assert not re.search(r"https?://|//cdn|cdnjs|jsdelivr|bootstrapcdn|jquery", html)
    assert "L.tileLayer" not in html


def test_a_configured_tile_layer_is_the_only_outside_url(viewer, client_for, map_villages, settings):
    settings.MAP_TILES_URL = "https://tiles.intranet.example/{z}/{x}/{y}.png"
    settings.MAP_TILES_ATTRIBUTION = "内网底图"
    html = get_map(client_for(viewer))
    assert "L.tileLayer" in html and json.dumps("内网底图")[1:-1] in html
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {settings.MAP_TILES_URL}


def test_static_leaflet_files_are_found_in_the_installed_package():
    from django.contrib.staticfiles import finders

    for path in [
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "vendor/leaflet/images/layers.png",
        "js/progress_map.js",
    ]:
        assert finders.find(path), path


def test_query_count_does_not_grow_with_the_number_of_villages(viewer, client_for, map_villages):
    client = client_for(viewer)
    get_map(client)
    with CaptureQueriesContext(connection) as few:
        get_map(client)
    more = list(Village.objects.filter(county_id="140781", tier=Tier.NONE).order_by("code")[:60])
    for village in more:
        village.lat, village.lon, village.location_source = 37.03, 111.9, LocationSource.SURVEYED
    Village.objects.bulk_update(more, ["lat", "lon", "location_source"])
    with CaptureQueriesContext(connection) as many:
        html = get_map(client)
    assert len(map_data(html)["villages"]) == expected_villages().count() > 60
    assert len(many) == len(few)


def test_map_speaks_english_when_switched(viewer, client_for, map_villages):
    client = client_for(viewer)
    client.post(reverse("set_language"), {"language": "en", "next": MAP})
    html = get_map(client)
    assert "Progress map" in html and "Showcase villages" in html
    assert map_data(html)["text"]["open"] == "Open the village page"


def test_popup_date_is_the_local_date_of_the_last_update(viewer, client_for, map_villages):
    from datetime import UTC, date, datetime

    from django.utils import timezone

    village = expected_villages().order_by("code").first()
    updated = datetime(2025, 11, 25, 17, 30, tzinfo=UTC)  # already the next day in 晋中 (UTC+8)
    Village.objects.filter(pk=village.pk).update(updated_at=updated)
    data = map_data(get_map(client_for(viewer)))
    row = next(row for row in data["villages"] if data["townships"][row[2]][0] + f"{row[3]:03d}" == village.code)
    assert row[8] == (timezone.localtime(updated).date() - date(1970, 1, 1)).days


def test_a_tile_url_without_placeholders_stops_the_app_with_one_line():
    from tests.test_settings import manage

    result = manage("check", MAP_TILES_URL="https://tiles.example/map.png")
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "Configuration error: MAP_TILES_URL='https://tiles.example/map.png' must contain {z}, {x} and {y}."
    )


def test_the_map_and_the_dashboard_open_on_the_same_year(viewer, client_for, map_villages):
    client = client_for(viewer)
    map_year = client.get(MAP).context["form"].selected_year
    assert map_year == client.get(reverse("villages:home")).context["data"].year


@pytest.mark.parametrize("today,expected", [("2026-06-01", 2026), ("2025-03-01", 2025), ("2024-12-31", 2024)])
def test_pages_open_on_the_latest_programme_year_up_to_today(map_villages, today, expected):
    from datetime import date

    from villages.progress.counts import default_year

    # map_helpers.PLAN designates villages for 2025 and 2026; the migrations set targets for 2025 and 2027.
    assert default_year(date.fromisoformat(today)) == expected


def test_boundaries_are_decoded_once_per_county_and_kept_while_unchanged(viewer, client_for, map_villages):
    from counties import boundaries

    boundaries.DECODED.clear()
    first = boundaries.county_places()
    second = boundaries.county_places()
    # One entry per county with a boundary (the cache is sized to the data), the same objects on a second read.
    assert len(boundaries.DECODED) == CountyBoundary.objects.count() == 11
    assert all(second[code] is first[code] for code in first)


def test_a_map_reads_the_boundaries_themselves_only_when_one_is_new_or_changed(viewer, client_for, map_villages):
    client = client_for(viewer)
    get_map(client)
    with CaptureQueriesContext(connection) as unchanged:
        get_map(client)
    assert not [query for query in unchanged.captured_queries if '"geometry"' in query["sql"]]
    taigu = CountyBoundary.objects.get(county_id=TAIGU)
    taigu.geometry = json.loads(json.dumps(taigu.geometry).replace("[112.", "[113."))
    taigu.save(update_fields=["geometry"])
    with CaptureQueriesContext(connection) as changed:
        get_map(client)
    read = [query["sql"] for query in changed.captured_queries if '"geometry"' in query["sql"]]
    assert len(read) == 1 and f"'{TAIGU}'" in read[0] and f"'{YUCI}'" not in read[0]


def test_the_outlines_are_simpler_on_the_whole_map_than_zoomed_to_a_county(viewer, client_for, map_villages):
    client = client_for(viewer)

    def taigu_points(**params):
        features = map_data(get_map(client, **params))["counties"]["features"]
        return [
            tuple(p) for p in flatten_points(next(f for f in features if f["id"] == TAIGU)["geometry"]["coordinates"])
        ]

    original = {tuple(p) for p in flatten_points(CountyBoundary.objects.get(county_id=TAIGU).geometry["coordinates"])}
    whole, zoomed = taigu_points(), taigu_points(county=TAIGU)
    assert len(whole) < len(zoomed) < len(original)
    assert set(zoomed) <= original


def test_a_village_row_written_by_the_database_holds_its_values_and_a_name_safe_in_the_page(
    viewer, client_for, map_villages
):
    from datetime import UTC, datetime

    village = expected_villages().order_by("code").first()
    name = 'A"村<b>&\\'
    Village.objects.filter(pk=village.pk).update(
        lat=37.123456789,
        lon=112.9876543,
        short_name=name,
        location_source=LocationSource.SURVEYED,
        updated_at=datetime(2025, 11, 25, 16, 1, tzinfo=UTC),  # 00:01 on the 26th in 晋中
    )
    html = get_map(client_for(viewer))
    assert "<b>" not in html.split('id="progress-map-data"')[1].split("</script>")[0]
    data = map_data(html)
    row = next(row for row in data["villages"] if data["townships"][row[2]][0] + f"{row[3]:03d}" == village.code)
    assert data["townships"][row[2]][0] == village.township_id
    assert row[:2] == [37.12346, 112.98765]
    assert row[3:5] == [int(village.code[9:]), name]
    assert row[5:8] == [MAP_TIERS.index(village.tier), Status.values.index(village.status), village.progress]
    assert row[8:] == [20418, 0]
