"""Where the site works: one city (its name, e.g. 晋中市) or several (the province's name), from the registry.

SITE_PLACE in the settings names it instead where the registry's own name is not the one wanted.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils.translation import gettext as _

from counties.models import City

CACHE_KEY = "counties:site-place"


def site_place():
    """{"name": ..., "is_city": bool}: the city when the registry holds one, else its province (or provinces)."""
    place = cache.get(CACHE_KEY)
    if place is None:
        try:
            place = place_of(list(City.objects.select_related("province").order_by("code")))
        except DatabaseError:  # the login and error pages still show while the database is down
            return {"name": settings.SITE_PLACE, "is_city": True}
        cache.set(CACHE_KEY, place, 300)
    if settings.SITE_PLACE:
        place = {**place, "name": settings.SITE_PLACE}
    return place


def place_of(cities):
    if len(cities) == 1:
        return {"name": cities[0].name, "is_city": True}
    return {"name": "、".join(sorted({city.province.name for city in cities})), "is_city": False}


def forget_site_place():
    """After the registry changed."""
    cache.delete(CACHE_KEY)


def not_a_county_here(value):
    """What a county name outside the registry is told: not one of this city's, or this province's, counties."""
    if site_place()["is_city"]:
        return _("%(value)s is not a county of this city") % {"value": value}
    return _("%(value)s is not a county of this province") % {"value": value}
