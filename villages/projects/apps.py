from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """The project pool (项目库): each designated village's projects, the funds behind them by source, their monthly
    figures and their performance targets (绩效目标). Built on villages and acceptance; reporting reads it."""

    name = "villages.projects"
    label = "projects"
    verbose_name = _("Projects (项目库)")

    def ready(self):
        from villages import extensions
        from villages.projects import dashboard, map_colours, views

        extensions.add_section("village", "projects/_village_section.html", views.village_section, order=50)
        for page in ("home", "city"):
            extensions.add_section(page, "projects/_money_section.html", dashboard.dashboard_section, order=120)
        extensions.add_section("county", "projects/_money_section.html", dashboard.county_section, order=120)
        extensions.add_ledger_sheet(dashboard.ledger_sheet)
        extensions.add_demo_step(demo_projects, order=20)
        map_colours.register()


# The demo is loaded only when seed_demo runs.
def demo_projects():
    from villages.projects import demo

    return demo.create_projects()
