"""Status workflow by role: counties move planned → in progress → completed; only the city accepts or returns."""

import itertools

import pytest

from tests.village_helpers import edit_data
from villages.models import Status, Village

# Written out here, not taken from the code under test.
COUNTY_MOVES = {("not_started", "planned"), ("planned", "in_progress"), ("in_progress", "completed")}
ALL_MOVES = [(old, new) for old, new in itertools.permutations(Status.values, 2)]


def set_status(village, status):
    Village.objects.filter(pk=village.pk).update(status=status, version=village.version + 7)
    village.refresh_from_db()


@pytest.mark.parametrize("old,new", ALL_MOVES)
@pytest.mark.parametrize("user_fixture", ["yuci_editor", "city_admin"])
def test_edit_page_allows_only_the_county_moves(request, client_for, yuci_village, user_fixture, old, new):
    set_status(yuci_village, old)
    response = client_for(request.getfixturevalue(user_fixture)).post(
        f"/villages/{yuci_village.code}/edit/", edit_data(yuci_village, status=new)
    )
    legal = (old, new) in COUNTY_MOVES
    assert response.status_code == (302 if legal else 200)
    assert Village.objects.get(pk=yuci_village.pk).status == (new if legal else old)
    if not legal:
        assert response.context["form"].errors["status"]


@pytest.mark.parametrize("old,new", ALL_MOVES)
def test_viewer_can_make_no_move(client_for, viewer, yuci_village, old, new):
    set_status(yuci_village, old)
    response = client_for(viewer).post(f"/villages/{yuci_village.code}/edit/", edit_data(yuci_village, status=new))
    assert response.status_code == 403
    assert Village.objects.get(pk=yuci_village.pk).status == old


@pytest.mark.parametrize("old", Status.values)
def test_only_a_completed_village_can_be_accepted_and_only_by_the_city(
    client_for, city_admin, yuci_editor, yuci_village, old
):
    set_status(yuci_village, old)
    editor = client_for(yuci_editor).post(f"/villages/{yuci_village.code}/accept/", {"version": yuci_village.version})
    assert editor.status_code == 403
    assert Village.objects.get(pk=yuci_village.pk).status == old
    response = client_for(city_admin).post(
        f"/villages/{yuci_village.code}/accept/", {"version": yuci_village.version}, follow=True
    )
    village = Village.objects.get(pk=yuci_village.pk)
    if old == "completed":
        assert village.status == "accepted" and village.accepted_at is not None
    else:
        assert village.status == old and village.accepted_at is None
        assert any(message.level_tag == "error" for message in response.context["messages"])


@pytest.mark.parametrize("old", Status.values)
def test_only_a_completed_village_can_be_returned_and_only_by_the_city(
    client_for, city_admin, yuci_editor, yuci_village, old
):
    set_status(yuci_village, old)
    data = {"version": yuci_village.version, "reason": "村内道路未完工"}
    assert client_for(yuci_editor).post(f"/villages/{yuci_village.code}/return/", data).status_code == 403
    client_for(city_admin).post(f"/villages/{yuci_village.code}/return/", data)
    village = Village.objects.get(pk=yuci_village.pk)
    if old == "completed":
        assert (village.status, village.return_reason) == ("in_progress", "村内道路未完工")
    else:
        assert (village.status, village.return_reason) == (old, "")


def test_a_return_needs_a_written_reason(client_for, city_admin, yuci_village):
    set_status(yuci_village, "completed")
    response = client_for(city_admin).post(
        f"/villages/{yuci_village.code}/return/", {"version": yuci_village.version, "reason": "   "}, follow=True
    )
    assert Village.objects.get(pk=yuci_village.pk).status == "completed"
    assert any(message.level_tag == "error" for message in response.context["messages"])


def test_the_county_sees_the_return_reason_on_the_village_page(client_for, city_admin, yuci_editor, yuci_village):
    set_status(yuci_village, "completed")
    yuci_village.accepted_at = None
    client_for(city_admin).post(
        f"/villages/{yuci_village.code}/return/", {"version": yuci_village.version, "reason": "缺少竣工照片"}
    )
    page = client_for(yuci_editor).get(f"/villages/{yuci_village.code}/").content.decode()
    assert 'id="return-reason"' in page and "缺少竣工照片" in page


def test_returning_an_accepted_village_is_refused_and_accepting_twice_changes_nothing(
    client_for, city_admin, yuci_village
):
    set_status(yuci_village, "completed")
    client = client_for(city_admin)
    client.post(f"/villages/{yuci_village.code}/accept/", {"version": yuci_village.version})
    accepted = Village.objects.get(pk=yuci_village.pk)
    client.post(f"/villages/{yuci_village.code}/return/", {"version": accepted.version, "reason": "x"})
    client.post(f"/villages/{yuci_village.code}/accept/", {"version": accepted.version})
    again = Village.objects.get(pk=yuci_village.pk)
    assert (again.status, again.accepted_at, again.version) == ("accepted", accepted.accepted_at, accepted.version)


def test_tier_and_programme_year_are_set_by_city_admins(client_for, city_admin, yuci_village):
    response = client_for(city_admin).post(
        f"/villages/{yuci_village.code}/edit/", edit_data(yuci_village, tier="showcase", programme_year=2026)
    )
    assert response.status_code == 302
    village = Village.objects.get(pk=yuci_village.pk)
    assert (village.tier, village.programme_year) == ("showcase", 2026)


def test_a_designated_village_without_a_programme_year_is_refused_with_a_message(client_for, city_admin, yuci_village):
    response = client_for(city_admin).post(
        f"/villages/{yuci_village.code}/edit/", edit_data(yuci_village, tier="showcase", programme_year="")
    )
    assert response.status_code == 200 and response.context["form"].errors["programme_year"]
    assert Village.objects.get(pk=yuci_village.pk).tier == "upgraded"
