"""What the map shows, read in a fixed number of queries: county progress, village points and pairings."""

import itertools
import json
from dataclasses import dataclass

from django.db.models import Case, FloatField, Func, IntegerField, TextField, Value, When
from django.db.models.functions import Cast, Substr
from django.urls import reverse
from django.utils import timezone

from counties.boundaries import county_places
from counties.models import County, CountyBoundary, Pairing, Township
from villages.models import LocationSource, Status, Tier
from villages.progress import counts, targets

# Drawing order on the map: the first tier ends up on top.
MAP_TIERS = [Tier.SHOWCASE, Tier.UPGRADED, Tier.NONE]


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


class JSONString(Func):
    """A text as a JSON string literal, written by the database."""

    function = "JSON_QUOTE"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="to_json(%(expressions)s::text)::text", **extra_context)


class CommaJoined(Func):
    """The texts of its parts joined by commas, by the database (no NULL among them); flat, as SQLite's parser
    overflows on the nested pairs of Django's Concat."""

    template = "(%(expressions)s)"
    arg_joiner = " || ',' || "
    output_field = TextField()


class PointRound(Func):
    """A coordinate rounded to 5 decimals (about a metre)."""

    template = "ROUND(%(expressions)s, 5)"
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # In floating point: Django's Round goes through numeric there, which costs more than the rest of the row.
        return self.as_sql(compiler, connection, template="(ROUND(%(expressions)s * 100000) / 100000)", **extra_context)


class LocalDay(Func):
    """Days since 1970-01-01 of the local date (the current time zone) of a time."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        zone = timezone.get_current_timezone_name()
        return f"((({sql}) AT TIME ZONE %s)::date - DATE '1970-01-01')", (*params, zone)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Stored as UTC text; the zone's offset today (Asia/Shanghai has kept +8 since 1991).
        sql, params = compiler.compile(self.get_source_expressions()[0])
        offset = int(timezone.localtime().utcoffset().total_seconds())
        return f"CAST(julianday({sql}, %s) - 2440587.5 AS INTEGER)", (*params, f"{offset:+d} seconds")


def index_of(field, values):
    """The position of the field's value in `values`, computed by the database."""
    return Case(*(When(**{field: value}, then=Value(index)) for index, value in enumerate(values)), default=None)


def compact_villages(villages):
    """The located villages as compact rows for the browser, each already JSON text, and the townships they
    refer to. The database writes the rows: packing 18,851 villages in Python took most of the map's time.

    Row: [lat, lon, township index, village code's last 3 digits, short name, tier index, status index,
    progress, day of last update (days since 1970-01-01, local time), 1 if the location is illustrative].
    """
    head = CommaJoined(PointRound("lat"), PointRound("lon"), Value(""))
    tail = CommaJoined(
        Value(""),
        Cast(Substr("code", 10), IntegerField()),
        JSONString("short_name"),
        index_of("tier", MAP_TIERS),
        index_of("status", Status.values),
        "progress",
        LocalDay("updated_at"),
        Case(When(location_source=LocationSource.ILLUSTRATIVE, then=Value(1)), default=Value(0)),
    )
    located = villages.located().annotate(head=head, tail=tail).order_by("code")
    # Townships numbered as they come, here: a window function numbering them cost the database a second sort.
    township_index = {}
    rows = [
        f"[{head}{township_index.setdefault(township, len(township_index))}{tail}]"
        for township, head, tail in located.values_list("township_id", "head", "tail")
    ]
    # All names in one plain query: a filter on the codes shown cost more, in binding its parameters.
    names = dict(Township.objects.values_list("code", "name"))
    return rows, [[code, names[code]] for code in township_index]


FEATURE_CHUNK = 2000  # villages read from the database, and written out, at a time


VILLAGE_FIELDS = (
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


def village_feature(row, url_parts):
    """A village as a GeoJSON feature (WGS84, null geometry without a location), from its VILLAGE_FIELDS values.
    An illustrative point says so in its properties."""
    prefix, suffix = url_parts
    located = row["lat"] is not None
    return {
        "type": "Feature",
        "id": row["code"],
        "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]} if located else None,
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


def village_features(villages):
    """The located villages as GeoJSON features (WGS84), for GIS tools: a generator that reads the database
    FEATURE_CHUNK rows at a time, so a province's 18,851 villages are never all in memory at once."""
    url_parts = village_url_parts()
    for row in villages.located().order_by("code").values(*VILLAGE_FIELDS).iterator(chunk_size=FEATURE_CHUNK):
        yield village_feature(row, url_parts)


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
