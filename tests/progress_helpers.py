"""Building villages with a programme history for the progress tests, and reading numbers back from pages."""

import re
from datetime import datetime, time, timedelta

from django.utils import timezone

from counties.models import Pairing
from tests.constants import YUCI
from villages.models import Status, Village


def moment(day):
    """Noon, local time, on `day`."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def designate(villages, tier, year, status, accepted_on=None, designated_on=None):
    """Give the villages a tier and a status through save(), so history is written as the app would.

    With accepted_on, the village is accepted that day (history record and accepted_at both dated then)."""
    today = timezone.localdate()
    for village in villages:
        village.tier, village.programme_year, village.status = tier, year, Status.PLANNED
        village._history_date = moment(designated_on or (accepted_on or today) - timedelta(days=200))
        village.save()
        village.status = status
        if status == Status.ACCEPTED:
            village.accepted_at = moment(accepted_on or today)
            village._history_date = village.accepted_at
        else:
            village._history_date = timezone.now()
        village.save()
        del village._history_date
    return villages


def pick(county_code, count, offset=0):
    return list(Village.objects.filter(county_id=county_code, tier="none").order_by("code")[offset : offset + count])


def row_values(html, attribute, key):
    row = re.search(rf'<tr {attribute}="{key}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, f"no row {attribute}={key}"
    return {name: value.strip() for name, value in re.findall(r'data-col="(\w+)">(.*?)</td>', row.group(1), re.S)}


def figure(html, name):
    return re.search(rf'data-city="{name}">(.*?)</dd>', html, re.S).group(1).strip()


def text(value):
    return re.sub(r"<[^>]+>", "", value).strip()


def pairing_data(**changes):
    """The pairing form's fields for a help pairing of 榆次区 and 榆社县, with `changes`."""
    data = {
        "kind": Pairing.Kind.HELP,
        "county_a": YUCI,
        "county_b": "140721",
        "start_year": 2025,
        "focus_areas": "核桃深加工",
        "committed_funds": "500",
        "committed_projects": 3,
        "committed_people": 5,
    }
    return {**data, **changes}
