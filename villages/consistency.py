"""Figures that do not fit together, as warnings: they stop nothing (an import goes on), they are listed with it.

- a village 已完工 (or further: 待复核, 验收通过) whose progress is below 100 %;
- progress going down: in an import, a row lower than the village's figure; in the data, a village below a figure
  its own progress updates reported, without a written correction;
- more villages designated for a tier and year than the annual target of their city (or of the province);
- a county with more villages designated for a tier and year than its quota.

The import preview asks `import_warnings` about the rows it would write; the dashboard asks `data_warnings` about
the data already in, counted in the database in a fixed number of queries whatever the number of villages.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from counties.models import County
from villages.models import CountyQuota, ProgressUpdate, Status, Target, Tier, Village

FINISHED = [Status.COMPLETED, Status.UNDER_REVIEW, Status.ACCEPTED]
COMPLETE = 100


@dataclass
class Mismatch:
    kind: str  # "unfinished", "lowered", "over_target", "over_quota"
    text: str


def tier_label(tier):
    return Tier(tier).label


def unfinished_text(village, status, progress):
    return _("%(village)s is %(status)s but its progress is %(progress)d%%") % {
        "village": village,
        "status": Status(status).label,
        "progress": progress,
    }


def row_warnings(village, old, new):
    """Of one village going from `old` to `new` (dicts with status and progress); `village` names it."""
    found = []
    if new["status"] in FINISHED and new["progress"] < COMPLETE:
        found.append(Mismatch("unfinished", unfinished_text(village, new["status"], new["progress"])))
    if new["progress"] < old["progress"]:
        text = _("%(village)s: progress goes down from %(old)d%% to %(new)d%%") % {
            "village": village,
            "old": old["progress"],
            "new": new["progress"],
        }
        found.append(Mismatch("lowered", text))
    return found


def designations(county_codes=None):
    """{(county code, year, tier): designated villages}, counted in the database."""
    villages = Village.objects.designated().filter(programme_year__isnull=False)
    if county_codes is not None:
        villages = villages.filter(county_id__in=county_codes)
    rows = villages.values("county_id", "programme_year", "tier").annotate(count=Count("pk"))
    return {(row["county_id"], row["programme_year"], row["tier"]): row["count"] for row in rows}


def over_limits(counted, keys=None, county_codes=None):
    """Where `counted` {(county, year, tier): villages} exceeds a city's annual target (the province's, on the
    province's scope or where the registry has one city) or a county's quota: for the (county, year, tier) in `keys`
    when given, for the counties `county_codes` when given."""
    counties, cities = {}, {}
    for code, name, city, city_name in County.objects.values_list("code", "name", "city_id", "city__name"):
        counties[code] = (name, city)
        cities[city] = city_name
    if keys is not None:
        counties_in_scope = {county for county, _year, _tier in keys}
    else:
        counties_in_scope = set(counties) if county_codes is None else set(county_codes)
    cities_in_scope = {counties[county][1] for county in counties_in_scope}
    wanted = None if keys is None else {(year, tier) for _county, year, tier in keys}
    by_city, total = {}, {}
    for (county, year, tier), count in counted.items():
        city_key = (counties[county][1], year, tier)
        by_city[city_key] = by_city.get(city_key, 0) + count
        total[year, tier] = total.get((year, tier), 0) + count
    found = []
    targets = Target.objects.filter(kind=Target.Kind.ANNUAL).values_list("city_id", "year", "tier", "count")
    for city, year, tier, target in targets.order_by("year", "tier", "city_id"):
        if city is None and not (county_codes is None and keys is None or len(cities) == 1):
            continue
        if city is not None and city not in cities_in_scope or wanted is not None and (year, tier) not in wanted:
            continue
        designated = by_city.get((city, year, tier), 0) if city else total.get((year, tier), 0)
        if designated > target:
            text = _("%(place)s, %(year)d, %(tier)s: %(count)d villages designated, more than the target of %(target)d")
            values = {
                "place": cities[city] if city else _("the province"),
                "year": year,
                "tier": tier_label(tier),
                "count": designated,
                "target": target,
            }
            found.append(Mismatch("over_target", text % values))
    quotas = CountyQuota.objects.filter(county_id__in=counties_in_scope)
    rows = quotas.values_list("county_id", "year", "tier", "count", "is_illustrative").order_by(
        "year", "tier", "county_id"
    )
    for county, year, tier, quota, illustrative in rows:
        designated = counted.get((county, year, tier), 0)
        if designated > quota and (keys is None or (county, year, tier) in keys):
            text = _("%(county)s, %(year)d, %(tier)s: %(count)d villages designated, more than its quota of %(quota)d")
            values = {
                "county": counties[county][0],
                "year": year,
                "tier": tier_label(tier),
                "count": designated,
                "quota": quota,
            }
            demo = _(" (an illustrative quota, demo data)") if illustrative else ""
            found.append(Mismatch("over_quota", text % values + demo))
    return found


def import_warnings(rows):
    """Warnings about an import's rows (villages.imports.results.RowOutcome: the village as read, its changes): each
    row's figures, then the targets and quotas as they would stand after the import."""
    found = []
    added = set()
    moves = []
    for row in rows:
        village = row.village
        new = {name: row.changes[name][1] if name in row.changes else village[name] for name in village}
        found += row_warnings(f"{village['code']} {village['name']}", village, new)
        old_key = (village["county_id"], village["programme_year"], village["tier"])
        new_key = (village["county_id"], new["programme_year"], new["tier"])
        if old_key != new_key:
            moves.append((old_key, new_key))
            if new["tier"] != Tier.NONE:
                added.add(new_key)
    if added:
        counted = designations()
        for old_key, new_key in moves:
            if old_key[2] != Tier.NONE:
                counted[old_key] = counted.get(old_key, 0) - 1
            if new_key[2] != Tier.NONE:
                counted[new_key] = counted.get(new_key, 0) + 1
        found += over_limits(counted, added)
    return found


def data_warnings(county_codes=None):
    """Warnings about the data already in, for the counties `county_codes` (default all): per county, the villages
    finished below 100 % and those below a figure their updates reported; targets and quotas exceeded."""
    villages = Village.objects.all() if county_codes is None else Village.objects.filter(county_id__in=county_codes)
    higher_before = ProgressUpdate.objects.filter(village=OuterRef("pk"), progress__gt=OuterRef("progress"))
    corrected = ProgressUpdate.objects.filter(village=OuterRef("pk")).exclude(correction="")
    per_county = (
        villages.values("county_id", "county__name")
        .annotate(
            unfinished=Count("pk", filter=Q(status__in=FINISHED, progress__lt=COMPLETE)),
            lowered=Count("pk", filter=Q(Exists(higher_before)) & ~Q(Exists(corrected))),
        )
        .order_by("county_id")
    )
    found = []
    for row in per_county:
        values = {"county": row["county__name"]}
        if count := row["unfinished"]:
            text = ngettext(
                "%(county)s: %(count)d village completed (or further) with progress below 100%%",
                "%(county)s: %(count)d villages completed (or further) with progress below 100%%",
                count,
            )
            found.append(Mismatch("unfinished", text % {**values, "count": count}))
        if count := row["lowered"]:
            text = ngettext(
                "%(county)s: %(count)d village whose progress is below a figure its progress updates reported, "
                "without a written correction",
                "%(county)s: %(count)d villages whose progress is below a figure their progress updates reported, "
                "without a written correction",
                count,
            )
            found.append(Mismatch("lowered", text % {**values, "count": count}))
    return found + over_limits(designations(county_codes), county_codes=county_codes)
