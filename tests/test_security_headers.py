"""Content-Security-Policy on every page (inline scripts only with the request's nonce, never 'unsafe-inline'
scripts), the admin's pages satisfying it in chromium, and no caching of what a logged-in user sees."""

import gzip
import re

import pytest

from config.env import tile_source
from villages.models import Village


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/villages/", "/map/", "/pairings/", "/healthz"])
def test_every_page_sends_a_policy_that_allows_scripts_only_from_the_app_or_with_a_nonce(
    client_for, city_admin, map_villages, path
):
    response = client_for(city_admin).get(path)
    policy = directives(response)
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["script-src"][0] == "'self'"
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["worker-src"] == ["'self'"] and policy["manifest-src"] == ["'self'"]


def test_the_maps_inline_script_carries_the_nonce_of_its_response(client_for, city_admin, map_villages):
    response = client_for(city_admin).get("/map/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline, "the map page has inline scripts (folium's, and the data block)"
    for attributes in inline:
        assert f'nonce="{nonce}"' in attributes or 'type="application/json"' in attributes, attributes
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert client_for(city_admin).get("/map/")["Content-Security-Policy"] != response["Content-Security-Policy"]


def test_the_policy_source_of_a_tile_server_is_its_scheme_and_host():
    assert tile_source("https://t0.tianditu.gov.cn/vec_w/wmts?x={x}") == "https://t0.tianditu.gov.cn"
    assert tile_source("https://{s}.tiles.example.cn/{z}/{x}/{y}.png") == "https://*.tiles.example.cn"


@pytest.mark.parametrize("path", ["/", "/villages/", "/map/", "/pairings/", "/dashboard.xlsx"])
def test_logged_in_pages_are_never_stored(client_for, viewer, registry, path):
    assert client_for(viewer).get(path)["Cache-Control"] == "private, no-store"


def test_photos_keep_their_own_short_private_caching(client_for, yuci_editor, yuci_village, media_root):
    from tests.village_helpers import photo_on

    photo = photo_on(yuci_village, media_root)
    assert client_for(yuci_editor).get(f"/photos/{photo.pk}/")["Cache-Control"] == "private, max-age=3600"


# The administration in chromium: Django's admin and its libraries' pages satisfy the policy too.

ADMIN_PAGES = [
    "/admin/",
    "/admin/villages/village/",
    "/admin/villages/village/{village}/change/",
    "/admin/villages/village/{village}/history/",
    "/admin/villages/village/export/",
    "/admin/villages/village/import/",
    "/admin/villages/countyquota/add/",
    "/admin/counties/pairing/add/",
    "/admin/auth/user/",
    "/admin/auth/user/{user}/change/",
    "/admin/axes/accessattempt/",
]


@pytest.mark.browser
def test_the_admin_pages_raise_no_policy_violation_in_chromium(browser_page, city_admin):
    village = Village.objects.order_by("code").first()
    browser_page.login("city-admin")
    problems = []
    for template in ADMIN_PAGES:
        path = template.format(village=village.pk, user=city_admin.pk)
        before = len(browser_page.csp_violations), len(browser_page.console_errors)
        response = browser_page.goto(path)
        browser_page.page.wait_for_load_state("networkidle")
        if response.status >= 400:
            problems.append(f"{path}: status {response.status}")
        problems += [f"{path}: {text}" for text in browser_page.csp_violations[before[0] :]]
        problems += [f"{path}: {text}" for text in browser_page.console_errors[before[1] :]]
    assert problems == []


def test_the_gzipped_map_page_carries_the_nonce_of_its_response(client_for, city_admin, map_villages):
    response = client_for(city_admin).get("/map/", headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = gzip.decompress(response.content).decode()
    assert f'<script nonce="{nonce}">' in html
