"""Shared test base: the real registry, and the named users of every permission check.

- city_admin: 市级管理员 of 晋中市 (1407), the city of the registry
- viewer: city viewer (read-only) of 晋中市
- yuci_editor: county editor of 榆次区 (140702)
- taigu_editor: county editor of 太谷区 (140703)
- province_admin, province_viewer: of every city
- yangquan_admin: city administrator of 阳泉市 (1403), the small second city of `second_city`
Each is exactly what its name says (counties.access): a user without a role has no access at all.
"""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test import Client
from django.test.testcases import LiveServerThread

from counties.models import City, County, Profile, Township
from tests import import_helpers, map_helpers, village_helpers
from tests.constants import (  # noqa: F401 (tests import them from here too)
    JINZHONG,
    PASSWORD,
    TAIGU,
    YANGQUAN,
    YANGQUAN_CHENGQU,
    YANGQUAN_VILLAGE,
    YUCI,
)
from tests.project_helpers import make_project
from villages.models import Village
from villages.projects.models import Source
from villages.registry_loader import load_registry


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_registry(settings.DATA_DIR)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache (the site's place, say, depends on the registry a test loads)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def registry(db):
    """The real 晋中 registry (11 counties, 130 townships, 1,940 villages), reloaded if a transactional test flushed it."""
    if not County.objects.exists():
        load_registry(settings.DATA_DIR)


def make_user(username, role, county_codes=(), city=None):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    profile = Profile.objects.create(user=user, role=role, city_id=city)
    profile.counties.set(county_codes)
    return user


@pytest.fixture
def city_admin(registry):
    return make_user("city-admin", Profile.Role.CITY_ADMIN, city=JINZHONG)


@pytest.fixture
def yuci_editor(registry):
    return make_user("yuci-editor", Profile.Role.COUNTY_EDITOR, [YUCI])


@pytest.fixture
def taigu_editor(registry):
    return make_user("taigu-editor", Profile.Role.COUNTY_EDITOR, [TAIGU])


@pytest.fixture
def viewer(registry):
    return make_user("viewer", Profile.Role.VIEWER, city=JINZHONG)


@pytest.fixture
def province_admin(registry):
    return make_user("province-admin", Profile.Role.PROVINCE_ADMIN)


@pytest.fixture
def province_viewer(registry):
    return make_user("province-viewer", Profile.Role.PROVINCE_VIEWER)


@pytest.fixture
def second_city(registry):
    """晋中 and a second, small city: 阳泉市 with one county (城区, no boundary), one township and one village."""
    city = City.objects.create(code=YANGQUAN, name="阳泉市", province_id="14")
    county = County.objects.create(code=YANGQUAN_CHENGQU, name="城区", city=city)
    township = Township.objects.create(code="140302001", name="上站街道", kind=Township.Kind.SUBDISTRICT, county=county)
    Village.objects.create(
        code=YANGQUAN_VILLAGE, name="义井村委会", short_name="义井村", township=township, county=county
    )
    return city


@pytest.fixture
def yangquan_admin(second_city):
    return make_user("yangquan-admin", Profile.Role.CITY_ADMIN, city=YANGQUAN)


@pytest.fixture
def client_for(db):
    def logged_in(user):
        client = Client()
        client.force_login(user)
        return client

    return logged_in


class SerialWSGIServer(WSGIServer):
    """The live server answering one request at a time (each connection closed after its answer).

    With SQLite the live server's threads share the test's in-memory database connection, and two requests
    at once (a page and its favicon, a service worker caching a page) fail with "database table is locked".
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    LiveServerThread.server_class = SerialWSGIServer


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium driven by Playwright. Skipped only outside CI when chromium is missing."""
    import os
    import shutil

    path = shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI: `make test` should have installed it (scripts/ensure-chromium.sh).")
        pytest.skip("chromium is not installed and could not be installed here: browser test skipped.")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # While Playwright's loop runs, the tests' database connections live in storage of their own: close them
        # now, or they outlive the loop, hold the PostgreSQL test database and make its teardown fail.
        connections.close_all()


# Every Content-Security-Policy violation the page reports, passed to the test through a binding.
REPORT_CSP_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile || location.pathname}:${event.lineNumber})`);
});"""


class BrowserPage:
    """A Playwright page that may only reach the live test server; records what it tried elsewhere, JS errors and
    Content-Security-Policy violations."""

    def __init__(self, context, base_url):
        self.context = context
        self.base_url = base_url
        self.outside_requests = []
        self.console_errors = []
        self.csp_violations = []
        context.route("**/*", self._route)
        context.expose_binding("reportCspViolation", lambda _source, text: self.csp_violations.append(text))
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        self.page = context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base_url + "/") or url == self.base_url or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.outside_requests.append(url)
            route.abort()

    def goto(self, path):
        return self.page.goto(self.base_url + path)

    def login(self, username, password=PASSWORD):
        self.goto("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("#login-form button[type=submit]")
        self.page.wait_for_load_state()


@pytest.fixture
def browser_page(chromium, live_server, registry):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = BrowserPage(context, live_server.url)
    yield page
    context.close()


# Villages, photos and map data on top of the registry (tests/village_helpers.py, tests/map_helpers.py).


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def yuci_village(registry):
    return village_helpers.designate(Village.objects.filter(county_id=YUCI).order_by("code").first())


@pytest.fixture
def taigu_village(registry):
    return village_helpers.designate(Village.objects.filter(county_id=TAIGU).order_by("code").first())


@pytest.fixture
def map_villages(registry):
    return map_helpers.plan_map_villages()


@pytest.fixture
def phone(chromium, live_server, registry):
    """A 390 px touch phone on http://localhost (a secure context, so service workers and caches work)."""
    context = chromium.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=2
    )
    page = BrowserPage(context, live_server.url)
    yield page
    context.close()


@pytest.fixture
def yuci_project(yuci_village, yuci_editor):
    """A 榆次区 project in 储备 of `yuci_village`, 100 万元 of central and 50 万元 of provincial 衔接资金 planned."""
    return make_project(yuci_village, yuci_editor, funds={Source.CENTRAL: "100", Source.PROVINCIAL: "50"})


@pytest.fixture
def office(registry):
    """Five villages of 榆次区 in the programme, two of them completed, and an office file (tests/import_helpers.py)
    that steps those two back and names a code the registry does not have."""
    return import_helpers.office_villages()
