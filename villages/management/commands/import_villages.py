from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from counties.coords import CoordinateSystem
from villages.access import can_import_villages
from villages.imports import problem_list
from villages.imports.importer import import_villages
from villages.management.file_import import importing_user, not_imported, read_file


class Command(BaseCommand):
    help = _(
        "Import a village list (XLSX, XLS, ODS, or CSV in UTF-8, UTF-8 with BOM or GBK/GB18030): tiers, programme years, "
        "statuses, progress, coordinates... of villages in the registry. Every row is checked first; if any row "
        "is wrong, all problems are listed and nothing is written (exit status 1), unless --skip-invalid is given. "
        "Changes are recorded in each village's history with the user and the file name."
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
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help=_(
                "Import the other rows when some rows have problems; those rows change nothing and are written, as "
                "the file gives them with a 问题 column, to a problem list (问题清单) to send back to the county "
                "(with --dry-run too)."
            ),
        )
        parser.add_argument(
            "--problems",
            type=Path,
            metavar="FILE.xlsx",
            help=_(
                "Where --skip-invalid writes the problem list (default: beside the file, named <file>-问题清单.xlsx)."
            ),
        )

    def handle(self, *args, path, user, dry_run, crs, encoding, skip_invalid, problems, **options):
        importer = importing_user(
            user,
            can_import_villages,
            _("%(user)s is not an active city administrator; only they may import villages."),
        )
        if problems and not skip_invalid:
            raise CommandError(_("--problems names the problem list of --skip-invalid; give both or neither."))
        content = read_file(path)

        def progress(rows):
            return tqdm(rows, desc=path.name, unit=_("rows"), disable=None)

        result = import_villages(
            content,
            path.name,
            importer,
            crs=crs,
            encoding=encoding,
            dry_run=dry_run,
            progress=progress,
            skip_invalid=skip_invalid,
        )
        problem_file = None
        if skip_invalid and result.problems and not result.file_problems:
            problem_file = problems or path.with_name(problem_list.filename(path.name))
            problem_file.write_bytes(problem_list.workbook_bytes(result))
        if not result.importable:
            for line in reading_notes(result):
                self.stderr.write(line)
            if problem_file:
                self.stderr.write(_("Problem list: %(path)s") % {"path": problem_file})
            raise not_imported(path.name, result.problems)
        for line in reading_notes(result):
            self.stdout.write(line)
        if result.skipped:
            self.stdout.write(self.problem_file_note(result, problem_file))
            for problem in result.problems:
                self.stdout.write(f"  {problem}")
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(_("Warning: %(text)s") % {"text": warning.text}))
        counts = {"rows": len(result.imported_rows), "changed": result.changed, "unchanged": result.unchanged}
        if dry_run:
            self.stdout.write(
                _("Dry run: %(rows)d rows, %(changed)d would change, %(unchanged)d unchanged. Nothing written.")
                % counts
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Imported %(rows)d rows: %(changed)d changed, %(unchanged)d unchanged.") % counts)
            )

    def problem_file_note(self, result, path):
        return _("Skipped %(count)d rows with problems; they changed nothing. Problem list: %(path)s") % {
            "count": len(result.bad_lines),
            "path": path,
        }


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
