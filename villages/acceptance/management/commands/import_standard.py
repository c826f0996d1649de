from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from villages.acceptance.access import can_manage_standards
from villages.acceptance.standard_file import import_standard
from villages.management.file_import import importing_user, not_imported, read_file
from villages.models import FIRST_PROGRAMME_YEAR, LAST_PROGRAMME_YEAR


def decimal(text):
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None


class Command(BaseCommand):
    help = _(
        "Import an acceptance standard (评分细则) for a tier and programme year from the city's spreadsheet (XLSX or "
        "XLS): a header with 考核内容, 序号, 考核要点, 分值 (and optionally 评分标准, 佐证资料, 一票否决) on the first "
        "or second row, categories in merged cells, a 合计 row. It becomes the newest version of that tier and "
        "year's standard. On any problem, all of them are listed and nothing is written (exit status 1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help=_("The .xlsx or .xls file."))
        parser.add_argument("--tier", required=True, choices=["showcase", "upgraded"], help=_("The tier."))
        parser.add_argument(
            "--year",
            required=True,
            type=int,
            choices=range(FIRST_PROGRAMME_YEAR, LAST_PROGRAMME_YEAR + 1),
            metavar="YEAR",
            help=_("The programme year, e.g. 2025."),
        )
        parser.add_argument(
            "--pass-score", required=True, type=decimal, help=_("The pass score set by the city, e.g. 90.")
        )
        parser.add_argument("--user", required=True, help=_("Username of the city administrator importing it."))
        parser.add_argument("--name", default="", help=_("Name of the standard (default: the file's title row)."))

    def handle(self, *args, path, tier, year, pass_score, user, name, **options):
        importer = importing_user(
            user,
            can_manage_standards,
            _("%(user)s is not an active city administrator; only they may import standards."),
        )
        outcome = import_standard(read_file(path), path.name, tier, year, pass_score, importer, name=name)
        if not outcome.ok:
            raise not_imported(path.name, outcome.problems)
        self.stdout.write(self.style.SUCCESS(outcome.summary()))
