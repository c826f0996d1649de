from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """API tokens, OGC API Features for GIS clients, the read API under /api/v1/ and the GeoPackage download."""

    name = "api"
    label = "api"
    verbose_name = _("API and GIS data")
