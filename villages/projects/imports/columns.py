"""The columns of a 项目库 sheet as county offices publish it, and the values they accept.

序号, 项目名称, 项目类别, 建设地点 (乡镇、村; or a 村代码 column, or 乡镇 and 村 columns), 建设内容及规模, 资金规模及来源
(one column per source under a merged heading, or a total and a 衔接资金 column), 受益对象/联农带农机制, 绩效目标,
实施期限 ("2025年3月-2025年10月"), 实施主体, 责任单位; optionally the latest monthly figures (截至月份, and per source
已拨付 and 已支出 under their merged headings). Shared by the import, the export and the 公示.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from villages.imports.columns import ValueProblem, normalize, parse_amount
from villages.imports.tables import Vocabulary
from villages.models import FIRST_PROGRAMME_YEAR, LAST_PROGRAMME_YEAR
from villages.projects.models import Category, Source, Stage


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # what the export writes
    aliases: tuple = ()


PLACE_COLUMNS = [
    Column("code", "村代码", ("行政区划代码", "村庄代码", "统计用区划代码", "区划代码", "村级代码")),
    Column("county", "县(市、区)", ("县区", "县(区)", "县市区", "县", "所属县区")),
    Column("township", "乡镇", ("乡镇(街道)", "乡(镇)", "乡镇街道", "所属乡镇")),
    Column("village", "村", ("村名", "行政村", "村庄", "村庄名称", "所属村", "实施村")),
    Column(
        "place",
        "建设地点",
        ("建设地点(乡镇、村)", "建设地点(乡镇村)", "项目地点", "实施地点", "项目建设地点", "建设地址", "地点"),
    ),
]
TEXT_COLUMNS = [
    Column("name", "项目名称", ("项目", "名称")),
    Column("category", "项目类别", ("项目类型", "类别", "类型", "项目性质")),
    Column("content", "建设内容及规模", ("建设内容", "建设规模及内容", "主要建设内容", "建设内容和规模", "建设规模")),
    Column(
        "benefit_mechanism",
        "受益对象/联农带农机制",
        ("受益对象", "联农带农机制", "联农带农", "利益联结机制", "受益对象及联农带农机制", "带农益农机制"),
    ),
    Column("performance_targets", "绩效目标", ("绩效目标(产出、效益、满意度)", "绩效指标", "预期绩效目标")),
    Column("period", "实施期限", ("建设期限", "实施周期", "起止时间", "建设周期", "实施时间", "计划实施期限")),
    Column("implementer", "实施主体", ("项目实施单位", "实施单位", "建设单位", "项目实施主体")),
    Column("responsible_unit", "责任单位", ("主管单位", "项目主管单位", "责任部门", "行业主管部门")),
    Column("year", "年度", ("项目年度", "年份", "计划年度")),
    Column("stage", "项目状态", ("状态", "项目阶段", "阶段")),
]
# 资金规模及来源: a total, the sources, and 衔接资金 where a file does not split it into central and provincial.
TOTAL = Column("total", "合计", ("资金规模", "总投资", "投资总额", "资金总额", "计划总投资", "项目总投资", "小计"))
SOURCE_ALIASES = {
    Source.CENTRAL: ("中央财政衔接资金", "中央衔接", "中央衔接推进乡村振兴补助资金", "中央资金"),
    Source.PROVINCIAL: ("省级财政衔接资金", "省级衔接", "省衔接资金", "省级资金"),
    Source.CITY_COUNTY: ("市县财政", "市县级财政资金", "市县资金", "市县财政衔接资金", "本级财政资金"),
    Source.PAIRING: ("结对帮扶", "帮扶资金", "对口帮扶资金"),
    Source.SOCIAL: ("社会资金", "企业投资", "社会投资"),
    Source.SELF_RAISED: ("群众自筹", "自筹资金", "村集体自筹", "村集体及群众自筹资金", "自筹"),
    Source.OTHER: ("其他资金", "其它", "其它资金"),
}
LINKAGE = Column("linkage", "衔接资金", ("财政衔接资金", "衔接推进乡村振兴补助资金", "其中:衔接资金", "其中衔接资金"))
FUNDS_HEADING = "资金规模及来源(万元)"
FIGURE_HEADINGS = {"allocated": "已拨付(万元)", "spent": "已支出(万元)"}
FIGURE_WORDS = {
    "allocated": ("已拨付", "拨付", "已拨付资金", "拨付资金"),
    "spent": ("已支出", "支出", "已支出资金", "支出资金"),
}
MONTH = Column("month", "截至月份", ("数据截至", "截至", "填报月份", "统计截至", "截止月份"))
IGNORED = ("序号", "编号", "排序", "no", "no.", "备注")
UNITS = ("", "(万元)")


def source_key(kind, source):
    return f"{kind}:{source}"


def source_of(key):
    """(kind, source) of a key such as "plan:中央衔接资金", else None."""
    kind, _colon, source = key.partition(":")
    return (kind, source) if source else None


def header_keys():
    keys = {}
    for column in PLACE_COLUMNS + TEXT_COLUMNS + [TOTAL, LINKAGE, MONTH]:
        for name in (column.header, *column.aliases):
            for unit in UNITS if column in (TOTAL, LINKAGE) else ("",):
                keys[normalize(name + unit)] = column.key
    for source in Source:
        for name in (source.value, *SOURCE_ALIASES.get(source, ())):
            if source != Source.LINKAGE:  # its column is LINKAGE's: a source of its own, or the sum of two
                for unit in UNITS:
                    keys[normalize(name + unit)] = source_key("plan", source.value)
            for kind, words in FIGURE_WORDS.items():
                for word in (*words, FIGURE_HEADINGS[kind]):
                    for joined in (word + name, name + word):
                        keys[normalize(joined)] = source_key(kind, source.value)
    return keys


def header_problems(seen):
    problems = []
    if "name" not in seen:
        problems.append(_("the header needs a 项目名称 column"))
    if not {"code", "place", "village"} & set(seen):
        problems.append(_("the header needs a 建设地点 column (乡镇、村), a 村代码 column or a 村 column"))
    return problems


COLUMNS = Vocabulary(
    header_keys(), IGNORED, header_problems, "项目名称, 项目类别, 建设地点, 建设内容及规模", joined_first=True
)


# --- Values ---------------------------------------------------------------------------------------------------------

CATEGORY_WORDS = {
    Category.INDUSTRY: ("产业发展", "产业", "产业项目", "产业发展类", "产业类"),
    Category.INFRASTRUCTURE: ("基础设施", "基础设施建设", "基础设施类", "乡村建设", "乡村建设行动"),
    Category.LIVING_ENVIRONMENT: ("人居环境", "人居环境整治", "农村人居环境整治", "人居环境类", "环境整治"),
    Category.PUBLIC_SERVICES: ("公共服务", "公共服务类", "基本公共服务"),
    Category.GOVERNANCE: ("乡村治理", "乡村治理类", "治理"),
    Category.OTHER: ("其他", "其它", "其他类"),
}
CATEGORIES = {normalize(word): category for category, words in CATEGORY_WORDS.items() for word in words}
STAGE_WORDS = {
    Stage.RESERVE: ("储备", "储备项目"),
    Stage.APPROVED: ("入库", "已入库", "审定", "已审定"),
    Stage.IN_PROGRESS: ("实施中", "在建", "建设中", "已开工"),
    Stage.COMPLETED: ("已完工", "完工", "已完成"),
    Stage.ACCEPTED: ("已验收", "验收"),
    Stage.CANCELLED: ("已取消", "取消"),
}
STAGES = {normalize(word): stage for stage, words in STAGE_WORDS.items() for word in words}
GROUP_HEADING = re.compile(r"^[一二三四五六七八九十]+[、.．]|^[(（][一二三四五六七八九十]+[)）]")


def parse_category(text):
    word = normalize(text)
    for suffix in ("项目", ""):
        if word.endswith(suffix) and (word[: len(word) - len(suffix)] if suffix else word) in CATEGORIES:
            return CATEGORIES[word[: len(word) - len(suffix)] if suffix else word]
    raise ValueProblem(
        _("%(value)s is not a project category; use %(choices)s")
        % {"value": text, "choices": "、".join(category.value for category in Category)}
    )


def category_of_heading(text):
    """The category a group heading row names (一、产业发展类项目), or None."""
    word = GROUP_HEADING.sub("", normalize(text))
    for suffix in ("项目", "类项目", ""):
        stem = word[: len(word) - len(suffix)] if suffix and word.endswith(suffix) else word
        if stem in CATEGORIES:
            return CATEGORIES[stem]
    return None


def parse_stage(text):
    try:
        return STAGES[normalize(text)]
    except KeyError:
        raise ValueProblem(
            _("%(value)s is not a project stage; use %(choices)s")
            % {"value": text, "choices": "、".join(words[0] for words in STAGE_WORDS.values())}
        ) from None


def parse_money(text):
    """万元, 0 or more, at most 2 decimals; a negative amount is told so."""
    if normalize(text).startswith("-") and normalize(text)[1:2].isdigit():
        raise ValueProblem(_("%(value)s is negative; an amount is 0 or more") % {"value": text})
    return parse_amount(text)


# 2025年3月, 2025.3, 2025-03, 2025/3, 202503; and a second month without its year (2025年3月-10月, 2025年3-10月).
MONTH_RE = r"(\d{4})(?:年|\.|-|/)?(\d{1,2})月?份?"
PERIOD_RE = re.compile(rf"^{MONTH_RE}(?:-|—|–|~|～|至|到)(?:(\d{{4}})(?:年|\.|-|/))?(\d{{1,2}})月?份?$")
ONE_MONTH_RE = re.compile(rf"^{MONTH_RE}$")


def checked_month(text, year, month):
    if not 1 <= month <= 12:
        raise ValueProblem(_("%(value)s: there is no month %(month)d") % {"value": text, "month": month})
    if not FIRST_PROGRAMME_YEAR <= year <= LAST_PROGRAMME_YEAR + 5:
        raise ValueProblem(_("%(value)s: %(year)d is out of range") % {"value": text, "year": year})
    return date(year, month, 1)


def parse_month(text):
    match = ONE_MONTH_RE.match(normalize(text).replace("－", "-"))
    if not match:
        raise ValueProblem(_("%(value)s is not a month; write it as 2025年6月") % {"value": text})
    return checked_month(text, int(match.group(1)), int(match.group(2)))


def parse_period(text):
    """(first month, last month) of 实施期限: 2025年3月-2025年10月, 2025年3月至10月, 2025.3-2025.10..."""
    value = normalize(text).replace("－", "-")
    match = PERIOD_RE.match(value)
    if not match:
        raise ValueProblem(_("%(value)s is not a period; write it as 2025年3月-2025年10月") % {"value": text})
    first_year, first_month, last_year, last_month = match.groups()
    start = checked_month(text, int(first_year), int(first_month))
    end = checked_month(text, int(last_year or first_year), int(last_month))
    if end < start:
        raise ValueProblem(_("%(value)s ends before it starts") % {"value": text})
    return start, end


def month_text(month):
    return f"{month.year}年{month.month}月"


def period_text(start, end):
    if start is None or end is None:
        return ""
    return f"{month_text(start)}-{month_text(end)}"


def money_text(amount):
    return "" if amount is None else f"{amount:.2f}"


ZERO = Decimal(0)
