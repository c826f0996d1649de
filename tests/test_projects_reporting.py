"""The 月报/通报's money section from the project pool (villages/reporting/funds.py): the figures as they stood at
the end of the period, against the 序时进度 of that date, and the 通报's paragraph. Worked out by hand below."""

import io
from datetime import date
from decimal import Decimal

import pytest
from docx import Document

from counties.models import City
from tests.constants import JINZHONG, TAIGU, YUCI
from tests.project_helpers import make_project, move_to
from villages.projects import workflow
from villages.projects.models import Category, Source, Stage
from villages.reporting import bulletins, funds
from villages.reporting.documents import bulletin_docx
from villages.reporting.models import Period

D = Decimal


def spend(project, source, month, amount, editor):
    fund = project.funds.get(source=source)
    workflow.record_figures(fund, fund.version, editor, date(2025, month, 1), D(amount), D(amount))


@pytest.fixture
def october(registry):
    return Period.objects.create(
        key="2025-10", name="2025年10月", start=date(2025, 10, 1), end=date(2025, 10, 31), deadline=date(2025, 11, 5)
    )


@pytest.fixture
def pool(yuci_village, taigu_village, yuci_editor, taigu_editor, city_admin):
    """榆次 A 产业发展 central 300: spent 150 by September, 250 by November.
    太谷 C 基础设施 provincial 100: spent 90 by September.
    At the end of October (序时进度 10/12 = 83.33 %): 榆次 150/300 = 50 % (33.3 points behind), 太谷 90 % (6.7
    ahead); the city 240/400 = 60 % (23.3 behind); 产业 300 of 衔接 400 = 75 %, meets the rule."""
    a = make_project(yuci_village, yuci_editor, name="A", category=Category.INDUSTRY, funds={Source.CENTRAL: 300})
    c = make_project(
        taigu_village, taigu_editor, name="C", category=Category.INFRASTRUCTURE, funds={Source.PROVINCIAL: 100}
    )
    move_to(a, Stage.IN_PROGRESS, yuci_editor, city_admin)
    move_to(c, Stage.IN_PROGRESS, taigu_editor, city_admin)
    spend(a, Source.CENTRAL, 9, 150, yuci_editor)
    spend(a, Source.CENTRAL, 11, 250, yuci_editor)
    spend(c, Source.PROVINCIAL, 9, 90, taigu_editor)


def test_the_money_of_a_period_as_it_stood_at_its_end(october, pool):
    found = funds.period_funds(october, City.objects.get(code=JINZHONG))
    assert (found["planned"], found["spent"], found["rate"], found["gap"]) == (400.0, 240.0, 0.6, -23.3)
    assert (found["industry_share"], found["meets_industry_rule"], found["elapsed"]) == (0.75, True, 0.8333)
    assert [(row["code"], row["rate"], row["gap"]) for row in found["rows"]] == [(TAIGU, 0.9, 6.7), (YUCI, 0.5, -33.3)]
    assert found["text"] == (
        "截至2025年10月底，全市2025年项目库项目计划投资400.00万元，已支出240.00万元，支出率60.00%，"
        "落后序时进度23.3个百分点。衔接资金用于产业发展的比例为75.00%，达到60%以上的要求。"
        "支出率居前的是太谷区、榆次区；落后序时进度的县（市、区）有榆次区。"
    )
    province = funds.period_funds(october, None)
    assert [(row["code"], row["name"], row["spent"]) for row in province["rows"]] == [(JINZHONG, "晋中市", 240.0)]


def test_no_pool_no_money_section(october, registry):
    assert funds.period_funds(october, None) is None


def test_the_bulletin_says_it(october, pool, city_admin):
    bulletin, _created = bulletins.issue(october, City.objects.get(code=JINZHONG), city_admin)
    text = "\n".join(p.text for p in Document(io.BytesIO(bulletin_docx(bulletin))).paragraphs)
    assert "资金支出情况" in text and "支出率60.00%，落后序时进度23.3个百分点" in text
    assert "示意数据" not in text  # nothing illustrative here
