"""Updates sent by phones from their offline queue: one id per update made on the phone, so that a retry
records nothing twice, and answers a phone can act on (recorded, refused and why, which photo).

Every answer is JSON: {"result": "recorded", ...} when the update is on the server (201 the first time, 200
for a repeat), otherwise {"error": <kind>, "reason": <what to tell the editor>, ...} with the HTTP status:
400 invalid (with "errors" per field and "photos" per refused photo), 401 login (the session ended),
403/404 forbidden (the user may not change the village), 409 conflict (a status move no longer possible)
or reused (the id was used for a different update).
"""

import hashlib
import json

from django.http import JsonResponse
from django.utils.translation import gettext as _

FIELDS = ["date", "text", "progress", "status", "seen_status", "device_lat", "device_lon", "device_accuracy"]


def digest(village, data, uploads):
    """A fingerprint of what the phone sent: a repeat has the same, a different update under a reused id not."""
    photos = []
    for upload in uploads:
        upload.seek(0)
        photos.append(hashlib.sha256(upload.read()).hexdigest())
        upload.seek(0)
    content = {"village": village, "photos": photos, **{name: data.get(name, "") for name in FIELDS}}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def receipt(update, repeat=False):
    count = update.photos.count()
    return JsonResponse(
        {
            "result": "recorded",
            "repeat": repeat,
            "update": update.pk,
            "village": update.village.code,
            "photos": count,
            "url": update.village.get_absolute_url(),
            "message": recorded_message(count),
        },
        status=200 if repeat else 201,
    )


def recorded_message(count):
    return _("Progress update added with %(count)d photo(s).") % {"count": count}


def refusal(error, reason, status, **details):
    return JsonResponse({"error": error, "reason": str(reason), **details}, status=status)


def login_needed():
    return refusal("login", _("Your session has ended. Enter your password again; nothing waiting is lost."), 401)


def forbidden(status):
    return refusal(
        "forbidden",
        _(
            "You may not change this village (any more), so the update was not saved. Ask a city administrator for access to its county, or discard the update."
        ),
        status,
    )


def reused():
    return refusal("reused", _("This update's id was already used for a different update; nothing was saved."), 409)


def missing_id():
    message = _("The update has no valid id (client_id); nothing was saved.")
    return refusal("invalid", message, 400, errors={"client_id": [message]}, photos=[])


def invalid(form):
    """Every problem of the form, and each refused photo with its place in the list, its name and the reason."""
    photos, errors = [], {}
    for name, field_errors in form.errors.as_data().items():
        for error in field_errors:
            message = " ".join(error.messages)
            if name == "photos" and error.params and "index" in error.params:
                photos.append({"index": error.params["index"], "name": error.params["name"], "reason": message})
            errors.setdefault(name, []).append(message)
    reason = " ".join(message for messages in errors.values() for message in messages)
    return refusal("invalid", reason, 400, errors=errors, photos=photos)
