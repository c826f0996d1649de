from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """The project pool (项目库): each designated village's projects, the funds behind them by source, their monthly
    figures and their performance targets (绩效目标). Built on villages and acceptance; reporting reads it."""

    name = "villages.projects"
    label = "projects"
    verbose_name = _("Projects (项目库)")
