"""Illustrative demo data: designated villages, statuses, illustrative locations and demo users.

Nothing here is real programme data. Locations are random points inside the real county boundary
and are stored with source = illustrative, which every page that shows a location says.
"""

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from counties.geo import county_frame, random_points_in_county
from counties.models import City, County, Pairing, PairingActivity, Profile
from villages import extensions, workflow
from villages.extensions import review_required
from villages.models import CountyQuota, LocationSource, Status, Tier, Village

DEMO_PASSWORD = "demo-pass-2025"
DEMO_YEAR = 2025
DEMO_QUOTAS = {Tier.SHOWCASE: 40, Tier.UPGRADED: 300}
JINZHONG = "1407"
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
# Cumulative goals by 2027 that the demo splits into county quotas, like the 2025 ones.
DEMO_GOAL_YEAR = 2027
DEMO_GOALS = {Tier.SHOWCASE: 100, Tier.UPGRADED: 1000}
REGISTRY_LOADED = datetime(2025, 1, 2)
DESIGNATED_FROM, DESIGNATED_TO = datetime(2025, 1, 10), datetime(2025, 3, 31)
FIRST_ACCEPTANCE = datetime(2025, 5, 1)
# (kind, county A, county B, start year, focus areas, funds 万元, projects, people): all invented.
DEMO_PAIRINGS = [
    ("help", "140702", "140721", 2025, "核桃深加工、乡村旅游", 800, 6, 12),
    ("help", "140781", "140722", 2025, "小杂粮品牌、人居环境整治", 600, 5, 10),
    ("help", "140729", "140723", 2025, "中药材种植、道路硬化", 500, 4, 8),
    ("help", "140703", "140724", 2025, "设施农业、农产品电商", 450, 4, 6),
    ("neighbours", "140728", "140781", 2025, "古城文旅线路共建", 200, 2, 4),
    ("neighbours", "140727", "140703", 2025, "晋商文化、果蔬产业", 150, 2, 3),
]
DEMO_ACTIVITIES = ["签订结对帮扶协议", "选派干部驻村指导", "拨付帮扶资金", "组织产业对接会", "开展技术培训"]


@dataclass
class DemoResult:
    users_created: list = field(default_factory=list)
    villages_designated: int = 0
    designated_by_tier: dict = field(default_factory=dict)
    quotas_created: int = 0
    pairings_created: int = 0
    more: list = field(default_factory=list)  # what the apps' demo steps (villages.extensions) did, one line each

    @property
    def changed(self):
        return bool(
            self.users_created or self.villages_designated or self.quotas_created or self.pairings_created or self.more
        )


def proportional_shares(total, sizes):
    """Split `total` over keys in proportion to `sizes` (largest remainder), summing exactly to total."""
    whole = sum(sizes.values())
    exact = {key: total * size / whole for key, size in sizes.items()}
    shares = {key: int(value) for key, value in exact.items()}
    leftover = total - sum(shares.values())
    for key in sorted(exact, key=lambda key: (shares[key] - exact[key], key))[:leftover]:
        shares[key] += 1
    return shares


@functools.cache
def demo_password_hash():
    """The demo users share one published password: hashed once (each hash takes the hasher's full work)."""
    return make_password(DEMO_PASSWORD)


def ensure_user(username, role, counties, result, city=None):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_staff": role in (Profile.Role.CITY_ADMIN, Profile.Role.PROVINCE_ADMIN)}
    )
    if created:
        user.password = demo_password_hash()
        user.save(update_fields=["password"])
        profile = Profile.objects.create(user=user, role=role, city=city)
        profile.counties.set(counties)
        result.users_created.append(username)
    return user


def editor_username(county_code):
    return EDITOR_USERNAMES.get(county_code, f"editor{county_code}")


def editor_usernames():
    return [editor_username(code) for code in County.objects.order_by("code").values_list("code", flat=True)]


def demo_staff():
    """[(username, role, city)] of the demo's administrators and viewers: `admin` and `viewer` of the one city
    the registry holds, or of the province; a province administrator and viewer; 晋中's administrator."""
    cities = list(City.objects.order_by("code")[:2])
    one = cities[0] if len(cities) == 1 else None
    staff = [
        ("admin", Profile.Role.CITY_ADMIN if one else Profile.Role.PROVINCE_ADMIN, one),
        ("viewer", Profile.Role.VIEWER if one else Profile.Role.PROVINCE_VIEWER, one),
        ("province_admin", Profile.Role.PROVINCE_ADMIN, None),
        ("province_viewer", Profile.Role.PROVINCE_VIEWER, None),
    ]
    jinzhong = City.objects.filter(code=JINZHONG).first()
    if jinzhong:
        staff.append(("jinzhong_admin", Profile.Role.CITY_ADMIN, jinzhong))
    return staff


def create_users(result):
    staff = demo_staff()
    for username, role, city in staff[:1] + staff[2:]:
        ensure_user(username, role, [], result, city)
    for county in County.objects.order_by("code"):
        ensure_user(editor_username(county.code), Profile.Role.COUNTY_EDITOR, [county], result)
    ensure_user(*staff[1][:2], [], result, staff[1][2])


def city_sizes():
    """{city code: {county code: villages}}: every city of the registry gets the demo's numbers for itself."""
    sizes = {}
    for row in Village.objects.values("county_id", "county__city_id").annotate(count=Count("id")).order_by():
        sizes.setdefault(row["county__city_id"], {})[row["county_id"]] = row["count"]
    return dict(sorted(sizes.items()))


def designate_villages(result, seed=DEMO_YEAR):
    if Village.objects.designated().exists():
        return
    rng = np.random.default_rng(seed)
    frame = county_frame()
    chosen, designation = [], {}
    for (tier, quota), sizes in ((item, sizes) for sizes in city_sizes().values() for item in DEMO_QUOTAS.items()):
        for county_code, share in proportional_shares(quota, sizes).items():
            candidates = list(
                Village.objects.filter(county_id=county_code, tier=Tier.NONE)
                .exclude(pk__in=[v.pk for v in chosen])
                .order_by("code")
            )
            for index in rng.choice(len(candidates), size=share, replace=False):
                village = candidates[index]
                designation[village.pk] = {"tier": tier, "programme_year": DEMO_YEAR}
                chosen.append(village)
    status_counts = proportional_shares(len(chosen), {status: share for status, share, _progress in STATUS_MIX})
    statuses = [status for status, count in status_counts.items() for _ in range(count)]
    rng.shuffle(statuses)
    progress_ranges = {status: progress for status, _share, progress in STATUS_MIX}
    now = timezone.now()
    final = {}
    for village, status in zip(chosen, statuses):
        if status == Status.ACCEPTED and review_required(SimpleNamespace(**designation[village.pk])):
            status = Status.COMPLETED  # accepted only through a review: the acceptance app's demo step makes it
        low, high = progress_ranges[status]
        accepted_at = random_moment(rng, FIRST_ACCEPTANCE, now) if status == Status.ACCEPTED else None
        final[village.pk] = {"status": status, "progress": int(rng.integers(low, high + 1)), "accepted_at": accepted_at}
    by_county = {}
    for village in chosen:
        if rng.random() >= SHARE_WITHOUT_LOCATION:
            by_county.setdefault(village.county_id, []).append(village)
    for county_code, villages in by_county.items():
        if county_code not in frame.index:  # a county without a boundary: no illustrative point either
            continue
        for village, (lon, lat) in zip(villages, random_points_in_county(county_code, len(villages), rng, frame)):
            designation[village.pk].update(lon=lon, lat=lat, location_source=LocationSource.ILLUSTRATIVE)
    write_plausible_history(chosen, designation, final, rng, now)
    result.villages_designated = len(chosen)
    result.designated_by_tier = {tier: sum(d["tier"] == tier for d in designation.values()) for tier in DEMO_QUOTAS}


def random_moment(rng, start, end):
    start, end = (timezone.make_aware(moment) if timezone.is_naive(moment) else moment for moment in (start, end))
    return start + timedelta(seconds=float(rng.uniform(0, (end - start).total_seconds())))


def write_plausible_history(villages, designation, final, rng, now):
    """Two changes per village through the workflow: designated (planned) early in 2025, then its status as of its
    own date, so that the burn-up and "change in 30 days" have months of history to show."""
    # The registry load that created these records happened "now"; in the demo story it came first.
    Village.history.filter(
        id__in=final, history_type="+", history_date__gt=timezone.make_aware(REGISTRY_LOADED)
    ).update(history_date=timezone.make_aware(REGISTRY_LOADED))
    designated_on = {village.pk: random_moment(rng, DESIGNATED_FROM, DESIGNATED_TO) for village in villages}
    planned = {pk: {**fields, "status": Status.PLANNED, "progress": 0} for pk, fields in designation.items()}
    workflow.seed(villages, planned, designated_on)
    reached_on = {
        pk: fields["accepted_at"] or random_moment(rng, designated_on[pk], now) for pk, fields in final.items()
    }
    workflow.seed(villages, final, reached_on)


def seed_quotas(result):
    """County quotas for the demo years, split in proportion to county size like the designations."""
    if CountyQuota.objects.exists():
        return
    quotas = []
    for sizes in city_sizes().values():
        for year, goals in [(DEMO_YEAR, DEMO_QUOTAS), (DEMO_GOAL_YEAR, DEMO_GOALS)]:
            for tier, total in goals.items():
                quotas += [
                    CountyQuota(year=year, tier=tier, county_id=code, count=count, is_illustrative=True)
                    for code, count in proportional_shares(total, sizes).items()
                ]
    CountyQuota.objects.bulk_create(quotas)
    result.quotas_created = len(quotas)


def seed_pairings(result, seed=DEMO_YEAR):
    if Pairing.objects.exists():
        return
    rng = np.random.default_rng(seed)
    today = timezone.localdate()
    for kind, a, b, start, focus, funds, projects, people in DEMO_PAIRINGS:
        pairing = Pairing.objects.create(
            kind=kind,
            county_a_id=a,
            county_b_id=b,
            start_year=start,
            end_year=DEMO_GOAL_YEAR,
            focus_areas=focus,
            committed_funds=funds,
            committed_projects=projects,
            committed_people=people,
            is_illustrative=True,
        )
        first = datetime(start, 3, 1).date()
        for index, description in enumerate(DEMO_ACTIVITIES[: int(rng.integers(2, len(DEMO_ACTIVITIES) + 1))]):
            day = first + timedelta(days=int(index * 75 + rng.integers(0, 30)))
            if day >= today:
                break
            PairingActivity.objects.create(
                pairing=pairing,
                date=day,
                description=description,
                is_illustrative=True,
                funds=Decimal(int(funds * rng.uniform(0.1, 0.3))) if "资金" in description else 0,
                projects=int(rng.integers(1, 3)) if "对接" in description else 0,
                people=int(rng.integers(1, 5)) if "干部" in description or "培训" in description else 0,
            )
        result.pairings_created += 1


@transaction.atomic
def seed_demo():
    result = DemoResult()
    create_users(result)
    for step in extensions.demo_steps:
        if step.order < 0:
            result.more.extend(step.run())
    designate_villages(result)
    seed_quotas(result)
    seed_pairings(result)
    for step in extensions.demo_steps:
        if step.order >= 0:
            result.more.extend(step.run())
    return result
