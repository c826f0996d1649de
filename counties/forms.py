from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from counties import access
from counties.models import Pairing, PairingActivity, Profile
from counties.ranges import a_year_ahead, apply_limits, check_date


class DateInput(forms.DateInput):
    """The browser's date picker, which reads and writes ISO dates (the language's date format it would not)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PairingForm(forms.ModelForm):
    # The last history record the editor saw: a save over someone else's newer change is refused.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Pairing
        fields = [
            "kind",
            "county_a",
            "county_b",
            "start_year",
            "end_year",
            "focus_areas",
            "committed_funds",
            "committed_projects",
            "committed_people",
        ]
        widgets = {"focus_areas": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, counties=None, **kwargs):
        """`counties`: those the user may pair (counties.access.pairing_counties), every county without."""
        super().__init__(*args, **kwargs)
        apply_limits(self)
        if counties is not None:
            self.fields["county_a"].queryset = self.fields["county_b"].queryset = counties
        if self.instance.pk:
            self.fields["seen_version"].initial = self.current_version()

    def current_version(self):
        return self.instance.history.order_by("-history_id").values_list("history_id", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("seen_version") != self.current_version():
            raise forms.ValidationError(
                _(
                    "Someone else changed this pairing while you were editing it. Reload the page to see their change, then edit again."
                )
            )
        a, b, kind = cleaned.get("county_a"), cleaned.get("county_b"), cleaned.get("kind")
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if a and b and a == b:
            self.add_error("county_b", _("A pairing needs two different counties."))
        elif a and b and kind:
            same_pair = Pairing.objects.filter(Q(county_a=a, county_b=b) | Q(county_a=b, county_b=a), kind=kind)
            if self.instance.pk:
                same_pair = same_pair.exclude(pk=self.instance.pk)
            if same_pair.exists():
                self.add_error(
                    "county_b",
                    _("%(a)s and %(b)s already have a pairing of this type (%(kind)s); edit that one instead.")
                    % {"a": a, "b": b, "kind": Pairing.Kind(kind).label},
                )
        for name in ["start_year", "end_year"]:
            year = cleaned.get(name)
            if year is not None and not 2000 <= year <= 2100:
                self.add_error(name, _("Enter a year between 2000 and 2100."))
        if start and end and end < start:
            self.add_error("end_year", _("The end year cannot be before the start year."))
        return cleaned


class PairingActivityForm(forms.ModelForm):
    class Meta:
        model = PairingActivity
        fields = ["date", "description", "funds", "projects", "people"]
        widgets = {
            "date": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apply_limits(self)
        self.fields["date"].widget.attrs["max"] = a_year_ahead().isoformat()

    def clean_date(self):
        return check_date(self.cleaned_data["date"], a_year_ahead())


class ProfileForm(forms.ModelForm):
    """A role with its scope, given in the admin: refused with the reason when they do not fit together, or when
    it reaches beyond the scope of the administrator giving it."""

    acting_user = None  # set by the admin

    class Meta:
        model = Profile
        fields = ["role", "city", "counties"]

    def clean(self):
        cleaned = super().clean()
        if "role" not in cleaned:
            return cleaned
        self.instance.role, self.instance.city = cleaned["role"], cleaned.get("city")
        counties = cleaned.get("counties") or []
        for field, problem in self.instance.scope_problems(counties).items():
            self.add_error(field, problem)
        user = self.acting_user
        if user is None or access.is_province_admin(user):
            return cleaned
        if cleaned["role"] in (Profile.Role.PROVINCE_ADMIN, Profile.Role.PROVINCE_VIEWER):
            self.add_error("role", _("Only province administrators give province roles."))
        city = cleaned.get("city")
        if city is not None and city.code != access.city_of(user):
            self.add_error("city", _("You administer one city: give roles of that city only."))
        outside = [county.name for county in counties if not access.administers_county(user, county.code)]
        if outside:
            self.add_error(
                "counties",
                _("These counties are outside your city: %(counties)s.") % {"counties": "、".join(outside)},
            )
        return cleaned
