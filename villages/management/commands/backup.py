from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villages.backup import BackupError, backup


class Command(BaseCommand):
    help = _(
        "Write everything the app holds (every table of every app, with history, users and roles, and the "
        "uploaded photos under MEDIA_ROOT) to one new zip file. Safe to run while the app is in use."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help=_("The archive to write, e.g. /var/backups/villages-2025-06-30.zip (must not exist).")
        )
        parser.add_argument("--database", default="default", help=_("The database to back up (default: default)."))

    def handle(self, *args, path, database, **options):
        try:
            manifest = backup(path, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Backed up %(rows)d rows from %(tables)d tables and %(files)d files to %(path)s.")
                % {
                    "rows": sum(manifest["tables"].values()),
                    "tables": len(manifest["tables"]),
                    "files": manifest["media_files"],
                    "path": path,
                }
            )
        )
