from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from counties.access import can_see_county
from counties.models import County
from villages.forms import UpdateFilterForm
from villages.models import ProgressUpdate, Status, Tier
from villages.progress import county_page
from villages.progress.targets import illustrative_quotas_among

UPDATES_PAGE_SIZE = 20


def visible_county(user, code):
    if not can_see_county(user, code):
        raise Http404
    return get_object_or_404(County.objects.only("code", "name"), code=code)


@login_required
def detail(request, code):
    county = visible_county(request.user, code)
    context = {
        "page": county_page.build(county, timezone.localdate()),
        "tiers": Tier.choices,
        "statuses": Status.choices,
        "illustrative_quotas": illustrative_quotas_among(county_id=code),
    }
    return render(request, "villages/county.html", context)


@login_required
def updates(request, code):
    """A county's progress updates with what their photos and phones say, filterable by 位置不符."""
    county = visible_county(request.user, code)
    form = UpdateFilterForm(request.GET)
    found = form.filter(ProgressUpdate.objects.filter(village__county_id=code).with_evidence())
    page = Paginator(found.order_by("-date", "-id"), UPDATES_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "county": county,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "distance_km": settings.EVIDENCE_MAX_DISTANCE_KM,
        "age_days": settings.EVIDENCE_MAX_AGE_DAYS,
    }
    return render(request, "villages/county_updates.html", context)
