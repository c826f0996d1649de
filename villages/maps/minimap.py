"""A small server-drawn SVG map: the county outline and the village's point. No JavaScript, no tiles."""

import math

from counties.boundaries import SCALES

WIDTH = 320
# About 1° of county across 320 px: the coarsest simplification, the province map's, is still under a pixel.
TOLERANCE = SCALES[-1][1]


def outline_rings(boundary):
    polygons = boundary["coordinates"] if boundary["type"] == "MultiPolygon" else [boundary["coordinates"]]
    return [ring for polygon in polygons for ring in polygon]


def minimap(place, lat, lon):
    """The county's outline (a counties.boundaries.Place) and the point, scaled to WIDTH pixels."""
    rings = outline_rings(place.outline(TOLERANCE))
    lons = [point[0] for ring in rings for point in ring] + [lon]
    lats = [point[1] for ring in rings for point in ring] + [lat]
    min_lon, max_lon, min_lat, max_lat = min(lons), max(lons), min(lats), max(lats)
    shrink = math.cos(math.radians((min_lat + max_lat) / 2))  # keeps shapes right at this latitude
    scale = WIDTH / max((max_lon - min_lon) * shrink, 1e-9)
    height = max((max_lat - min_lat) * scale, 1)

    def xy(point_lon, point_lat):
        return round((point_lon - min_lon) * shrink * scale, 1), round((max_lat - point_lat) * scale, 1)

    path = " ".join("M" + " L".join("{} {}".format(*xy(*point[:2])) for point in ring) + " Z" for ring in rings)
    x, y = xy(lon, lat)
    return {"width": WIDTH, "height": round(height, 1), "path": path, "x": x, "y": y}
