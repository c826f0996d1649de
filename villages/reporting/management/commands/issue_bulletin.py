from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from counties.access import city_of, is_province_admin
from counties.models import City
from villages.reporting import access, bulletins, documents
from villages.reporting.models import Period
from villages.reporting.pages import the_only_city


class Command(BaseCommand):
    help = _(
        "Issue the 通报 of a closed report period and write it as a DOCX (with --xlsx, its annex as XLSX too). "
        "Issuing freezes the period's figures: running it again writes the same bulletin, whatever reports arrived "
        "since. The 通报 is the user's city's (--city for a province administrator; without it, the province's)."
    )

    def add_arguments(self, parser):
        parser.add_argument("period", help=_("The period's key, e.g. 2025-10."))
        parser.add_argument("--user", required=True, help=_("The administrator who issues it (a username)."))
        parser.add_argument("--output", required=True, type=Path, help=_("Where to write the DOCX."))
        parser.add_argument("--xlsx", type=Path, help=_("Where to write the XLSX annex (optional)."))
        parser.add_argument("--city", help=_("A city's code, for a province administrator issuing a city's 通报."))
        parser.add_argument("--number", default="", help=_("The document number (文号), if the office has one."))

    def handle(self, *args, period, user, output, xlsx, city, number, **options):
        found = Period.objects.filter(key=period).first()
        if found is None:
            raise CommandError(_("There is no report period %(key)s.") % {"key": period})
        issuer = get_user_model().objects.filter(username=user, is_active=True).first()
        if issuer is None:
            raise CommandError(_("There is no active user %(user)s.") % {"user": user})
        place = self.place(found, issuer, city)
        if not access.can_issue_bulletin(issuer, place.code if place else None):
            raise CommandError(
                _("%(user)s may not issue the 通报 of %(place)s.")
                % {"user": user, "place": place.name if place else _("the province")}
            )
        try:
            bulletin, created = bulletins.issue(found, place, issuer, number)
        except bulletins.NotIssuable as refused:
            raise CommandError(str(refused)) from None
        output.write_bytes(documents.bulletin_docx(bulletin))
        if xlsx:
            xlsx.write_bytes(documents.bulletin_xlsx(bulletin))
        self.stdout.write(
            (
                _("Issued the 通报 of %(period)s (%(place)s).")
                if created
                else _("The 通报 of %(period)s (%(place)s) was issued already: written as issued.")
            )
            % {"period": found.name, "place": bulletin.figures["place"]["name"]}
        )
        self.stdout.write(_("Written: %(path)s") % {"path": output})

    def place(self, period, issuer, code):
        if code:
            city = City.objects.filter(code=code).first()
            if city is None:
                raise CommandError(_("There is no city with the code %(code)s.") % {"code": code})
            return city
        if period.city_id:
            return period.city
        if city_of(issuer) and not is_province_admin(issuer):
            return City.objects.get(code=city_of(issuer))
        return the_only_city()
