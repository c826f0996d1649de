from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villages.models import FIRST_PROGRAMME_YEAR, LAST_PROGRAMME_YEAR
from villages.reporting.periods import create_monthly_periods


class Command(BaseCommand):
    help = _(
        "Create the twelve monthly report periods (月报) of a programme year, each due on --deadline-day of the "
        "month after (5: the 5th). Months that already have their period are left as they are, so running it again "
        "changes nothing; a month that overlaps another period is refused and nothing is created."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help=_("The programme year, e.g. 2025."))
        parser.add_argument(
            "--deadline-day",
            type=int,
            default=5,
            help=_("Day of the next month by which a period's reports are due (1–28, default 5)."),
        )

    def handle(self, *args, year, deadline_day, **options):
        if not FIRST_PROGRAMME_YEAR <= year <= LAST_PROGRAMME_YEAR:
            raise CommandError(
                _("The year %(year)d is outside the programme's years, %(first)d to %(last)d.")
                % {"year": year, "first": FIRST_PROGRAMME_YEAR, "last": LAST_PROGRAMME_YEAR}
            )
        try:
            made = create_monthly_periods(year, deadline_day)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            _("Created %(created)d periods of %(year)d; %(existing)d were already there.")
            % {"created": len(made.created), "year": year, "existing": len(made.existing)}
        )
        for period in made.created:
            self.stdout.write(
                f"  {period.key}  {period.start} – {period.end}  "
                + _("due %(deadline)s") % {"deadline": period.deadline}
            )
