"""County boundaries as GeoJSON, decoded once per process (every map page draws them), and simplified for the
extent they are drawn at: a province map does not need the metre-level detail of a county map."""

import json
import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from counties.geo import geojson_bounds
from counties.models import CountyBoundary
from counties.scope import site_place

# (widest side of the extent up to, in degrees: tolerance of the simplification in degrees, decimals kept).
# A county is about 1° across, a city 2–3°, the province 6°; a map fitted to ~1,000 px leaves each tolerance at
# about a tenth of a pixel, so the outlines still look right two zoom levels further in.
SCALES = [(1.5, 0.0001, 5), (4.0, 0.0003, 5), (math.inf, 0.0008, 4)]


@dataclass(frozen=True)
class Place:
    boundary: dict  # shared between requests: read it, never change it
    bounds: tuple  # (min_lon, min_lat, max_lon, max_lat)
    label_lat: float
    label_lon: float
    name: str = ""
    # tolerance: the simplified boundary as GeoJSON text and decoded
    outlines: dict = field(default_factory=dict, compare=False, repr=False)

    def outline(self, tolerance):
        """The boundary simplified to `tolerance` degrees (see SCALES), computed once per process."""
        return self.simplified(tolerance)[1]

    def outline_text(self, tolerance):
        """outline() as GeoJSON text, for pages that embed it as it is."""
        return self.simplified(tolerance)[0]

    def simplified(self, tolerance):
        if tolerance not in self.outlines:
            decimals = next(scale[2] for scale in SCALES if scale[1] == tolerance)
            shape = shapely.geometry.shape(self.boundary).simplify(tolerance, preserve_topology=True)
            shape = shapely.transform(shape, lambda points: np.round(points, decimals))
            text = shapely.to_geojson(shape)
            self.outlines[tolerance] = (text, json.loads(text))
        return self.outlines[tolerance]


# {county code: ((digest, label_lat, label_lon, name), its Place)}: one entry per county, so it is sized to the data
# whatever the number of counties, and an entry whose boundary or label differs from the database's is decoded anew.
DECODED = {}


def county_places(codes=None):
    """{county code: Place} of the counties with a boundary. Each request reads the boundaries' digests; the
    boundaries themselves (as text: decoding is what costs) only where one is new or changed."""
    rows = CountyBoundary.objects.order_by("county_id")
    if codes is not None:
        rows = rows.filter(county_id__in=codes)
    source = ("digest", "county__label_lat", "county__label_lon", "county__name")
    current = {code: tuple(rest) for code, *rest in rows.values_list("county_id", *source)}
    stale = [code for code, known in current.items() if DECODED.get(code, (None,))[0] != known]
    if stale:
        # The digest is read again with the text: a boundary changed since the first query is kept as it now is.
        fresh = CountyBoundary.objects.filter(county_id__in=stale).annotate(text=Cast("geometry", TextField()))
        for code, text, *rest in fresh.values_list("county_id", "text", *source):
            boundary = json.loads(text)
            lat, lon, name = rest[1:]
            DECODED[code] = (tuple(rest), Place(boundary, geojson_bounds([boundary]), lat, lon, name))
    if codes is None:
        for gone in DECODED.keys() - current.keys():
            DECODED.pop(gone, None)
    # Read once per entry: another thread of this process may drop an entry meanwhile.
    entries = {code: DECODED.get(code) for code in current}
    return {code: entry[1] for code, entry in entries.items() if entry is not None}


def tolerance_for(bounds):
    """The simplification tolerance (degrees) for a map of this extent (min_lon, min_lat, max_lon, max_lat)."""
    span = max(bounds[2] - bounds[0], bounds[3] - bounds[1])
    return next(tolerance for widest, tolerance, _decimals in SCALES if span <= widest)


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
