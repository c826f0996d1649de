"""Applications for acceptance counted per county: waiting for review, returned, accepted, and the average score.

Of the villages of one tier and programme year, by the state of their latest round (villages.acceptance.models
ROUND_STATES). The average score is the mean of the city's totals at the last finished review of each village.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper

from villages.acceptance.models import ROUND_STATES, with_latest_round
from villages.models import Village


@dataclass
class Applications:
    waiting: int = 0
    returned: int = 0
    accepted: int = 0
    totals: list = field(default_factory=list)

    @property
    def average(self):
        return (sum(self.totals, Decimal(0)) / len(self.totals)).quantize(Decimal("0.1")) if self.totals else None

    def __bool__(self):
        return bool(self.waiting or self.returned or self.accepted or self.totals)

    def add(self, other):
        self.waiting += other.waiting
        self.returned += other.returned
        self.accepted += other.accepted
        self.totals += other.totals


def application_counts(year, tier, county_codes):
    """{county code: Applications} for the villages of `tier` designated in `year`."""
    result = {code: Applications() for code in county_codes}
    villages = with_latest_round(Village.objects.filter(programme_year=year, tier=tier, county_id__in=county_codes))
    states = {
        state: ExpressionWrapper(condition, output_field=BooleanField()) for state, condition in ROUND_STATES.items()
    }
    rows = villages.filter(round_number__isnull=False).annotate(**states).values("county_id", "reviewed_total", *states)
    for row in rows:
        counted = result[row["county_id"]]
        for state in states:
            setattr(counted, state, getattr(counted, state) + bool(row[state]))
        if row["reviewed_total"] is not None:
            counted.totals.append(row["reviewed_total"])
    return result
