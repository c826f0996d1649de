from django import forms
from django.utils.translation import gettext_lazy as _

from villages.dashboard import SORT_KEYS, TIERS
from villages.models import Tier


class DashboardFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    tier = forms.ChoiceField(label=_("Tier"), choices=[(tier.value, tier.label) for tier in TIERS])
    sort = forms.ChoiceField(
        required=False, choices=[("", "")] + [(key, key) for key in SORT_KEYS] + [(f"-{key}", key) for key in SORT_KEYS]
    )

    def __init__(self, data, years, default_year):
        data = {"year": default_year, "tier": Tier.SHOWCASE, **{key: value for key, value in data.items() if value}}
        super().__init__(data)
        self.fields["year"].choices = [(year, year) for year in years]
        self.default_year = default_year

    def selection(self):
        """(year, tier, sort): the valid values, or the defaults for any invalid one."""
        self.is_valid()
        cleaned = self.cleaned_data
        return (
            cleaned.get("year", self.default_year),
            cleaned.get("tier", Tier.SHOWCASE),
            cleaned.get("sort", ""),
        )
