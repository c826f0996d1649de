"""Targets and county quotas: what each county is expected to deliver for a year and tier."""

from django.db.models import Count

from villages.models import CountyQuota, Target, Village


def annual_target(year, tier):
    """The city-wide number of villages of a tier for a programme year, or None when the city has not set it."""
    target = Target.objects.filter(year=year, tier=tier, kind=Target.Kind.ANNUAL).first()
    return target.count if target else None


def illustrative_quotas_among(**filters):
    """Whether any of the county quotas a page shows (those matching `filters`) is demo data."""
    return CountyQuota.objects.filter(is_illustrative=True, **filters).exists()


def county_quotas(year, tier):
    """{county code: quota} as set by the city; counties without a quota are absent."""
    return dict(CountyQuota.objects.filter(year=year, tier=tier).values_list("county_id", "count"))


def designated_counts(year, tier):
    """{county code: villages designated for that year and tier}."""
    return dict(
        Village.objects.filter(programme_year=year, tier=tier).values_list("county_id").annotate(total=Count("id")).order_by()
    )
