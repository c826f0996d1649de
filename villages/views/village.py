"""The county staff's pages: the village list, a village's page, editing, progress updates and the city's review."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from counties.access import is_county_editor
from counties.boundaries import county_places
from counties.geo import point_inside_county
from villages import access, offline, sync, workflow
from villages.extensions import render_sections, review_required
from villages.forms import ProgressUpdateForm, ReturnForm, VersionForm, VillageFilterForm, VillageForm, WithdrawForm
from villages.history import village_histories, village_history
from villages.imports import export
from villages.maps.minimap import minimap
from villages.models import LocationSource, Photo, Status, Village

PAGE_SIZE = 50


@login_required
def village_list(request):
    villages = access.visible_villages(request.user, Village.objects.with_places().select_related("updated_by"))
    form = VillageFilterForm(request.user, request.GET)
    villages = form.filter(villages) if form.is_valid() else villages.none()
    if request.GET.get("format"):
        return village_file(request, form, villages)
    counts = dict(villages.order_by().values_list("status").annotate(n=Count("id")))
    paginator = Paginator(villages, form.PAGE_SIZE)
    paginator.count = sum(counts.values())  # the status counts are of the same villages: no second COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    file_query = query.copy()
    file_query.pop("format", None)
    return render(
        request,
        "villages/village_list.html",
        {
            "form": form,
            "page": page,
            "total": page.paginator.count,
            "status_counts": [(label, counts.get(value, 0)) for value, label in Status.choices],
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "file_query": file_query.urlencode(),
            "sort": request.GET.get("sort", "code"),
            "this_year": form.this_year(),
            "can_see_withdrawn": access.can_see_withdrawn_villages(request.user),
            "county_names": [name for _code, name in form.counties] if is_county_editor(request.user) else [],
        },
    )


def village_file(request, form, villages):
    """The list as filtered, as the admin's village export writes it (the import's columns, the location's source
    saying where a point is illustrative), for whoever sees the list: `villages` holds only what they see."""
    file_format = request.GET["format"]
    problems = [f"{form[name].label}: {error}" for name, errors in form.errors.items() for error in errors]
    if file_format not in export.FORMATS:
        problems.append(_("format must be csv or xlsx, not “%(value)s”.") % {"value": file_format})
    if problems:
        return HttpResponse("\n".join(problems), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(export.export_bytes(villages, file_format), content_type=export.CONTENT_TYPES[file_format])
    filename = f"villages-{timezone.localdate():%Y%m%d}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def village_detail(request, code):
    queryset = Village.all_objects.with_places().select_related("updated_by", "withdrawn_by")
    village = access.get_village_for_view(request.user, code, queryset, offline.village_finder(request))
    updates = village.updates.with_evidence()
    can_accept = workflow.can_accept(request.user, village)
    place = county_places([village.county_id]).get(village.county_id) if village.has_location else None
    return render(
        request,
        "villages/village_detail.html",
        {
            "village": village,
            "updates": updates,
            "history": history_of(request, village),
            "minimap": minimap(place, village.lat, village.lon) if place else None,
            "can_change": access.can_change_village(request.user, village),
            "read_only": access.read_only_reason(request.user, village),
            "can_accept": can_accept,
            "evidence": village.updates.aggregate(updates=Count("id", distinct=True), photos=Count("photos"))
            if can_accept
            else None,
            "can_return": workflow.can_return(request.user, village),
            "can_withdraw": access.can_withdraw_village(request.user, village),
            "can_reinstate": access.can_reinstate_village(request.user, village),
            "can_take_location": access.can_take_location(request.user, village),
            "version_form": VersionForm(initial={"version": village.version}),
            "return_form": ReturnForm(initial={"version": village.version}),
            "withdraw_form": WithdrawForm(initial={"version": village.version}),
            "top_sections": render_sections("village_top", request, village=village),
            "sections": render_sections("village", request, village=village),
        },
    )


def history_of(request, village):
    histories = offline.part_read(request, "history", village_histories)
    return village_history(village) if histories is None else histories.get(village.pk, [])


@login_required
def village_edit(request, code):
    village = access.get_village_for_change(request.user, code, Village.objects.with_places())
    form = VillageForm(request.user, request.POST or None, instance=village)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.edit(village, request.user, form.cleaned_data["version"], form.changes())
        except workflow.EditConflict:
            return edit_conflict(request, code, form)
        except workflow.Refused as refusal:
            messages.error(request, str(refusal))
            return redirect(village)
        messages.success(request, _("Your changes to %(village)s were saved.") % {"village": village.short_name})
        return redirect(village)
    return render(request, "villages/village_edit.html", {"village": village, "form": form})


def edit_conflict(request, code, stale_form):
    """Someone saved first: show the current values, and what this user typed so it is not lost."""
    current = Village.objects.with_places().get(code=code)
    messages.error(
        request,
        _(
            "Someone else saved this village while you were editing it, so your changes were NOT saved. The form now shows the current values; your entries are listed below it."
        ),
    )
    mine = [
        (stale_form[name].label, typed_value(stale_form, name)) for name in stale_form.changed_data if name != "version"
    ]
    form = VillageForm(request.user, instance=current)
    return render(
        request, "villages/village_edit.html", {"village": current, "form": form, "unsaved": mine}, status=409
    )


def typed_value(form, name):
    value = form.cleaned_data.get(name, form.data.get(name, ""))
    choices = getattr(form.fields[name], "choices", None)
    return str(dict(choices).get(value, value)) if choices else value


@login_required
def update_new(request, code):
    """The update form. With JavaScript, the phone queues the update and sends it to views.sync instead."""
    village = access.get_village_for_change(
        request.user, code, Village.objects.with_places(), offline.village_finder(request)
    )
    form = ProgressUpdateForm(request.user, village, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            update = workflow.add_update(village, request.user, form.report())
        except workflow.StatusConflict as conflict:
            form.add_error(conflict.field, str(conflict))
            form.data = form.data.copy()  # the form now starts from the village as it is
            form.data.update(seen_status=conflict.current["status"], seen_version=conflict.current["version"])
        else:
            messages.success(request, sync.recorded_message(update.photos.count()))
            return redirect(village)
    context = {"village": village, "form": form, "phone_max_side": settings.PHOTO_PHONE_MAX_SIDE}
    return render(request, "villages/update_form.html", context)


def accept_village(village, form, user):
    workflow.accept(village, user, form.cleaned_data["version"])
    return _("%(village)s is accepted (验收通过).") % {"village": village.short_name}


def return_village(village, form, user):
    workflow.return_to_county(village, user, form.cleaned_data["version"], form.cleaned_data["reason"])
    return _("%(village)s was returned to the county.") % {"village": village.short_name}


def withdraw_village(village, form, user):
    workflow.withdraw(village, user, form.cleaned_data["version"], form.cleaned_data["reason"])
    return _(
        "%(village)s is withdrawn (撤并): it has left the lists and counts, and keeps its updates, photos and history."
    ) % {"village": village.short_name}


def reinstate_village(village, form, user):
    workflow.reinstate(village, user, form.cleaned_data["version"])
    return _("%(village)s is reinstated with its updates, photos and history.") % {"village": village.short_name}


@dataclass(frozen=True)
class Review:
    """One of the city's decisions on a village: accept, return, withdraw, reinstate."""

    allowed: Callable
    form: type
    apply: Callable
    refused: str
    incomplete: str = ""


REVIEWS = {
    "accept": Review(
        workflow.can_accept,
        VersionForm,
        accept_village,
        gettext_lazy("Only a completed village can be accepted."),
    ),
    "return": Review(
        workflow.can_return,
        ReturnForm,
        return_village,
        gettext_lazy("Only a completed village can be returned to the county."),
        gettext_lazy("Write the reason for returning the village; the county will see it."),
    ),
    "withdraw": Review(
        access.can_withdraw_village,
        WithdrawForm,
        withdraw_village,
        gettext_lazy("This village is already withdrawn."),
        gettext_lazy("Write the reason for withdrawing the village (e.g. which village it was merged into)."),
    ),
    "reinstate": Review(
        access.can_reinstate_village,
        VersionForm,
        reinstate_village,
        gettext_lazy("Only a withdrawn village can be reinstated."),
    ),
}


@login_required
@require_POST
def review(request, code, action):
    village = access.get_village_for_review(request.user, code)
    decision = REVIEWS[action]
    if not decision.allowed(request.user, village):
        messages.error(
            request, workflow.REVIEW_NEEDED if action == "accept" and review_required(village) else decision.refused
        )
        return redirect(village)
    form = decision.form(request.POST)
    if not form.is_valid():
        messages.error(request, workflow.CHANGED_MEANWHILE if "version" in form.errors else decision.incomplete)
        return redirect(village)
    try:
        messages.success(request, decision.apply(village, form, request.user))
    except workflow.Refused as refusal:
        messages.error(request, str(refusal))
    return redirect(village)


def position_from(village, source, pk):
    """(lat, lon) of a photo of the village, or of the phone that sent one of its updates; 404 if it has none."""
    if source == LocationSource.PHOTO:
        found = Photo.objects.filter(pk=pk, update__village=village, taken_lat__isnull=False)
        point = found.values_list("taken_lat", "taken_lon").first()
    else:
        found = village.updates.filter(pk=pk, device_lat__isnull=False)
        point = found.values_list("device_lat", "device_lon").first()
    if point is None:
        raise Http404
    return point


@login_required
def take_location(request, code, source, pk):
    """A village without a location takes a photo's or the phone's position, after one confirmation."""
    village = access.get_village_for_change(request.user, code, Village.objects.with_places())
    lat, lon = position_from(village, source, pk)
    if not access.can_take_location(request.user, village):
        messages.error(request, _("This village already has a location; change it on the edit page."))
        return redirect(village)
    inside = point_inside_county(lon, lat, village.county_id)
    form = VersionForm(request.POST or None, initial={"version": village.version})
    if request.method == "POST" and inside and form.is_valid():
        try:
            workflow.take_location(village, request.user, form.cleaned_data["version"], lat, lon, source)
        except workflow.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                _("The village's location is now %(lat).5f, %(lon).5f (%(source)s).")
                % {"lat": lat, "lon": lon, "source": LocationSource(source).label},
            )
        return redirect(village)
    context = {"village": village, "lat": lat, "lon": lon, "source": LocationSource(source), "inside": inside}
    return render(request, "villages/take_location.html", {**context, "form": form})


@login_required
def withdrawn_villages(request):
    access.check_see_withdrawn_villages(request.user)
    villages = (
        access.visible_villages(request.user, Village.all_objects.withdrawn().with_places())
        .select_related("withdrawn_by")
        .order_by("-withdrawn_at", "code")
    )
    return render(request, "villages/withdrawn_villages.html", {"villages": villages})
