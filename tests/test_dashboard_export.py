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
        assert rows[find(rows, "村庄类别")][1] == str(Tier.SHOWCASE.label)

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
            assert row[7] == pytest.approx(float(percent) / 100, abs=0.0005)  # a share, shown as a percent
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


def test_shares_are_percent_cells_and_demo_rows_say_so(programme, viewer, client_for):  # noqa: F811
    from counties.models import Pairing
    from tests.conftest import TAIGU, YUCI
    from villages.models import CountyQuota

    # 榆次: 3 of its 2025 showcase villages accepted (tests.test_dashboard.programme) against a demo quota of 8.
    CountyQuota.objects.filter(year=2025, tier=Tier.SHOWCASE, county_id=YUCI).update(count=8, is_illustrative=True)
    Pairing.objects.create(
        kind=Pairing.Kind.HELP, county_a_id=TAIGU, county_b_id=YUCI, start_year=2025, is_illustrative=True
    )
    workbook = load_workbook(BytesIO(client_for(viewer).get(XLSX, FILTERS).content))
    sheet = workbook.active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = find(rows, "县区代码")
    yuci = next(index for index in range(header + 1, header + 12) if rows[index][0] == YUCI)
    assert rows[header][9] == "说明"
    assert rows[yuci][7] == 0.375
    assert sheet.cell(row=yuci + 1, column=8).number_format == "0.0%"
    assert rows[yuci][9] == "示意：任务数为演示数据"
    helped = find(rows, "太谷区 → 榆次区")
    assert rows[helped][2] == 0.375 and sheet.cell(row=helped + 1, column=3).number_format == "0.0%"
    assert rows[helped][4] == "示意：结对为演示数据; 示意：任务数为演示数据"
