"""Real import files written by the tests: CSV in a given encoding, XLSX made with openpyxl."""

import csv
import io

import openpyxl
from django.utils import translation

from villages.imports.importer import import_villages


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
