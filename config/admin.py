from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from counties.access import is_city_admin


class CityAdminSite(admin.AdminSite):
    """The Django admin is for city administrators only; county staff work in the app's own pages."""

    site_header = _("百乡千村 tracker administration")
    site_title = _("百乡千村 tracker")
    index_title = _("City administration")

    def has_permission(self, request):
        return request.user.is_active and is_city_admin(request.user)
