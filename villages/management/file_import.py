"""What the commands that import a spreadsheet share: who imports, reading the file, and the refusal."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def importing_user(username, may_import, refusal):
    """The active user who may import, or a CommandError with `refusal` (a message with %(user)s)."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not may_import(user):
        raise CommandError(refusal % {"user": username})
    return user


def read_file(path):
    """The file's bytes; a file over IMPORT_MAX_BYTES is refused before it is read."""
    try:
        size = path.stat().st_size
        if size > settings.IMPORT_MAX_BYTES:
            raise CommandError(
                _("%(name)s is %(size).1f MB; an import file may be at most %(limit)d MB.")
                % {"name": path.name, "size": size / 2**20, "limit": settings.IMPORT_MAX_BYTES // 2**20},
                returncode=1,
            )
        return path.read_bytes()
    except OSError as error:
        raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}) from None


def not_imported(name, problems):
    return CommandError(
        _("%(name)s not imported, nothing was written. %(count)d problem(s):\n%(problems)s")
        % {"name": name, "count": len(problems), "problems": "\n".join(map(str, problems))},
        returncode=1,
    )
