from django import forms
from django.utils.translation import gettext_lazy as _

from api.access import may_give_write_access
from api.models import ApiToken

EXPIRY_CHOICES = [
    (30, _("in 30 days")),
    (90, _("in 90 days")),
    (365, _("in a year")),
    (0, _("never (until revoked)")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, e.g. “QGIS on the GIS office PC”: so you know which to revoke."),
    )
    expires_in = forms.TypedChoiceField(
        label=_("Expires"), choices=EXPIRY_CHOICES, coerce=int, initial=90, widget=forms.RadioSelect
    )
    can_write = forms.BooleanField(
        label=_("Write access"),
        required=False,
        help_text=_("Only for scripts that change records; a read-only token is enough for QGIS and downloads."),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not may_give_write_access(user):
            del self.fields["can_write"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if ApiToken.objects.filter(user=self.user, name=name, revoked_at__isnull=True).exists():
            raise forms.ValidationError(_("You already have a token with this name: choose another."))
        return name
