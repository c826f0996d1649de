"""County boundaries as GeoJSON, decoded once per process: every map page draws all eleven of them."""

import json
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import TextField
from django.db.models.functions import Cast

from counties.geo import geojson_bounds
from counties.models import County


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


def county_places():
    """{county code: Place}, reading the boundaries as text (decoding them is what costs)."""
    rows = County.objects.annotate(boundary_text=Cast("boundary", TextField())).values_list(
        "code", "boundary_text", "label_lat", "label_lon"
    )
    return {code: Place(*decoded(text), label_lat, label_lon) for code, text, label_lat, label_lon in rows}


def joint_bounds(places):
    """(min_lon, min_lat, max_lon, max_lat) around the given places."""
    corners = [place.bounds for place in places]
    return (
        min(c[0] for c in corners), min(c[1] for c in corners), max(c[2] for c in corners), max(c[3] for c in corners),
    )
