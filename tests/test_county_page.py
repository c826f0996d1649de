import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from counties.models import Township
from tests.conftest import TAIGU, YUCI
from tests.progress_helpers import designate, pick, row_values, text
from tests.test_dashboard import add_villages
from villages.models import CountyQuota, LocationSource, ProgressUpdate, Status, Tier, Village

pytestmark = pytest.mark.django_db


def county_url(code):
    return reverse("villages:county", args=[code])


@pytest.fixture
def yuci_programme(registry):
    today = timezone.localdate()
    showcase = (
        designate(pick(YUCI, 2), Tier.SHOWCASE, 2025, Status.IN_PROGRESS)
        + designate(pick(YUCI, 1), Tier.SHOWCASE, 2025, Status.COMPLETED)
        + designate(pick(YUCI, 2), Tier.SHOWCASE, 2025, Status.ACCEPTED, accepted_on=today - timedelta(days=60))
        + designate(pick(YUCI, 1), Tier.SHOWCASE, 2025, Status.ACCEPTED, accepted_on=today - timedelta(days=2))
    )
    upgraded = designate(pick(YUCI, 3), Tier.UPGRADED, 2026, Status.PLANNED)
    located = showcase[0]
    located.lat, located.lon, located.location_source = 37.7, 112.7, LocationSource.SURVEYED
    located.save()
    designate(pick(TAIGU, 4), Tier.SHOWCASE, 2025, Status.ACCEPTED)  # another county: must not show
    CountyQuota.objects.create(year=2025, tier=Tier.SHOWCASE, county_id=YUCI, count=8)
    return {"showcase": showcase, "upgraded": upgraded, "located": located}


def test_quota_rows_equal_the_villages_created(yuci_programme, viewer, client_for):
    html = client_for(viewer).get(county_url(YUCI)).content.decode()
    showcase = row_values(html, 'data-year="2025" data-tier', "showcase")
    statuses = [v.status for v in yuci_programme["showcase"]]
    assert showcase["quota"] == "8"
    assert showcase["designated"] == str(len(statuses))
    assert showcase["in_progress"] == str(statuses.count(Status.IN_PROGRESS))
    assert showcase["completed"] == str(statuses.count(Status.COMPLETED))
    assert showcase["accepted"] == str(statuses.count(Status.ACCEPTED))
    assert showcase["percent"] == f"{round(100 * statuses.count(Status.ACCEPTED) / 8, 1)}%"
    assert showcase["change"] == "+1"
    upgraded = row_values(html, 'data-year="2026" data-tier', "upgraded")
    assert text(upgraded["quota"]) == "未设定"
    assert upgraded["designated"] == str(len(yuci_programme["upgraded"]))
    assert upgraded["accepted"] == "0"


def test_township_table_counts_every_village_of_the_county(yuci_programme, viewer, client_for):
    html = client_for(viewer).get(county_url(YUCI)).content.decode()
    townships = Township.objects.filter(county_id=YUCI)
    empty = []
    for township in townships:
        villages = list(Village.objects.filter(township=township).values_list("tier", "status", "lat"))
        if not villages:  # a row of zeros, folded under the table (issue 25, item 8)
            empty.append(township)
            assert f'<tr data-township="{township.code}">' not in html
            assert f'<span data-empty-township="{township.code}">{township.name}</span>' in html
            continue
        row = re.search(rf'<tr data-township="{township.code}">(.*?)</tr>', html, re.S).group(1)
        numbers = [int(n) for n in re.findall(r'<td class="num"[^>]*>(\d+)</td>', row)]
        expected = [len(villages)]
        expected += [sum(1 for tier, _s, _l in villages if tier == value) for value in Tier.values]
        expected += [sum(1 for _t, status, _l in villages if status == value) for value in Status.values]
        expected += [sum(1 for _t, _s, lat in villages if lat is None)]
        assert numbers == expected, township.code
    assert len(re.findall(r'<tr data-township="\d+"', html)) == townships.count() - len(empty)
    assert Township.Kind.SUBDISTRICT in {township.kind for township in empty}
    assert f"<summary>{len(empty)} 个乡镇或街道办事处没有村庄</summary>" in html
    total = re.search(r'<tr data-township="total">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num"[^>]*>(\d+)</td>', total)[0] == str(
        Village.objects.filter(county_id=YUCI).count()
    )


def test_designated_villages_without_location_are_listed(yuci_programme, viewer, client_for):
    html = client_for(viewer).get(county_url(YUCI)).content.decode()
    section = html[html.index('id="unlocated"') : html.index('id="latest-updates"')]
    listed = set(re.findall(r'data-village="(\d+)"', section))
    designated = yuci_programme["showcase"] + yuci_programme["upgraded"]
    assert listed == {v.code for v in designated if v.pk != yuci_programme["located"].pk}


def test_latest_updates_of_the_county_are_shown_newest_first(yuci_programme, viewer, client_for):
    village = yuci_programme["showcase"][0]
    ProgressUpdate.objects.create(village=village, date=date(2025, 4, 1), text="完成道路硬化", progress=40)
    ProgressUpdate.objects.create(village=village, date=date(2025, 5, 1), text="完成污水管网", progress=60)
    ProgressUpdate.objects.create(village=pick(TAIGU, 1)[0], date=date(2025, 6, 1), text="太谷的进展")
    html = client_for(viewer).get(county_url(YUCI)).content.decode()
    assert html.index("完成污水管网") < html.index("完成道路硬化")
    assert "太谷的进展" not in html


def test_cumulative_outlook_counts_accepted_villages_of_the_county(yuci_programme, viewer, client_for):
    html = client_for(viewer).get(county_url(YUCI)).content.decode()
    card = html[html.index('data-outlook="showcase"') : html.index('data-outlook="upgraded"')]
    accepted = sum(1 for v in yuci_programme["showcase"] if v.status == Status.ACCEPTED)
    assert re.search(r'data-value="accepted">(\d+)<', card).group(1) == str(accepted)
    assert text(re.search(r'data-value="target">(.*?)</strong>', card, re.S).group(1)) == "未设定"
    assert "<svg" in card


def test_every_signed_in_user_sees_the_figures_and_only_those_allowed_the_village_records(
    yuci_programme, yuci_editor, taigu_editor, viewer, client_for
):
    ProgressUpdate.objects.create(village=yuci_programme["showcase"][0], date=date(2025, 5, 1), text="完成污水管网")
    for user, records in [(yuci_editor, True), (viewer, True), (taigu_editor, False)]:
        response = client_for(user).get(county_url(YUCI))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'data-year="2025" data-tier="showcase"' in html  # the figures
        assert ('id="unlocated"' in html) is records and ("完成污水管网" in html) is records
        assert ('id="village-records-closed"' in html) is not records


def test_an_unknown_county_is_404_saying_so(registry, viewer, client_for):
    response = client_for(viewer).get(county_url("999999"))
    assert response.status_code == 404 and "没有代码为 999999 的县（市、区）" in response.content.decode()
    assert client_for(viewer).get(county_url("abc")).status_code == 404


def test_anonymous_is_sent_to_login(registry, client):
    response = client.get(county_url(YUCI))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def county_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(county_url(YUCI)).status_code == 200
    return len(queries)


def test_county_page_query_count_is_the_same_with_50_and_2000_villages(
    registry, viewer, client_for, django_assert_num_queries
):
    keep = list(Village.objects.filter(county_id=YUCI).order_by("code").values_list("pk", flat=True)[:50])
    Village.objects.exclude(pk__in=keep).delete()
    designate(
        list(Village.objects.all()[:6]),
        Tier.SHOWCASE,
        2025,
        Status.ACCEPTED,
        accepted_on=timezone.localdate() - timedelta(days=9),
    )
    ProgressUpdate.objects.create(village=Village.objects.first(), date=date(2025, 5, 1), text="x")
    client = client_for(viewer)
    county_queries(client)
    with_50 = county_queries(client)

    add_villages(2000)
    yuci = list(Village.objects.filter(county_id=YUCI, tier=Tier.NONE)[:300])
    designate(yuci[:150], Tier.UPGRADED, 2025, Status.ACCEPTED, accepted_on=timezone.localdate() - timedelta(days=50))
    designate(yuci[150:], Tier.SHOWCASE, 2026, Status.IN_PROGRESS)
    for village in yuci[:40]:
        ProgressUpdate.objects.create(village=village, date=date(2025, 6, 1), text="y")
    with django_assert_num_queries(with_50):
        client.get(county_url(YUCI))


@pytest.mark.browser
def test_county_page_fits_a_phone(browser_page, viewer, yuci_programme):
    browser_page.page.set_viewport_size({"width": 390, "height": 844})
    browser_page.login(viewer.username)
    browser_page.goto(county_url(YUCI))
    assert browser_page.page.evaluate("document.documentElement.scrollWidth") <= 390
    assert browser_page.outside_requests == []


def test_the_2027_quota_is_the_goal_of_the_outlook_not_an_annual_row(yuci_programme, viewer, client_for):
    CountyQuota.objects.create(year=2027, tier=Tier.SHOWCASE, county_id=YUCI, count=12)
    html = client_for(viewer).get(county_url(YUCI)).content.decode()
    assert 'data-year="2027"' not in html
    card = html[html.index('data-outlook="showcase"') : html.index('data-outlook="upgraded"')]
    assert re.search(r'data-value="target">(\d+)<', card).group(1) == "12"
