import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from counties.models import County, Pairing, Township
from tests.conftest import TAIGU, YUCI
from tests.progress_helpers import designate, figure, pick, row_values, text
from villages.models import CountyQuota, Status, Target, Tier, Village

pytestmark = pytest.mark.django_db

HOME = reverse("villages:home")
XIYANG = "140724"


@pytest.fixture
def programme(registry):
    """2025 showcase villages in three counties, in every status, with acceptances old and recent."""
    today = timezone.localdate()
    created = {
        YUCI: designate(pick(YUCI, 2), Tier.SHOWCASE, 2025, Status.PLANNED)
        + designate(pick(YUCI, 3), Tier.SHOWCASE, 2025, Status.IN_PROGRESS)
        + designate(pick(YUCI, 1), Tier.SHOWCASE, 2025, Status.COMPLETED)
        + designate(pick(YUCI, 2), Tier.SHOWCASE, 2025, Status.ACCEPTED, accepted_on=today - timedelta(days=100))
        + designate(pick(YUCI, 1), Tier.SHOWCASE, 2025, Status.ACCEPTED, accepted_on=today - timedelta(days=3)),
        TAIGU: designate(pick(TAIGU, 1), Tier.SHOWCASE, 2025, Status.COMPLETED)
        + designate(pick(TAIGU, 1), Tier.SHOWCASE, 2025, Status.ACCEPTED, accepted_on=today - timedelta(days=10)),
        XIYANG: designate(pick(XIYANG, 2), Tier.SHOWCASE, 2025, Status.IN_PROGRESS),
    }
    # Other tiers and years must not leak into the 2025 showcase numbers.
    designate(pick(YUCI, 4), Tier.UPGRADED, 2025, Status.ACCEPTED, accepted_on=today - timedelta(days=5))
    designate(pick(TAIGU, 2), Tier.SHOWCASE, 2026, Status.ACCEPTED, accepted_on=today - timedelta(days=5))
    CountyQuota.objects.create(year=2025, tier=Tier.SHOWCASE, county_id=YUCI, count=6)
    CountyQuota.objects.create(year=2025, tier=Tier.SHOWCASE, county_id=TAIGU, count=4)
    return created


def counted(villages, today):
    statuses = [village.status for village in villages]
    recent = [v for v in villages if v.status == Status.ACCEPTED and v.accepted_at.date() > today - timedelta(days=30)]
    return {
        "designated": len(villages),
        "in_progress": statuses.count(Status.IN_PROGRESS),
        "completed": statuses.count(Status.COMPLETED),
        "accepted": statuses.count(Status.ACCEPTED),
        "change": len(recent),
    }


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_city_and_county_numbers_equal_the_villages_created(programme, viewer, client_for):
    today = timezone.localdate()
    html = client_for(viewer).get(HOME, {"year": 2025, "tier": Tier.SHOWCASE}).content.decode()

    everything = [village for villages in programme.values() for village in villages]
    city = counted(everything, today)
    assert figure(html, "target") == "40"  # the plan's 2025 target, seeded by a migration
    for name in ["designated", "in_progress", "completed", "accepted"]:
        assert figure(html, name) == str(city[name]), name
    assert figure(html, "change") == f"+{city['change']}"
    assert figure(html, "percent") == f"{round(100 * city['accepted'] / 40, 1)}%"

    quotas = {YUCI: 6, TAIGU: 4}
    for code, villages in programme.items():
        expected = counted(villages, today)
        cells = row_values(html, "data-progress-county", code)
        for name in ["designated", "in_progress", "completed", "accepted"]:
            assert cells[name] == str(expected[name]), (code, name)
        assert cells["change"] == f"+{expected['change']}"
        if code in quotas:
            assert cells["quota"] == str(quotas[code])
            assert cells["percent"] == f"{round(100 * expected['accepted'] / quotas[code], 1)}%"
        else:
            assert text(cells["quota"]) == "未设定"
            assert cells["percent"] == "–"
    untouched = row_values(html, "data-progress-county", "140781")
    assert [untouched[name] for name in ["designated", "in_progress", "completed", "accepted"]] == ["0"] * 4


def test_a_year_without_target_is_shown_as_not_set(programme, viewer, client_for):
    assert not Target.objects.filter(year=2026).exists()
    html = client_for(viewer).get(HOME, {"year": 2026, "tier": Tier.SHOWCASE}).content.decode()
    assert text(figure(html, "target")) == "未设定"
    assert figure(html, "percent") == "–"
    assert figure(html, "accepted") == "2"  # the two 2026 villages of the fixture


def test_cumulative_section_counts_accepted_toward_2027(programme, viewer, client_for):
    html = client_for(viewer).get(HOME).content.decode()
    card = re.search(r'data-cumulative="showcase">(.*?)</div>\s*(?:<div class="card"|</div>)', html, re.S).group(1)
    accepted = Village.objects.filter(tier=Tier.SHOWCASE, status=Status.ACCEPTED, programme_year__lte=2027).count()
    expected = sum(1 for villages in programme.values() for v in villages if v.status == Status.ACCEPTED) + 2
    assert accepted == expected
    assert re.search(r'data-value="target">(\d+)<', card).group(1) == "100"
    assert re.search(r'data-value="accepted">(\d+)<', card).group(1) == str(expected)
    assert "<svg" in card and "polyline" in card


def test_county_table_is_sortable_and_links_to_county_pages(programme, viewer, client_for):
    client = client_for(viewer)
    html = client.get(HOME, {"year": 2025, "tier": Tier.SHOWCASE, "sort": "-designated"}).content.decode()
    order = re.findall(r'<tr data-progress-county="(\d+)"', html)
    designated = {code: len(villages) for code, villages in programme.items()}
    shown = [designated.get(code, 0) for code in order]
    assert shown == sorted(designated.values(), reverse=True) + [0] * (len(order) - len(designated))
    html = client.get(HOME, {"year": 2025, "tier": Tier.SHOWCASE, "sort": "county"}).content.decode()
    assert re.findall(r'<tr data-progress-county="(\d+)"', html) == sorted(
        County.objects.values_list("code", flat=True)
    )
    assert f'href="{reverse("villages:county", args=[YUCI])}"' in html


def test_sorting_by_quota_keeps_counties_without_quota_last(programme, viewer, client_for):
    client = client_for(viewer)
    for sort in ["quota", "-quota"]:
        order = re.findall(
            r'<tr data-progress-county="(\d+)"', client.get(HOME, {"year": 2025, "sort": sort}).content.decode()
        )
        assert set(order[:2]) == {YUCI, TAIGU}


def test_county_editor_sees_links_to_every_countys_page(programme, yuci_editor, client_for):
    # Figures are open to all: every county's page opens for every signed-in user.
    html = client_for(yuci_editor).get(HOME).content.decode()
    assert reverse("villages:county", args=[YUCI]) in html
    assert reverse("villages:county", args=[TAIGU]) in html


def test_bad_filters_get_a_message_and_the_defaults(programme, viewer, client_for):
    response = client_for(viewer).get(HOME, {"year": "1999", "tier": "gold"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist"' in html
    # The defaults: showcase, in the latest year up to this one with designated villages (2026 here).
    latest = max(
        Village.objects.filter(programme_year__lte=timezone.localdate().year).values_list("programme_year", flat=True)
    )
    assert latest == 2026
    assert (
        figure(html, "designated")
        == str(Village.objects.filter(programme_year=2026, tier=Tier.SHOWCASE).count())
        == "2"
    )


def test_helped_county_is_compared_with_the_city_average(programme, viewer, client_for):
    pairing = Pairing.objects.create(kind=Pairing.Kind.HELP, county_a_id=YUCI, county_b_id=TAIGU, start_year=2025)
    html = client_for(viewer).get(HOME, {"year": 2025}).content.decode()
    row = row_values(html, "data-pairing", pairing.pk)
    taigu_accepted = sum(1 for v in programme[TAIGU] if v.status == Status.ACCEPTED)
    assert row["percent"] == f"{round(100 * taigu_accepted / 4, 1)}%"
    accepted_with_quota = sum(1 for code in [YUCI, TAIGU] for v in programme[code] if v.status == Status.ACCEPTED)
    average = re.search(r'data-value="city-average">(.*?)</strong>', html).group(1)
    assert average == f"{round(100 * accepted_with_quota / 10, 1)}%"


def add_villages(total):
    """Grow the registry to `total` villages with new village codes (numbers 900-999 of each township)."""
    missing = total - Village.objects.count()
    new = []
    for township in Township.objects.order_by("code"):
        for number in range(900, 1000):
            if len(new) == missing:
                break
            code = f"{township.code}{number}"
            new.append(
                Village(
                    code=code,
                    name=f"测试村{code}",
                    short_name=f"测{code[-4:]}",
                    township=township,
                    county_id=township.county_id,
                )
            )
    Village.objects.bulk_create(new)


def dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME, {"year": 2025, "tier": Tier.SHOWCASE}).status_code == 200
    return len(queries)


def test_dashboard_query_count_is_the_same_with_50_and_2000_villages(
    registry, viewer, client_for, django_assert_num_queries
):
    keep = list(Village.objects.order_by("code").values_list("pk", flat=True)[:50])
    Village.objects.exclude(pk__in=keep).delete()
    small = list(Village.objects.all()[:10])
    designate(small[:5], Tier.SHOWCASE, 2025, Status.ACCEPTED, accepted_on=timezone.localdate() - timedelta(days=40))
    designate(small[5:], Tier.SHOWCASE, 2025, Status.IN_PROGRESS)
    Pairing.objects.create(kind=Pairing.Kind.HELP, county_a_id=YUCI, county_b_id=TAIGU, start_year=2025)
    client = client_for(viewer)
    dashboard_queries(client)  # warm up the session and the role cache
    with_50 = dashboard_queries(client)

    add_villages(2000)
    assert Village.objects.count() == 2000
    large = list(Village.objects.filter(tier=Tier.NONE)[:400])
    designate(large[:200], Tier.UPGRADED, 2025, Status.ACCEPTED, accepted_on=timezone.localdate() - timedelta(days=70))
    designate(large[200:], Tier.SHOWCASE, 2025, Status.COMPLETED)
    Pairing.objects.create(kind=Pairing.Kind.HELP, county_a_id="140781", county_b_id="140722", start_year=2025)
    with django_assert_num_queries(with_50):
        client.get(HOME, {"year": 2025, "tier": Tier.SHOWCASE})


@pytest.mark.browser
def test_dashboard_fits_a_phone_and_requests_nothing_outside(browser_page, viewer, programme):
    browser_page.page.set_viewport_size({"width": 390, "height": 844})
    failed = []
    browser_page.page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    browser_page.login(viewer.username)
    browser_page.goto(HOME)
    page = browser_page.page
    assert page.locator("svg.chart").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert browser_page.outside_requests == []
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
    assert browser_page.console_errors == []  # not even a missing favicon


def test_a_quota_for_the_cumulative_goal_year_is_not_shown_as_an_annual_quota(programme, viewer, client_for):
    CountyQuota.objects.create(year=2027, tier=Tier.SHOWCASE, county_id=YUCI, count=11)
    html = client_for(viewer).get(HOME, {"year": 2027, "tier": Tier.SHOWCASE}).content.decode()
    assert text(row_values(html, "data-progress-county", YUCI)["quota"]) == "未设定"
    assert row_values(html, "data-forecast-county", YUCI)["quota"] == "11"
