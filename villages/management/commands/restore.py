from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villages.backup import BackupError, restore


class Command(BaseCommand):
    help = _(
        "Restore an archive written by `backup` into an empty database on which `migrate` has run, and its "
        "photos into MEDIA_ROOT. Refuses a database that already holds data; restores all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("The archive written by `backup`."))
        parser.add_argument("--database", default="default", help=_("The database to restore into (default: default)."))

    def handle(self, *args, path, database, **options):
        try:
            manifest = restore(path, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored %(rows)d rows into %(tables)d tables and %(files)d files from the backup of %(created)s.")
                % {
                    "rows": sum(manifest["tables"].values()),
                    "tables": len(manifest["tables"]),
                    "files": manifest["media_files"],
                    "created": manifest["created_at"],
                }
            )
        )
