"""What the map shows, read in a fixed number of queries: county progress, village points and pairings."""

import itertools
import json
from dataclasses import dataclass
from datetime import date

from django.db.models import CharField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from counties.boundaries import county_places
from counties.models import County, CountyBoundary, Pairing, Township
from villages.models import LocationSource, Status, Tier
from villages.progress import counts, targets

# Drawing order on the map: the first tier ends up on top.
MAP_TIERS = [Tier.SHOWCASE, Tier.UPGRADED, Tier.NONE]
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def village_url_parts():
    """(prefix, suffix) of a village page's URL around its code."""
    placeholder = "0" * 12
    prefix, suffix = reverse("villages:detail", args=[placeholder]).split(placeholder)
    return prefix, suffix


@dataclass
class CountyOnMap:
    code: str
    name: str
    progress: counts.Progress
    bounded: bool = True  # False: a statistical pseudo-county, listed beside the map

    @property
    def share(self):
        return self.progress.share


def county_progress(year, tiers):
    """One CountyOnMap per county, with the year's progress of the tiers (figures are open to every user)."""
    counties = list(County.objects.order_by("code").values_list("code", "name"))
    all_targets = targets.targets()
    figures = counts.county_progress(
        year, tiers, [code for code, _name in counties], all_targets, targets.quotas(years=[year])
    )
    bounded = set(CountyBoundary.objects.values_list("county_id", flat=True))
    return [CountyOnMap(code, name, figures[code], code in bounded) for code, name in counties]


def local_day(utc_text, offset):
    """Days since 1970-01-01 of the local date of a UTC time written 'YYYY-MM-DD HH:MM...'."""
    day = date.fromisoformat(utc_text[:10]).toordinal() - EPOCH_ORDINAL
    seconds = int(utc_text[11:13]) * 3600 + int(utc_text[14:16]) * 60 + offset
    return day + int(seconds // 86400)


def compact_villages(villages):
    """The located villages as compact rows for the browser, and the townships they refer to.

    Row: [lat, lon, township index, village code's last 3 digits, short name, tier index, status index,
    progress, day of last update (days since 1970-01-01, local time), 1 if the location is illustrative].
    """
    tier_index = {tier: index for index, tier in enumerate(MAP_TIERS)}
    status_index = {status: index for index, status in enumerate(Status.values)}
    illustrative = LocationSource.ILLUSTRATIVE
    offset = timezone.localtime().utcoffset().total_seconds()
    township_index, rows, days = {}, [], {}
    # The update time as UTC text: turning 20,000 values into aware datetimes takes longer than the rest. The
    # points are rounded here, not by the database: PostgreSQL rounds a float through numeric, read back as
    # Decimal and converted value by value.
    located = (
        villages.located()
        .order_by("code")
        .annotate(updated_text=Cast("updated_at", CharField()))
        .values_list(
            "lat",
            "lon",
            "township_id",
            "code",
            "short_name",
            "tier",
            "status",
            "progress",
            "updated_text",
            "location_source",
        )
    )
    for lat, lon, township, code, name, tier, status, progress, updated_text, source in located:
        minute = updated_text[:16]
        day = days.get(minute)
        if day is None:
            day = days[minute] = local_day(minute, offset)
        rows.append(
            [
                round(lat, 5),
                round(lon, 5),
                township_index.setdefault(township, len(township_index)),
                int(code[9:]),
                name,
                tier_index[tier],
                status_index[status],
                progress,
                day,
                int(source == illustrative),
            ]
        )
    # All 130 names in one plain query: a filter on the codes shown cost more, in binding its parameters.
    names = dict(Township.objects.values_list("code", "name"))
    return rows, [[code, names[code]] for code in township_index]


FEATURE_CHUNK = 2000  # villages read from the database, and written out, at a time


def village_features(villages):
    """The located villages as GeoJSON features (WGS84), for GIS tools: a generator that reads the database
    FEATURE_CHUNK rows at a time, so a province's 18,851 villages are never all in memory at once."""
    located = (
        villages.located()
        .order_by("code")
        .values(
            "code",
            "name",
            "short_name",
            "county_id",
            "county__name",
            "township_id",
            "township__name",
            "tier",
            "programme_year",
            "status",
            "progress",
            "updated_at",
            "location_source",
            "lat",
            "lon",
        )
    )
    prefix, suffix = village_url_parts()
    for row in located.iterator(chunk_size=FEATURE_CHUNK):
        yield {
            "type": "Feature",
            "id": row["code"],
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": {
                "code": row["code"],
                "name": row["name"],
                "short_name": row["short_name"],
                "county_code": row["county_id"],
                "county": row["county__name"],
                "township_code": row["township_id"],
                "township": row["township__name"],
                "tier": row["tier"],
                "programme_year": row["programme_year"],
                "status": row["status"],
                "progress": row["progress"],
                "updated_at": timezone.localtime(row["updated_at"]).isoformat(timespec="seconds"),
                "location_source": row["location_source"],
                "illustrative": row["location_source"] == LocationSource.ILLUSTRATIVE,
                "url": f"{prefix}{row['code']}{suffix}",
            },
        }


def feature_collection_text(features):
    """A FeatureCollection as JSON text in pieces of FEATURE_CHUNK features, to stream."""
    yield '{"type":"FeatureCollection","features":['
    features, separator = iter(features), ""
    while batch := list(itertools.islice(features, FEATURE_CHUNK)):
        yield separator + ",".join(json.dumps(feature, ensure_ascii=False, separators=(",", ":")) for feature in batch)
        separator = ","
    yield "]}"


def county_features(progress_rows, year, tiers, places=None):
    """The counties as GeoJSON features with their boundary and the year's progress.

    A county without a boundary (a statistical pseudo-county) has a null geometry and label."""
    places = places or county_places()
    features = []
    for row in progress_rows:
        place = places.get(row.code)
        figures = {
            "designated": row.progress.designated,
            "accepted": row.progress.accepted,
            "completed": row.progress.completed,
            "quota": row.progress.target,
            "share": None if row.share is None else round(row.share, 4),
        }
        features.append(
            {
                "type": "Feature",
                "id": row.code,
                "geometry": place.boundary if place else None,
                "properties": {
                    "code": row.code,
                    "name": row.name,
                    "label_lat": place.label_lat if place else None,
                    "label_lon": place.label_lon if place else None,
                    "year": year,
                    "tiers": list(tiers),
                    **figures,
                },
            }
        )
    return features


def active_pairings(year, county=None):
    pairings = Pairing.objects.active_in(year).with_counties()
    return list(pairings if county is None else pairings.involving(county))


def feature_collection(features):
    return {"type": "FeatureCollection", "features": features}
