"""Shared pieces of the reporting tests: periods, reports made as the app makes them, and reading a DOCX."""

from datetime import date, datetime, time

from django.utils import timezone

from villages import workflow
from villages.models import ProgressUpdate, Status, Tier, Village
from villages.reporting.models import NoChange, Period


def moment(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def october(**changes):
    """October 2025, due on 5 November."""
    values = {
        "key": "2025-10",
        "name": "2025年10月",
        "start": date(2025, 10, 1),
        "end": date(2025, 10, 31),
        "deadline": date(2025, 11, 5),
    } | changes
    return Period.objects.create(**values)


def designate_in(county_code, count, tier=Tier.UPGRADED, year=2025, status=Status.IN_PROGRESS):
    """The first `count` villages of a county, designated (as an import or the city does)."""
    villages = list(Village.objects.filter(county_id=county_code).order_by("code")[:count])
    for village in villages:
        village.tier, village.programme_year, village.status, village.progress = tier, year, status, 40
    Village.objects.bulk_update(villages, ["tier", "programme_year", "status", "progress"])
    return villages


def office_user():
    """A province administrator (made once) who writes updates for the tests: not a county's owner."""
    from counties.models import Profile
    from tests.conftest import make_user

    existing = Profile.objects.filter(role=Profile.Role.PROVINCE_ADMIN, user__username="reporting-office").first()
    return existing.user if existing else make_user("reporting-office", Profile.Role.PROVINCE_ADMIN)


def update_received(village, dated, received, user=None):
    """A progress update dated `dated`, written through the workflow, that reached the server at `received`."""
    user = user or office_user()
    update = workflow.add_update(village, user, workflow.Report(date=dated, text="完成村内道路硬化"))
    ProgressUpdate.objects.filter(pk=update.pk).update(created_at=received)
    return update


def no_change_received(village, period, received, user=None):
    return NoChange.objects.create(
        period=period,
        village=village,
        confirmed_at=received,
        confirmed_by=user,
        status=village.status,
        progress=village.progress,
    )
