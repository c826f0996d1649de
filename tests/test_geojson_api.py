import gzip
import json

import brotli
import pytest
from backports import zstd
from django.urls import reverse

from counties.models import County, CountyBoundary
from tests.map_helpers import TAIGU, YEAR, YUCI, expected_villages
from villages.maps import data as map_data
from villages.models import CountyQuota, LocationSource, Status, Target, Tier, Village

pytestmark = pytest.mark.django_db

VILLAGES = reverse("villages:api_villages")
COUNTIES = reverse("villages:api_counties")


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def geojson(client, url, **params):
    response = client.get(url, {"year": YEAR, **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(body(response))
    assert data["type"] == "FeatureCollection"
    return data


@pytest.mark.parametrize("url", [VILLAGES, COUNTIES])
def test_anonymous_user_gets_401_and_no_features(client, map_villages, url):
    response = client.get(url)
    assert response.status_code == 401
    assert "features" not in json.loads(response.content)


def test_villages_endpoint_returns_every_located_village_with_its_properties(viewer, client_for, map_villages):
    data = geojson(client_for(viewer), VILLAGES)
    expected = expected_villages()
    assert sorted(f["id"] for f in data["features"]) == sorted(expected.values_list("code", flat=True))
    village = expected.filter(location_source=LocationSource.ILLUSTRATIVE).first()
    feature = next(f for f in data["features"] if f["id"] == village.code)
    assert feature["geometry"] == {"type": "Point", "coordinates": [village.lon, village.lat]}
    properties = feature["properties"]
    assert properties["name"] == village.name
    assert properties["township"] == village.township.name
    assert properties["county"] == village.county.name
    assert (properties["tier"], properties["status"], properties["progress"]) == (
        village.tier,
        village.status,
        village.progress,
    )
    assert properties["illustrative"] is True
    assert properties["url"].endswith(f"/villages/{village.code}/")


@pytest.mark.parametrize(
    "params, filters",
    [
        ({"tier": Tier.UPGRADED}, {"tier": Tier.UPGRADED}),
        ({"status": Status.COMPLETED}, {"status": Status.COMPLETED}),
        ({"county": YUCI}, {"county_id": YUCI}),
        ({"county": TAIGU, "status": Status.ACCEPTED}, {"county_id": TAIGU, "status": Status.ACCEPTED}),
    ],
)
def test_villages_endpoint_takes_the_map_filters(viewer, client_for, map_villages, params, filters):
    data = geojson(client_for(viewer), VILLAGES, **params)
    expected = sorted(expected_villages(**filters).values_list("code", flat=True))
    assert expected and sorted(f["id"] for f in data["features"]) == expected


def test_villages_endpoint_year_filter(viewer, client_for, map_villages):
    data = geojson(client_for(viewer), VILLAGES, year=YEAR + 1)
    assert sorted(f["id"] for f in data["features"]) == sorted(
        expected_villages(year=YEAR + 1).values_list("code", flat=True)
    )


def test_county_editor_gets_only_the_villages_of_their_own_and_paired_counties(yuci_editor, client_for, map_villages):
    data = geojson(client_for(yuci_editor), VILLAGES)
    assert {f["properties"]["county_code"] for f in data["features"]} == {YUCI}
    assert len(data["features"]) == expected_villages(counties=[YUCI]).count()
    # 太谷 is neither theirs nor paired with 榆次 this year: its villages stay out, even asked for by name.
    assert geojson(client_for(yuci_editor), VILLAGES, county=TAIGU)["features"] == []


def test_bad_filter_gets_400_naming_the_field(viewer, client_for, map_villages):
    response = client_for(viewer).get(VILLAGES, {"year": "20x5"})
    assert response.status_code == 400
    body = json.loads(response.content)
    assert list(body["fields"]) == ["year"]
    assert "年度" in body["error"]


def test_counties_endpoint_has_the_11_boundaries_and_the_years_progress(viewer, client_for, map_villages):
    data = geojson(client_for(viewer), COUNTIES)
    assert len(data["features"]) == County.objects.count() == 11
    by_code = {f["id"]: f for f in data["features"]}
    assert by_code[YUCI]["geometry"] == CountyBoundary.objects.get(county_id=YUCI).geometry
    for code in [YUCI, TAIGU]:
        designated = Village.objects.filter(
            county_id=code, programme_year=YEAR, tier__in=[Tier.SHOWCASE, Tier.UPGRADED]
        )
        properties = by_code[code]["properties"]
        assert properties["designated"] == designated.count()
        assert properties["accepted"] == designated.filter(status=Status.ACCEPTED).count()
        assert properties["completed"] == designated.filter(status=Status.COMPLETED).count()
        assert properties["quota"] is None and properties["share"] is None  # no quota for both tiers together
    showcase = {f["id"]: f["properties"] for f in geojson(client_for(viewer), COUNTIES, tier=Tier.SHOWCASE)["features"]}
    assert (showcase[YUCI]["quota"], showcase[YUCI]["accepted"], showcase[YUCI]["share"]) == (2, 1, 0.5)


def test_a_county_without_a_quota_has_none_even_where_the_city_has_a_target(viewer, client_for, map_villages):
    assert Target.objects.filter(year=YEAR, tier=Tier.UPGRADED, kind=Target.Kind.ANNUAL).exists()
    assert not CountyQuota.objects.filter(year=YEAR, tier=Tier.UPGRADED).exists()
    data = geojson(client_for(viewer), COUNTIES, tier=Tier.UPGRADED)
    assert {(f["properties"]["quota"], f["properties"]["share"]) for f in data["features"]} == {(None, None)}


def test_all_tiers_together_have_a_quota_only_where_every_tier_has_one(viewer, client_for, map_villages):
    CountyQuota.objects.create(year=YEAR, tier=Tier.UPGRADED, county_id=TAIGU, count=4)
    CountyQuota.objects.create(year=YEAR, tier=Tier.SHOWCASE, county_id=TAIGU, count=1)
    data = geojson(client_for(viewer), COUNTIES)
    quotas = {f["id"]: (f["properties"]["quota"], f["properties"]["share"]) for f in data["features"]}
    # 太谷: 1 showcase + 4 upgraded; its villages of 2025 accepted: one of each tier (map_helpers.PLAN).
    assert quotas[TAIGU] == (5, 0.4)
    # 榆次 has a showcase quota only: no quota for both tiers together.
    assert quotas[YUCI] == (None, None)


def test_a_quota_set_by_the_city_is_used_as_is(viewer, client_for, map_villages):
    data = geojson(client_for(viewer), COUNTIES, tier=Tier.SHOWCASE)
    yuci = next(f["properties"] for f in data["features"] if f["id"] == YUCI)
    quota = CountyQuota.objects.get(year=YEAR, tier=Tier.SHOWCASE, county_id=YUCI).count
    assert yuci["quota"] == quota
    accepted = Village.objects.filter(
        county_id=YUCI, programme_year=YEAR, tier=Tier.SHOWCASE, status=Status.ACCEPTED
    ).count()
    assert yuci["share"] == pytest.approx(accepted / quota, abs=1e-4)


def test_a_year_without_target_or_quota_has_no_quota(viewer, client_for, map_villages):
    year = YEAR + 1
    assert not Target.objects.filter(year=year, kind=Target.Kind.ANNUAL).exists()
    assert not CountyQuota.objects.filter(year=year).exists()
    data = geojson(client_for(viewer), COUNTIES, year=year)
    assert {(f["properties"]["quota"], f["properties"]["share"]) for f in data["features"]} == {(None, None)}


def test_county_editor_gets_every_countys_figures(yuci_editor, viewer, client_for, map_villages):
    data = geojson(client_for(yuci_editor), COUNTIES)
    assert data == geojson(client_for(viewer), COUNTIES)
    taigu = next(f["properties"] for f in data["features"] if f["id"] == TAIGU)
    # map_helpers.PLAN: 太谷 has 3 villages designated for 2025, 2 accepted and 1 completed.
    assert (taigu["designated"], taigu["accepted"], taigu["completed"]) == (3, 2, 1)


def test_a_year_outside_the_programme_is_refused_naming_the_years_offered(viewer, client_for, map_villages):
    response = client_for(viewer).get(COUNTIES, {"year": YEAR + 5})
    assert response.status_code == 400
    assert list(json.loads(response.content)["fields"]) == ["year"]


def test_villages_are_streamed_in_chunks_with_the_same_features_whatever_the_chunk(
    viewer, client_for, map_villages, monkeypatch
):
    client = client_for(viewer)
    whole = client.get(VILLAGES, {"year": YEAR})
    assert whole.streaming
    whole = body(whole)
    monkeypatch.setattr(map_data, "FEATURE_CHUNK", 3)
    response = client.get(VILLAGES, {"year": YEAR})
    pieces = list(response.streaming_content)
    # map_helpers.PLAN: 10 villages, 1 without a location, 1 of 2026: 8 features for 2025, 2 of them at
    # illustrative locations; in chunks of 3: the opening, 3 + 3 + 2 features, the closing.
    assert len(pieces) == 5
    assert b"".join(pieces) == whole
    features = json.loads(whole)["features"]
    assert len(features) == 8
    assert sum(f["properties"]["illustrative"] for f in features) == 2
    assert {f["properties"]["location_source"] for f in features if f["properties"]["illustrative"]} == {
        LocationSource.ILLUSTRATIVE
    }


def test_an_empty_selection_streams_an_empty_feature_collection(yuci_editor, client_for, map_villages):
    response = client_for(yuci_editor).get(VILLAGES, {"year": YEAR, "county": TAIGU})
    assert body(response) == b'{"type":"FeatureCollection","features":[]}'


DECODERS = {"gzip": gzip.decompress, "br": brotli.decompress, "zstd": zstd.decompress}
CHROME = "gzip, deflate, br, zstd"  # what Chromium 123 and later accept


@pytest.mark.parametrize("url", [VILLAGES, COUNTIES, reverse("villages:map")])
@pytest.mark.parametrize(
    "accepted,coding", [("gzip", "gzip"), ("gzip, deflate, br", "br"), (CHROME, "zstd"), ("zstd;q=0, gzip", "gzip")]
)
def test_the_map_and_the_geojson_are_compressed_as_the_browser_takes_them(
    viewer, client_for, map_villages, url, accepted, coding
):
    client = client_for(viewer)
    plain = body(client.get(url, {"year": YEAR}))
    response = client.get(url, {"year": YEAR}, headers={"accept-encoding": accepted})
    assert response["Content-Encoding"] == coding
    assert "accept-encoding" in response["Vary"].lower()
    packed = body(response)
    assert len(packed) < len(plain) / 3
    if url != reverse("villages:map"):  # the page differs in its CSRF tokens and nonce from one answer to the next
        assert DECODERS[coding](packed) == plain


def test_a_browser_that_takes_no_compression_gets_the_map_as_it_is(viewer, client_for, map_villages):
    response = client_for(viewer).get(reverse("villages:map"), headers={"accept-encoding": "identity"})
    assert "Content-Encoding" not in response
    assert "accept-encoding" in response["Vary"].lower()
    assert b"progress-map-data" in response.content
