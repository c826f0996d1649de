"""村庄撤并: a registry village is withdrawn, not deleted. It keeps its updates, photos and history, leaves every
list, count, map and export, is named as withdrawn by the import, and a city administrator reinstates it with
all of it. The admin has no delete any more."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from tests.conftest import YUCI
from tests.import_helpers import csv_file, messages, run_import
from tests.progress_helpers import figure
from tests.village_helpers import photo_on
from villages.imports.export import csv_bytes
from villages.models import Photo, ProgressUpdate, Village


@pytest.fixture
def located_village(yuci_village, media_root, yuci_editor):
    yuci_village.lat, yuci_village.lon, yuci_village.location_source = 37.68, 112.75, "surveyed"
    yuci_village.save()
    photo = photo_on(yuci_village, media_root, yuci_editor)
    return yuci_village, photo


def withdraw(client, village, reason="并入鸣谦村"):
    village = Village.all_objects.get(pk=village.pk)
    return client.post(f"/villages/{village.code}/withdraw/", {"version": village.version, "reason": reason})


def reinstate(client, village):
    village = Village.all_objects.get(pk=village.pk)
    return client.post(f"/villages/{village.code}/reinstate/", {"version": village.version})


def everywhere(client, village):
    """Where the village shows up: list, dashboard, county page, map data, GeoJSON, export."""
    listed = client.get("/villages/", {"q": village.code}).context["total"]
    dashboard = client.get("/", {"year": 2025, "tier": "upgraded"}).content.decode()
    county = client.get(f"/counties/{YUCI}/").content.decode()
    map_page = client.get("/map/", {"year": 2025}).content.decode()
    geojson = json.loads(
        b"".join(client.get("/api/villages.geojson", {"year": 2025, "county": YUCI}).streaming_content)
    )
    exported = list(csv.reader(io.StringIO(csv_bytes(Village.objects.all()).decode("utf-8-sig"))))
    return {
        "list": listed,
        "dashboard designated": int(figure(dashboard, "designated")),
        "county page": f"{village.short_name}: 路面硬化" in county,  # its update among the latest
        "map": village.code[-3:] in map_page and f'"{village.township_id}"' in map_page,
        "geojson": any(feature["properties"]["code"] == village.code for feature in geojson["features"]),
        "export": any(row[0] == village.code for row in exported),
    }


def test_a_withdrawn_village_leaves_every_list_count_map_and_export_and_keeps_its_updates_and_photos(
    client_for, city_admin, located_village
):
    village, photo = located_village
    client = client_for(city_admin)
    before = everywhere(client, village)
    assert before == {
        "list": 1,
        "dashboard designated": 1,
        "county page": True,
        "map": True,
        "geojson": True,
        "export": True,
    }
    response = withdraw(client, village)
    assert response.status_code == 302 and response["Location"] == f"/villages/{village.code}/"

    assert everywhere(client, village) == {
        "list": 0,
        "dashboard designated": 0,
        "county page": False,
        "map": False,
        "geojson": False,
        "export": False,
    }
    withdrawn = Village.all_objects.get(pk=village.pk)
    assert withdrawn.withdrawn_by == city_admin and withdrawn.withdrawal_reason == "并入鸣谦村"
    assert ProgressUpdate.objects.filter(village_id=village.pk).count() == 1
    assert Photo.objects.get(pk=photo.pk).image.storage.exists(photo.image.name)
    assert client.get(f"/photos/{photo.pk}/").status_code == 200

    page = client.get(f"/villages/{village.code}/").content.decode()
    assert 'id="withdrawn"' in page and "并入鸣谦村" in page and 'id="reinstate-form"' in page
    assert "村庄已撤并" in page  # in the history


def test_a_reinstated_village_comes_back_with_its_updates_photos_and_history(client_for, city_admin, located_village):
    village, photo = located_village
    client = client_for(city_admin)
    before = everywhere(client, village)
    withdraw(client, village)
    response = reinstate(client, village)
    assert response.status_code == 302
    assert everywhere(client, village) == before
    back = Village.objects.get(pk=village.pk)
    assert (back.tier, back.programme_year, back.status, back.lat) == ("upgraded", 2025, "in_progress", 37.68)
    assert (back.withdrawn_at, back.withdrawn_by, back.withdrawal_reason) == (None, None, "")
    assert back.updates.get().photos.get() == photo
    history = client.get(f"/villages/{village.code}/").content.decode()
    assert "村庄已撤并" in history and "村庄已恢复" in history and "并入鸣谦村" in history


def test_the_withdrawn_villages_page_lists_them_with_a_reinstate_button(client_for, city_admin, located_village):
    village, _photo = located_village
    client = client_for(city_admin)
    assert f'data-code="{village.code}"' not in client.get("/villages/deleted/").content.decode()
    withdraw(client, village)
    page = client.get("/villages/deleted/").content.decode()
    assert f'data-code="{village.code}"' in page and "并入鸣谦村" in page and "city-admin" in page
    assert f'action="/villages/{village.code}/reinstate/"' in page


def test_a_withdrawn_village_cannot_be_edited_or_updated_by_anyone(
    client_for, city_admin, yuci_editor, located_village
):
    village, _photo = located_village
    withdraw(client_for(city_admin), village)
    for user in (city_admin, yuci_editor):
        client = client_for(user)
        assert client.get(f"/villages/{village.code}/edit/").status_code == 404
        assert (
            client.post(f"/villages/{village.code}/updates/new/", {"date": "2025-06-02", "text": "x"}).status_code
            == 404
        )
    page = client_for(yuci_editor).get(f"/villages/{village.code}/").content.decode()
    assert 'id="withdrawn"' in page and f"/villages/{village.code}/edit/" not in page
    assert 'id="reinstate-form"' not in page  # only city administrators reinstate
    assert ProgressUpdate.objects.filter(village_id=village.pk).count() == 1


def test_withdrawing_needs_a_reason(client_for, city_admin, yuci_village):
    response = withdraw(client_for(city_admin), yuci_village, reason="  ")
    assert response.status_code == 302
    assert Village.objects.filter(pk=yuci_village.pk).exists()


@pytest.mark.parametrize(
    "user_fixture,expected", [("yuci_editor", 403), ("taigu_editor", 404), ("viewer", 403), ("city_admin", 302)]
)
def test_only_a_city_administrator_reinstates(request, client_for, city_admin, yuci_village, user_fixture, expected):
    withdraw(client_for(city_admin), yuci_village)
    response = reinstate(client_for(request.getfixturevalue(user_fixture)), yuci_village)
    assert response.status_code == expected
    assert Village.objects.filter(pk=yuci_village.pk).exists() == (expected == 302)


def test_a_stale_form_does_not_withdraw_a_village_changed_meanwhile(client_for, city_admin, yuci_village):
    stale = yuci_village.version
    Village.objects.filter(pk=yuci_village.pk).update(version=stale + 1)
    client_for(city_admin).post(f"/villages/{yuci_village.code}/withdraw/", {"version": stale, "reason": "并村"})
    assert Village.objects.filter(pk=yuci_village.pk).exists()


def test_an_import_row_naming_a_withdrawn_village_says_so(client_for, city_admin, yuci_village):
    withdraw(client_for(city_admin), yuci_village)
    by_code = run_import(csv_file([["村代码", "状态"], [yuci_village.code, "已完工"]]), city_admin)
    assert len(messages(by_code)) == 1
    assert f"village {yuci_village.code} {yuci_village.name} was withdrawn (撤并)" in messages(by_code)[0]
    by_name = run_import(
        csv_file(
            [
                ["县(市、区)", "乡镇(街道)", "村名", "状态"],
                ["榆次区", yuci_village.township.name, yuci_village.name, "已完工"],
            ]
        ),
        city_admin,
    )
    assert len(messages(by_name)) == 1 and "was withdrawn (撤并)" in messages(by_name)[0]
    assert Village.all_objects.get(pk=yuci_village.pk).status == "in_progress"


def test_loading_the_registry_again_keeps_a_withdrawn_village_withdrawn(client_for, city_admin, yuci_village):
    from django.conf import settings

    from villages.registry_loader import load_registry

    withdraw(client_for(city_admin), yuci_village)
    result = load_registry(settings.DATA_DIR)
    assert result["villages"].kept_missing == []
    assert Village.all_objects.get(pk=yuci_village.pk).withdrawn_at is not None


def test_the_admin_cannot_delete_a_village(client_for, city_admin, yuci_village, media_root):
    photo = photo_on(yuci_village, media_root)
    client = client_for(city_admin)
    assert client.get(f"/admin/villages/village/{yuci_village.pk}/delete/").status_code == 403
    assert client.post(f"/admin/villages/village/{yuci_village.pk}/delete/", {"post": "yes"}).status_code == 403
    changelist = client.get("/admin/villages/village/").content.decode()
    assert "delete_selected" not in changelist
    client.post(
        "/admin/villages/village/", {"action": "delete_selected", "_selected_action": [yuci_village.pk], "post": "yes"}
    )
    assert Village.objects.filter(pk=yuci_village.pk).exists()
    assert photo.image.storage.exists(photo.image.name)


def test_anonymous_users_cannot_withdraw(yuci_village):
    response = Client().post(f"/villages/{yuci_village.code}/withdraw/", {"version": 1, "reason": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Village.objects.filter(pk=yuci_village.pk).exists()


def test_backup_keeps_a_withdrawn_village(client_for, city_admin, yuci_village, tmp_path, media_root):
    withdraw(client_for(city_admin), yuci_village)
    call_command("backup", str(tmp_path / "b.zip"), stdout=io.StringIO())
    import json
    import zipfile

    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        rows = [json.loads(line) for line in archive.read("data/villages.village.jsonl").splitlines()]
    assert any(row["fields"]["code"] == yuci_village.code and row["fields"]["withdrawn_at"] for row in rows)
