"""Villages with tiers, statuses and locations, and pairings, for the map tests (on top of the real registry)."""

import json
import re

import numpy as np
from django.db.models import Q

from counties.geo import random_points_in_county
from counties.models import Pairing
from villages.models import CountyQuota, LocationSource, Status, Target, Tier, Village

YEAR = 2025
YUCI, TAIGU, HESHUN, QIXIAN, PINGYAO = "140702", "140703", "140723", "140727", "140728"

# (county, tier, year, status, located as)
PLAN = [
    (YUCI, Tier.SHOWCASE, YEAR, Status.ACCEPTED, LocationSource.ILLUSTRATIVE),
    (YUCI, Tier.SHOWCASE, YEAR, Status.PLANNED, LocationSource.SURVEYED),
    (YUCI, Tier.UPGRADED, YEAR, Status.IN_PROGRESS, LocationSource.SURVEYED),
    (YUCI, Tier.UPGRADED, YEAR, Status.COMPLETED, None),
    (YUCI, Tier.UPGRADED, YEAR + 1, Status.PLANNED, LocationSource.SURVEYED),
    (YUCI, Tier.NONE, None, Status.NOT_STARTED, LocationSource.IMPORTED),
    (TAIGU, Tier.SHOWCASE, YEAR, Status.ACCEPTED, LocationSource.SURVEYED),
    (TAIGU, Tier.UPGRADED, YEAR, Status.ACCEPTED, LocationSource.ILLUSTRATIVE),
    (TAIGU, Tier.UPGRADED, YEAR, Status.COMPLETED, LocationSource.SURVEYED),
    (TAIGU, Tier.NONE, None, Status.NOT_STARTED, LocationSource.SURVEYED),
]


def place_villages(plan=PLAN, seed=6):
    rng = np.random.default_rng(seed)
    placed = []
    for county in sorted({row[0] for row in plan}):
        rows = [row for row in plan if row[0] == county]
        villages = list(Village.objects.filter(county_id=county).order_by("code")[: len(rows)])
        points = random_points_in_county(county, len(rows), rng)
        for village, (_county, tier, year, status, source), (lon, lat) in zip(villages, rows, points):
            village.tier, village.programme_year, village.status = tier, year, status
            village.progress = 100 if status in (Status.COMPLETED, Status.ACCEPTED) else 40
            if source:
                village.lat, village.lon, village.location_source = lat, lon, source
            village.save()
            placed.append(village)
    return placed


def expected_villages(year=YEAR, counties=None, **filters):
    """The located villages the map should draw, straight from the database."""
    villages = (
        Village.objects.filter(lat__isnull=False).filter(Q(programme_year=year) | Q(tier=Tier.NONE)).filter(**filters)
    )
    if counties is not None:
        villages = villages.filter(county_id__in=counties)
    return villages


def map_data(html):
    """The JSON data the map page embeds for the browser."""
    found = re.search(r'<script id="progress-map-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def village_codes(data):
    """The 12-digit codes of the villages in the page's compact rows."""
    return sorted(data["townships"][row[2]][0] + f"{row[3]:03d}" for row in data["villages"])


def plan_map_villages():
    """The villages, quotas and pairings of the map tests (PLAN), on top of the registry."""
    # A transactional (browser) test flushes the targets the migrations seed; put this year's back.
    for tier, count in [(Tier.SHOWCASE, 40), (Tier.UPGRADED, 300)]:
        Target.objects.get_or_create(year=YEAR, tier=tier, kind=Target.Kind.ANNUAL, defaults={"count": count})
    placed = place_villages()
    CountyQuota.objects.create(year=YEAR, tier=Tier.SHOWCASE, county_id=YUCI, count=2)
    Pairing.objects.create(
        kind=Pairing.Kind.HELP, county_a_id=YUCI, county_b_id=HESHUN, start_year=2024, is_illustrative=True
    )
    Pairing.objects.create(
        kind=Pairing.Kind.NEIGHBOURS, county_a_id=QIXIAN, county_b_id=PINGYAO, start_year=YEAR, end_year=YEAR
    )
    Pairing.objects.create(
        kind=Pairing.Kind.NEIGHBOURS, county_a_id=TAIGU, county_b_id=QIXIAN, start_year=2020, end_year=2023
    )
    return placed
