"""The project pages: the list of the user's scope, a project, its forms (description, funds, monthly figures,
indicators) and its stage moves. Who may do what is asked of villages/projects/access.py, every change is made by
villages/projects/workflow.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from counties.access import AccessRefused, change_refusal
from villages import access as village_access
from villages.models import Village
from villages.projects import access, pages, workflow
from villages.projects.forms import (
    FigureForm,
    FundsForm,
    IndicatorFormSet,
    MoveForm,
    ProjectFilterForm,
    ProjectForm,
    VersionForm,
)
from villages.projects.models import Project, Stage
from villages.projects.table_files import project_table
from villages.tabular import download


def conflict_message(request):
    messages.error(
        request,
        _(
            "Someone else saved this project while you were working on it, so your changes were NOT saved. The form "
            "now shows the current values."
        ),
    )


@login_required
def project_list(request):
    projects = access.visible_projects(request.user)
    form = ProjectFilterForm(request.user, request.GET or None)
    if form.is_bound and form.is_valid():
        projects = form.filter(projects)
    elif form.is_bound:
        projects = projects.none()
    if (response := download(request, [project_table(projects)], "projects")) is not None:
        return response
    counts = pages.stage_counts(projects)
    paginator = Paginator(pages.with_villages(projects), ProjectFilterForm.PAGE_SIZE)
    paginator.count = sum(counts.values())
    page = paginator.get_page(request.GET.get("page"))
    figures = pages.page_figures(page.object_list)
    for project in page.object_list:
        project.figures = figures[project.pk]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/list.html",
        {
            "form": form,
            "page": page,
            "total": paginator.count,
            "stage_counts": [(value, label, counts.get(value, 0)) for value, label in Stage.choices],
            "query": query.urlencode(),
            "may_import": access.can_import_projects(request.user),
        },
    )


@login_required
def project_detail(request, pk):
    project = access.get_project_for_view(
        request.user, pk, pages.with_villages(Project.objects.select_related("created_by", "updated_by"))
    )
    funds, totals = pages.fund_rows(project)
    user = request.user
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "funds": funds,
            "totals": totals,
            "monthly": pages.monthly_table(funds),
            "indicators": list(project.indicators.all()),
            "history": pages.history(project),
            "moves": [(stage, Stage(stage).label) for stage in workflow.allowed_moves(user, project)],
            "may_edit_plan": access.may_edit_plan(user, project),
            "may_record_figures": access.may_record_figures(user, project),
            "may_record_results": access.may_record_results(user, project),
        },
    )


@login_required
def project_create(request, code):
    village = village_access.get_village_for_view(request.user, code, Village.objects.with_places())
    if not access.can_create_project(request.user, village.county_id):
        raise AccessRefused(change_refusal(request.user, village.county_id))
    form = ProjectForm(request.user, village.township, request.POST or None, initial={"villages": [village.pk]})
    if request.method == "POST" and form.is_valid():
        try:
            project = workflow.create_project(
                request.user, village.township, list(form.cleaned_data["villages"]), **form.fields_changed()
            )
        except workflow.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The project was created (储备)."))
            return redirect(project)
    return render(request, "projects/form.html", {"form": form, "village": village, "project": None})


@login_required
def project_edit(request, pk):
    project = access.get_project_for_change(request.user, pk, queryset=pages.with_villages(Project.objects.all()))
    kwargs = {
        "may_plan": access.may_edit_plan(request.user, project),
        "may_results": access.may_record_results(request.user, project),
    }
    form = ProjectForm(request.user, project.township, request.POST or None, instance=project, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workflow.edit_project(
                project, data["version"] or 0, request.user, form.fields_changed(), list(data["villages"])
            )
        except workflow.EditConflict:
            conflict_message(request)
            project = Project.objects.get(pk=pk)
            form = ProjectForm(request.user, project.township, instance=project, **kwargs)
            return render(request, "projects/form.html", {"form": form, "project": project}, status=409)
        except workflow.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect(project)
    return render(request, "projects/form.html", {"form": form, "project": project})


@login_required
@require_POST
def project_move(request, pk):
    project = access.get_project_for_view(request.user, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete; nothing was done."))
        return redirect(project)
    stage = form.cleaned_data["stage"]
    if not workflow.may_move(request.user, project, stage):
        raise AccessRefused(workflow.move_refusal(request.user, project, stage))
    try:
        workflow.move(project, form.cleaned_data["version"], request.user, stage, form.cleaned_data["reason"])
    except workflow.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The project is now %(stage)s.") % {"stage": Stage(stage).label})
    return redirect(project)


@login_required
def project_funds(request, pk):
    project = access.get_project_for_change(request.user, pk, may=access.may_edit_plan)
    form = FundsForm(project, request.POST or None, initial={"version": project.version})
    if request.method == "POST" and form.is_valid():
        try:
            workflow.save_funds(project, form.cleaned_data["version"], request.user, form.plans())
        except workflow.EditConflict:
            conflict_message(request)
            project = Project.objects.get(pk=pk)
            form = FundsForm(project, initial={"version": project.version})
            return render(request, "projects/funds.html", {"form": form, "project": project}, status=409)
        except workflow.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The funds planned were saved."))
            return redirect(project)
    return render(request, "projects/funds.html", {"form": form, "project": project})


@login_required
def fund_figures(request, pk, fund_pk):
    project = access.get_project_for_change(request.user, pk, may=access.may_record_figures)
    fund = get_object_or_404(project.funds.select_related("project"), pk=fund_pk)
    form = FigureForm(fund, request.POST or None, initial={"version": fund.version})
    context = {"form": form, "project": project, "fund": fund, "reports": fund.reports.order_by("-month")}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workflow.record_figures(
                fund, data["version"], request.user, data["month"], data["allocated"], data["spent"], data["reason"]
            )
        except workflow.EditConflict as conflict:
            return figures_conflict(request, project, fund, data, conflict.current)
        except workflow.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, _("The figures of %(month)s were saved.") % {"month": data["month"].strftime("%Y-%m")}
            )
            return redirect(project)
    return render(request, "projects/figures.html", context)


def figures_conflict(request, project, fund, typed, current):
    """Someone recorded this fund first: show what is saved now, and what this user typed."""
    conflict_message(request)
    fund.refresh_from_db()
    initial = {"version": fund.version, "month": typed["month"]}
    if current.get("month_allocated") is not None:
        initial.update(allocated=current["month_allocated"], spent=current["month_spent"])
    form = FigureForm(fund, initial=initial)
    context = {
        "form": form,
        "project": project,
        "fund": fund,
        "reports": fund.reports.order_by("-month"),
        "current": current,
        "typed": typed,
    }
    return render(request, "projects/figures.html", context, status=409)


@login_required
def project_indicators(request, pk):
    project = access.get_project_for_change(request.user, pk)
    kwargs = {
        "may_plan": access.may_edit_plan(request.user, project),
        "may_results": access.may_record_results(request.user, project) or access.may_edit_plan(request.user, project),
    }
    version = VersionForm(request.POST or None, initial={"version": project.version})
    formset = IndicatorFormSet(request.POST or None, queryset=project.indicators.all(), **kwargs)
    if request.method == "POST" and formset.is_valid() and version.is_valid():
        kept, removed = formset.rows()
        try:
            workflow.save_indicators(project, version.cleaned_data["version"], request.user, kept, removed)
        except workflow.EditConflict:
            conflict_message(request)
            project = Project.objects.get(pk=pk)
            formset = IndicatorFormSet(queryset=project.indicators.all(), **kwargs)
            context = {"formset": formset, "project": project, **kwargs}
            return render(request, "projects/indicators.html", context, status=409)
        except workflow.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The performance targets were saved."))
            return redirect(project)
    return render(request, "projects/indicators.html", {"formset": formset, "project": project, **kwargs})


def village_section(request, village):
    """The village page's list of the village's projects (a page section, villages/extensions.py)."""
    projects = pages.village_projects(village)
    may_create = access.can_create_project(request.user, village.county_id) and village.withdrawn_at is None
    if not projects and not may_create:
        return None
    return {"village": village, "projects": projects, "may_create": may_create}
