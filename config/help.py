"""The users' manual (帮助): one page per task, in the site's language, for every signed-in user.

The long texts are templates per language (templates/help/<language>/<topic>.html); the titles and the roles
are translated strings. Each topic names the page it explains, which links back to it ("？帮助")."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    page: str  # the URL name of the page it explains (where a user goes next)
    page_label: str
    screenshot_width: int  # 1280 (desktop) or 390 (phone): the width the browser test takes it at
    query: str = ""  # narrows the page opened from the topic (e.g. the villages awaiting review)


TOPICS = {
    topic.slug: topic
    for topic in [
        Topic("report", _("Reporting progress"), "villages:list", _("Villages"), 390),
        Topic("offline", _("Reporting offline"), "villages:offline", _("Use the villages of my county offline"), 390),
        Topic("apply", _("Applying for acceptance"), "villages:list", _("Villages"), 1280, "?status=completed"),
        Topic("review", _("Reviewing an application"), "villages:list", _("Villages"), 1280, "?acceptance=waiting"),
        Topic("import", _("Importing village lists"), "admin:villages_village_import", _("Import"), 1280),
        Topic("projects", _("Projects and funds"), "projects:list", _("Projects"), 1280),
        Topic("pairings", pgettext_lazy("help topic", "Pairings"), "villages:pairings", _("Pairings"), 1280),
        Topic("map", _("Map and exports"), "villages:map", _("Map"), 1280),
        Topic(
            "reporting", _("Monthly reports, reminders and bulletins"), "reporting:periods", _("Monthly reports"), 1280
        ),
        Topic("gis", _("GIS data and interfaces"), "api:data", _("GIS data and API"), 1280),
    ]
}

# Who does what: the index lists the topics of each role (a topic may serve several).
ROLES = [
    (_("County editors"), ["report", "offline", "apply", "projects", "pairings", "reporting", "map"]),
    (_("City administrators"), ["review", "import", "projects", "pairings", "reporting", "map", "gis"]),
    (_("Viewers (city and province)"), ["map", "reporting", "gis"]),
]


def language_folder():
    """The folder of the active language's texts: English for English, Chinese for anything else."""
    return "en" if (get_language() or "").startswith("en") else "zh_hans"


@login_required
@require_safe
def index(request):
    roles = [(role, [TOPICS[slug] for slug in slugs]) for role, slugs in ROLES]
    return render(request, "help/index.html", {"roles": roles, "topics": TOPICS.values()})


@login_required
@require_safe
def topic(request, slug):
    if slug not in TOPICS:
        raise Http404(_("There is no help page of that name."))
    context = {
        "topic": TOPICS[slug],
        "body": f"help/{language_folder()}/{slug}.html",
        "screenshot": f"help/{slug}.png",
        "topics": TOPICS.values(),
    }
    return render(request, "help/topic.html", context)


app_name = "help"
urlpatterns = [
    path("", index, name="index"),
    path("<slug:slug>/", topic, name="topic"),
]
