"""County boundaries as GeoJSON, decoded once per process: every map page draws them."""

import json
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from counties.geo import geojson_bounds
from counties.models import CountyBoundary
from counties.scope import site_place


@dataclass(frozen=True)
class Place:
    boundary: dict  # shared between requests: read it, never change it
    bounds: tuple  # (min_lon, min_lat, max_lon, max_lat)
    label_lat: float
    label_lon: float


@lru_cache(maxsize=64)
def decoded(text):
    """The boundary and its bounds, keyed by the boundary's text so that a changed boundary is decoded anew."""
    boundary = json.loads(text)
    return boundary, geojson_bounds([boundary])


def county_places(codes=None):
    """{county code: Place} of the counties with a boundary, reading them as text (decoding them is what costs)."""
    rows = CountyBoundary.objects.annotate(text=Cast("geometry", TextField()))
    if codes is not None:
        rows = rows.filter(county_id__in=codes)
    rows = rows.values_list("county_id", "text", "county__label_lat", "county__label_lon")
    return {code: Place(*decoded(text), label_lat, label_lon) for code, text, label_lat, label_lon in rows}


def joint_bounds(places):
    """(min_lon, min_lat, max_lon, max_lat) around the given places."""
    corners = [place.bounds for place in places]
    return (
        min(c[0] for c in corners),
        min(c[1] for c in corners),
        max(c[2] for c in corners),
        max(c[3] for c in corners),
    )


def area_bounds():
    """(min_lon, min_lat, max_lon, max_lat) around every county: the box no location of the site lies outside."""
    return joint_bounds(county_places().values())


def outside_area(lat, lon, bounds=None):
    """Why the WGS84 point (lat, lon) cannot be in the site's city or province, or "" when it lies within its
    bounds (area_bounds(), given by a caller that checks many points)."""
    min_lon, min_lat, max_lon, max_lat = bounds or area_bounds()
    if min_lat <= lat <= max_lat and min_lon <= lon <= max_lon:
        return ""
    return _(
        "The point %(lat).6f, %(lon).6f is outside %(place)s (latitude %(south).2f–%(north).2f, longitude "
        "%(west).2f–%(east).2f): check the coordinates."
    ) % {
        "lat": lat,
        "lon": lon,
        "place": site_place()["name"],
        "south": min_lat,
        "north": max_lat,
        "west": min_lon,
        "east": max_lon,
    }
