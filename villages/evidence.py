"""Photo evidence: where and when a photo was taken, read from its EXIF before the metadata is stripped, and
what that says against the village's location and the update's date.

Phones write the GPS position in WGS84 (GPSLatitude/GPSLongitude as degrees, minutes, seconds with N/S, E/W)
and the time as DateTimeOriginal, local time, with OffsetTimeOriginal when the camera knows its offset; without
one the time is read as Beijing time. Seconds or minutes a phone rounded up to 60 (37°40'60.00") carry into
the minute or the degree, as they add up. Anything missing, malformed, out of range or in the future reads as
"no position" or "no time": a photo is never refused for its EXIF.
"""

import math
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import FloatField, Func
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags

LATITUDE = [MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE = [MinValueValidator(-180), MaxValueValidator(180)]
BEIJING = ZoneInfo("Asia/Shanghai")
EARTH_RADIUS_KM = 6371.0088
# A phone's clock may run a few minutes ahead of the server's.
CLOCK_TOLERANCE = timedelta(minutes=10)


@dataclass(frozen=True)
class Facts:
    """The two facts kept of a photo's EXIF."""

    lat: float | None = None
    lon: float | None = None
    taken_at: datetime | None = None


def read(image):
    """The position and time of an opened Pillow image; Facts() when its EXIF says nothing usable."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow warns of a damaged EXIF block; it reads as nothing known
        try:
            exif = image.getexif()
        except Exception:  # a damaged EXIF block must not refuse the photo
            return Facts()
        lat, lon = position(exif)
        return Facts(lat, lon, taken_at(exif))


def position(exif):
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        lat = degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "N", "S")
        lon = degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "E", "W")
    except Exception:
        return None, None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None  # 0, 0 is what some cameras write without a fix
    return lat, lon


def degrees(value, ref, positive, negative):
    """Decimal degrees from (degrees, minutes, seconds) and a hemisphere letter, or None."""
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    ref = (ref or "").strip("\x00 ").upper()
    if ref not in (positive, negative) or not isinstance(value, tuple) or not 1 <= len(value) <= 3:
        return None
    parts = [float(part) for part in value]
    if not all(math.isfinite(part) and part >= 0 for part in parts) or any(part > 60 for part in parts[1:]):
        return None
    result = sum(part / 60**index for index, part in enumerate(parts))
    return -result if ref == negative else result


def taken_at(exif):
    try:
        details = exif.get_ifd(ExifTags.IFD.Exif)
        raw = details.get(ExifTags.Base.DateTimeOriginal)
        when = datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except Exception:
        return None
    when = when.replace(tzinfo=utc_offset(details.get(ExifTags.Base.OffsetTimeOriginal)) or BEIJING)
    return None if when > timezone.now() + CLOCK_TOLERANCE else when


def utc_offset(raw):
    """The tzinfo of an EXIF offset such as "+08:00", or None."""
    text = str(raw or "").strip("\x00 ")
    if len(text) != 6 or text[0] not in "+-" or text[3] != ":" or not (text[1:3] + text[4:]).isdigit():
        return None
    minutes = int(text[1:3]) * 60 + int(text[4:])
    if minutes > 14 * 60:
        return None
    return dt_timezone(timedelta(minutes=minutes if text[0] == "+" else -minutes))


class Haversine(Func):
    """The great-circle distance in km between two positions of a query, (lat, lon) and (ref_lat, ref_lon);
    NULL when one is missing.

    One SQL text rather than a tree of Django's math functions: building and resolving that tree took half a
    millisecond per query, more than running the query."""

    arity = 4
    output_field = FloatField()
    ROOT = (
        "SQRT(POWER(SIN(RADIANS(ref_lat - lat) / 2), 2)"
        " + COS(RADIANS(lat)) * COS(RADIANS(ref_lat)) * POWER(SIN(RADIANS(ref_lon - lon) / 2), 2))"
    )
    # The CASE: rounding may put a hair above 1 for points on opposite sides of the earth, where ASIN is undefined.
    # (LEAST would not do: PostgreSQL's ignores NULL.)
    TOKENS = re.split(
        r"\b(ref_lat|ref_lon|lat|lon)\b",
        f"(2 * {EARTH_RADIUS_KM} * ASIN(CASE WHEN {ROOT} > 1 THEN 1.0 ELSE {ROOT} END))",
    )

    def as_sql(self, compiler, connection, **extra_context):
        names = ("lat", "lon", "ref_lat", "ref_lon")
        arguments = dict(zip(names, (compiler.compile(argument) for argument in self.get_source_expressions())))
        sql, params = [], []
        for token in self.TOKENS:
            if token in arguments:
                sql.append(arguments[token][0])
                params.extend(arguments[token][1])
            else:
                sql.append(token)
        return "".join(sql), params


def distance_km(lat, lon, ref_lat, ref_lon):
    """The great-circle (haversine) distance between two positions of a query (field names), in km."""
    return Haversine(lat, lon, ref_lat, ref_lon)


# --- What the facts say ------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    text: str
    kind: str  # "ok", "warn" (位置不符 or too old, or nothing known) or "unknown" (cannot be checked)


def km(value):
    return f"{value:.1f}"


def against_village(village, distance, within, far):
    """The mark of a position at `distance` km from the village."""
    if village.location_is_illustrative:
        return Mark(_("The village's location is illustrative: cannot be checked"), "unknown")
    if not village.has_location or distance is None:
        return Mark(_("The village has no location yet: cannot be checked"), "unknown")
    if distance <= settings.EVIDENCE_MAX_DISTANCE_KM:
        return Mark(within % {"km": km(distance)}, "ok")
    return Mark(far % {"km": km(distance)}, "warn")


def photo_marks(photo):
    """Where and when the photo was taken, against its village and its update's date."""
    update = photo.update
    if photo.has_position:
        place = against_village(
            update.village,
            photo.distance_km,
            _("Taken within %(km)s km of the village"),
            _("Taken %(km)s km from the village"),
        )
    else:
        place = Mark(_("The photo has no position"), "warn")
    return [place, time_mark(photo.taken_at, update.date)]


def time_mark(taken, update_date):
    if taken is None:
        return Mark(_("The photo has no time"), "warn")
    day = timezone.localtime(taken).date()
    days = (update_date - day).days
    if days > settings.EVIDENCE_MAX_AGE_DAYS:
        return Mark(
            _("Taken on %(date)s (%(days)d days before the update's date)") % {"date": day.isoformat(), "days": days},
            "warn",
        )
    return Mark(_("Taken on %(date)s") % {"date": day.isoformat()}, "ok")


def device_mark(update):
    return against_village(
        update.village,
        update.device_distance_km,
        _("Phone within %(km)s km of the village when sent"),
        _("Phone %(km)s km from the village when sent"),
    )
