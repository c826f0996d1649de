"""Coordinates as Chinese map services give them, converted to WGS84 (what the app stores).

高德 (Amap) and 腾讯 (Tencent) maps show GCJ-02; 百度 (Baidu) maps show BD-09. prcoords' "bored"
conversions invert the published offset models by iteration, to well under a metre.
"""

import prcoords
from django.db import models
from django.utils.translation import gettext_lazy as _


class CoordinateSystem(models.TextChoices):
    WGS84 = "wgs84", _("WGS84 (GPS, 天地图)")
    GCJ02 = "gcj02", _("GCJ-02 (高德, 腾讯 maps)")
    BD09 = "bd09", _("BD-09 (百度 maps)")


def to_wgs84(lat, lon, system):
    """(lat, lon) in WGS84 for a point read in the given coordinate system."""
    if system == CoordinateSystem.WGS84:
        return lat, lon
    if system == CoordinateSystem.GCJ02:
        converted = prcoords.gcj_wgs_bored(prcoords.Coords(lat, lon))
    elif system == CoordinateSystem.BD09:
        converted = prcoords.bd_wgs_bored(prcoords.Coords(lat, lon))
    else:
        raise ValueError(f"unknown coordinate system {system!r}")
    return converted.lat, converted.lon
