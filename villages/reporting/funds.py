"""The money section of a period's figures (月报/通报): the project pool's funds (villages/projects) as they stood at
the end of the period, per county (or per city on the province's 通报), against the 序时进度 of that date.

The figures of each fund are the cumulative ones of its latest month up to the period's end (FundReport), so that a
通报 issued later says what was known for its period; the text is the 通报's (Chinese, as the document is).
"""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import translation

from counties.models import County
from villages.projects import money
from villages.projects.models import LINKAGE_SOURCES, Category, FundReport, Project, ProjectFund, Stage

SUM = {"output_field": DecimalField(max_digits=16, decimal_places=2)}


def figure_then(name, month):
    """The fund's cumulative `name` (spent, allocated) of its latest month up to `month`, 0 before any."""
    latest = FundReport.objects.filter(fund=OuterRef("pk"), month__lte=month).order_by("-month").values(name)[:1]
    return Coalesce(Subquery(latest), Value(money.ZERO), **SUM)


def number(value, places=2):
    return None if value is None else round(float(value), places)


def period_funds(period, city):
    """The money section of the period's figures for `city` (None: the province), or None when no project of the
    period's programme year is in the pool."""
    year, on = period.year, period.end
    month = on.replace(day=1)
    funds = ProjectFund.objects.filter(project__year=year).exclude(project__stage=Stage.CANCELLED)
    if city is not None:
        funds = funds.filter(project__county__city=city)
    rows = (
        funds.annotate(spent_then=figure_then("spent", month))
        .values("project__county_id")
        .annotate(
            planned_total=Sum("planned", **SUM),
            spent_total=Sum("spent_then", **SUM),
            linkage_total=Coalesce(Sum("planned", filter=Q(source__in=LINKAGE_SOURCES)), Value(money.ZERO), **SUM),
            industry_total=Coalesce(
                Sum("planned", filter=Q(source__in=LINKAGE_SOURCES, project__category=Category.INDUSTRY)),
                Value(money.ZERO),
                **SUM,
            ),
        )
    )
    per_county = {row["project__county_id"]: row for row in rows}
    if not per_county:
        return None
    unit_of = (lambda code: code) if city is not None else (lambda code: code[:4])
    counties = County.objects.filter(code__in=per_county)
    names = dict(
        counties.values_list("code", "name") if city is not None else counties.values_list("city_id", "city__name")
    )
    elapsed = money.elapsed_share(year, on)
    units, total = {}, {"planned": money.ZERO, "spent": money.ZERO, "linkage": money.ZERO, "industry": money.ZERO}
    for code, row in per_county.items():
        unit = units.setdefault(unit_of(code), dict.fromkeys(total, money.ZERO))
        for key in total:
            unit[key] += row[f"{key}_total"]
            total[key] += row[f"{key}_total"]
    ranked = sorted(
        (figures_of(code, names.get(code, code), unit, elapsed) for code, unit in units.items()),
        key=lambda row: (row["rate"] is None, -(row["rate"] or 0), row["code"]),
    )
    whole = figures_of(None, None, total, elapsed)
    illustrative = Project.objects.filter(year=year, is_illustrative=True)
    if city is not None:
        illustrative = illustrative.filter(county__city=city)
    result = {
        "year": year,
        "as_of": on.isoformat(),
        "elapsed": number(elapsed, 4),
        **{key: whole[key] for key in ("planned", "spent", "rate", "gap", "industry_share", "meets_industry_rule")},
        "rows": ranked,
        "illustrative": illustrative.exists(),
    }
    result["text"] = funds_text(
        result, "全市" if city is not None else "全省", "县（市、区）" if city is not None else "市"
    )
    return result


def figures_of(code, name, figures, elapsed):
    rate = money.spending_rate(figures["spent"], figures["planned"])
    gap = money.gap_points(rate, elapsed)
    share = money.industry_share(figures["industry"], figures["linkage"])
    return {
        "code": code,
        "name": name,
        "planned": number(figures["planned"]),
        "spent": number(figures["spent"]),
        "rate": number(rate, 4),
        "gap": number(money.rounded(gap), 1),
        "industry_share": number(share, 4),
        "meets_industry_rule": money.meets_industry_rule(share),
    }


def percent_text(fraction):
    return f"{fraction * 100:.2f}%"


def funds_text(funds, scope, unit_word):
    """The 通报's paragraph: "截至2025年10月底，全市项目计划投资…万元，已支出…万元，支出率42.02%，超序时进度8.68个百分点…"."""
    end = funds["as_of"]
    when = f"截至{end[:4]}年{int(end[5:7])}月底"
    if funds["rate"] is None:
        return f"{when}，{scope}{funds['year']}年项目库项目尚未安排资金。"
    with translation.override("zh-hans"):
        gap = money.gap_text(None if funds["gap"] is None else Decimal(str(funds["gap"])))
    text = (
        f"{when}，{scope}{funds['year']}年项目库项目计划投资{funds['planned']:.2f}万元，已支出{funds['spent']:.2f}万元，"
        f"支出率{percent_text(funds['rate'])}，{gap.replace(' ', '')}。"
    )
    if funds["industry_share"] is not None:
        verdict = "达到" if funds["meets_industry_rule"] else "未达到"
        text += f"衔接资金用于产业发展的比例为{percent_text(funds['industry_share'])}，{verdict}60%以上的要求。"
    ranked = [row for row in funds["rows"] if row["rate"] is not None]
    if len(ranked) > 1:
        text += f"支出率居前的是{'、'.join(row['name'] for row in ranked[:3])}"
        behind = [row["name"] for row in ranked if row["gap"] is not None and row["gap"] < 0]
        text += f"；落后序时进度的{unit_word}有{'、'.join(behind)}。" if behind else "；各单位均未落后序时进度。"
    return text
