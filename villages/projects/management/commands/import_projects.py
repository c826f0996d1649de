from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from villages.management.commands.import_villages import reading_notes
from villages.management.file_import import importing_user, not_imported, read_file
from villages.models import FIRST_PROGRAMME_YEAR, LAST_PROGRAMME_YEAR
from villages.projects.access import can_import_projects
from villages.projects.imports.importer import import_pool


class Command(BaseCommand):
    help = _(
        "Import a project pool (项目库) as counties publish it (XLSX, XLSB, XLS, ODS, or CSV in UTF-8 or GBK): "
        "projects by village, category, works, funds by source, 实施期限, 实施主体, 责任单位. Every row is checked "
        "first; if any row is wrong, all problems are listed and nothing is written (exit status 1). Prints the "
        "projects created, updated and unchanged, and the planned total per source."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help=_("The .xlsx, .xlsb, .xls, .ods or .csv file."))
        parser.add_argument(
            "--year",
            type=int,
            required=True,
            choices=range(FIRST_PROGRAMME_YEAR, LAST_PROGRAMME_YEAR + 1),
            metavar="YEAR",
            help=_("Programme year of rows without a 年度 cell, e.g. 2025."),
        )
        parser.add_argument(
            "--user",
            required=True,
            help=_("Username of the city administrator or county editor importing (recorded in the history)."),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check and report what would change, write nothing.")
        )
        parser.add_argument("--encoding", help=_("Encoding of a CSV file (default: detected), e.g. gb18030 or utf-8."))

    def handle(self, *args, path, year, user, dry_run, encoding, **options):
        importer = importing_user(
            user,
            can_import_projects,
            _("%(user)s is not an active city administrator or county editor; only they may import projects."),
        )
        result = import_pool(read_file(path), path.name, importer, year, encoding=encoding, dry_run=dry_run)
        notes = list(reading_notes(result))
        if not result.ok:
            for line in notes:
                self.stderr.write(line)
            raise not_imported(path.name, result.problems)
        for line in notes:
            self.stdout.write(line)
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(_("Warning: %(warning)s") % {"warning": warning}))
        counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        if dry_run:
            self.stdout.write(
                _(
                    "Dry run: %(created)d projects would be created, %(updated)d updated, %(unchanged)d unchanged. Nothing written."
                )
                % counts
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Projects created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d.") % counts
                )
            )
        self.stdout.write(_("Planned in the file, by source (万元):"))
        for source, amount in result.planned_by_source.items():
            self.stdout.write(f"  {source}: {amount:.2f}")
        self.stdout.write("  " + _("total: %(total)s") % {"total": f"{sum(result.planned_by_source.values(), 0):.2f}"})
