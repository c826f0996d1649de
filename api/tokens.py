"""API tokens: made, recognised, refused and revoked here, and nowhere else.

A token is "bxqc_" and 43 characters of a random 32-byte value (secrets.token_urlsafe). The database keeps an
HMAC-SHA256 of it keyed with SECRET_KEY, never the token: a random 256-bit value cannot be guessed, so a slow
password hash (PBKDF2, scrypt) would add ~100 ms to every request and no safety, and the keyed digest means a copy
of the database alone does not even let anyone test a guess. A digest is looked up by its unique index in one
query. Keys listed in SECRET_KEY_FALLBACKS still recognise the tokens made under them, so the key can be rotated;
a token made under a key no longer listed stops working (its owner makes a new one).

Tokens are sent as `Authorization: Token …` or `Authorization: Bearer …`, only to the paths of TOKEN_PATHS; never
in a URL, and nothing the app writes (links, logs, errors) contains one. Failed tokens are throttled like failed
logins (django-axes: per token and client address, and per address for every failure together, config.lockout).
"""

import re
import secrets
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from api.models import ApiToken
from config.lockout import address_is_throttled, minutes_left, recent_attempts
from config.middleware import json_error
from counties.access import is_city_admin

PREFIX = "bxqc_"
TOKEN_FORMAT = re.compile(r"^bxqc_[A-Za-z0-9_-]{43}$")
SHOWN_CHARACTERS = len(PREFIX) + 6  # what lists show of a token
SCHEMES = ("token", "bearer")
TOKEN_PATHS = ("/api/", "/ogc/", "/downloads/")
# A token's last use is written at most this often: not a write per request.
USE_RECORDED_EVERY = timedelta(minutes=5)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# What django-axes records a failure under: never the token, and never a possible username (they have no spaces).
FAILURE_NAME = "API token {}"
CHALLENGE = 'Token realm="api", Bearer realm="api"'


class TokenRefused(Exception):
    def __init__(self, reason, status=401):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def digest_of(token, secret=None):
    return salted_hmac("api.tokens", token, secret=secret, algorithm="sha256").hexdigest()


def digests(token):
    """The token's digest under the current key and under each fallback key."""
    return [digest_of(token, key) for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]]


def create_token(user, name, can_write=False, expires_days=None, created_by=None):
    """(ApiToken, the token itself): the only time the token exists outside the client that receives it."""
    token = PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
    record = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=token[:SHOWN_CHARACTERS],
        digest=digest_of(token),
        can_write=can_write,
        expires_at=expires_at,
        created_by=created_by or user,
    )
    return record, token


def revoke(token, by):
    """Revoked for good (a revoked token is kept, with who revoked it and when, for the record)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])


def token_in_header(header):
    """The token of an Authorization header; TokenRefused when the header is not `Token …` or `Bearer …`."""
    scheme, _space, value = header.strip().partition(" ")
    if scheme.lower() not in SCHEMES or not value.strip():
        raise TokenRefused(_("Send the token as the header Authorization: Token <token> (or Bearer <token>)."))
    return value.strip()


def token_record(token):
    """The active ApiToken of a token (with its user), or TokenRefused saying why not."""
    if not TOKEN_FORMAT.match(token):
        raise TokenRefused(_("This is not an API token of this site: check that it was copied whole."))
    record = ApiToken.objects.select_related("user").filter(digest__in=digests(token)).first()
    if record is None:
        raise TokenRefused(_("This API token is not known here (it was deleted, or made under another key)."))
    if record.revoked_at is not None:
        raise TokenRefused(
            _("This API token was revoked on %(date)s.") % {"date": timezone.localtime(record.revoked_at).date()}
        )
    if record.expires_at is not None and record.expires_at <= timezone.now():
        raise TokenRefused(
            _("This API token expired on %(date)s.") % {"date": timezone.localtime(record.expires_at).date()}
        )
    if not record.user.is_active:
        raise TokenRefused(_("The account of this API token is disabled."))
    return record


def failure_credentials(token):
    shown = token[:SHOWN_CHARACTERS] if TOKEN_FORMAT.match(token or "") else "(malformed)"
    return {"username": FAILURE_NAME.format(shown)}


def throttled_answer(request, credentials):
    """A 429 when this address has failed too often (or this token from it), else None."""
    AxesProxyHandler.update_request(request)
    if address_is_throttled(request):
        attempts = recent_attempts(request)
    elif not AxesProxyHandler.is_allowed(request, credentials):
        attempts = recent_attempts(request).filter(username=credentials["username"])
    else:
        return None
    minutes = minutes_left(attempts)
    response = json_error(
        _("Too many failed API tokens from this address: try again in %(minutes)d minutes.") % {"minutes": minutes},
        429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


def record_failure(request, credentials):
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    request.axes_locked_out = False  # the next request is answered 429 (throttled_answer), this one 401


def authenticate(request):
    """For a request to TOKEN_PATHS with an Authorization header: sets request.user to the token's user (no
    session is made) and returns None, or returns the refusal to send (401, 403 or 429, JSON with the reason)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    try:
        token = token_in_header(header)
    except TokenRefused as refusal:
        token, problem = "", refusal
    else:
        problem = None
    credentials = failure_credentials(token)
    throttled = throttled_answer(request, credentials)
    if throttled:
        return throttled
    try:
        if problem:
            raise problem
        record = token_record(token)
    except TokenRefused as refusal:
        record_failure(request, credentials)
        response = json_error(refusal.reason, refusal.status)
        response["WWW-Authenticate"] = CHALLENGE
        return response
    if request.method not in SAFE_METHODS and not may_write(record):
        return json_error(_("This API token is read-only: make one with write access to change anything."), 403)
    request.user = request._cached_user = record.user
    request.api_token = record
    # A browser never sends this header by itself, so a request carrying it cannot be forged by another site.
    request._dont_enforce_csrf_checks = True
    record_use(record)
    return None


def may_write(record):
    """Write access is given to administrators only, and lasts only while they are one."""
    return record.can_write and is_city_admin(record.user)


def record_use(record):
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at >= USE_RECORDED_EVERY:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now


class TokenAuthenticationMiddleware:
    """Placed after Django's AuthenticationMiddleware: a token sent to the API stands for its user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_AUTHORIZATION" in request.META and request.path_info.startswith(TOKEN_PATHS):
            refusal = authenticate(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)
