"""Downloads: the GeoPackage of the user's scope (read back with GDAL), the CSV/XLSX of the dashboard and county
tables with the demo marks as columns, and the read API under /api/v1/ with its OpenAPI description."""

import csv
import io

import openpyxl
import pyogrio
import pytest
from django.test import Client

from tests.api_helpers import token_client, token_for
from tests.conftest import TAIGU, YUCI
from villages.models import CountyQuota, Tier, Village


@pytest.fixture
def located(registry):
    yuci = Village.objects.filter(county_id=YUCI).order_by("code").first()
    yuci.lat, yuci.lon, yuci.location_source = 37.68, 112.75, "illustrative"
    yuci.tier, yuci.programme_year, yuci.status = Tier.UPGRADED, 2025, "in_progress"
    yuci.save()
    CountyQuota.objects.create(year=2025, tier=Tier.UPGRADED, county_id=YUCI, count=3, is_illustrative=True)
    return yuci


def geopackage(client, tmp_path, **query):
    response = client.get("/downloads/gis.gpkg", query)
    assert response.status_code == 200, response
    assert "attachment" in response["Content-Disposition"]
    path = tmp_path / "scope.gpkg"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def test_the_geopackage_holds_the_scope_of_a_county_editor(yuci_editor, located, tmp_path):
    path = geopackage(token_client(token_for(yuci_editor)), tmp_path)
    assert {name for name, _kind in pyogrio.list_layers(path)} == {"villages", "counties", "townships"}
    villages = pyogrio.read_dataframe(path, layer="villages")
    assert len(villages) == Village.objects.filter(county_id=YUCI).count()
    assert set(villages["county_code"]) == {YUCI}
    marked = villages[villages["code"] == located.code].iloc[0]
    assert bool(marked["illustrative"]) and marked.geometry.x == pytest.approx(112.75)
    assert villages.geometry.isna().sum() == len(villages) - 1
    counties = pyogrio.read_dataframe(path, layer="counties")
    assert list(counties["code"]) == [YUCI] and counties.geometry.notna().all()
    townships = pyogrio.read_dataframe(path, layer="townships", read_geometry=False)
    assert set(townships["county_code"]) == {YUCI}


def test_the_geopackage_in_cgcs2000(city_admin, located, tmp_path):
    path = geopackage(token_client(token_for(city_admin)), tmp_path, crs="4490")
    villages = pyogrio.read_dataframe(path, layer="villages")
    assert villages.crs.to_epsg() == 4490 and len(villages) == Village.objects.count()
    point = villages[villages["code"] == located.code].geometry.iloc[0]
    assert (point.x, point.y) == pytest.approx((112.75, 37.68))


def test_the_geopackage_refuses_an_unknown_crs_and_strangers(city_admin, registry):
    response = token_client(token_for(city_admin)).get("/downloads/gis.gpkg", {"crs": "3857"})
    assert response.status_code == 400 and "4490" in response.json()["error"]
    assert Client().get("/downloads/gis.gpkg").status_code == 401


def test_the_dashboard_table_as_csv_marks_demo_quotas_in_a_column(client_for, viewer, located):
    response = client_for(viewer).get("/", {"year": 2025, "tier": "upgraded", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    yuci = next(row for row in body if row[0] == YUCI)
    assert yuci[header.index("任务数为示意数据")] == "是" and yuci[header.index("已确定村庄")] == "1"
    taigu = next(row for row in body if row[0] == TAIGU)
    assert taigu[header.index("任务数为示意数据")] == "否"
    assert body[-1][0] == "" and len(body) == 12  # 11 counties and the total


def test_the_dashboard_tables_as_xlsx_one_sheet_each(client_for, viewer, located):
    response = client_for(viewer).get("/", {"year": 2025, "tier": "upgraded", "format": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 3
    progress = workbook.worksheets[0]
    header = [cell.value for cell in progress[1]]
    yuci = next(row for row in progress.iter_rows(min_row=2, values_only=True) if row[0] == YUCI)
    assert yuci[header.index("已确定村庄")] == 1 and yuci[header.index("任务数为示意数据")] == "是"
    assert yuci[header.index("验收完成率（占任务数）")] == pytest.approx(0.0)


def test_the_county_page_tables(client_for, yuci_editor, located):
    client = client_for(yuci_editor)
    response = client.get(f"/counties/{YUCI}/", {"format": "csv", "table": "townships"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sum(int(row[2]) for row in rows[1:-1]) == int(rows[-1][2]) == Village.objects.filter(county_id=YUCI).count()
    years = list(
        csv.reader(io.StringIO(client.get(f"/counties/{YUCI}/", {"format": "csv"}).content.decode("utf-8-sig")))
    )
    assert years[1][0] == "2025"


@pytest.mark.parametrize("query", [{"format": "pdf"}, {"format": "csv", "table": "nothing"}])
def test_a_table_file_that_is_not_offered_is_a_400(client_for, viewer, registry, query):
    assert client_for(viewer).get(f"/counties/{YUCI}/", query).status_code == 400


def test_the_read_api_gives_the_dashboard_rows_as_the_page_shows_them(client_for, yuci_editor, located):
    api = token_client(token_for(yuci_editor)).get("/api/v1/dashboard", {"year": 2025, "tier": "upgraded"}).json()
    page = client_for(yuci_editor).get("/", {"year": 2025, "tier": "upgraded"}).context["data"]
    assert (api["year"], api["tier"], api["level"]) == (2025, "upgraded", "county")
    yuci = next(row for row in api["rows"] if row["code"] == YUCI)
    shown = next(row for row in page.rows if row.unit.code == YUCI).progress
    assert (yuci["designated"], yuci["quota"], yuci["quota_illustrative"]) == (shown.designated, 3, True)
    assert api["rows"][-1]["code"] == "" and len(api["rows"]) == 12


def test_the_read_api_gives_a_countys_figures_and_the_burnup_series(city_admin, located):
    api = token_client(token_for(city_admin))
    county = api.get(f"/api/v1/counties/{YUCI}").json()
    assert county["years"][0]["year"] == 2025 and county["years"][0]["tier"] == "upgraded"
    assert county["years"][0]["quota_illustrative"] is True
    series = api.get("/api/v1/progress", {"county": YUCI}).json()
    assert {each["tier"] for each in series} == {"showcase", "upgraded"}
    assert all(point["accepted"] == 0 for each in series for point in each["points"])


@pytest.mark.parametrize(
    "path,status",
    [
        ("/api/v1/dashboard?tier=gold", 400),
        ("/api/v1/dashboard?year=abc", 400),
        ("/api/v1/counties/999999", 404),
        ("/api/v1/cities/9999/dashboard", 404),
    ],
)
def test_the_read_api_refuses_bad_input_with_a_json_reason(city_admin, registry, path, status):
    response = token_client(token_for(city_admin)).get(path)
    assert response.status_code == status and response.json()["error"]


def test_the_read_api_needs_a_session_or_a_token(registry):
    response = Client().get("/api/v1/dashboard")
    assert response.status_code == 401 and response.json()["error"]


def test_the_openapi_description_and_its_page_need_no_cdn(client_for, viewer):
    client = client_for(viewer)
    description = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/dashboard", "/api/v1/counties/{code}", "/api/v1/progress"} <= set(description["paths"])
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert Client().get("/api/v1/docs").status_code == 302  # to the login page


@pytest.mark.browser
def test_the_api_description_page_shows_offline_within_the_csp(browser_page, viewer):
    browser_page.login("viewer")
    browser_page.goto("/api/v1/docs")
    browser_page.page.wait_for_selector(".opblock-summary-path", timeout=60_000)
    assert "/api/v1/dashboard" in browser_page.page.content()
    assert browser_page.outside_requests == [] and browser_page.csp_violations == []
