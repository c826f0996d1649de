"""What the period page and the sections on villages' pages show, each assembled in a few queries."""

from dataclasses import dataclass, field

from django.utils import timezone

from counties.models import City
from villages.reporting import access, bulletins, rates
from villages.reporting.models import Bulletin, Period


def the_only_city():
    cities = list(City.objects.only("code", "name")[:2])
    return cities[0] if len(cities) == 1 else None


@dataclass
class PeriodPage:
    period: Period
    city: City | None  # None: the province, by city
    table: rates.Table
    bulletin: Bulletin | None
    today: object
    previous: Period | None = None
    missing: list = field(default_factory=list)  # rates.Missing of the counties the user sees
    owners: dict = field(default_factory=dict)
    urgeable: set = field(default_factory=set)  # county codes the user may press 催报 for
    may_issue: bool = False

    @property
    def level(self):
        return self.table.level

    @property
    def is_frozen(self):
        return self.bulletin is not None

    @property
    def is_closed(self):
        return self.today > self.period.deadline

    @property
    def days_left(self):
        return (self.period.deadline - self.today).days


def period_page(user, period, city, sort=""):
    today = timezone.localdate()
    bulletin = Bulletin.objects.of_place(city.code if city else None).filter(period=period).first()
    previous = rates.previous_period(period)
    if bulletin is not None:
        table = bulletins.frozen_table(bulletin.figures)
    elif city is not None:
        table = rates.county_table(period, city, previous)
    else:
        table = rates.city_table(period, previous)
    page = PeriodPage(period, city, table, bulletin, today, previous)
    table.rows = rates.sorted_rows(table.rows, sort)
    if city is not None:
        seen = [row.code for row in table.rows if row.rate.missing and access.can_see_missing(user, row.code)]
        if seen:
            page.missing = rates.missing_villages(period, seen, today)
            page.owners = rates.owners(seen)
        page.urgeable = {row.code for row in table.rows if row.rate.missing and access.can_urge(user, row.code)}
    page.may_issue = access.can_issue_bulletin(user, city.code if city else None)
    return page


@dataclass
class CountySection:
    period: Period
    rate: rates.Rate
    missing: list | None  # None: the user does not see the county's villages
    may_urge: bool
    urged_today: object = None


def current_period(city_code, today=None):
    return Period.objects.current(today or timezone.localdate(), city_code)
