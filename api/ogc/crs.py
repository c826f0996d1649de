"""The coordinate reference systems the OGC API serves (Part 2: CRS by reference): WGS 84 as longitude, latitude
(CRS84, the default and the storage CRS) and CGCS2000 (EPSG:4490), which Chinese GIS offices work in.

EPSG:4490 puts latitude first, so its coordinates and bounding boxes are (lat, lon). PROJ knows no published
transformation between WGS 84 and CGCS2000 and applies a ballpark one: the numbers stay the same and only the axis
order changes. The two datums differ by a few centimetres, far below what these points mean (a registry point, or
an illustrative one).
"""

from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely
from pyproj import Transformer

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CGCS2000 = "http://www.opengis.net/def/crs/EPSG/0/4490"


@dataclass(frozen=True)
class Crs:
    uri: str
    authority: str  # what pyproj calls it
    lat_first: bool


SUPPORTED = {crs.uri: crs for crs in (Crs(CRS84, "OGC:CRS84", False), Crs(CGCS2000, "EPSG:4490", True))}
DEFAULT = SUPPORTED[CRS84]


@cache
def transformer(source, target):
    return Transformer.from_crs(source, target)


def from_crs84(crs, lons, lats):
    """Arrays of coordinates in `crs`, in its axis order: (x, y) as the CRS defines them."""
    if crs == DEFAULT:
        return np.asarray(lons), np.asarray(lats)
    return transformer(DEFAULT.authority, crs.authority).transform(lons, lats)


def to_crs84(crs, first, second):
    """(lons, lats) of coordinates given in `crs`'s axis order."""
    if crs == DEFAULT:
        return np.asarray(first), np.asarray(second)
    return transformer(crs.authority, DEFAULT.authority).transform(first, second)


def geometry_in(crs, geometry):
    """A GeoJSON geometry (CRS84) in `crs`; the same object for CRS84."""
    if crs == DEFAULT or geometry is None:
        return geometry

    def convert(coordinates):
        first, second = from_crs84(crs, coordinates[:, 0], coordinates[:, 1])
        return np.column_stack([first, second])

    return shapely.geometry.mapping(shapely.transform(shapely.geometry.shape(geometry), convert))


def content_crs(crs):
    return f"<{crs.uri}>"
