from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from counties.access import is_city_admin


class CityAdminSite(admin.AdminSite):
    """The Django admin is for city administrators only; county staff work in the app's own pages."""

    site_header = _("百乡千村 tracker administration")
    site_title = _("百乡千村 tracker")
    index_title = _("City administration")
    # The list of every model beside each page took a quarter of a 1,366 px screen from the village list's columns;
    # the breadcrumbs and the index lead to them.
    enable_nav_sidebar = False

    def has_permission(self, request):
        return request.user.is_active and is_city_admin(request.user)
