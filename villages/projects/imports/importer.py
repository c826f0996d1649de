"""Import a 项目库 sheet: find every row's villages, read its values, check it against the pool, and write all of it
or nothing (through villages/projects/workflow.py).

A row is a project of one village, or of several villages of one township. It is the same project as one in the pool
when the programme year, the villages and the name (spaces and brackets aside) are the same: then the row updates it
(or leaves it unchanged); otherwise the row creates it, in 储备 unless the file's 项目状态 says otherwise (only the
reviewer, a city administrator, imports projects past 储备). Every problem of every row is reported at once, named by
sheet, row and column; a file with any problem writes nothing. 合计 and 小计 rows are never projects: their amounts are
compared with the projects' and any difference is a warning. The same file imported twice changes nothing.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from counties.models import Pairing
from villages.imports.columns import ValueProblem, normalize, parse_year, shortened
from villages.imports.reading import FileProblem
from villages.imports.results import Problem
from villages.imports.tables import read_tables
from villages.projects import access, workflow
from villages.projects.imports.columns import (
    COLUMNS,
    GROUP_HEADING,
    ZERO,
    category_of_heading,
    parse_category,
    parse_money,
    parse_month,
    parse_period,
    parse_stage,
    source_of,
)
from villages.projects.imports.places import PlaceProblem, Places
from villages.projects.models import Category, FundReport, Project, ProjectFund, Source, Stage

TEXT_FIELDS = ["name", "content", "implementer", "responsible_unit", "benefit_mechanism", "performance_targets"]
PLAN_FIELDS = ["name", "category", "content", "implementer", "responsible_unit", "benefit_mechanism",
               "performance_targets", "start_month", "end_month"]  # fmt: skip
SOURCES = list(Source.values)


def text_limit(name):
    return Project._meta.get_field(name).max_length or 2000


@dataclass
class PoolRow:
    sheet: str | None
    line: int
    key: tuple  # (year, village codes, name as compared)
    township: str
    villages: list  # village dicts of the registry
    values: dict  # PLAN_FIELDS given by the file, and "year"
    funds: dict | None  # {source: planned}, None when the file gives no amounts
    figures: dict  # {source: (allocated, spent)} at `month`
    month: object = None
    stage: str = Stage.RESERVE
    project: object = None  # the pool's project, or None: a new one
    pairings: dict = field(default_factory=dict)  # {source: pairing id} of 结对帮扶资金
    pairing_objects: dict = field(default_factory=dict)  # {source: Pairing}
    changes: list = field(default_factory=list)  # what the row changes in the pool: field names, "funds", "figures"

    @property
    def planned_total(self):
        return None if self.funds is None else sum(self.funds.values(), ZERO)

    @property
    def outcome(self):
        if self.project is None:
            return "created"
        return "updated" if self.changes else "unchanged"


@dataclass
class PoolImport:
    filename: str
    year: int
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    sheets: list = field(default_factory=list)
    skipped_sheets: list = field(default_factory=list)
    summary_rows: list = field(default_factory=list)  # (sheet, row, label)
    headings: list = field(default_factory=list)  # (sheet, row, text) of group headings read as no project
    encoding: str = ""
    encoding_detected: bool = False
    written: bool = False

    @property
    def ok(self):
        return not self.problems

    def count(self, outcome):
        return sum(row.outcome == outcome for row in self.rows)

    @property
    def created(self):
        return self.count("created")

    @property
    def updated(self):
        return self.count("updated")

    @property
    def unchanged(self):
        return self.count("unchanged")

    @property
    def planned_by_source(self):
        """{source: total planned} of the file's projects, sources in their order, those with an amount."""
        totals = defaultdict(Decimal)
        for row in self.rows:
            for source, amount in (row.funds or {}).items():
                totals[source] += amount
        return {source: totals[source] for source in SOURCES if source in totals}


class TableReader:
    """Reads the rows of one table (a sheet) into PoolRows, adding a Problem for anything wrong."""

    def __init__(self, table, result, places, user, year):
        self.table, self.result, self.places, self.user, self.year = table, result, places, user, year
        self.columns = {key: index for index, key in enumerate(table.keys) if key is not None}
        self.sources = {
            source_of(key): index for key, index in self.columns.items() if source_of(key) is not None
        }  # (kind, source) -> column
        self.category = None  # the category of the group heading above (一、产业发展类)

    def header(self, key):
        if isinstance(key, tuple):
            key = f"{key[0]}:{key[1]}"
        return self.table.headers[self.columns[key]]

    def problem(self, line, key, message):
        self.result.problems.append(Problem(line, self.header(key) if key else None, message, self.table.sheet))

    def header_problems(self):
        kinds = defaultdict(set)
        for kind, source in self.sources:
            kinds[kind].add(source)
        ok = True
        if (kinds["allocated"] or kinds["spent"]) and "month" not in self.columns:
            self.result.problems.append(
                Problem(
                    self.table.line,
                    None,
                    _(
                        "the file gives 已拨付 or 已支出 figures: it needs a 截至月份 column saying the month they are to"
                    ),
                    self.table.sheet,
                )
            )
            ok = False
        if kinds["allocated"] != kinds["spent"]:
            missing = sorted(kinds["allocated"] ^ kinds["spent"])
            self.result.problems.append(
                Problem(
                    self.table.line,
                    None,
                    _("已拨付 and 已支出 are given together for each source; not for %(sources)s")
                    % {"sources": "、".join(missing)},
                    self.table.sheet,
                )
            )
            ok = False
        return ok

    def cells(self, cells):
        return {key: cells[index] if index < len(cells) else "" for key, index in self.columns.items()}

    def read(self, line, cells):
        text = self.cells(cells)
        if not text.get("name"):
            filled = [cell for cell in cells if cell]
            if filled and len(set(filled)) <= 2 and (GROUP_HEADING.match(filled[0]) or category_of_heading(filled[0])):
                self.category = category_of_heading(filled[0])
                self.result.headings.append((self.table.sheet, line, filled[0]))
                return None
            self.problem(line, "name", _("the row has no project name"))
            return None
        ok = self.check_lengths(line, text)
        place = self.read_place(line, text)
        values = self.read_values(line, text)
        funds = self.read_funds(line, text)
        month, figures = self.read_figures(line, text, funds)
        if not ok or place is None or values is None or funds is False or figures is None:
            return None
        township, villages = place
        year = values.pop("year", self.year)
        stage = values.pop("stage", None)
        key = (year, tuple(sorted(v["code"] for v in villages)), normalize(values["name"]))
        return PoolRow(
            self.table.sheet, line, key, township, villages, values, funds, figures, month, stage or Stage.RESERVE
        ), stage is not None

    def check_lengths(self, line, text):
        ok = True
        for name in TEXT_FIELDS:
            if name in text and len(text[name]) > text_limit(name):
                self.problem(
                    line,
                    name,
                    _("%(value)s is longer than %(limit)d characters")
                    % {"value": shortened(text[name]), "limit": text_limit(name)},
                )
                ok = False
        return ok

    def read_place(self, line, text):
        places = self.places
        try:
            counties = places.counties_of(text["county"]) if text.get("county") else None
            if text.get("code"):
                villages = places.by_codes(text["code"])
                if counties is not None and villages[0]["county_id"] not in counties:
                    raise PlaceProblem(
                        "county",
                        _("village %(code)s is in %(actual)s, not %(given)s")
                        % {
                            "code": villages[0]["code"],
                            "actual": places.county_name(villages[0]["county_id"]),
                            "given": text["county"],
                        },
                    )
            elif text.get("village"):
                villages = places.by_names(text.get("township", ""), text["village"], counties)
            elif text.get("place"):
                villages = places.by_place(text["place"], counties)
            else:
                raise PlaceProblem(
                    "place" if "place" in self.columns else None, _("the row names no village (建设地点, 村 or 村代码)")
                )
        except PlaceProblem as problem:
            column, message = problem.args
            self.problem(line, column if column in self.columns else None, message)
            return None
        townships = {village["township_id"] for village in villages}
        if len(townships) > 1:
            self.problem(
                line,
                "code" if text.get("code") else ("village" if text.get("village") else "place"),
                _("a project's villages are of one township; these are of %(townships)s")
                % {"townships": "、".join(places.township_name(code) for code in sorted(townships))},
            )
            return None
        if len({v["code"] for v in villages}) != len(villages):
            self.problem(line, "code" if text.get("code") else "place", _("a village is named twice"))
            return None
        township = townships.pop()
        county = township[:6]
        if not access.can_create_project(self.user, county):
            self.problem(
                line,
                "code" if text.get("code") else ("village" if text.get("village") else "place"),
                _("%(village)s is in %(county)s: you may not change that county's projects")
                % {"village": villages[0]["name"], "county": places.county_name(county)},
            )
            return None
        return township, villages

    def read_values(self, line, text):
        values, ok = {}, True
        for name in TEXT_FIELDS:
            if name in text:
                values[name] = text[name]
        readers = {"category": parse_category, "period": parse_period, "year": parse_year, "stage": parse_stage}
        for key, parse in readers.items():
            if not text.get(key):
                continue
            try:
                values[key] = parse(text[key])
            except ValueProblem as problem:
                self.problem(line, key, str(problem))
                ok = False
        if "category" not in values and not text.get("category"):
            if self.category is None:
                self.problem(
                    line,
                    "category" if "category" in self.columns else None,
                    _("the row has no category (项目类别); use %(choices)s") % {"choices": "、".join(Category.values)},
                )
                ok = False
            else:
                values["category"] = self.category
        if "period" in values:
            values["start_month"], values["end_month"] = values.pop("period")
        elif "period" in self.columns:
            values["start_month"] = values["end_month"] = None
        return values if ok else None

    def amount(self, line, key, text):
        """The amount of a cell, None when empty, False with a problem when unreadable."""
        if not text:
            return None
        try:
            return parse_money(text)
        except ValueProblem as problem:
            self.problem(line, key, str(problem))
            return False

    def read_funds(self, line, text):
        """{source: planned} of the row (amounts above 0), None without amount columns, False with problems."""
        plans = {source: index for (kind, source), index in self.sources.items() if kind == "plan"}
        has_total, has_linkage = "total" in self.columns, "linkage" in self.columns
        if not plans and not has_total and not has_linkage:
            return None
        amounts, ok = {}, True
        for source in plans:
            value = self.amount(line, ("plan", source), text[f"plan:{source}"])
            ok = ok and value is not False
            if value:
                amounts[source] = value
        linkage = self.amount(line, "linkage", text.get("linkage", "")) if has_linkage else None
        total = self.amount(line, "total", text.get("total", "")) if has_total else None
        if False in (linkage, total) or not ok:
            return False
        split = {Source.CENTRAL, Source.PROVINCIAL} & set(amounts)
        if linkage is not None and split:  # 衔接资金 as the sum of the central and provincial columns (其中)
            given = sum((amounts[source] for source in split), ZERO)
            if given != linkage:
                self.problem(
                    line,
                    "linkage",
                    _("衔接资金 %(linkage)s is not the sum of %(sources)s (%(sum)s)")
                    % {"linkage": linkage, "sources": "、".join(sorted(split)), "sum": given},
                )
                return False
        elif linkage:
            amounts[Source.LINKAGE] = linkage
        given = sum(amounts.values(), ZERO)
        if total is not None and total != given:
            if total < given or plans or linkage is None:
                self.problem(
                    line,
                    "total",
                    _("%(header)s %(total)s is not the sum of the sources (%(sum)s)")
                    % {"header": self.header("total"), "total": total, "sum": given},
                )
                return False
            # A total and its 衔接资金 (the file splits no other source): the rest is of sources it does not name.
            amounts[Source.OTHER] = total - given
        return amounts

    def read_figures(self, line, text, funds):
        """(month, {source: (allocated, spent)}); (None, {}) without figures, (None, None) with problems."""
        pairs = {source for (kind, source) in self.sources if kind == "allocated"}
        if not pairs:
            return None, {}
        figures, ok = {}, True
        for source in sorted(pairs):
            allocated = self.amount(line, ("allocated", source), text[f"allocated:{source}"])
            spent = self.amount(line, ("spent", source), text[f"spent:{source}"])
            if False in (allocated, spent):
                ok = False
                continue
            if allocated is None and spent is None:
                continue
            if allocated is None or spent is None:
                self.problem(
                    line,
                    ("allocated", source) if allocated is None else ("spent", source),
                    _("give 已拨付 and 已支出 of %(source)s together") % {"source": source},
                )
                ok = False
                continue
            planned = (funds or {}).get(source, ZERO) if funds else ZERO
            if spent > planned:
                self.problem(
                    line,
                    ("spent", source),
                    _("已支出 %(spent)s is more than the %(planned)s planned from %(source)s")
                    % {"spent": spent, "planned": planned, "source": source},
                )
                ok = False
            elif allocated > planned:
                self.problem(
                    line,
                    ("allocated", source),
                    _("已拨付 %(allocated)s is more than the %(planned)s planned from %(source)s")
                    % {"allocated": allocated, "planned": planned, "source": source},
                )
                ok = False
            elif spent > allocated:
                self.problem(
                    line,
                    ("spent", source),
                    _("已支出 %(spent)s is more than the %(allocated)s allocated (已拨付)")
                    % {"spent": spent, "allocated": allocated},
                )
                ok = False
            else:
                figures[source] = (allocated, spent)
        month = None
        if figures:
            if not text.get("month"):
                self.problem(line, "month", _("the figures need the month they are to (截至月份)"))
                return None, None
            try:
                month = parse_month(text["month"])
            except ValueProblem as problem:
                self.problem(line, "month", str(problem))
                return None, None
        return (month, figures) if ok else (None, None)

    def check_summaries(self, rows):
        """Each 合计/总计 row against all the table's projects, each 小计 against those since the summary row above
        (or, right under another, down to the next): a difference is a warning; the row is never a project."""
        keys = [key for key in self.columns if key == "total" or key == "linkage" or source_of(key)]
        lines = sorted(self.table.summary_cells)
        for position, line in enumerate(lines):
            label = normalize(self.table.summary_rows[position][1])
            if label.rstrip(":：").endswith("小计"):
                above = lines[position - 1] if position else 0
                members = [row for row in rows if above < row[0] < line]
                if not members:
                    below = lines[position + 1] if position + 1 < len(lines) else float("inf")
                    members = [row for row in rows if line < row[0] < below]
            else:
                members = rows
            cells = self.table.summary_cells[line]
            for key in keys:
                index = self.columns[key]
                written = cells[index] if index < len(cells) else ""
                if not written:
                    continue
                try:
                    stated = parse_money(written)
                except ValueProblem:
                    self.result.warnings.append(
                        Problem(
                            line,
                            self.header(key),
                            _("%(value)s is not an amount") % {"value": written},
                            self.table.sheet,
                        )
                    )
                    continue
                total = ZERO
                for _line, cells_of in members:
                    value = cells_of[index] if index < len(cells_of) else ""
                    try:
                        total += parse_money(value) if value else ZERO
                    except ValueProblem:
                        break
                else:
                    if total != stated:
                        self.result.warnings.append(
                            Problem(
                                line,
                                self.header(key),
                                _("the summary row says %(stated)s but its %(count)d projects add up to %(total)s")
                                % {"stated": stated, "count": len(members), "total": total},
                                self.table.sheet,
                            )
                        )


def existing_projects(rows):
    """{key: [project]} of the pool's projects the file's rows may be: same year and county."""
    years = {row.key[0] for row in rows}
    counties = {row.township[:6] for row in rows}
    if not rows:
        return {}
    projects = {
        project.pk: project
        for project in Project.objects.filter(year__in=years, county_id__in=counties).iterator(chunk_size=5000)
    }
    villages = defaultdict(list)
    through = Project.villages.through
    for project_id, code in (
        through.objects.filter(project_id__in=projects)
        .values_list("project_id", "village__code")
        .iterator(chunk_size=20000)
    ):
        villages[project_id].append(code)
    funds = defaultdict(dict)
    for fund in ProjectFund.objects.filter(project_id__in=projects).iterator(chunk_size=20000):
        funds[fund.project_id][fund.source] = fund
    found = defaultdict(list)
    for pk, project in projects.items():
        project.pool_funds = funds[pk]
        found[(project.year, tuple(sorted(villages[pk])), normalize(project.name))].append(project)
    return found


def compare(row, result, user, readers, reports):
    """The row's changes to its project, with a Problem when the user may not make them."""
    project = row.project
    reader = readers[row.sheet]
    if project is None:
        if row.stage != Stage.RESERVE and not access.is_reviewer(user, Project(county_id=row.township[:6])):
            reader.problem(row.line, "stage", _("only the reviewer (a city administrator) imports projects past 储备"))
        elif row.figures and row.stage not in access.FUNDED_STAGES:
            reader.problem(
                row.line,
                None,
                _("a project in 储备 has no monthly figures: they are recorded from 入库 on"),
            )
        return
    for name, value in row.values.items():
        if getattr(project, name) != value:
            row.changes.append(name)
    funds = {source: fund.planned for source, fund in project.pool_funds.items()}
    if row.funds is not None and row.funds != funds:
        row.changes.append("funds")
    if row.changes and not access.may_edit_plan(user, project):
        reader.problem(row.line, None, str(access.change_refusal_for(user, project) or access.ONLY_REVIEWERS))
        return
    if row.stage != project.stage and readers[row.sheet].has_stage:
        reader.problem(
            row.line,
            "stage",
            _("the project is %(current)s in the pool; its stage changes on its page, not by an import")
            % {"current": Stage(project.stage).label},
        )
        return
    plan = row.funds if row.funds is not None else funds
    for source, fund in project.pool_funds.items():
        if plan.get(source, ZERO) < fund.allocated:
            reader.problem(
                row.line,
                ("plan", source) if ("plan", source) in reader.sources else None,
                _("%(source)s: %(allocated)s 万元 were already allocated; the plan cannot be lower")
                % {"source": source, "allocated": fund.allocated},
            )
            return
    changed_figures = False
    for source, (allocated, spent) in row.figures.items():
        fund = project.pool_funds.get(source)
        month_reports = reports.get(fund.pk, []) if fund else []
        same = next((r for r in month_reports if r.month == row.month), None)
        if same is not None and (same.allocated, same.spent) == (allocated, spent):
            continue
        changed_figures = True
        before = [r for r in month_reports if r.month < row.month]
        after = [r for r in month_reports if r.month > row.month]
        if (before and (allocated < before[-1].allocated or spent < before[-1].spent)) or (
            after and (allocated > after[0].allocated or spent > after[0].spent)
        ):
            reader.problem(
                row.line,
                ("spent", source),
                _(
                    "%(source)s: the figures are cumulative and would be lower than the month before (or higher "
                    "than the month after); correct them on the project's page, with the reason"
                )
                % {"source": source},
            )
            return
    if changed_figures:
        if not access.may_record_figures(user, project):
            reader.problem(
                row.line, "month", _("monthly figures are recorded for projects in the pool (入库) or later")
            )
            return
        row.changes.append("figures")


def find_pairing(row, reader, cache):
    """The pairing that gives a row's 结对帮扶资金: the project's own, else the one pairing of its county that year."""
    if Source.PAIRING not in (row.funds or {}):
        return True
    fund = row.project.pool_funds.get(Source.PAIRING) if row.project else None
    if fund is not None and fund.pairing_id:
        pairing = fund.pairing
    else:
        county, year = row.township[:6], row.key[0]
        if (county, year) not in cache:
            cache[county, year] = list(
                Pairing.objects.filter(Q(county_a_id=county) | Q(county_b_id=county), start_year__lte=year)
                .filter(Q(end_year__isnull=True) | Q(end_year__gte=year))
                .select_related("county_a", "county_b")
            )
        found = cache[county, year]
        if len(found) != 1:
            reader.problem(
                row.line,
                ("plan", Source.PAIRING),
                _("%(county)s has %(count)d pairings in %(year)d: enter its 结对帮扶资金 on the project's page")
                % {"county": reader.places.county_name(county), "count": len(found), "year": year},
            )
            return False
        pairing = found[0]
    row.pairings[Source.PAIRING] = pairing.pk
    row.pairing_objects[Source.PAIRING] = pairing
    return True


def analyse(tables, filename, user, year):
    result = PoolImport(
        filename=filename,
        year=year,
        sheets=[table.sheet for table in tables.tables if table.sheet is not None],
        skipped_sheets=tables.skipped_sheets,
        summary_rows=[(table.sheet, line, label) for table in tables.tables for line, label in table.summary_rows],
        encoding=tables.encoding,
        encoding_detected=tables.encoding_detected,
    )
    places = Places(county.code for county in access.creatable_counties(user))
    readers = {}
    seen = {}
    for table in tables.tables:
        reader = readers[table.sheet] = TableReader(table, result, places, user, year)
        reader.has_stage = "stage" in reader.columns
        if not reader.header_problems():
            continue
        for line, cells in table.rows:
            read = reader.read(line, cells)
            if read is None:
                continue
            row, _stage_given = read
            first = seen.setdefault(row.key, row)
            if first is not row:
                reader.problem(
                    line,
                    "name",
                    _("%(name)s of %(villages)s is already in %(where)s")
                    % {
                        "name": row.values["name"],
                        "villages": "、".join(v["name"] for v in row.villages),
                        "where": (_("row %(row)d") if first.sheet == row.sheet else _("%(sheet)s sheet, row %(row)d"))
                        % {"row": first.line, "sheet": first.sheet},
                    },
                )
                continue
            result.rows.append(row)
        reader.check_summaries(table.rows)
    if not any(table.rows for table in tables.tables):
        result.problems.append(Problem(None, None, _("The file has a header but no project rows.")))
    if result.problems:
        return sort(result, tables)
    pool = existing_projects(result.rows)
    fund_ids = [fund.pk for projects in pool.values() for p in projects for fund in p.pool_funds.values()]
    reports = defaultdict(list)
    if any(row.figures for row in result.rows):
        for report in FundReport.objects.filter(fund_id__in=fund_ids).order_by("month").iterator(chunk_size=20000):
            reports[report.fund_id].append(report)
    pairings = {}
    for row in result.rows:
        matches = pool.get(row.key, [])
        if len(matches) > 1:
            readers[row.sheet].problem(
                row.line,
                "name",
                _(
                    "the pool has %(count)d projects called %(name)s in these villages (%(ids)s); change them on their pages"
                )
                % {"count": len(matches), "name": row.values["name"], "ids": "、".join(f"#{p.pk}" for p in matches)},
            )
            continue
        row.project = matches[0] if matches else None
        if not find_pairing(row, readers[row.sheet], pairings):
            continue
        compare(row, result, user, readers, reports)
    return sort(result, tables)


def sort(result, tables):
    order = {table.sheet: index for index, table in enumerate(tables.tables)}
    result.problems.sort(key=lambda problem: (order.get(problem.sheet, 0), problem.line or 0))
    return result


def import_pool(content, filename, user, year, encoding=None, dry_run=False):
    """Check the file and, unless dry_run or anything is wrong, write it. Returns a PoolImport."""
    try:
        tables = read_tables(content, filename, encoding, COLUMNS)
    except FileProblem as problem:
        return PoolImport(filename=filename, year=year, problems=[Problem(None, None, str(problem))])
    result = analyse(tables, filename, user, year)
    if result.ok and not dry_run:
        try:
            workflow.write_import(result.rows, user, f"import {filename}")
            result.written = True
        except workflow.Refused as refusal:
            result.problems.append(Problem(None, None, str(refusal)))
    return result
