"""The 通报 of a period: its figures, frozen when it is issued, and issuing it (once per period and place).

The figures are a plain JSON document (Bulletin.figures): the rates of each county (a city's 通报) or city (the
province's), the construction figures against the year's targets and quotas, the money where the project pool
gives it (villages.reporting.funds), the rules the city set for praise and criticism, and whether any of it is
demo data. The DOCX and the XLSX are written from that document alone, so that a bulletin reopened months later
reads the same, whatever reports arrived after it was issued.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from counties.models import City, County
from villages.models import Tier
from villages.progress import counts, targets
from villages.reporting import funds, rates
from villages.reporting.models import Bulletin, Rules

FIGURES_VERSION = 1
TIERS = [Tier.SHOWCASE, Tier.UPGRADED]


class NotIssuable(Exception):
    """The bulletin cannot be issued; the message says why."""


def rate_row(row):
    return {
        "code": row.code,
        "name": row.name,
        "rank": row.rank,
        "previous_late": row.previous_late,
        **row.rate.as_dict(),
    }


def frozen_table(figures):
    """The rates table as it was when the bulletin was issued."""
    reporting = figures["reporting"]
    rows = [
        rates.Row(
            row["code"],
            row["name"],
            rates.Rate(row["expected"], row["received"], row["on_time"]),
            row["rank"],
            row["previous_late"],
        )
        for row in reporting["rows"]
    ]
    table = rates.Table(figures["level"], rows)
    for row in rows:
        table.total.add(row.rate)
    return table


def construction(year, city):
    """Per county (a city's) or per city (the province's), for each tier: the target (the county's quota or the
    city's target), designated, completed (awaiting acceptance) and accepted villages of the year."""
    cities = list(City.objects.only("code", "name"))
    by_place = targets.targets_by_place(cities)
    counties = list(County.objects.filter(**({"city": city} if city else {})).only("code", "name", "city_id"))
    codes = [county.code for county in counties]
    all_quotas = targets.quotas(years=[year], county_codes=codes)
    illustrative = targets.illustrative_quota_keys(year=year, county_id__in=codes)
    per_tier = {}
    for tier in TIERS:
        per_tier[tier] = {}
        for each_city in {county.city_id for county in counties}:
            city_codes = [county.code for county in counties if county.city_id == each_city]
            per_tier[tier].update(
                counts.county_progress(year, [tier], city_codes, by_place.get(each_city, {}), all_quotas)
            )

    def unit(code, name, members, target_of):
        row = {"code": code, "name": name, "illustrative_quota": False}
        for tier in TIERS:
            progress = counts.Progress()
            for member in members:
                progress.add(per_tier[tier][member])
            row[tier] = {
                "target": target_of(tier),
                "designated": progress.designated,
                "completed": progress.completed,
                "accepted": progress.accepted,
            }
            row["illustrative_quota"] |= any((year, tier, member) in illustrative for member in members)
        return row

    if city is not None:
        rows = [
            unit(county.code, county.name, [county.code], lambda tier, code=county.code: per_tier[tier][code].target)
            for county in counties
        ]
    else:
        rows = [
            unit(
                each.code,
                each.name,
                [county.code for county in counties if county.city_id == each.code],
                lambda tier, code=each.code: by_place.get(code, {}).get((year, tier, "annual")),
            )
            for each in cities
        ]
    place_targets = by_place.get(city.code if city else None, {})
    total = {tier: {"target": place_targets.get((year, tier, "annual"))} for tier in TIERS}
    for tier in TIERS:
        for name in ("designated", "completed", "accepted"):
            total[tier][name] = sum(row[tier][name] for row in rows)
    for row in rows:
        row["share"] = share_done(row)
    ranked_rows = sorted(rows, key=lambda row: (row["share"] is None, -(row["share"] or 0), row["code"]))
    return {"rows": ranked_rows, "total": total}


def share_done(row):
    """Completed and accepted villages of both tiers as a percentage of the targets, when every target is set."""
    if any(row[tier]["target"] is None for tier in TIERS):
        return None
    target = sum(row[tier]["target"] for tier in TIERS)
    done = sum(row[tier]["completed"] + row[tier]["accepted"] for tier in TIERS)
    return round(100 * done / target, 1) if target else None


def figures_of(period, city, now=None):
    """The figures a 通报 of the period for `city` (None: the province) states, as of `now`."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    previous = rates.previous_period(period)
    table = rates.county_table(period, city, previous) if city else rates.city_table(period, previous)
    rules = Rules.for_city(city.code if city else None)
    missing = []
    if city is not None:
        codes = [row.code for row in table.rows if row.rate.missing]
        owners = rates.owners(codes)
        missing = [
            {
                "code": item.code,
                "name": item.name,
                "county": item.county_name,
                "township": item.township_name,
                "owners": "、".join(owners.get(item.county_code, [])),
                "days_overdue": item.days_overdue,
            }
            for item in rates.missing_villages(period, codes, today)
        ]
    built = construction(period.year, city)
    money = funds.period_funds(period, city)
    return {
        "version": FIGURES_VERSION,
        "as_of": timezone.localtime(now).isoformat(),
        "period": {
            "key": period.key,
            "name": period.name,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "deadline": period.deadline.isoformat(),
            "year": period.year,
            "previous": previous.name if previous else None,
        },
        "place": {"code": city.code if city else None, "name": city.name if city else province_name()},
        "level": table.level,
        "rules": {"praise_at_least": float(rules.praise_at_least), "criticise_below": float(rules.criticise_below)},
        "reporting": {"rows": [rate_row(row) for row in table.rows], "total": table.total.as_dict()},
        "missing": missing,
        "construction": built,
        "funds": money,
        "illustrative": {
            "period": period.is_illustrative,
            "quotas": any(row["illustrative_quota"] for row in built["rows"]),
            "funds": bool(money and money["illustrative"]),
        },
    }


def province_name():
    return "、".join(sorted(set(City.objects.values_list("province__name", flat=True)))) or _("province")


def issue(period, city, user, number="", now=None):
    """Issue the period's 通报 for `city` (None: the province): its figures are frozen now. Issuing again returns
    the bulletin already issued, unchanged."""
    now = now or timezone.now()
    existing = Bulletin.objects.of_place(city.code if city else None).filter(period=period).first()
    if existing is not None:
        return existing, False
    if timezone.localdate(now) <= period.deadline:
        raise NotIssuable(
            _("%(period)s is open until its deadline, %(deadline)s: its 通报 is issued after that.")
            % {"period": period.name, "deadline": period.deadline}
        )
    if period.city_id and (city is None or city.code != period.city_id):
        raise NotIssuable(_("%(period)s is a round of one city: its 通报 is that city's.") % {"period": period.name})
    figures = figures_of(period, city, now)
    try:
        with transaction.atomic():
            bulletin = Bulletin.objects.create(
                period=period,
                city=city,
                number=number,
                issued_at=now,
                issued_by=user,
                figures=figures,
                is_illustrative=period.is_illustrative,
            )
    except IntegrityError:  # issued by someone else a moment ago
        return Bulletin.objects.of_place(city.code if city else None).get(period=period), False
    return bulletin, True
