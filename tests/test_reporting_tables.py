"""The period page's table as CSV and XLSX (villages/tabular.py): its counties in the page's order with the rates as
shares, and the period's demo mark as a column."""

import csv
import io
from datetime import date

from openpyxl import load_workbook

from tests.conftest import TAIGU, YUCI
from tests.reporting_helpers import designate_in, moment, october, update_received


def test_the_period_page_downloads_its_county_table(client_for, viewer):
    period = october(is_illustrative=True)
    yuci = designate_in(YUCI, 4)
    designate_in(TAIGU, 2)
    for village in yuci[:3]:  # 3 of 4 reported in 榆次, none of 2 in 太谷
        update_received(village, date(2025, 10, 20), moment(date(2025, 10, 20)))
    client = client_for(viewer)
    page = client.get(f"/reporting/{period.key}/").content.decode()
    assert 'href="?format=csv"' in page and 'href="?format=xlsx"' in page
    response = client.get(f"/reporting/{period.key}/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_code = {row[0]: row for row in rows[1:]}
    # code, rank, name, expected, received, on time, not reported, reporting rate (%), on-time rate (%), 补报, demo
    assert len(rows[0]) == 11 and rows[0][7].endswith("(%)")
    assert by_code[YUCI][3:9] == ["4", "3", "3", "1", "75.0", "75.0"] and by_code[YUCI][10] == "是"
    assert by_code[TAIGU][3:9] == ["2", "0", "0", "2", "0.0", "0.0"]
    workbook = load_workbook(io.BytesIO(client.get(f"/reporting/{period.key}/", {"format": "xlsx"}).content))
    sheet = workbook.worksheets[0]
    found = {sheet.cell(r, 1).value: sheet.cell(r, 8) for r in range(2, sheet.max_row + 1)}
    assert found[YUCI].value == 0.75 and found[YUCI].number_format == "0.0%"
