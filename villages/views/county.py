from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from counties.access import NotVisible, can_see_county_villages, check_see_county_villages
from counties.models import County
from counties.scope import site_place
from villages.extensions import render_sections
from villages.forms import UpdateFilterForm
from villages.models import ProgressUpdate, Status, Tier
from villages.progress import county_page, table_files
from villages.progress.targets import illustrative_quota_keys, illustrative_quotas_among
from villages.tabular import download

UPDATES_PAGE_SIZE = 20


def county_or_404(code):
    county = (
        County.objects.select_related("city").only("code", "name", "city__code", "city__name").filter(code=code).first()
    )
    if county is None:
        raise NotVisible(_("There is no county with the code %(code)s.") % {"code": code})
    return county


@login_required
def detail(request, code):
    """A county's figures, open to every signed-in user; its village records only to those who may see them."""
    county = county_or_404(code)
    records = can_see_county_villages(request.user, code)
    page = county_page.build(county, timezone.localdate(), with_village_records=records)
    tables = [
        table_files.year_table(page, illustrative_quota_keys(county_id=code)),
        table_files.status_table(
            "townships", _("Villages by township"), _("Township"), page.townships, page.township_total
        ),
        table_files.series_table("burnup", _("Accepted villages by month"), page.outlooks),
    ]
    response = download(request, tables, f"county-{code}-{timezone.localdate().isoformat()}")
    if response is not None:
        return response
    context = {
        "page": page,
        "village_records": records,
        "tiers": Tier.choices,
        "statuses": Status.choices,
        "illustrative_quotas": illustrative_quotas_among(county_id=code),
        "several_cities": not site_place()["is_city"],
    }
    context["sections"] = render_sections(
        "county", request, county=county, page=context["page"], village_records=records
    )
    return render(request, "villages/county.html", context)


@login_required
def updates(request, code):
    """A county's progress updates with what their photos and phones say, filterable by 位置不符."""
    county = county_or_404(code)
    check_see_county_villages(request.user, code)
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
