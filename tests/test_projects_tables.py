"""The project list's table as CSV and XLSX (villages/tabular.py): every project the list shows with its filters,
its money as of the latest month, and the demo mark as a column; another county's editor gets only theirs."""

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from tests.project_helpers import make_project, move_to
from villages.projects import workflow
from villages.projects.models import Source, Stage


def rows_of(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_list_downloads_its_filtered_projects_with_their_money(
    client_for, yuci_project, taigu_village, taigu_editor, city_admin, viewer
):
    taigu = make_project(
        taigu_village, taigu_editor, name="太谷特色种植", category="产业发展", funds={Source.CENTRAL: "80"}
    )
    taigu.is_illustrative = True
    taigu.save()
    move_to(taigu, Stage.IN_PROGRESS, taigu_editor, city_admin)
    fund = taigu.funds.get()
    workflow.record_figures(fund, fund.version, taigu_editor, date(2025, 4, 1), Decimal(60), Decimal(40))
    client = client_for(viewer)
    page = client.get("/projects/", {"category": "产业发展"}).content.decode()
    assert "category=%E4%BA%A7%E4%B8%9A%E5%8F%91%E5%B1%95&amp;format=csv" in page
    rows = rows_of(client.get("/projects/", {"category": "产业发展", "format": "csv"}))
    header, [row] = rows[0], rows[1:]
    assert len(header) == 23 and header[20].endswith("(%)")
    # number, name, category, year, stage, county, township, village code, village, planned, 8 sources, allocated,
    # spent, 支出率 (%), month, demo mark
    assert row[1:4] == ["太谷特色种植", "产业发展", "2025"] and row[5] == "太谷区"
    assert row[7] == taigu_village.code and row[9] == "80.0" and row[10] == "80.0" and row[11] == "0.0"
    assert row[18:22] == ["60.0", "40.0", "50.0", "2025-04"]
    assert row[22] == "是"
    everything = rows_of(client.get("/projects/", {"format": "csv"}))
    assert sorted(line[1] for line in everything[1:]) == sorted(["村道硬化", "太谷特色种植"])
    workbook = load_workbook(io.BytesIO(client.get("/projects/", {"format": "xlsx"}).content))
    sheet = workbook.worksheets[0]
    assert sheet.max_row == 3
    values = {sheet.cell(r, 2).value: [c.value for c in sheet[r]] for r in (2, 3)}
    assert values["太谷特色种植"][20] == 0.5 and sheet.cell(2, 21).number_format == "0.0%"
    assert values["村道硬化"][20] == 0 and values["村道硬化"][9] == 150
    assert values["村道硬化"][22] == "否"


def test_another_countys_editor_downloads_only_their_projects(client_for, yuci_project, taigu_editor):
    rows = rows_of(client_for(taigu_editor).get("/projects/", {"format": "csv"}))
    assert rows[1:] == []
    assert client_for(taigu_editor).get("/projects/", {"format": "pdf"}).status_code == 400
