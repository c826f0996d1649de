"""django-import-export glue for the admin: the upload → preview → confirm pages run villages.importing."""

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import format_html
from import_export import resources
from import_export.fields import Field
from import_export.formats.base_formats import Format
from import_export.results import Error, Result, RowResult

from counties.coords import CoordinateSystem
from villages.import_columns import COLUMNS, COLUMNS_BY_KEY
from villages.importing import FIELDS, import_villages
from villages.models import Status, Tier, Village


class UploadedFile(tablib.Dataset):
    """The upload, unread: villages.importing reads it itself (title rows, encodings, header aliases)."""

    def __init__(self, content, file_format):
        super().__init__(headers=["file"])
        self.append([len(content)])
        self.content, self.file_format = content, file_format


class VillageFileFormat(Format):
    extension = ""
    content_type = ""

    def __init__(self, encoding=None):
        self.encoding = encoding

    def get_title(self):
        return self.extension

    def get_extension(self):
        return self.extension

    def get_content_type(self):
        return self.content_type

    def create_dataset(self, in_stream):
        return UploadedFile(in_stream, self.extension)

    def can_import(self):
        return True

    def can_export(self):
        return True


class XLSXFile(VillageFileFormat):
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CSVFile(VillageFileFormat):
    extension = "csv"
    content_type = "text/csv; charset=utf-8"


FORMATS = [XLSXFile, CSVFile]
LABELS = {"location_source": "位置来源", "accepted_at": "验收时间", "return_reason": "退回原因"}


def shown(name, value):
    if value is None or value == "":
        return ""
    if name == "tier":
        return Tier(value).label
    if name == "status":
        return Status(value).label
    return value


def preview_fields(result):
    present = set(result.keys)
    fields = [name for name in FIELDS if name in present]
    if "lon" in present:
        fields.append("location_source")
    if "status" in present:
        fields.append("accepted_at")
    if any("return_reason" in row.changes for row in result.rows):
        fields.append("return_reason")
    return fields


def admin_result(result):
    """The import's outcome as django-import-export's Result, which its import page shows."""
    admin = Result()
    admin.total_rows = len(result.rows) + len(result.problems_by_line())
    if not result.ok:
        admin.diff_headers = [header or "—" for header in result.headers]
        for line, problems in result.problems_by_line().items():
            if line is None:
                for problem in problems:
                    admin.append_base_error(Error(problem.message))
                continue
            errors = {}
            for problem in problems:
                errors.setdefault(problem.column or NON_FIELD_ERRORS, []).append(problem.message)
            cells = result.raw_rows.get(line, [])
            values = {header or "—": cells[index] if index < len(cells) else "" for index, header in enumerate(result.headers)}
            admin.append_invalid_row(line, values, ValidationError(errors))
        return admin
    fields = preview_fields(result)
    admin.diff_headers = ["村代码", "村名"] + [COLUMNS_BY_KEY[name].header if name in COLUMNS_BY_KEY else LABELS[name] for name in fields]
    for row in result.rows:
        row_result = RowResult()
        row_result.import_type = RowResult.IMPORT_TYPE_UPDATE if row.changed else RowResult.IMPORT_TYPE_SKIP
        row_result.object_id, row_result.object_repr = row.village["id"], f"{row.village['name']} ({row.village['code']})"
        row_result.diff = [row.village["code"], row.village["name"]] + [
            format_html("<del>{}</del> <ins>{}</ins>", shown(name, row.changes[name][0]), shown(name, row.changes[name][1]))
            if name in row.changes
            else shown(name, row.village[name])
            for name in fields
        ]
        admin.append_row_result(row_result)
        admin.increment_row_result_total(row_result)
    return admin


class VillageResource(resources.ModelResource):
    class Meta:
        model = Village
        fields = ["code"]

    def get_user_visible_fields(self):
        return [Field(column_name=column.header) for column in COLUMNS if column.imported]

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, collect_failed_rows=False,
                    rollback_on_validation_errors=False, **kwargs):
        result = import_villages(
            dataset.content,
            kwargs.get("file_name") or f"upload.{dataset.file_format}",
            kwargs["user"],
            crs=kwargs.get("crs") or CoordinateSystem.WGS84,
            encoding=kwargs.get("encoding") or None,
            dry_run=dry_run,
            file_format=dataset.file_format,
        )
        admin = admin_result(result)
        admin.village_import = result
        return admin
