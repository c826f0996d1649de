"""The county staff's pages: the village list, a village's page, editing, progress updates and the city's review."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from counties.access import is_county_editor
from counties.boundaries import county_places
from counties.geo import point_inside_county
from villages import access, sync, workflow
from villages.acceptance.workflow import needs_review
from villages.extensions import render_sections
from villages.forms import ProgressUpdateForm, ReturnForm, VersionForm, VillageFilterForm, VillageForm, WithdrawForm
from villages.history import village_history
from villages.maps.minimap import minimap
from villages.models import LocationSource, Photo, Status, Village
from villages.views.acceptance import acceptance_context

PAGE_SIZE = 50


@login_required
def village_list(request):
    villages = access.visible_villages(request.user, Village.objects.with_places())
    form = VillageFilterForm(request.user, request.GET or None)
    if form.is_bound and form.is_valid():
        villages = form.filter(villages)
    elif form.is_bound:
        villages = villages.none()
    counts = dict(villages.order_by().values_list("status").annotate(n=Count("id")))
    paginator = Paginator(villages, form.PAGE_SIZE)
    paginator.count = sum(counts.values())  # the status counts are of the same villages: no second COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
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
            "sort": request.GET.get("sort", "code"),
            "can_see_withdrawn": access.can_see_withdrawn_villages(request.user),
            "county_names": [name for _code, name in form.counties] if is_county_editor(request.user) else [],
        },
    )


@login_required
def village_detail(request, code):
    village = access.get_village_for_view(
        request.user, code, Village.all_objects.with_places().select_related("updated_by", "withdrawn_by")
    )
    updates = village.updates.with_evidence()
    place = county_places([village.county_id]).get(village.county_id) if village.has_location else None
    return render(
        request,
        "villages/village_detail.html",
        {
            "village": village,
            "updates": updates,
            "history": village_history(village),
            "minimap": minimap(place, village.lat, village.lon) if place else None,
            "can_change": access.can_change_village(request.user, village),
            "can_accept": access.can_accept_village(request.user, village),
            "can_return": access.can_return_village(request.user, village),
            "can_withdraw": access.can_withdraw_village(request.user, village),
            "can_reinstate": access.can_reinstate_village(request.user, village),
            "can_take_location": access.can_take_location(request.user, village),
            "version_form": VersionForm(initial={"version": village.version}),
            "return_form": ReturnForm(initial={"version": village.version}),
            "withdraw_form": WithdrawForm(initial={"version": village.version}),
            **acceptance_context(request.user, village),
            "sections": render_sections("village", request, village=village),
        },
    )


@login_required
def village_edit(request, code):
    village = access.get_village_for_change(request.user, code, Village.objects.with_places())
    form = VillageForm(request.user, request.POST or None, instance=village)
    if request.method == "POST" and form.is_valid():
        form.apply_location()
        try:
            workflow.save_checked(form.instance, form.cleaned_data["version"], request.user)
        except workflow.EditConflict:
            return edit_conflict(request, code, form)
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
    village = access.get_village_for_change(request.user, code, Village.objects.with_places())
    form = ProgressUpdateForm(request.user, village, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        may_move = partial(access.allowed_edit_move, request.user, village)
        try:
            update = workflow.add_progress_update(village, request.user, form.report(), may_move)
        except workflow.StatusConflict as conflict:
            form.add_error("status", str(conflict))
        else:
            messages.success(request, sync.recorded_message(update.photos.count()))
            return redirect(village)
    context = {"village": village, "form": form, "phone_max_side": settings.PHOTO_PHONE_MAX_SIDE}
    return render(request, "villages/update_form.html", context)


def accept_village(village, form, user):
    workflow.accept(village, form.cleaned_data["version"], user)
    return _("%(village)s is accepted (验收通过).") % {"village": village.short_name}


def return_village(village, form, user):
    workflow.return_to_county(village, form.cleaned_data["version"], user, form.cleaned_data["reason"])
    return _("%(village)s was returned to the county.") % {"village": village.short_name}


def withdraw_village(village, form, user):
    workflow.withdraw(village, form.cleaned_data["version"], user, form.cleaned_data["reason"])
    return _(
        "%(village)s is withdrawn (撤并): it has left the lists and counts, and keeps its updates, photos and history."
    ) % {"village": village.short_name}


def reinstate_village(village, form, user):
    workflow.reinstate(village, form.cleaned_data["version"], user)
    return _("%(village)s is reinstated with its updates, photos and history.") % {"village": village.short_name}


@dataclass(frozen=True)
class Review:
    """One of the city's decisions on a village: accept, return, withdraw, reinstate."""

    allowed: Callable
    form: type
    apply: Callable
    refused: str
    incomplete: str = ""


REVIEW_NEEDED = gettext_lazy(
    "This village's tier and year have an acceptance standard: it is accepted only through a passed review (复核)."
)
CHANGED_MEANWHILE = gettext_lazy("The village changed since you opened it; nothing was done. Check it again.")
REVIEWS = {
    "accept": Review(
        access.can_accept_village,
        VersionForm,
        accept_village,
        gettext_lazy("Only a completed village can be accepted."),
    ),
    "return": Review(
        access.can_return_village,
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
        messages.error(request, REVIEW_NEEDED if action == "accept" and needs_review(village) else decision.refused)
        return redirect(village)
    form = decision.form(request.POST)
    if not form.is_valid():
        messages.error(request, CHANGED_MEANWHILE if "version" in form.errors else decision.incomplete)
        return redirect(village)
    try:
        messages.success(request, decision.apply(village, form, request.user))
    except workflow.EditConflict:
        messages.error(request, CHANGED_MEANWHILE)
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
        village.lat, village.lon, village.location_source = lat, lon, source
        try:
            workflow.save_checked(village, form.cleaned_data["version"], request.user)
        except workflow.EditConflict:
            messages.error(request, CHANGED_MEANWHILE)
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
