from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counties.permissions import can_see_county
from villages import dashboard, stats
from villages.export import dashboard_workbook
from villages.forms import DashboardFilterForm
from villages.models import Status, Tier

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
    form = DashboardFilterForm(request.GET, dashboard.year_choices(today), dashboard.default_year(today))
    year, tier, sort = form.selection()
    return form, dashboard.build(year, tier, today, sort)


@login_required
def home(request):
    form, data = selected_dashboard(request)
    rows, total = stats.county_table()
    linkable = {row.county.code for row in data.rows if can_see_county(request.user, row.county.code)}
    return render(
        request,
        "villages/home.html",
        {
            "form": form,
            "data": data,
            "columns": COLUMNS,
            "linkable": linkable,
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
        return HttpResponse("\n".join(str(e) for errors in form.errors.values() for e in errors), status=400, content_type="text/plain")
    filename = f"dashboard-{data.year}-{data.tier}-{data.today.isoformat()}.xlsx"
    response = HttpResponse(
        dashboard_workbook(data), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
