from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "villages.reporting"
    label = "reporting"
    verbose_name = _("Monthly reports (月报)")

    def ready(self):
        from villages.reporting import sections

        sections.register()
