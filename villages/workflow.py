"""How a village moves through the programme, and changes to it that must not be lost.

Every save checks the version the user started from: the claim is one conditional
UPDATE ... WHERE version = X, atomic on SQLite and PostgreSQL alike. Of two people who opened the
same version, only the first save succeeds; the second is refused.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villages.models import ProgressUpdate, Status, Village

# Moves a county makes as work advances. Staying in the same status is always allowed.
COUNTY_MOVES = {
    (Status.NOT_STARTED, Status.PLANNED),
    (Status.PLANNED, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Status.COMPLETED),
}
ACCEPT = (Status.COMPLETED, Status.ACCEPTED)  # 验收通过
RETURN = (Status.COMPLETED, Status.IN_PROGRESS)  # 退回, with a written reason
CITY_REVIEW_MOVES = {ACCEPT, RETURN}
STATUS_ORDER = list(Status.values)


def is_forward(old_status, new_status):
    return STATUS_ORDER.index(new_status) > STATUS_ORDER.index(old_status)


class EditConflict(Exception):
    """Someone else saved the village after this user opened it."""


def save_checked(village, expected_version, user):
    if village.version != expected_version:  # the form was opened on an older version than the one just loaded
        raise EditConflict
    with transaction.atomic():
        claimed = Village.all_objects.filter(pk=village.pk, version=expected_version).update(
            version=expected_version + 1
        )
        if not claimed:
            raise EditConflict
        village.version = expected_version + 1
        village.updated_by = user
        village.save()  # a full save, so django-simple-history records who changed what


def accept(village, expected_version, user):
    village.status = Status.ACCEPTED
    village.accepted_at = timezone.now()
    village.return_reason = ""
    save_checked(village, expected_version, user)


def return_to_county(village, expected_version, user, reason):
    village.status = Status.IN_PROGRESS
    village.accepted_at = None
    village.return_reason = reason
    save_checked(village, expected_version, user)


def withdraw(village, expected_version, user, reason):
    """村庄撤并: the village leaves every list and count, and keeps its updates, photos and history."""
    village.withdrawn_at = timezone.now()
    village.withdrawn_by = user
    village.withdrawal_reason = reason
    save_checked(village, expected_version, user)


def reinstate(village, expected_version, user):
    """A withdrawn village back in the registry, with everything it had (the history keeps the withdrawal)."""
    village.withdrawn_at = None
    village.withdrawn_by = None
    village.withdrawal_reason = ""
    save_checked(village, expected_version, user)


@dataclass
class Report:
    """A progress update as the editor wrote it, on the page or on a phone (possibly offline, hours ago)."""

    date: date
    text: str
    progress: int | None = None
    photos: list = field(default_factory=list)  # (file, evidence.Facts) pairs from photos.clean_photo
    status: str = ""  # move the village to this status
    seen_status: str = ""  # the village's status when the editor wrote the update
    device: tuple | None = None  # (lat, lon, accuracy in m or None): where the phone was
    client_id: uuid.UUID | None = None
    digest: str = ""


class StatusConflict(Exception):
    """The status move an update asks for is no longer possible; nothing was saved."""


def check_move(current, report, may_move):
    old, new = Status(current.status), Status(report.status)
    if report.seen_status and report.seen_status != current.status:
        raise StatusConflict(
            _(
                "Since this update was written, the village's status changed from “%(seen)s” to “%(now)s”, so the move to “%(new)s” was not made and nothing was saved."
            )
            % {"seen": Status(report.seen_status).label, "now": old.label, "new": new.label}
        )
    if not may_move(old, new):
        raise StatusConflict(
            _("The village is “%(now)s” and may not be moved to “%(new)s”; nothing was saved.")
            % {"now": old.label, "new": new.label}
        )


def add_progress_update(village, user, report, may_move):
    """A progress update with its photos. Its progress, if given, becomes the village's progress; its status
    move, if any, is made when may_move(old, new) allows it from the village's status now (else StatusConflict)."""
    with transaction.atomic():
        current = Village.objects.select_for_update().get(pk=village.pk)
        move = report.status if report.status and report.status != current.status else ""
        if move:
            check_move(current, report, may_move)
        lat, lon, accuracy = report.device or (None, None, None)
        update = ProgressUpdate.objects.create(
            village=village,
            date=report.date,
            text=report.text,
            progress=report.progress,
            status=move,
            created_by=user,
            client_id=report.client_id,
            client_digest=report.digest,
            device_lat=lat,
            device_lon=lon,
            device_accuracy=accuracy,
        )
        for photo_file, facts in report.photos:
            update.photos.create(image=photo_file, taken_lat=facts.lat, taken_lon=facts.lon, taken_at=facts.taken_at)
        changed = False
        if report.progress is not None and current.progress != report.progress:
            current.progress, changed = report.progress, True
        if move:
            current.status, changed = move, True
        if changed:
            current.version += 1
            current.updated_by = user
            current.save()
    return update
