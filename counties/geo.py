"""County geometry. The one module that imports geopandas."""

import geopandas as gpd
import numpy as np
import shapely
from django.db.models import F

from counties.models import CountyBoundary

CRS = "EPSG:4326"


def county_frame(codes=None):
    """The counties as a GeoDataFrame indexed by code (WGS84)."""
    boundaries = CountyBoundary.objects.order_by("county_id")
    if codes is not None:
        boundaries = boundaries.filter(county_id__in=codes)
    rows = list(
        boundaries.values(
            "geometry",
            code=F("county_id"),
            name=F("county__name"),
            label_lat=F("county__label_lat"),
            label_lon=F("county__label_lon"),
        )
    )
    geometries = [shapely.geometry.shape(row.pop("geometry")) for row in rows]
    return gpd.GeoDataFrame(rows, geometry=geometries, crs=CRS).set_index("code", drop=False)


def outline_frame(places, tolerance):
    """{code: Place} (counties.boundaries) as a GeoDataFrame indexed by code, like county_frame, with the
    outlines simplified to `tolerance` and kept by the process: what a map of that extent draws."""
    codes = sorted(places)
    rows = [
        {
            "code": code,
            "name": places[code].name,
            "label_lat": places[code].label_lat,
            "label_lon": places[code].label_lon,
        }
        for code in codes
    ]
    geometries = [shapely.geometry.shape(places[code].outline(tolerance)) for code in codes]
    return gpd.GeoDataFrame(rows, geometry=geometries, crs=CRS).set_index("code", drop=False)


def points_inside_counties(lons, lats, county_codes, frame=None):
    """For each point, whether it lies inside (or on the edge of) the given county. Vectorised."""
    frame = county_frame() if frame is None else frame
    points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    inside = np.zeros(len(points), dtype=bool)
    codes = np.asarray(county_codes, dtype=object)
    for code, polygon in frame.geometry.items():
        mask = codes == code
        if mask.any():
            shapely.prepare(polygon)
            inside[mask] = shapely.covers(polygon, points[mask])
    return inside


def point_inside_county(lon, lat, county_code, frame=None):
    return bool(points_inside_counties([lon], [lat], [county_code], frame)[0])


def random_points_in_county(county_code, count, rng, frame=None):
    """`count` random (lon, lat) points inside the county's polygon, for illustrative demo locations."""
    frame = county_frame([county_code]) if frame is None else frame
    polygon = frame.geometry[county_code]
    shapely.prepare(polygon)
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    found = []
    while len(found) < count:
        lons = np.round(rng.uniform(min_lon, max_lon, count * 2), 5)
        lats = np.round(rng.uniform(min_lat, max_lat, count * 2), 5)
        keep = shapely.contains_xy(polygon, lons, lats)
        found.extend(zip(lons[keep], lats[keep]))
    return [(float(lon), float(lat)) for lon, lat in found[:count]]


def points_frame(lons, lats, **columns):
    """Points (WGS84) with the given columns, e.g. for drawing villages on a county map."""
    geometry = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return gpd.GeoDataFrame(columns, geometry=geometry, crs=CRS)


def geojson_bounds(geometries):
    """(min_lon, min_lat, max_lon, max_lat) of GeoJSON (multi)polygons, without building shapes."""
    rings = []
    for geometry in geometries:
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings.extend(np.asarray(ring, dtype=float)[:, :2] for polygon in polygons for ring in polygon)
    points = np.concatenate(rings)
    return (*points.min(axis=0), *points.max(axis=0))
