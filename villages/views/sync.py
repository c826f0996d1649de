"""The endpoint phones send their queued progress updates to (see villages/sync.py for the answers)."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404
from django.views.decorators.http import require_POST

from villages import access, sync, workflow
from villages.forms import ProgressUpdateForm
from villages.models import ProgressUpdate, Village


@require_POST
def send_update(request, code):
    if not request.user.is_authenticated:
        return sync.login_needed()
    try:
        client_id = uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        return sync.missing_id()
    uploads = request.FILES.getlist("photos")
    digest = sync.digest(code, request.POST, uploads)
    answer = earlier_answer(request.user, code, client_id, digest)
    if answer:
        return answer
    try:
        village = access.get_village_for_change(request.user, code, Village.objects.with_places())
    except Http404:
        return sync.forbidden(404)
    except PermissionDenied:
        return sync.forbidden(403)
    form = ProgressUpdateForm(request.user, village, request.POST, request.FILES)
    if not form.is_valid():
        return sync.invalid(form)
    try:
        update = workflow.add_update(village, request.user, form.report(client_id=client_id, digest=digest))
    except workflow.StatusConflict as conflict:
        return sync.refusal("conflict", conflict, 409, current=conflict.current)
    except workflow.Refused as refusal:
        return sync.refusal("forbidden", refusal, 403)
    except IntegrityError:  # the same id, sent twice at once: the other request recorded it
        return earlier_answer(request.user, code, client_id, digest) or sync.reused()
    if request.POST.get("announce"):
        messages.success(request, sync.recorded_message(update.photos.count()))
    return sync.receipt(update)


def earlier_answer(user, code, client_id, digest):
    """The answer for an id already recorded: the same receipt for a repeat, a refusal for different content."""
    existing = ProgressUpdate.objects.filter(client_id=client_id).select_related("village").first()
    if existing is None:
        return None
    if existing.created_by_id == user.pk and existing.village.code == code and existing.client_digest == digest:
        return sync.receipt(existing, repeat=True)
    return sync.reused()
