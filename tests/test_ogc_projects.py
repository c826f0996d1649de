"""The `projects` collection of the OGC API (issue 24): one feature per project the token's user may see, at its
village's point (illustrative points say so) or without a geometry, with its funds planned by source, spent and 支出率
as of the latest month; filters by county, year, category and stage; CRS84 and CGCS2000."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api_helpers import token_client, token_for
from tests.conftest import YUCI
from tests.project_helpers import make_project, move_to
from villages.models import Village
from villages.projects import workflow
from villages.projects.models import Source, Stage

ITEMS = "/ogc/collections/projects/items"


@pytest.fixture
def projects(yuci_project, yuci_village, taigu_village, taigu_editor, city_admin):
    """榆次's project (储备, 150 万元 planned) at an illustrative point; 太谷's 产业 project under way, 80 万元 planned
    and 40 spent by April 2025, its village without a location."""
    yuci_village.lat, yuci_village.lon, yuci_village.location_source = 37.70, 112.80, "illustrative"
    yuci_village.save()
    taigu = make_project(
        taigu_village, taigu_editor, name="太谷特色种植", category="产业发展", funds={Source.CENTRAL: "80"}
    )
    move_to(taigu, Stage.IN_PROGRESS, taigu_editor, city_admin)
    fund = taigu.funds.get()
    workflow.record_figures(fund, fund.version, taigu_editor, date(2025, 4, 1), Decimal(60), Decimal(40))
    return yuci_project, taigu


@pytest.fixture
def admin(city_admin):
    return token_client(token_for(city_admin))


def refusal(response):
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_the_collections_and_the_definition_list_projects(admin):
    listed = [each["id"] for each in admin.get("/ogc/collections").json()["collections"]]
    assert "projects" in listed
    assert admin.get("/ogc/collections/projects").json()["id"] == "projects"
    definition = admin.get("/ogc/api").json()
    names = {p["name"] for p in definition["paths"]["/collections/projects/items"]["get"]["parameters"]}
    assert {"county", "year", "category", "stage", "bbox", "limit", "offset"} <= names


def test_a_project_carries_its_funds_rate_and_point(admin, projects):
    yuci, taigu = projects
    body = admin.get(ITEMS).json()
    assert body["numberMatched"] == body["numberReturned"] == 2
    features = {feature["id"]: feature for feature in body["features"]}
    at_yuci = features[yuci.pk]
    assert at_yuci["geometry"] == {"type": "Point", "coordinates": [112.80, 37.70]}
    village = yuci.villages.get()
    assert at_yuci["properties"] | {"url": None} == {
        "id": yuci.pk,
        "name": "村道硬化",
        "category": "基础设施",
        "year": 2025,
        "stage": "reserve",
        "county_code": YUCI,
        "county": "榆次区",
        "township_code": village.township_id,
        "township": village.township.name,
        "village_codes": village.code,
        "village_names": village.short_name,
        "planned": 150.0,
        "planned_central": 100.0,
        "planned_provincial": 50.0,
        "planned_city_county": 0.0,
        "planned_pairing": 0.0,
        "planned_social": 0.0,
        "planned_self_raised": 0.0,
        "planned_other": 0.0,
        "planned_linkage": 0.0,
        "spent": 0.0,
        "spending_rate": 0.0,
        "reported_month": None,
        "is_illustrative": False,
        "location_source": "illustrative",
        "illustrative": True,
        "url": None,
    }
    at_taigu = features[taigu.pk]
    assert at_taigu["geometry"] is None
    assert at_taigu["properties"]["location_source"] is None and at_taigu["properties"]["illustrative"] is False
    assert at_taigu["properties"]["spent"] == 40.0 and at_taigu["properties"]["spending_rate"] == 0.5
    assert at_taigu["properties"]["reported_month"] == "2025-04"
    assert at_taigu["properties"]["url"] == f"http://testserver/projects/{taigu.pk}/"
    assert admin.get(f"{ITEMS}/{taigu.pk}").json()["properties"]["name"] == "太谷特色种植"


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"category": "产业发展"}, ["太谷特色种植"]),
        ({"stage": "reserve,in_progress"}, ["村道硬化", "太谷特色种植"]),
        ({"stage": "in_progress"}, ["太谷特色种植"]),
        ({"county": YUCI}, ["村道硬化"]),
        ({"year": "2025"}, ["村道硬化", "太谷特色种植"]),
        ({"year": "2026"}, []),
        ({"bbox": "112.7,37.6,112.9,37.8"}, ["村道硬化"]),
        ({"bbox": "37.6,112.7,37.8,112.9", "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4490"}, ["村道硬化"]),
        ({"bbox": "100,20,101,21"}, []),
    ],
)
def test_filters(admin, projects, query, expected):
    body = admin.get(ITEMS, query).json()
    assert [feature["properties"]["name"] for feature in body["features"]] == expected
    assert body["numberMatched"] == len(expected)


def test_another_countys_editor_sees_only_their_counties_projects(client_for, taigu_editor, projects):
    yuci, taigu = projects
    editor = token_client(token_for(taigu_editor))
    body = editor.get(ITEMS).json()
    listed = client_for(taigu_editor).get("/projects/").context["total"]
    assert body["numberMatched"] == listed == 1
    assert [feature["id"] for feature in body["features"]] == [taigu.pk]
    assert editor.get(ITEMS, {"county": YUCI}).json()["numberMatched"] == 0
    assert editor.get(f"{ITEMS}/{yuci.pk}").status_code == 404
    assert editor.get(f"{ITEMS}/{taigu.pk}").status_code == 200
    assert editor.get(f"{ITEMS}/not-a-number").status_code == 404


@pytest.mark.parametrize(
    "name, value",
    [("category", "农业"), ("stage", "finished"), ("county", "1407"), ("year", "1999"), ("tier", "model")],
)
def test_an_unknown_filter_value_is_a_400_with_a_json_reason(admin, registry, name, value):
    body = refusal(admin.get(ITEMS, {name: value}))
    assert body["parameter"] == name and (value in body["error"] or name in body["error"])


def test_cgcs2000_puts_latitude_first(admin, projects):
    yuci, _taigu = projects
    crs84 = admin.get(ITEMS, {"county": YUCI})
    assert crs84["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    cgcs = admin.get(ITEMS, {"county": YUCI, "crs": "http://www.opengis.net/def/crs/EPSG/0/4490"})
    assert cgcs["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/4490>"
    assert cgcs.json()["features"][0]["geometry"]["coordinates"] == pytest.approx([37.70, 112.80], abs=1e-6)
    one = admin.get(f"{ITEMS}/{yuci.pk}", {"crs": "http://www.opengis.net/def/crs/EPSG/0/4490"}).json()
    assert one["geometry"]["coordinates"] == pytest.approx([37.70, 112.80], abs=1e-6)


def test_pages_take_as_many_queries_for_many_projects_and_follow_next_links(admin, projects, yuci_editor):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(ITEMS, {"limit": 2}).status_code == 200
        return len(captured)

    queries()  # the token's first use of the run is recorded once
    few = queries()
    villages = list(Village.objects.filter(county_id=YUCI).order_by("code")[1:6])
    for number, village in enumerate(villages):
        make_project(village, yuci_editor, name=f"项目{number}", funds={Source.CENTRAL: "10", Source.SOCIAL: "5"})
    assert queries() == few
    seen, url = [], ITEMS + "?limit=3"
    while url:
        body = admin.get(url).json()
        seen += [feature["id"] for feature in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert len(seen) == len(set(seen)) == 7
