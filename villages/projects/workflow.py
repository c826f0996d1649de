"""The one place where a project's stage and version, and a fund's plan, monthly figures and version, change. The
project pages, the admin, imports and the demo call it; nothing else writes those fields
(tests/test_workflow_paths.py).

Every change asks, in this order: may the user do it (villages.projects.access); is the move one the lifecycle
allows; did anyone save the project (or the fund) since the copy the user worked from (its version: one
conditional UPDATE … WHERE version = X, so of two people who opened the same version only the first saves). Then it
writes, with a history record saying who and why. A refusal is an exception whose text tells the user what
happened; nothing is written.

The lifecycle: 储备 → 入库 (审定, the reviewer) → 实施中 → 已完工 → 已验收 (the reviewer), and 已取消 with a reason
(from 储备 by the county, from the pool or under way by the reviewer). The reviewer may send a project of the pool
back to 储备 (unfunded projects roll into the next year's pool).
"""

from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from villages.imports.writing import column_spec, row_maker, run_bulk
from villages.projects import access, totals
from villages.projects.models import FundReport, Level, PerformanceIndicator, Project, ProjectFund, Source, Stage

COUNTY, REVIEWER = "county", "reviewer"
MOVES = {
    (Stage.RESERVE, Stage.APPROVED): REVIEWER,
    (Stage.APPROVED, Stage.RESERVE): REVIEWER,
    (Stage.APPROVED, Stage.IN_PROGRESS): COUNTY,
    (Stage.IN_PROGRESS, Stage.COMPLETED): COUNTY,
    (Stage.COMPLETED, Stage.ACCEPTED): REVIEWER,
    (Stage.RESERVE, Stage.CANCELLED): COUNTY,
    (Stage.APPROVED, Stage.CANCELLED): REVIEWER,
    (Stage.IN_PROGRESS, Stage.CANCELLED): REVIEWER,
}
# What the plan of a project is made of: the fields the edit page changes (the stage only by moves).
PLAN_FIELDS = [
    "name",
    "category",
    "year",
    "content",
    "implementer",
    "responsible_unit",
    "start_month",
    "end_month",
    "benefit_mechanism",
    "performance_targets",
    "is_illustrative",
]
RESULT_FIELDS = ["households", "people", "jobs", "collective_income"]
INDICATOR_PLAN = ["level", "kind", "name", "target_value", "unit", "target_text", "position"]
INDICATOR_RESULT = ["actual_value", "actual_text"]
CHANGED_MEANWHILE = gettext_lazy("The project changed since you opened it; nothing was done. Check it again.")


class Refused(Exception):
    """The change is not possible as asked; the text says why. Nothing was written."""


class EditConflict(Refused):
    """Someone saved the project or fund after the copy this change was made from; `current` holds what is saved
    now."""

    def __init__(self, message="", current=None):
        super().__init__(message or str(CHANGED_MEANWHILE))
        self.current = current or {}


# --- Who may make which move ------------------------------------------------------------------------------------


def may_move(user, project, new_stage):
    who = MOVES.get((project.stage, new_stage))
    if who == REVIEWER:
        return access.is_reviewer(user, project)
    if who == COUNTY:
        return access.can_create_project(user, project.county_id)
    return False


def allowed_moves(user, project):
    """The stages the user may move the project to now, in lifecycle order (the page's buttons)."""
    return [stage for stage in Stage.values if may_move(user, project, stage)]


def move_refusal(user, project, new_stage, reason=""):
    """Why the move may not be made (None if it may)."""
    if (project.stage, new_stage) not in MOVES:
        return _("A project cannot go from %(old)s to %(new)s.") % {
            "old": Stage(project.stage).label,
            "new": Stage(new_stage).label,
        }
    if not may_move(user, project, new_stage):
        if MOVES[(project.stage, new_stage)] == REVIEWER:
            return str(access.ONLY_REVIEWERS)
        return access.change_refusal_for(user, project) or str(access.ONLY_REVIEWERS)
    if new_stage == Stage.CANCELLED:
        if not reason.strip():
            return _("Say why the project is cancelled.")
        if project.funds.filter(spent__gt=0).exists():
            return _(
                "Money was spent on this project: record the figures with the money returned (and why) before "
                "cancelling it."
            )
    if new_stage == Stage.COMPLETED:
        missing = project.indicators.filter(level=Level.OUTPUT, actual_value__isnull=True, actual_text="")
        names = list(missing.values_list("name", flat=True))
        if names:
            return _("Output indicators (产出指标) without an actual value: %(names)s.") % {"names": "、".join(names)}
    return None


# --- Writing ------------------------------------------------------------------------------------------------------


def claim(model, obj, expected_version, current=None):
    """Take the next version of obj, or EditConflict (with what is saved now) if someone saved it since."""
    if obj.version != expected_version or not model.objects.filter(pk=obj.pk, version=expected_version).update(
        version=F("version") + 1
    ):
        raise EditConflict(current=current(obj) if current else None)
    obj.version = expected_version + 1


def write(obj, user, reason):
    obj._change_reason = reason[:100]
    obj._history_user = user
    obj.save()


def check_villages(township, villages):
    """The villages of a project: one or more, current, all of the township."""
    if not villages:
        raise Refused(_("Name the project's village (or villages of one township)."))
    outside = [village.name for village in villages if village.township_id != township.pk]
    if outside:
        raise Refused(
            _("A project's villages are of one township (%(township)s); not: %(names)s.")
            % {"township": township.name, "names": "、".join(outside)}
        )
    withdrawn = [village.name for village in villages if village.withdrawn_at is not None]
    if withdrawn:
        raise Refused(_("Withdrawn villages (撤并) take no projects: %(names)s.") % {"names": "、".join(withdrawn)})


def create_project(user, township, villages, **fields):
    """A new project in 储备, of the villages (one, or several of the township)."""
    if not access.can_create_project(user, township.county_id):
        raise Refused(str(access.change_refusal_for(user, Project(county_id=township.county_id)) or ""))
    check_villages(township, villages)
    with transaction.atomic():
        project = Project(
            county_id=township.county_id,
            township=township,
            created_by=user,
            updated_by=user,
            **{name: value for name, value in fields.items() if name in PLAN_FIELDS + RESULT_FIELDS},
        )
        write(project, user, "created")
        project.villages.set(villages)
        totals.refresh_project(project)
    return project


def edit_project(project, expected_version, user, fields, villages=None):
    """Change the project's plan (PLAN_FIELDS, and its villages) and results (RESULT_FIELDS), each part only by those
    who may. Compared with the project as saved (a form's instance already holds what was typed)."""
    saved = Project.objects.get(pk=project.pk)
    plan = {name: value for name, value in fields.items() if name in PLAN_FIELDS}
    results = {name: value for name, value in fields.items() if name in RESULT_FIELDS}
    changed_plan = any(getattr(saved, name) != value for name, value in plan.items())
    changed_villages = villages is not None and {v.pk for v in villages} != set(
        saved.villages.values_list("pk", flat=True)
    )
    changed_results = any(getattr(saved, name) != value for name, value in results.items())
    if (changed_plan or changed_villages) and not access.may_edit_plan(user, saved):
        raise Refused(str(access.change_refusal_for(user, saved) or access.ONLY_REVIEWERS))
    if changed_results and not (access.may_record_results(user, saved) or access.may_edit_plan(user, saved)):
        raise Refused(_("The results (联农带农 figures) are recorded once the project is under way."))
    if changed_villages:
        check_villages(saved.township, villages)
    year_before = saved.year
    with transaction.atomic():
        totals.lock([saved.county_id])
        claim(Project, saved, expected_version, current=project_values)
        for name, value in {**plan, **results}.items():
            setattr(saved, name, value)
        saved.updated_by = user
        write(saved, user, "edited")
        if changed_villages:
            saved.villages.set(villages)
        totals.refresh_project(saved, year_before)
    project.refresh_from_db()
    return project


def project_values(project):
    saved = Project.objects.get(pk=project.pk)
    return {name: getattr(saved, name) for name in ["stage", "version", *PLAN_FIELDS, *RESULT_FIELDS]}


def move(project, expected_version, user, new_stage, reason=""):
    """Move the project to `new_stage` (with a reason for cancelling)."""
    refusal = move_refusal(user, project, new_stage, reason)
    if refusal:
        raise Refused(refusal)
    with transaction.atomic():
        totals.lock([project.county_id])
        claim(Project, project, expected_version, current=project_values)
        old = project.stage
        project.stage = new_stage
        project.cancel_reason = reason.strip() if new_stage == Stage.CANCELLED else ""
        project.updated_by = user
        write(project, user, f"{old} → {new_stage}" + (f": {reason.strip()}" if reason.strip() else ""))
        totals.refresh_project(project)
    return project


def save_funds(project, expected_version, user, plans):
    """The planned amount of each source: plans = {source: (amount or None, pairing or None)}; None (or 0 without
    figures) removes the source. A plan below what was already allocated is refused."""
    if not access.may_edit_plan(user, project):
        raise Refused(str(access.change_refusal_for(user, project) or access.ONLY_REVIEWERS))
    if problems := plan_problems(project, {fund.source: fund for fund in project.funds.all()}, plans):
        raise Refused(" ".join(problems))
    with transaction.atomic():
        totals.lock([project.county_id])
        # again under lock: figures recorded meanwhile are kept, and the plan is held to what they allocated
        existing = {fund.source: fund for fund in project.funds.select_for_update()}
        if problems := plan_problems(project, existing, plans):
            raise Refused(" ".join(problems))
        claim(Project, project, expected_version, current=project_values)
        for source, (amount, pairing) in plans.items():
            fund = existing.get(source)
            pairing = pairing if source == Source.PAIRING else None
            if not amount:
                if fund is not None:
                    fund.delete()
            elif fund is None:
                write(ProjectFund(project=project, source=source, planned=amount, pairing=pairing), user, "planned")
            elif (fund.planned, fund.pairing_id) != (amount, getattr(pairing, "pk", None)):
                fund.planned, fund.pairing = amount, pairing
                write(fund, user, "plan changed")
        project.updated_by = user
        write(project, user, "funds planned")
        totals.refresh_project(project)
    return project


def plan_problems(project, existing, plans):
    problems = []
    for source, (amount, pairing) in plans.items():
        label = Source(source).label
        fund = existing.get(source)
        if amount is not None and amount < 0:
            problems.append(_("%(source)s: an amount cannot be negative.") % {"source": label})
        if source == Source.PAIRING and amount and pairing is None:
            problems.append(_("%(source)s: name the pairing that gives them.") % {"source": label})
        if (
            source == Source.PAIRING
            and pairing is not None
            and project.county_id
            not in (
                pairing.county_a_id,
                pairing.county_b_id,
            )
        ):
            problems.append(_("%(source)s: the pairing does not involve the project's county.") % {"source": label})
        if fund is not None and (amount or Decimal(0)) < fund.allocated:
            problems.append(
                _("%(source)s: %(allocated)s 万元 were already allocated; the plan cannot be lower.")
                % {"source": label, "allocated": fund.allocated}
            )
        if fund is not None and not amount and fund.reports.exists():
            problems.append(
                _("%(source)s has monthly figures: set its plan to what was allocated, or keep it.") % {"source": label}
            )
    return problems


def fund_values(fund, month=None):
    """What is saved now for the fund (and the month's figures): what a refused second entry is shown."""
    saved = ProjectFund.objects.get(pk=fund.pk)
    values = {"version": saved.version, "allocated": saved.allocated, "spent": saved.spent}
    values["reported_month"] = saved.reported_month
    if month is not None:
        report = saved.reports.filter(month=month.replace(day=1)).first()
        values["month_allocated"] = report.allocated if report else None
        values["month_spent"] = report.spent if report else None
        values["month_recorded_by"] = str(report.recorded_by) if report and report.recorded_by else ""
    return values


def figure_problems(fund, month, allocated, spent, reason):
    """Why the month's cumulative figures cannot be recorded (a list, empty when they can)."""
    problems = []
    if allocated < 0 or spent < 0:
        problems.append(_("Figures cannot be negative."))
    if allocated > fund.planned:
        problems.append(
            _("Allocated (%(allocated)s 万元) exceeds the plan of %(planned)s 万元.")
            % {"allocated": allocated, "planned": fund.planned}
        )
    if spent > allocated:
        problems.append(
            _(
                "Spent (%(spent)s 万元) exceeds what was allocated (%(allocated)s 万元): money is spent from what was allocated."
            )
            % {"spent": spent, "allocated": allocated}
        )
    if not reason.strip():
        reports = fund.reports.all()
        before = reports.filter(month__lte=month).exclude(month=month).order_by("-month").first()
        same = reports.filter(month=month).first()
        after = reports.filter(month__gt=month).order_by("month").first()
        lower_than = [report for report in (before, same) if report is not None]
        if any(allocated < report.allocated or spent < report.spent for report in lower_than) or (
            after is not None and (allocated > after.allocated or spent > after.spent)
        ):
            problems.append(
                _(
                    "The figures are cumulative: a figure lower than the month before (or the month after lower than this one) needs a reason."
                )
            )
    return problems


def record_figures(fund, expected_version, user, month, allocated, spent, reason=""):
    """The cumulative figures of the fund at the end of `month`: a new month's, or a correction of a month's."""
    month = month.replace(day=1)
    project = fund.project
    if not access.may_record_figures(user, project):
        raise Refused(
            str(
                access.change_refusal_for(user, project)
                if not access.can_create_project(user, project.county_id)
                else _("Monthly figures are recorded for projects in the pool (入库) or later.")
            )
        )
    if month.year < project.year:
        raise Refused(_("The project's programme year is %(year)s: figures start then.") % {"year": project.year})
    problems = figure_problems(fund, month, allocated, spent, reason)
    if problems:
        raise Refused(" ".join(str(problem) for problem in problems))
    try:
        with transaction.atomic():
            totals.lock([project.county_id])
            claim(ProjectFund, fund, expected_version, current=lambda obj: fund_values(obj, month))
            report = fund.reports.filter(month=month).first() or FundReport(fund=fund, month=month)
            report.allocated, report.spent, report.reason, report.recorded_by = allocated, spent, reason.strip(), user
            write(report, user, "figures" if report.pk is None else "figures corrected")
            latest = fund.reports.order_by("-month").first()
            fund.allocated, fund.spent, fund.reported_month = latest.allocated, latest.spent, latest.month
            write(fund, user, f"figures of {month:%Y-%m}")
            totals.refresh_project(project)
    except IntegrityError:  # the month's row was written by someone else at the same moment
        raise EditConflict(current=fund_values(fund, month)) from None
    return report


def record_series(fund, expected_version, user, series):
    """Several months' cumulative figures of a fund at once, none recorded before for those months: series =
    [(month, allocated, spent)] in order of month, each within the plan, spent within allocated, none lower than the
    month before (a lower figure needs the page's reason). One version claim, one history record per month."""
    project = fund.project
    if not access.may_record_figures(user, project):
        raise Refused(_("Monthly figures are recorded for projects in the pool (入库) or later."))
    series = [(month.replace(day=1), allocated, spent) for month, allocated, spent in series]
    months = [month for month, _allocated, _spent in series]
    if months != sorted(set(months)) or fund.reports.filter(month__in=months).exists():
        raise Refused(_("The months of a series are new to the fund and given once each, in order."))
    previous = fund.reports.filter(month__lt=months[0]).order_by("-month").first() if months else None
    floor = (previous.allocated, previous.spent) if previous else (Decimal(0), Decimal(0))
    problems = []
    for month, allocated, spent in series:
        problems += figure_problems(fund, month, allocated, spent, "ordered series")
        if allocated < floor[0] or spent < floor[1]:
            problems.append(_("The figures are cumulative: a figure lower than the month before needs a reason."))
        floor = (allocated, spent)
    if problems:
        raise Refused(" ".join(str(problem) for problem in problems))
    with transaction.atomic():
        totals.lock([project.county_id])
        claim(ProjectFund, fund, expected_version, current=fund_values)
        reports = [
            FundReport(fund=fund, month=month, allocated=allocated, spent=spent, recorded_by=user)
            for month, allocated, spent in series
        ]
        bulk_create_with_history(reports, FundReport, default_user=user, default_change_reason="figures")
        latest = fund.reports.order_by("-month").first()
        fund.allocated, fund.spent, fund.reported_month = latest.allocated, latest.spent, latest.month
        write(fund, user, "figures")
        totals.refresh_project(project)
    return reports


def save_indicators(project, expected_version, user, rows, removed=()):
    """The 绩效目标 table: rows = [(indicator id, or None for a new one, {field: value})]; removed: ids of indicators
    to delete. Targets change with the plan; actual values by those who record results. Compared with the rows as
    saved (a form's instances already hold what was typed)."""
    may_plan = access.may_edit_plan(user, project)
    may_results = access.may_record_results(user, project) or may_plan
    saved = {indicator.pk: indicator for indicator in project.indicators.all()}
    unknown = [pk for pk, _values in rows if pk is not None and pk not in saved] + [
        pk for pk in removed if pk not in saved
    ]
    if unknown:
        raise Refused(
            _("An indicator of another project, or one deleted meanwhile, was in the form; nothing was saved.")
        )
    for pk, values in rows:
        old = saved[pk] if pk is not None else PerformanceIndicator()
        if any(getattr(old, name) != values[name] for name in INDICATOR_PLAN if name in values) and not may_plan:
            raise Refused(str(access.change_refusal_for(user, project) or access.ONLY_REVIEWERS))
        if any(getattr(old, name) != values[name] for name in INDICATOR_RESULT if name in values) and not may_results:
            raise Refused(_("Actual values are recorded once the project is under way."))
    if removed and not may_plan:
        raise Refused(str(access.change_refusal_for(user, project) or access.ONLY_REVIEWERS))
    with transaction.atomic():
        totals.lock([project.county_id])
        claim(Project, project, expected_version, current=project_values)
        for pk in removed:
            saved[pk].delete()
        for pk, values in rows:
            indicator = saved[pk] if pk is not None else PerformanceIndicator(project=project)
            values = {name: value for name, value in values.items() if name in INDICATOR_PLAN + INDICATOR_RESULT}
            if indicator.pk is None or any(getattr(indicator, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(indicator, name, value)
                write(indicator, user, "indicator")
        project.updated_by = user
        write(project, user, "indicators")
    return project


# --- Imports (villages/projects/imports) -----------------------------------------------------------------------


def next_ids(model, count, cursor):
    """`count` primary keys for new rows of `model`, taken from its sequence (PostgreSQL) or above every key it
    ever gave (SQLite's AUTOINCREMENT counter), so that rows written by COPY or executemany never reuse one."""
    table, column = model._meta.db_table, model._meta.pk.column
    if not count:
        return []
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
        )
        return [number for (number,) in cursor.fetchall()]
    quote = connection.ops.quote_name
    cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")
    highest = cursor.fetchone()[0]
    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
    given = cursor.fetchone()
    start = max(highest, given[0] if given else 0) + 1
    return list(range(start, start + count))


def insert_rows(cursor, model, rows):
    """rows: [{attname: value}] of every concrete field of `model`, written in one go (villages.imports.writing)."""
    fields = list(model._meta.concrete_fields)
    make = row_maker(fields)
    dates = [field.attname for field in fields if field.get_internal_type() == "DateField"]
    prepared = []
    for row in rows:
        for name in dates:
            if row[name] is not None:
                row[name] = connection.ops.adapt_datefield_value(row[name])
        prepared.append(make(row))
    run_bulk(cursor, model._meta.db_table, [column_spec(field) for field in fields], prepared)


def history_rows(model, rows, ids, user_id, now, reason):
    history = model.history.model
    names = {field.attname for field in history._meta.concrete_fields}
    fixed = {"history_date": now, "history_type": "+", "history_change_reason": reason, "history_user_id": user_id}
    return [
        {**{name: row[name] for name in names if name in row}, **fixed, "history_id": history_id}
        for row, history_id in zip(rows, ids)
    ]


IMPORT_CHUNK = 5000  # rows written at a time: the memory of the writing stays that of one chunk


def create_imported(rows, user, reason, cursor):
    """New projects of an import, in bulk: each with its villages, funds (and figures where the file gives them,
    projects of the pool imported by their reviewer) and one history record for each row written."""
    now = timezone.now()
    for start in range(0, len(rows), IMPORT_CHUNK):
        create_chunk(rows[start : start + IMPORT_CHUNK], user, reason, cursor, now)


def create_chunk(rows, user, reason, cursor, now):
    user_id = user.pk if user else None
    ids = next_ids(Project, len(rows), cursor)
    defaults = {field.attname: field.get_default() for field in Project._meta.concrete_fields}
    projects = []
    for row, pk in zip(rows, ids):
        projects.append(
            {
                **defaults,
                **{name: value for name, value in row.values.items() if name in PLAN_FIELDS},
                "id": pk,
                "county_id": row.township[:6],
                "township_id": row.township,
                "year": row.key[0],
                "stage": row.stage,
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "created_by_id": user_id,
                "updated_by_id": user_id,
            }
        )
    insert_rows(cursor, Project, [dict(project) for project in projects])
    history = Project.history.model
    history_ids = next_ids(history, len(rows), cursor)
    insert_rows(cursor, history, history_rows(Project, projects, history_ids, user_id, now, reason))
    through = Project.villages.through
    links = [{"project_id": pk, "village_id": village["id"]} for row, pk in zip(rows, ids) for village in row.villages]
    for link, link_id in zip(links, next_ids(through, len(links), cursor)):
        link["id"] = link_id
    insert_rows(cursor, through, [dict(link) for link in links])
    villages_history = history.villages.model  # simple_history's record of the villages at each version
    by_project = dict(zip(ids, history_ids))
    pk_name = villages_history._meta.pk.attname
    insert_rows(
        cursor,
        villages_history,
        [
            {**link, pk_name: m2m_id, "history_id": by_project[link["project_id"]]}
            for link, m2m_id in zip(links, next_ids(villages_history, len(links), cursor))
        ],
    )
    funds = []
    for row, pk in zip(rows, ids):
        for source, planned in (row.funds or {}).items():
            allocated, spent = row.figures.get(source, (0, 0))
            funds.append(
                {
                    "project_id": pk,
                    "source": source,
                    "pairing_id": row.pairings.get(source),
                    "planned": planned,
                    "allocated": allocated,
                    "spent": spent,
                    "reported_month": row.month if source in row.figures else None,
                    "version": 1,
                }
            )
    fund_ids = next_ids(ProjectFund, len(funds), cursor)
    for fund, pk in zip(funds, fund_ids):
        fund["id"] = pk
    insert_rows(cursor, ProjectFund, [dict(fund) for fund in funds])
    fund_history_ids = next_ids(ProjectFund.history.model, len(funds), cursor)
    insert_rows(
        cursor, ProjectFund.history.model, history_rows(ProjectFund, funds, fund_history_ids, user_id, now, reason)
    )
    reports = [
        FundReport(
            fund_id=fund["id"],
            month=fund["reported_month"],
            allocated=fund["allocated"],
            spent=fund["spent"],
            recorded_by_id=user_id,
        )
        for fund in funds
        if fund["reported_month"] is not None
    ]
    if reports:
        bulk_create_with_history(reports, FundReport, default_user=user, default_change_reason=reason)


def update_imported(row, user):
    """A project of the pool the import changes, through the page's own functions (access, version, history)."""
    project = row.project
    plan = {name: value for name, value in row.values.items() if name in PLAN_FIELDS}
    if set(row.changes) - {"funds", "figures"}:
        edit_project(project, project.version, user, plan)
    if "funds" in row.changes:
        sources = set(row.funds) | set(project.funds.values_list("source", flat=True))
        save_funds(
            project,
            project.version,
            user,
            {source: (row.funds.get(source), row.pairing_objects.get(source)) for source in sources},
        )
    for source, (allocated, spent) in row.figures.items():
        fund = project.funds.get(source=source)
        report = fund.reports.filter(month=row.month).first()
        if report is None or (report.allocated, report.spent) != (allocated, spent):
            record_figures(fund, fund.version, user, row.month, allocated, spent)


def write_import(rows, user, reason):
    """Write an import's rows (villages/projects/imports) in one transaction: new projects in bulk, changed ones one
    by one as their pages change them. A project changed since the import read it refuses the whole file
    (EditConflict); nothing is written."""
    with transaction.atomic(), connection.cursor() as cursor:
        totals.lock({row.township[:6] for row in rows})  # before any project: see totals.lock
        new = [row for row in rows if row.project is None]
        create_imported(new, user, reason, cursor)
        totals.refresh({row.township[:6] for row in new}, {row.key[0] for row in new})
        for row in rows:
            if row.project is not None and row.changes:
                update_imported(row, user)


# --- The demo (villages/projects/demo.py) ------------------------------------------------------------------------


def lifecycle_to(stage):
    """The moves from 储备 to `stage` along the lifecycle, with who makes each: [(old, new, COUNTY or REVIEWER)]."""
    path = [Stage.RESERVE, Stage.APPROVED, Stage.IN_PROGRESS, Stage.COMPLETED, Stage.ACCEPTED]
    steps = path[: path.index(stage) + 1]
    return [(old, new, MOVES[(old, new)]) for old, new in zip(steps, steps[1:])]


def demo_refusals(item):
    """What the page functions would refuse in a demo project (create_demo's item): its villages, funds, figures
    and the indicators a completed project needs."""
    project = item["project"]
    problems = []
    try:
        check_villages(project.township, item["villages"])
    except Refused as refused:
        problems.append(str(refused))
    for source, series in item["series"].items():
        fund = ProjectFund(planned=item["plans"][source][0])
        floor = (Decimal(0), Decimal(0))
        for month, allocated, spent in series:
            problems += figure_problems(fund, month, allocated, spent, "ordered series")
            if allocated < floor[0] or spent < floor[1] or month.year < project.year:
                problems.append("figures lower than the month before, or before the programme year")
            floor = (allocated, spent)
    if item["series"] and item["stage"] == Stage.RESERVE:
        problems.append("figures of a project in 储备")
    done = item["stage"] in (Stage.COMPLETED, Stage.ACCEPTED)
    outputs = [row for row in item["indicators"] if row["level"] == Level.OUTPUT]
    if done and any(row.get("actual_value") is None and not row.get("actual_text") for row in outputs):
        problems.append("a completed project's output indicator without an actual value")
    return [str(problem) for problem in problems]


def create_demo(items, now=None):
    """The demo's illustrative projects in a few statements: the rows and history records the page functions write
    one project at a time (create_project, save_funds, save_indicators, move along the lifecycle, record_series),
    after the same checks. items: [{"project": an unsaved Project with its plan (is_illustrative), "villages",
    "editor", "reviewer", "stage": the stage it reaches, "plans": {source: (amount, pairing)}, "indicators":
    [{field: value}], "series": {source: [(month, allocated, spent)]}}]."""
    if not items:
        return []
    now = now or timezone.now()
    for item in items:
        problems = demo_refusals(item)
        if problems:
            raise Refused(f"{item['project'].name}: {' '.join(problems)}")
    moves = [lifecycle_to(item["stage"]) for item in items]
    with transaction.atomic():
        projects = []
        for item, path in zip(items, moves):
            project = item["project"]
            project.county_id = project.township.county_id
            project.start_month, project.end_month = (
                project.start_month.replace(day=1),
                project.end_month.replace(day=1),
            )
            project.stage, project.cancel_reason, project.version = item["stage"], "", 3 + len(path)
            project.created_by = item["editor"]
            project.updated_by = item["reviewer"] if path and path[-1][2] == REVIEWER else item["editor"]
            projects.append(project)
        Project.objects.bulk_create(projects)
        links = Project.villages.through.objects.bulk_create(
            [
                Project.villages.through(project_id=item["project"].pk, village_id=village.pk)
                for item in items
                for village in item["villages"]
            ]
        )
        links_of = {}
        for link in links:
            links_of.setdefault(link.project_id, []).append(link)
        villages_history = Project.history.model.villages.model  # simple_history's villages of each record
        villages_history.objects.bulk_create(
            [
                villages_history(
                    id=link.pk, history_id=record.pk, project_id=link.project_id, village_id=link.village_id
                )
                for record in demo_project_history(items, moves, now)
                for link in links_of[record.id]
            ]
        )
        funds, reports, fund_history = [], [], []
        fund_records = ProjectFund.history.model
        for item in items:
            for source, (amount, pairing) in item["plans"].items():
                series = item["series"].get(source, [])
                fund = ProjectFund(
                    project=item["project"],
                    source=source,
                    planned=amount,
                    pairing=pairing if source == Source.PAIRING else None,
                    version=2 if series else 1,
                )
                fund_history.append(demo_record(fund_records, fund, "+", item["editor"], "planned", now))
                if series:
                    fund.reported_month, fund.allocated, fund.spent = series[-1]
                    fund.reported_month = fund.reported_month.replace(day=1)
                    fund_history.append(demo_record(fund_records, fund, "~", item["editor"], "figures", now))
                funds.append(fund)
                reports += [
                    FundReport(
                        fund=fund,
                        month=month.replace(day=1),
                        allocated=allocated,
                        spent=spent,
                        recorded_by=item["editor"],
                    )
                    for month, allocated, spent in series
                ]
        ProjectFund.objects.bulk_create(funds)
        for record in fund_history:
            record.id = record.of.pk
        ProjectFund.history.model.objects.bulk_create(fund_history)
        FundReport.objects.bulk_create(reports)
        for report in reports:
            report._history_user = report.recorded_by  # who wrote each record, as record_series does
        FundReport.history.bulk_history_create(reports, default_date=now, default_change_reason="figures")
        indicators = []
        for item in items:
            for row in item["indicators"]:
                indicators.append(PerformanceIndicator(project=item["project"], **row))
                indicators[-1]._history_user = item["editor"]
        PerformanceIndicator.objects.bulk_create(indicators)
        PerformanceIndicator.history.bulk_history_create(
            indicators, default_date=now, default_change_reason="indicator"
        )
        totals.refresh({project.county_id for project in projects}, {project.year for project in projects})
    return projects


def demo_record(history, obj, kind, user, reason, now):
    """A record of `history` (a model's historical model: `Model.history` makes a manager class at each use) of
    `obj` as it is now (its pk set later for rows not yet written)."""
    record = history(
        history_date=now,
        history_type=kind,
        history_user=user,
        history_change_reason=reason,
        **{field.attname: getattr(obj, field.attname) for field in history.tracked_fields},
    )
    record.of = obj
    return record


def demo_project_history(items, moves, now):
    """The project's records: created, funds planned, indicators, then one per move, each with its villages."""
    records, history = [], Project.history.model
    for item, path in zip(items, moves):
        project = item["project"]
        final = project.stage, project.updated_by
        project.stage, project.updated_by = Stage.RESERVE, item["editor"]
        records += [
            demo_record(history, project, kind, item["editor"], reason, now)
            for kind, reason in (("+", "created"), ("~", "funds planned"), ("~", "indicators"))
        ]
        for old, new, who in path:
            project.stage = new
            project.updated_by = item["reviewer"] if who == REVIEWER else item["editor"]
            records.append(demo_record(history, project, "~", project.updated_by, f"{old} → {new}", now))
        project.stage, project.updated_by = final
    return history.objects.bulk_create(records)
