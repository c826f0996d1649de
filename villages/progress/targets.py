"""Targets and county quotas: what the city and each county are expected to deliver, as the city set them.

A year or county without a target is "not set"; nothing is estimated or invented here.
"""

from villages.models import CountyQuota, Target

DEFAULT_GOAL_YEAR = 2027


def targets():
    """{(year, tier, kind): count} of every target the city has set."""
    return {
        (year, tier, kind): count
        for year, tier, kind, count in Target.objects.values_list("year", "tier", "kind", "count")
    }


def targets_by_place(cities):
    """{city code: its targets, None: the province's}, each as targets() gives them. With one city in the
    registry (`cities`), every target is that city's: those set for the province too, unless the city set its own."""
    by_place = {}
    for city, year, tier, kind, count in Target.objects.values_list("city_id", "year", "tier", "kind", "count"):
        by_place.setdefault(city, {})[(year, tier, kind)] = count
    if len(cities) == 1:
        only = cities[0].code
        by_place[only] = {**by_place.get(None, {}), **by_place.get(only, {})}
    return by_place


def goal_year(all_targets):
    years = [year for (year, _tier, kind) in all_targets if kind == Target.Kind.CUMULATIVE]
    return max(years) if years else DEFAULT_GOAL_YEAR


def quota_is_cumulative(all_targets, year, tier):
    """A quota is the county's share of that year's target: cumulative in a year whose target is (e.g. 2027)."""
    return (year, tier, Target.Kind.CUMULATIVE) in all_targets and (year, tier, Target.Kind.ANNUAL) not in all_targets


def quotas(years=None, county_codes=None):
    """{(year, tier, county code): quota}."""
    rows = CountyQuota.objects.all()
    if years is not None:
        rows = rows.filter(year__in=years)
    if county_codes is not None:
        rows = rows.filter(county_id__in=county_codes)
    return {
        (year, tier, county): count
        for year, tier, county, count in rows.values_list("year", "tier", "county_id", "count")
    }


def illustrative_quotas_among(**filters):
    """Whether any of the county quotas a page shows (those matching `filters`) is demo data."""
    return CountyQuota.objects.filter(is_illustrative=True, **filters).exists()


def illustrative_quota_keys(**filters):
    """{(year, tier, county code)} of the county quotas matching `filters` that are demo data."""
    return set(CountyQuota.objects.filter(is_illustrative=True, **filters).values_list("year", "tier", "county_id"))
