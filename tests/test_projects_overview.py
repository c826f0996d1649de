"""Where the money goes, on the dashboard, a city's and a county's page and in the ledger: projects by stage,
funds by source, 支出率 against 序时进度 ranked with the laggards flagged, 产业 share of 衔接资金 against 60 %, and the
category shares of each programme year. The expected figures are added up by hand in the fixture's docstring.

Programme year 2025 is over on any date these tests run: its 序时进度 is 100 %."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.constants import TAIGU, YUCI
from tests.project_helpers import make_project, move_to
from villages.models import Village
from villages.projects import workflow
from villages.projects.models import Category, Source, Stage

D = Decimal


def spend(project, source, amount, editor):
    fund = project.funds.get(source=source)
    workflow.record_figures(fund, fund.version, editor, date(2025, 9, 1), D(amount), D(amount))


@pytest.fixture
def pool(yuci_village, taigu_village, yuci_editor, taigu_editor, city_admin):
    """2025:
    榆次 A 产业发展 central 300 (spent 150), B 人居环境 central 200 (spent 40): planned 500, spent 190, 支出率 38.0 %,
         62.0 points behind; 产业 300 of 衔接 500 = 60.0 %, meets the rule
    太谷 C 基础设施 provincial 100 (spent 90): 支出率 90.0 %, 10.0 points behind; 产业 0 of 100 = 0.0 %
    whole city: planned 600, spent 280, 46.7 %; 产业 300 of 600 = 50.0 %, below the rule
    2024: 榆次 D 人居环境 central 100: the 2024 bar is all 人居环境; 2025's is 产业 50.0 %, 人居环境 33.3 %, 基础设施 16.7 %
    A cancelled 2025 project of 榆次 (central 1000) counts nowhere."""
    a = make_project(yuci_village, yuci_editor, name="A", category=Category.INDUSTRY, funds={Source.CENTRAL: 300})
    b = make_project(
        yuci_village, yuci_editor, name="B", category=Category.LIVING_ENVIRONMENT, funds={Source.CENTRAL: 200}
    )
    c = make_project(
        taigu_village, taigu_editor, name="C", category=Category.INFRASTRUCTURE, funds={Source.PROVINCIAL: 100}
    )
    make_project(
        yuci_village,
        yuci_editor,
        name="D",
        category=Category.LIVING_ENVIRONMENT,
        year=2024,
        funds={Source.CENTRAL: 100},
    )
    cancelled = make_project(
        yuci_village, yuci_editor, name="E", category=Category.INDUSTRY, funds={Source.CENTRAL: 1000}
    )
    workflow.move(cancelled, cancelled.version, yuci_editor, Stage.CANCELLED, reason="重复")
    for project, editor, source, amount in (
        (a, yuci_editor, Source.CENTRAL, 150),
        (b, yuci_editor, Source.CENTRAL, 40),
        (c, taigu_editor, Source.PROVINCIAL, 90),
    ):
        move_to(project, Stage.IN_PROGRESS, editor, city_admin)
        spend(project, source, amount, editor)
    return {"a": a, "b": b, "c": c}


def test_the_dashboard_ranks_counties_and_flags_the_laggards(client_for, viewer, pool):
    page = client_for(viewer).get("/", {"year": 2025})
    html = page.content.decode()
    assert 'id="project-money"' in html
    overview = page.context["overview"]
    rows = [(row.unit.code, str(row.rate and round(row.rate * 100, 1)), row.behind) for row in overview.rows[:2]]
    assert rows == [(TAIGU, "90.0", True), (YUCI, "38.0", True)]
    total = overview.total
    assert (total.planned, total.spent, total.projects) == (D(600), D(280), 4)  # A, B, C and the cancelled E
    assert total.stages[Stage.IN_PROGRESS] == 3 and total.stages[Stage.CANCELLED] == 1
    assert "46.7 %" in html and "落后序时进度 53.3 个百分点" in html  # 46.67 − 100
    assert "50.0 %" in html and "产业占比低于 60% 的要求" in html
    yuci = next(row for row in overview.rows if row.unit.code == YUCI)
    assert str(round(yuci.industry_share * 100, 1)) == "60.0" and yuci.meets_industry_rule
    assert [row.unit.code for row in overview.rows[2:]] and all(row.rate is None for row in overview.rows[2:])


def test_the_category_chart_shows_each_programme_year(client_for, viewer, pool):
    html = client_for(viewer).get("/", {"year": 2025}).content.decode()
    chart = html[html.index('id="category-chart"') :]
    assert chart.index('data-year="2024"') < chart.index('data-year="2025"')
    year_2025 = chart[chart.index('data-year="2025"') :]
    # 产业 300 of 600: the bar's first 500 units of 1000; 人居环境 200 (333.33), 基础设施 100 (166.67)
    assert 'x="0.00" y="0" width="500.00"' in year_2025 and 'width="333.33"' in year_2025
    assert "产业发展 50.0 %" in year_2025


def test_the_dashboard_reads_the_money_in_as_many_queries_for_more_projects(
    client_for, viewer, pool, yuci_village, yuci_editor
):
    client = client_for(viewer)
    client.get("/", {"year": 2025})

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/", {"year": 2025}).status_code == 200
        return len(captured)

    few = queries()
    other = Village.objects.filter(county_id=YUCI).exclude(pk=yuci_village.pk)[:3]
    for index, village in enumerate(other):
        make_project(village, yuci_editor, name=f"F{index}", category=Category.OTHER, funds={Source.SOCIAL: 5})
    assert queries() == few


def test_the_county_page_shows_its_money(client_for, yuci_editor, pool):
    page = client_for(yuci_editor).get(f"/counties/{TAIGU}/")
    html = page.content.decode()
    assert 'id="project-money"' in html and "90.0 %" in html and "落后序时进度 10.0 个百分点" in html


def test_the_ledger_has_a_projects_and_a_funds_sheet(client_for, viewer, pool):
    response = client_for(viewer).get("/dashboard.xlsx", {"year": 2025})
    workbook = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    projects, funds = workbook["项目"], workbook["资金"]
    rows = {row[0]: row for row in projects.iter_rows(values_only=True) if row and row[0] in (YUCI, TAIGU)}
    # stages: 储备 0, 入库 0, 实施中 2, 已完工 0, 已验收 0, 已取消 1; planned 500, spent 190, 38 %, −62.0, 产业 60 %
    assert rows[YUCI][2:] == (0, 0, 2, 0, 0, 1, 500, 190, 0.38, -62.0, 0.6)
    assert rows[TAIGU][2:] == (0, 0, 1, 0, 0, 0, 100, 90, 0.9, -10.0, 0)
    sources = {
        row[0]: row[1:4]
        for row in funds.iter_rows(values_only=True)
        if row and row[0] in ("中央衔接资金", "省级衔接资金")
    }
    assert sources == {"中央衔接资金": (500, 190, 0.38), "省级衔接资金": (100, 90, 0.9)}
