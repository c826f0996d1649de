"""Who may see and change which project, its funds and monthly figures, and who moves it through its stages. Built
on counties.access (whose docstring states the visibility rule) and villages.access: the project pages, templates,
the admin and the workflow ask these functions only.

- A project is seen by those who see its county's village records (another county's editor gets 404, as for its
  villages); viewers read.
- County editors create their counties' projects and change them while they are 储备; they record the monthly
  fund figures of projects in the pool and the results (indicators' actual values, 联农带农 figures) of projects
  under way or completed.
- 入库 (审定), 已验收, cancelling a project in the pool and changing its plan once it is in the pool are the
  reviewer's. The roles have no county reviewer, so the reviewer is an administrator whose scope holds the county
  (a city administrator of its city, a province administrator).
"""

from django.utils.translation import gettext_lazy as _

from counties.access import (
    READ_ONLY,
    AccessRefused,
    NotVisible,
    administers_county,
    can_change_county,
    can_see_county_villages,
    change_refusal,
    is_viewer,
    not_visible_reason,
    sees_every_county,
    village_counties,
    village_county_codes,
)
from counties.models import Township
from villages.models import Village
from villages.projects.models import Project, Stage

# Stages in which money moves: figures are recorded from 入库 on (also after 验收: final payments, 质保金).
FUNDED_STAGES = (Stage.APPROVED, Stage.IN_PROGRESS, Stage.COMPLETED, Stage.ACCEPTED)
RESULT_STAGES = (Stage.IN_PROGRESS, Stage.COMPLETED)
REVIEWED_PLAN_STAGES = (Stage.APPROVED, Stage.IN_PROGRESS)

NO_SUCH_PROJECT = _("There is no such project, or it belongs to a county whose records you do not see.")
ONLY_REVIEWERS = _("Only the reviewer of the county's projects (a city administrator) does this.")


def visible_projects(user, queryset=None):
    queryset = Project.objects.all() if queryset is None else queryset
    if sees_every_county(user):
        return queryset
    return queryset.filter(county_id__in=village_county_codes(user))


def project_counties(user):
    """The counties a user may pick in the project list's filter."""
    return village_counties(user)


def can_see_project(user, project):
    return can_see_county_villages(user, project.county_id)


def get_project_for_view(user, pk, queryset=None):
    project = (Project.objects.all() if queryset is None else queryset).filter(pk=pk).first()
    if project is None:
        raise NotVisible(NO_SUCH_PROJECT)
    if not can_see_project(user, project):
        raise NotVisible(not_visible_reason(user, project.county_id))
    return project


def can_create_project(user, county_code):
    return can_change_county(user, county_code)


def creatable_counties(user):
    """The counties whose projects the user may create."""
    return [county for county in village_counties(user) if can_create_project(user, county.code)]


def is_reviewer(user, project):
    """Whether the user reviews the county's projects (审定 into the pool, 验收)."""
    return administers_county(user, project.county_id)


def may_edit_plan(user, project):
    """The project's description, villages, funds planned and indicators' targets."""
    if project.stage == Stage.RESERVE:
        return can_change_county(user, project.county_id)
    return project.stage in REVIEWED_PLAN_STAGES and is_reviewer(user, project)


def may_record_figures(user, project):
    """The monthly figures of the project's funds."""
    return project.stage in FUNDED_STAGES and can_change_county(user, project.county_id)


def may_record_results(user, project):
    """Indicators' actual values and the 联农带农 figures."""
    return project.stage in RESULT_STAGES and can_change_county(user, project.county_id)


def may_change(user, project):
    """Whether any change of the project is open to the user."""
    return may_edit_plan(user, project) or may_record_figures(user, project) or may_record_results(user, project)


def change_refusal_for(user, project):
    """Why the user may not change the project (they may see it), or None when some change is open to them."""
    if may_change(user, project):
        return None
    reason = change_refusal(user, project.county_id)
    if reason:
        return reason
    if project.stage in REVIEWED_PLAN_STAGES:
        return ONLY_REVIEWERS
    return _("A project in this stage cannot be changed.")


def check_change(user, project, may):
    """AccessRefused with the reason unless may(user, project)."""
    if not may(user, project):
        raise AccessRefused(change_refusal_for(user, project) or ONLY_REVIEWERS)


def get_project_for_change(user, pk, may=may_change, queryset=None):
    """The project, 404 when the user does not see it, 403 when `may` refuses them."""
    project = get_project_for_view(user, pk, queryset)
    check_change(user, project, may)
    return project


# --- The pool as files (villages/projects/pool_views.py): import, export, 公示 ----------------------------------------


def can_import_projects(user):
    """City administrators and county editors import pools; each row only into a county whose projects they create."""
    return bool(creatable_counties(user))


def check_import_projects(user):
    if not can_import_projects(user):
        raise AccessRefused(
            READ_ONLY if is_viewer(user) else _("Only city administrators and county editors import project pools.")
        )


def can_see_county_projects(user, county_code):
    return can_see_county_villages(user, county_code)


def get_notice_place_for_view(user, code):
    """The village (12-digit code) or township (9 digits) whose 公示 the user asks for: 404 when it does not exist or
    its county's records are not the user's to see."""
    place = None
    if len(code) == 12:
        place = Village.objects.select_related("township").filter(code=code).first()
    elif len(code) == 9:
        place = Township.objects.filter(code=code).first()
    if place is None:
        raise NotVisible(_("There is no village or township with the code %(code)s.") % {"code": code})
    county = place.county_id
    if not can_see_county_villages(user, county):
        raise NotVisible(not_visible_reason(user, county))
    return place
