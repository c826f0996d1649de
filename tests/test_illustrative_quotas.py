"""County quotas invented by the demo are flagged, and every page that shows quotas says so."""

from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from counties.models import Pairing
from tests.conftest import TAIGU, YUCI
from villages.demo import seed_demo
from villages.models import CountyQuota, Tier

pytestmark = pytest.mark.django_db

NOTICE = 'data-illustrative="quotas"'


def quota_pages():
    pairing = Pairing.objects.filter(county_a_id=YUCI).first() or Pairing.objects.first()
    return [
        reverse("villages:home") + "?year=2025&tier=showcase",
        reverse("villages:county", args=[YUCI]),
        reverse("villages:pairing", args=[pairing.pk]),
        reverse("villages:map") + "?year=2025",
    ]


@pytest.fixture
def demo(registry):
    seed_demo()


@pytest.fixture
def demo_viewer(demo, client_for):
    return client_for(get_user_model().objects.get(username="viewer"))


def test_seed_demo_marks_every_quota_it_invents_as_illustrative(demo):
    assert CountyQuota.objects.count() > 0
    assert not CountyQuota.objects.filter(is_illustrative=False).exists()


@pytest.mark.parametrize("page", range(4))
def test_pages_showing_demo_quotas_say_they_are_demo_data(demo_viewer, page):
    html = demo_viewer.get(quota_pages()[page]).content.decode()
    assert NOTICE in html
    assert "本页的县级任务数为演示数据，并非市里下达的任务数。" in html


@pytest.mark.parametrize("page", range(4))
def test_quotas_set_by_the_city_carry_no_notice(demo_viewer, page):
    CountyQuota.objects.update(is_illustrative=False)
    response = demo_viewer.get(quota_pages()[page])
    assert response.status_code == 200 and NOTICE not in response.content.decode()


def test_the_notice_covers_only_the_quotas_the_page_shows(registry, viewer, client_for):
    CountyQuota.objects.create(year=2025, tier=Tier.SHOWCASE, county_id=TAIGU, count=3, is_illustrative=True)
    CountyQuota.objects.create(year=2025, tier=Tier.SHOWCASE, county_id=YUCI, count=5)
    client = client_for(viewer)
    assert NOTICE in client.get(reverse("villages:county", args=[TAIGU])).content.decode()
    assert NOTICE not in client.get(reverse("villages:county", args=[YUCI])).content.decode()
    assert NOTICE not in client.get(reverse("villages:home"), {"year": 2025, "tier": Tier.UPGRADED}).content.decode()


def test_a_city_admin_clears_the_flag_in_the_admin_once_the_quota_is_real(registry, city_admin, viewer, client_for):
    quota = CountyQuota.objects.create(year=2025, tier=Tier.SHOWCASE, county_id=YUCI, count=5, is_illustrative=True)
    county_page = reverse("villages:county", args=[YUCI])
    assert NOTICE in client_for(viewer).get(county_page).content.decode()
    response = client_for(city_admin).post(
        reverse("admin:villages_countyquota_change", args=[quota.pk]),
        {"year": 2025, "tier": Tier.SHOWCASE, "county": YUCI, "count": 6},
    )
    assert response.status_code == 302
    quota.refresh_from_db()
    assert (quota.count, quota.is_illustrative) == (6, False)
    assert quota.history.first().is_illustrative is False and quota.history.last().is_illustrative is True
    assert NOTICE not in client_for(viewer).get(county_page).content.decode()


def test_the_ledger_of_demo_quotas_says_so(demo_viewer):
    response = demo_viewer.get(reverse("villages:dashboard_xlsx"), {"year": 2025, "tier": Tier.SHOWCASE})
    cells = [
        cell for row in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True) for cell in row
    ]
    assert "本页的县级任务数为演示数据，并非市里下达的任务数。" in cells
    CountyQuota.objects.update(is_illustrative=False)
    response = demo_viewer.get(reverse("villages:dashboard_xlsx"), {"year": 2025, "tier": Tier.SHOWCASE})
    cells = [
        cell for row in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True) for cell in row
    ]
    assert "本页的县级任务数为演示数据，并非市里下达的任务数。" not in cells
