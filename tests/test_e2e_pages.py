"""Every page of the app, in a real browser: it loads, asks nothing from outside, raises no JavaScript error.

The pages are found from the URL resolver, so pages that other features add are visited automatically.
"""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from counties.models import Pairing, PairingActivity
from tests.conftest import TAIGU, YUCI
from tests.e2e_helpers import discover_pages, routes
from villages.models import CountyQuota, Photo, ProgressUpdate, Status, Target, Tier, Village

pytestmark = pytest.mark.browser


def png_file():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "PNG")
    return SimpleUploadedFile("工地.png", buffer.getvalue(), content_type="image/png")


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
    objects = [photo, update, pairing, activity, quota, village, target, city_admin]
    keys = [village.code, YUCI, village.township_id, city_admin.username]
    return {
        "int": [obj.pk for obj in objects],
        "str": keys + [obj.pk for obj in objects],
        "slug": keys,
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
        response = browser_page.goto(path)
        browser_page.page.wait_for_load_state("networkidle")
        if response is None or response.status >= 400:
            problems.append(f"{path}: status {response and response.status} (test client: {client_status})")
        for error in browser_page.console_errors[errors_before:]:
            problems.append(f"{path}: JavaScript console error: {error}")
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


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_fits_a_phone_screen(browser_page, admin_pages, language):
    browser_page.page.set_viewport_size({"width": 390, "height": 844})
    browser_page.context.add_cookies([{"name": "django_language", "value": language, "url": browser_page.base_url}])
    browser_page.login("city-admin")
    problems = []
    for path, _client_status in admin_pages["pages"]:
        browser_page.goto(path)
        width = browser_page.page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            problems.append(f"{path}: the page is {width} px wide; wide content must scroll inside its own box")
        for text in browser_page.page.evaluate(BROKEN_HEADER_TEXT):
            problems.append(f"{path}: header item {text!r} is broken over several lines")
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
