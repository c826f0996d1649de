"""What a county editor's phone keeps to work offline (离线使用本县村庄), and the service worker's shell.

The offline copy holds the village list, each village's page and its update form, for the counties the
editor may change (counties.access.editor_county_codes) and nothing else: never another county's village,
never a photo. The shell is what every page needs offline: the stylesheet, the script, the icons and the
page shown for an address that has no offline copy.
"""

import hashlib
import math

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


def copy_for(user):
    """The addresses of the user's offline copy, with what they cover."""
    codes = sorted(editor_county_codes(user))
    if not codes:  # not a county editor: the village list would show every county
        return {"user": user.get_username(), "counties": [], "villages": 0, "urls": []}
    villages = list(Village.objects.filter(county_id__in=codes).order_by("code").values_list("code", flat=True))
    village_list = reverse("villages:list")
    urls = [village_list] + [
        f"{village_list}?page={n}" for n in range(2, math.ceil(len(villages) / VillageFilterForm.PAGE_SIZE) + 1)
    ]
    for code in villages:
        urls += [reverse("villages:detail", args=[code]), reverse("villages:update_new", args=[code])]
    urls.append(reverse("villages:offline"))
    return {
        "user": user.get_username(),
        "counties": [{"code": c.code, "name": c.name} for c in County.objects.filter(code__in=codes).order_by("code")],
        "villages": len(villages),
        "urls": urls,
    }


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
