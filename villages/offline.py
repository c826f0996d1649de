"""What a county editor's phone keeps to work offline (离线使用本县村庄), and the service worker's shell.

The offline copy holds the village list, each village's page and its update form, for the counties the
editor may change (counties.access.editor_county_codes) and nothing else: never another county's village,
never a photo. The phone fetches it in a few parts (the lists, then some tens of villages each), each one
answer holding many pages: on a mobile link each request costs its latency (150 ms and more), and pages this
alike compress together far better than one by one. The shell is what every page needs offline: the
stylesheet, the script, the icons and the page shown for an address that has no offline copy.
"""

import functools
import hashlib
import io
import math
import re

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from counties.access import editor_county_codes
from counties.models import County
from villages.forms import VillageFilterForm
from villages.models import Village

ICONS = [
    ("icons/icon-192.png", 192, "any"),
    ("icons/icon-512.png", 512, "any"),
    ("icons/maskable-512.png", 512, "maskable"),
]


CODE = re.compile(r"[0-9]{12}")
# Set in the WSGI environment of the requests that make a page of an offline copy (see pages()).
COPY_REQUEST = "villages.offline_copy"
# Set in the WSGI environment of the pages of one part: what they read once for all of them (village_finder).
COPY_PART = "villages.offline_part"
# Headers of a page that are not kept with its offline copy: the copy is stored as it is, without cookies.
NOT_KEPT = {"set-cookie", "content-length", "content-encoding"}


def copy_for(user):
    """The addresses of the user's offline copy, with what they cover, and the parts to fetch them in."""
    codes = sorted(editor_county_codes(user))
    if not codes:  # not a county editor: the village list would show every county
        return {"user": user.get_username(), "counties": [], "villages": 0, "urls": [], "parts": []}
    villages = list(editable_villages(codes).values_list("code", flat=True))
    lists = list_urls(editable_villages(codes).designated().count())
    pages = reverse("villages:offline_pages")
    size = settings.OFFLINE_COPY_PART_VILLAGES
    batches = [villages[start : start + size] for start in range(0, len(villages), size)]
    parts = [f"{pages}?lists=1"] + [f"{pages}?from={batch[0]}&to={batch[-1]}" for batch in batches]
    return {
        "user": user.get_username(),
        "counties": [{"code": c.code, "name": c.name} for c in County.objects.filter(code__in=codes).order_by("code")],
        "villages": len(villages),
        "urls": lists[:-1] + [url for code in villages for url in village_urls(code)] + lists[-1:],
        "parts": parts,
    }


def editable_villages(codes):
    return Village.objects.filter(county_id__in=codes).order_by("code")


def list_urls(village_count):
    """The village list's pages as it opens (the programme's villages) and the 离线使用本县村庄 page."""
    village_list = reverse("villages:list")
    pages = math.ceil(village_count / VillageFilterForm.PAGE_SIZE)
    return [village_list] + [f"{village_list}?page={n}" for n in range(2, pages + 1)] + [reverse("villages:offline")]


def village_urls(code):
    return [reverse("villages:detail", args=[code]), reverse("villages:update_new", args=[code])]


def part_urls(user, query):
    """The addresses of one part of the user's offline copy: the lists (lists=1), or the pages of the user's
    villages whose codes run from `from` to `to`. ValueError for anything else, or a part too large."""
    codes = editor_county_codes(user)
    if not codes:
        return []
    if query.get("lists"):
        return list_urls(editable_villages(codes).designated().count())
    first, last = query.get("from", ""), query.get("to", "")
    if not (CODE.fullmatch(first) and CODE.fullmatch(last)):
        raise ValueError("from and to must be village codes")
    villages = list(editable_villages(codes).filter(code__range=(first, last)).values_list("code", flat=True))
    if len(villages) > 2 * settings.OFFLINE_COPY_PART_VILLAGES:
        raise ValueError("too many villages in one part")
    return [url for code in villages for url in village_urls(code)]


@functools.cache
def page_handler():
    """The app's own request handler, every middleware included, for the pages of an offline copy."""
    handler = BaseHandler()
    handler.load_middleware()
    return handler


def pages(request, urls):
    """Each page of `urls` as the user's browser would get it (the same middleware, headers and session), for
    the offline copy: {"url", "headers", "body"}. Pages that are not there (a village withdrawn meanwhile) are
    left out. Flash messages are left for the user's next page (villages.context_processors.messages): they
    belong to no saved page."""
    handler = page_handler()
    # The pages share the user the request was made by (its role and counties read once), not a user read anew
    # for each page from the same session: the same user, read in one query instead of three a page.
    user = getattr(request, "_cached_user", request.user)
    codes = sorted({match.group() for url in urls for match in CODE.finditer(url)})
    part = {"codes": codes, "villages": {}, "read": {}}
    kept = []
    for url in urls:
        path, _, query = url.partition("?")
        environ = {
            key: value
            for key, value in request.META.items()
            if key not in ("CONTENT_LENGTH", "CONTENT_TYPE", "HTTP_ACCEPT_ENCODING")
        }
        environ.update({"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, COPY_REQUEST: True})
        environ["wsgi.input"] = io.BytesIO()
        environ[COPY_PART] = part
        page_request = WSGIRequest(environ)
        page_request._cached_user = user  # what AuthenticationMiddleware keeps of the session's user
        response = handler.get_response(page_request)
        if response.status_code != 200 or response.streaming:
            continue
        headers = [[name, value] for name, value in response.items() if name.lower() not in NOT_KEPT]
        kept.append({"url": url, "headers": headers, "body": response.content.decode(response.charset)})
    return kept


def village_finder(request):
    """For a page of an offline copy's part: what reads its village (access.get_village_for_view) with the part's
    other villages, in one query for all of them the first time a page of each view asks (each view asks with its
    own queryset). None for any other request."""
    part = request.META.get(COPY_PART)
    if part is None:
        return None
    villages = part["villages"].setdefault(request.resolver_match.view_name, {})

    def find(queryset, code):
        if not villages:
            villages.update((village.code, village) for village in queryset.filter(code__in=part["codes"]))
        return villages.get(code)

    return find


def part_read(request, name, read):
    """For a page of an offline copy's part: read(a query of the part's villages' ids), once for all its pages.
    None for any other request."""
    part = request.META.get(COPY_PART)
    if part is None:
        return None
    if name not in part["read"]:
        part["read"][name] = read(Village.all_objects.filter(code__in=part["codes"]).values("id"))
    return part["read"][name]


def shell_urls():
    return [
        reverse("villages:offline_fallback"),
        reverse("villages:manifest"),
        static("css/site.css"),
        static("js/offline.js"),
    ] + [static(path) for path, _size, _purpose in ICONS]


def shell_version(urls):
    """Changes whenever a static file changes in production (hashed names), so the worker installs anew."""
    return hashlib.sha256("\n".join(urls).encode()).hexdigest()[:12]


def icons():
    return [
        {"src": static(path), "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}
        for path, size, purpose in ICONS
    ]


# Words the phone's script shows, translated here once. %(name)s placeholders are filled in by the script.
STRINGS = {
    "pending_one": ngettext_lazy("%(count)s update waiting to be sent", "%(count)s updates waiting to be sent", 1),
    "pending_many": ngettext_lazy("%(count)s update waiting to be sent", "%(count)s updates waiting to be sent", 2),
    "nothing_pending": _("Nothing waiting to be sent."),
    "photos": _("%(count)s photo(s)"),
    "state_pending": _("waiting"),
    "state_sending": _("sending…"),
    "state_conflict": _("conflict"),
    "state_refused": _("refused"),
    "state_invalid": _("to be corrected"),
    "state_login": _("log in again to send"),
    "discard": _("Discard"),
    "resend": _("Send again"),
    "resend_without_status": _("Send without the status change"),
    "remove_photo": _("Remove this photo"),
    "confirm_discard": _("Discard this update? It is deleted from this phone and never sent."),
    "confirm_logout": _(
        "%(count)s update(s) have not been sent yet. Logging out deletes them from this phone. Log out anyway?"
    ),
    "queued": _("Saved on this phone. It is sent as soon as there is a connection."),
    "offline_now": _("No connection: the update is kept on this phone."),
    "position_failed": _("The phone's position could not be read; the update is kept without it."),
    "copy_none": _("No offline copy on this phone yet."),
    "copy_saving": _("Saving %(done)s of %(total)s pages…"),
    "copy_saved": _("%(villages)s villages, %(size)s"),
    "copy_saved_at": _("saved %(when)s"),
    "copy_failed": _("The offline copy could not be saved: %(reason)s"),
    "copy_changed": _("Your counties have changed: the offline copy was deleted. Save it again."),
    "unsupported": _("This browser cannot keep pages offline here (it needs HTTPS, or localhost)."),
    "wrong_password": _("The password was not accepted (or the account is locked for a while)."),
}
