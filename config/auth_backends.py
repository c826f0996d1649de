from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.proxy import AxesProxyHandler

from config.lockout import ADDRESS, address_is_throttled


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login that comes with a request (all web logins do), and the
    limit per client address (config.lockout).

    Code that authenticates without a request (the test client's login(), a shell) has nothing to
    throttle by, so it goes straight to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        AxesProxyHandler.update_request(request)
        if address_is_throttled(request):
            request.axes_locked_out = True
            request.axes_lock_scope = ADDRESS
            raise AxesBackendPermissionDenied("too many failed logins from this address")
        return super().authenticate(request, username=username, password=password, **kwargs)
