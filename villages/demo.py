"""Illustrative demo data: designated villages, statuses, illustrative locations and demo users.

Nothing here is real programme data. Locations are random points inside the real county boundary
and are stored with source = illustrative, which every page that shows a location says.
"""

from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from counties.geo import county_frame, random_points_in_county
from counties.models import County, Profile
from villages.models import LocationSource, Status, Tier, Village

DEMO_PASSWORD = "demo-pass-2025"
DEMO_YEAR = 2025
DEMO_QUOTAS = {Tier.SHOWCASE: 40, Tier.UPGRADED: 300}
EDITOR_USERNAMES = {
    "140702": "yuci",
    "140703": "taigu",
    "140721": "yushe",
    "140722": "zuoquan",
    "140723": "heshun",
    "140724": "xiyang",
    "140725": "shouyang",
    "140727": "qixian",
    "140728": "pingyao",
    "140729": "lingshi",
    "140781": "jiexiu",
}
# Share of demo villages in each status, and the progress shown for it.
STATUS_MIX = [
    (Status.PLANNED, 0.25, (0, 10)),
    (Status.IN_PROGRESS, 0.40, (15, 90)),
    (Status.COMPLETED, 0.20, (100, 100)),
    (Status.ACCEPTED, 0.15, (100, 100)),
]
SHARE_WITHOUT_LOCATION = 0.1


@dataclass
class DemoResult:
    users_created: list = field(default_factory=list)
    villages_designated: int = 0

    @property
    def changed(self):
        return bool(self.users_created or self.villages_designated)


def proportional_shares(total, sizes):
    """Split `total` over keys in proportion to `sizes` (largest remainder), summing exactly to total."""
    whole = sum(sizes.values())
    exact = {key: total * size / whole for key, size in sizes.items()}
    shares = {key: int(value) for key, value in exact.items()}
    leftover = total - sum(shares.values())
    for key in sorted(exact, key=lambda key: (shares[key] - exact[key], key))[:leftover]:
        shares[key] += 1
    return shares


def ensure_user(username, role, counties, result):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": role == Profile.Role.CITY_ADMIN})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        profile = Profile.objects.create(user=user, role=role)
        profile.counties.set(counties)
        result.users_created.append(username)
    return user


def create_users(result):
    ensure_user("admin", Profile.Role.CITY_ADMIN, [], result)
    for county in County.objects.order_by("code"):
        ensure_user(EDITOR_USERNAMES.get(county.code, f"editor{county.code}"), Profile.Role.COUNTY_EDITOR, [county], result)
    ensure_user("viewer", Profile.Role.VIEWER, [], result)


def designate_villages(result, seed=DEMO_YEAR):
    if Village.objects.designated().exists():
        return
    rng = np.random.default_rng(seed)
    frame = county_frame()
    sizes = {row["county_id"]: row["count"] for row in Village.objects.values("county_id").annotate(count=Count("id"))}
    chosen = []
    for tier, quota in DEMO_QUOTAS.items():
        for county_code, share in proportional_shares(quota, sizes).items():
            candidates = list(
                Village.objects.filter(county_id=county_code, tier=Tier.NONE).exclude(pk__in=[v.pk for v in chosen]).order_by("code")
            )
            for index in rng.choice(len(candidates), size=share, replace=False):
                village = candidates[index]
                village.tier, village.programme_year = tier, DEMO_YEAR
                chosen.append(village)
    status_counts = proportional_shares(len(chosen), {status: share for status, share, _progress in STATUS_MIX})
    statuses = [status for status, count in status_counts.items() for _ in range(count)]
    rng.shuffle(statuses)
    progress_ranges = {status: progress for status, _share, progress in STATUS_MIX}
    now = timezone.now()
    for village, status in zip(chosen, statuses):
        low, high = progress_ranges[status]
        village.status = status
        village.progress = int(rng.integers(low, high + 1))
        village.accepted_at = now if status == Status.ACCEPTED else None
    by_county = {}
    for village in chosen:
        if rng.random() >= SHARE_WITHOUT_LOCATION:
            by_county.setdefault(village.county_id, []).append(village)
    for county_code, villages in by_county.items():
        for village, (lon, lat) in zip(villages, random_points_in_county(county_code, len(villages), rng, frame)):
            village.lon, village.lat, village.location_source = lon, lat, LocationSource.ILLUSTRATIVE
    fields = ["tier", "programme_year", "status", "progress", "accepted_at", "lat", "lon", "location_source"]
    bulk_update_with_history(chosen, Village, fields, batch_size=500, default_change_reason="demo data (illustrative)")
    result.villages_designated = len(chosen)


@transaction.atomic
def seed_demo():
    result = DemoResult()
    create_users(result)
    designate_villages(result)
    return result
