"""The columns of village lists: headers as county offices write them, and the values they accept.

Shared by the import (villages/imports/importer.py), the export (villages/imports/export.py) and the import template.
"""

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from counties.coords import CoordinateSystem
from counties.models import County, Township
from villages.cells import FORMULA_STARTS
from villages.models import FIRST_PROGRAMME_YEAR, LAST_PROGRAMME_YEAR, Status, Tier, Village


class ValueProblem(ValueError):
    """A cell that cannot be read; the message says what is accepted."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # what the export writes
    aliases: tuple = ()
    imported: bool = True  # False: exported for information, ignored on import
    help: str = ""


COLUMNS = [
    Column(
        "code",
        "村代码",
        ("行政区划代码", "村庄代码", "统计用区划代码", "区划代码", "代码", "code"),
        help=gettext_lazy("12-digit statistical code; rows without it are matched by county, township and name"),
    ),
    Column(
        "name",
        "村名",
        ("村庄名称", "村名称", "村委会名称", "行政村", "村庄", "name"),
        help=gettext_lazy("official name or short name of the village"),
    ),
    Column("short_name", "简称", ("short_name",), imported=False),
    Column(
        "city",
        "市",
        ("地市", "设区市", "所属市", "市名", "city"),
        help=gettext_lazy(
            "city name or 4-digit code; tells apart counties of the same name (城区 of 阳泉市 and of 晋城市)"
        ),
    ),
    Column(
        "county",
        "县(市、区)",
        ("县区", "县(区)", "县市区", "县", "county"),
        help=gettext_lazy("county name or 6-digit code"),
    ),
    Column(
        "township",
        "乡镇(街道)",
        ("乡镇", "乡(镇)", "乡镇街道", "township"),
        help=gettext_lazy("township name or 9-digit code"),
    ),
    # 村庄类别, as the site says; the headers of older files and exports are still read.
    Column("tier", "村庄类别", ("类型", "类别", "等级", "村庄类型", "tier")),
    Column(
        "programme_year",
        "年度",
        ("批次", "年份", "programme_year", "year"),
        help=gettext_lazy("a year from 2018 to 2035, e.g. 2025, 2025年 or 2025年第一批"),
    ),
    Column("status", "状态", ("建设状态", "进展状态", "status")),
    Column(
        "progress",
        "进度(%)",
        ("进度", "完成进度", "progress"),
        help=gettext_lazy("a whole number from 0 to 100, with or without %"),
    ),
    Column(
        "planned_investment",
        "计划投资(万元)",
        ("计划投资", "planned_investment"),
        help=gettext_lazy("万元, at most 2 decimals"),
    ),
    Column(
        "actual_investment",
        "实际投资(万元)",
        ("实际投资", "完成投资", "actual_investment"),
        help=gettext_lazy("万元, at most 2 decimals"),
    ),
    Column("main_works", "主要建设内容", ("建设内容", "main_works")),
    Column("contact_name", "联系人", ("contact_name",)),
    Column("contact_phone", "联系电话", ("电话", "contact_phone")),
    Column("lon", "经度", ("lon", "longitude"), help=gettext_lazy("decimal degrees; give 经度 and 纬度 together")),
    Column("lat", "纬度", ("lat", "latitude"), help=gettext_lazy("decimal degrees; give 经度 and 纬度 together")),
    Column(
        "crs",
        "坐标系",
        ("坐标系统", "crs"),
        help=gettext_lazy("coordinate system of this row; default: the one chosen for the file"),
    ),
    Column("location_source", "位置来源", ("location_source",), imported=False),
    Column("notes", "备注", ("notes",)),
    Column("return_reason", "退回原因", ("return_reason",), imported=False),
    Column("accepted_at", "验收时间", ("accepted_at",), imported=False),
]
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
# Columns county files often carry that say nothing about the village.
IGNORED_HEADERS = ("序号", "编号", "排序", "no", "no.")

TIER_VALUES = {
    Tier.SHOWCASE: ("精品示范村", "精品村", "示范村", "showcase"),
    Tier.UPGRADED: ("提档升级村", "提档升级", "升级村", "upgraded"),
    Tier.NONE: ("无", "不列入", "none"),
}
STATUS_VALUES = {
    Status.NOT_STARTED: ("未启动", "未开始", "not_started"),
    Status.PLANNED: ("已规划", "已谋划", "规划中", "谋划中", "planned"),
    Status.IN_PROGRESS: ("建设中", "在建", "实施中", "in_progress"),
    Status.COMPLETED: ("已完工", "完工", "已完成", "completed"),
    Status.UNDER_REVIEW: ("待复核", "under_review"),
    Status.ACCEPTED: ("验收通过", "已验收", "accepted"),
}
CRS_VALUES = {
    CoordinateSystem.WGS84: ("WGS84", "WGS-84", "GPS", "天地图", "CGCS2000"),
    CoordinateSystem.GCJ02: ("GCJ-02", "GCJ02", "高德", "腾讯", "火星坐标"),
    CoordinateSystem.BD09: ("BD-09", "BD09", "百度"),
}
VALUE_CHARS = 100  # no accepted tier, status, year, number or coordinate system is longer
TEXT_FIELDS = {"county": County._meta.get_field("name"), "township": Township._meta.get_field("name")}


WIDE = str.maketrans({"（": "(", "）": ")", "％": "%"})


def normalize(text):
    """Header or value as compared: no spaces, ASCII brackets, lower case."""
    return "".join(str(text).split()).translate(WIDE).lower()


HEADER_KEYS = {}
for _column in COLUMNS:
    for _name in (_column.header, *_column.aliases):
        HEADER_KEYS[normalize(_name)] = _column.key


def vocabulary(values):
    return {normalize(word): value for value, words in values.items() for word in words}


TIERS = vocabulary(TIER_VALUES)
STATUSES = vocabulary(STATUS_VALUES)
SYSTEMS = vocabulary(CRS_VALUES) | {normalize(system.value): system.value for system in CoordinateSystem}


def cell_text(value):
    """A cell as text: numbers without a spurious .0, and a formula escape from our export undone."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in FORMULA_STARTS:
        text = text[1:]
    return text


def choices_text(values):
    return "、".join(words[0] for words in values.values())


def parse_tier(text):
    try:
        return TIERS[normalize(text)]
    except KeyError:
        raise ValueProblem(
            _("%(value)s is not a tier; use %(choices)s") % {"value": text, "choices": choices_text(TIER_VALUES)}
        ) from None


def parse_status(text):
    try:
        return STATUSES[normalize(text)]
    except KeyError:
        raise ValueProblem(
            _("%(value)s is not a status; use %(choices)s") % {"value": text, "choices": choices_text(STATUS_VALUES)}
        ) from None


def parse_crs(text):
    try:
        return SYSTEMS[normalize(text)]
    except KeyError:
        raise ValueProblem(
            _("%(value)s is not a coordinate system; use %(choices)s")
            % {"value": text, "choices": choices_text(CRS_VALUES)}
        ) from None


YEAR_RE = re.compile(r"^(\d{4})(年度?)?(第.{1,3}批(次)?)?$")


def parse_year(text):
    match = YEAR_RE.match(normalize(text))
    year = int(match.group(1)) if match else None
    if year is None or not FIRST_PROGRAMME_YEAR <= year <= LAST_PROGRAMME_YEAR:
        raise ValueProblem(
            _("%(value)s is not a programme year from %(first)d to %(last)d")
            % {"value": text, "first": FIRST_PROGRAMME_YEAR, "last": LAST_PROGRAMME_YEAR}
        )
    return year


PROGRESS_RE = re.compile(r"^(\d{1,3})(\.0+)?%?$")


def parse_progress(text):
    match = PROGRESS_RE.match(normalize(text))
    if not match or int(match.group(1)) > 100:
        raise ValueProblem(_("%(value)s is not a progress; use a whole number from 0 to 100") % {"value": text})
    return int(match.group(1))


def parse_amount(text):
    try:
        amount = Decimal(normalize(text).replace(",", ""))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise ValueProblem(_("%(value)s is not an amount in 万元") % {"value": text})
    rounded = amount.quantize(Decimal("0.01"))
    if abs(rounded - amount) > Decimal("0.000001"):
        raise ValueProblem(_("%(value)s has more than 2 decimals") % {"value": text})
    return rounded


def parse_degrees(text, limit):
    try:
        number = float(normalize(text).rstrip("°"))
    except ValueError:
        raise ValueProblem(_("%(value)s is not a number of degrees") % {"value": text}) from None
    if not -limit <= number <= limit:
        raise ValueProblem(_("%(value)s is out of range (-%(limit)d to %(limit)d)") % {"value": text, "limit": limit})
    return number


@functools.cache
def cell_limit(key):
    """How long a cell of the column may be: its text field's max length (2,000 for free text), else VALUE_CHARS."""
    field = TEXT_FIELDS.get(key)
    if field is None and key in {f.name for f in Village._meta.fields}:
        field = Village._meta.get_field(key)
    if isinstance(field, (models.TextField, models.CharField)) and not field.choices:
        return field.max_length
    return VALUE_CHARS


def shortened(text, length=30):
    return text if len(text) <= length else text[:length] + "…"


def parse_text(text):
    return text


PARSERS = {
    "tier": parse_tier,
    "programme_year": parse_year,
    "status": parse_status,
    "progress": parse_progress,
    "planned_investment": parse_amount,
    "actual_investment": parse_amount,
    "main_works": parse_text,
    "contact_name": parse_text,
    "contact_phone": parse_text,
    "notes": parse_text,
    "lon": lambda text: parse_degrees(text, 180),
    "lat": lambda text: parse_degrees(text, 90),
    "crs": parse_crs,
}
