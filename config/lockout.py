"""Throttling of failed logins (django-axes): by username and client address together, plus a limit per address.

Five wrong passwords for one username from one address lock that username there only, so nobody can lock the
city administrator out from elsewhere. An address that fails for many usernames (password spraying) is paused
for every username. Behind a proxy, the client's address is the one a trusted proxy saw (config.proxies; an
X-Forwarded-For from any other address is ignored).
"""

import math

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone

USERNAME = "username"  # this username from this address
ADDRESS = "address"  # every username from this address


def recent_attempts(request):
    return AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=request.axes_attempt_time - settings.AXES_COOLOFF_TIME
    )


def address_is_throttled(request):
    failures = recent_attempts(request).aggregate(total=Sum("failures_since_start"))["total"] or 0
    return failures >= settings.AXES_ADDRESS_FAILURE_LIMIT


def minutes_left(attempts):
    """Minutes until the newest of these failures is older than the cool-off time (at least 1)."""
    last = attempts.aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return max(1, math.ceil((last + settings.AXES_COOLOFF_TIME - timezone.now()).total_seconds() / 60))


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout page, in the site's layout and language: what is locked, and for how long."""
    scope = getattr(request, "axes_lock_scope", USERNAME)
    username = get_client_username(request, credentials) or ""
    attempts = recent_attempts(request)
    if scope == USERNAME:
        attempts = attempts.filter(username=username)
    context = {
        "scope": scope,
        "username": username,
        "address": request.axes_ip_address,
        "failure_limit": settings.AXES_FAILURE_LIMIT if scope == USERNAME else settings.AXES_ADDRESS_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "minutes_left": minutes_left(attempts),
    }
    return render(request, "registration/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
