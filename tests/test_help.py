"""The users' manual (帮助): one page per task in the site's language, reachable from the header of every page and,
as “？帮助”, from each page it explains; each page links back to the page it explains and to the index."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from config.help import ROLES, TOPICS

ROOT = Path(__file__).resolve().parent.parent
SLUGS = ["report", "offline", "apply", "review", "import", "projects", "pairings", "map", "reporting", "gis"]
# The title of each topic in each language, written here by hand.
TITLES = {
    "zh-hans": [
        "填报进展",
        "离线填报",
        "申请验收",
        "复核",
        "导入名录",
        "项目库与资金",
        "结对",
        "地图与导出",
        "月报与催报/通报",
        "GIS 数据与接口",
    ],
    "en": [
        "Reporting progress",
        "Reporting offline",
        "Applying for acceptance",
        "Reviewing an application",
        "Importing village lists",
        "Projects and funds",
        "Pairings",
        "Map and exports",
        "Monthly reports, reminders and bulletins",
        "GIS data and interfaces",
    ],
}
# The page each topic sends its reader back to.
PAGES = {
    "report": "/villages/",
    "offline": "/offline/",
    "apply": "/villages/?status=completed",
    "review": "/villages/?acceptance=waiting",
    "import": "/admin/villages/village/import/",
    "projects": "/projects/",
    "pairings": "/pairings/",
    "map": "/map/",
    "reporting": "/reporting/",
    "gis": "/data/",
}


def written_in(html):
    """The language a page's text is written in: Chinese where Han characters outnumber Latin letters (English
    pages name a few Chinese terms, 万元 or 一票否决; Chinese pages a few file formats, XLSX or WGS84)."""
    text = re.sub(r"<[^>]+>", "", html)
    han, latin = len(re.findall(r"[\u4e00-\u9fff]", text)), len(re.findall(r"[A-Za-z]", text))
    return "zh-hans" if han > latin else "en"


def in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_topics_are_the_tasks_of_the_issue():
    assert list(TOPICS) == SLUGS
    assert {slug for _role, slugs in ROLES for slug in slugs} == set(SLUGS)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_index_lists_every_topic_by_role_in_the_site_language(client_for, viewer, language):
    client = in_language(client_for(viewer), language)
    html = client.get("/help/").content.decode()
    titles = re.findall(r'<li><a href="/help/([a-z]+)/">([^<]+)</a></li>', html.split('id="help-all"')[1])
    assert titles == list(zip(SLUGS, TITLES[language]))
    for role in {"zh-hans": ["县级填报员", "市级管理员"], "en": ["County editors", "City administrators"]}[language]:
        assert f"<h2>{role}</h2>" in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("index,slug", list(enumerate(SLUGS)))
def test_every_topic_renders_in_both_languages_and_links_back(client_for, yuci_editor, language, index, slug):
    client = in_language(client_for(yuci_editor), language)
    response = client.get(f"/help/{slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{TITLES[language][index]}</h1>" in html
    assert f'<html lang="{language}">' in html
    text = html.split('id="help-topic"')[1].split('class="card help-more"')[0]
    assert written_in(text) == language and len(text) > 500
    assert f'id="help-page-link" href="{PAGES[slug]}"' in html
    assert '<a href="/help/" id="help-index-link">' in html
    assert f'src="/static/help/{slug}.png"' in html
    assert (ROOT / "static" / "help" / f"{slug}.png").is_file()


def test_an_unknown_topic_is_a_page_not_found(client_for, viewer):
    assert client_for(viewer).get("/help/nothing/").status_code == 404


def test_help_is_for_signed_in_users(client):
    response = client.get("/help/report/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/help/report/"


def test_the_header_of_every_page_links_to_the_index(client_for, viewer):
    for path in ["/", "/villages/", "/map/", "/reporting/", "/data/"]:
        assert '<a href="/help/" id="help-nav">帮助</a>' in client_for(viewer).get(path).content.decode(), path


@pytest.mark.parametrize(
    "path,topic",
    [
        ("/offline/", "offline"),
        ("/pairings/", "pairings"),
        ("/map/", "map"),
        ("/reporting/", "reporting"),
        ("/data/", "gis"),
        ("/projects/", "projects"),
        ("/projects/import/", "projects"),
        ("/accounts/tokens/", "gis"),
        ("/admin/villages/village/import/", "import"),
    ],
)
def test_each_explained_page_links_to_its_topic(client_for, city_admin, path, topic):
    html = client_for(city_admin).get(path).content.decode()
    assert f'<a class="help-link" href="/help/{topic}/" data-help="{topic}">？帮助</a>' in html


def test_the_village_forms_link_to_the_reporting_topic(client_for, yuci_editor, yuci_village):
    client = client_for(yuci_editor)
    for path in [f"/villages/{yuci_village.code}/updates/new/", f"/villages/{yuci_village.code}/edit/"]:
        assert 'href="/help/report/" data-help="report"' in client.get(path).content.decode(), path


def test_the_village_page_links_each_action_to_its_topic(client_for, yuci_editor, city_admin, yuci_village):
    from tests.acceptance_helpers import complete, make_standard

    page = f"/villages/{yuci_village.code}/"
    assert 'href="/help/report/" data-help="report"' in client_for(yuci_editor).get(page).content.decode()
    complete(yuci_village)
    # Without a standard the city accepts or returns at one click: the 复核 topic explains both.
    assert 'href="/help/review/" data-help="review"' in client_for(city_admin).get(page).content.decode()
    make_standard()
    assert 'href="/help/apply/" data-help="apply"' in client_for(yuci_editor).get(page).content.decode()
