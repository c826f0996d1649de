from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from api import access, tokens
from api.models import ApiToken


def positive_days(value):
    days = int(value)
    if days < 1:
        raise ValueError(value)
    return days


class Command(BaseCommand):
    help = _(
        "Make an API token for a user and print it, once (for scripts and servers; users make their own on their "
        "account page). The token sees what the user sees; it is read-only unless made with --write, which only "
        "administrators may have. Only a digest of it is stored: keep the printed token in a file only its owner "
        "reads."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("The user the token acts as."))
        parser.add_argument("--name", required=True, help=_("What the token is for, e.g. “nightly GeoPackage”."))
        parser.add_argument(
            "--write", action="store_true", help=_("Allow changes too (administrators only); read-only without it.")
        )
        parser.add_argument(
            "--expires-days",
            type=positive_days,
            metavar="N",
            help=_("The token stops working after N days (a whole number, 1 or more); without it, when revoked."),
        )

    def handle(self, *args, username, name, write, expires_days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no user %(username)s.") % {"username": username})
        if not user.is_active:
            raise CommandError(_("The account %(username)s is disabled.") % {"username": username})
        if write and not access.may_give_write_access(user):
            raise CommandError(
                _("%(username)s is not an administrator: only administrators may have a token with write access.")
                % {"username": username}
            )
        name = name.strip()
        if not name:
            raise CommandError(_("Give the token a name (--name)."))
        if ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
            raise CommandError(
                _("%(username)s already has a token named “%(name)s”: choose another name, or revoke that one.")
                % {"username": username, "name": name}
            )
        record, token = tokens.create_token(user, name, write, expires_days)
        self.stderr.write(
            _("Made the %(scope)s token “%(name)s” for %(username)s%(expiry)s. It is printed below, once:")
            % {
                "scope": _("read-write") if write else _("read-only"),
                "name": name,
                "username": username,
                "expiry": _(", valid until %(date)s") % {"date": record.expires_at.date()} if expires_days else "",
            }
        )
        self.stdout.write(token)
