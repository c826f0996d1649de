"""Ranges: dates from 2018-01-01 (never year 1 or 9999), amounts >= 0 with two decimals, a maximum length on every
text, coordinates inside the city's bounds before the county check. Each refusal saves nothing."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from counties.models import Pairing, PairingActivity
from tests.conftest import TAIGU, YUCI
from tests.import_helpers import csv_file, messages, run_import
from tests.progress_helpers import pairing_data
from tests.village_helpers import edit_data
from villages.models import ProgressUpdate, Village

LONG = "村" * 2001
HUGE = "x" * 200_000


@pytest.fixture
def pairing(registry):
    return Pairing.objects.create(kind=Pairing.Kind.HELP, county_a_id=YUCI, county_b_id=TAIGU, start_year=2025)


def form_errors(response):
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def post_update(client, village, **changes):
    data = {"date": "2025-06-02", "text": "完成污水管网", "progress": "", **changes}
    return client.post(f"/villages/{village.code}/updates/new/", data)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2017-12-31"])
def test_a_progress_update_dated_before_2018_or_far_ahead_is_refused(client_for, yuci_editor, yuci_village, day):
    response = post_update(client_for(yuci_editor), yuci_village, date=day)
    assert response.status_code == 200 and "date" in form_errors(response)
    assert not ProgressUpdate.objects.exists()


def test_a_progress_update_on_the_first_day_of_2018_is_saved(client_for, yuci_editor, yuci_village):
    assert post_update(client_for(yuci_editor), yuci_village, date="2018-01-01").status_code == 302
    assert ProgressUpdate.objects.get().date.isoformat() == "2018-01-01"


def test_the_date_field_tells_the_browser_its_range(client_for, yuci_editor, yuci_village):
    page = client_for(yuci_editor).get(f"/villages/{yuci_village.code}/updates/new/").content.decode()
    assert 'min="2018-01-01"' in page and f'max="{timezone.localdate().isoformat()}"' in page


@pytest.mark.parametrize(
    "day,saved",
    [
        ("0001-01-01", False),
        ("9999-12-31", False),
        ("2017-12-31", False),
        ("2018-01-01", True),
        ("NEXT_YEAR", True),
        ("BEYOND", False),
    ],
)
def test_an_activity_may_be_dated_from_2018_to_a_year_ahead(client_for, yuci_editor, pairing, day, saved):
    today = timezone.localdate()
    day = {"NEXT_YEAR": today + timedelta(days=365), "BEYOND": today + timedelta(days=366)}.get(day, day)
    data = {"date": str(day), "description": "技术培训", "funds": "1", "projects": 0, "people": 0}
    response = client_for(yuci_editor).post(reverse("villages:activity_create", args=[pairing.pk]), data)
    assert PairingActivity.objects.exists() == saved
    if not saved:
        assert "2018-01-01" in " ".join(form_errors(response)["date"])


@pytest.mark.parametrize("funds,error", [("-0.01", "资金不能为负数"), ("1.234", "2")])
def test_committed_funds_are_never_negative_and_have_two_decimals(client_for, city_admin, registry, funds, error):
    response = client_for(city_admin).post(reverse("villages:pairing_create"), pairing_data(committed_funds=funds))
    assert error in " ".join(form_errors(response)["committed_funds"])
    assert not Pairing.objects.exists()


def test_negative_committed_funds_are_refused_in_the_admin_too(client_for, city_admin, registry):
    data = pairing_data(committed_funds="-800")
    data.update({"activities-TOTAL_FORMS": 0, "activities-INITIAL_FORMS": 0})
    response = client_for(city_admin).post("/admin/counties/pairing/add/", data)
    assert response.status_code == 200 and not Pairing.objects.exists()


def test_a_negative_village_investment_is_refused(client_for, yuci_editor, yuci_village):
    response = client_for(yuci_editor).post(
        f"/villages/{yuci_village.code}/edit/", edit_data(yuci_village, planned_investment="-1")
    )
    assert "资金不能为负数" in " ".join(form_errors(response)["planned_investment"])
    assert Village.objects.get(pk=yuci_village.pk).planned_investment is None


@pytest.mark.parametrize("text", [LONG, HUGE])
def test_texts_longer_than_2000_characters_are_refused_everywhere(
    client_for, yuci_editor, city_admin, yuci_village, pairing, text
):
    editor, admin = client_for(yuci_editor), client_for(city_admin)
    edit = editor.post(f"/villages/{yuci_village.code}/edit/", edit_data(yuci_village, notes=text))
    assert "notes" in form_errors(edit)
    update = post_update(editor, yuci_village, text=text)
    assert "text" in form_errors(update)
    created = admin.post(reverse("villages:pairing_create"), pairing_data(focus_areas=text))
    assert "focus_areas" in form_errors(created)
    activity = editor.post(
        reverse("villages:activity_create", args=[pairing.pk]),
        {"date": "2025-06-01", "description": text, "funds": "0", "projects": 0, "people": 0},
    )
    assert "description" in form_errors(activity)
    yuci_village.status = "completed"
    yuci_village.save()
    admin.post(f"/villages/{yuci_village.code}/return/", {"version": yuci_village.version, "reason": text})
    admin.post(f"/villages/{yuci_village.code}/withdraw/", {"version": yuci_village.version, "reason": text})
    village = Village.all_objects.get(pk=yuci_village.pk)
    assert (village.notes, village.return_reason, village.withdrawn_at) == ("", "", None)
    assert not ProgressUpdate.objects.exists() and not PairingActivity.objects.exists()
    assert Pairing.objects.count() == 1


def test_every_text_box_tells_the_browser_its_maximum_length(client_for, yuci_editor, yuci_village):
    page = client_for(yuci_editor).get(f"/villages/{yuci_village.code}/edit/").content.decode()
    for name in ("main_works", "notes"):
        tag = re.search(rf'<textarea name="{name}"[^>]*>', page).group(0)
        assert 'maxlength="2000"' in tag
    contact = re.search(r'<input type="text" name="contact_name"[^>]*>', page).group(0)
    assert 'maxlength="50"' in contact


# Coordinates: the city's bounds (latitude 36.65–38.09, longitude 111.41–114.13) come before the county.


@pytest.mark.parametrize(
    "lat,lon,expected",
    [
        (10, 20, "在晋中市范围之外（纬度 36.65–38.09，经度 111.41–114.13）：请检查坐标"),
        (-37.68, 112.75, "点 -37.680000, 112.750000 在晋中市范围之外"),
        (37.68, 11.275, "点 37.680000, 11.275000 在晋中市范围之外"),
    ],
)
def test_a_point_outside_the_city_is_refused_before_the_county_check(
    client_for, yuci_editor, yuci_village, lat, lon, expected
):
    response = client_for(yuci_editor).post(
        f"/villages/{yuci_village.code}/edit/", edit_data(yuci_village, location_lat=lat, location_lon=lon)
    )
    message = " ".join(response.context["form"].non_field_errors())
    assert expected in message and "榆次区" not in message
    assert Village.objects.get(pk=yuci_village.pk).lat is None


def test_an_import_row_outside_the_city_is_refused_with_the_city_message(city_admin, yuci_village):
    rows = [["村代码", "经度", "纬度"], [yuci_village.code, "11.275", "37.68"]]  # a digit in the wrong place
    problems = messages(run_import(csv_file(rows), city_admin))
    assert problems == [
        f"Row 2, column 经度: {yuci_village.code} {yuci_village.name}: "
        "The point 37.680000, 11.275000 is outside 晋中市 (latitude 36.65–38.09, "
        "longitude 111.41–114.13): check the coordinates."
    ]
    assert Village.objects.get(pk=yuci_village.pk).lat is None


def test_an_import_reads_the_boundaries_the_same_number_of_times_for_3_rows_as_for_30(city_admin, registry):
    def boundary_reads(count):
        villages = Village.objects.filter(county_id=YUCI).order_by("code")[:count]
        rows = [["村代码", "经度", "纬度"]] + [[v.code, "11.275", "37.68"] for v in villages]  # all outside
        with CaptureQueriesContext(connection) as queries:
            result = run_import(csv_file(rows), city_admin)
        assert len(result.problems) == count
        return sum("counties_countyboundary" in query["sql"] for query in queries.captured_queries)

    assert boundary_reads(3) == boundary_reads(30) == 1
