from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from counties.models import County
from villages.projects.imports.export import pool_title, pool_xlsx
from villages.projects.models import Project


class Command(BaseCommand):
    help = _(
        "Export the project pool (项目库) to an .xlsx file in the shape import_projects reads: importing it back "
        "changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help=_("The .xlsx file to write."))
        parser.add_argument("--year", type=int, help=_("Only the projects of this programme year."))
        parser.add_argument("--county", help=_("Only the projects of this county (6-digit code)."))

    def handle(self, *args, path, year, county, **options):
        if path.suffix.lower() != ".xlsx":
            raise CommandError(_("%(path)s: the file name must end in .xlsx") % {"path": path})
        projects = Project.objects.all()
        place = None
        if year is not None:
            projects = projects.filter(year=year)
        if county:
            place = County.objects.filter(code=county).first()
            if place is None:
                raise CommandError(_("%(code)s is not the code of a county") % {"code": county})
            projects = projects.filter(county=place)
        try:
            path.write_bytes(pool_xlsx(projects, pool_title(year, place)))
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from None
        self.stdout.write(
            self.style.SUCCESS(_("%(count)d projects written to %(path)s.") % {"count": projects.count(), "path": path})
        )
