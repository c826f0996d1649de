from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from villages import stats
from villages.models import Status, Tier


@login_required
def home(request):
    rows, total = stats.county_table()
    return render(
        request,
        "villages/home.html",
        {"rows": rows, "total": total, "tiers": Tier.choices, "statuses": Status.choices},
    )
