from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from counties.models import Profile
from villages.demo import DEMO_PASSWORD, DEMO_YEAR, demo_staff, editor_usernames, seed_demo
from villages.models import Tier


class Command(BaseCommand):
    help = _(
        "Development only (refuses to run with DEBUG off): designate an illustrative set of 40 showcase and "
        "300 upgraded villages for 2025 with illustrative locations, and create demo users with the password "
        "demo-pass-2025, illustrative county quotas and illustrative county pairings with activities. "
        "Running it again changes nothing."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(_("seed_demo only runs with DEBUG on: it creates users with a published password."))
        result = seed_demo()
        if result.villages_designated:
            self.stdout.write(
                _(
                    "Designated %(count)d illustrative villages for %(year)d (%(showcase)d showcase, %(upgraded)d upgraded)."
                )
                % {
                    "count": result.villages_designated,
                    "year": DEMO_YEAR,
                    "showcase": result.designated_by_tier[Tier.SHOWCASE],
                    "upgraded": result.designated_by_tier[Tier.UPGRADED],
                }
            )
        if result.quotas_created:
            self.stdout.write(_("Set %(count)d illustrative county quotas.") % {"count": result.quotas_created})
        if result.pairings_created:
            self.stdout.write(
                _("Recorded %(count)d illustrative county pairings with activities.")
                % {"count": result.pairings_created}
            )
        if result.users_created:
            self.stdout.write(_("Created demo users: %(users)s") % {"users": ", ".join(result.users_created)})
        for line in result.more:
            self.stdout.write(line)
        if not result.changed:
            self.stdout.write(_("Demo data already present: nothing changed."))
        staff = "、".join(
            f"{username}（{f'{city.name} ' if city else ''}{Profile.Role(role).label}）"
            for username, role, city in demo_staff()
        )
        self.stdout.write(
            _("Demo logins (password %(password)s): %(staff)s; county editors: %(editors)s")
            % {"password": DEMO_PASSWORD, "staff": staff, "editors": ", ".join(editor_usernames())}
        )
