from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from counties.coords import CoordinateSystem
from villages.access import can_import_villages
from villages.imports.importer import import_villages
from villages.management.file_import import importing_user, not_imported, read_file


class Command(BaseCommand):
    help = _(
        "Import a village list (XLSX, XLS, ODS, or CSV in UTF-8, UTF-8 with BOM or GBK/GB18030): tiers, programme years, "
        "statuses, progress, coordinates... of villages in the registry. Every row is checked first; if any row "
        "is wrong, all problems are listed and nothing is written (exit status 1). Changes are recorded in each "
        "village's history with the user and the file name."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help=_("The .xlsx, .xls, .ods or .csv file."))
        parser.add_argument(
            "--user",
            required=True,
            help=_("Username of the city administrator doing the import (recorded in the history)."),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check and report what would change, write nothing.")
        )
        parser.add_argument(
            "--crs",
            choices=CoordinateSystem.values,
            default=CoordinateSystem.WGS84,
            help=_("Coordinate system of rows without a 坐标系 column value (default: wgs84)."),
        )
        parser.add_argument("--encoding", help=_("Encoding of a CSV file (default: detected), e.g. gb18030 or utf-8."))

    def handle(self, *args, path, user, dry_run, crs, encoding, **options):
        importer = importing_user(
            user,
            can_import_villages,
            _("%(user)s is not an active city administrator; only they may import villages."),
        )
        content = read_file(path)

        def progress(rows):
            return tqdm(rows, desc=path.name, unit=_("rows"), disable=None)

        result = import_villages(
            content, path.name, importer, crs=crs, encoding=encoding, dry_run=dry_run, progress=progress
        )
        if not result.ok:
            for line in reading_notes(result):
                self.stderr.write(line)
            raise not_imported(path.name, result.problems)
        for line in reading_notes(result):
            self.stdout.write(line)
        counts = {"rows": len(result.rows), "changed": result.changed, "unchanged": result.unchanged}
        if dry_run:
            self.stdout.write(
                _("Dry run: %(rows)d rows, %(changed)d would change, %(unchanged)d unchanged. Nothing written.")
                % counts
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Imported %(rows)d rows: %(changed)d changed, %(unchanged)d unchanged.") % counts)
            )


def reading_notes(result):
    """What the import read and left out, as the admin's preview says it."""
    if result.encoding:
        template = (
            _("Encoding: %(encoding)s (detected)")
            if result.encoding_detected
            else _("Encoding: %(encoding)s (as chosen)")
        )
        yield template % {"encoding": result.encoding}
    if result.sheets:
        yield _("Sheets read:") + " " + "、".join(result.sheets)
    if result.skipped_sheets:
        yield _("Sheets skipped:") + " " + "、".join(f"{name} ({why})" for name, why in result.skipped_sheets)
    if result.summary_rows:
        rows = [
            " ".join(filter(None, [sheet, _("row %(line)s") % {"line": line}])) + f" ({label})"
            for sheet, line, label in result.summary_rows
        ]
        yield _("Summary rows left out:") + " " + "、".join(rows)
