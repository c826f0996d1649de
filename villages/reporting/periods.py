"""Making the programme's periods: the months of a year with their deadline, as many times as asked, once."""

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from villages.reporting.models import Period


def month_key(year, month):
    return f"{year}-{month:02d}"


def month_name(year, month):
    return _("%(year)d年%(month)d月") % {"year": year, "month": month}


def deadline_after(year, month, deadline_day):
    """The deadline_day of the month after (its last day where that month is shorter)."""
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, min(deadline_day, calendar.monthrange(year, month)[1]))


@dataclass
class Made:
    created: list = field(default_factory=list)
    existing: list = field(default_factory=list)


@transaction.atomic
def create_monthly_periods(year, deadline_day, illustrative=False):
    """The twelve monthly periods of `year`, each due on `deadline_day` of the month after. A month that already has
    its period is left as it is (its deadline too); a month whose days another monthly period covers is refused
    with the reason, and nothing is made."""
    if not 1 <= deadline_day <= 28:
        raise ValidationError(
            _("The deadline day must be between 1 and 28 (the day of the month after the period), not %(day)s.")
            % {"day": deadline_day}
        )
    made = Made()
    existing = {period.key: period for period in Period.objects.filter(key__startswith=f"{year}-")}
    for month in range(1, 13):
        key = month_key(year, month)
        if key in existing:
            made.existing.append(existing[key])
            continue
        period = Period(
            key=key,
            name=month_name(year, month),
            kind=Period.Kind.MONTHLY,
            start=date(year, month, 1),
            end=date(year, month, calendar.monthrange(year, month)[1]),
            deadline=deadline_after(year, month, deadline_day),
            is_illustrative=illustrative,
        )
        period.full_clean()
        period.save()
        made.created.append(period)
    return made
