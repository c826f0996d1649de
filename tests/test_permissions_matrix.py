"""Every page and API of the app, for every role, against the one visibility rule (counties/access.py):

- figures of every county (dashboard, county pages, pairings, ledger, map colours, counties.geojson): every
  signed-in user;
- village records (list rows, village pages, photos, updates, points on the map, villages.geojson): city
  administrators and viewers all; a county editor their own counties', and read-only those of the counties
  paired with theirs in a pairing active this year;
- changes: editors in their own counties only, city administrators everywhere, viewers nowhere.
(The registry here is 晋中's alone; tests/test_roles_by_scope.py checks the levels with a second city.)

The objects: a village, its update and photo in 榆次区 (140702); 太谷区 (140703) is paired with 榆次 this year;
左权县 (140722) is not. The roles: city administrator, 榆次's editor (own), 太谷's editor (paired), 左权's
editor (other), viewer, anonymous, and an account without a role. The expectations are written by hand from the rule; the walk covers every URL
pattern the resolver knows (outside the admin, whose own test is below), so a new page fails here until it is added.
"""

import json
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from api.tokens import create_token
from counties.models import City, Pairing, PairingActivity, Profile
from tests.conftest import JINZHONG, TAIGU, YUCI, make_user
from tests.e2e_helpers import routes
from tests.map_helpers import map_data
from tests.project_helpers import make_project, move_to
from tests.village_helpers import designate, edit_data, photo_on
from villages.models import ProgressUpdate, Status, Village
from villages.projects.models import FundReport, PerformanceIndicator, Project, ProjectFund, Source, Stage
from villages.reporting import bulletins
from villages.reporting.models import Bulletin, NoChange, Period, Reminder, Urge

ZUOQUAN = "140722"
OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, LOGIN, UNAUTHORIZED = 200, 302, 403, 404, 405, "login", 401
ROLES = ["city_admin", "own_editor", "paired_editor", "other_editor", "viewer", "anonymous"]
EVERYONE_SIGNED_IN = (OK, OK, OK, OK, OK, LOGIN)
CITY_ONLY = (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN)
RECORDS = (OK, OK, OK, NOT_FOUND, OK, LOGIN)
CHANGE_FORM = (OK, OK, FORBIDDEN, NOT_FOUND, FORBIDDEN, LOGIN)
CHANGE = (REDIRECT, REDIRECT, FORBIDDEN, NOT_FOUND, FORBIDDEN, LOGIN)
REVIEW = (REDIRECT, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, LOGIN)
API_SIGNED_IN = EVERYONE_SIGNED_IN[:5] + (UNAUTHORIZED,)

# (URL name, method, path, data, expected for each of ROLES)
WALK = [
    ("home", "get", "/", {}, EVERYONE_SIGNED_IN),
    ("list", "get", "/villages/", {}, EVERYONE_SIGNED_IN),
    ("withdrawn", "get", "/villages/deleted/", {}, CITY_ONLY),
    ("detail", "get", "/villages/{village}/", {}, RECORDS),
    ("edit", "get", "/villages/{village}/edit/", {}, CHANGE_FORM),
    ("edit", "post", "/villages/{village}/edit/", "EDIT", CHANGE),
    ("update_new", "get", "/villages/{village}/updates/new/", {}, CHANGE_FORM),
    ("update_new", "post", "/villages/{village}/updates/new/", {"date": "2025-06-02", "text": "完成污水管网"}, CHANGE),
    ("accept", "get", "/villages/{village}/accept/", {}, (NOT_ALLOWED,) * 5 + (LOGIN,)),
    ("accept", "post", "/villages/{village}/accept/", "VERSION", REVIEW),
    ("return", "post", "/villages/{village}/return/", "RETURN", REVIEW),
    ("withdraw", "post", "/villages/{village}/withdraw/", "WITHDRAW", REVIEW),
    ("reinstate", "post", "/villages/{village}/reinstate/", "VERSION", REVIEW),
    ("photo", "get", "/photos/{photo}/", {}, RECORDS),
    ("dashboard_xlsx", "get", "/dashboard.xlsx", {}, EVERYONE_SIGNED_IN),
    ("city", "get", "/cities/1407/", {}, EVERYONE_SIGNED_IN),
    ("city_xlsx", "get", "/cities/1407/dashboard.xlsx", {}, EVERYONE_SIGNED_IN),
    ("county", "get", "/counties/140702/", {}, EVERYONE_SIGNED_IN),
    ("county", "get", "/counties/140722/", {}, EVERYONE_SIGNED_IN),
    ("pairings", "get", "/pairings/", {}, EVERYONE_SIGNED_IN),
    ("pairing_create", "get", "/pairings/new/", {}, CITY_ONLY),
    ("pairing_create", "post", "/pairings/new/", "PAIRING", (REDIRECT,) + CITY_ONLY[1:]),
    ("pairing", "get", "/pairings/{pairing}/", {}, EVERYONE_SIGNED_IN),
    ("pairing_edit", "get", "/pairings/{pairing}/edit/", {}, CITY_ONLY),
    ("activity_create", "get", "/pairings/{pairing}/activities/new/", {}, (OK, OK, OK, FORBIDDEN, FORBIDDEN, LOGIN)),
    (
        "activity_create",
        "post",
        "/pairings/{pairing}/activities/new/",
        {"date": "2025-06-01", "description": "技术培训", "funds": "1", "projects": 0, "people": 1},
        (REDIRECT, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN, LOGIN),
    ),
    ("map", "get", "/map/", {}, EVERYONE_SIGNED_IN),
    ("map_png", "get", "/map.png", {}, EVERYONE_SIGNED_IN),
    ("api_villages", "get", "/api/villages.geojson", {}, EVERYONE_SIGNED_IN[:5] + (UNAUTHORIZED,)),
    ("api_counties", "get", "/api/counties.geojson", {}, EVERYONE_SIGNED_IN[:5] + (UNAUTHORIZED,)),
    ("import_template", "get", "/villages/import-template.xlsx", {}, CITY_ONLY),
    ("login", "get", "/accounts/login/", {}, (OK,) * 6),
    ("logout", "get", "/accounts/logout/", {}, (NOT_ALLOWED,) * 6),
    ("logout", "post", "/accounts/logout/", {}, (REDIRECT,) * 6),
    ("password_change", "get", "/accounts/password/", {}, EVERYONE_SIGNED_IN),
    ("password_change_done", "get", "/accounts/password/done/", {}, EVERYONE_SIGNED_IN),
    ("set_language", "post", "/i18n/setlang/", {"language": "en", "next": "/"}, (REDIRECT,) * 6),
    ("healthz", "get", "/healthz", {}, (OK,) * 6),
    ("favicon", "get", "/favicon.ico", {}, (REDIRECT,) * 6),
    ("county_updates", "get", "/counties/140702/updates/", {}, RECORDS),
    # A photo's or the phone's position for a village that has one already: refused with a message (302).
    ("location_from_photo", "get", "/villages/{village}/location/photo/{photo}/", {}, CHANGE),
    ("location_from_phone", "get", "/villages/{village}/location/phone/{update}/", {}, CHANGE),
    (
        "api_update",
        "post",
        "/api/villages/{village}/updates/",
        "SYNC",
        (201, 201, FORBIDDEN, NOT_FOUND, FORBIDDEN, UNAUTHORIZED),
    ),
    ("service_worker", "get", "/sw.js", {}, (OK,) * 6),
    ("manifest", "get", "/manifest.webmanifest", {}, (OK,) * 6),
    ("offline", "get", "/offline/", {}, EVERYONE_SIGNED_IN),
    ("offline_copy", "get", "/offline/copy.json", {}, EVERYONE_SIGNED_IN[:5] + (UNAUTHORIZED,)),
    # Everyone signed in gets an answer; only the village's own editor gets its pages (tests/test_offline_app.py).
    (
        "offline_pages",
        "get",
        "/offline/pages.json?from={village}&to={village}",
        {},
        EVERYONE_SIGNED_IN[:5] + (UNAUTHORIZED,),
    ),
    ("offline_fallback", "get", "/offline/fallback/", {}, (OK,) * 6),
    # Monthly reports (villages/reporting): rates and bulletins are figures; a notice is its user's own; 本月无变化
    # changes the village; 催报 and issuing are the administrators'.
    ("periods", "get", "/reporting/", {}, EVERYONE_SIGNED_IN),
    ("period", "get", "/reporting/{period}/", {}, EVERYONE_SIGNED_IN),
    ("period", "get", "/reporting/{period}/?format=csv", {}, EVERYONE_SIGNED_IN),
    ("period", "get", "/reporting/{period}/?format=xlsx", {}, EVERYONE_SIGNED_IN),
    ("period_city", "get", "/reporting/{period}/cities/1407/", {}, EVERYONE_SIGNED_IN),
    ("notices", "get", "/reporting/notices/", {}, EVERYONE_SIGNED_IN),
    ("notices_read", "post", "/reporting/notices/read/", {}, (REDIRECT,) * 5 + (LOGIN,)),
    (
        "notice_read",
        "post",
        "/reporting/notices/{notice}/read/",
        {},
        (NOT_FOUND, REDIRECT) + (NOT_FOUND,) * 3 + (LOGIN,),
    ),
    ("no_change", "post", "/reporting/{period}/villages/{village}/no-change/", {}, CHANGE),
    ("urge", "post", "/reporting/{period}/counties/140702/urge/", {}, REVIEW[:3] + (FORBIDDEN,) + REVIEW[4:]),
    ("issue", "post", "/reporting/{period}/issue/", {}, REVIEW[:3] + (FORBIDDEN,) + REVIEW[4:]),
    ("bulletin_docx", "get", "/reporting/{period}/bulletin.docx", {}, EVERYONE_SIGNED_IN),
    ("bulletin_xlsx", "get", "/reporting/{period}/bulletin.xlsx", {}, EVERYONE_SIGNED_IN),
    # The 项目库 as files (villages/projects/pool_views.py): editors and administrators import (a preview writes
    # nothing; each row only into a county the user may change); everyone exports the pool they see; the 公示 of a
    # village or a township as its records (no LibreOffice here: the PDF sends back to the page, which says so).
    ("pool_import", "get", "/projects/import/", {}, (OK, OK, OK, OK, FORBIDDEN, LOGIN)),
    ("pool_import", "post", "/projects/import/", "POOL", (OK, OK, OK, OK, FORBIDDEN, LOGIN)),
    (
        "pool_import_confirm",
        "post",
        "/projects/import/confirm/",
        {"token": "0" * 32},
        CHANGE[:2] + (REDIRECT, REDIRECT, FORBIDDEN, LOGIN),
    ),
    ("pool_export", "get", "/projects/export.xlsx?year=2025", {}, EVERYONE_SIGNED_IN),
    ("notice", "get", "/projects/notice/{village}/?year=2025&start=2025-06-01&days=10", {}, RECORDS),
    ("notice", "get", "/projects/notice/140702100/?year=2025&start=2025-06-01&days=10", {}, RECORDS),
    ("notice_docx", "get", "/projects/notice/{village}/notice.docx?year=2025&start=2025-06-01&days=10", {}, RECORDS),
    (
        "notice_pdf",
        "get",
        "/projects/notice/{village}/notice.pdf?year=2025&start=2025-06-01&days=10",
        {},
        CHANGE[:2] + (REDIRECT, NOT_FOUND, REDIRECT, LOGIN),
    ),
    # API tokens (api app): everyone their own; city administrators oversee their city's.
    ("tokens", "get", "/accounts/tokens/", {}, EVERYONE_SIGNED_IN),
    ("tokens", "post", "/accounts/tokens/", "TOKEN", (201,) * 5 + (LOGIN,)),
    ("revoke_token", "post", "/accounts/tokens/{token}/revoke/", {}, (REDIRECT,) + (NOT_FOUND,) * 4 + (LOGIN,)),
    ("city_tokens", "get", "/tokens/", {}, CITY_ONLY),
    ("data", "get", "/data/", {}, EVERYONE_SIGNED_IN),
    # OGC API - Features: signed in (a session here, a token in tests/test_api_tokens.py); village records by the rule.
    ("ogc_landing", "get", "/ogc/", {}, API_SIGNED_IN),
    ("ogc_conformance", "get", "/ogc/conformance", {}, API_SIGNED_IN),
    ("ogc_openapi", "get", "/ogc/api", {}, API_SIGNED_IN),
    ("ogc_collections", "get", "/ogc/collections", {}, API_SIGNED_IN),
    ("ogc_collection", "get", "/ogc/collections/villages", {}, API_SIGNED_IN),
    ("ogc_items", "get", "/ogc/collections/villages/items", {}, API_SIGNED_IN),
    ("ogc_items", "get", "/ogc/collections/counties/items", {}, API_SIGNED_IN),
    ("ogc_item", "get", "/ogc/collections/villages/items/{village}", {}, RECORDS[:5] + (UNAUTHORIZED,)),
    ("ogc_item", "get", "/ogc/collections/counties/items/140722", {}, API_SIGNED_IN),
    ("geopackage", "get", "/downloads/gis.gpkg", {}, API_SIGNED_IN),
    # The read API of figures (/api/v1/): every signed-in user; its description page sends strangers to log in.
    ("v1_dashboard", "get", "/api/v1/dashboard", {}, API_SIGNED_IN),
    ("v1_city", "get", "/api/v1/cities/1407/dashboard", {}, API_SIGNED_IN),
    ("v1_county", "get", "/api/v1/counties/140722", {}, API_SIGNED_IN),
    ("v1_progress", "get", "/api/v1/progress", {}, API_SIGNED_IN),
    ("openapi-json", "get", "/api/v1/openapi.json", {}, (OK,) * 5 + (LOGIN,)),
    ("openapi-view", "get", "/api/v1/docs", {}, EVERYONE_SIGNED_IN),
    ("api-root", "get", "/api/v1/", {}, (NOT_FOUND,) * 6),  # django-ninja's root: a 404 by design
    # The project pool (villages/projects/access.py): seen with the county's village records; changed by the county
    # (the plan while 储备, figures from 入库 on); 入库 by the reviewer (an administrator).
    ("list", "get", "/projects/", {}, EVERYONE_SIGNED_IN),
    ("list", "get", "/projects/?format=csv", {}, EVERYONE_SIGNED_IN),
    ("list", "get", "/projects/?format=xlsx", {}, EVERYONE_SIGNED_IN),
    ("create", "get", "/projects/new/{village}/", {}, CHANGE_FORM),
    ("create", "post", "/projects/new/{village}/", "NEW_PROJECT", CHANGE),
    ("detail", "get", "/projects/{project}/", {}, RECORDS),
    ("edit", "get", "/projects/{project}/edit/", {}, CHANGE_FORM),
    ("edit", "post", "/projects/{project}/edit/", "PROJECT_EDIT", CHANGE),
    ("move", "get", "/projects/{project}/move/", {}, (NOT_ALLOWED,) * 5 + (LOGIN,)),
    ("move", "post", "/projects/{project}/move/", "PROJECT_MOVE", REVIEW),
    ("funds", "get", "/projects/{project}/funds/", {}, CHANGE_FORM),
    ("funds", "post", "/projects/{project}/funds/", "PROJECT_FUNDS", CHANGE),
    ("figures", "get", "/projects/{pool_project}/funds/{fund}/figures/", {}, CHANGE_FORM),
    ("figures", "post", "/projects/{pool_project}/funds/{fund}/figures/", "FIGURES", CHANGE),
    ("indicators", "get", "/projects/{project}/indicators/", {}, CHANGE_FORM),
    ("indicators", "post", "/projects/{project}/indicators/", "INDICATORS", CHANGE),
    # The users' manual (帮助): for every signed-in user; an unknown topic is a 404.
    ("index", "get", "/help/", {}, EVERYONE_SIGNED_IN),
    ("topic", "get", "/help/review/", {}, EVERYONE_SIGNED_IN),
    ("topic", "get", "/help/report/", {}, EVERYONE_SIGNED_IN),
    ("topic", "get", "/help/nothing/", {}, (NOT_FOUND,) * 5 + (LOGIN,)),
]


@pytest.fixture
def world(registry, media_root):
    """The objects and the clients of every role."""
    village = designate(Village.objects.filter(county_id=YUCI).order_by("code").first(), status=Status.COMPLETED)
    taigu_village = designate(Village.objects.filter(county_id=TAIGU).order_by("code").first())
    zuoquan_village = designate(Village.objects.filter(county_id=ZUOQUAN).order_by("code").first())
    for index, each in enumerate([village, taigu_village, zuoquan_village]):
        each.lat, each.lon, each.location_source = [(37.68, 112.75), (37.42, 112.55), (37.07, 113.38)][index] + (
            "surveyed",
        )
        each.save()
    photo = photo_on(village, media_root)
    photo.taken_lat, photo.taken_lon = 37.681, 112.751  # where the camera was: near the village
    photo.save()
    ProgressUpdate.objects.filter(pk=photo.update_id).update(device_lat=37.682, device_lon=112.752)
    this_year = timezone.localdate().year
    pairing = Pairing.objects.create(
        kind=Pairing.Kind.NEIGHBOURS, county_a_id=TAIGU, county_b_id=YUCI, start_year=this_year - 1, end_year=this_year
    )
    # An old pairing of 左权 and 榆次: over, so it opens nothing.
    Pairing.objects.create(
        kind=Pairing.Kind.HELP, county_a_id=ZUOQUAN, county_b_id=YUCI, start_year=2019, end_year=2020
    )
    users = {
        "city_admin": make_user("city-admin", Profile.Role.CITY_ADMIN, city=JINZHONG),
        "own_editor": make_user("yuci-editor", Profile.Role.COUNTY_EDITOR, [YUCI]),
        "paired_editor": make_user("taigu-editor", Profile.Role.COUNTY_EDITOR, [TAIGU]),
        "other_editor": make_user("zuoquan-editor", Profile.Role.COUNTY_EDITOR, [ZUOQUAN]),
        "viewer": make_user("viewer", Profile.Role.VIEWER, city=JINZHONG),
        "no_role": make_user("newcomer", Profile.Role.NONE),
    }
    clients = {"anonymous": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    today = timezone.localdate()
    period = Period.objects.create(
        key=f"{today.year}-pm",
        name="上期",
        start=today - timedelta(days=40),
        end=today - timedelta(days=10),
        deadline=today - timedelta(days=5),
    )
    bulletins.issue(period, City.objects.get(code="1407"), users["city_admin"])
    notice = Reminder.objects.create(period=period, user=users["own_editor"], kind=Reminder.Kind.OVERDUE)
    token, _secret = create_token(users["city_admin"], "QGIS")
    project = make_project(village, users["own_editor"], funds={Source.CENTRAL: 100})
    pool_project = make_project(village, users["own_editor"], name="在库项目", funds={Source.CENTRAL: 100})
    move_to(pool_project, Stage.IN_PROGRESS, users["own_editor"], users["city_admin"])
    return {
        "project": project,
        "pool_project": pool_project,
        "fund": pool_project.funds.get(),
        "village": village,
        "photo": photo,
        "pairing": pairing,
        "token": token,
        "clients": clients,
        "users": users,
        "period": period,
        "notice": notice,
    }


def path_of(pattern, world):
    return pattern.format(
        village=world["village"].code,
        photo=world["photo"].pk,
        update=world["photo"].update_id,
        pairing=world["pairing"].pk,
        period=world["period"].key,
        notice=world["notice"].pk,
        token=world["token"].pk,
        project=world["project"].pk,
        pool_project=world["pool_project"].pk,
        fund=world["fund"].pk,
    )


def request_data(data, world):
    village = world["village"]
    village.refresh_from_db()
    project = Project.objects.get(pk=world["project"].pk)
    fund = ProjectFund.objects.get(pk=world["fund"].pk)
    indicators = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0"}
    return (
        {
            "EDIT": lambda: edit_data(village, contact_name="王五"),
            "VERSION": lambda: {"version": village.version},
            "RETURN": lambda: {"version": village.version, "reason": "缺少验收材料"},
            "WITHDRAW": lambda: {"version": village.version, "reason": "并入邻村"},
            "TOKEN": lambda: {"name": f"QGIS {uuid.uuid4()}", "expires_in": 30},
            "NEW_PROJECT": lambda: {"name": "新项目", "category": "其他", "year": 2025, "villages": [village.pk]},
            "PROJECT_EDIT": lambda: {
                "version": project.version,
                "name": f"改名 {uuid.uuid4().hex[:6]}",
                "category": project.category,
                "year": project.year,
                "villages": [village.pk],
            },
            "PROJECT_MOVE": lambda: {"version": project.version, "stage": "approved"},
            "PROJECT_FUNDS": lambda: {"version": project.version, "source_0": str(100 + project.version)},
            "FIGURES": lambda: {
                "version": fund.version,
                "month": "2025-05",
                "allocated": str(fund.version),
                "spent": "0",
            },
            "INDICATORS": lambda: {
                **indicators,
                "form-MAX_NUM_FORMS": "1000",
                "version": project.version,
                "form-0-level": "satisfaction",
                "form-0-name": f"满意度 {uuid.uuid4().hex[:6]}",
                "form-0-target_text": "≥90%",
            },
            "SYNC": lambda: {"client_id": str(uuid.uuid4()), "date": "2025-06-02", "text": "离线填报：完成污水管网"},
            "POOL": lambda: {
                "file": SimpleUploadedFile(
                    "pool.csv", f"项目名称,项目类别,村代码,中央衔接资金\r\n水井,其他,{village.code},1\r\n".encode()
                ),
                "year": 2025,
                "encoding": "",
            },
            "PAIRING": lambda: {
                "kind": "help",
                "county_a": ZUOQUAN,
                "county_b": TAIGU,
                "start_year": 2025,
                "committed_funds": "0",
                "committed_projects": 0,
                "committed_people": 0,
            },
        }[data]()
        if isinstance(data, str)
        else data
    )


def records(world):
    """What a refused request must leave as it was."""
    return (
        list(Village.objects.order_by("pk").values()),
        ProgressUpdate.objects.count(),
        Pairing.objects.count(),
        PairingActivity.objects.count(),
        NoChange.objects.count(),
        Urge.objects.count(),
        Reminder.objects.filter(read_at__isnull=False).count(),
        list(Bulletin.objects.values()),
        list(Project.objects.order_by("pk").values()),
        list(ProjectFund.objects.order_by("pk").values()),
        list(FundReport.objects.order_by("pk").values()),
        list(PerformanceIndicator.objects.order_by("pk").values()),
        Project.objects.count(),
    )


def test_the_walk_covers_every_url_pattern_of_the_app():
    from tests.test_acceptance_permissions import MATRIX as ACCEPTANCE  # pages that need a submitted application

    covered = {row[0] for row in WALK} | {row[0] for row in ACCEPTANCE}
    assert sorted({name for _path, name, _groups in routes()}) == sorted(covered)


@pytest.mark.parametrize("name,method,path,data,expected", WALK, ids=[f"{row[0]}-{row[1]}-{row[2]}" for row in WALK])
def test_every_page_and_api_answers_each_role_as_the_visibility_rule_says(world, name, method, path, data, expected):
    path = path_of(path, world)
    problems = []
    for role, wanted in zip(ROLES, expected):
        before = records(world)
        response = getattr(world["clients"][role], method)(path, request_data(data, world))
        got = response.status_code
        if wanted == LOGIN:
            if not (got == 302 and response["Location"].startswith("/accounts/login/?next=")):
                problems.append(f"{role}: {got}, not sent to the login page")
        elif got != wanted:
            problems.append(f"{role}: {got}, expected {wanted}")
        if wanted in (FORBIDDEN, NOT_FOUND, LOGIN, UNAUTHORIZED) and records(world) != before:
            problems.append(f"{role}: refused, yet something changed")
        if name == "logout" and method == "post" and role != "anonymous":
            world["clients"][role].force_login(world["users"][role])
    assert problems == []


# An account without a role (tests/test_closed_by_default.py): 403 everywhere but these, written by hand.
NO_ROLE_OPEN = {
    ("login", "get"): OK,
    ("logout", "get"): NOT_ALLOWED,
    ("logout", "post"): REDIRECT,
    ("password_change", "get"): OK,
    ("password_change_done", "get"): OK,
    ("set_language", "post"): REDIRECT,
    ("healthz", "get"): OK,
    ("favicon", "get"): REDIRECT,
    ("service_worker", "get"): OK,
    ("manifest", "get"): OK,
    ("offline_fallback", "get"): OK,
}


def test_an_account_without_a_role_is_refused_every_page_and_api_but_logging_in_and_out(world):
    problems = []
    for name, method, path, data, _expected in WALK:
        path = path_of(path, world)
        before = records(world)
        got = getattr(world["clients"]["no_role"], method)(path, request_data(data, world)).status_code
        if got != NO_ROLE_OPEN.get((name, method), FORBIDDEN):
            problems.append(f"{method} {path}: {got}")
        if records(world) != before:
            problems.append(f"{method} {path}: something changed")
        if name == "logout" and method == "post":
            world["clients"]["no_role"].force_login(world["users"]["no_role"])
    assert problems == []


def village_counties_seen(client):
    """The counties whose village records reach the user: list rows, village points (page and GeoJSON)."""
    listed = {
        village.county_id for village in client.get("/villages/", {"tier": "all"}).context["page"].paginator.object_list
    }
    geojson = json.loads(b"".join(client.get("/api/villages.geojson", {"year": 2025}).streaming_content))
    mapped = {feature["properties"]["county_code"] for feature in geojson["features"]}
    return listed, mapped


@pytest.mark.parametrize(
    "role,expected",
    [
        ("city_admin", "all"),
        ("viewer", "all"),
        ("own_editor", {YUCI, TAIGU}),  # 榆次 and 太谷, paired with it this year
        ("paired_editor", {TAIGU, YUCI}),
        ("other_editor", {ZUOQUAN}),  # the pairing with 榆次 ended in 2020
    ],
)
def test_village_records_reach_exactly_who_the_rule_says(world, role, expected):
    client = world["clients"][role]
    listed, mapped = village_counties_seen(client)
    assert listed == (set(Village.objects.values_list("county_id", flat=True)) if expected == "all" else expected)
    located = {YUCI, TAIGU, ZUOQUAN}
    assert mapped == (located if expected == "all" else expected & located)
    county_page = client.get(f"/counties/{YUCI}/").content.decode()
    assert ('id="latest-updates"' in county_page) is (expected == "all" or YUCI in expected)


def test_figures_are_the_same_for_every_signed_in_user(world):
    signed_in = [role for role in ROLES if role != "anonymous"]
    counties = {role: world["clients"][role].get("/api/counties.geojson", {"year": 2025}).content for role in signed_in}
    assert len(set(counties.values())) == 1
    dashboards = {
        role: [
            (row.unit.code, row.progress.accepted, row.progress.designated, row.progress.target)
            for row in world["clients"][role].get("/", {"year": 2025, "tier": "upgraded"}).context["data"].rows
        ]
        for role in signed_in
    }
    assert len({tuple(rows) for rows in dashboards.values()}) == 1
    # 榆次, 太谷 and 左权 each have one upgraded village of 2025 (the fixture): every role sees the three.
    designated = {code: count for code, _accepted, count, _target in dashboards["other_editor"]}
    assert (designated[YUCI], designated[TAIGU], designated[ZUOQUAN]) == (1, 1, 1)
    # The map's money colourings too: 榆次's two projects of 2025 (central 100 each, nothing spent).
    for colour, yuci in [("gap", "-100.0"), ("industry", "0.0 %")]:
        maps = {
            role: json.dumps(
                {
                    feature["id"]: [feature["properties"][key] for key in ("value", "style", "tooltip")]
                    for feature in map_data(
                        world["clients"][role].get("/map/", {"year": 2025, "colour": colour}).content.decode()
                    )["counties"]["features"]
                },
                ensure_ascii=False,
            )
            for role in signed_in
        }
        assert len(set(maps.values())) == 1
        assert json.loads(maps["other_editor"])[YUCI][0] == yuci


def test_a_pairing_that_starts_next_year_opens_nothing_yet(world):
    this_year = timezone.localdate().year
    Pairing.objects.create(
        kind=Pairing.Kind.NEIGHBOURS, county_a_id=YUCI, county_b_id=ZUOQUAN, start_year=this_year + 1
    )
    village = Village.objects.filter(county_id=YUCI).order_by("code").first()
    assert world["clients"]["other_editor"].get(f"/villages/{village.code}/").status_code == 404


@pytest.mark.parametrize("path", ["/villages/", "/villages/deleted/", "/accounts/password/"])
def test_anonymous_users_are_sent_to_the_login_page_from_lists(registry, path):
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_village_list_shows_a_county_editor_only_their_county(client_for, yuci_editor, yuci_village, taigu_village):
    response = client_for(yuci_editor).get("/villages/", {"tier": "all"})
    codes = {village.code for village in response.context["page"]}
    assert yuci_village.code in codes and taigu_village.code not in codes
    assert response.context["total"] == Village.objects.filter(county_id="140702").count()


def test_village_list_shows_viewers_and_city_admins_every_county(client_for, viewer, city_admin, registry):
    for user in (viewer, city_admin):
        response = client_for(user).get("/villages/", {"tier": "all"})
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


@pytest.mark.parametrize("action", ["accept", "return", "withdraw", "reinstate"])
def test_anonymous_get_on_a_city_decision_goes_to_the_login_page_not_405(yuci_village, action):
    response = Client().get(f"/villages/{yuci_village.code}/{action}/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/villages/{yuci_village.code}/{action}/"


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
