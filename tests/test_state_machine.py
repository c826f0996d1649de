"""One way to change a village (issue 21): every write path asks villages.workflow, and each refuses the same moves.

The expected moves are written out here, not taken from the code under test.
"""

import itertools
import uuid

import pytest

from tests.import_helpers import csv_file, run_import
from tests.village_helpers import edit_data
from villages.acceptance.models import Standard, StandardItem
from villages.models import Status, Village

STATUSES = ["not_started", "planned", "in_progress", "completed", "under_review", "accepted"]
ALL_MOVES = list(itertools.permutations(STATUSES, 2))
COUNTY_MOVES = {("not_started", "planned"), ("planned", "in_progress"), ("in_progress", "completed")}
# An administrator's import may move a village forward by any number of steps, except into 待复核 (only an
# application does that) and into 验收通过 where a standard applies.
ADMIN_IMPORT_MOVES = {
    (old, new) for old, new in ALL_MOVES if STATUSES.index(new) > STATUSES.index(old) and new != "under_review"
}


def put(village, status, progress=None):
    """The village in a given state, as a fixture sets it up (not a write path under test)."""
    progress = (
        {"completed": 100, "under_review": 100, "accepted": 100}.get(status, 40) if progress is None else progress
    )
    Village.objects.filter(pk=village.pk).update(status=status, progress=progress, version=7)
    village.refresh_from_db()
    return village


def state(village):
    return Village.objects.filter(pk=village.pk).values_list("status", "progress", "version").get()


def with_a_standard(village):
    standard = Standard.objects.create(tier=village.tier, year=village.programme_year, name="细则", pass_score=60)
    StandardItem.objects.create(standard=standard, category="环境", number="1", point="村容整洁", points=100)


def through_the_edit_page(client, village, status):
    return client.post(f"/villages/{village.code}/edit/", edit_data(village, status=status))


def through_the_update_page(client, village, status):
    data = {"date": "2025-06-01", "text": "进展", "status": status, "seen_status": village.status}
    return client.post(f"/villages/{village.code}/updates/new/", {**data, "seen_version": village.version})


def through_a_phone(client, village, status):
    data = {"client_id": str(uuid.uuid4()), "date": "2025-06-01", "text": "进展", "status": status}
    return client.post(f"/api/villages/{village.code}/updates/", {**data, "seen_status": village.status})


def through_an_import(user, village, status):
    return run_import(csv_file([["村代码", "状态"], [village.code, Status(status).label]]), user)


PAGES = {"edit": through_the_edit_page, "update": through_the_update_page, "phone": through_a_phone}


@pytest.mark.parametrize("old,new", ALL_MOVES)
@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", ["yuci_editor", "city_admin"])
def test_the_pages_and_the_phone_make_only_the_county_moves(request, client_for, yuci_village, role, path, old, new):
    village = put(yuci_village, old)
    before = state(village)
    PAGES[path](client_for(request.getfixturevalue(role)), village, new)
    if (old, new) in COUNTY_MOVES:
        assert state(village)[0] == new and state(village)[2] == before[2] + 1
    else:
        assert state(village) == before


@pytest.mark.parametrize("old,new", ALL_MOVES)
def test_an_editors_import_makes_only_the_county_moves(yuci_editor, yuci_village, old, new):
    village = put(yuci_village, old)
    before = state(village)
    result = through_an_import(yuci_editor, village, new)
    assert state(village)[0] == (new if (old, new) in COUNTY_MOVES else old)
    assert result.written == ((old, new) in COUNTY_MOVES)
    if not result.written:
        assert state(village) == before


@pytest.mark.parametrize("standard", [False, True], ids=["no standard", "a standard"])
@pytest.mark.parametrize("old,new", ALL_MOVES)
def test_an_administrators_import_moves_forward_but_never_into_review_or_past_a_standard(
    city_admin, yuci_village, old, new, standard
):
    village = put(yuci_village, old)
    if standard:
        with_a_standard(village)
    before = state(village)
    result = through_an_import(city_admin, village, new)
    allowed = (old, new) in ADMIN_IMPORT_MOVES and not (standard and new == "accepted")
    assert result.written == allowed
    assert state(village)[0] == (new if allowed else old)
    if not allowed:
        assert state(village) == before


@pytest.mark.parametrize("old", STATUSES)
@pytest.mark.parametrize("standard", [False, True], ids=["no standard", "a standard"])
def test_the_one_click_acceptance_takes_only_a_completed_village_without_a_standard(
    client_for, city_admin, yuci_village, old, standard
):
    village = put(yuci_village, old)
    if standard:
        with_a_standard(village)
    before = state(village)
    client_for(city_admin).post(f"/villages/{village.code}/accept/", {"version": village.version})
    if old == "completed" and not standard:
        assert state(village)[0] == "accepted"
    else:
        assert state(village) == before


# --- The admin: no second way to change a village ------------------------------------------------------------


def admin_data(village, **changes):
    village.refresh_from_db()
    data = {
        "opened_version": village.version,
        "tier": village.tier,
        "programme_year": village.programme_year or "",
        "planned_investment": "",
        "actual_investment": "",
        "main_works": village.main_works,
        "contact_name": village.contact_name,
        "contact_phone": village.contact_phone,
        "notes": village.notes,
    }
    return {**data, **changes}


def admin_url(village):
    return f"/admin/villages/village/{village.pk}/change/"


@pytest.mark.parametrize("user", ["city_admin", "province_admin"])
def test_the_admin_cannot_accept_a_village_or_set_it_under_review(request, client_for, yuci_village, user):
    village = put(yuci_village, "completed")
    client = client_for(request.getfixturevalue(user))
    for status in ("accepted", "under_review"):
        response = client.post(admin_url(village), admin_data(village, status=status, progress=100, accepted_at=""))
        assert response.status_code == 302
        assert Village.objects.get(pk=village.pk).status == "completed"
        assert Village.objects.get(pk=village.pk).accepted_at is None
    page = client.get(admin_url(village)).content.decode()
    assert 'name="status"' not in page and 'name="progress"' not in page


def test_an_admin_save_goes_through_the_workflow_and_is_in_the_history(client_for, city_admin, yuci_village):
    village = put(yuci_village, "in_progress")
    response = client_for(city_admin).post(admin_url(village), admin_data(village, notes="村委会换届"))
    assert response.status_code == 302
    saved = Village.objects.get(pk=village.pk)
    assert (saved.notes, saved.version, saved.updated_by) == ("村委会换届", village.version + 1, city_admin)
    record = saved.history.latest()
    assert (record.notes, record.history_user, record.history_change_reason) == ("村委会换届", city_admin, "admin")


def test_an_admin_save_refuses_to_overwrite_an_edit_made_meanwhile(client_for, city_admin, yuci_editor, yuci_village):
    village = put(yuci_village, "in_progress")
    opened = admin_data(village, notes="管理员的备注")
    client_for(yuci_editor).post(f"/villages/{village.code}/edit/", edit_data(village, progress=65))
    response = client_for(city_admin).post(admin_url(village), opened, follow=True)
    saved = Village.objects.get(pk=village.pk)
    assert (saved.progress, saved.notes) == (65, "")
    assert any(message.level_tag == "error" for message in response.context["messages"])


def test_the_admin_offers_no_add_and_keeps_registry_names(client_for, city_admin, yuci_village):
    client = client_for(city_admin)
    assert client.get("/admin/villages/village/add/").status_code == 403
    client.post(admin_url(yuci_village), admin_data(yuci_village, name="改名村委会", short_name="改名村"))
    assert Village.objects.get(pk=yuci_village.pk).name == yuci_village.name


# --- The demo: forward moves only ----------------------------------------------------------------------------


def test_the_demo_cannot_move_a_village_back(yuci_village):
    from django.utils import timezone

    from villages import workflow

    village = put(yuci_village, "completed")
    with pytest.raises(ValueError, match="back from completed to planned"):
        workflow.seed([village], {village.pk: {"status": "planned"}}, {village.pk: timezone.now()})
    assert state(village)[0] == "completed"
