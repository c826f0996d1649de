from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests.progress_helpers import figure, row_values, text
from tests.test_dashboard import programme  # noqa: F401 (fixture)
from villages.models import Tier

pytestmark = pytest.mark.django_db

XLSX = reverse("villages:dashboard_xlsx")
FILTERS = {"year": 2025, "tier": Tier.SHOWCASE}


def sheet_rows(response):
    workbook = load_workbook(BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def find(rows, first):
    return next(index for index, row in enumerate(rows) if row and row[0] == first)


def test_export_opens_and_holds_the_same_numbers_as_the_page(programme, viewer, client_for):  # noqa: F811
    client = client_for(viewer)
    html = client.get(reverse("villages:home"), FILTERS).content.decode()
    response = client.get(XLSX, FILTERS)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    rows = sheet_rows(response)

    assert rows[find(rows, "日期")][1] == timezone.localdate().isoformat()
    assert rows[find(rows, "年度")][1] == 2025
    with translation.override("zh-hans"):
        assert rows[find(rows, "类别")][1] == str(Tier.SHOWCASE.label)

    city = rows[find(rows, "目标") + 1]
    names = ["target", "designated", "in_progress", "completed", "accepted"]
    assert [str(value) for value in city[:5]] == [figure(html, name) for name in names]

    header = find(rows, "县区代码")
    county_rows = {row[0]: row for row in rows[header + 1 : header + 12]}
    assert len(county_rows) == 11
    for code, row in county_rows.items():
        cells = row_values(html, "data-progress-county", code)
        quota = text(cells["quota"])
        assert str(row[2]) == quota
        assert [str(v) for v in row[3:7]] == [
            cells[name] for name in ["designated", "in_progress", "completed", "accepted"]
        ]
        percent = cells["percent"].rstrip("%")
        if percent == "–":
            assert row[7] == "未设定"
        else:
            assert float(row[7]) == float(percent)
        assert f"+{row[8]}" == cells["change"]


def test_export_writes_not_set_for_a_year_without_target(programme, viewer, client_for):  # noqa: F811
    rows = sheet_rows(client_for(viewer).get(XLSX, {"year": 2026, "tier": Tier.SHOWCASE}))
    assert rows[find(rows, "目标") + 1][0] == "未设定"


def test_export_refuses_bad_filters_and_anonymous_users(programme, viewer, client_for, client):  # noqa: F811
    response = client_for(viewer).get(XLSX, {"year": "1999"})
    assert response.status_code == 400
    assert "1999" in response.content.decode()
    assert client.get(XLSX).status_code == 302


def test_export_holds_the_pace_by_county_as_on_the_page(programme, viewer, client_for):  # noqa: F811
    import re

    client = client_for(viewer)
    html = client.get(reverse("villages:home"), FILTERS).content.decode()
    rows = sheet_rows(client.get(XLSX, FILTERS))
    pace = [index for index, row in enumerate(rows) if row and row[0] == "县区代码"][1]
    for row in rows[pace + 1 : pace + 12]:
        page_row = re.search(rf'<tr data-forecast-county="{row[0]}">(.*?)</tr>', html, re.S).group(1)
        assert re.search(r'data-col="accepted">(\d+)<', page_row).group(1) == str(row[3])
        assert re.search(r'data-verdict="\w+">(.*?)<', page_row).group(1) == row[7]
