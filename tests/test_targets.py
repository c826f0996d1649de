import pytest
from django.urls import reverse

from tests.conftest import YUCI
from tests.progress_helpers import figure, row_values, text
from villages.models import CountyQuota, Target, Tier
from villages.progress.targets import quotas, targets

pytestmark = pytest.mark.django_db

HOME = reverse("villages:home")


def test_jinzhongs_plan_comes_with_its_registry_as_its_own_targets(registry):
    plan = set(Target.objects.values_list("city_id", "year", "tier", "kind", "count"))
    assert plan == {
        ("1407", 2025, Tier.SHOWCASE, Target.Kind.ANNUAL, 40),
        ("1407", 2025, Tier.UPGRADED, Target.Kind.ANNUAL, 300),
        ("1407", 2027, Tier.SHOWCASE, Target.Kind.CUMULATIVE, 100),
        ("1407", 2027, Tier.UPGRADED, Target.Kind.CUMULATIVE, 1000),
    }


def test_a_new_database_has_no_targets_until_a_registry_brings_them(transactional_db):
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", "villages", "zero", verbosity=0)
    call_command("migrate", verbosity=0)
    assert not Target.objects.exists()


def test_unset_targets_and_quotas_are_none_not_invented(registry):
    assert (2026, Tier.SHOWCASE, Target.Kind.ANNUAL) not in targets()
    assert quotas(years=[2026]) == {}


def test_city_admin_sets_a_target_in_the_admin_with_history(city_admin, viewer, client_for):
    response = client_for(city_admin).post(
        reverse("admin:villages_target_add"),
        {"city": "1407", "year": 2026, "tier": Tier.SHOWCASE, "kind": Target.Kind.ANNUAL, "count": 70},
    )
    assert response.status_code == 302
    target = Target.objects.get(year=2026, tier=Tier.SHOWCASE)
    assert target.history.count() == 1
    html = client_for(viewer).get(HOME, {"year": 2026, "tier": Tier.SHOWCASE}).content.decode()
    assert figure(html, "target") == "70"


def test_a_second_target_for_the_same_year_tier_and_kind_is_refused(city_admin, client_for):
    client = client_for(city_admin)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("admin:villages_target_add"),
        {"city": "1407", "year": 2025, "tier": Tier.SHOWCASE, "kind": Target.Kind.ANNUAL, "count": 1},
    )
    assert response.status_code == 200
    assert "This city already has a target of this kind for this year and tier." in response.content.decode()
    assert Target.objects.get(year=2025, tier=Tier.SHOWCASE, kind=Target.Kind.ANNUAL).count == 40


def test_city_admin_sets_a_county_quota_and_the_dashboard_shows_it(city_admin, viewer, client_for):
    response = client_for(city_admin).post(
        reverse("admin:villages_countyquota_add"), {"year": 2025, "tier": Tier.UPGRADED, "county": YUCI, "count": 31}
    )
    assert response.status_code == 302
    assert CountyQuota.objects.get().history.count() == 1
    html = client_for(viewer).get(HOME, {"year": 2025, "tier": Tier.UPGRADED}).content.decode()
    assert row_values(html, "data-progress-county", YUCI)["quota"] == "31"
    assert text(row_values(html, "data-progress-county", "140703")["quota"]) == "未设定"


@pytest.mark.parametrize("user", ["yuci_editor", "viewer"])
def test_only_city_admins_may_edit_targets_and_quotas(user, request, client_for):
    client = client_for(request.getfixturevalue(user))
    target = Target.objects.first()
    for url in [reverse("admin:villages_target_change", args=[target.pk]), reverse("admin:villages_countyquota_add")]:
        assert client.get(url).status_code in (302, 403)
    client.post(
        reverse("admin:villages_target_change", args=[target.pk]),
        {"year": 2025, "tier": target.tier, "kind": target.kind, "count": 1},
    )
    target.refresh_from_db()
    assert target.count != 1
