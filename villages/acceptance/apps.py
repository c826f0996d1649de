from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The models of this app that were the villages app's until villages' migration 0011.
MOVED_FROM_VILLAGES = ["application", "evidence", "review", "reviewscore", "selfscore", "standard", "standarditem"]


class AcceptanceConfig(AppConfig):
    """Acceptance (验收) against a written standard, built on villages: standards, applications and reviews."""

    name = "villages.acceptance"
    label = "acceptance"
    verbose_name = _("Acceptance (验收)")

    def ready(self):
        from villages import extensions
        from villages.acceptance import dashboard, views, workflow

        extensions.add_review_rule(workflow.needs_review)
        extensions.add_moved_models("villages", "acceptance", MOVED_FROM_VILLAGES)
        extensions.add_section("village_top", "acceptance/_village_section.html", views.village_section)
        for page in ("home", "city"):
            extensions.add_section(page, "acceptance/_dashboard_section.html", dashboard.dashboard_section)
        extensions.add_ledger_sheet(dashboard.ledger_sheet)
        extensions.add_demo_step(demo_standard, order=-10)
        extensions.add_demo_step(demo_applications, order=10)


# The demo is loaded only when seed_demo runs.
def demo_standard():
    from villages.acceptance import demo

    return demo.create_standard()


def demo_applications():
    from villages.acceptance import demo

    return demo.create_applications()
