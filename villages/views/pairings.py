from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from counties.access import (
    can_add_pairing_activity,
    can_manage_pairing,
    can_manage_pairings,
    check_add_pairing_activity,
    check_manage_pairings,
    pairing_counties,
)
from counties.forms import PairingActivityForm, PairingForm
from counties.models import Pairing
from villages.progress import counts, county_page
from villages.progress.targets import illustrative_quotas_among

ACTIVITY_TOTALS = {
    "activity_count": Count("activities"),
    "funds_done": Sum("activities__funds"),
    "projects_done": Sum("activities__projects"),
    "people_done": Sum("activities__people"),
}


@login_required
def pairing_list(request):
    pairings = Pairing.objects.annotate(**ACTIVITY_TOTALS).with_counties()
    return render(
        request, "villages/pairings.html", {"pairings": pairings, "can_manage": can_manage_pairings(request.user)}
    )


@login_required
def pairing_detail(request, pk):
    pairing = get_object_or_404(Pairing.objects.with_counties(), pk=pk)
    today = timezone.localdate()
    year = counts.default_year(today)
    goal, sides = county_page.pairing_sides(pairing, year, today)
    totals = pairing.activities.aggregate(
        funds_done=Sum("funds"), projects_done=Sum("projects"), people_done=Sum("people")
    )
    context = {
        "pairing": pairing,
        "year": year,
        "goal": goal,
        "sides": sides,
        "totals": totals,
        "activities": pairing.activities.select_related("created_by"),
        "can_manage": can_manage_pairing(request.user, pairing),
        "can_add_activity": can_add_pairing_activity(request.user, pairing),
        "illustrative_quotas": illustrative_quotas_among(county_id__in=[pairing.county_a_id, pairing.county_b_id]),
    }
    return render(request, "villages/pairing.html", context)


def save_pairing(request, form):
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        form.add_error(
            None, _("These two counties already have a pairing of this type (saved by someone else just now).")
        )
        return None


@login_required
def pairing_create(request):
    check_manage_pairings(request.user)
    form = PairingForm(request.POST or None, counties=pairing_counties(request.user))
    if request.method == "POST" and form.is_valid() and (pairing := save_pairing(request, form)):
        messages.success(request, _("Pairing %(pairing)s created.") % {"pairing": pairing})
        return redirect("villages:pairing", pk=pairing.pk)
    return render(request, "villages/pairing_form.html", {"form": form, "pairing": None})


@login_required
def pairing_edit(request, pk):
    check_manage_pairings(request.user)
    pairing = get_object_or_404(Pairing, pk=pk)
    check_manage_pairings(request.user, pairing)
    form = PairingForm(request.POST or None, instance=pairing, counties=pairing_counties(request.user))
    if request.method == "POST" and form.is_valid() and save_pairing(request, form):
        messages.success(request, _("Pairing %(pairing)s saved.") % {"pairing": pairing})
        return redirect("villages:pairing", pk=pairing.pk)
    return render(request, "villages/pairing_form.html", {"form": form, "pairing": pairing})


@login_required
def activity_create(request, pk):
    pairing = get_object_or_404(Pairing.objects.with_counties(), pk=pk)
    check_add_pairing_activity(request.user, pairing)
    form = PairingActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        activity = form.save(commit=False)
        activity.pairing, activity.created_by = pairing, request.user
        activity.save()
        messages.success(request, _("Activity recorded."))
        return redirect("villages:pairing", pk=pairing.pk)
    return render(request, "villages/activity_form.html", {"form": form, "pairing": pairing})
