"""The filters shared by the map page, its PNG and the GeoJSON: year, tier, status, county.

Every county can be chosen (its figures are open to all); the villages drawn are those the user may see.
"""

from django import forms
from django.db.models import Q
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from counties.models import County
from villages.access import visible_villages
from villages.forms import YearFilterForm
from villages.maps import colourings
from villages.models import Status, Tier
from villages.progress.counts import TIERS as DESIGNATED_TIERS


class MapFilterForm(YearFilterForm):
    tier = forms.ChoiceField(
        label=_("Tier"),
        required=False,
        choices=[("", _("All tiers"))]
        + [(tier.value, tier.label) for tier in DESIGNATED_TIERS]
        + [(Tier.NONE, _("other villages"))],
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All statuses"))] + Status.choices)
    county = forms.ChoiceField(label=_("County"), required=False)
    colour = forms.ChoiceField(label=_("Colour counties by"), required=False)

    def __init__(self, data, user):
        super().__init__(data)
        self.user = user
        self.counties = {county.code: county for county in County.objects.only("code", "name")}
        self.fields["county"].choices = [("", _("All counties"))] + [
            (code, county.name) for code, county in self.counties.items()
        ]
        self.fields["colour"].choices = colourings.choices()

    @property
    def selected_year(self):
        return self.cleaned_data["year"]

    @property
    def selected_county(self):
        """The selected County, or None for all the user may see."""
        return self.counties.get(self.cleaned_data["county"])

    def designated_tiers(self):
        """The tiers whose quotas the county choropleth counts."""
        tier = self.cleaned_data["tier"]
        return [tier] if tier in DESIGNATED_TIERS else DESIGNATED_TIERS

    def villages(self):
        """The villages the user may see that match the filters: designated for the year, or not designated at all."""
        data = self.cleaned_data
        villages = visible_villages(self.user).filter(Q(programme_year=data["year"]) | Q(tier=Tier.NONE))
        if data["tier"]:
            villages = villages.filter(tier=data["tier"])
        if data["status"]:
            villages = villages.filter(status=data["status"])
        if data["county"]:
            villages = villages.filter(county_id=data["county"])
        return villages

    def query_string(self, drop=(), **extra):
        """The filters as GET parameters, to carry them to the PNG, the GeoJSON and the village list."""
        params = {
            name: self.cleaned_data[name] for name in self.fields if self.cleaned_data.get(name) and name not in drop
        }
        params.update(extra)
        return urlencode(params)

    def unlocated(self):
        """The villages of the filters that have no location, and the village list's query that shows exactly them.

        "Other" villages have no programme year, so the year applies only to designated villages.
        """
        unlocated = self.villages().filter(lat__isnull=True)
        if self.cleaned_data["tier"] == Tier.NONE:
            return unlocated, self.query_string(drop=("year", "colour"), located="no")
        return unlocated.designated(), self.query_string(drop=("colour",), located="no")

    def error_text(self):
        return "; ".join(f"{self.fields[name].label}: {' '.join(errors)}" for name, errors in self.errors.items())
