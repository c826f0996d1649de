"""支出率, 序时进度, their signed gap and the 产业 share of 衔接资金 (villages/projects/money.py). Every expected value
is worked out by hand in the comment beside it."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from tests.project_helpers import make_project, move_to
from villages.models import Village
from villages.projects import money, workflow
from villages.projects.models import Category, Project, Source, Stage

D = Decimal


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2025, 4, 30), D(4) / D(12)),  # four months done: 33.33…%
        (date(2025, 12, 31), D(1)),
        (date(2025, 1, 31), D(1) / D(12)),
        (date(2025, 6, 15), (D(5) + D(15) / D(30)) / D(12)),  # 5.5 months: 45.83…%
        (date(2024, 2, 29), D(0)),  # before the programme year
        (date(2026, 1, 1), D(1)),  # after it
        (date(2024, 2, 29), D(0)),
    ],
)
def test_the_elapsed_share_of_the_programme_year(on, expected):
    assert money.elapsed_share(2025, on) == expected


def test_a_leap_february_counts_its_29_days():
    assert money.elapsed_share(2024, date(2024, 2, 29)) == D(2) / D(12)
    assert money.elapsed_share(2024, date(2024, 2, 14)) == (D(1) + D(14) / D(29)) / D(12)


def test_the_spending_rate_and_the_gap_in_points():
    rate = money.spending_rate(D("420.2"), D("1000"))  # 42.02 %
    assert rate == D("0.4202")
    gap = money.gap_points(rate, money.elapsed_share(2025, date(2025, 4, 30)))  # 42.02 − 33.333… = 8.6866…
    assert money.rounded(gap) == D("8.7")
    assert money.spending_rate(D(5), D(0)) is None and money.gap_points(None, D(0)) is None
    behind = money.gap_points(D("0.21"), D("0.3333333333"))  # 21 − 33.33 = −12.33…
    assert money.rounded(behind) == D("-12.3")


def test_the_gap_as_a_bulletin_says_it():
    with translation.override("zh-hans"):
        assert money.gap_text(D("8.6866")) == "超序时进度 8.7 个百分点"
        assert money.gap_text(D("-12.33")) == "落后序时进度 12.3 个百分点"
        assert money.gap_text(D("0.04")) == "与序时进度持平"
    with translation.override("en"):
        assert money.gap_text(D("-12.33")) == "12.3 percentage points behind the elapsed share (落后序时进度)"
    assert money.percent(D("0.42016")) == "42.0 %" and money.percent(None) == "—"


def test_the_industry_share_of_linkage_funds_against_the_rule():
    assert money.industry_share(D(300), D(500)) == D("0.6") and money.meets_industry_rule(D("0.6"))
    assert not money.meets_industry_rule(D("0.5999")) and not money.meets_industry_rule(None)
    assert money.industry_share(D(10), D(0)) is None


@pytest.fixture
def pool(registry, yuci_village, yuci_editor, city_admin):
    """Three projects of 榆次区 and a cancelled one:
    A 产业发展: central 300, provincial 100, self-raised 50 (spent: central 150)
    B 人居环境: central 200, city/county 80 (spent: central 40, city 80)
    C 基础设施: provincial 100 (nothing spent)
    D 产业发展, cancelled: central 1000 (left out everywhere)"""
    second = Village.objects.filter(county_id=yuci_village.county_id).exclude(pk=yuci_village.pk).first()
    a = make_project(
        yuci_village,
        yuci_editor,
        name="A",
        category=Category.INDUSTRY,
        funds={Source.CENTRAL: 300, Source.PROVINCIAL: 100, Source.SELF_RAISED: 50},
    )
    b = make_project(
        second,
        yuci_editor,
        name="B",
        category=Category.LIVING_ENVIRONMENT,
        funds={Source.CENTRAL: 200, Source.CITY_COUNTY: 80},
    )
    make_project(yuci_village, yuci_editor, name="C", category=Category.INFRASTRUCTURE, funds={Source.PROVINCIAL: 100})
    d = make_project(yuci_village, yuci_editor, name="D", category=Category.INDUSTRY, funds={Source.CENTRAL: 1000})
    workflow.move(d, d.version, yuci_editor, Stage.CANCELLED, reason="重复申报")
    for project, figures in ((a, {Source.CENTRAL: 150}), (b, {Source.CENTRAL: 40, Source.CITY_COUNTY: 80})):
        move_to(project, Stage.IN_PROGRESS, yuci_editor, city_admin)
        for source, amount in figures.items():
            fund = project.funds.get(source=source)
            workflow.record_figures(fund, fund.version, yuci_editor, date(2025, 4, 1), D(amount), D(amount))
    return Project.objects.filter(county_id=yuci_village.county_id)


def test_totals_of_a_pool(pool):
    totals = money.totals(pool)
    # planned 300+100+50 + 200+80 + 100 = 830; spent 150+40+80 = 270
    # 衔接资金 300+100+200+100 = 700, of which 产业 (A) 400: 57.1 %, short of 60 %
    assert totals == {
        "planned": D(830),
        "allocated": D(270),
        "spent": D(270),
        "linkage": D(700),
        "industry_linkage": D(400),
    }
    assert money.rounded(money.industry_share(totals["industry_linkage"], totals["linkage"]) * 100) == D("57.1")
    assert not money.meets_industry_rule(money.industry_share(totals["industry_linkage"], totals["linkage"]))


def test_by_source_county_and_stage(pool, yuci_village):
    assert [(row["source"], row["planned"], row["spent"]) for row in money.by_source(pool)] == [
        (Source.CENTRAL, D(500), D(190)),
        (Source.PROVINCIAL, D(200), D(0)),
        (Source.CITY_COUNTY, D(80), D(80)),
        (Source.SELF_RAISED, D(50), D(0)),
    ]
    assert money.by_county(Project.objects.all()) == {
        yuci_village.county_id: {
            "planned": D(830),
            "allocated": D(270),
            "spent": D(270),
            "linkage": D(700),
            "industry_linkage": D(400),
        }
    }
    assert money.stage_counts(pool) == {
        Stage.RESERVE: 1,
        Stage.APPROVED: 0,
        Stage.IN_PROGRESS: 2,
        Stage.COMPLETED: 0,
        Stage.ACCEPTED: 0,
        Stage.CANCELLED: 1,
    }
