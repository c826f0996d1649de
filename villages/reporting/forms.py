from django import forms
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from villages.reporting.models import Bulletin
from villages.reporting.rates import SORT_KEYS


class SortForm(forms.Form):
    sort = forms.ChoiceField(
        required=False, choices=[(key, key) for name in SORT_KEYS for key in (name, f"-{name}")] + [("", "")]
    )

    def selected(self):
        return self.cleaned_data.get("sort", "") if self.is_valid() else ""


class BackForm(forms.Form):
    """Where to go back to after an action: a page of this site, else `default`."""

    next = forms.CharField(required=False, max_length=500)

    def back(self, request, default):
        target = self.cleaned_data.get("next", "") if self.is_valid() else ""
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return target
        return default


class IssueForm(forms.ModelForm):
    class Meta:
        model = Bulletin
        fields = ["number"]
        labels = {"number": _("Document number (文号), may stay empty")}
