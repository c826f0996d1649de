"""Real import files written by the tests: CSV in a given encoding, XLSX made with openpyxl."""

import csv
import io

import openpyxl
from django.utils import translation

from tests.constants import YUCI
from villages.imports.importer import import_villages
from villages.models import Status, Tier, Village


def csv_file(rows, encoding="utf-8", delimiter=","):
    output = io.StringIO()
    csv.writer(output, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return output.getvalue().encode(encoding)


def xlsx_file(rows, title_rows=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for title in title_rows:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def run_import(content, user, filename="list.csv", **options):
    with translation.override("en"):
        return import_villages(content, filename, user, **options)


def messages(result):
    with translation.override("en"):
        return [str(problem) for problem in result.problems]


# An office's file with a few rows that cannot be imported (tests/test_import_skip.py, the browser test).
HEADER = ["村代码", "村名", "状态", "进度", "备注"]
UNKNOWN = "140702999999"


def office_villages():
    """Five villages of 榆次区 in the programme: the second and fourth completed (已完工), the others at 50 %."""
    villages = list(Village.objects.filter(county_id=YUCI).order_by("code")[:5])
    Village.objects.filter(pk__in=[v.pk for v in villages]).update(
        tier=Tier.UPGRADED, programme_year=2025, status=Status.IN_PROGRESS, progress=50
    )
    Village.objects.filter(pk__in=[villages[1].pk, villages[3].pk]).update(status=Status.COMPLETED, progress=100)
    return [Village.objects.get(pk=v.pk) for v in villages]


def office_rows(villages):
    """The county's file: rows 3 and 5 step a completed village back to 建设中, row 7 has a code not in the registry."""
    v = villages
    return [
        HEADER,
        [v[0].code, v[0].name, "已完工", "100", "道路硬化"],
        [v[1].code, v[1].name, "建设中", "80", "+返工"],
        [v[2].code, v[2].name, "建设中", "70", "绿化"],
        [v[3].code, v[3].name, "建设中", "90", ""],
        [v[4].code, v[4].name, "已完工", "100", "亮化"],
        [UNKNOWN, "某某村", "建设中", "10", ""],
    ]


def state(villages):
    """{code: (status, progress, notes, version)} as the database has them."""
    return {
        v.code: (v.status, v.progress, v.notes, v.version)
        for v in Village.objects.filter(pk__in=[v.pk for v in villages])
    }


def sheet_rows(content):
    """{sheet title: [row values]} of an XLSX."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}
