"""The proxies in front of the app (TRUSTED_PROXIES) and the client's address behind them.

Only a connection from a trusted proxy may say, in X-Forwarded-For and X-Forwarded-Proto, who the client is and
whether it came over HTTPS. Anyone else reaching the app server directly writes those headers as they please:
they are dropped before anything reads them, and the client is the connection's own address. Each trusted proxy
appends the address it was reached from to X-Forwarded-For, so the client is the first address from the right
that is not a trusted proxy; whatever stands further left came from the client itself.
"""

import ipaddress

from django.conf import settings

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_FORWARDED")


def is_trusted_proxy(address):
    try:
        address = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(address in network for network in settings.TRUSTED_PROXIES)


def client_address(request):
    """The client's own address (django-axes counts failed logins by it)."""
    address = request.META.get("REMOTE_ADDR", "")
    if not is_trusted_proxy(address):
        return address
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for hop in reversed(forwarded):
        try:
            hop = str(ipaddress.ip_address(hop))
        except ValueError:
            return address  # what a trusted proxy received from an unreadable address: the last one known
        if not is_trusted_proxy(hop):
            return hop
        address = hop
    return address


class UntrustedForwardedHeadersMiddleware:
    """First of all: a request not from a trusted proxy loses the headers only a proxy may set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
