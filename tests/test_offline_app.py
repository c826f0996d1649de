"""The installable web app on the server side: manifest and icons, the service worker served from the root,
the list of what an editor's offline copy holds (their counties only), the page for addresses without an
offline copy, and logging out telling the browser to delete what it kept."""

import json
import re

import pytest
from backports import zstd
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from counties.models import Profile
from tests.conftest import TAIGU, YUCI, make_user
from villages.models import Village


def test_the_service_worker_is_served_from_the_root_with_its_scope_and_no_caching(registry):
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    config = json.loads(response.content.decode().split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["fallback"] == "/offline/fallback/"
    assert config["static"] == "/static/"
    assert {"/offline/fallback/", "/manifest.webmanifest", "/static/css/site.css", "/static/js/offline.js"} <= set(
        config["shell"]
    )


def test_the_worker_changes_when_a_static_file_name_changes(settings, registry):
    before = Client().get("/sw.js").content
    settings.STATIC_URL = "/static-v2/"
    assert Client().get("/sw.js").content != before


def test_the_manifest_names_the_app_in_chinese_and_its_icons_exist(registry):
    response = Client().get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "百乡千村工作台 · 晋中市"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/villages/", "/", "standalone")
    sizes = {}
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with Image.open(path) as image:
            sizes[(icon["sizes"], icon["purpose"])] = image.size
    assert sizes == {
        ("192x192", "any"): (192, 192),
        ("512x512", "any"): (512, 512),
        ("512x512", "maskable"): (512, 512),
    }


def test_every_page_links_the_manifest_and_the_script(client_for, yuci_editor):
    page = client_for(yuci_editor).get("/villages/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'src="/static/js/offline.js"' in page and 'data-user="yuci-editor"' in page


def test_the_offline_copy_holds_the_editors_county_and_nothing_else(client_for, yuci_editor):
    # 榆次区 has 208 villages: each village's page and update form, and the list as it opens (its 60 programme
    # villages, in 2 pages of 50).
    Village.objects.filter(pk__in=Village.objects.filter(county_id=YUCI).order_by("code")[:60]).update(
        tier="upgraded", programme_year=2025
    )
    first = Village.objects.filter(county_id=YUCI).order_by("code").first().code
    copy = client_for(yuci_editor).get("/offline/copy.json").json()
    assert copy["villages"] == 208
    assert copy["counties"] == [{"code": YUCI, "name": "榆次区"}]
    assert copy["urls"][:3] == ["/villages/", "/villages/?page=2", f"/villages/{first}/"]
    assert len(copy["urls"]) == 2 + 208 * 2 + 1
    village_urls = [url for url in copy["urls"] if url.startswith("/villages/1")]
    assert {url.split("/")[2][:6] for url in village_urls} == {YUCI}
    assert f"/villages/{first}/" in village_urls and f"/villages/{first}/updates/new/" in village_urls
    assert copy["urls"][-1] == "/offline/"


CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def without_tokens(page):
    """The page without its CSRF tokens, which are masked afresh in every answer."""
    return CSRF_TOKEN.sub("csrfmiddlewaretoken", page)


def test_the_offline_copy_comes_in_a_few_parts_holding_every_page_as_the_browser_gets_it(client_for, yuci_editor):
    Village.objects.filter(pk__in=Village.objects.filter(county_id=YUCI).order_by("code")[:60]).update(
        tier="upgraded", programme_year=2025
    )
    client = client_for(yuci_editor)
    copy = client.get("/offline/copy.json").json()
    # The lists and the offline page, then the villages 30 at a time: 208 villages in 7 parts.
    assert copy["parts"][0] == "/offline/pages.json?lists=1"
    assert len(copy["parts"]) == 1 + 7
    codes = list(Village.objects.filter(county_id=YUCI).order_by("code").values_list("code", flat=True))
    assert copy["parts"][1] == f"/offline/pages.json?from={codes[0]}&to={codes[29]}"
    assert copy["parts"][-1] == f"/offline/pages.json?from={codes[180]}&to={codes[207]}"
    saved = {}
    for part in copy["parts"]:
        response = client.get(part)
        assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
        for page in response.json()["pages"]:
            saved[page["url"]] = page
    assert sorted(saved) == sorted(copy["urls"])
    for url in ["/villages/?page=2", f"/villages/{codes[40]}/", f"/villages/{codes[40]}/updates/new/", "/offline/"]:
        direct = client.get(url)
        assert without_tokens(saved[url]["body"]) == without_tokens(direct.content.decode())
        headers = dict(saved[url]["headers"])
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert headers["Content-Security-Policy"] == direct["Content-Security-Policy"]
        assert "Set-Cookie" not in headers
    assert "<h1>离线使用本县村庄</h1>" in saved["/offline/"]["body"]


def test_a_part_of_the_offline_copy_is_compressed_together(client_for, yuci_editor):
    client = client_for(yuci_editor)
    part = client.get("/offline/copy.json").json()["parts"][1]
    plain = client.get(part).content
    packed = client.get(part, headers={"accept-encoding": "gzip, deflate, br, zstd"})
    assert packed["Content-Encoding"] == "zstd" and "accept-encoding" in packed["Vary"].lower()
    assert json.loads(zstd.decompress(packed.content))["pages"][0]["url"] == json.loads(plain)["pages"][0]["url"]
    # 60 pages of 6 to 8 KB each; alike, they compress to far less than one page's worth each.
    assert len(plain) > 300_000 and len(packed.content) < len(plain) / 15


def test_a_part_holds_only_the_editors_own_villages(client_for, yuci_editor, taigu_editor):
    yuci = Village.objects.filter(county_id=YUCI).order_by("code")
    taigu = Village.objects.filter(county_id=TAIGU).order_by("code")
    # A range running over the editor's last villages into the next county's: only the editor's own.
    span = f"/offline/pages.json?from={yuci[200].code}&to={taigu[10].code}"
    pages = client_for(yuci_editor).get(span).json()["pages"]
    assert {page["url"].split("/")[2] for page in pages} == {village.code for village in yuci[200:]}
    assert len(pages) == 2 * 8
    assert client_for(taigu_editor).get(f"/offline/pages.json?from={yuci[0].code}&to={yuci[5].code}").json() == {
        "pages": []
    }


def part_queries(client, villages):
    with CaptureQueriesContext(connection) as queries:
        pages = client.get(f"/offline/pages.json?from={villages[0].code}&to={villages[-1].code}").json()["pages"]
    assert len(pages) == 2 * len(villages)
    return [query["sql"] for query in queries.captured_queries]


def test_a_part_reads_the_user_notices_villages_and_histories_once_whatever_its_size(client_for, yuci_editor):
    client = client_for(yuci_editor)
    villages = list(Village.objects.filter(county_id=YUCI).order_by("code")[:12])
    part_queries(client, villages[:1])  # the first answer reads what every later one finds ready
    one, twelve = part_queries(client, villages[11:]), part_queries(client, villages[:12])

    def reading(queries, table):  # the queries of the table itself, not those naming it in a subquery
        return [sql for sql in queries if (first := re.search(r' FROM "(\w+)"', sql)) and first.group(1) == table]

    for table in ("auth_user", "counties_profile", "reporting_reminder"):
        assert len(reading(one, table)) == len(reading(twelve, table)) == 1, table
    # The villages: their codes for the part, then once for the village pages and once for the update forms.
    assert len(reading(one, "villages_village")) == len(reading(twelve, "villages_village")) == 3
    # Their histories: the villages' records and their updates' records, once for the part.
    for table in ("villages_historicalvillage", "villages_historicalprogressupdate"):
        assert len(reading(one, table)) == len(reading(twelve, table)) == 1, table
    # What else each village's page shows (its updates, acceptance, projects) is still read page by page.
    assert len(twelve) - len(one) <= 11 * 5


@pytest.mark.parametrize(
    "query",
    ["", "?from=1407&to=140702999999", "?from=140702100200", "?from=140700000000&to=140799999999"],
    ids=["nothing", "not a code", "no end", "too many villages"],
)
def test_anything_but_a_part_is_refused(client_for, yuci_editor, query):
    response = client_for(yuci_editor).get(f"/offline/pages.json{query}")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid", "reason": "这不是您的离线副本的一部分。"}


@pytest.mark.parametrize("role", ["city_admin", "viewer"])
def test_only_county_editors_get_pages_for_an_offline_copy(request, client_for, role):
    user = request.getfixturevalue(role)
    assert client_for(user).get("/offline/pages.json?lists=1").json() == {"pages": []}
    assert Client().get("/offline/pages.json?lists=1").status_code == 401


def test_saving_the_offline_copy_leaves_messages_for_the_next_page(client_for, yuci_editor, yuci_village, media_root):
    client = client_for(yuci_editor)
    client.post(f"/villages/{yuci_village.code}/updates/new/", {"date": "2025-06-01", "text": "修路"})
    pages = client.get(f"/offline/pages.json?from={yuci_village.code}&to={yuci_village.code}").json()["pages"]
    assert [page["url"] for page in pages] == [
        f"/villages/{yuci_village.code}/",
        f"/villages/{yuci_village.code}/updates/new/",
    ]
    assert "修路" in pages[0]["body"] and "已添加进展" not in pages[0]["body"]  # the saved page has no message
    assert "已添加进展" in client.get(f"/villages/{yuci_village.code}/").content.decode()


def test_an_editor_of_two_counties_keeps_both(client_for, registry):
    editor = make_user("two-counties", Profile.Role.COUNTY_EDITOR, [YUCI, TAIGU])
    copy = client_for(editor).get("/offline/copy.json").json()
    assert copy["villages"] == 208 + 150
    assert [county["code"] for county in copy["counties"]] == [YUCI, TAIGU]


@pytest.mark.parametrize("role", ["city_admin", "viewer"])
def test_only_county_editors_keep_an_offline_copy(request, client_for, role):
    user = request.getfixturevalue(role)
    copy = client_for(user).get("/offline/copy.json").json()
    assert copy["urls"] == [] and copy["parts"] == []
    page = client_for(user).get("/offline/").content.decode()
    assert "离线副本只供县级填报员使用" in page and 'id="copy-save"' not in page


def test_the_offline_copy_list_needs_a_session(registry):
    response = Client().get("/offline/copy.json")
    assert response.status_code == 401 and response.json()["error"] == "login"


def test_the_offline_page_tells_the_editor_what_is_kept(client_for, yuci_editor):
    page = client_for(yuci_editor).get("/offline/").content.decode()
    assert "<h1>离线使用本县村庄</h1>" in page
    assert "榆次区的村庄列表、每个村庄的页面及其进展填报表（208 个村庄）" in page
    assert 'id="copy-save"' in page and 'id="offline-queue"' in page


def test_the_village_list_links_the_offline_page_for_editors(client_for, yuci_editor, viewer):
    assert 'href="/offline/"' in client_for(yuci_editor).get("/villages/").content.decode()
    assert 'id="offline-link"' not in client_for(viewer).get("/villages/").content.decode()


def test_the_page_for_addresses_without_an_offline_copy_names_no_user(client_for, yuci_editor):
    client = client_for(yuci_editor)
    page = client.get("/offline/fallback/").content.decode()
    assert "无法离线查看" in page
    assert "yuci-editor" not in page.replace('data-user=""', "")
    assert 'data-user=""' in page and "/accounts/logout/" in page  # only in the script's data, no logout form
    assert 'action="/accounts/logout/"' not in page


def test_the_fallback_page_leaves_messages_for_the_next_page(client_for, yuci_editor, yuci_village, media_root):
    client = client_for(yuci_editor)
    client.post(f"/villages/{yuci_village.code}/updates/new/", {"date": "2025-06-01", "text": "修路"})
    client.get("/offline/fallback/")
    assert "已添加进展" in client.get(f"/villages/{yuci_village.code}/").content.decode()


def test_logging_out_tells_the_browser_to_delete_what_it_kept(client_for, yuci_editor):
    response = client_for(yuci_editor).post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"storage"'
