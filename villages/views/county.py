from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from counties.access import NotVisible, can_see_county_villages
from counties.models import County
from villages.models import Status, Tier
from villages.progress import county_page
from villages.progress.targets import illustrative_quotas_among


@login_required
def detail(request, code):
    """A county's figures, open to every signed-in user; its village records only to those who may see them."""
    county = County.objects.only("code", "name").filter(code=code).first()
    if county is None:
        raise NotVisible(_("There is no county with the code %(code)s.") % {"code": code})
    records = can_see_county_villages(request.user, code)
    context = {
        "page": county_page.build(county, timezone.localdate(), with_village_records=records),
        "village_records": records,
        "tiers": Tier.choices,
        "statuses": Status.choices,
        "illustrative_quotas": illustrative_quotas_among(county_id=code),
    }
    return render(request, "villages/county.html", context)
