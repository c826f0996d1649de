from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from counties.access import village_counties
from counties.boundaries import outside_area
from counties.coords import CoordinateSystem, to_wgs84
from counties.forms import DateInput
from counties.geo import point_inside_county
from counties.models import Township
from counties.ranges import TEXT_MAX_LENGTH, apply_limits, check_date
from villages import access, evidence, workflow
from villages.models import PROGRAMME_FIELDS, LocationSource, Status, Tier, Village
from villages.photos import check_request_pixels, clean_photo
from villages.progress import counts
from villages.progress.counts import TIERS
from villages.progress.dashboard import SORT_KEYS


class PlainSelect(forms.Select):
    """A <select> written in one pass, without a template per option: a province has 1,475 townships, and
    Django's template per option took most of the village list's time. Its choices are (value, label) pairs."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{escape(key)}"{" selected" if str(key) in chosen else ""}>{escape(label)}</option>'
            for key, label in self.choices
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attributes, mark_safe(options))


class VillageFilterForm(forms.Form):
    """The village list's filters. Anything a user could type in the address bar is validated here. The list starts
    with the programme's villages (a tier set, any year); "all" is one click away."""

    PAGE_SIZE = 50
    PROGRAMME, ALL = "programme", "all"

    SORTS = {
        "code": "code",
        "name": "short_name",
        "township": "township__name",
        "tier": "tier",
        "status": "status",
        "progress": "progress",
        "updated": "updated_at",
    }
    q = forms.CharField(label=_("Name or code"), required=False, max_length=50)
    county = forms.ModelChoiceField(
        label=_("County"), queryset=None, required=False, empty_label=_("All counties"), widget=PlainSelect
    )
    township = forms.ModelChoiceField(
        label=_("Township"), queryset=None, required=False, empty_label=_("All townships"), widget=PlainSelect
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    year = forms.TypedChoiceField(label=_("Programme year"), required=False, coerce=int, empty_value=None)
    acceptance = forms.ChoiceField(
        label=_("Acceptance"),
        required=False,
        choices=[("", _("All")), ("waiting", _("awaiting review (待复核)")), ("returned", _("returned (已退回)"))],
    )
    located = forms.ChoiceField(
        label=_("Location"),
        required=False,
        choices=[("", _("All")), ("yes", _("Has a location")), ("no", _("No location"))],
    )
    sort = forms.ChoiceField(required=False, choices=[(key, key) for name in SORTS for key in (name, "-" + name)])

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        counties = village_counties(user)
        self.fields["county"].queryset = counties
        self.counties = list(counties.values_list("code", "name"))  # (code, name) of the counties offered
        self.several_counties = len(self.counties) > 1
        self.fields["county"].widget.choices = [("", self.fields["county"].empty_label)] + self.counties
        township = self.fields["township"]
        township.queryset = Township.objects.filter(county__in=counties)
        # With a county chosen, its townships only (a province has 1,475), named without the county.
        chosen = self.data.get("county") if self.data.get("county") in dict(self.counties) else None
        offered = township.queryset.filter(county_id=chosen) if chosen else township.queryset
        named_with_county = self.several_counties and chosen is None
        township.widget.choices = [("", township.empty_label)] + [
            (code, f"{county} · {name}" if named_with_county else name)
            for code, county, name in offered.values_list("code", "county__name", "name")
        ]
        self.fields["tier"].choices = [
            (self.PROGRAMME, _("Programme villages (any tier)")),
            (Tier.SHOWCASE, Tier.SHOWCASE.label),
            (Tier.UPGRADED, Tier.UPGRADED.label),
            (Tier.NONE, _("Not in the programme")),
            (self.ALL, _("All villages")),
        ]
        self.fields["status"].choices = [("", _("All statuses"))] + Status.choices
        years = (
            access.visible_villages(user)
            .exclude(programme_year=None)
            .order_by("programme_year")
            .values_list("programme_year", flat=True)
            .distinct()
        )
        self.years = list(years)
        self.fields["year"].choices = [("", _("All years"))] + [(year, year) for year in self.years]

    def clean_tier(self):
        return self.cleaned_data.get("tier") or self.PROGRAMME

    def this_year(self):
        """The year the "this year's" link picks: this year, else the latest year that has villages."""
        year = timezone.localdate().year
        return year if year in self.years or not self.years else max(self.years)

    def clean(self):
        data = super().clean()
        county, township = data.get("county"), data.get("township")
        if county and township and township.county_id != county.code:
            data["township"] = None  # the county was changed after the township was chosen: the county counts
        return data

    def filter(self, villages):
        data = self.cleaned_data
        if data.get("q"):
            query = data["q"].strip()
            villages = (
                villages.filter(code__startswith=query) if query.isdigit() else villages.filter(name__contains=query)
            )
        if data["tier"] == self.PROGRAMME:
            villages = villages.designated()
        elif data["tier"] != self.ALL:
            villages = villages.filter(tier=data["tier"])
        for name, lookup in [
            ("county", "county"),
            ("township", "township"),
            ("status", "status"),
            ("year", "programme_year"),
        ]:
            if data.get(name) not in (None, ""):
                villages = villages.filter(**{lookup: data[name]})
        if data.get("acceptance") == "waiting":
            villages = villages.filter(status=Status.UNDER_REVIEW)
        elif data.get("acceptance") == "returned":  # the reason stays until the village applies again
            villages = villages.exclude(return_reason="")
        if data.get("located") == "yes":
            villages = villages.filter(lat__isnull=False)
        elif data.get("located") == "no":
            villages = villages.filter(lat__isnull=True)
        sort = data.get("sort") or "code"
        field = self.SORTS[sort.lstrip("-")]
        return villages.order_by(("-" if sort.startswith("-") else "") + field, "code")


class VillageForm(forms.ModelForm):
    """The edit page. Status moves only as villages.access allows; tier and year only for the city."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    location_lat = forms.FloatField(
        label=_("Latitude"), required=False, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    location_lon = forms.FloatField(
        label=_("Longitude"), required=False, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    coordinate_system = forms.ChoiceField(
        label=_("Read from"),
        choices=CoordinateSystem.choices,
        initial=CoordinateSystem.WGS84,
        help_text=_(
            "Coordinates from 高德 or 腾讯 maps are GCJ-02, from 百度 maps BD-09; they are converted to WGS84 on save."
        ),
    )

    class Meta:
        model = Village
        fields = PROGRAMME_FIELDS
        widgets = {
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "main_works": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apply_limits(self)
        self.user = user
        village = self.instance
        self.fields["status"].widget.choices = [
            (status, Status(status).label) for status in workflow.edit_statuses(user, village)
        ]
        if not access.can_set_tier(user):
            del self.fields["tier"]
            del self.fields["programme_year"]
        self.initial.setdefault("version", village.version)
        if village.has_location:
            self.initial.setdefault("location_lat", village.lat)
            self.initial.setdefault("location_lon", village.lon)

    def clean_status(self):
        old, new = self.instance.status, self.cleaned_data["status"]
        if new not in workflow.edit_statuses(self.user, self.instance):
            raise ValidationError(
                _("You may not move this village from “%(old)s” to “%(new)s”.")
                % {"old": Status(old).label, "new": Status(new).label}
            )
        return new

    def changes(self):
        """{field: new value} of what the user changed, the location as WGS84 with its source."""
        changes = {name: self.cleaned_data[name] for name in self.changed_data if name in PROGRAMME_FIELDS}
        if self.location_changed():
            location = self.cleaned_data.get("location")
            lat, lon = location or (None, None)
            source = LocationSource.SURVEYED if location else ""
            changes.update(lat=lat, lon=lon, location_source=source)
        return changes

    def location_changed(self):
        return any(name in self.changed_data for name in ("location_lat", "location_lon", "coordinate_system"))

    def clean(self):
        data = super().clean()
        if "tier" in self.fields and "tier" in data:
            if data["tier"] != Tier.NONE and not data.get("programme_year"):
                self.add_error("programme_year", _("A designated village needs a programme year."))
            if data["tier"] == Tier.NONE and data.get("programme_year"):
                self.add_error("programme_year", _("A village that is not designated has no programme year."))
        if self.location_changed():
            self.clean_location(data)
        return data

    def clean_location(self, data):
        lat, lon = data.get("location_lat"), data.get("location_lon")
        if "location_lat" in self.errors or "location_lon" in self.errors:
            return
        if lat is None and lon is None:
            data["location"] = None
            return
        if lat is None or lon is None:
            raise ValidationError(_("Enter both the latitude and the longitude, or neither."))
        wgs_lat, wgs_lon = to_wgs84(lat, lon, data.get("coordinate_system", CoordinateSystem.WGS84))
        village = self.instance
        if problem := outside_area(wgs_lat, wgs_lon):
            raise ValidationError(problem)
        if not point_inside_county(wgs_lon, wgs_lat, village.county_id):
            raise ValidationError(
                _(
                    "The point %(lat).6f, %(lon).6f (WGS84) is outside %(county)s. Check the coordinates and the map they were read from; latitude comes first."
                )
                % {"lat": wgs_lat, "lon": wgs_lon, "county": village.county.name}
            )
        data["location"] = (wgs_lat, wgs_lon)


class VersionForm(forms.Form):
    """A city decision (accept, return, withdraw, reinstate) on the version of the village the administrator saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)


def reason_field(label):
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX_LENGTH, strip=True
    )


class ReturnForm(VersionForm):
    reason = reason_field(_("Reason for returning"))


class WithdrawForm(VersionForm):
    reason = reason_field(_("Reason for withdrawal (e.g. merged into another village)"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Up to PHOTOS_PER_UPDATE photos, each checked and re-encoded; a refused photo's error carries its place in
    the list and its name (params "index", "name"), so a phone can mark it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        files = [super(MultiplePhotoField, self).clean(item, initial) for item in files]
        if len(files) > settings.PHOTOS_PER_UPDATE:
            raise ValidationError(_("At most %(count)d photos per update.") % {"count": settings.PHOTOS_PER_UPDATE})
        check_request_pixels(files)
        errors, cleaned = [], []
        for index, upload in enumerate(files):
            try:
                cleaned.append(clean_photo(upload))
            except ValidationError as error:
                errors.extend(
                    ValidationError(message, code="photo", params={"index": index, "name": upload.name})
                    for message in error.messages
                )
        if errors:
            raise ValidationError(errors)
        return cleaned


class ProgressUpdateForm(forms.Form):
    """A progress update, from the page or queued on a phone. A status move is checked against the village's
    status when it is saved (workflow.add_update), since a phone may send it hours after it was written."""

    date = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    text = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX_LENGTH
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        required=False,
        min_value=0,
        max_value=100,
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "")] + Status.choices)
    photos = MultiplePhotoField(
        label=_("Photos"),
        required=False,
        help_text=_(
            "JPEG, PNG or WebP, before/after evidence. Where and when each photo was taken are kept to check it against the village; every other camera data is removed from the files."
        ),
    )
    correction = forms.CharField(
        label=_("Reason for a lower progress (correction)"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the progress goes down on purpose, e.g. a figure entered wrongly before."),
    )
    seen_status = forms.ChoiceField(required=False, choices=[("", "")] + Status.choices, widget=forms.HiddenInput)
    seen_version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    device_lat = forms.FloatField(required=False, validators=evidence.LATITUDE, widget=forms.HiddenInput)
    device_lon = forms.FloatField(required=False, validators=evidence.LONGITUDE, widget=forms.HiddenInput)
    device_accuracy = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, user, village, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = Status(village.status)
        self.fields["status"].widget.choices = [("", _("keep “%(status)s”") % {"status": current.label})] + [
            (status, Status(status).label) for status in workflow.edit_statuses(user, village)[1:]
        ]
        self.initial.setdefault("seen_status", village.status)
        self.initial.setdefault("seen_version", village.version)
        self.fields["progress"].help_text = _(
            "Now %(progress)d%%. Leave empty to keep it; a lower figure needs the reason below."
        ) % {"progress": village.progress}
        apply_limits(self)
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return check_date(date, timezone.localdate())

    def clean(self):
        data = super().clean()
        if (data.get("device_lat") is None) != (data.get("device_lon") is None):
            raise ValidationError(_("The phone's position needs both a latitude and a longitude."))
        return data

    def report(self, **extra):
        data = self.cleaned_data
        device = None
        if data.get("device_lat") is not None:
            device = (data["device_lat"], data["device_lon"], data.get("device_accuracy"))
        return workflow.Report(
            date=data["date"],
            text=data["text"],
            progress=data["progress"],
            photos=data["photos"],
            status=data["status"],
            seen_status=data["seen_status"],
            seen_version=data["seen_version"],
            correction=data["correction"],
            device=device,
            **extra,
        )


class UpdateFilterForm(forms.Form):
    MISMATCH = "mismatch"
    location = forms.ChoiceField(
        label=_("Position"),
        required=False,
        choices=[("", _("All updates")), (MISMATCH, _("Position does not match (位置不符)"))],
        help_text=_("A photo or the phone farther from the village than the threshold, or no position at all."),
    )

    def filter(self, updates):
        if self.is_valid() and self.cleaned_data["location"] == self.MISMATCH:
            return updates.location_mismatch()
        return updates


class YearFilterForm(forms.Form):
    """Filters that open on a programme year. The dashboard and the map offer the same list of years
    (counts.year_choices) and open on the same one (counts.default_year)."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, data, today=None, defaults=()):
        today = today or timezone.localdate()
        years = counts.programme_years()
        self.default_year = counts.default_year(today, years)
        given = {key: value for key, value in data.items() if value}
        super().__init__({"year": self.default_year, **dict(defaults), **given})
        self.fields["year"].choices = [(year, year) for year in counts.year_choices(today, years)]


class DashboardFilterForm(YearFilterForm):
    tier = forms.ChoiceField(label=_("Tier"), choices=[(tier.value, tier.label) for tier in TIERS])
    sort = forms.ChoiceField(
        required=False, choices=[("", "")] + [(key, key) for key in SORT_KEYS] + [(f"-{key}", key) for key in SORT_KEYS]
    )

    def __init__(self, data, today=None):
        super().__init__(data, today, defaults={"tier": Tier.SHOWCASE})

    def selection(self):
        """(year, tier, sort): the valid values, or the defaults for any invalid one."""
        self.is_valid()
        cleaned = self.cleaned_data
        return (
            cleaned.get("year", self.default_year),
            cleaned.get("tier", Tier.SHOWCASE),
            cleaned.get("sort", ""),
        )


class VillageImportForm(forms.Form):
    """The admin's import page: a village list and how to read it."""

    ENCODINGS = [("", _("detect automatically")), ("utf-8", "UTF-8"), ("gb18030", "GBK / GB18030")]

    file = forms.FileField(label=_("File"), help_text=_("XLSX, XLS, ODS or CSV."))
    crs = forms.ChoiceField(
        label=_("Coordinate system"),
        choices=CoordinateSystem.choices,
        initial=CoordinateSystem.WGS84,
        help_text=_("Of rows whose 坐标系 cell is empty."),
    )
    encoding = forms.ChoiceField(label=_("Encoding (CSV only)"), choices=ENCODINGS, required=False)

    def clean_file(self):
        return checked_import_size(self.cleaned_data["file"])


def checked_import_size(upload):
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is %(size).1f MB; an import file may be at most %(limit)d MB.")
            % {"name": upload.name, "size": upload.size / 2**20, "limit": settings.IMPORT_MAX_BYTES // 2**20}
        )
    return upload


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=32)
