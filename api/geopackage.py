"""The GeoPackage of a user's scope: their villages (points; no geometry where a village has no location), the
counties whose villages they see (outlines and the year's figures) and those counties' townships (a table: the
registry gives townships no place). Written by pyogrio (GDAL) to a temporary file, WGS 84 or CGCS2000.

The same features as the OGC API (api/ogc/collections.py), so a layer downloaded and a layer read live agree; the
villages are read as plain rows, not as 18,851 feature dicts, which is what keeps the province's file fast.
"""

import os
import tempfile

import geopandas
import numpy as np
import pandas
import pyogrio
import shapely
from django.utils import timezone

from api.ogc.collections import Counties, Townships
from api.ogc.params import Query
from counties.access import village_county_codes
from counties.models import Township
from villages.access import visible_villages
from villages.models import LocationSource

CRS = {"4326": "EPSG:4326", "4490": "EPSG:4490"}
VILLAGE_COLUMNS = {
    "code": "code",
    "name": "name",
    "short_name": "short_name",
    "county_id": "county_code",
    "county__name": "county",
    "township_id": "township_code",
    "township__name": "township",
    "tier": "tier",
    "programme_year": "programme_year",
    "status": "status",
    "progress": "progress",
    "updated_at": "updated_at",
    "location_source": "location_source",
}


def village_layer(user):
    rows = visible_villages(user).order_by("code").values_list(*VILLAGE_COLUMNS, "lon", "lat")
    frame = pandas.DataFrame.from_records(list(rows), columns=[*VILLAGE_COLUMNS.values(), "lon", "lat"])
    frame["illustrative"] = frame["location_source"] == LocationSource.ILLUSTRATIVE
    frame["updated_at"] = [timezone.localtime(moment).isoformat(timespec="seconds") for moment in frame["updated_at"]]
    frame["programme_year"] = frame["programme_year"].astype("Int64")
    located = frame["lat"].notna().to_numpy()
    points = np.full(len(frame), None, dtype=object)
    points[located] = shapely.points(frame.loc[located, ["lon", "lat"]].to_numpy(dtype=float))
    return geopandas.GeoDataFrame(frame.drop(columns=["lon", "lat"]), geometry=points, crs="OGC:CRS84")


def county_layer(request, codes):
    features = Counties().all_features(request, Query(filters={"county": sorted(codes)}))
    if not features:
        return geopandas.GeoDataFrame({"code": []}, geometry=[], crs="OGC:CRS84")
    return geopandas.GeoDataFrame.from_features(features, crs="OGC:CRS84")


def township_layer(codes):
    townships = Township.objects.select_related("county").filter(county_id__in=codes).order_by("code")
    return pandas.DataFrame([feature["properties"] for feature in Townships().features(townships)])


def write(request, user, crs="4326"):
    """The path of a new GeoPackage for the user (the caller removes it)."""
    codes = village_county_codes(user)
    handle, path = tempfile.mkstemp(suffix=".gpkg")
    os.close(handle)
    os.unlink(path)  # GDAL makes the file itself
    target = CRS[crs]
    for layer, frame in (("villages", village_layer(user)), ("counties", county_layer(request, codes))):
        pyogrio.write_dataframe(
            frame.to_crs(target), path, layer=layer, driver="GPKG", promote_to_multi=layer == "counties"
        )
    townships = township_layer(codes)
    if len(townships):
        pyogrio.write_dataframe(townships, path, layer="townships", driver="GPKG")
    return path
