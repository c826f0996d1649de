"""The 待复核 status everywhere a status shows: village pages, the map and its API, the export, the import."""

import json

import pytest
from django.utils import translation

from tests.acceptance_helpers import FULL, apply, complete, make_standard
from tests.import_helpers import csv_file
from villages.imports.importer import import_villages
from villages.models import Status, Village


@pytest.fixture
def waiting(client_for, yuci_editor, yuci_village):
    standard = make_standard()
    village = complete(yuci_village)
    apply(client_for(yuci_editor), village, standard, FULL, action="finish")
    village.refresh_from_db()
    assert village.status == Status.UNDER_REVIEW
    return village


def test_a_village_awaiting_review_shows_on_its_page_the_list_and_the_edit_page(client_for, yuci_editor, waiting):
    client = client_for(yuci_editor)
    assert "待复核" in client.get(f"/villages/{waiting.code}/").content.decode()
    listed = client.get("/villages/", {"status": "under_review"})
    assert [village.code for village in listed.context["page"]] == [waiting.code]
    edit = client.get(f"/villages/{waiting.code}/edit/")
    assert [value for value, _label in edit.context["form"].fields["status"].widget.choices] == ["under_review"]


def test_the_map_and_its_api_show_a_village_awaiting_review(client_for, viewer, waiting):
    Village.objects.filter(pk=waiting.pk).update(lat=37.68, lon=112.75, location_source="surveyed")
    client = client_for(viewer)
    assert client.get("/map/").status_code == 200
    assert client.get("/map.png").status_code == 200
    features = json.loads(b"".join(client.get("/api/villages.geojson", {"status": "under_review"}).streaming_content))[
        "features"
    ]
    assert [feature["properties"]["code"] for feature in features] == [waiting.code]


def test_the_export_writes_待复核(client_for, city_admin, waiting):
    response = client_for(city_admin).post(
        "/admin/villages/village/export/", {"format": "1", "resource": "0", "village__code": waiting.code}
    )
    assert response.status_code == 200 and "待复核".encode() in response.content


def test_an_import_can_neither_set_待复核_nor_accept_a_village_with_a_standard(city_admin, yuci_village):
    make_standard()
    village = complete(yuci_village)
    content = csv_file([["村代码", "状态"], [village.code, "待复核"]])
    with translation.override("en"):
        result = import_villages(content, "list.csv", city_admin)
        assert [str(problem) for problem in result.problems] == [
            f"Row 2, column 状态: {village.code} {village.name}: 待复核 is set by submitting an application for acceptance, not by import"
        ]
        result = import_villages(csv_file([["村代码", "状态"], [village.code, "验收通过"]]), "list.csv", city_admin)
        assert [str(problem) for problem in result.problems] == [
            f"Row 2, column 状态: {village.code} {village.name}: villages of this tier and year are accepted only through a passed review against "
            "the standard"
        ]
    assert Village.objects.get(pk=village.pk).status == Status.COMPLETED


def test_an_import_still_accepts_a_village_of_a_tier_and_year_without_a_standard(city_admin, yuci_village):
    village = complete(yuci_village)
    result = import_villages(csv_file([["村代码", "状态"], [village.code, "验收通过"]]), "list.csv", city_admin)
    assert result.problems == [] and Village.objects.get(pk=village.pk).status == Status.ACCEPTED
