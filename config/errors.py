"""The error pages (400, 403, 404, 405 and 500): in the site's layout and the user's language, saying why and
offering a way back.

The reason comes from the access rules: counties.access.AccessRefused (403) and NotVisible (404) carry it.
Other exceptions (Django's own, in English and meant for developers) get the general text of their status.

Django renders 400, 403 and 404 through the handlers set in config/urls.py only with DEBUG off. With DEBUG on
(the demo of `make run`) it answers a 404 with its technical page, which lists every URL pattern, and a bad
request with a traceback; ErrorPagesMiddleware renders the same pages as production instead. Django has no
handler for 405 (require_POST, the logout view): the middleware renders that page too. A server error keeps
Django's traceback with DEBUG on, for developers; 500.html stands alone, so that it shows even when the
database does not answer.
"""

from django.conf import settings
from django.core.exceptions import BadRequest, DisallowedHost, SuspiciousOperation
from django.http import Http404, HttpResponseNotAllowed, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import requires_csrf_token

from counties.access import AccessRefused, NotVisible

TITLES = {
    400: _("Bad request"),
    403: _("Not allowed"),
    404: _("Page not found"),
    405: _("This page cannot be opened this way"),
}
GENERAL_REASONS = {
    400: _("The request could not be read: it may be incomplete or damaged. Go back and try again."),
    403: _("Your account may not see or do this."),
    404: _("This page does not exist: the address may be mistyped or out of date."),
    405: _(
        "This address answers only a form's button (for example saving, or logging out), not a link or an address "
        "typed in the browser."
    ),
}
CSRF_REASON = _(
    "The form was sent without its security check, usually because it was open for a long time or you logged in "
    "again in another tab. Go back, reload the page and send the form again."
)


def reason_of(exception):
    if isinstance(exception, (AccessRefused, NotVisible)) and exception.args:
        return exception.args[0]
    return None


def back_url(request):
    """The page the user came from, when it is one of this site's."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    same_site = url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure())
    return referer if referer and same_site and referer != request.build_absolute_uri() else None


@requires_csrf_token
def error_page(request, status, reason=None):
    context = {
        "status": status,
        "title": TITLES[status],
        "reason": reason or GENERAL_REASONS[status],
        "back": back_url(request),
    }
    return render(request, "error.html", context, status=status)


def bad_request(request, exception):
    return error_page(request, 400)


def permission_denied(request, exception):
    return error_page(request, 403, reason_of(exception))


def page_not_found(request, exception):
    return error_page(request, 404, reason_of(exception))


def csrf_failure(request, reason=""):
    return error_page(request, 403, CSRF_REASON)


def server_error(request):
    # No request context: context processors would ask the database, which may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())


def resolves(request):
    try:
        resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return True


class ErrorPagesMiddleware:
    """After CommonMiddleware (which still redirects an address missing its final slash) and the authentication
    and message middleware (whose user and messages the page shows)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG and not resolves(request):
            return page_not_found(request, Http404())
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed):
            page = error_page(request, 405)
            page["Allow"] = response["Allow"]
            return page
        return response

    def process_exception(self, request, exception):
        if not settings.DEBUG:
            return None
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        if isinstance(exception, (BadRequest, SuspiciousOperation)):
            return bad_request(request, exception)
        return None
