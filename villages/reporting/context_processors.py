from django.utils.functional import SimpleLazyObject

from villages.reporting.access import reporting_counties
from villages.reporting.models import Reminder


def notices(request):
    """The header's bell: a county editor's unread notices, counted only when a page shows the bell."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not reporting_counties(user):
        return {}
    return {
        "notice_bell": True,
        "unread_notices": SimpleLazyObject(lambda: unread_count(user)),
    }


def unread_count(user):
    """Counted once for the user of a request (the pages of an offline copy share it: villages.offline)."""
    if not hasattr(user, "_unread_notices"):
        user._unread_notices = Reminder.objects.unread().filter(user=user).count()
    return user._unread_notices
