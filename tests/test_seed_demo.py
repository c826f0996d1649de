from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, Max
from django.utils import translation
from shapely.geometry import Point, shape

from counties.models import CountyBoundary, Profile
from villages.demo import DEMO_PASSWORD, EDITOR_USERNAMES
from villages.models import LocationSource, ProgressUpdate, Status, Tier, Village

pytestmark = pytest.mark.django_db
NAME_MARK = '<span class="badge illustrative"'  # every page that shows demo data says so


def seed():
    out = StringIO()
    with translation.override("en"):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_refuses_to_run_with_debug_off(registry, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed()
    assert not Village.objects.designated().exists()


def test_seed_demo_designates_40_showcase_and_300_upgraded_in_proportion(registry, settings):
    settings.DEBUG = True
    seed()
    assert Village.objects.filter(tier=Tier.SHOWCASE, programme_year=2025).count() == 40
    assert Village.objects.filter(tier=Tier.UPGRADED, programme_year=2025).count() == 300
    # 300 × villages of the county / 1,940, rounded by largest remainder: 昔阳 231 → 35.72 → 36, 祁县 117 → 18.09 → 18 ...
    expected = {
        "140702": 32, "140703": 23, "140721": 26, "140722": 25, "140723": 27, "140724": 36,
        "140725": 25, "140727": 18, "140728": 33, "140729": 30, "140781": 25,
    }  # fmt: skip
    actual = dict(Village.objects.filter(tier=Tier.UPGRADED).values_list("county_id").annotate(Count("id")))
    assert actual == expected
    assert set(Village.objects.designated().values_list("status", flat=True)) == {
        Status.PLANNED,
        Status.IN_PROGRESS,
        Status.COMPLETED,
        Status.UNDER_REVIEW,
        Status.ACCEPTED,
    }


def test_every_illustrative_location_lies_inside_its_county(registry, settings):
    settings.DEBUG = True
    seed()
    polygons = {boundary.county_id: shape(boundary.geometry) for boundary in CountyBoundary.objects.all()}
    located = list(Village.objects.located())
    assert len(located) > 250
    for village in located:
        assert village.location_source == LocationSource.ILLUSTRATIVE
        assert polygons[village.county_id].covers(Point(village.lon, village.lat)), village.code


def test_seed_demo_creates_the_demo_users_and_prints_the_password(registry, settings):
    settings.DEBUG = True
    output = seed()
    assert DEMO_PASSWORD in output
    admin = authenticate(username="admin", password=DEMO_PASSWORD)
    assert admin.profile.role == Profile.Role.CITY_ADMIN
    taigu = authenticate(username="taigu", password=DEMO_PASSWORD)
    assert list(taigu.profile.counties.values_list("code", flat=True)) == ["140703"]
    assert authenticate(username="viewer", password=DEMO_PASSWORD).profile.role == Profile.Role.VIEWER
    assert len(EDITOR_USERNAMES) == 11


def test_running_seed_demo_twice_changes_nothing(registry, settings):
    settings.DEBUG = True
    seed()
    snapshot = list(Village.objects.values_list("code", "tier", "status", "progress", "lat", "lon"))
    history = Village.history.count()
    output = seed()
    assert list(Village.objects.values_list("code", "tier", "status", "progress", "lat", "lon")) == snapshot
    assert Village.history.count() == history
    assert "Demo data already present: nothing changed." in output


def test_with_two_cities_the_demo_designates_each_citys_plan_and_says_the_totals(registry, settings):
    from counties.models import City, County, Township

    settings.DEBUG = True
    city = City.objects.create(code="1403", name="阳泉市", province_id="14")
    county = County.objects.create(code="140302", name="城区", city=city)
    township = Township.objects.create(code="140302001", name="上站街道", kind=Township.Kind.SUBDISTRICT, county=county)
    Village.objects.bulk_create(
        Village(code=f"140302001{n:03d}", name=f"村{n}委会", short_name=f"村{n}", township=township, county=county)
        for n in range(400)
    )
    output = seed()
    assert "Designated 680 illustrative villages for 2025 (80 showcase, 600 upgraded)." in output
    assert Village.objects.filter(county=county, tier=Tier.SHOWCASE).count() == 40
    assert Village.objects.filter(county=county, tier=Tier.UPGRADED).count() == 300


def test_the_demo_has_an_illustrative_standard_and_applications_in_every_state(registry, settings, client_for):
    from villages.acceptance.models import Application, Standard

    settings.DEBUG = True
    output = seed()
    standard = Standard.objects.get()
    assert (standard.tier, standard.year, standard.is_illustrative) == ("showcase", 2025, True)
    assert standard.items.filter(points=0, decisive=True).count() == 1 and standard.total_points == 100
    states = dict(Application.objects.values_list("status").annotate(Count("id")))
    assert set(states) == {"draft", "submitted", "returned", "accepted"}
    assert "Illustrative applications for acceptance" in output
    showcase = Village.objects.filter(tier=Tier.SHOWCASE, programme_year=2025)
    # Where a standard applies, a village is accepted only through a passed review, in the demo too.
    accepted = showcase.filter(status=Status.ACCEPTED)
    assert accepted.count() == states["accepted"]
    assert not accepted.exclude(applications__status="accepted").exists()
    assert showcase.filter(status=Status.UNDER_REVIEW).count() == states["submitted"]
    returned = Application.objects.filter(status="returned").select_related("village").first()
    assert returned.village.status == Status.IN_PROGRESS and "示意" in returned.review.comment
    admin = Profile.objects.get(user__username="admin").user
    page = client_for(admin).get(returned.village.get_absolute_url()).content.decode()
    assert NAME_MARK in page


def test_a_demo_villages_last_change_is_the_last_of_its_history_and_updates(registry, settings):
    """最近更新 is the story's, not the day the demo was seeded (issue 25, item 3)."""
    settings.DEBUG = True
    seed()
    last = dict(Village.history.values_list("id").annotate(Max("history_date")))
    for pk, moment in ProgressUpdate.objects.values_list("village_id").annotate(Max("created_at")):
        last[pk] = max(last[pk], moment)
    villages = list(Village.objects.designated().values_list("pk", "updated_at"))
    assert len(villages) == 340
    assert [(pk, updated_at) for pk, updated_at in villages if updated_at != last[pk]] == []
