"""The database itself refuses inconsistent villages, on SQLite and on PostgreSQL."""

import pytest
from django.db import IntegrityError, transaction

from villages.models import LocationSource, Tier, Village

pytestmark = pytest.mark.django_db


def new_village(**overrides):
    fields = {
        "code": "140702100398",
        "name": "测试村委会",
        "short_name": "测试村",
        "township_id": "140702100",
        "county_id": "140702",
    }
    fields.update(overrides)
    return Village(**fields)


def refuses(village):
    with pytest.raises(IntegrityError), transaction.atomic():
        village.save()


def test_a_consistent_village_is_accepted(registry):
    new_village().save()
    assert Village.objects.filter(code="140702100398").exists()


def test_database_refuses_village_whose_county_differs_from_its_townships(registry):
    refuses(new_village(county_id="140703"))


def test_database_refuses_village_code_outside_its_township(registry):
    refuses(new_village(code="140702101398"))


def test_database_refuses_a_duplicate_code(registry):
    refuses(new_village(code="140702100200"))


def test_database_refuses_a_malformed_code(registry):
    refuses(new_village(code="14070210039x"))


def test_database_refuses_a_tier_without_year_and_half_a_location(registry):
    refuses(new_village(tier=Tier.SHOWCASE))
    refuses(new_village(lat=37.6, location_source=LocationSource.SURVEYED))
    refuses(new_village(lat=37.6, lon=112.7))
    refuses(new_village(progress=101))
