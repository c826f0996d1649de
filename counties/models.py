from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext_lazy as _

COUNTY_CODE_REGEX = r"^[0-9]{6}$"
TOWNSHIP_CODE_REGEX = r"^[0-9]{9}$"


class County(models.Model):
    """A county-level unit of 晋中市, keyed by its 6-digit administrative code (GB/T 2260)."""

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    boundary = models.JSONField(_("boundary (GeoJSON, WGS84)"))
    label_lat = models.FloatField(_("label latitude"))
    label_lon = models.FloatField(_("label longitude"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=COUNTY_CODE_REGEX), name="county_code_6_digits"),
        ]

    def __str__(self):
        return self.name


class Township(models.Model):
    class Kind(models.TextChoices):
        SUBDISTRICT = "街道", _("subdistrict (街道)")
        TOWN = "镇", _("town (镇)")
        TOWNSHIP = "乡", _("township (乡)")
        SIMILAR = "类似乡级单位", _("township-like unit (类似乡级单位)")

    code = models.CharField(_("code"), max_length=9, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="townships", verbose_name=_("county"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("township")
        verbose_name_plural = _("townships")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=TOWNSHIP_CODE_REGEX), name="township_code_9_digits"),
            # The NBS code of a township starts with its county's code.
            models.CheckConstraint(condition=StartsWith(F("code"), F("county_id")), name="township_code_within_county"),
        ]

    def __str__(self):
        return self.name


class Profile(models.Model):
    """A user's role in the programme. Users without a profile are read-only viewers."""

    class Role(models.TextChoices):
        CITY_ADMIN = "city_admin", _("city administrator")
        COUNTY_EDITOR = "county_editor", _("county editor")
        VIEWER = "viewer", _("viewer (read-only)")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    counties = models.ManyToManyField(
        County,
        blank=True,
        related_name="editors",
        verbose_name=_("counties edited"),
        help_text=_("Only for county editors: the counties whose villages this user may change."),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"
