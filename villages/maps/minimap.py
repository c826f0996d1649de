"""A small server-drawn SVG map: the county outline and the village's point. No JavaScript, no tiles."""

import math

from counties.boundaries import SCALES

WIDTH = 320


def tolerance_for_minimap(bounds):
    """The coarsest simplification of the map's (see SCALES) within half a pixel of a county this wide: the
    province map's for a county of a degree, the finest for a city district of a few kilometres."""
    pixel = max(bounds[2] - bounds[0], bounds[3] - bounds[1]) / WIDTH
    fine_enough = [tolerance for _widest, tolerance, _decimals in SCALES if tolerance <= pixel / 2]
    return max(fine_enough, default=min(tolerance for _widest, tolerance, _decimals in SCALES))


def outline_rings(boundary):
    polygons = boundary["coordinates"] if boundary["type"] == "MultiPolygon" else [boundary["coordinates"]]
    return [ring for polygon in polygons for ring in polygon]


def minimap(place, lat, lon):
    """The county's outline (a counties.boundaries.Place) and the point, scaled to WIDTH pixels."""
    rings = outline_rings(place.outline(tolerance_for_minimap(place.bounds)))
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
