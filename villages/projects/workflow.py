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

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages.projects import access
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
    with transaction.atomic():
        claim(Project, saved, expected_version, current=project_values)
        for name, value in {**plan, **results}.items():
            setattr(saved, name, value)
        saved.updated_by = user
        write(saved, user, "edited")
        if changed_villages:
            saved.villages.set(villages)
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
        claim(Project, project, expected_version, current=project_values)
        old = project.stage
        project.stage = new_stage
        project.cancel_reason = reason.strip() if new_stage == Stage.CANCELLED else ""
        project.updated_by = user
        write(project, user, f"{old} → {new_stage}" + (f": {reason.strip()}" if reason.strip() else ""))
    return project


def save_funds(project, expected_version, user, plans):
    """The planned amount of each source: plans = {source: (amount or None, pairing or None)}; None (or 0 without
    figures) removes the source. A plan below what was already allocated is refused."""
    if not access.may_edit_plan(user, project):
        raise Refused(str(access.change_refusal_for(user, project) or access.ONLY_REVIEWERS))
    existing = {fund.source: fund for fund in project.funds.all()}
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
    if problems:
        raise Refused(" ".join(problems))
    with transaction.atomic():
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
    return project


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
            claim(ProjectFund, fund, expected_version, current=lambda obj: fund_values(obj, month))
            report = fund.reports.filter(month=month).first() or FundReport(fund=fund, month=month)
            report.allocated, report.spent, report.reason, report.recorded_by = allocated, spent, reason.strip(), user
            write(report, user, "figures" if report.pk is None else "figures corrected")
            latest = fund.reports.order_by("-month").first()
            fund.allocated, fund.spent, fund.reported_month = latest.allocated, latest.spent, latest.month
            write(fund, user, f"figures of {month:%Y-%m}")
    except IntegrityError:  # the month's row was written by someone else at the same moment
        raise EditConflict(current=fund_values(fund, month)) from None
    return report


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
