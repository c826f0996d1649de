"""The history of a village as people read it: who, when, and each field's old → new value.

Built from django-simple-history's records of the village, its progress updates and their photos,
including records of objects since deleted.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from villages.models import Photo, ProgressUpdate, Village

HIDDEN_FIELDS = {
    "id",
    "updated_by",
    "withdrawn_by",
    "created_by",
    "created_at",
    "uploaded_at",
    "village",
    "update",
    "width",
    "height",
}
ACTIONS = {
    "Village": {"+": _("Village created"), "~": _("Village changed"), "-": _("Village deleted")},
    "ProgressUpdate": {
        "+": _("Progress update added"),
        "~": _("Progress update changed"),
        "-": _("Progress update deleted"),
    },
    "Photo": {"+": _("Photo added"), "~": _("Photo changed"), "-": _("Photo deleted")},
}
WITHDRAWN, REINSTATED = _("Village withdrawn (撤并)"), _("Village reinstated")
HISTORICAL = {model: model.history.model for model in (Village, ProgressUpdate, Photo)}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    who: str
    action: str
    changes: list = field(default_factory=list)
    summary: str = ""


def field_text(model, name, value):
    """A field's value as people read it: the label of a choice, a local time, — for nothing."""
    model_field = model._meta.get_field(name)
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return str(value)


def changes_between(record, previous, model):
    if previous is None:
        return []
    delta = record.diff_against(previous, excluded_fields=HIDDEN_FIELDS & {f.name for f in model._meta.fields})
    return [
        Change(
            str(model._meta.get_field(change.field).verbose_name),
            field_text(model, change.field, change.old),
            field_text(model, change.field, change.new),
        )
        for change in delta.changes
    ]


def withdrawal(record, previous, model):
    """(action, summary) when this village record withdraws (撤并) or reinstates the village, else None.
    The withdrawal fields are not editable, so they are not among the changes listed."""
    if model.__name__ != "Village" or record.history_type != "~" or previous is None:
        return None
    if previous.withdrawn_at is None and record.withdrawn_at is not None:
        return WITHDRAWN, record.withdrawal_reason
    if previous.withdrawn_at is not None and record.withdrawn_at is None:
        return REINSTATED, ""
    return None


def entries_for(records, model, summary):
    entries = []
    previous_by_object = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        previous = previous_by_object.get(record.id)
        user = record.history_user
        action, text = withdrawal(record, previous, model) or (
            ACTIONS[model.__name__][record.history_type],
            summary(record) if record.history_type != "~" else "",
        )
        entries.append(
            Entry(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else _("system"),
                action=action,
                changes=changes_between(record, previous, model) if record.history_type == "~" else [],
                summary=text,
            )
        )
        previous_by_object[record.id] = record
    return entries


def update_summary(record):
    text = f"{record.date:%Y-%m-%d} {record.text}"
    return text if record.progress is None else f"{text} ({record.progress}%)"


def records(model, **lookups):
    """The model's history records matching lookups, with who made them, in no order (entries_for sorts them).
    Asked of the historical model itself: django-simple-history's `history` attribute builds a manager class on
    every use."""
    return list(HISTORICAL[model].objects.filter(**lookups).select_related("history_user").order_by())


def village_history(village):
    """Every recorded change to the village, its updates and photos, newest first."""
    return village_histories([village.pk]).get(village.pk, [])


def village_histories(village_ids):
    """{village id: its history} of several villages (ids, or a query of them) in three queries: the pages of an
    offline copy's part (villages.offline.part_read). Villages without any record are left out."""
    update_records = records(ProgressUpdate, village_id__in=village_ids)
    village_of_update = {record.id: record.village_id for record in update_records}
    photo_records = records(Photo, update_id__in=set(village_of_update)) if village_of_update else []
    groups = defaultdict(lambda: ([], [], []))
    for record in records(Village, id__in=village_ids):
        groups[record.id][0].append(record)
    for record in update_records:
        groups[record.village_id][1].append(record)
    for record in photo_records:
        groups[village_of_update[record.update_id]][2].append(record)
    return {
        village_id: sorted(
            entries_for(village_records, Village, lambda record: "")
            + entries_for(updates, ProgressUpdate, update_summary)
            + entries_for(photos, Photo, lambda r: r.caption),
            key=lambda entry: entry.when,
            reverse=True,
        )
        for village_id, (village_records, updates, photos) in groups.items()
    }
