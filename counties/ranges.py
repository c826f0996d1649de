"""The ranges every form keeps values in: dates, amounts and text lengths. One place, for both apps."""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIRST_DATE = date(2018, 1, 1)  # the programme's first year: nothing it records happened earlier
TEXT_MAX_LENGTH = 2000  # free text (works, notes, reasons, descriptions)


def a_year_ahead():
    return timezone.localdate() + timedelta(days=365)


def check_date(value, latest):
    """ValidationError unless FIRST_DATE <= value <= latest."""
    if not FIRST_DATE <= value <= latest:
        raise ValidationError(
            _("Enter a date from %(first)s to %(last)s.")
            % {"first": formats.date_format(FIRST_DATE, "Y-m-d"), "last": formats.date_format(latest, "Y-m-d")}
        )
    return value


def apply_limits(form):
    """Every text field of the form gets a maximum length and every amount a minimum of 0, both checked on the
    server and shown to the browser (maxlength, min)."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.HiddenInput):
            if field.max_length is None:
                field.max_length = TEXT_MAX_LENGTH
                field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
            field.widget.attrs.setdefault("maxlength", str(field.max_length))
        elif isinstance(field, forms.DecimalField):
            if field.min_value is None or field.min_value < 0:
                field.min_value = 0
                field.validators.append(MinValueValidator(0, message=gettext_lazy("Funds cannot be negative.")))
            field.widget.attrs["min"] = "0"
        elif isinstance(field, forms.DateField):
            field.widget.attrs.setdefault("min", FIRST_DATE.isoformat())
