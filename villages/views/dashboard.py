from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counties.models import County
from villages.forms import DashboardFilterForm
from villages.imports.export import XLSX_CONTENT_TYPE
from villages.models import Status, Tier
from villages.progress import dashboard
from villages.progress.ledger import dashboard_workbook
from villages.progress.tables import tier_and_status_table

COLUMNS = [
    ("county", _("County")),
    ("quota", _("Quota")),
    ("designated", _("Designated")),
    ("in_progress", _("In progress")),
    ("completed", _("Completed")),
    ("accepted", _("Accepted")),
    ("percent", _("Percent of quota accepted")),
    ("change", _("Change in 30 days")),
]


def selected_dashboard(request):
    today = timezone.localdate()
    form = DashboardFilterForm(request.GET, today)
    year, tier, sort = form.selection()
    return form, dashboard.build(year, tier, today, sort)


@login_required
def home(request):
    form, data = selected_dashboard(request)
    rows, total = tier_and_status_table(County.objects.all())
    return render(
        request,
        "villages/home.html",
        {
            "form": form,
            "data": data,
            "columns": COLUMNS,
            "rows": rows,
            "total": total,
            "tiers": Tier.choices,
            "statuses": Status.choices,
            "illustrative_quotas": data.illustrative_quotas,
        },
    )


@login_required
def dashboard_xlsx(request):
    form, data = selected_dashboard(request)
    if form.errors:
        return HttpResponse(
            "\n".join(str(e) for errors in form.errors.values() for e in errors), status=400, content_type="text/plain"
        )
    response = HttpResponse(dashboard_workbook(data), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="dashboard-{data.year}-{data.tier}-{data.today.isoformat()}.xlsx"'
    )
    return response
