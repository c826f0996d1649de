"""Who has reported for a period, and on time: per county in one query, summed to cities and the province.

What a period expects, per county: a report for each village designated for the programme year or before (tier not
none), not withdrawn, and not accepted (验收) before the period began. A village's report is its first progress update
dated in the period, or its "本月无变化" confirmation, whichever arrived first; it is on time when it arrived by the
end of the deadline's day. Missing: expected, nothing received yet. Late reports still count as received (and as
late), so the period's live figures move when they arrive; an issued 通报 keeps the figures it froze.
"""

from dataclasses import dataclass, field

from django.db.models import Count, DateTimeField, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Least

from counties.access import COUNTY_EDITOR
from counties.models import City, County, Profile
from villages.models import ProgressUpdate, Village
from villages.reporting.models import NoChange, Period


@dataclass
class Rate:
    expected: int = 0
    received: int = 0
    on_time: int = 0

    @property
    def missing(self):
        return self.expected - self.received

    @property
    def late(self):
        return self.received - self.on_time

    @property
    def reporting_rate(self):
        """Received as a percentage of expected, one decimal; None when nothing is expected."""
        return round(100 * self.received / self.expected, 1) if self.expected else None

    @property
    def on_time_rate(self):
        return round(100 * self.on_time / self.expected, 1) if self.expected else None

    def add(self, other):
        self.expected += other.expected
        self.received += other.received
        self.on_time += other.on_time

    def as_dict(self):
        return {"expected": self.expected, "received": self.received, "on_time": self.on_time}


@dataclass
class Row:
    code: str
    name: str
    rate: Rate
    rank: int | None = None
    previous_late: int = 0  # reports of the period before, received after its deadline (补报)


@dataclass
class Table:
    """A period's rates at one level: rows of counties (a city's page) or of cities (the province's), and the total."""

    level: str  # "county" or "city"
    rows: list
    total: Rate = field(default_factory=Rate)


def expected_villages(period, county_codes=None):
    villages = Village.objects.designated().filter(programme_year__lte=period.year)
    villages = villages.filter(Q(accepted_at__isnull=True) | Q(accepted_at__gte=period.start_moment))
    if period.city_id:
        villages = villages.filter(county__city_id=period.city_id)
    if county_codes is not None:
        villages = villages.filter(county_id__in=county_codes)
    return villages


def with_received(villages, period):
    """The villages with `received`: when their report for the period arrived (None: not yet)."""
    first_update = (
        ProgressUpdate.objects.filter(village=OuterRef("pk"), date__gte=period.start, date__lte=period.end)
        .order_by()
        .values("village")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    confirmed = NoChange.objects.filter(village=OuterRef("pk"), period=period).values("confirmed_at")
    return villages.annotate(
        updated=Subquery(first_update, output_field=DateTimeField()),
        confirmed=Subquery(confirmed, output_field=DateTimeField()),
    ).annotate(received=Least(Coalesce("updated", "confirmed"), Coalesce("confirmed", "updated")))


def county_rates(period, county_codes=None):
    """{county code: Rate} of the counties with villages expected, in one query."""
    rows = (
        with_received(expected_villages(period, county_codes), period)
        .order_by()
        .values("county_id")
        .annotate(
            expected=Count("pk"),
            received_count=Count("received"),
            on_time=Count("pk", filter=Q(received__lt=period.deadline_moment)),
        )
    )
    return {row["county_id"]: Rate(row["expected"], row["received_count"], row["on_time"]) for row in rows}


def previous_period(period):
    return (
        Period.objects.filter(kind=period.kind, end__lt=period.start, city_id=period.city_id)
        .order_by("-end")
        .only("pk", "key", "name", "start", "end", "deadline", "city_id")
        .first()
    )


def late_counts(period, county_codes=None):
    """{county code: reports of the period received after its deadline}."""
    return {code: rate.late for code, rate in county_rates(period, county_codes).items()}


def county_table(period, city, previous=None):
    """The rates of a city's counties (every county, those expecting nothing with zeros), ranked."""
    counties = list(County.objects.filter(city=city).only("code", "name"))
    codes = [county.code for county in counties]
    rates = county_rates(period, codes)
    previous_late = late_counts(previous, codes) if previous else {}
    rows = [
        Row(county.code, county.name, rates.get(county.code, Rate()), previous_late=previous_late.get(county.code, 0))
        for county in counties
    ]
    return ranked(Table("county", rows))


def city_table(period, previous=None):
    """The rates of every city (its counties together), ranked."""
    rates = county_rates(period)
    previous_late = late_counts(previous) if previous else {}
    cities = {city.code: Row(city.code, city.name, Rate()) for city in City.objects.only("code", "name")}
    for code, rate in rates.items():
        cities[code[:4]].rate.add(rate)
    for code, late in previous_late.items():
        cities[code[:4]].previous_late += late
    return ranked(Table("city", list(cities.values())))


def ranking_key(row):
    rate = row.rate
    return (-(rate.on_time_rate or 0), -(rate.reporting_rate or 0), row.code)


def ranked(table):
    """Ranked by on-time rate, then reporting rate; ties share a rank; units expecting nothing are not ranked."""
    rank, last = 0, None
    for position, row in enumerate(sorted((row for row in table.rows if row.rate.expected), key=ranking_key), 1):
        value = (row.rate.on_time_rate, row.rate.reporting_rate)
        if value != last:
            rank, last = position, value
        row.rank = rank
    for row in table.rows:
        table.total.add(row.rate)
    return table


SORT_KEYS = {
    "name": lambda row: row.code,
    "rank": lambda row: (row.rank is None, row.rank or 0),
    "expected": lambda row: row.rate.expected,
    "received": lambda row: row.rate.received,
    "on_time": lambda row: row.rate.on_time,
    "missing": lambda row: row.rate.missing,
    "reporting_rate": lambda row: (row.rate.reporting_rate is None, row.rate.reporting_rate or 0),
    "on_time_rate": lambda row: (row.rate.on_time_rate is None, row.rate.on_time_rate or 0),
    "previous_late": lambda row: row.previous_late,
}


def sorted_rows(rows, sort):
    """`sort` is a column key, with '-' in front for descending; an unknown key keeps the ranking."""
    key = SORT_KEYS.get(sort.lstrip("-"))
    if key is None:
        return sorted(rows, key=SORT_KEYS["rank"])
    return sorted(rows, key=key, reverse=sort.startswith("-"))


@dataclass
class Missing:
    code: str
    name: str
    county_code: str
    county_name: str
    township_name: str
    days_overdue: int


def missing_villages(period, county_codes, today):
    """The villages of these counties whose report for the period has not arrived, by county and code."""
    villages = (
        with_received(expected_villages(period, county_codes), period)
        .filter(received__isnull=True)
        .order_by("county_id", "code")
        .values_list("code", "short_name", "county_id", "county__name", "township__name")
    )
    overdue = period.days_overdue(today)
    return [Missing(*row, overdue) for row in villages]


def owners(county_codes):
    """{county code: [names of its county editors]}: who owns a county's reports."""
    found = {}
    editors = (
        Profile.objects.filter(role=COUNTY_EDITOR, counties__in=county_codes, user__is_active=True)
        .order_by("user__username")
        .values_list("counties", "user__username", "user__first_name", "user__last_name")
    )
    for county, username, first, last in editors:
        found.setdefault(county, []).append(f"{last}{first}".strip() or username)
    return found


def report_of(period, village):
    """When the village's report for the period arrived (None: not yet)."""
    return with_received(Village.objects.filter(pk=village.pk), period).values_list("received", flat=True).first()
