"""What the `backup` and `restore` commands share: the archive argument, the database option, the summary."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villages.backup import BackupError


class ArchiveCommand(BaseCommand):
    path_help = ""
    done = ""  # the summary line, with %(rows)d, %(tables)d, %(files)d, %(path)s and %(created)s

    def add_arguments(self, parser):
        parser.add_argument("path", help=self.path_help)
        parser.add_argument("--database", default="default", help=_("The database to use (default: default)."))

    def handle(self, *args, path, database, **options):
        try:
            manifest = self.run(path, database, options)
        except BackupError as error:
            raise CommandError(str(error)) from None
        summary = {
            "rows": sum(manifest["tables"].values()),
            "tables": len(manifest["tables"]),
            "files": manifest["media_files"],
            "path": path,
            "created": manifest["created_at"],
        }
        self.stdout.write(self.style.SUCCESS(self.done % summary))

    def run(self, path, database, options):
        raise NotImplementedError
