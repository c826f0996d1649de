from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from counties.models import County
from villages.imports.export import FORMATS, export_bytes
from villages.models import Village


class Command(BaseCommand):
    help = _(
        "Export villages to an .xlsx or .csv file (UTF-8 with BOM) with the import's Chinese headers; "
        "the format comes from the file name's extension. An export imports back unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help=_("The .xlsx or .csv file to write."))
        parser.add_argument("--county", help=_("Only the villages of this county (6-digit code)."))

    def handle(self, *args, path, county, **options):
        file_format = path.suffix.lower().lstrip(".")
        if file_format not in FORMATS:
            raise CommandError(_("%(path)s: the file name must end in .xlsx or .csv") % {"path": path})
        villages = Village.objects.all()
        if county:
            if not County.objects.filter(code=county).exists():
                raise CommandError(_("%(code)s is not the code of a county") % {"code": county})
            villages = villages.filter(county_id=county)
        try:
            path.write_bytes(export_bytes(villages, file_format))
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from None
        self.stdout.write(
            self.style.SUCCESS(_("%(count)d villages written to %(path)s.") % {"count": villages.count(), "path": path})
        )
