"""Illustrative projects for the demo: every designated village of the demo year gets a project of 2025 with funds
from several sources, 绩效目标 and monthly figures, at the stage its village's works are; some villages also a
finished 人居环境 project of 2024, the showcase villages a 产业 project in the reserve for 2026 (so the category
chart shows the shift from 人居环境 to 产业). Everything is made through the projects' workflow (create_demo: the rows
and history its page functions write, in a few statements) by the demo's county editors and administrator, and
marked illustrative (is_illustrative) wherever it is shown.

Nothing here is real: names, amounts and figures are invented in the shape county pools write them.
"""

from datetime import date
from decimal import Decimal

import numpy as np
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from counties.models import Pairing
from villages.demo import DEMO_YEAR, editor_username
from villages.models import Status, Tier, Village
from villages.projects import workflow
from villages.projects.models import Category, Kind, Level, Project, Source, Stage

# (category, name, works, output indicator (name, number, unit), benefit indicator (name, number, unit))
KINDS = {
    Category.INDUSTRY: [
        (
            "{village}特色农产品加工车间",
            "新建加工车间 {n} 平方米，购置加工设备",
            ("加工车间面积", 800, "平方米"),
            ("村集体年增收", 8, "万元"),
        ),
        ("{village}设施农业大棚", "新建日光温室 {n} 座", ("新建温室", 20, "座"), ("带动农户增收", 3000, "元/户")),
        (
            "{village}乡村旅游配套",
            "建设游客服务中心、停车场 {n} 平方米",
            ("服务设施面积", 1200, "平方米"),
            ("年接待游客", 2, "万人次"),
        ),
    ],
    Category.LIVING_ENVIRONMENT: [
        (
            "{village}生活污水管网",
            "铺设污水管网 {n} 米，建设处理站 1 座",
            ("管网长度", 3000, "米"),
            ("污水收集率", 85, "%"),
        ),
        ("{village}卫生厕所改造", "改造农户卫生厕所 {n} 户", ("改厕户数", 150, "户"), ("卫生厕所普及率", 95, "%")),
    ],
    Category.INFRASTRUCTURE: [
        ("{village}村内道路硬化", "硬化村内道路 {n} 公里", ("硬化道路", 3, "公里"), ("通行受益人口", 1200, "人")),
        ("{village}安全饮水巩固提升", "更换供水管网 {n} 米", ("更换管网", 2500, "米"), ("自来水普及率", 100, "%")),
    ],
    Category.PUBLIC_SERVICES: [
        ("{village}日间照料中心", "改建日间照料中心 {n} 平方米", ("建筑面积", 400, "平方米"), ("服务老人", 80, "人")),
    ],
}
# The categories of a 2025 project by tier: showcase villages lean to industry, upgraded ones to living conditions.
SHARES = {
    Tier.SHOWCASE: [
        (Category.INDUSTRY, 0.55),
        (Category.LIVING_ENVIRONMENT, 0.2),
        (Category.INFRASTRUCTURE, 0.15),
        (Category.PUBLIC_SERVICES, 0.1),
    ],
    Tier.UPGRADED: [
        (Category.INDUSTRY, 0.35),
        (Category.LIVING_ENVIRONMENT, 0.35),
        (Category.INFRASTRUCTURE, 0.2),
        (Category.PUBLIC_SERVICES, 0.1),
    ],
}
# The stage of the 2025 project by its village's status.
STAGES = {
    Status.NOT_STARTED: Stage.APPROVED,
    Status.PLANNED: Stage.APPROVED,
    Status.IN_PROGRESS: Stage.IN_PROGRESS,
    Status.COMPLETED: Stage.COMPLETED,
    Status.UNDER_REVIEW: Stage.COMPLETED,
    Status.ACCEPTED: Stage.ACCEPTED,
}
# Share of the plan spent by the end of the year, by stage: (low, high).
SPENT = {
    Stage.APPROVED: (0.0, 0.2),
    Stage.IN_PROGRESS: (0.3, 0.75),
    Stage.COMPLETED: (0.7, 0.95),
    Stage.ACCEPTED: (0.9, 1.0),
}
MONTHS = [4, 7, 10]  # the months the demo's counties recorded figures for


def wan(value):
    return Decimal(str(round(float(value), 1)))


def create_projects(seed=DEMO_YEAR):
    if Project.objects.filter(is_illustrative=True).exists():
        return []
    users = get_user_model().objects.in_bulk(field_name="username")
    admin = users.get("admin")
    villages = list(Village.objects.designated().filter(programme_year=DEMO_YEAR).select_related("township"))
    if admin is None or not villages:
        return []
    rng = np.random.default_rng(seed)
    pairings = {}
    for pairing in Pairing.objects.active_in(DEMO_YEAR):
        for code in (pairing.county_a_id, pairing.county_b_id):
            pairings.setdefault(code, pairing)
    items = []
    for village in villages:
        editor = users.get(editor_username(village.county_id))
        if editor is None:
            continue
        categories, weights = zip(*SHARES[Tier(village.tier)])
        category = categories[rng.choice(len(categories), p=np.array(weights) / sum(weights))]
        stage = STAGES[Status(village.status)]
        if stage == Stage.APPROVED and rng.random() < 0.3:
            stage = Stage.RESERVE
        items.append(make(village, DEMO_YEAR, category, stage, editor, admin, rng, pairings.get(village.county_id)))
        if rng.random() < 0.2:
            items.append(make(village, DEMO_YEAR - 1, Category.LIVING_ENVIRONMENT, Stage.ACCEPTED, editor, admin, rng))
        if village.tier == Tier.SHOWCASE:
            items.append(make(village, DEMO_YEAR + 1, Category.INDUSTRY, Stage.RESERVE, editor, admin, rng))
    workflow.create_demo(items)
    return [
        _("Created %(count)d illustrative projects with funds, performance targets and monthly figures.")
        % {"count": len(items)}
    ]


def make(village, year, category, stage, editor, admin, rng, pairing=None):
    """One project of workflow.create_demo, drawn from `rng`."""
    name, works, output, benefit = KINDS[category][int(rng.integers(len(KINDS[category])))]
    scale = float(rng.uniform(0.6, 1.6))
    done = stage in (Stage.COMPLETED, Stage.ACCEPTED)
    households = int(rng.integers(30, 200))
    results = {
        "households": households,
        "people": households * 3,
        "jobs": int(rng.integers(5, 40)),
        "collective_income": wan(rng.uniform(2, 15)),
    }
    project = Project(
        township=village.township,
        name=name.format(village=village.short_name),
        category=category,
        year=year,
        content=works.format(n=round(output[1] * scale)),
        implementer=f"{village.short_name}村民委员会",
        responsible_unit=f"{village.township.name}人民政府",
        start_month=date(year, 3, 1),
        end_month=date(year, 10, 1),
        benefit_mechanism="示意：村集体经营、收益按比例分配给脱贫户和监测户",
        is_illustrative=True,
        **(results if done else {}),
    )
    total = float(rng.uniform(80, 400)) * (1.5 if category == Category.INDUSTRY else 1)
    plans = {
        Source.CENTRAL: (wan(total * 0.45), None),
        Source.PROVINCIAL: (wan(total * 0.2), None),
        Source.CITY_COUNTY: (wan(total * 0.25), None),
    }
    if pairing is not None and rng.random() < 0.4:
        plans[Source.PAIRING] = (wan(total * 0.1), pairing)
    elif category == Category.INDUSTRY:
        plans[Source.SOCIAL] = (wan(total * 0.1), None)
    return {
        "project": project,
        "villages": [village],
        "editor": editor,
        "reviewer": admin,
        "stage": stage,
        "plans": plans,
        "indicators": [row for _pk, row in indicators(year, category, output, benefit, scale, done)],
        "series": {} if stage == Stage.RESERVE else record(year, plans, stage, rng),
    }


def indicators(year, category, output, benefit, scale, done):
    """The 绩效目标 rows; with `done`, their actual values too (recorded by the county with the targets: the demo
    writes them at once)."""
    rows = [
        {"level": Level.OUTPUT, "kind": Kind.QUANTITY, "name": output[0], "target_value": wan(output[1] * scale)},
        {"level": Level.OUTPUT, "kind": Kind.TIMELINESS, "name": "按期完工", "target_text": f"{year}年10月底前完工"},
        {
            "level": Level.BENEFIT,
            "kind": Kind.ECONOMIC if category == Category.INDUSTRY else Kind.SOCIAL,
            "name": benefit[0],
            "target_value": Decimal(benefit[1]),
            "unit": benefit[2],
        },
        {"level": Level.SATISFACTION, "kind": "", "name": "受益群众满意度", "target_value": Decimal(90), "unit": "%"},
    ]
    rows[0]["unit"] = output[2]
    if done:
        for row in rows:
            row.update({"actual_value": row["target_value"]} if "target_value" in row else {"actual_text": "已完成"})
    return [(None, row) for row in rows]


def record(year, plans, stage, rng):
    """{source: the cumulative figures over the demo's months}, rising to the share SPENT gives the stage."""
    low, high = SPENT[stage]
    figures = {}
    for source in sorted(plans):  # the funds' order on the page
        planned = plans[source][0]
        final = float(rng.uniform(low, high))
        series, allocated_before, spent_before = [], Decimal(0), Decimal(0)
        for index, month in enumerate(MONTHS, start=1):
            spent = max(spent_before, wan(float(planned) * final * index / len(MONTHS)))
            allocated = max(allocated_before, min(planned, wan(float(spent) * 1.15 + float(planned) * 0.05)))
            allocated = max(allocated, spent)
            series.append((date(year, month, 1), allocated, spent))
            allocated_before, spent_before = allocated, spent
        figures[source] = series
    return figures
