"""The real client: GDAL's OGC API - Features driver (shipped inside pyogrio) reads every collection from a live
server with a token, and gets exactly the features the token's user may see. Run on SQLite and on PostgreSQL
(DATABASE_URL).

GDAL's OAPIF driver sends headers of its own and so ignores GDAL_HTTP_HEADERS; a token reaches the server with
GDAL_HTTP_AUTH=BEARER and GDAL_HTTP_BEARER=<token> (Authorization: Bearer), or with GDAL_HTTP_HEADER_FILE naming a
file that holds the line `Authorization: Token <token>`.

GDAL runs in a child process, as a GIS client would: pyogrio keeps Python's lock while GDAL reads the pages, and the
live server thread of this process could not answer meanwhile."""

import json
import os
import subprocess
import sys

import pyogrio
import pytest

from api.models import ApiToken
from tests.api_helpers import token_for
from tests.conftest import TAIGU, YUCI
from tests.project_helpers import make_project
from villages.access import visible_villages
from villages.models import Village
from villages.projects.models import Source


@pytest.fixture
def located_registry(registry):
    """Every village of 榆次 and 太谷 located (a grid inside a box around each county seat), the rest not."""
    for county, (lat, lon) in {YUCI: (37.68, 112.72), TAIGU: (37.42, 112.55)}.items():
        villages = list(Village.objects.filter(county_id=county).order_by("code"))
        for index, village in enumerate(villages):
            village.lat, village.lon = lat + (index // 20) * 0.005, lon + (index % 20) * 0.005
            village.location_source = "illustrative"
        Village.objects.bulk_update(villages, ["lat", "lon", "location_source"])


# Reads the layer with GDAL's OAPIF driver and writes it to a GeoPackage for the test to look at.
CHILD = """
import json, sys, pyogrio
url, layer, out, options = sys.argv[1:5]
options = json.loads(options)
if "bbox" in options:
    options["bbox"] = tuple(options["bbox"])
frame = pyogrio.read_dataframe("OAPIF:" + url, layer=layer, **options)
pyogrio.write_dataframe(frame, out, layer=layer)
"""


def gdal_read(live_server, tmp_path, layer, environment, **options):
    out = tmp_path / f"{layer}-{len(list(tmp_path.iterdir()))}.gpkg"
    result = subprocess.run(
        [sys.executable, "-c", CHILD, f"{live_server.url}/ogc/", layer, str(out), json.dumps(options)],
        env={**os.environ, "GDAL_HTTP_TIMEOUT": "120", **environment},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    return pyogrio.read_dataframe(out)


def read(live_server, tmp_path, token, layer, **options):
    return gdal_read(live_server, tmp_path, layer, {"GDAL_HTTP_AUTH": "BEARER", "GDAL_HTTP_BEARER": token}, **options)


def test_gdal_reads_exactly_the_villages_a_county_editor_may_see(live_server, tmp_path, yuci_editor, located_registry):
    frame = read(live_server, tmp_path, token_for(yuci_editor), "villages")
    expected = set(visible_villages(yuci_editor).values_list("code", flat=True))
    assert set(frame["code"]) == expected and len(frame) == len(expected)
    assert set(frame["county_code"]) == {YUCI}
    located = frame[frame.geometry.notna()]
    assert len(located) == Village.objects.filter(county_id=YUCI).count()
    assert located.crs.to_string() == "OGC:CRS84"
    assert located.geometry.x.between(112.7, 112.9).all() and located.geometry.y.between(37.6, 37.9).all()
    assert located["illustrative"].all()


def test_gdal_reads_every_collection_for_an_administrator(live_server, tmp_path, city_admin, located_registry):
    token = token_for(city_admin)
    villages = read(live_server, tmp_path, token, "villages")
    assert len(villages) == Village.objects.count() and villages["code"].is_unique
    counties = read(live_server, tmp_path, token, "counties")
    assert len(counties) == 11 and counties.geometry.notna().all()
    assert {"upgraded_designated", "upgraded_quota_illustrative"} <= set(counties.columns)
    townships = read(live_server, tmp_path, token, "townships")
    assert len(townships) == 130 and townships["villages"].sum() == Village.objects.count()


def test_gdal_reads_cgcs2000_and_a_bbox(live_server, tmp_path, city_admin, located_registry):
    token = token_for(city_admin)
    box = (112.70, 37.60, 112.85, 37.80)  # around 榆次's points only
    frame = read(live_server, tmp_path, token, "villages", bbox=box)
    assert set(frame["county_code"]) == {YUCI} and len(frame) == Village.objects.filter(county_id=YUCI).count()
    cgcs = read(live_server, tmp_path, token, "villages", bbox=box, CRS="EPSG:4490")
    assert cgcs.crs.to_epsg() == 4490 and len(cgcs) == len(frame)
    assert cgcs.geometry.x.between(112.7, 112.9).all() and cgcs.geometry.y.between(37.6, 37.9).all()


def test_gdal_sends_the_token_scheme_from_a_header_file(live_server, tmp_path, yuci_editor, located_registry):
    headers = tmp_path / "headers.txt"
    headers.write_text(f"Authorization: Token {token_for(yuci_editor)}\n")
    frame = gdal_read(live_server, tmp_path, "townships", {"GDAL_HTTP_HEADER_FILE": str(headers)})
    assert len(frame) == 130


def test_gdal_with_a_revoked_token_gets_nothing(live_server, tmp_path, city_admin, located_registry):
    token = token_for(city_admin)
    ApiToken.objects.update(revoked_at="2025-01-01T00:00:00Z")
    with pytest.raises(RuntimeError, match="401"):
        read(live_server, tmp_path, token, "villages")


def test_gdal_reads_the_projects_a_county_editor_may_see(
    live_server, tmp_path, yuci_editor, taigu_editor, city_admin, located_registry
):
    yuci_village = Village.objects.filter(county_id=YUCI).order_by("code").first()
    taigu_village = Village.objects.filter(county_id=TAIGU).order_by("code").first()
    make_project(yuci_village, yuci_editor, name="榆次村道硬化", funds={Source.CENTRAL: "150"})
    make_project(taigu_village, taigu_editor, name="太谷特色种植", category="产业发展", funds={Source.CENTRAL: "80"})
    frame = read(live_server, tmp_path, token_for(yuci_editor), "projects")
    assert list(frame["name"]) == ["榆次村道硬化"]
    assert list(frame["planned"]) == [150]
    assert frame.geometry.iloc[0].x == yuci_village.lon and frame.geometry.iloc[0].y == yuci_village.lat
    assert list(frame["illustrative"]) == [True]
    everything = read(live_server, tmp_path, token_for(city_admin), "projects")
    assert sorted(everything["name"]) == ["太谷特色种植", "榆次村道硬化"]
