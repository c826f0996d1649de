from django.utils.translation import gettext as _

from villages.backup import backup
from villages.management.archive import ArchiveCommand


class Command(ArchiveCommand):
    help = _(
        "Write everything the app holds (every table of every app, with history, users and roles, and the "
        "uploaded photos under MEDIA_ROOT) to one new zip file, readable by its owner only: it holds password "
        "hashes. Safe to run while the app is in use."
    )
    path_help = _("The archive to write, e.g. /var/backups/villages-2025-06-30.zip (must not exist).")
    done = _("Backed up %(rows)d rows from %(tables)d tables and %(files)d files to %(path)s.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--include-sessions",
            action="store_true",
            help=_("Also back up live sessions and login attempts (left out by default: a session key logs in)."),
        )

    def run(self, path, database, options):
        return backup(path, using=database, include_sessions=options["include_sessions"])
