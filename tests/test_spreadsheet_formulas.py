"""Every spreadsheet the app writes (dashboard ledger, village export, import template) escapes text that a
spreadsheet would run as a formula: = + - @, tab and carriage return at the start."""

import csv
import io

import openpyxl
import pytest

from counties.models import County, Pairing
from tests.conftest import TAIGU, YUCI
from villages.cells import escape_formula
from villages.imports.export import csv_bytes, template_bytes, xlsx_bytes
from villages.models import Village

HOSTILE_YUCI = '=HYPERLINK("http://x.example/","榆次")'
HOSTILE_TAIGU = "+太谷"


@pytest.fixture
def hostile_names(registry):
    County.objects.filter(code=YUCI).update(name=HOSTILE_YUCI)
    County.objects.filter(code=TAIGU).update(name=HOSTILE_TAIGU)
    Pairing.objects.create(kind=Pairing.Kind.HELP, county_a_id=YUCI, county_b_id=TAIGU, start_year=2025)
    village = Village.objects.filter(county_id=YUCI).order_by("code").first()
    village.notes, village.main_works, village.contact_name = "\t=1+1", "\r@SUM(A1)", "-2"
    village.save()
    return village


def xlsx_cells(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [
        cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None
    ]


def unescaped(values):
    return [value for value in values if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r"))]


@pytest.mark.parametrize(
    "text,written",
    [("=1+1", "'=1+1"), ("+86", "'+86"), ("-x", "'-x"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx")],
)
def test_text_starting_like_a_formula_gets_a_leading_quote(text, written):
    assert escape_formula(text) == written


def test_other_values_are_written_as_they_are():
    assert escape_formula("榆次区") == "榆次区"
    assert escape_formula("a=b") == "a=b"
    assert escape_formula(-5) == -5  # numbers are numbers, not text
    assert escape_formula(None) is None


def test_the_dashboard_ledger_escapes_county_and_pairing_names(hostile_names, viewer, client_for):
    response = client_for(viewer).get("/dashboard.xlsx", {"year": 2025, "tier": "showcase"})
    cells = xlsx_cells(response.content)
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    values = [cell.value for cell in cells]
    assert unescaped(values) == []
    assert "'" + HOSTILE_YUCI in values and "'" + HOSTILE_TAIGU in values
    assert f"'{HOSTILE_YUCI} → {HOSTILE_TAIGU}" in values  # the pairing's name


def test_the_village_export_escapes_county_names_and_text_fields(hostile_names):
    villages = Village.objects.filter(pk=hostile_names.pk)
    cells = xlsx_cells(xlsx_bytes(villages))
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    values = [cell.value for cell in cells]
    assert unescaped(values) == []
    assert {"'" + HOSTILE_YUCI, "'\t=1+1", "'\r@SUM(A1)", "'-2"} <= set(values)
    rows = list(csv.reader(io.StringIO(csv_bytes(villages).decode("utf-8-sig"))))
    csv_values = [value for row in rows for value in row]
    assert unescaped(csv_values) == []
    assert {"'" + HOSTILE_YUCI, "'\t=1+1", "'\r@SUM(A1)", "'-2"} <= set(csv_values)


def test_the_import_template_holds_no_formula(registry):
    cells = xlsx_cells(template_bytes())
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert unescaped([cell.value for cell in cells]) == []
