"""The forms of the 项目库 file pages: the import (a file, its programme year), and the 公示 (year and notice period)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counties.ranges import FIRST_DATE
from villages.forms import VillageImportForm, checked_import_size
from villages.models import FIRST_PROGRAMME_YEAR, LAST_PROGRAMME_YEAR
from villages.projects.notice import Notice

YEARS = [(year, str(year)) for year in range(FIRST_PROGRAMME_YEAR, LAST_PROGRAMME_YEAR + 1)]


def this_year():
    return timezone.localdate().year


class PoolImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("XLSX, XLSB, XLS, ODS or CSV (UTF-8 or GBK)."))
    year = forms.TypedChoiceField(
        label=_("Programme year"),
        choices=YEARS,
        coerce=int,
        initial=this_year,
        help_text=_("Of rows without a 年度 cell."),
    )
    encoding = forms.ChoiceField(label=_("Encoding (CSV only)"), choices=VillageImportForm.ENCODINGS, required=False)

    def clean_file(self):
        return checked_import_size(self.cleaned_data["file"])


class NoticeForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Programme year"), choices=YEARS, coerce=int, initial=this_year)
    start = forms.DateField(
        label=_("Posted from"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The first day of the notice period."),
    )
    days = forms.IntegerField(
        label=_("Days posted"), min_value=5, max_value=60, initial=10, help_text=_("At least 5 days (公示期).")
    )

    def notice(self, place):
        data = self.cleaned_data
        return Notice(place, data["year"], data["start"], data["days"])

    def clean_start(self):
        start = self.cleaned_data["start"]
        if start < FIRST_DATE or start.year > LAST_PROGRAMME_YEAR:
            raise forms.ValidationError(_("Enter a date from the programme's years."))
        return start
