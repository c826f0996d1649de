"""The installable web app: its manifest, its service worker (served from the site's root so that it may
handle every page), the 离线使用本县村庄 page, the list of what the offline copy holds, and the page shown for
an address that has no offline copy."""

import json

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from config.compression import compressed
from counties.access import editor_county_codes
from counties.models import County
from villages import offline, sync
from villages.models import Village


def service_worker(request):
    shell = offline.shell_urls()
    config = {
        "version": offline.shell_version(shell),
        "shell": shell,
        "fallback": reverse("villages:offline_fallback"),
        "static": settings.STATIC_URL,
    }
    script = render_to_string("offline/sw.js", {"config": json.dumps(config)})
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"  # browsers look for a new worker on every visit
    return response


def manifest(request):
    data = {
        "name": f"{_('百乡千村 tracker')} · {_('晋中市')}",
        "short_name": _("百乡千村"),
        "lang": get_language(),
        "start_url": reverse("villages:list"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": "#b4232a",
        "icons": offline.icons(),
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@login_required
def offline_page(request):
    codes = editor_county_codes(request.user)
    context = {
        "counties": County.objects.filter(code__in=codes).order_by("code"),
        "village_count": Village.objects.filter(county_id__in=codes).count(),
        "parallel": settings.OFFLINE_COPY_PARALLEL,
    }
    return render(request, "villages/offline.html", context)


def offline_copy(request):
    """What to save for offline use: nothing for anyone but a county editor."""
    if not request.user.is_authenticated:
        return sync.login_needed()
    return JsonResponse(offline.copy_for(request.user))


@compressed
def offline_pages(request):
    """One part of the offline copy (villages.offline.copy_for lists them): many pages in one answer."""
    if not request.user.is_authenticated:
        return sync.login_needed()
    try:
        urls = offline.part_urls(request.user, request.GET)
    except ValueError:
        return sync.refusal("invalid", _("This is not a part of your offline copy."), 400)
    return JsonResponse({"pages": offline.pages(request, urls)}, json_dumps_params={"ensure_ascii": False})


def fallback(request):
    """Cached once by the service worker and shown to whoever is offline later: it names no user, and leaves the
    messages waiting for the user's next page."""
    return render(request, "villages/offline_fallback.html", {"user": AnonymousUser(), "messages": []})


class LogoutView(auth_views.LogoutView):
    """Logging out also tells the browser to delete what it keeps for offline use (caches, the queue in
    IndexedDB, the service worker). offline.js deletes them before the form is sent; this covers the rest."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"storage"'
        return response
