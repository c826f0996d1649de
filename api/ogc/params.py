"""The query parameters of the OGC API, checked: anything unknown or out of range is a 400 with the reason."""

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from api.ogc import crs as crs_module
from villages.models import FIRST_PROGRAMME_YEAR, LAST_PROGRAMME_YEAR

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
COMMON = ("f", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime")
FORMATS = ("json", "geojson")


class BadRequest(Exception):
    def __init__(self, reason, parameter=None):
        super().__init__(reason)
        self.reason = reason
        self.parameter = parameter


@dataclass
class Query:
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    bbox: tuple | None = None  # (min lon, min lat, max lon, max lat) in CRS84
    crs: crs_module.Crs = crs_module.DEFAULT
    interval: tuple | None = None  # (start, end) aware datetimes, None for an open end
    filters: dict = field(default_factory=dict)
    limit_requested: int | None = None  # set when `limit` was above MAX_LIMIT


def one_value(params, name):
    values = params.getlist(name)
    if len(values) > 1:
        raise BadRequest(_("The parameter %(name)s is given more than once.") % {"name": name}, name)
    return values[0] if values else None


def whole_number(params, name, minimum):
    text = one_value(params, name)
    if text is None:
        return None
    try:
        number = int(text)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise BadRequest(
            _("%(name)s must be a whole number of at least %(minimum)d, not “%(value)s”.")
            % {"name": name, "minimum": minimum, "value": text},
            name,
        )
    return number


def crs_parameter(params, name):
    text = one_value(params, name)
    if text is None:
        return crs_module.DEFAULT
    uri = text.strip().strip("[]<>")
    if uri not in crs_module.SUPPORTED:
        raise BadRequest(
            _("%(name)s: “%(value)s” is not a coordinate reference system this API serves; use one of %(known)s.")
            % {"name": name, "value": text, "known": ", ".join(crs_module.SUPPORTED)},
            name,
        )
    return crs_module.SUPPORTED[uri]


def bbox_parameter(params, bbox_crs):
    text = one_value(params, "bbox")
    if text is None:
        return None
    try:
        numbers = [float(part) for part in text.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) not in (4, 6) or not all(math.isfinite(number) for number in numbers):
        raise BadRequest(_("bbox must be four numbers separated by commas, not “%(value)s”.") % {"value": text}, "bbox")
    if len(numbers) == 6:  # with heights, which these points have none of
        numbers = numbers[:2] + numbers[3:5]
    low_first, low_second, high_first, high_second = numbers
    if low_first > high_first or low_second > high_second:
        raise BadRequest(
            _("bbox “%(value)s”: each lower corner value must not be greater than its upper corner value.")
            % {"value": text},
            "bbox",
        )
    lons, lats = crs_module.to_crs84(bbox_crs, [low_first, high_first], [low_second, high_second])
    min_lon, max_lon, min_lat, max_lat = float(lons[0]), float(lons[1]), float(lats[0]), float(lats[1])
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise BadRequest(
            _("bbox “%(value)s” lies outside the world (longitude -180 to 180, latitude -90 to 90).") % {"value": text},
            "bbox",
        )
    return (min_lon, min_lat, max_lon, max_lat)


def instant(text, end=False):
    if text in ("", ".."):
        return None
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise ValueError(text)
        moment = datetime.combine(day, datetime.max.time() if end else datetime.min.time())
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def datetime_parameter(params):
    text = one_value(params, "datetime")
    if text is None:
        return None
    try:
        if "/" in text:
            start_text, end_text = text.split("/", 1)
            start, end = instant(start_text), instant(end_text, end=True)
        else:
            start, end = instant(text), instant(text, end=True)
            if start is None:
                raise ValueError(text)
    except ValueError:
        raise BadRequest(
            _("datetime must be a date, a time (RFC 3339) or an interval such as 2025-01-01/.., not “%(value)s”.")
            % {"value": text},
            "datetime",
        ) from None
    if start and end and start > end:
        raise BadRequest(_("datetime “%(value)s” ends before it starts.") % {"value": text}, "datetime")
    return (start, end)


def parse(params, filters, paged=True):
    """The Query of a request's GET parameters; `filters` maps each filter the collection takes to a function that
    checks its value (and raises BadRequest) and returns it cleaned."""
    allowed = set(COMMON) | set(filters)
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise BadRequest(
            _("Unknown parameter %(names)s: this collection takes %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(sorted(allowed))},
            unknown[0],
        )
    file_format = one_value(params, "f")
    if file_format is not None and file_format not in FORMATS:
        raise BadRequest(_("f: only json is served, not “%(value)s”.") % {"value": file_format}, "f")
    query = Query(crs=crs_parameter(params, "crs"))
    if not paged:
        return query
    query.bbox = bbox_parameter(params, crs_parameter(params, "bbox-crs"))
    query.interval = datetime_parameter(params)
    limit = whole_number(params, "limit", 1)
    if limit is not None and limit > MAX_LIMIT:
        query.limit_requested, limit = limit, MAX_LIMIT
    query.limit = limit or DEFAULT_LIMIT
    query.offset = whole_number(params, "offset", 0) or 0
    for name, clean in filters.items():
        value = one_value(params, name)
        if value not in (None, ""):
            query.filters[name] = clean(name, value)
    return query


def choice(choices):
    """A filter whose value is one of `choices` (or several, separated by commas)."""

    def clean(name, value):
        values = [part.strip() for part in value.split(",")]
        wrong = [part for part in values if part not in choices]
        if wrong:
            raise BadRequest(
                _("%(name)s: “%(value)s” is not one of %(known)s.")
                % {"name": name, "value": wrong[0], "known": ", ".join(choices)},
                name,
            )
        return values

    return clean


def code(digits):
    def clean(name, value):
        values = [part.strip() for part in value.split(",")]
        wrong = [part for part in values if not (part.isascii() and part.isdigit() and len(part) == digits)]
        if wrong:
            raise BadRequest(
                _("%(name)s: “%(value)s” is not a code of %(digits)d digits.")
                % {"name": name, "value": wrong[0], "digits": digits},
                name,
            )
        return values

    return clean


def year(name, value):
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not FIRST_PROGRAMME_YEAR <= number <= LAST_PROGRAMME_YEAR:
        raise BadRequest(
            _("%(name)s must be a year from %(first)d to %(last)d, not “%(value)s”.")
            % {"name": name, "first": FIRST_PROGRAMME_YEAR, "last": LAST_PROGRAMME_YEAR, "value": value},
            name,
        )
    return number
