"""Applications counted per county on the dashboard and in the ledger, and the village list's 待复核 / 已退回 filter.

Four villages of 2025 (upgraded), the standard of tests/acceptance_helpers.py (pass score 90):
  榆次区 A: round 1 returned at 87, round 2 accepted at 95.5   → accepted, last review 95.5
  榆次区 B: submitted, not reviewed                             → waiting
  榆次区 C: round 1 returned at 80, round 2 drafted             → returned, last review 80
  太谷区 D: round 1 returned at 70                              → returned, last review 70
榆次区: waiting 1, returned 1, accepted 1, average (95.5 + 80) / 2 = 87.75 → 87.8.
太谷区: returned 1, average 70. City: waiting 1, returned 2, accepted 1, average 245.5 / 3 = 81.8.
"""

import io
import re

import openpyxl
import pytest

from tests.acceptance_helpers import FULL, apply, complete, make_standard, rectified, review
from tests.conftest import TAIGU, YUCI
from tests.village_helpers import designate
from villages.models import Village

RETURNED_87 = {"1": "25", "2": "20", "3": "20", "4": "22"}
ACCEPTED_95_5 = {"1": "28", "2": "20", "3": "23.5", "4": "24"}
RETURNED_80 = {"1": "20", "2": "20", "3": "20", "4": "20"}
RETURNED_70 = {"1": "20", "2": "20", "3": "15", "4": "15"}


@pytest.fixture
def villages(client_for, yuci_editor, taigu_editor, city_admin, registry):
    standard = make_standard()
    yuci = list(Village.objects.filter(county_id=YUCI).order_by("code")[:3])
    taigu = Village.objects.filter(county_id=TAIGU).order_by("code").first()
    a, b, c, d = (complete(designate(village)) for village in [*yuci, taigu])
    county, other, city = client_for(yuci_editor), client_for(taigu_editor), client_for(city_admin)
    for village in (a, b, c):
        apply(county, village, standard, FULL, action="finish")
    apply(other, d, standard, FULL, action="finish")
    review(city, a, standard, RETURNED_87)
    apply(county, rectified(county, a), standard, FULL, action="finish")
    review(city, a, standard, ACCEPTED_95_5)
    review(city, c, standard, RETURNED_80)
    apply(county, rectified(county, c), standard, FULL)
    review(city, d, standard, RETURNED_70)
    return a, b, c, d


def cells(page, county):
    """The texts of the waiting, returned, accepted and average cells of a county's row (or the city's)."""
    start = page.index(f'data-acceptance-county="{county}"')
    row = page[start : page.index("</tr>", start)]
    return [
        re.sub(r"<[^>]+>", "", re.search(rf'data-col="{name}">(.*?)</td>', row).group(1))
        for name in ("waiting", "returned", "accepted", "average")
    ]


def test_the_dashboard_counts_applications_per_county(client_for, viewer, villages):
    page = client_for(viewer).get("/", {"year": 2025, "tier": "upgraded"}).content.decode()
    assert 'id="acceptance-table"' in page
    assert cells(page, YUCI) == ["1", "1", "1", "87.8"]
    assert cells(page, TAIGU) == ["0", "1", "0", "70"]
    assert cells(page, "city") == ["1", "2", "1", "81.8"]


def test_the_accepted_village_counts_toward_the_target_and_waiting_ones_as_completed(client_for, viewer, villages):
    data = client_for(viewer).get("/", {"year": 2025, "tier": "upgraded"}).context["data"]
    progress = {row.unit.code: row.progress for row in data.rows}
    assert (progress[YUCI].accepted, progress[YUCI].completed) == (1, 2)  # B is 待复核, C completed (returned)


def test_the_ledger_has_the_acceptance_table(client_for, viewer, villages):
    response = client_for(viewer).get("/dashboard.xlsx", {"year": 2025, "tier": "upgraded"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["验收复核"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "验收复核（按县）"
    start = rows.index(["县区代码", "县（市、区）", "待复核", "已退回", "复核通过", "平均分"])
    table = rows[start : start + 1 + 11 + 1]
    by_county = {row[0]: row[2:6] for row in table[1:-1]}
    assert by_county[YUCI] == [1, 1, 1, 87.8] and by_county[TAIGU] == [0, 1, 0, 70]
    assert table[-1][1:6] == ["全市", 1, 2, 1, 81.8]


@pytest.mark.parametrize("state,expected", [("waiting", [1]), ("returned", [2, 3])])
def test_the_village_list_filters_villages_awaiting_review_and_returned(
    client_for, city_admin, villages, state, expected
):
    response = client_for(city_admin).get("/villages/", {"acceptance": state})
    assert [village.code for village in response.context["page"]] == [villages[i].code for i in expected]
    assert response.context["total"] == len(expected)
