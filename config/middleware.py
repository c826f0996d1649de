"""The site's own middleware: API errors as JSON, and no caching of pages shown to a logged-in user."""

import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"


def api_error_text(status):
    texts = {
        401: _("Log in to use this API."),
        403: _("You may not see this."),
        404: _("Not found."),
        500: _("Something went wrong on the server; it has been logged."),
        503: _("The database is not available; try again in a moment."),
    }
    return texts.get(status) or HTTPStatus(status).phrase


def api_error(status):
    return JsonResponse({"error": api_error_text(status)}, status=status, json_dumps_params={"ensure_ascii": False})


class ApiErrorsMiddleware:
    """Everything under /api/ answers errors as JSON (401, 403, 404, 503...), never an HTML page: GIS tools and
    scripts read the answer.

    It comes first, so that it also sees the error pages of the other middleware (the session middleware fails
    too while the database is down)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_json = response.get("Content-Type", "").startswith("application/json")
        if request.path_info.startswith(API_PREFIX) and response.status_code >= 400 and not is_json:
            return api_error(getattr(request, "api_error_status", response.status_code))
        return response

    def process_exception(self, request, exception):
        if not request.path_info.startswith(API_PREFIX):
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
