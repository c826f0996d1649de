from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villages.registry_loader import RegistryError, load_registry


class Command(BaseCommand):
    help = _(
        "Load the official registry of a city or a province (provinces, cities, county boundaries, township-level "
        "units, village committees, and the city's targets) from counties.geojson, counties_without_boundary.csv "
        "(optional), townships.csv, villages.csv and targets.csv (optional). Checks every row first and writes nothing if any "
        "is bad; a second run changes nothing; names are updated and new units added; villages are never deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=settings.DATA_DIR,
            help=_("Folder holding counties.geojson, townships.csv and villages.csv (default: the shipped data)."),
        )

    def handle(self, *args, data_dir, **options):
        try:
            result = load_registry(data_dir)
        except RegistryError as error:
            raise CommandError(
                _("Registry not loaded, nothing was written. %(count)d problem(s):\n%(problems)s")
                % {"count": len(error.messages), "problems": "\n".join(error.messages)}
            ) from None
        for label, counts in (
            (_("Counties"), result["counties"]),
            (_("Townships"), result["townships"]),
            (_("Villages"), result["villages"]),
            (_("Targets"), result["targets"]),
        ):
            self.stdout.write(
                _("%(label)s: %(total)d (%(created)d created, %(updated)d updated, %(unchanged)d unchanged)")
                % {
                    "label": label,
                    "total": counts.total,
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                }
            )
        missing = result["villages"].kept_missing
        if missing:
            self.stdout.write(
                self.style.WARNING(
                    _("%(count)d village(s) in the database are not in the file and were kept: %(codes)s")
                    % {"count": len(missing), "codes": ", ".join(missing[:20]) + (" …" if len(missing) > 20 else "")}
                )
            )
        if not any(counts.created or counts.updated for counts in result.values()):
            self.stdout.write(self.style.SUCCESS(_("Registry already up to date: nothing changed.")))
        else:
            self.stdout.write(self.style.SUCCESS(_("Registry loaded.")))
