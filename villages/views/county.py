from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from counties.access import can_see_county
from counties.models import County
from villages.models import Status, Tier
from villages.progress import county_page
from villages.progress.targets import illustrative_quotas_among


@login_required
def detail(request, code):
    if not can_see_county(request.user, code):
        raise Http404
    county = get_object_or_404(County.objects.only("code", "name"), code=code)
    context = {
        "page": county_page.build(county, timezone.localdate()),
        "tiers": Tier.choices,
        "statuses": Status.choices,
        "illustrative_quotas": illustrative_quotas_among(county_id=code),
    }
    return render(request, "villages/county.html", context)
