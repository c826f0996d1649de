"""The site's own middleware: API errors as JSON, a signed-in session kept alive without a write per request, no
caching of pages shown to a logged-in user, nothing for an account without a role, and a limit on the size of a
request body."""

import logging
import time
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from counties.access import has_role

logger = logging.getLogger(__name__)
# The paths whose errors are JSON: the app's APIs and the OGC API Features of the api app.
API_PREFIXES = ("/api/", "/ogc/")
NO_ROLE = gettext_lazy(
    "Your account has no role in the programme yet, so it may not see anything. Ask your city's administrator to "
    "give you a role, or the system administrator if your city has none."
)


def api_error_text(status):
    texts = {
        401: _("Log in to use this API."),
        403: _("You may not see this."),
        404: _("Not found."),
        500: _("Something went wrong on the server; it has been logged."),
        503: _("The database is not available; try again in a moment."),
    }
    return texts.get(status) or HTTPStatus(status).phrase


def json_error(reason, status, **more):
    """An API's error: {"error": the reason, ...more} with the status."""
    return JsonResponse({"error": str(reason), **more}, status=status, json_dumps_params={"ensure_ascii": False})


def api_error(status):
    return json_error(api_error_text(status), status)


class ApiErrorsMiddleware:
    """Everything under /api/ and /ogc/ answers errors as JSON (401, 403, 404, 503...), never an HTML page: GIS tools and
    scripts read the answer.

    It comes first, so that it also sees the error pages of the other middleware (the session middleware fails
    too while the database is down)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_json = response.get("Content-Type", "").startswith("application/json")
        if request.path_info.startswith(API_PREFIXES) and response.status_code >= 400 and not is_json:
            error = api_error(getattr(request, "api_error_status", response.status_code))
            for name, value in response.items():  # security headers, Vary...
                if name.lower() not in ("content-type", "content-length"):
                    error[name] = value
            error.cookies = response.cookies
            return error
        return response

    def process_exception(self, request, exception):
        if not request.path_info.startswith(API_PREFIXES):
            return None
        if isinstance(exception, Http404):
            return api_error(404)
        if isinstance(exception, PermissionDenied):
            return api_error(403)
        logger.error("API request %s failed", request.path_info, exc_info=exception)
        request.api_error_status = 503 if isinstance(exception, DatabaseError) else 500
        return api_error(request.api_error_status)


class PrivatePagesMiddleware:
    """What a logged-in user sees is never stored by the browser or a proxy (shared office computers), unless
    the view chose its own caching (photos)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A server error may come from the database the user would be looked up in; error pages are not cached.
        if response.status_code >= 500 or response.has_header("Cache-Control"):
            return response
        if request.user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response


class NoRoleMiddleware:
    """A signed-in account without a role (no profile, no role yet, or a role missing its city or counties) gets
    nothing but a page saying so and whom to ask, 403, or the same as JSON where the answer is read by a program.
    Logging in and out, the password, the language and what the browser loads before knowing who is there remain.
    The access helpers refuse such an account too; this answers it once, before any view."""

    OPEN = {
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "set_language",
        "healthz",
        "favicon",
        "villages:service_worker",
        "villages:manifest",
        "villages:offline_fallback",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.view_name in self.OPEN:
            return None
        try:
            if not request.user.is_authenticated or has_role(request.user):
                return None
        except DatabaseError:
            request.api_error_status = 503  # as ApiErrorsMiddleware answers a view's error; none has run yet
            raise
        if request.path_info.startswith(API_PREFIXES) or request.path_info.endswith(".json"):
            reason = str(NO_ROLE)  # "error" as every API error; "reason" as the phone's queue reads it (villages.sync)
            return JsonResponse(
                {"error": reason, "reason": reason}, status=403, json_dumps_params={"ensure_ascii": False}
            )
        return render(request, "no_role.html", status=403)


class RequestBodyLimitMiddleware:
    """A body larger than REQUEST_MAX_BYTES is refused with 413 from its Content-Length, before any of it is read.

    Django reads no more than Content-Length bytes of a body, so the declared length bounds what follows;
    DATA_UPLOAD_MAX_MEMORY_SIZE covers form fields only, not files. Placed after the middleware that set the
    user and the language, so the page is in the site's layout, and before any that reads the body (CSRF)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            context = {
                "size_mb": length / 2**20,
                "limit_mb": settings.REQUEST_MAX_BYTES // 2**20,
                "photos_per_update": settings.PHOTOS_PER_UPDATE,
                "photo_max_mb": settings.PHOTO_MAX_BYTES // 2**20,
            }
            return render(request, "413.html", context, status=413)
        return self.get_response(request)


class SessionRenewalMiddleware:
    """A session ends SESSION_COOKIE_AGE after the user's last activity, renewed at most every
    SESSION_RENEWAL_SECONDS: saving it on every request (SESSION_SAVE_EVERY_REQUEST) cost three queries a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty() and "_auth_user_id" in session:
            now = int(time.time())
            if now - session.get("renewed_at", 0) >= settings.SESSION_RENEWAL_SECONDS:
                session["renewed_at"] = now
        return response
