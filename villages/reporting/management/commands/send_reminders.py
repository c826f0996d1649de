from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from villages.reporting.reminders import send_reminders


class Command(BaseCommand):
    help = _(
        "Send the 催报 due today: each county editor who owns a village not yet reported gets one in-app notice and "
        "one email per period and kind (a few days before the deadline, as the city set, and once overdue), however "
        "often and on however many servers this runs. Emails the mail server refused are sent on the next run. "
        "Run it from a systemd timer or cron, e.g. every hour."
    )

    def handle(self, *args, **options):
        outcome = send_reminders()
        self.stdout.write(
            _(
                "Reminders due: %(due)d (%(claimed)d new). Emails sent: %(sent)d; already sent: %(already)d; "
                "waiting for the mail server: %(waiting)d; without an email address: %(no_address)d."
            )
            % vars(outcome)
        )
        for error in outcome.errors[:3]:
            self.stderr.write(_("Mail server: %(error)s") % {"error": error})
