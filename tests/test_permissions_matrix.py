"""Every page, form post, admin page and file of the village pages, for every role.

The village under test belongs to 榆次区: its editor may change it, 太谷区's editor gets 404 for
anything of it, the viewer gets 403 for every change, anonymous users are sent to the login page.
"""

import pytest
from django.test import Client

from tests.village_helpers import edit_data, photo_on
from villages.models import ProgressUpdate, Status, Village

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404

# (name, method, expected for city admin, 榆次 editor, 太谷 editor, viewer)
MATRIX = [
    ("detail", "get", OK, OK, NOT_FOUND, OK),
    ("edit", "get", OK, OK, NOT_FOUND, FORBIDDEN),
    ("edit", "post", REDIRECT, REDIRECT, NOT_FOUND, FORBIDDEN),
    ("update_new", "get", OK, OK, NOT_FOUND, FORBIDDEN),
    ("update_new", "post", REDIRECT, REDIRECT, NOT_FOUND, FORBIDDEN),
    ("accept", "post", REDIRECT, FORBIDDEN, NOT_FOUND, FORBIDDEN),
    ("return", "post", REDIRECT, FORBIDDEN, NOT_FOUND, FORBIDDEN),
    ("withdraw", "post", REDIRECT, FORBIDDEN, NOT_FOUND, FORBIDDEN),
    ("photo", "get", OK, OK, NOT_FOUND, OK),
]
ROLES = ["city_admin", "yuci_editor", "taigu_editor", "viewer"]


def request_for(name, village, photo):
    if name == "photo":
        return f"/photos/{photo.pk}/", {}
    path = (
        f"/villages/{village.code}/"
        + {
            "detail": "",
            "edit": "edit/",
            "update_new": "updates/new/",
            "accept": "accept/",
            "return": "return/",
            "withdraw": "withdraw/",
        }[name]
    )
    data = {
        "edit": edit_data(village, contact_name="王五"),
        "update_new": {"date": "2025-06-02", "text": "完成污水管网", "progress": ""},
        "accept": {"version": village.version},
        "return": {"version": village.version, "reason": "缺少验收材料"},
        "withdraw": {"version": village.version, "reason": "并入邻村"},
    }.get(name, {})
    return path, data


@pytest.mark.parametrize(
    "name,method,expected", [(m[0], m[1], m[2:]) for m in MATRIX], ids=[f"{m[0]}-{m[1]}" for m in MATRIX]
)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_village_pages_answer_each_role_as_the_access_rules_say(
    request, client_for, yuci_village, media_root, name, method, expected, role_index
):
    yuci_village.status = Status.COMPLETED
    yuci_village.save()
    photo = photo_on(yuci_village, media_root)
    user = request.getfixturevalue(ROLES[role_index])
    before = Village.objects.values().get(pk=yuci_village.pk)
    updates_before = ProgressUpdate.objects.count()
    path, data = request_for(name, yuci_village, photo)
    response = getattr(client_for(user), method)(path, data)
    assert response.status_code == expected[role_index]
    if expected[role_index] in (FORBIDDEN, NOT_FOUND):
        assert Village.objects.values().get(pk=yuci_village.pk) == before
        assert ProgressUpdate.objects.count() == updates_before


@pytest.mark.parametrize("name,method", sorted({(m[0], m[1]) for m in MATRIX}))
def test_anonymous_users_are_sent_to_the_login_page(yuci_village, media_root, name, method):
    photo = photo_on(yuci_village, media_root)
    path, data = request_for(name, yuci_village, photo)
    response = getattr(Client(), method)(path, data)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("action", ["accept", "return", "withdraw", "reinstate"])
def test_anonymous_get_on_a_city_decision_goes_to_the_login_page_not_405(yuci_village, action):
    response = Client().get(f"/villages/{yuci_village.code}/{action}/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/villages/{yuci_village.code}/{action}/"


@pytest.mark.parametrize("path", ["/villages/", "/villages/deleted/", "/accounts/password/"])
def test_anonymous_users_are_sent_to_the_login_page_from_lists(registry, path):
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_village_list_shows_a_county_editor_only_their_county(client_for, yuci_editor, yuci_village, taigu_village):
    response = client_for(yuci_editor).get("/villages/")
    codes = {village.code for village in response.context["page"]}
    assert yuci_village.code in codes and taigu_village.code not in codes
    assert response.context["total"] == Village.objects.filter(county_id="140702").count()


def test_village_list_shows_viewers_and_city_admins_every_county(client_for, viewer, city_admin, registry):
    for user in (viewer, city_admin):
        response = client_for(user).get("/villages/")
        assert response.context["total"] == Village.objects.count()


def test_another_countys_village_cannot_be_reached_through_the_county_filter(client_for, yuci_editor, taigu_village):
    response = client_for(yuci_editor).get("/villages/", {"county": "140703"})
    assert response.context["total"] == 0
    assert "county" in response.context["form"].errors


@pytest.mark.parametrize(
    "user_fixture,expected", [("city_admin", 200), ("yuci_editor", 403), ("viewer", 403), ("taigu_editor", 403)]
)
def test_withdrawn_villages_page_is_for_city_admins_only(request, client_for, registry, user_fixture, expected):
    assert client_for(request.getfixturevalue(user_fixture)).get("/villages/deleted/").status_code == expected


@pytest.mark.parametrize("path", ["/admin/", "/admin/villages/village/", "ADMIN_CHANGE", "ADMIN_HISTORY"])
@pytest.mark.parametrize("user_fixture", ["yuci_editor", "taigu_editor", "viewer"])
def test_django_admin_is_closed_to_everyone_but_city_admins(
    request, client_for, city_admin, yuci_village, path, user_fixture
):
    path = {
        "ADMIN_CHANGE": f"/admin/villages/village/{yuci_village.pk}/change/",
        "ADMIN_HISTORY": f"/admin/villages/village/{yuci_village.pk}/history/",
    }.get(path, path)
    assert client_for(city_admin).get(path).status_code == 200
    response = client_for(request.getfixturevalue(user_fixture)).get(path)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = client_for(request.getfixturevalue(user_fixture)).post(path, {"post": "yes"})
    assert response.status_code == 302 and Village.objects.filter(pk=yuci_village.pk).exists()


def test_tampered_form_fields_cannot_move_a_village_to_another_county_or_set_its_tier(
    client_for, yuci_editor, yuci_village
):
    data = edit_data(
        yuci_village, county="140703", township="140703100", tier="showcase", programme_year="2026", code="140703100200"
    )
    response = client_for(yuci_editor).post(f"/villages/{yuci_village.code}/edit/", data)
    assert response.status_code == 302
    village = Village.objects.get(pk=yuci_village.pk)
    assert (village.county_id, village.township_id, village.code) == (
        yuci_village.county_id,
        yuci_village.township_id,
        yuci_village.code,
    )
    assert (village.tier, village.programme_year) == ("upgraded", 2025)


def test_progress_update_ignores_a_village_id_of_another_county_in_the_form(
    client_for, yuci_editor, yuci_village, taigu_village
):
    data = {"date": "2025-06-02", "text": "新建广场", "village": taigu_village.pk, "village_id": taigu_village.pk}
    client_for(yuci_editor).post(f"/villages/{yuci_village.code}/updates/new/", data)
    assert ProgressUpdate.objects.get().village_id == yuci_village.pk
    assert not taigu_village.updates.exists()


def test_a_forged_status_in_a_post_is_refused_with_a_message(client_for, yuci_editor, yuci_village):
    data = edit_data(yuci_village, status="accepted")
    response = client_for(yuci_editor).post(f"/villages/{yuci_village.code}/edit/", data)
    assert response.status_code == 200
    assert "不能" in str(response.context["form"].errors["status"]) or "may not" in str(
        response.context["form"].errors["status"]
    )
    assert Village.objects.get(pk=yuci_village.pk).status == Status.IN_PROGRESS
