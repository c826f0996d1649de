"""Roles by scope: province staff see every city, city staff their city, county editors their counties; the
dashboard rolls up province → city → county; the admin refuses a role whose scope does not fit.

The registry is 晋中 and a small second city, 阳泉市 (one county 城区 140302, one village), from `second_city`.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from counties.models import City, Pairing, Profile
from tests.conftest import JINZHONG, YANGQUAN, YANGQUAN_CHENGQU, YANGQUAN_VILLAGE, YUCI, make_user
from tests.progress_helpers import pairing_data
from tests.village_helpers import designate
from villages.models import Status, Target, Tier, Village

pytestmark = pytest.mark.django_db

OTHER_CITY = "这是另一个市的村庄"
OTHER_COUNTY = "这是另一个县的村庄"
READ_ONLY = "只读账号不能修改"


@pytest.fixture
def villages(second_city, yuci_village):
    return {"jinzhong": yuci_village, "yangquan": designate(Village.objects.get(code=YANGQUAN_VILLAGE))}


# (user fixture, {village: (status of its page, status of its edit page, words of the refusal)})
MATRIX = [
    ("province_admin", {"jinzhong": (200, 200, None), "yangquan": (200, 200, None)}),
    ("province_viewer", {"jinzhong": (200, 403, READ_ONLY), "yangquan": (200, 403, READ_ONLY)}),
    ("city_admin", {"jinzhong": (200, 200, None), "yangquan": (404, 404, OTHER_CITY)}),
    ("viewer", {"jinzhong": (200, 403, READ_ONLY), "yangquan": (404, 404, OTHER_CITY)}),
    ("yangquan_admin", {"jinzhong": (404, 404, OTHER_CITY), "yangquan": (200, 200, None)}),
    ("yuci_editor", {"jinzhong": (200, 200, None), "yangquan": (404, 404, OTHER_COUNTY)}),
]


@pytest.mark.parametrize("who,expected", MATRIX, ids=[who for who, _ in MATRIX])
def test_each_level_sees_and_changes_the_villages_of_its_scope(request, who, expected, villages, client_for):
    client = client_for(request.getfixturevalue(who))
    for name, (view, edit, words) in expected.items():
        code = villages[name].code
        page, edit_page = client.get(f"/villages/{code}/"), client.get(f"/villages/{code}/edit/")
        assert (page.status_code, edit_page.status_code) == (view, edit), name
        if words:
            assert words in edit_page.content.decode(), name


@pytest.mark.parametrize(
    "who,counties",
    [
        ("province_viewer", {"jinzhong", "yangquan"}),
        ("viewer", {"jinzhong"}),
        ("yangquan_admin", {"yangquan"}),
    ],
)
def test_the_village_list_holds_the_villages_of_the_scope_only(request, who, counties, villages, client_for):
    page = client_for(request.getfixturevalue(who)).get("/villages/", {"tier": Tier.UPGRADED})
    listed = {village.code for village in page.context["page"].object_list}
    assert listed == {villages[name].code for name in counties}


def test_a_city_administrator_withdraws_their_citys_villages_only(villages, city_admin, province_admin, client_for):
    village = villages["yangquan"]
    refused = client_for(city_admin).post(
        f"/villages/{village.code}/withdraw/", {"version": village.version, "reason": "并村"}
    )
    assert refused.status_code == 404 and OTHER_CITY in refused.content.decode()
    assert Village.objects.filter(code=village.code).exists()
    client_for(province_admin).post(
        f"/villages/{village.code}/withdraw/", {"version": village.version, "reason": "并村"}
    )
    assert not Village.objects.filter(code=village.code).exists()


def test_a_city_administrator_pairs_counties_of_their_city_only(second_city, city_admin, province_admin, client_for):
    across = pairing_data(county_b=YANGQUAN_CHENGQU)
    refused = client_for(city_admin).post(reverse("villages:pairing_create"), across)
    assert refused.status_code == 200 and "county_b" in refused.context["form"].errors
    assert not Pairing.objects.exists()
    client_for(province_admin).post(reverse("villages:pairing_create"), across)
    pairing = Pairing.objects.get()
    assert client_for(city_admin).get(reverse("villages:pairing_edit", args=[pairing.pk])).status_code == 403
    assert client_for(province_admin).get(reverse("villages:pairing_edit", args=[pairing.pk])).status_code == 200


def test_a_city_administrator_lists_and_sets_their_citys_targets_only(
    second_city, city_admin, province_admin, client_for
):
    Target.objects.create(city_id=YANGQUAN, year=2025, tier=Tier.SHOWCASE, count=4)
    Target.objects.create(city=None, year=2025, tier=Tier.SHOWCASE, count=50)
    listed = client_for(city_admin).get("/admin/villages/target/").context["cl"].queryset
    assert {target.city_id for target in listed} == {JINZHONG}
    data = {"city": YANGQUAN, "year": 2026, "tier": Tier.SHOWCASE, "kind": Target.Kind.ANNUAL, "count": 5}
    refused = client_for(city_admin).post("/admin/villages/target/add/", data)
    assert refused.status_code == 200 and "city" in refused.context["adminform"].form.errors
    assert not Target.objects.filter(year=2026).exists()
    client_for(province_admin).post("/admin/villages/target/add/", data)
    assert Target.objects.filter(year=2026, city_id=YANGQUAN).exists()


def test_standards_hold_for_every_city_so_only_province_administrators_set_them_when_there_are_several(
    registry, city_admin, province_admin, client_for, request
):
    assert client_for(city_admin).get("/admin/acceptance/standard/add/").status_code == 200  # the only city
    request.getfixturevalue("second_city")
    city_admin = get_user_model().objects.get(pk=city_admin.pk)  # no cached scope
    assert client_for(city_admin).get("/admin/acceptance/standard/add/").status_code == 403
    assert client_for(province_admin).get("/admin/acceptance/standard/add/").status_code == 200


def test_a_county_editors_view_is_unchanged_by_a_second_city(villages, yuci_editor, client_for):
    page = client_for(yuci_editor).get("/villages/")
    assert {village.county_id for village in page.context["page"].object_list} == {YUCI}


# --- The dashboard rolls up province → city → county ------------------------------------------------------------


@pytest.fixture
def two_city_programme(second_city):
    """2025 upgraded: 晋中 3 villages (accepted, completed, in progress), 阳泉 1 completed; targets 晋中 10, 阳泉 4,
    the province 20."""
    jinzhong = Village.objects.filter(county_id=YUCI).order_by("code")[:3]
    for village, status in zip(jinzhong, [Status.ACCEPTED, Status.COMPLETED, Status.IN_PROGRESS]):
        designate(village, status=status)
    designate(Village.objects.get(code=YANGQUAN_VILLAGE), status=Status.COMPLETED)
    Target.objects.filter(year=2025, tier=Tier.UPGRADED, kind=Target.Kind.ANNUAL).delete()
    for city, count in [(JINZHONG, 10), (YANGQUAN, 4), (None, 20)]:
        Target.objects.create(city_id=city, year=2025, tier=Tier.UPGRADED, kind=Target.Kind.ANNUAL, count=count)


def figures(html, attribute, code):
    row = re.search(rf'<tr data-progress-{attribute}="{code}">(.*?)</tr>', html, re.S).group(1)
    return dict(re.findall(r'data-col="(\w+)">(?:<span class="not-set">)?([^<]*)', row))


def total(html):
    return dict(re.findall(r'<dd data-city="(\w+)">(?:<span class="not-set">)?([^<]*)', html))


def test_the_province_dashboard_shows_the_total_and_a_row_per_city(two_city_programme, province_viewer, client_for):
    html = client_for(province_viewer).get("/", {"year": 2025, "tier": Tier.UPGRADED}).content.decode()
    assert total(html) == {
        "target": "20",
        "designated": "4",
        "in_progress": "1",
        "completed": "2",
        "accepted": "1",
        "percent": "5.0%",
        "change": "+1",
    }
    jinzhong = figures(html, "city", JINZHONG)
    assert (jinzhong["quota"], jinzhong["designated"], jinzhong["accepted"], jinzhong["percent"]) == (
        "10",
        "3",
        "1",
        "10.0%",
    )
    yangquan = figures(html, "city", YANGQUAN)
    assert (yangquan["quota"], yangquan["designated"], yangquan["completed"], yangquan["percent"]) == (
        "4",
        "1",
        "1",
        "0.0%",
    )
    assert f'href="/cities/{JINZHONG}/"' in html and f'href="/cities/{YANGQUAN}/"' in html
    assert 'data-progress-county="' not in html


def test_on_a_phone_a_city_rows_labels_say_target_and_a_county_rows_say_quota(
    two_city_programme, province_viewer, client_for
):
    client = client_for(province_viewer)
    province = client.get("/", {"year": 2025, "tier": Tier.UPGRADED}).content.decode()
    city = client.get(reverse("villages:city", args=[JINZHONG]), {"year": 2025, "tier": Tier.UPGRADED}).content.decode()
    assert 'data-label="任务数" data-col="quota"' not in province
    assert 'data-label="目标" data-col="quota"' in province and 'data-label="验收完成率（占目标）"' in province
    assert 'data-label="任务数" data-col="quota"' in city


def test_the_province_dashboard_counts_the_registry_by_city(two_city_programme, province_viewer, client_for):
    html = client_for(province_viewer).get("/").content.decode()
    table = re.search(r'<table class="data" id="registry-table">(.*?)</table>', html, re.S).group(1)
    totals = dict(re.findall(r'<tr data-city="(\w+)">.*?<td class="num" data-col="total">(\d+)</td>', table, re.S))
    assert totals == {JINZHONG: "1940", YANGQUAN: "1", "total": "1941"}
    assert "按市统计村庄" in html and "data-county=" not in table


def test_a_city_page_shows_the_citys_total_and_its_counties(two_city_programme, yuci_editor, client_for):
    page = client_for(yuci_editor).get(reverse("villages:city", args=[YANGQUAN]), {"year": 2025, "tier": "upgraded"})
    html = page.content.decode()
    assert page.status_code == 200
    assert (total(html)["target"], total(html)["designated"], total(html)["completed"]) == ("4", "1", "1")
    assert figures(html, "county", YANGQUAN_CHENGQU)["completed"] == "1"
    assert f'href="/counties/{YANGQUAN_CHENGQU}/"' in html
    assert re.search(r'class="breadcrumbs[^>]*><a href="/">全省</a> › 阳泉市</nav>', html)
    jinzhong = client_for(yuci_editor).get(
        reverse("villages:city", args=[JINZHONG]), {"year": 2025, "tier": "upgraded"}
    )
    assert total(jinzhong.content.decode())["target"] == "10"
    assert figures(jinzhong.content.decode(), "county", YUCI)["designated"] == "3"


def ledger_rows(response):
    from io import BytesIO

    from openpyxl import load_workbook

    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    return [list(row) for row in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True)]


def table_after(rows, heading):
    """The rows of the table whose header row starts with `heading`, up to the blank row that ends it."""
    start = next(i for i, row in enumerate(rows) if row[0] == heading) + 1
    end = next((i for i in range(start, len(rows)) if not rows[i] or rows[i][0] is None), len(rows))
    return rows[start:end]


def test_a_city_pages_ledger_holds_that_city_and_its_counties(two_city_programme, yuci_editor, client_for):
    client = client_for(yuci_editor)
    html = client.get(reverse("villages:city", args=[YANGQUAN]), {"year": 2025, "tier": "upgraded"}).content.decode()
    link = re.search(r'id="ledger-link" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert link == f"/cities/{YANGQUAN}/dashboard.xlsx?year=2025&tier=upgraded"
    response = client.get(link)
    assert f"dashboard-{YANGQUAN}-2025-upgraded-" in response["Content-Disposition"]
    rows = ledger_rows(response)
    city = rows[next(i for i, row in enumerate(rows) if row[0] == "目标") + 1]
    assert city[:5] == [4, 1, 0, 1, 0]  # target, designated, in progress, completed, accepted
    assert [row[:2] for row in table_after(rows, "县区代码")] == [[YANGQUAN_CHENGQU, "城区"]]


def test_the_province_dashboards_ledger_holds_the_province_by_city(two_city_programme, province_viewer, client_for):
    client = client_for(province_viewer)
    html = client.get("/", {"year": 2025, "tier": "upgraded"}).content.decode()
    link = re.search(r'id="ledger-link" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    rows = ledger_rows(client.get(link))
    province = rows[next(i for i, row in enumerate(rows) if row[0] == "目标") + 1]
    assert province[:5] == [20, 4, 1, 2, 1]
    assert [row[:2] for row in table_after(rows, "市代码")] == [[YANGQUAN, "阳泉市"], [JINZHONG, "晋中市"]]


def test_an_unknown_citys_ledger_says_so(registry, viewer, client_for):
    page = client_for(viewer).get(reverse("villages:city_xlsx", args=["9999"]))
    assert page.status_code == 404 and "9999" in page.content.decode()


def test_a_county_page_has_the_breadcrumbs_province_city_county(second_city, viewer, client_for):
    html = client_for(viewer).get(reverse("villages:county", args=[YANGQUAN_CHENGQU])).content.decode()
    assert '<a href="/">全省</a> › <a href="/cities/1403/">阳泉市</a> › 城区</nav>' in html


def test_with_one_city_the_dashboard_shows_the_city_and_its_counties_as_before(registry, viewer, client_for):
    html = client_for(viewer).get("/").content.decode()
    assert html.count('data-progress-county="') == 11 and 'data-progress-city="' not in html
    assert "breadcrumbs" not in html


def test_an_unknown_city_page_says_so(registry, viewer, client_for):
    page = client_for(viewer).get(reverse("villages:city", args=["9999"]))
    assert page.status_code == 404 and "9999" in page.content.decode()


def test_a_city_page_needs_a_login(registry, client):
    assert client.get(reverse("villages:city", args=[JINZHONG])).status_code == 302


# --- The admin refuses a role whose scope does not fit ----------------------------------------------------------


class FormFields(HTMLParser):
    """The values a browser would send from the admin's user form."""

    def __init__(self):
        super().__init__()
        self.data, self.select = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "checkbox"):
            self.data[name] = attrs.get("value", "")
        elif tag == "input" and name and "checked" in attrs:
            self.data[name] = attrs.get("value", "on")
        elif tag == "select":
            self.select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in attrs:
            self.data[self.select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None


def user_form(client, user):
    parser = FormFields()
    parser.feed(client.get(f"/admin/auth/user/{user.pk}/change/").content.decode())
    return {name: value for name, value in parser.data.items() if value != "" or name.endswith("-city")}


REFUSED = [
    ({"profile-0-role": "city_admin", "profile-0-city": ""}, "city", "需要指定所在的市"),
    ({"profile-0-role": "county_editor", "profile-0-city": JINZHONG}, "city", "县级填报员负责县"),
    ({"profile-0-role": "province_viewer", "profile-0-city": JINZHONG}, "city", "省级角色覆盖所有市"),
    ({"profile-0-role": "viewer", "profile-0-city": "9999"}, "city", "选择一个有效的选项"),
    ({"profile-0-role": "mayor"}, "role", "选择一个有效的选项"),
    (
        {"profile-0-role": "viewer", "profile-0-city": JINZHONG, "profile-0-counties": YUCI},
        "counties",
        "只有县级填报员",
    ),
]


@pytest.mark.parametrize("change,field,reason", REFUSED, ids=[str(change) for change, _, _ in REFUSED])
def test_a_role_whose_scope_does_not_fit_is_refused_with_the_reason(province_admin, client_for, change, field, reason):
    target = make_user("someone", Profile.Role.VIEWER, city=JINZHONG)
    client = client_for(province_admin)
    response = client.post(f"/admin/auth/user/{target.pk}/change/", {**user_form(client, target), **change})
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.forms[0].errors
    assert reason in " ".join(errors[field]), errors
    profile = Profile.objects.get(user=target)
    assert (profile.role, profile.city_id, list(profile.counties.all())) == ("viewer", JINZHONG, [])


def test_a_fitting_role_is_saved(province_admin, client_for):
    target = make_user("someone", Profile.Role.VIEWER, city=JINZHONG)
    client = client_for(province_admin)
    change = {"profile-0-role": "county_editor", "profile-0-city": "", "profile-0-counties": YUCI}
    assert (
        client.post(f"/admin/auth/user/{target.pk}/change/", {**user_form(client, target), **change}).status_code == 302
    )
    profile = Profile.objects.get(user=target)
    assert (profile.role, profile.city_id, [c.code for c in profile.counties.all()]) == ("county_editor", None, [YUCI])


def test_a_city_administrator_gives_roles_of_their_city_only(second_city, city_admin, client_for):
    target = make_user("someone", Profile.Role.VIEWER, city=JINZHONG)
    client = client_for(city_admin)
    form = user_form(client, target)
    for change, field in [
        ({"profile-0-role": "province_admin", "profile-0-city": ""}, "role"),
        ({"profile-0-role": "viewer", "profile-0-city": YANGQUAN}, "city"),
        ({"profile-0-role": "county_editor", "profile-0-city": "", "profile-0-counties": YANGQUAN_CHENGQU}, "counties"),
    ]:
        response = client.post(f"/admin/auth/user/{target.pk}/change/", {**form, **change})
        assert field in response.context["inline_admin_formsets"][0].formset.forms[0].errors, change
    assert Profile.objects.get(user=target).role == "viewer"


# --- Existing data and the demo ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_scopes_migration_gave_city_staff_the_one_city_or_the_province(registry):
    """0006 (city staff of before scopes): of the one city the database holds, else of the province. It ran on
    the schema of before 0008, whose constraints now refuse a city role without a city."""
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    give_scope = import_module("counties.migrations.0006_roles_by_scope").give_city_staff_their_scope
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = MigrationExecutor(connection)
        old.migrate([("counties", "0007_countyboundary_digest")])
        old_apps = old.loader.project_state([("counties", "0007_countyboundary_digest")]).apps
        User, OldProfile = old_apps.get_model("auth", "User"), old_apps.get_model("counties", "Profile")
        scopes = []
        for username in ["one-city", "two-cities"]:
            if username == "two-cities":
                old_apps.get_model("counties", "City").objects.create(code=YANGQUAN, name="阳泉市", province_id="14")
            staff = [
                OldProfile.objects.create(user=User.objects.create(username=f"{username}-{role}"), role=role)
                for role in ["city_admin", "viewer"]
            ]
            give_scope(old_apps, None)
            scopes.append([OldProfile.objects.values_list("role", "city_id").get(pk=p.pk) for p in staff])
            OldProfile.objects.all().delete()
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert scopes == [
        [("city_admin", JINZHONG), ("viewer", JINZHONG)],
        [("province_admin", None), ("province_viewer", None)],
    ]


def test_the_demo_has_province_staff_and_jinzhongs_administrator(second_city):
    from villages.demo import DemoResult, create_users

    create_users(DemoResult())
    staff = {p.user.username: (p.role, p.city_id) for p in Profile.objects.exclude(role="county_editor")}
    assert staff == {
        "admin": ("province_admin", None),
        "viewer": ("province_viewer", None),
        "province_admin": ("province_admin", None),
        "province_viewer": ("province_viewer", None),
        "jinzhong_admin": ("city_admin", JINZHONG),
    }
    assert City.objects.count() == 2


def test_the_province_ledger_has_a_row_per_city(two_city_programme, province_viewer, client_for):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client_for(province_viewer).get(reverse("villages:dashboard_xlsx"), {"year": 2025, "tier": "upgraded"})
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [value for value in rows[5] if value] == ["全省"]
    header = rows.index(next(row for row in rows if row[0] == "市代码"))
    assert [row[:5] for row in rows[header + 1 : header + 3]] == [
        [YANGQUAN, "阳泉市", 4, 1, 0],
        [JINZHONG, "晋中市", 10, 3, 1],
    ]


def test_a_city_administrator_cannot_make_anyone_a_superuser(registry, city_admin, client_for):
    client = client_for(city_admin)
    form = user_form(client, city_admin)
    saved = client.post(f"/admin/auth/user/{city_admin.pk}/change/", {**form, "is_superuser": "on"})
    assert saved.status_code == 302  # the rest of the form was saved
    assert not get_user_model().objects.get(pk=city_admin.pk).is_superuser


def count_queries(client, path, data):
    from django.db import connection

    executed = []
    with connection.execute_wrapper(lambda execute, *args: executed.append(1) or execute(*args)):
        client.get(path, data)
    return len(executed)


def test_the_province_dashboard_makes_as_many_queries_with_three_cities_as_with_two(
    two_city_programme, viewer, client_for
):
    from counties.models import County

    client = client_for(viewer)
    client.get("/")  # the site's place is cached
    with_two = count_queries(client, "/", {"year": 2025, "tier": "upgraded"})
    third = City.objects.create(code="1405", name="晋城市", province_id="14")
    County.objects.create(code="140502", name="城区", city=third)
    client.get("/")
    assert count_queries(client, "/", {"year": 2025, "tier": "upgraded"}) == with_two
    assert 'data-progress-city="1405"' in client.get("/").content.decode()
