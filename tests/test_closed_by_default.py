"""Closed by default (issue 21, item 4): an account without a profile, with no role yet, or with a role missing its
scope has no access at all, never a wider one. Every page answers with whom to ask, the APIs with 403 JSON; the
database refuses a city role without a city; a migration reports the profiles that did not fit and closes them."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from api.tokens import create_token
from counties.models import Profile
from tests.api_helpers import token_client
from tests.conftest import JINZHONG, YUCI, make_user
from tests.test_acceptance_app_migration import migrate
from tests.test_roles_by_scope import user_form

pytestmark = pytest.mark.django_db

NO_ROLE_TITLE = "您的账号还没有角色"
WHOM_TO_ASK = "请本市的市级管理员"
API_NO_ROLE = "您的账号在项目中还没有角色"
PAGES = ["/", "/villages/", "/map/", "/pairings/", "/reporting/", "/data/", "/accounts/tokens/", "/admin/"]
JSON_ANSWERS = [
    "/api/villages.geojson",
    "/api/counties.geojson",
    "/api/v1/dashboard",
    "/ogc/collections",
    "/offline/copy.json",
]


def no_profile(registry):
    return get_user_model().objects.create_user("newcomer", password="x")


def no_role_yet(registry):
    return make_user("newcomer", Profile.Role.NONE)


def editor_without_counties(registry):
    return make_user("newcomer", Profile.Role.COUNTY_EDITOR)


WITHOUT_ACCESS = [no_profile, no_role_yet, editor_without_counties]


@pytest.mark.parametrize("account", WITHOUT_ACCESS, ids=lambda account: account.__name__)
def test_an_account_without_a_role_gets_a_page_saying_whom_to_ask_on_every_page(
    account, registry, yuci_village, client_for
):
    client = client_for(account(registry))
    for path in [*PAGES, f"/villages/{yuci_village.code}/", f"/counties/{YUCI}/", f"/cities/{JINZHONG}/"]:
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 403, path
        assert NO_ROLE_TITLE in html and WHOM_TO_ASK in html and "newcomer" in html, path
        assert yuci_village.name not in html, path
        assert 'class="site-nav"' not in html, path  # no links to pages it may not open


@pytest.mark.parametrize("account", WITHOUT_ACCESS, ids=lambda account: account.__name__)
def test_an_account_without_a_role_gets_403_json_from_the_apis(account, registry, yuci_village, client_for):
    client = client_for(account(registry))
    for path in JSON_ANSWERS:
        response = client.get(path)
        assert response.status_code == 403, path
        assert API_NO_ROLE in response.json()["error"], path
    sent = client.post(f"/api/villages/{yuci_village.code}/updates/", {"progress": 50}, content_type="application/json")
    assert sent.status_code == 403 and API_NO_ROLE in sent.json()["reason"]  # what the phone's queue shows


def test_a_token_of_an_account_without_a_role_gets_403_json(registry):
    token = create_token(no_profile(registry), "gis")[1]
    response = token_client(token).get("/ogc/collections/villages/items")
    assert response.status_code == 403 and API_NO_ROLE in response.json()["error"]


def test_an_account_without_a_role_may_still_log_in_change_its_password_and_log_out(registry, client):
    no_profile(registry)
    assert client.post("/accounts/login/", {"username": "newcomer", "password": "x"}).status_code == 302
    assert client.get("/accounts/password/").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    page = client.get("/")
    assert page.status_code == 403 and "Your account has no role yet" in page.content.decode()
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302  # to the login page


def test_a_city_role_without_a_city_cannot_be_saved(registry):
    user = get_user_model().objects.create_user("newcomer")
    for role, city in [
        (Profile.Role.CITY_ADMIN, None),
        (Profile.Role.VIEWER, None),
        (Profile.Role.PROVINCE_ADMIN, JINZHONG),
        (Profile.Role.COUNTY_EDITOR, JINZHONG),
        (Profile.Role.NONE, JINZHONG),
        ("mayor", None),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Profile.objects.create(user=user, role=role, city_id=city)
    assert not Profile.objects.filter(user=user).exists()


def test_a_new_profile_has_no_role_until_one_is_given(registry):
    user = get_user_model().objects.create_user("newcomer")
    assert Profile.objects.create(user=user).role == Profile.Role.NONE


@pytest.mark.parametrize(
    "change,field,reason",
    [
        ({"profile-0-role": "county_editor", "profile-0-city": ""}, "counties", "县级填报员至少需要一个县"),
        ({"profile-0-role": "none", "profile-0-city": JINZHONG}, "city", "没有角色的账号没有所属的市"),
        ({"profile-0-role": "city_admin", "profile-0-city": ""}, "city", "需要指定所在的市"),
    ],
)
def test_the_admin_refuses_a_role_missing_its_scope(province_admin, client_for, change, field, reason):
    target = make_user("someone", Profile.Role.NONE)
    client = client_for(province_admin)
    response = client.post(f"/admin/auth/user/{target.pk}/change/", {**user_form(client, target), **change})
    errors = response.context["inline_admin_formsets"][0].formset.forms[0].errors
    assert reason in " ".join(errors[field]), errors
    assert Profile.objects.get(user=target).role == Profile.Role.NONE


def test_a_city_administrator_finds_an_account_without_a_role_and_gives_it_one_of_their_city(
    registry, city_admin, client_for
):
    newcomer = no_profile(registry)
    client = client_for(city_admin)
    listed = client.get("/admin/auth/user/").content.decode()
    assert "newcomer" in listed and "尚无角色（无权访问）" in listed
    form = user_form(client, newcomer)
    change = {"profile-0-role": "county_editor", "profile-0-counties": YUCI, "profile-TOTAL_FORMS": "1"}
    assert client.post(f"/admin/auth/user/{newcomer.pk}/change/", {**form, **change}).status_code == 302
    newcomer = get_user_model().objects.get(pk=newcomer.pk)
    assert client_for(newcomer).get(f"/counties/{YUCI}/").status_code == 200


def test_a_superuser_is_a_province_administrator_even_without_a_profile(registry, client_for):
    admin = get_user_model().objects.create_superuser("root", password="x")
    client = client_for(admin)
    assert client.get("/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200  # to give the others their roles


# --- Existing profiles ------------------------------------------------------------------------------------------

BEFORE = [("counties", "0007_countyboundary_digest")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_reports_the_profiles_that_do_not_fit_and_leaves_them_without_access(registry, capsys):
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        closed_profiles(migrate(BEFORE), latest, capsys)
    finally:
        migrate(latest)  # the next tests need the schema back, whatever happened


def closed_profiles(old, latest, capsys):
    OldUser, OldProfile = old.get_model("auth", "User"), old.get_model("counties", "Profile")
    rows = {
        "lost-city-admin": ("city_admin", None, []),
        "lost-viewer": ("viewer", None, []),
        "province-admin-of-a-city": ("province_admin", JINZHONG, []),
        "editor-with-a-city": ("county_editor", JINZHONG, [YUCI]),
        "editor-without-counties": ("county_editor", None, []),
        "fine-city-admin": ("city_admin", JINZHONG, []),
        "fine-editor": ("county_editor", None, [YUCI]),
    }
    for username, (role, city, counties) in rows.items():
        profile = OldProfile.objects.create(user=OldUser.objects.create(username=username), role=role, city_id=city)
        profile.counties.set(counties)
    capsys.readouterr()

    migrate(latest)
    printed = capsys.readouterr().out
    assert {p.user.username: (p.role, p.city_id) for p in Profile.objects.select_related("user")} == {
        "lost-city-admin": ("none", None),
        "lost-viewer": ("none", None),
        "province-admin-of-a-city": ("none", None),
        "editor-with-a-city": ("county_editor", None),
        "editor-without-counties": ("county_editor", None),
        "fine-city-admin": ("city_admin", JINZHONG),
        "fine-editor": ("county_editor", None),
    }
    for line in [
        "lost-city-admin: city_admin without a city -> no role (no access)",
        "lost-viewer: viewer without a city -> no role (no access)",
        f"province-admin-of-a-city: province_admin with city {JINZHONG} -> no role (no access)",
        f"editor-with-a-city: county editor with city {JINZHONG} -> the city cleared",
        "editor-without-counties: county editor without counties -> no access",
    ]:
        assert line in printed
    assert "fine-" not in printed
    from counties.access import has_role

    users = get_user_model().objects
    assert [name for name in rows if has_role(users.get(username=name))] == [
        "editor-with-a-city",
        "fine-city-admin",
        "fine-editor",
    ]
