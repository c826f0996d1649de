"""A standard (评分细则) read from the spreadsheet the city writes, through the village import's reader.

The shape: an optional title row, then a header (first or second row) with 考核内容, 序号, 考核要点, 分值 and
optionally 评分标准, 佐证资料, 一票否决; categories in merged cells spanning their rows; a 合计 row at the end
(anything below it, such as notes, is left out). A decisive row (一票否决) of 0 points, or a row named 否决项 in
its 考核内容 or 序号 with 0 points or none, is a condition: found met or not met, it counts 0 toward the total. Every problem is named by
row and column, and nothing is written when there is any.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from villages.acceptance.models import Standard, StandardItem
from villages.acceptance.scoring import STEP, format_points
from villages.imports.columns import normalize
from villages.imports.reading import FileProblem, read_sheets
from villages.imports.results import Problem
from villages.models import Tier

HEADERS = {
    "category": ("考核内容", "考核项目", "考核类别", "评价内容", "类别", "项目"),
    "number": ("序号", "编号", "项次"),
    "point": ("考核要点", "考核指标", "评价要点", "具体内容", "考核标准"),
    "points": ("分值", "分数", "标准分", "满分", "赋分"),
    "guidance": ("评分标准", "评分细则", "评分办法", "计分方法", "扣分标准"),
    "evidence_expected": ("佐证资料", "佐证材料", "证明材料", "备查资料", "验收资料"),
    "decisive": ("一票否决", "否决项", "是否一票否决", "一票否决项"),
}
REQUIRED = ["category", "number", "point", "points"]
HEADER_NAMES = {normalize(name): key for key, names in HEADERS.items() for name in names}
HEADER_SEARCH_ROWS = 3
TOTAL_WORDS = {"合计", "总计", "总分", "合计分"}
YES = {"是", "√", "✓", "✔", "y", "yes", "1", "一票否决", "否决"}
NO = {"", "否", "×", "n", "no", "0", "-", "—", "/"}
VETO = "否决"


def header_key(text):
    text = re.sub(r"\(.*\)$", "", normalize(text))  # 分值（分） → 分值
    return HEADER_NAMES.get(text)


@dataclass
class StandardFile:
    title: str = ""
    items: list = field(default_factory=list)  # StandardItem, not saved
    problems: list = field(default_factory=list)

    @property
    def total(self):
        return sum((item.points for item in self.items), Decimal(0))


def find_header(sheets):
    """(sheet, header row number, header cells, {key: column index}, title) of the first sheet with a header near
    its top."""
    for sheet in sheets:
        if getattr(sheet, "hidden", False):
            continue
        title = ""
        for number, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
            keys = [header_key(cell) if cell else None for cell in cells]
            if sum(key is not None for key in set(keys)) >= 2:
                columns = {}
                for index, key in enumerate(keys):
                    columns.setdefault(key, index)
                columns.pop(None, None)
                return sheet, number, cells, columns, title
            title = title or next((cell for cell in cells if cell), "")
    raise FileProblem(
        _(
            "No header row found in the first %(count)d rows: a standard needs the columns 考核内容, 序号, 考核要点 and 分值."
        )
        % {"count": HEADER_SEARCH_ROWS}
    )


def parse_points(text, condition=False, named_condition=False):
    """The points of a row. A decisive row may have 0 (a condition, 否决项); one that names itself 否决项 may also
    leave the cell empty or struck through."""
    if named_condition and normalize(text) in NO:
        return Decimal(0)
    try:
        points = Decimal(normalize(text).removesuffix("分"))
    except InvalidOperation:
        raise ValueError(_("%(value)s is not a number of points") % {"value": text}) from None
    if condition and points == 0:
        return points
    if points == 0:
        raise ValueError(_("0 points: only a condition (否决项, 一票否决) may have no points"))
    if not points.is_finite() or points < 0 or points >= 10000:
        raise ValueError(_("%(value)s is not a number of points above 0") % {"value": text})
    if points % STEP:
        raise ValueError(_("%(value)s is not a multiple of 0.5") % {"value": text})
    return points


def parse_decisive(text):
    value = normalize(text)
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(_("%(value)s is not 是 or 否") % {"value": text})


def read_standard(content, filename):
    """The items of the standard in the file, and every problem (FileProblem for a file that cannot be read)."""
    sheet, header_row, header_cells, columns, title = find_header(read_sheets(content, filename))
    result = StandardFile(title=title)
    header_text = {key: header_cells[index] for key, index in columns.items()}

    sheet_name = None if sheet.encoding else sheet.name  # a CSV has no sheets to name

    def problem(row, key, message):
        result.problems.append(Problem(row, header_text.get(key), message, sheet=sheet_name))

    missing = [HEADERS[key][0] for key in REQUIRED if key not in columns]
    if missing:
        problem(header_row, None, _("the header has no %(columns)s column") % {"columns": "、".join(missing)})
        return result

    numbers, total_row = {}, None
    for row, cells in sheet.rows:
        if row <= header_row or not any(cells) or cells == header_cells:
            continue
        value = {key: (cells[index] if index < len(cells) else "").strip() for key, index in columns.items()}
        if {normalize(value[key]) for key in ("category", "number", "point")} & TOTAL_WORDS:
            total_row = (row, value["points"])
            break
        item = read_item(row, value, problem)
        number = value["number"]
        if number and number in numbers:
            problem(
                row,
                "number",
                _("序号 %(number)s is already used in row %(row)d") % {"number": number, "row": numbers[number]},
            )
        numbers.setdefault(number, row)
        if item is not None:
            item.position = len(result.items)
            result.items.append(item)
    check_total(result, total_row, problem)
    return result


def is_condition_row(value):
    """A row that names itself a 否决项 in its 考核内容 or 序号, whatever its 一票否决 column says."""
    return any(VETO in value[key] for key in ("category", "number"))


def read_item(row, value, problem):
    ok = True
    points = decisive = None
    try:
        decisive = parse_decisive(value.get("decisive", "")) or is_condition_row(value)
    except ValueError as error:
        problem(row, "decisive", str(error))
        ok = False
    named_condition = is_condition_row(value)
    for key in REQUIRED:
        if not value[key] and not (key == "points" and named_condition):
            problem(row, key, _("%(column)s is empty") % {"column": HEADERS[key][0]})
            ok = False
    if value["points"] or named_condition:
        try:
            points = parse_points(value["points"], bool(decisive), named_condition)
        except ValueError as error:
            problem(row, "points", str(error))
            ok = False
    limits = {name: StandardItem._meta.get_field(name).max_length for name in ("category", "number")}
    for key, limit in limits.items():
        if len(value[key]) > limit:
            problem(row, key, _("longer than %(limit)d characters") % {"limit": limit})
            ok = False
    if not ok:
        return None
    return StandardItem(
        category=value["category"],
        number=value["number"],
        point=value["point"],
        points=points,
        guidance=value.get("guidance", ""),
        evidence_expected=value.get("evidence_expected", ""),
        decisive=decisive,
    )


def check_total(result, total_row, problem):
    if not result.items and not result.problems:
        result.problems.append(Problem(None, None, _("The file has no items.")))
    if total_row is None or not total_row[1] or result.problems:
        return
    row, text = total_row
    try:
        stated = Decimal(normalize(text).removesuffix("分"))
    except InvalidOperation:
        problem(row, "points", _("the 合计 %(value)s is not a number") % {"value": text})
        return
    if stated != result.total:
        problem(
            row,
            "points",
            _("the 合计 is %(stated)s but the items add up to %(total)s")
            % {"stated": text, "total": format_points(result.total)},
        )


@dataclass
class ImportOutcome:
    standard: Standard | None
    items: int
    total: Decimal
    problems: list

    @property
    def ok(self):
        return not self.problems

    def summary(self):
        return _(
            "Imported %(name)s, version %(version)d: %(items)d items, %(total)s points in all, pass score %(pass)s."
        ) % {
            "name": self.standard.name,
            "version": self.standard.version,
            "items": self.items,
            "total": format_points(self.total),
            "pass": format_points(self.standard.pass_score),
        }


def import_standard(content, filename, tier, year, pass_score, user, name=""):
    """A new version of the standard for tier and year, from the file; nothing is written on any problem."""
    try:
        read = read_standard(content, filename)
    except FileProblem as error:
        return ImportOutcome(None, 0, Decimal(0), [Problem(None, None, str(error))])
    problems = list(read.problems)
    if tier not in (Tier.SHOWCASE, Tier.UPGRADED):
        problems.append(Problem(None, None, _("%(tier)s is not a tier: showcase or upgraded") % {"tier": tier}))
    if not read.problems and pass_score > read.total:
        problems.append(
            Problem(
                None,
                None,
                _("The pass score %(pass)s is above the total of the items, %(total)s.")
                % {"pass": format_points(pass_score), "total": format_points(read.total)},
            )
        )
    if pass_score < 0 or pass_score % STEP:
        problems.append(Problem(None, None, _("The pass score must be 0 or more, in steps of 0.5.")))
    if problems:
        return ImportOutcome(None, len(read.items), read.total, problems)
    with transaction.atomic():
        latest = Standard.objects.filter(tier=tier, year=year).aggregate(v=Max("version"))["v"] or 0
        standard = Standard(
            tier=tier,
            year=year,
            version=latest + 1,
            name=(name or read.title or default_name(tier, year))[:200],
            pass_score=pass_score,
            created_by=user,
        )
        standard._history_user = user
        standard.save()
        for item in read.items:
            item.standard = standard
            item._history_user = user
            item.save()
    return ImportOutcome(standard, len(read.items), read.total, [])


def default_name(tier, year):
    return _("%(year)d %(tier)s acceptance standard") % {"year": year, "tier": Tier(tier).label}
