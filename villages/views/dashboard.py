from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from counties.access import NotVisible
from counties.models import City, County
from villages.extensions import render_sections
from villages.forms import DashboardFilterForm
from villages.imports.export import XLSX_CONTENT_TYPE
from villages.models import Status, Tier
from villages.progress import dashboard, table_files
from villages.progress.ledger import dashboard_workbook
from villages.progress.tables import tier_and_status_table
from villages.tabular import download

COLUMNS = [
    ("county", _("County")),  # the row's unit: a county, or a city on the province's dashboard
    ("quota", _("Quota")),
    ("designated", _("Designated")),
    ("in_progress", _("In progress")),
    ("completed", _("Completed")),
    ("accepted", _("Accepted")),
    ("percent", _("Percent of quota accepted")),
    ("change", _("Change in 30 days")),
]


def selected_dashboard(request, city=None):
    today = timezone.localdate()
    form = DashboardFilterForm(request.GET, today)
    year, tier, sort = form.selection()
    return form, dashboard.build(year, tier, today, sort, city)


# On the province's dashboard the rows are cities, against their targets.
PROVINCE_LABELS = {
    "county": pgettext_lazy("column", "City"),
    "quota": _("Target"),
    "percent": _("Percent of target accepted"),
}


def columns(data):
    labels = PROVINCE_LABELS if data.level == "city" else {}
    return [(key, labels.get(key, label)) for key, label in COLUMNS]


def render_dashboard(request, city=None):
    form, data = selected_dashboard(request, city)
    if data.level == "city":
        rows, total = tier_and_status_table(City.objects.all(), villages="counties__villages")
    else:
        rows, total = tier_and_status_table(County.objects.filter(**({"city": city} if city else {})))
    tables = [
        table_files.dashboard_table(data),
        table_files.status_table("villages", _("Villages by tier and status"), columns(data)[0][1], rows, total),
        table_files.series_table("burnup", _("Accepted villages by month"), data.cumulative),
    ]
    place = f"{city.code}-" if city else ""
    response = download(request, tables, f"dashboard-{place}{data.year}-{data.tier}-{data.today.isoformat()}")
    if response is not None:
        return response
    page_columns = columns(data)
    return render(
        request,
        "villages/home.html",
        {
            "form": form,
            "data": data,
            "columns": page_columns,
            "column_labels": dict(page_columns),
            "rows": rows,
            "total": total,
            "tiers": Tier.choices,
            "statuses": Status.choices,
            "illustrative_quotas": data.illustrative_quotas,
            "several_cities": len(data.cities) > 1,
            "sections": render_sections("city" if city else "home", request, data=data, city=city),
        },
    )


@login_required
def home(request):
    return render_dashboard(request)


def city_or_404(code):
    place = City.objects.filter(code=code).first()
    if place is None:
        raise NotVisible(_("There is no city with the code %(code)s.") % {"code": code})
    return place


@login_required
def city(request, code):
    """A city's figures between the province's dashboard and its counties' pages, open to every signed-in user."""
    return render_dashboard(request, city_or_404(code))


def ledger(request, city=None):
    """The page's tables as a workbook: the dashboard's (the registry's one city, or the province by city), or a
    city page's."""
    form, data = selected_dashboard(request, city)
    if form.errors:
        return HttpResponse(
            "\n".join(str(e) for errors in form.errors.values() for e in errors), status=400, content_type="text/plain"
        )
    response = HttpResponse(dashboard_workbook(data), content_type=XLSX_CONTENT_TYPE)
    place = f"{city.code}-" if city else ""
    response["Content-Disposition"] = (
        f'attachment; filename="dashboard-{place}{data.year}-{data.tier}-{data.today.isoformat()}.xlsx"'
    )
    return response


@login_required
def dashboard_xlsx(request):
    return ledger(request)


@login_required
def city_xlsx(request, code):
    return ledger(request, city_or_404(code))
