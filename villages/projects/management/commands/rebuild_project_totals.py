from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from villages.projects import totals
from villages.projects.models import ProjectTotal


class Command(BaseCommand):
    help = _(
        "Recompute the money totals the overviews read from every project and fund: after restoring a backup made "
        "before they existed, or after writing projects around the workflow."
    )

    def handle(self, *args, **options):
        totals.rebuild()
        self.stdout.write(_("%(count)d total rows written.") % {"count": ProjectTotal.objects.count()})
