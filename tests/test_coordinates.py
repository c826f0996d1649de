"""A location typed on the edit page: converted to WGS84 from the map it was read from, refused outside the county."""

import math

import pytest

from counties.models import County
from tests.village_helpers import edit_data
from villages.models import Village

# The published GCJ-02 forward transform (Krasovsky 1940 ellipsoid), written out independently of prcoords.
A = 6378245.0
EE = 0.00669342162296594323


def gcj02_from_wgs84(lat, lon):
    x, y = lon - 105.0, lat - 35.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_lon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d_lon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((A * (1 - EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lat + d_lat, lon + d_lon


def metres_between(lat1, lon1, lat2, lon2):
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def test_a_gcj02_point_from_amap_is_stored_in_wgs84_within_one_metre(client_for, yuci_editor, yuci_village):
    yuci = County.objects.get(code="140702")
    true_lat, true_lon = yuci.label_lat, yuci.label_lon  # a WGS84 point inside 榆次区
    amap_lat, amap_lon = gcj02_from_wgs84(true_lat, true_lon)
    assert metres_between(true_lat, true_lon, amap_lat, amap_lon) > 100  # the offset is real, not a no-op
    data = edit_data(
        yuci_village, location_lat=f"{amap_lat:.7f}", location_lon=f"{amap_lon:.7f}", coordinate_system="gcj02"
    )
    assert client_for(yuci_editor).post(f"/villages/{yuci_village.code}/edit/", data).status_code == 302
    village = Village.objects.get(pk=yuci_village.pk)
    assert metres_between(village.lat, village.lon, true_lat, true_lon) < 1
    assert village.location_source == "surveyed"


def test_a_wgs84_point_is_stored_as_typed(client_for, yuci_editor, yuci_village):
    yuci = County.objects.get(code="140702")
    data = edit_data(yuci_village, location_lat=yuci.label_lat, location_lon=yuci.label_lon)
    client_for(yuci_editor).post(f"/villages/{yuci_village.code}/edit/", data)
    village = Village.objects.get(pk=yuci_village.pk)
    assert (village.lat, village.lon) == (yuci.label_lat, yuci.label_lon)


@pytest.mark.parametrize("lat,lon", [(37.8706, 112.5489), (37.4300, 112.7000)])  # 太原 city centre; inside 太谷区
def test_a_point_outside_the_county_is_refused_with_a_clear_message(client_for, yuci_editor, yuci_village, lat, lon):
    before = Village.objects.values().get(pk=yuci_village.pk)
    response = client_for(yuci_editor).post(
        f"/villages/{yuci_village.code}/edit/", edit_data(yuci_village, location_lat=lat, location_lon=lon)
    )
    assert response.status_code == 200
    message = " ".join(response.context["form"].non_field_errors())
    assert "榆次区" in message and f"{lat:.6f}" in message
    assert Village.objects.values().get(pk=yuci_village.pk) == before


def test_half_a_location_is_refused(client_for, yuci_editor, yuci_village):
    response = client_for(yuci_editor).post(
        f"/villages/{yuci_village.code}/edit/", edit_data(yuci_village, location_lat=37.6, location_lon="")
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_saving_without_touching_an_illustrative_location_keeps_it_illustrative(client_for, yuci_editor, yuci_village):
    yuci = County.objects.get(code="140702")
    Village.objects.filter(pk=yuci_village.pk).update(
        lat=yuci.label_lat, lon=yuci.label_lon, location_source="illustrative"
    )
    client_for(yuci_editor).post(f"/villages/{yuci_village.code}/edit/", edit_data(yuci_village, notes="只改备注"))
    village = Village.objects.get(pk=yuci_village.pk)
    assert (village.location_source, village.notes) == ("illustrative", "只改备注")


def test_the_village_page_marks_an_illustrative_location(client_for, viewer, yuci_village):
    yuci = County.objects.get(code="140702")
    Village.objects.filter(pk=yuci_village.pk).update(
        lat=yuci.label_lat, lon=yuci.label_lon, location_source="illustrative"
    )
    page = client_for(viewer).get(f"/villages/{yuci_village.code}/").content.decode()
    assert "<svg" in page and "示意位置" in page
