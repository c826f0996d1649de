"""The demo's monthly reports (a step of seed_demo, through villages.extensions): the periods from the demo year to this
one, illustrative reports for those begun (most on time, some late, some missing, each county with its own habits),
and one issued 通报. All of it is marked illustrative: the periods, the confirmations, the updates' text, the 通报."""

from datetime import timedelta

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from counties.access import ADMINISTRATORS
from counties.models import City, Profile
from villages import workflow
from villages.models import Village
from villages.reporting import bulletins
from villages.reporting.models import Bulletin, NoChange, Period
from villages.reporting.periods import create_monthly_periods

FIRST_YEAR = 2025
DEADLINE_DAY = 5
ILLUSTRATIVE = "示意："
WORKS = ["道路硬化", "污水管网铺设", "村容村貌整治", "公共厕所改造", "文化广场建设", "农房风貌提升", "绿化美化"]
SHARE_UPDATES = 0.15  # of the reports without a status change, written as progress updates rather than 本月无变化


def history_changes(villages):
    """{village pk: [moments its status changed]} from the villages' history."""
    changes, last = {}, {}
    rows = Village.history.filter(id__in=[village.pk for village in villages]).order_by("id", "history_date")
    for pk, moment, status in rows.values_list("id", "history_date", "status"):
        if pk in last and last[pk] != status:
            changes.setdefault(pk, []).append(moment)
        last[pk] = status
    return changes


def received_at(rng, period, habit, now):
    """When a county with this habit (on-time share, missing share) sent its report, or None (missing)."""
    on_time, missing = habit
    draw = rng.random()
    earliest = max(period.start_moment, period.end_moment - timedelta(days=6))
    if draw < on_time:
        moment = earliest + (period.deadline_moment - earliest) * float(rng.random())
    elif draw < 1 - missing:
        moment = period.deadline_moment + timedelta(days=float(rng.uniform(0.5, 20)))
    else:
        return None
    return moment if moment < now else None


def seed_reports(rng, periods, now):
    villages = list(Village.objects.designated().select_related("county"))
    changes = history_changes(villages)
    counties = sorted({village.county_id for village in villages})
    habits = {code: (float(rng.uniform(0.6, 0.97)), float(rng.uniform(0.01, 0.12))) for code in counties}
    user_of = dict(
        Profile.objects.filter(role="county_editor", counties__in=counties).values_list("counties", "user_id")
    )
    confirmations, updates = [], []
    for period in periods:
        for village in villages:
            if village.programme_year > period.year or (
                village.accepted_at and village.accepted_at < period.start_moment
            ):
                continue
            moment = received_at(rng, period, habits[village.county_id], now)
            if moment is None:
                continue
            changed = any(period.start_moment <= when < period.end_moment for when in changes.get(village.pk, []))
            if changed or rng.random() < SHARE_UPDATES:
                day = min(period.end, timezone.localdate(moment))
                updates.append((village, day, moment, user_of.get(village.county_id)))
            else:
                confirmations.append(
                    NoChange(
                        period=period,
                        village=village,
                        confirmed_at=moment,
                        confirmed_by_id=user_of.get(village.county_id),
                        status=village.status,
                        progress=village.progress,
                        is_illustrative=True,
                    )
                )
    NoChange.objects.bulk_create(confirmations, batch_size=1000)
    users = get_user_model().objects.in_bulk(set(user_of.values()))
    written = workflow.seed_updates(
        [
            (
                village,
                users.get(user_id),
                workflow.Report(day, ILLUSTRATIVE + str(rng.choice(WORKS)) + "，按计划推进"),
                moment,
            )
            for village, day, moment, user_id in updates
        ]
    )
    return len(confirmations), len(written)


def issuer():
    """The demo's administrator (`admin`: of the only city, or of the province), else any administrator."""
    administrators = get_user_model().objects.filter(
        Q(is_superuser=True) | Q(profile__role__in=ADMINISTRATORS), is_active=True
    )
    return administrators.filter(username="admin").first() or administrators.order_by("pk").first()


def seed_reporting():
    """seed_demo's step: nothing when demo periods exist already, or when no village is designated."""
    if Period.objects.filter(is_illustrative=True).exists() or not Village.objects.designated().exists():
        return []
    now = timezone.now()
    today = timezone.localdate(now)
    rng = np.random.default_rng(FIRST_YEAR)
    made = []
    for year in range(FIRST_YEAR, max(today.year, FIRST_YEAR) + 1):
        made += create_monthly_periods(year, DEADLINE_DAY, illustrative=True).created
    begun = [period for period in made if period.start <= today]
    confirmations, updates = seed_reports(rng, begun, now)
    lines = [
        _(
            "Created %(periods)d illustrative report periods with %(confirmations)d “no change” confirmations and "
            "%(updates)d progress updates."
        )
        % {"periods": len(made), "confirmations": confirmations, "updates": updates}
    ]
    # The 通报 of the demo year's last closed month: the year its villages were designated for.
    closed = [period for period in begun if period.deadline < today and period.year == FIRST_YEAR]
    user = issuer()
    if closed and user is not None:
        cities = list(City.objects.all()[:2])
        bulletin, _created = bulletins.issue(closed[-1], cities[0] if len(cities) == 1 else None, user, now=now)
        Bulletin.objects.filter(pk=bulletin.pk).update(is_illustrative=True)
        lines.append(_("Issued the illustrative 通报 of %(period)s.") % {"period": closed[-1].name})
    return lines
