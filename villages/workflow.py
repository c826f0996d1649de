"""How a village moves through the programme, and changes to it that must not be lost.

Every save checks the version the user started from: the claim is one conditional
UPDATE ... WHERE version = X, atomic on SQLite and PostgreSQL alike. Of two people who opened the
same version, only the first save succeeds; the second is refused.
"""

from django.db import transaction
from django.utils import timezone

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


def add_progress_update(village, user, date, text, progress, photo_files):
    """A progress update with its photos; its progress, if given, becomes the village's progress."""
    with transaction.atomic():
        update = ProgressUpdate.objects.create(
            village=village, date=date, text=text, progress=progress, created_by=user
        )
        for photo_file in photo_files:
            update.photos.create(image=photo_file)
        if progress is not None:
            current = Village.objects.select_for_update().get(pk=village.pk)
            if current.progress != progress:
                current.progress = progress
                current.version += 1
                current.updated_by = user
                current.save()
    return update
