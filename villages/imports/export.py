"""Export villages to XLSX or CSV with the import's Chinese headers, so that an export re-imports unchanged.

CSV is UTF-8 with a BOM (Excel then opens it correctly). Text that starts like a formula is escaped
(villages.cells); the import removes the escape again.
"""

import csv
import io

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _

from counties.coords import CoordinateSystem
from villages.cells import escape_formula, safe_row
from villages.imports.columns import COLUMNS, CRS_VALUES, IGNORED_HEADERS, STATUS_VALUES, TIER_VALUES
from villages.models import LocationSource, Tier

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "csv": "text/csv; charset=utf-8"}
FORMATS = tuple(CONTENT_TYPES)
TIER_WORDS = {value: words[0] for value, words in TIER_VALUES.items()}
STATUS_WORDS = {value: words[0] for value, words in STATUS_VALUES.items()}
# Every source has its word: a source added without one fails the export instead of leaving the cell blank.
SOURCE_WORDS = {
    "": "",
    LocationSource.SURVEYED: "实测",
    LocationSource.IMPORTED: "导入",
    LocationSource.ILLUSTRATIVE: "示意（非真实位置）",
    LocationSource.PHOTO: "照片定位",
    LocationSource.DEVICE: "手机定位",
}
WGS84_WORD = CRS_VALUES[CoordinateSystem.WGS84][0]


def headers():
    return [column.header for column in COLUMNS]


def village_row(village):
    values = {
        "code": village.code,
        "name": village.name,
        "short_name": village.short_name,
        "city": village.county.city.name,
        "county": village.county.name,
        "township": village.township.name,
        "tier": "" if village.tier == Tier.NONE else TIER_WORDS[village.tier],
        "programme_year": village.programme_year,
        "status": STATUS_WORDS[village.status],
        "progress": village.progress,
        "planned_investment": village.planned_investment,
        "actual_investment": village.actual_investment,
        "main_works": village.main_works,
        "contact_name": village.contact_name,
        "contact_phone": village.contact_phone,
        "lon": village.lon,
        "lat": village.lat,
        "crs": WGS84_WORD if village.lat is not None else "",
        "location_source": SOURCE_WORDS[village.location_source],
        "notes": village.notes,
        "return_reason": village.return_reason,
        "accepted_at": timezone.localtime(village.accepted_at).strftime("%Y-%m-%d %H:%M")
        if village.accepted_at
        else "",
    }
    return [escape_formula(values[column.key]) for column in COLUMNS]


def rows(queryset):
    for village in queryset.with_places().select_related("county__city").order_by("code").iterator(chunk_size=2000):
        yield village_row(village)


def xlsx_bytes(queryset):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("villages"))
    sheet.append(safe_row(headers()))
    for row in rows(queryset):
        sheet.append([float(value) if hasattr(value, "as_tuple") else value for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def csv_bytes(queryset):
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(safe_row(headers()))
    writer.writerows(["" if value is None else value for value in row] for row in rows(queryset))
    return output.getvalue().encode("utf-8-sig")


def export_bytes(queryset, file_format):
    if file_format == "xlsx":
        return xlsx_bytes(queryset)
    if file_format == "csv":
        return csv_bytes(queryset)
    raise ValueError(f"unknown export format {file_format!r}")


def template_bytes():
    """An empty import file: the headers, and a second sheet saying what each column accepts."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("villages")
    sheet.append(
        safe_row([_("百乡千村 village list (delete this title row or keep it: rows above the header are skipped)")])
    )
    sheet.append(safe_row([column.header for column in COLUMNS if column.imported]))
    guide = workbook.create_sheet(_("accepted headers and values"))
    guide.append(safe_row([_("column"), _("also accepted as header"), _("accepted values")]))
    values = {"tier": TIER_VALUES, "status": STATUS_VALUES, "crs": CRS_VALUES}
    for column in COLUMNS:
        words = (
            "、".join(w for words in values[column.key].values() for w in words)
            if column.key in values
            else str(column.help)
        )
        if not column.imported:
            words = _("exported for information; ignored on import")
        guide.append(safe_row([column.header, "、".join(column.aliases), words]))
    guide.append(safe_row(["、".join(IGNORED_HEADERS), "", _("ignored")]))
    for letter, width in (("A", 16), ("B", 40), ("C", 70)):
        guide.column_dimensions[letter].width = width
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
