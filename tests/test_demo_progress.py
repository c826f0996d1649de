"""seed_demo's pairings, quotas and history: illustrative, plausible for the burn-up, and written once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation

from counties.models import Pairing, PairingActivity
from villages.models import CountyQuota, Status, Target, Tier, Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(registry, settings):
    settings.DEBUG = True
    with translation.override("en"):
        call_command("seed_demo", stdout=StringIO())


def test_demo_pairings_and_activities_are_illustrative(demo):
    assert Pairing.objects.count() >= 4
    assert (
        Pairing.objects.filter(kind=Pairing.Kind.HELP).exists()
        and Pairing.objects.filter(kind=Pairing.Kind.NEIGHBOURS).exists()
    )
    assert not Pairing.objects.filter(is_illustrative=False).exists()
    assert PairingActivity.objects.exists() and not PairingActivity.objects.filter(is_illustrative=False).exists()


def test_demo_quotas_add_up_to_the_plan_targets(demo):
    for target in Target.objects.all():
        total = CountyQuota.objects.filter(year=target.year, tier=target.tier).aggregate(total=Sum("count"))["total"]
        assert total == target.count


def test_demo_acceptances_are_spread_over_past_months(demo):
    accepted = Village.objects.filter(status=Status.ACCEPTED)
    months = {(v.accepted_at.year, v.accepted_at.month) for v in accepted}
    assert len(months) >= 6
    # Upgraded villages (no standard) are accepted at one step; showcase villages, which have the demo's
    # illustrative standard, only through an application and a passed review.
    paths = {
        Tier.UPGRADED: [Status.NOT_STARTED, Status.PLANNED, Status.ACCEPTED],
        Tier.SHOWCASE: [Status.NOT_STARTED, Status.PLANNED, Status.COMPLETED, Status.UNDER_REVIEW, Status.ACCEPTED],
    }
    for tier, path in paths.items():
        for village in accepted.filter(tier=tier)[:10]:
            records = list(village.history.order_by("history_date").values_list("status", "history_date"))
            assert [status for status, _date in records] == path
            assert records[-1][1] == village.accepted_at


def test_running_the_demo_again_adds_no_pairing_quota_or_activity(demo, settings):
    counts = (Pairing.objects.count(), PairingActivity.objects.count(), CountyQuota.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Pairing.objects.count(), PairingActivity.objects.count(), CountyQuota.objects.count()) == counts


def test_demo_pairings_are_marked_illustrative_on_the_pages(demo, client_for):
    from django.contrib.auth import get_user_model

    viewer = get_user_model().objects.get(username="viewer")
    client = client_for(viewer)
    listing = client.get(reverse("villages:pairings")).content.decode()
    assert listing.count('class="badge illustrative">示意') == Pairing.objects.count()
    home = client.get(reverse("villages:home"), {"year": 2025, "tier": Tier.UPGRADED}).content.decode()
    assert 'class="badge illustrative">示意' in home
