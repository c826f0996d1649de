from django.utils.translation import gettext as _

from villages.backup import restore
from villages.management.archive import ArchiveCommand


class Command(ArchiveCommand):
    help = _(
        "Restore an archive written by `backup` into an empty database on which `migrate` has run, and its "
        "photos into MEDIA_ROOT. Refuses a database that already holds data; restores all or nothing."
    )
    path_help = _("The archive written by `backup`.")
    done = _("Restored %(rows)d rows into %(tables)d tables and %(files)d files from the backup of %(created)s.")

    def run(self, path, database, options):
        return restore(path, using=database)
