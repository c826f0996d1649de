"""OGC API - Features at /ogc/ through the Django test client: the documents, paging, filters, CRS and every bad
input of issue 24 (a 400 with a JSON reason). GDAL's own client is in tests/test_ogc_gdal.py."""

import json

import pytest
from django.test import Client

from api.ogc.params import DEFAULT_LIMIT, MAX_LIMIT
from tests.api_helpers import token_client, token_for
from tests.conftest import TAIGU, YUCI
from villages.models import Village

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CGCS2000 = "http://www.opengis.net/def/crs/EPSG/0/4490"
ITEMS = "/ogc/collections/villages/items"


@pytest.fixture
def located(registry):
    """Three located villages: two in 榆次 (one of them an illustrative point), one in 太谷."""
    yuci = list(Village.objects.filter(county_id=YUCI).order_by("code")[:2])
    taigu = Village.objects.filter(county_id=TAIGU).order_by("code").first()
    places = [
        (yuci[0], 37.68, 112.75, "surveyed"),
        (yuci[1], 37.70, 112.80, "illustrative"),
        (taigu, 37.42, 112.55, "imported"),
    ]
    for village, lat, lon, source in places:
        village.lat, village.lon, village.location_source = lat, lon, source
        village.save()
    return [place[0] for place in places]


@pytest.fixture
def admin(city_admin):
    return token_client(token_for(city_admin))


def reason(response, status=400):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]


def test_the_landing_page_links_the_definition_conformance_and_collections(admin):
    response = admin.get("/ogc/")
    assert response.status_code == 200
    rels = {link["rel"]: link for link in response.json()["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    assert rels["data"]["href"] == "http://testserver/ogc/collections"
    conformance = admin.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conformance
    definition = admin.get(rels["service-desc"]["href"]).json()
    limit = next(
        p for p in definition["paths"]["/collections/villages/items"]["get"]["parameters"] if p["name"] == "limit"
    )
    assert limit["schema"]["maximum"] == MAX_LIMIT


def test_the_collections_offer_both_coordinate_systems(admin):
    body = admin.get("/ogc/collections").json()
    assert [each["id"] for each in body["collections"]] == ["villages", "counties", "townships", "projects"]
    for each in body["collections"]:
        assert each["crs"] == [CRS84, CGCS2000] and each["storageCrs"] == CRS84
        west, south, east, north = each["extent"]["spatial"]["bbox"][0]
        assert 111 < west < east < 115 and 36 < south < north < 39  # 晋中


def test_a_county_editor_gets_exactly_the_villages_of_their_list_page(client_for, yuci_editor, located):
    editor = token_client(token_for(yuci_editor))
    body = editor.get(ITEMS, {"limit": 10000}).json()
    listed = client_for(yuci_editor).get("/villages/", {"tier": "all"}).context["total"]  # 全部村庄
    assert body["numberMatched"] == body["numberReturned"] == listed == Village.objects.filter(county_id=YUCI).count()
    assert {feature["properties"]["county_code"] for feature in body["features"]} == {YUCI}
    # 太谷 is not theirs: asking for it gives nothing, and its village is not there to be fetched.
    assert editor.get(ITEMS, {"county": TAIGU}).json()["numberMatched"] == 0
    assert editor.get(f"{ITEMS}/{located[2].code}").status_code == 404
    assert editor.get(f"{ITEMS}/{located[0].code}").status_code == 200


def test_villages_without_a_location_have_no_geometry_and_illustrative_points_say_so(admin, located):
    features = {f["id"]: f for f in admin.get(ITEMS, {"county": YUCI, "limit": 10000}).json()["features"]}
    assert features[located[0].code]["geometry"] == {"type": "Point", "coordinates": [112.75, 37.68]}
    assert features[located[0].code]["properties"]["illustrative"] is False
    assert features[located[1].code]["properties"]["location_source"] == "illustrative"
    assert features[located[1].code]["properties"]["illustrative"] is True
    unlocated = [f for f in features.values() if f["geometry"] is None]
    assert len(unlocated) == len(features) - 2


def test_pages_follow_next_links_to_every_village_once(admin, registry):
    total = Village.objects.count()
    seen, url, pages = [], ITEMS + "?limit=700", 0
    while url:
        body = admin.get(url).json()
        assert body["numberMatched"] == total
        seen += [feature["id"] for feature in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        pages += 1
    assert pages == -(-total // 700) and len(seen) == len(set(seen)) == total
    assert admin.get(ITEMS).json()["numberReturned"] == min(DEFAULT_LIMIT, total)


def test_a_limit_above_the_maximum_is_capped_and_says_so(admin, registry):
    body = admin.get(ITEMS, {"limit": MAX_LIMIT * 5}).json()
    assert body["numberReturned"] == min(MAX_LIMIT, Village.objects.count())
    assert str(MAX_LIMIT) in body["notice"] and str(MAX_LIMIT * 5) in body["notice"]


def test_bbox_filters_in_either_coordinate_system(admin, located):
    around_yuci = admin.get(ITEMS, {"bbox": "112.7,37.6,112.9,37.8"}).json()
    assert {f["id"] for f in around_yuci["features"]} == {located[0].code, located[1].code}
    lat_first = admin.get(ITEMS, {"bbox": "37.6,112.7,37.8,112.9", "bbox-crs": CGCS2000}).json()
    assert {f["id"] for f in lat_first["features"]} == {located[0].code, located[1].code}


def test_cgcs2000_puts_latitude_first_and_says_so(admin, located):
    response = admin.get(f"{ITEMS}/{located[0].code}", {"crs": CGCS2000})
    assert response["Content-Crs"] == f"<{CGCS2000}>"
    assert response.json()["geometry"]["coordinates"] == pytest.approx([37.68, 112.75], abs=1e-6)
    assert admin.get(ITEMS, {"limit": 1})["Content-Crs"] == f"<{CRS84}>"
    county = admin.get(f"/ogc/collections/counties/items/{YUCI}", {"crs": CGCS2000}).json()
    lat, lon = (
        county["geometry"]["coordinates"][0][0][:2]
        if county["geometry"]["type"] == "Polygon"
        else (county["geometry"]["coordinates"][0][0][0][:2])
    )
    assert 36 < lat < 39 and 111 < lon < 115


def test_filters_by_tier_status_and_year(admin, yuci_village):
    body = admin.get(ITEMS, {"tier": "upgraded", "status": "in_progress", "year": 2025}).json()
    assert [f["id"] for f in body["features"]] == [yuci_village.code]
    assert admin.get(ITEMS, {"tier": "upgraded", "year": 2026}).json()["numberMatched"] == 0


def test_counties_carry_their_outline_and_figures_for_every_signed_in_user(client_for, yuci_editor, admin):
    editor = token_client(token_for(yuci_editor))
    mine, everything = (
        editor.get("/ogc/collections/counties/items").json(),
        admin.get("/ogc/collections/counties/items").json(),
    )
    assert mine["features"] == everything["features"] and mine["numberMatched"] == 11
    yuci = next(f for f in mine["features"] if f["id"] == YUCI)
    assert yuci["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert {"upgraded_designated", "upgraded_quota", "upgraded_quota_illustrative", "showcase_accepted"} <= set(
        yuci["properties"]
    )


def test_townships_are_listed_without_a_geometry(admin):
    body = admin.get("/ogc/collections/townships/items", {"county": YUCI}).json()
    assert body["numberMatched"] == body["numberReturned"] > 0
    assert all(f["geometry"] is None and f["properties"]["county_code"] == YUCI for f in body["features"])
    assert sum(f["properties"]["villages"] for f in body["features"]) == Village.objects.filter(county_id=YUCI).count()


@pytest.mark.parametrize(
    "path,query,words",
    [
        (ITEMS, {"bbox": "112.9,37.6,112.7,37.8"}, "bbox"),
        (ITEMS, {"bbox": "112.7,37.8,112.9,37.6"}, "bbox"),
        (ITEMS, {"bbox": "170,37,190,38"}, "bbox"),
        (ITEMS, {"bbox": "112,-95,113,38"}, "bbox"),
        (ITEMS, {"bbox": "112,37,113"}, "bbox"),
        (ITEMS, {"bbox": "a,b,c,d"}, "bbox"),
        (ITEMS, {"bbox": "nan,37,113,38"}, "bbox"),
        (ITEMS, {"crs": "http://www.opengis.net/def/crs/EPSG/0/3857"}, "crs"),
        (ITEMS, {"bbox-crs": "EPSG:4490", "bbox": "37,112,38,113"}, "bbox-crs"),
        (ITEMS, {"tier": "gold"}, "tier"),
        (ITEMS, {"status": "done"}, "status"),
        (ITEMS, {"county": "14070"}, "county"),
        (ITEMS, {"year": "1999"}, "year"),
        (ITEMS, {"colour": "red"}, "colour"),
        (ITEMS, {"limit": "0"}, "limit"),
        (ITEMS, {"limit": "many"}, "limit"),
        (ITEMS, {"offset": "-1"}, "offset"),
        (ITEMS, {"datetime": "yesterday"}, "datetime"),
        (ITEMS, {"datetime": "2025-12-01/2025-01-01"}, "datetime"),
        (ITEMS, {"f": "html"}, "f"),
        ("/ogc/collections/rivers/items", {}, "rivers"),
        ("/ogc/collections/rivers", {}, "rivers"),
        ("/ogc/collections/townships/items", {"tier": "upgraded"}, "tier"),
        ("/ogc/collections", {"token": "x"}, "token"),
    ],
)
def test_bad_input_is_a_400_with_a_json_reason(admin, path, query, words):
    assert words in reason(admin.get(path, query))


def test_without_a_session_or_token_the_api_answers_401_in_json(registry):
    assert reason(Client().get(ITEMS), 401)
    assert reason(Client().get("/ogc/"), 401)


def test_a_browser_session_reads_the_api_too(client_for, yuci_editor):
    assert client_for(yuci_editor).get("/ogc/collections").status_code == 200


def test_the_api_is_read_only(city_admin, admin):
    assert admin.post(ITEMS, {}).status_code == 403  # a read-only token
    assert token_client(token_for(city_admin, "write", can_write=True)).post(ITEMS, {}).status_code == 405


def test_no_link_the_api_writes_carries_the_token(city_admin, located):
    token = token_for(city_admin, "links")
    client = token_client(token)
    for path in ["/ogc/", "/ogc/collections", "/ogc/api", ITEMS + "?limit=2", f"{ITEMS}/{located[0].code}"]:
        text = client.get(path).content.decode()
        assert token not in text and token[5:15] not in text
        json.loads(text)
