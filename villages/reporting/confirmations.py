"""A village's one-click "本月无变化": recorded as its report for the period, and refused with the reason when it
would not be true or not be due."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villages.models import Status, Village
from villages.reporting import rates
from villages.reporting.models import NoChange


class Refused(Exception):
    """The confirmation was not recorded; the message says why."""


def status_changes(village, period, until):
    """[(moment, old status, new status)] of the village's status changes within the period, up to `until`."""
    records = Village.history.filter(id=village.pk)
    before = records.filter(history_date__lt=period.start_moment).order_by("-history_date").values("status").first()
    inside = records.filter(history_date__gte=period.start_moment, history_date__lt=until).order_by("history_date")
    changes, last = [], before["status"] if before else None
    for moment, status in inside.values_list("history_date", "status"):
        if last is not None and status != last:
            changes.append((moment, last, status))
        last = status
    return changes


def confirm_no_change(village, period, user, now=None):
    """Record that nothing changed in the village in the period. Refused (Refused) when the period has not begun,
    the village is not expected to report in it, it has reported already, or its status changed in the period."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not period.has_begun(today):
        raise Refused(
            _("%(period)s begins on %(start)s: nothing can be reported for it yet.")
            % {"period": period.name, "start": period.start}
        )
    if not rates.expected_villages(period).filter(pk=village.pk).exists():
        raise Refused(
            _(
                "%(village)s is not expected to report for %(period)s (not designated for the year, or accepted before it)."
            )
            % {"village": village.short_name, "period": period.name}
        )
    received = rates.report_of(period, village)
    if received is not None:
        raise Refused(
            _("%(village)s has already reported for %(period)s (%(when)s).")
            % {
                "village": village.short_name,
                "period": period.name,
                "when": timezone.localtime(received).strftime("%Y-%m-%d %H:%M"),
            }
        )
    changes = status_changes(village, period, min(now, period.end_moment))
    if changes:
        moment, old, new = changes[-1]
        raise Refused(
            _(
                "The status of %(village)s changed in %(period)s (from “%(old)s” to “%(new)s” on %(day)s): write a "
                "progress update instead of “no change this month”."
            )
            % {
                "village": village.short_name,
                "period": period.name,
                "old": Status(old).label,
                "new": Status(new).label,
                "day": timezone.localtime(moment).date(),
            }
        )
    try:
        with transaction.atomic():
            return NoChange.objects.create(
                period=period,
                village=village,
                confirmed_at=now,
                confirmed_by=user,
                status=village.status,
                progress=village.progress,
                is_illustrative=period.is_illustrative,
            )
    except IntegrityError:  # confirmed by someone else a moment ago
        raise Refused(
            _("%(village)s has already reported for %(period)s.")
            % {"village": village.short_name, "period": period.name}
        ) from None
