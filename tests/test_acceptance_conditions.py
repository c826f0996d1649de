"""A condition (否决项) of the standard: the county declares it met or not, the city finds it met or not; it counts
0 toward the total, and not met, it returns the village whatever its total (issue 21)."""

import io
from decimal import Decimal

import docx
import pytest

from tests.acceptance_helpers import FULL, apply, complete, make_standard, review
from villages.acceptance.models import Application
from villages.models import Status, Village

ITEMS = [
    ("基础设施", "1", "道路硬化", "30", False),
    ("基础设施", "2", "安全饮水", "20", False),
    ("人居环境", "3", "垃圾治理", "25", False),
    ("人居环境", "4", "厕所改造", "25", False),
    ("否决项", "否决1", "发生重大安全生产事故的，发生即不予验收", "0", True),
]


@pytest.fixture
def standard(registry):
    return make_standard(items=ITEMS)


@pytest.fixture
def village(yuci_village):
    return complete(yuci_village)


def condition_pk(standard):
    return standard.items.get(number="否决1").pk


def full(finding):
    return {**FULL, "否决1": finding}


def test_submitting_needs_the_countys_declaration(client_for, yuci_editor, village, standard):
    response = apply(client_for(yuci_editor), village, standard, FULL, action="finish")
    assert response.status_code == 200
    assert Village.objects.get(pk=village.pk).status == Status.COMPLETED
    assert "否决1" in " ".join(response.context["form"].errors[f"score_{condition_pk(standard)}"])


@pytest.mark.parametrize("finding,passed", [("yes", True), ("no", False)])
def test_the_citys_finding_decides_whatever_the_total(
    client_for, yuci_editor, city_admin, village, standard, finding, passed
):
    county, city = client_for(yuci_editor), client_for(city_admin)
    apply(county, village, standard, full("yes"), action="finish")
    review(city, village, standard, full(finding))
    application = Application.objects.get(village=village)
    assert application.review.total == Decimal(100)  # the condition counts nothing
    village.refresh_from_db()
    if passed:
        assert (application.status, village.status) == ("accepted", Status.ACCEPTED)
    else:
        assert (application.status, village.status) == ("returned", Status.IN_PROGRESS)
        assert "一票否决" in village.return_reason and "否决1" in village.return_reason
        assert "不符合" in village.return_reason


def test_a_review_without_the_finding_is_not_finished(client_for, yuci_editor, city_admin, village, standard):
    apply(client_for(yuci_editor), village, standard, full("yes"), action="finish")
    response = review(client_for(city_admin), village, standard, FULL)
    assert response.status_code == 200
    assert Village.objects.get(pk=village.pk).status == Status.UNDER_REVIEW


def test_the_record_shows_the_declaration_and_the_finding(client_for, yuci_editor, city_admin, village, standard):
    county, city = client_for(yuci_editor), client_for(city_admin)
    apply(county, village, standard, full("yes"), action="finish")
    review(city, village, standard, full("no"))
    record = county.get(f"/villages/{village.code}/acceptance/1/record.docx")
    rows = [
        [cell.text for cell in row.cells]
        for table in docx.Document(io.BytesIO(record.content)).tables
        for row in table.rows
    ]
    condition = next(row for row in rows if row[1] == "否决1")
    assert (condition[3], condition[4], condition[6]) == ("0", "符合", "不符合")
