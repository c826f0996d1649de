"""The one place where a village's state changes: its status, progress, acceptance (验收), return (退回), withdrawal
(撤并), location and programme fields, and its version. The edit page, the admin, progress updates from the page
and from phones, imports, the acceptance app and the demo all call this module; no other code assigns those fields
(tests/test_workflow_paths.py reads the code to keep it so).

Every change asks, in this order: may the user change this village at all (villages.access); is the move one the
path allows this user (the tables below); did anyone save the village since the copy the user worked from (its
version: one conditional UPDATE ... WHERE version = X, atomic on SQLite and PostgreSQL alike, so of two people who
opened the same version only the first saves). Then it writes the village and one history record: who, and why.
A refusal is an exception whose text tells the user what happened; nothing is written.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from villages import access
from villages.extensions import review_required
from villages.imports.writing import column_spec, row_maker, run_bulk
from villages.models import PROGRAMME_FIELDS, ProgressUpdate, Status, Tier, Village

# Moves a county makes as work advances, on the edit page or with a progress update.
COUNTY_MOVES = {
    (Status.NOT_STARTED, Status.PLANNED),
    (Status.PLANNED, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Status.COMPLETED),
}
ACCEPT = (Status.COMPLETED, Status.ACCEPTED)  # 验收通过 at one click, where no standard applies
RETURN = (Status.COMPLETED, Status.IN_PROGRESS)  # 退回, with a written reason
SUBMIT = (Status.COMPLETED, Status.UNDER_REVIEW)  # an application for acceptance against the standard
PASS = (Status.UNDER_REVIEW, Status.ACCEPTED)  # the review passed
FAIL = (Status.UNDER_REVIEW, Status.IN_PROGRESS)  # the review returned it: back to work, like RETURN
STATUS_ORDER = list(Status.values)

# What the edit page and the admin change; the status only by the county's moves.
EDITABLE = [*PROGRAMME_FIELDS, "lat", "lon", "location_source"]
# What an import may change, in the order its preview shows them, with what the workflow sets beside them.
IMPORTED = [*EDITABLE, "accepted_at", "return_reason"]
DEMO_REASON = "demo data (illustrative)"
CHANGED_MEANWHILE = gettext_lazy("The village changed since you opened it; nothing was done. Check it again.")
REVIEW_NEEDED = gettext_lazy(
    "This village's tier and year have an acceptance standard: it is accepted only through a passed review (复核)."
)


class Refused(Exception):
    """The change is not possible as asked; the text says why. Nothing was written."""


class EditConflict(Refused):
    """Someone saved the village after the copy this change was made from."""

    def __init__(self, message=""):
        super().__init__(message or str(CHANGED_MEANWHILE))


class StatusConflict(Refused):
    """A progress update no longer fits the village as it is now: `current` holds its status, progress and version,
    `field` the figure in question ("status" or "progress")."""

    def __init__(self, message, current, field="status"):
        super().__init__(message)
        self.field = field
        self.current = {"status": current.status, "progress": current.progress, "version": current.version}


def is_forward(old_status, new_status):
    return STATUS_ORDER.index(new_status) > STATUS_ORDER.index(old_status)


# --- Who may make which move ---------------------------------------------------------------------------------


def may_edit_move(user, village, old, new):
    """A move on the edit page or by a progress update: the county's moves, for those who may change the village."""
    return old == new or (access.can_change_village(user, village) and (old, new) in COUNTY_MOVES)


def edit_statuses(user, village):
    """The statuses offered on the edit page and the update form, the current one first."""
    return [village.status] + [
        status
        for status in Status.values
        if status != village.status and may_edit_move(user, village, village.status, status)
    ]


def may_decide(user, village, move):
    """The city's one-click decisions on a completed village: 验收 (where no standard applies) and 退回."""
    if village.status != move[0] or not access.can_change_village(user, village):
        return False
    if not access.administers_county(user, village.county_id):
        return False
    return move != ACCEPT or not review_required(village)


def can_accept(user, village):
    return may_decide(user, village, ACCEPT)


def can_return(user, village):
    return may_decide(user, village, RETURN)


def import_refusal(user, village, old, new):
    """Why an import may not move the village from `old` to `new` (None if it may). A file records where villages
    stand, so an administrator may move a village forward by any number of steps, accepting included where no
    standard applies; a step back needs a written reason and is made on the village's page. Others follow the
    county's moves. `village` needs county_id, withdrawn_at, tier and programme_year."""
    if old == new:
        return None
    if new == Status.UNDER_REVIEW:
        return _("待复核 is set by submitting an application for acceptance, not by import")
    if new == Status.ACCEPTED and review_required(village):
        return _("villages of this tier and year are accepted only through a passed review against the standard")
    if access.administers_county(user, village.county_id) and access.can_change_village(user, village):
        allowed = is_forward(old, new)
    else:
        allowed = may_edit_move(user, village, old, new)
    if allowed:
        return None
    if not is_forward(old, new) and old in (Status.COMPLETED, Status.ACCEPTED, Status.UNDER_REVIEW):
        return _(
            "the status may not go back from %(old)s to %(new)s by import: a completed village goes back only through 退回 on its page"
        ) % {"old": Status(old).label, "new": Status(new).label}
    return _(
        "the status may not go from %(old)s to %(new)s by import; leave the 状态 cell empty to keep %(old)s, or correct it"
    ) % {"old": Status(old).label, "new": Status(new).label}


# --- Changes of one village ------------------------------------------------------------------------------------


def locked(village):
    """The village as it is in the database now, locked until the transaction ends."""
    return Village.all_objects.select_for_update().select_related("county", "township").get(pk=village.pk)


def commit(current, user, expected_version, changes, reason="", when=None):
    """Write `changes` onto the locked village `current` if it is still at `expected_version`, with one history
    record whose change reason (plain English, for the audit) says why, dated `when` (default now). Inside a
    transaction."""
    if expected_version is not None and current.version != expected_version:
        raise EditConflict
    claimed = Village.all_objects.filter(pk=current.pk, version=current.version).update(version=current.version + 1)
    if not claimed:
        raise EditConflict
    before = current.updated_at
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    current.updated_by = user
    current._change_reason = reason or None
    if when is not None:
        current._history_date = when
    current.save()  # a full save, so django-simple-history records who changed what
    if when is not None:  # a change dated in the past (the demo's story) leaves a later change the last one
        current.updated_at = max(before, when) if before else when
        Village.all_objects.filter(pk=current.pk).update(updated_at=current.updated_at)
    return current


def touch(current, user, when=None):
    """An update that changes no figure still changes the village's record: its last change is the update's, by
    its author (unless a later change is already recorded, for an update dated in the past)."""
    moment = when or timezone.now()
    Village.all_objects.filter(pk=current.pk, updated_at__lt=moment).update(updated_at=moment, updated_by=user)


def check_may_change(user, village):
    refusal = access.change_refusal(user, village.county_id)
    if village.withdrawn_at is not None:
        refusal = refusal or _("This village is withdrawn (撤并): reinstate it before changing it.")
    if refusal:
        raise Refused(refusal)


def edit(village, user, expected_version, changes, reason=""):
    """The edit page and the admin: any of EDITABLE; the status only by the county's moves, the tier and year only
    by administrators. Returns the village as saved."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not changed through the edit page: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        current = locked(village)
        check_may_change(user, current)
        if current.version != expected_version:
            raise EditConflict
        changes = {name: value for name, value in changes.items() if getattr(current, name) != value}
        new_status = changes.get("status", current.status)
        if not may_edit_move(user, current, current.status, new_status):
            raise Refused(
                _("You may not move this village from “%(old)s” to “%(new)s”.")
                % {"old": Status(current.status).label, "new": Status(new_status).label}
            )
        if {"tier", "programme_year"} & set(changes) and not access.can_set_tier(user):
            raise Refused(_("Only city administrators set a village's tier and programme year."))
        tier = changes.get("tier", current.tier)
        if tier == Tier.NONE:
            changes["programme_year"] = None
        elif changes.get("programme_year", current.programme_year) is None:
            raise Refused(_("A designated village needs a programme year."))
        if not changes:
            return current
        return commit(current, user, expected_version, changes, reason)


def take_location(village, user, expected_version, lat, lon, source):
    """A village without a real location takes a photo's or the phone's position."""
    return edit(village, user, expected_version, {"lat": lat, "lon": lon, "location_source": source})


def accept(village, user, expected_version):
    """验收通过 at one click: only where no acceptance standard applies (else only a passed review accepts)."""
    with transaction.atomic():
        current = locked(village)
        if not can_accept(user, current):
            needs_review = current.status == ACCEPT[0] and review_required(current)
            raise Refused(str(REVIEW_NEEDED) if needs_review else _("Only a completed village can be accepted."))
        changes = {"status": Status.ACCEPTED, "accepted_at": timezone.now(), "return_reason": ""}
        return commit(current, user, expected_version, changes, "accepted")


def return_to_county(village, user, expected_version, reason):
    """退回: a completed village goes back to work, with the reason the county reads on its page."""
    if not reason.strip():
        raise Refused(_("Write the reason for returning the village; the county will see it."))
    with transaction.atomic():
        current = locked(village)
        if not can_return(user, current):
            raise Refused(_("Only a completed village can be returned to the county."))
        changes = {"status": Status.IN_PROGRESS, "accepted_at": None, "return_reason": reason}
        return commit(current, user, expected_version, changes, "returned")


def withdraw(village, user, expected_version, reason):
    """村庄撤并: the village leaves every list and count, and keeps its updates, photos and history."""
    with transaction.atomic():
        current = locked(village)
        if current.withdrawn_at is not None or not access.administers_county(user, current.county_id):
            raise Refused(_("This village is already withdrawn."))
        changes = {"withdrawn_at": timezone.now(), "withdrawn_by": user, "withdrawal_reason": reason}
        return commit(current, user, expected_version, changes)


def reinstate(village, user, expected_version):
    """A withdrawn village back in the registry, with everything it had (the history keeps the withdrawal)."""
    with transaction.atomic():
        current = locked(village)
        if current.withdrawn_at is None or not access.administers_county(user, current.county_id):
            raise Refused(_("Only a withdrawn village can be reinstated."))
        changes = {"withdrawn_at": None, "withdrawn_by": None, "withdrawal_reason": ""}
        return commit(current, user, expected_version, changes)


# --- Acceptance against a standard (the acceptance app calls these inside its own transactions) -----------------


def submit_for_review(village, user, when=None):
    """An application for acceptance was submitted (at `when`, default now): the completed village is 待复核."""
    current = locked(village)
    check_may_change(user, current)
    if current.status != SUBMIT[0]:
        raise Refused(_("Only a completed village can apply for acceptance."))
    changes = {"status": SUBMIT[1], "return_reason": ""}
    return commit(current, user, None, changes, "applied for acceptance", when)


def decide(village, user, passed, when, reason=""):
    """The city's review is finished: passed, the village is accepted; not passed, it goes back to work (退回)
    with the reason, as a one-click return does."""
    current = locked(village)
    if not access.administers_county(user, current.county_id):
        raise Refused(_("Only city administrators review applications for acceptance."))
    if current.status != PASS[0]:
        raise Refused(_("Only a village awaiting review (待复核) can be reviewed."))
    if passed:
        changes = {"status": PASS[1], "accepted_at": when, "return_reason": ""}
        return commit(current, user, None, changes, "accepted by review", when)
    changes = {"status": FAIL[1], "accepted_at": None, "return_reason": reason}
    return commit(current, user, None, changes, "returned after review", when)


# --- Progress updates, from the page or from a phone -----------------------------------------------------------


@dataclass
class Report:
    """A progress update as the editor wrote it, on the page or on a phone (possibly offline, hours ago), with what
    the editor saw of the village then."""

    date: date
    text: str
    progress: int | None = None
    photos: list = field(default_factory=list)  # (file, evidence.Facts) pairs from photos.clean_photo
    status: str = ""  # move the village to this status
    seen_status: str = ""  # the village's status when the editor wrote the update
    seen_version: int | None = None  # the village's version in the editor's copy (the page, or the phone's copy)
    correction: str = ""  # why the progress goes down, when it does on purpose
    device: tuple | None = None  # (lat, lon, accuracy in m or None): where the phone was
    client_id: uuid.UUID | None = None
    digest: str = ""


def report_conflict(user, current, report, move):
    """StatusConflict when the update cannot change the village as it is now, else None."""
    labels = {
        "seen": Status(report.seen_status).label if report.seen_status else "",
        "now": Status(current.status).label,
    }
    if move and report.seen_status and report.seen_status != current.status:
        message = _(
            "Since this update was written, the village's status changed from “%(seen)s” to “%(now)s”, so the move to “%(new)s” was not made and nothing was saved."
        )
        return StatusConflict(message % {**labels, "new": Status(move).label}, current)
    if move and not may_edit_move(user, current, current.status, move):
        message = _("The village is “%(now)s” and may not be moved to “%(new)s”; nothing was saved.")
        return StatusConflict(message % {**labels, "new": Status(move).label}, current)
    changes_progress = report.progress is not None and report.progress != current.progress
    if (move or changes_progress) and report.seen_version is not None and report.seen_version != current.version:
        message = _(
            "The village was changed by someone else after your copy was made (it is now “%(now)s”, %(progress)d%%), so this update's figures were not applied and nothing was saved. Check them against the village as it is now and send again."
        )
        return StatusConflict(message % {**labels, "progress": current.progress}, current, "progress")
    if changes_progress and report.progress < current.progress and not report.correction.strip():
        message = _(
            "The village's progress is %(now)d%%, higher than this update's %(sent)d%%, so nothing was saved. If the lower figure is a correction, give the reason for it and send again."
        )
        return StatusConflict(message % {"now": current.progress, "sent": report.progress}, current, "progress")
    return None


def add_update(village, user, report, when=None):
    """A progress update with its photos, made now (or at `when`, for the demo's story). Its progress, if given,
    becomes the village's progress; its status move, if any, is made when the editor may make it from the village's
    status now. An update that no longer fits the village (StatusConflict) saves nothing."""
    with transaction.atomic():
        current = locked(village)
        check_may_change(user, current)
        move = report.status if report.status and report.status != current.status else ""
        conflict = report_conflict(user, current, report, move)
        if conflict:
            raise conflict
        lat, lon, accuracy = report.device or (None, None, None)
        lowered = report.progress is not None and report.progress < current.progress
        update = ProgressUpdate.objects.create(
            village=current,
            date=report.date,
            text=report.text,
            progress=report.progress,
            status=move,
            correction=report.correction.strip() if lowered else "",
            created_by=user,
            client_id=report.client_id,
            client_digest=report.digest,
            device_lat=lat,
            device_lon=lon,
            device_accuracy=accuracy,
        )
        if when is not None:
            update.created_at = when
            ProgressUpdate.objects.filter(pk=update.pk).update(created_at=when)
        for photo_file, facts in report.photos:
            update.photos.create(image=photo_file, taken_lat=facts.lat, taken_lon=facts.lon, taken_at=facts.taken_at)
        changes = {}
        if report.progress is not None and report.progress != current.progress:
            changes["progress"] = report.progress
        if move:
            changes["status"] = move
        if changes:
            reason = f"progress corrected: {update.correction}" if lowered else "progress update"
            commit(current, user, None, changes, reason, when)
        else:
            touch(current, user, when)
    return update


# --- Many villages at once: imports and the demo ---------------------------------------------------------------


def imported_state(village, state, now):
    """What the workflow sets beside an imported row's fields: the time of an acceptance, the return reason
    cleared by it. `village` and `state` are dicts of the village before and after the row."""
    if state["status"] == Status.ACCEPTED and village["status"] != Status.ACCEPTED:
        state.update(accepted_at=now, return_reason="")
    return state


class ConcurrentChange(EditConflict):
    def __init__(self):
        super().__init__(
            _(
                "Some of these villages were changed by someone else during the import; nothing was written. Import the file again."
            )
        )


def write_import(rows, user, reason):
    """Write an import's changed rows (their moves checked by import_refusal) and one history record each, in one
    transaction, in bulk: Django's bulk_update (CASE expressions) and bulk_create (SQL built value by value) took
    longer than the whole import may. The version check refuses to overwrite a village someone changed since it
    was read (ConcurrentChange). rows: (village as read, {field: (old, new)})."""
    if not rows:
        return
    now = timezone.now()
    user_id = user.pk if user else None
    village_fields = [Village._meta.get_field(name) for name in [*IMPORTED, "updated_at", "updated_by", "version"]]
    key_fields = [Village._meta.get_field("id"), Village._meta.get_field("version")]
    history = Village.history.model
    history_fields = [field for field in history._meta.concrete_fields if not field.primary_key]
    fixed = {
        "updated_at": now,
        "updated_by_id": user_id,
        "history_date": now,
        "history_type": "~",
        "history_change_reason": reason,
        "history_user_id": user_id,
    }
    village_row, history_row = row_maker(village_fields), row_maker(history_fields)
    updates, records = [], []
    for village, changes in rows:
        state = {**village, **{name: new for name, (_old, new) in changes.items()}, **fixed}
        state["version"] = village["version"] + 1
        updates.append(village_row(state) + [state["id"], village["version"]])
        records.append(history_row(state))
    with transaction.atomic(), connection.cursor() as cursor:
        columns = [column_spec(field) for field in village_fields + key_fields]
        if run_bulk(cursor, Village._meta.db_table, columns, updates, match=2) != len(rows):
            raise ConcurrentChange
        run_bulk(cursor, history._meta.db_table, [column_spec(field) for field in history_fields], records)


def seed(villages, changes, when):
    """The demo's illustrative states: `changes` {village pk: {field: value}} written as of `when` {village pk:
    datetime}, one history record each marked as demo data. Statuses only move forward, as the county's would."""
    for village in villages:
        new = changes[village.pk]
        if "status" in new and new["status"] != village.status and not is_forward(village.status, new["status"]):
            raise ValueError(f"the demo moves {village.code} back from {village.status} to {new['status']}")
        for name, value in new.items():
            setattr(village, name, value)
        village.version += 1
        village.updated_at = village._history_date = when[village.pk]
    names = sorted({name for new in changes.values() for name in new} | {"version", "updated_at"})
    bulk_update_with_history(villages, Village, names, batch_size=500, default_change_reason=DEMO_REASON)


def seed_updates(entries):
    """The demo's illustrative progress updates in a few statements: entries [(village, user, Report, when)], each
    an update that changes no figure, as add_update writes it (the same check of who may; the update and its
    history record dated `when`; the village's last change the update's unless a later one is recorded)."""
    if not entries:
        return []
    with transaction.atomic():
        current = Village.all_objects.select_for_update().in_bulk({village.pk for village, *_rest in entries})
        updates = []
        for village, user, report, _when in entries:
            if report.progress is not None or report.status or report.photos:
                raise ValueError(f"the demo's update of {village.code} changes the village: use add_update")
            check_may_change(user, current[village.pk])
            updates.append(ProgressUpdate(village_id=village.pk, date=report.date, text=report.text, created_by=user))
        ProgressUpdate.objects.bulk_create(updates, batch_size=1000)
        touched = {}
        for update, (village, user, _report, when) in zip(updates, entries):
            update.created_at, update._history_user = when, user
            row = current[village.pk]
            if row.updated_at is None or row.updated_at < when:
                row.updated_at, row.updated_by = when, user
                touched[row.pk] = row
        ProgressUpdate.objects.bulk_update(updates, ["created_at"], batch_size=1000)
        ProgressUpdate.history.bulk_history_create(updates, batch_size=1000)
        Village.all_objects.bulk_update(touched.values(), ["updated_at", "updated_by"], batch_size=500)
    return updates
