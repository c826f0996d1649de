from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse


@login_required
def data_page(request):
    """Where GIS and statistics staff find what the app gives them: the OGC API address, downloads, the read API."""
    context = {
        "ogc_url": request.build_absolute_uri(reverse("api:ogc_landing")),
        "tokens_url": reverse("api:tokens"),
        "docs_url": reverse("v1:openapi-view"),
    }
    return render(request, "api/data.html", context)
