"""Every page of the app, in a real browser: it loads, asks nothing from outside, raises no JavaScript error and
violates no Content-Security-Policy.

The pages are found from the URL resolver, so pages that other features add are visited automatically.
"""

import io
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve
from PIL import Image

from counties.models import Pairing, PairingActivity
from tests.acceptance_helpers import FULL, apply, complete, make_standard
from tests.conftest import PASSWORD, TAIGU, YUCI
from tests.e2e_helpers import discover_pages, routes
from tests.project_helpers import make_project, move_to
from tests.village_helpers import designate
from villages.models import CountyQuota, Photo, ProgressUpdate, Status, Target, Tier, Village
from villages.projects.models import Source, Stage
from villages.reporting import bulletins
from villages.reporting.models import Period, Reminder

pytestmark = pytest.mark.browser


def png_file():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "PNG")
    return SimpleUploadedFile("工地.png", buffer.getvalue(), content_type="image/png")


def submitted_application(editor):
    """Round 1 of a village's application for acceptance, submitted with a photo: the village awaits review."""
    standard = make_standard()
    village = complete(designate(Village.objects.filter(county_id=YUCI).order_by("code")[1]))
    client = Client()
    client.force_login(editor)
    apply(client, village, standard, FULL, action="finish", files={"1": [png_file()]})
    return village.applications.get()


@pytest.fixture
def every_kind_of_object(settings, tmp_path, city_admin, yuci_editor, viewer):
    """One real object of each kind a URL can point to; returns the values to try in URL parameters."""
    settings.MEDIA_ROOT = tmp_path / "media"
    village = Village.objects.filter(county_id=YUCI).first()
    village.tier, village.programme_year, village.status, village.progress = Tier.SHOWCASE, 2025, Status.IN_PROGRESS, 40
    village.lat, village.lon, village.location_source = 37.68, 112.75, "surveyed"
    village.save()
    update = ProgressUpdate.objects.create(
        village=village, date=date(2025, 6, 1), text="修路", progress=40, created_by=yuci_editor
    )
    update.device_lat, update.device_lon = 37.681, 112.751  # sent from a phone (taking a location from it)
    update.save()
    photo = Photo.objects.create(update=update, image=png_file(), taken_lat=37.682, taken_lon=112.752)
    pairing = Pairing.objects.create(kind=Pairing.Kind.HELP, county_a_id=YUCI, county_b_id=TAIGU, start_year=2025)
    activity = PairingActivity.objects.create(
        pairing=pairing, date=date(2025, 5, 1), description="考察", created_by=city_admin
    )
    quota = CountyQuota.objects.create(year=2025, tier=Tier.SHOWCASE, county_id=YUCI, count=4)
    target = Target.objects.create(year=2030, tier=Tier.UPGRADED, kind=Target.Kind.CUMULATIVE, count=1500)
    applying = submitted_application(yuci_editor)
    evidence = applying.self_scores.get(item__number="1").evidence.get()
    period = Period.objects.create(
        key="2025-10", name="2025年10月", start=date(2025, 10, 1), end=date(2025, 10, 31), deadline=date(2025, 11, 5)
    )
    bulletins.issue(period, village.county.city, city_admin)
    notice = Reminder.objects.create(period=period, user=city_admin, kind=Reminder.Kind.OVERDUE, missing=1)
    project = make_project(village, yuci_editor, funds={Source.CENTRAL: 100})
    move_to(project, Stage.IN_PROGRESS, yuci_editor, city_admin)
    fund = project.funds.get()
    objects = [photo, update, pairing, activity, quota, village, target, city_admin, applying, evidence, notice]
    objects += [project, fund]
    keys = [
        village.code,
        applying.village.code,
        YUCI,
        village.county.city_id,
        village.township_id,
        city_admin.username,
        period.key,
    ]
    return {
        "int": [applying.number] + [obj.pk for obj in objects],
        "str": ["villages"] + keys + [obj.pk for obj in objects],  # "villages": an OGC API collection
        "slug": keys + ["report"],  # a help topic
        "path": [photo.image.name],
    }


@pytest.fixture
def admin_pages(every_kind_of_object, city_admin):
    client = Client()
    client.force_login(city_admin)
    return discover_pages(client, every_kind_of_object)


def test_page_discovery_finds_the_known_pages_and_skips_post_only_views(admin_pages):
    visited = [path for path, _status in admin_pages["pages"]]
    for path in ("/", "/accounts/login/", "/healthz"):
        assert path in visited
    assert "/accounts/logout/" in admin_pages["post_only"]
    assert not any(template.startswith("/admin/") for template, _name, _groups in routes())


def test_every_page_loads_in_the_browser_without_outside_requests_or_js_errors(browser_page, admin_pages):
    assert admin_pages["unresolved"] == [], "no test object fits these URL patterns: add one to every_kind_of_object"
    browser_page.login("city-admin")
    problems = []
    for path, client_status in admin_pages["pages"]:
        errors_before, outside_before = len(browser_page.console_errors), len(browser_page.outside_requests)
        violations_before = len(browser_page.csp_violations)
        response = browser_page.goto(path)
        browser_page.page.wait_for_load_state("networkidle")
        if response is None or response.status >= 400:
            problems.append(f"{path}: status {response and response.status} (test client: {client_status})")
        elif "Content-Security-Policy" not in {name.title() for name in response.headers} and path != "/healthz":
            problems.append(f"{path}: no Content-Security-Policy header")
        for error in browser_page.console_errors[errors_before:]:
            problems.append(f"{path}: JavaScript console error: {error}")
        for violation in browser_page.csp_violations[violations_before:]:
            problems.append(f"{path}: Content-Security-Policy violation: {violation}")
        for url in browser_page.outside_requests[outside_before:]:
            problems.append(f"{path}: request outside the test server: {url}")
    assert problems == []
    print(f"visited {len(admin_pages['pages'])} pages:", ", ".join(path for path, _ in admin_pages["pages"]))


# Text of the header's links and buttons that the browser broke over more than one line.
BROKEN_HEADER_TEXT = """() => [...document.querySelectorAll('.site-header a, .site-header button')].filter(element => {
  const range = document.createRange();
  range.selectNodeContents(element);
  const boxes = [...range.getClientRects()].filter(box => box.width > 0);
  return boxes.some(a => boxes.some(b => a.bottom <= b.top));  // one box wholly above another: two lines
}).map(element => element.textContent.trim())"""


# What a phone user comes to each page for: these must be on the screen, not cut off or behind a sideways scroll.
# Every page of the app must say what its key values are (a new page fails here until it does).
KEY_VALUES = {
    "villages:home": [
        "[data-city=accepted]",
        "#progress-table [data-col=accepted]",
        "#progress-table [data-col=percent]",
        "#forecast-table [data-verdict]",
    ],
    "villages:city": [
        "[data-city=accepted]",
        "#progress-table [data-col=accepted]",
        "#progress-table [data-col=percent]",
        "#forecast-table [data-verdict]",
    ],
    "villages:list": [
        "#village-table th[scope=row] a",
        "#village-table [data-col=status]",
        "#village-table [data-col=progress]",
    ],
    "villages:withdrawn": ["main h1"],
    "acceptance:round": ["main h1", "#round-facts"],
    "villages:offline": ["main h1"],
    "villages:offline_fallback": ["main h1"],
    "villages:county_updates": ["main h1", "#update-filters"],
    "villages:location_from_photo": ["main h1", "#take-location"],
    "villages:location_from_phone": ["main h1", "#take-location"],
    "villages:detail": ["#village-fields dd", ".actions .button"],
    "villages:edit": ["#id_status", "#id_progress", "#village-form button[type=submit]"],
    "villages:update_new": ["#id_date", "#id_text", "#update-form button[type=submit]"],
    "villages:county": [
        "#year-table [data-col=accepted]",
        "#year-table [data-col=percent]",
        "[data-outlook] svg.chart",
    ],
    "villages:pairings": [
        "#pairing-table [data-col=funds]",
        "#pairing-table [data-col=projects]",
        "#pairing-table [data-col=people]",
    ],
    "villages:pairing": [
        "#commitments [data-col=funds]",
        "[data-side] [data-col=accepted]",
        "[data-side] [data-col=percent]",
    ],
    "villages:pairing_create": ["main form button[type=submit]"],
    "villages:pairing_edit": ["main form button[type=submit]"],
    "villages:activity_create": ["main form button[type=submit]"],
    "villages:map": [".map-frame", "#id_year", "#without-location"],
    "login": ["#id_username", "#id_password", "#login-form button[type=submit]"],
    "password_change": ["#password-form button[type=submit]"],
    "password_change_done": ["main h1"],
    "reporting:periods": ["#period-table th[scope=row] a"],
    "reporting:period": ["#period-figures [data-rate=on_time_rate]", "#rates-table [data-col=on_time_rate]"],
    "reporting:period_city": ["#period-figures [data-rate=on_time_rate]", "#rates-table [data-col=on_time_rate]"],
    "reporting:notices": ["#notice-list li"],
    "api:tokens": ["#token-form button[type=submit]"],
    "api:city_tokens": ["main h1"],
    "api:data": ["#ogc-url", "#gpkg-link"],
    "v1:openapi-view": ["#swagger-ui"],
    "help:index": ["main h1", "#help-all a"],
    "help:topic": ["main h1", "#help-page-link", ".help-shot img"],
    "projects:list": ["#project-table th[scope=row] a", "#stage-counts"],
    "projects:detail": ["#project-stage", "#fund-table th[scope=row]", "#funds-summary strong"],
    "projects:create": ["#project-form button[type=submit]"],
    "projects:edit": ["#project-form button[type=submit]"],
    "projects:funds": ["#funds-form button[type=submit]"],
    "projects:figures": ["#id_month", "#id_allocated", "#id_spent", "#figures-form button[type=submit]"],
    "projects:indicators": ["#indicators-form button[type=submit]"],
    "projects:pool_import": ["#import-form button[type=submit]"],
    "projects:notice": ["#notice-form", "#notice-downloads"],
}
OUTSIDE_THE_SCREEN = """([selectors, width]) => selectors.flatMap(selector => {
  const found = [...document.querySelectorAll(selector)];
  if (!found.length) return [`${selector}: not on the page`];
  return found.filter(element => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && (box.left < -0.5 || box.right > width + 0.5);
  }).map(element => `${selector} ${JSON.stringify(element.textContent.trim().slice(0, 30))}: not inside the screen`);
})"""
# The smallest chart text as drawn on the screen, in CSS pixels.
SMALLEST_CHART_TEXT = """() => Math.min(Infinity, ...[...document.querySelectorAll('svg.chart text')]
  .map(text => parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a))"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_fits_a_phone_screen_with_its_key_values_on_it(browser_page, admin_pages, language):
    browser_page.page.set_viewport_size({"width": 390, "height": 844})
    browser_page.context.add_cookies([{"name": "django_language", "value": language, "url": browser_page.base_url}])
    browser_page.login("city-admin")
    problems = []
    for path, _client_status in admin_pages["pages"]:
        response = browser_page.goto(path)
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # a photo, the PNG map, GeoJSON, the health probe
        width = browser_page.page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            problems.append(f"{path}: the page is {width} px wide; wide content must scroll inside its own box")
        for text in browser_page.page.evaluate(BROKEN_HEADER_TEXT):
            problems.append(f"{path}: header item {text!r} is broken over several lines")
        name = resolve(urlsplit(browser_page.page.url).path).view_name
        if name not in KEY_VALUES:
            problems.append(f"{path}: add the key values of {name!r} to KEY_VALUES")
            continue
        for problem in browser_page.page.evaluate(OUTSIDE_THE_SCREEN, [KEY_VALUES[name], 390]):
            problems.append(f"{path}: {problem}")
        smallest = browser_page.page.evaluate(SMALLEST_CHART_TEXT)
        if smallest < 11:
            problems.append(f"{path}: chart text is {smallest:.1f} px on the screen; at least 11 px")
    assert problems == []


def test_login_and_logout_in_the_browser(browser_page, city_admin):
    browser_page.login("city-admin", password="wrong password")
    assert browser_page.page.url.endswith("/accounts/login/")
    assert browser_page.page.locator("#login-form").is_visible()
    assert browser_page.page.locator(".errorlist").count() == 1

    browser_page.login("city-admin")
    assert browser_page.page.url == browser_page.base_url + "/"
    assert browser_page.page.locator(".who").inner_text() == "city-admin"

    with browser_page.page.expect_navigation():
        browser_page.page.locator("form[action='/accounts/logout/'] button").click()
    assert browser_page.page.url.endswith("/accounts/login/")
    browser_page.goto("/")
    assert browser_page.page.url == browser_page.base_url + "/accounts/login/?next=/"
    assert browser_page.outside_requests == []
    assert browser_page.console_errors == []


TAB_STOPS = """() => document.activeElement === document.body ? "body"
  : (document.activeElement.id || document.activeElement.textContent.trim() || document.activeElement.name)"""


def test_keyboard_users_meet_the_login_form_before_the_language_toggle_and_enter_logs_in(browser_page, city_admin):
    page = browser_page.page
    browser_page.goto("/accounts/login/")
    page.locator(".brand").focus()
    stops = []
    while len(stops) < 12 and "English" not in stops:
        page.keyboard.press("Tab")
        stops.append(page.evaluate(TAB_STOPS))
    assert "English" in stops, stops
    assert stops.index("id_username") < stops.index("id_password") < stops.index("English")
    toggle = page.locator("#language-form button")
    assert toggle.get_attribute("lang") == "en" and page.locator("#language-label").inner_text().startswith("语言")

    page.locator("#id_username").focus()
    page.keyboard.type("city-admin")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == browser_page.base_url + "/"
    assert page.locator(".who").inner_text() == "city-admin"


def test_the_language_toggle_switches_to_english_and_back(browser_page, city_admin):
    browser_page.login("city-admin")
    page = browser_page.page
    with page.expect_navigation():
        page.locator("#language-form button").click()
    assert (
        page.locator("html").get_attribute("lang") == "en"
        and page.locator("h1").inner_text() == "Progress toward the targets"
    )
    with page.expect_navigation():
        page.locator("#language-form button").click()
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_a_first_visit_asks_for_no_missing_file(browser_page, city_admin):
    missing = []
    browser_page.page.on("response", lambda response: response.status == 404 and missing.append(response.url))
    browser_page.login("city-admin")
    browser_page.goto("/api/villages.geojson")  # a page without <link rel=icon>: the browser asks for /favicon.ico
    browser_page.page.wait_for_timeout(300)
    assert missing == []
    icon = browser_page.page.request.get(browser_page.base_url + "/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")
