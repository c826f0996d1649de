import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.db.models.lookups import StartsWith
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

PROVINCE_CODE_REGEX = r"^[0-9]{2}$"
CITY_CODE_REGEX = r"^[0-9]{4}$"
COUNTY_CODE_REGEX = r"^[0-9]{6}$"
TOWNSHIP_CODE_REGEX = r"^[0-9]{9}$"


class Province(models.Model):
    """A province (省), keyed by its 2-digit administrative code."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=PROVINCE_CODE_REGEX), name="province_code_2_digits"),
        ]

    def __str__(self):
        return self.name


class City(models.Model):
    """A prefecture-level city (地级市), keyed by its 4-digit administrative code."""

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="cities", verbose_name=_("province"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=CITY_CODE_REGEX), name="city_code_4_digits"),
            models.CheckConstraint(condition=StartsWith(F("code"), F("province_id")), name="city_code_within_province"),
            models.UniqueConstraint(fields=["province", "name"], name="city_name_unique_in_province"),
        ]

    def __str__(self):
        return self.name


class County(models.Model):
    """A county-level unit, keyed by its 6-digit administrative code (GB/T 2260). Statistical pseudo-counties
    (开发区, 风景区) have townships and villages but no boundary and no label point."""

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="counties", verbose_name=_("city"))
    label_lat = models.FloatField(_("label latitude"), null=True, blank=True)
    label_lon = models.FloatField(_("label longitude"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=COUNTY_CODE_REGEX), name="county_code_6_digits"),
            models.CheckConstraint(condition=StartsWith(F("code"), F("city_id")), name="county_code_within_city"),
            # 阳泉市 and 晋城市 each have a 城区: names repeat across cities, not within one.
            models.UniqueConstraint(fields=["city", "name"], name="county_name_unique_in_city"),
        ]

    def __str__(self):
        return self.name


class CountyBoundary(models.Model):
    """A county's polygon, apart from the county: it is large, and only maps and point checks need it."""

    county = models.OneToOneField(
        County, on_delete=models.CASCADE, primary_key=True, related_name="boundary", verbose_name=_("county")
    )
    geometry = models.JSONField(_("boundary (GeoJSON, WGS84)"))
    # A few bytes that change with the geometry: a map page compares them with those of the boundary it decoded
    # before, rather than reading every boundary again. Set before every save (set_digest, raw saves of a restore
    # included), and by the registry loader's bulk writes.
    digest = models.CharField(_("digest of the boundary"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("county boundary")
        verbose_name_plural = _("county boundaries")

    def __str__(self):
        return str(self.county_id)

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None and "geometry" in update_fields:
            update_fields = {*update_fields, "digest"}
        super().save(*args, update_fields=update_fields, **kwargs)

    @staticmethod
    def digest_of(geometry):
        return hashlib.sha256(json.dumps(geometry, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@receiver(pre_save, sender=CountyBoundary)
def set_digest(sender, instance, **kwargs):
    instance.digest = CountyBoundary.digest_of(instance.geometry)


class Township(models.Model):
    class Kind(models.TextChoices):
        SUBDISTRICT = "街道", _("subdistrict (街道)")
        TOWN = "镇", _("town (镇)")
        TOWNSHIP = "乡", _("township (乡)")
        SIMILAR = "类似乡级单位", _("township-like unit (类似乡级单位)")

    code = models.CharField(_("code"), max_length=9, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("township type"), max_length=10, choices=Kind.choices)
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
    """A user's role in the programme, at its level: the province (every city), one city, or counties.
    A user without a profile, with no role yet, or with a role missing its scope (a county editor without counties)
    has no access at all (counties.access)."""

    class Role(models.TextChoices):
        PROVINCE_ADMIN = "province_admin", _("province administrator")
        PROVINCE_VIEWER = "province_viewer", _("province viewer (read-only)")
        CITY_ADMIN = "city_admin", _("city administrator")
        VIEWER = "viewer", _("city viewer (read-only)")
        COUNTY_EDITOR = "county_editor", _("county editor")
        NONE = "none", _("no role yet (no access)")

    CITY_ROLES = (Role.CITY_ADMIN, Role.VIEWER)

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.NONE)
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("city"),
        help_text=_("Only for city administrators and city viewers: the city whose villages they see."),
    )
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
        # The values of Role and CITY_ROLES (Meta cannot see the class's names). A county editor's counties are
        # rows of another table: a role missing them is refused by the form and gives no access (counties.access).
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    role__in=["province_admin", "province_viewer", "city_admin", "viewer", "county_editor", "none"]
                ),
                name="profile_role_known",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["city_admin", "viewer"], city__isnull=False)
                | (~Q(role__in=["city_admin", "viewer"]) & Q(city__isnull=True)),
                name="profile_city_for_city_roles_only",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"

    def scope_problems(self, counties):
        """{field: why} when the role, the city and the counties given with it do not fit together."""
        problems = {}
        if self.role in self.CITY_ROLES and self.city_id is None:
            problems["city"] = _("A city administrator or city viewer needs a city.")
        elif self.role not in self.CITY_ROLES and self.city_id is not None:
            problems["city"] = {
                self.Role.COUNTY_EDITOR: _("A county editor works on counties, not a city: leave the city empty."),
                self.Role.NONE: _("An account without a role has no city: leave the city empty."),
            }.get(self.role, _("A province role covers every city: leave the city empty."))
        if counties and self.role != self.Role.COUNTY_EDITOR:
            problems["counties"] = _("Only county editors have counties: leave them empty for this role.")
        elif not counties and self.role == self.Role.COUNTY_EDITOR:
            problems["counties"] = _("A county editor needs at least one county.")
        return problems


class PairingQuerySet(models.QuerySet):
    def active_in(self, year):
        return self.filter(Q(end_year__isnull=True) | Q(end_year__gte=year), start_year__lte=year)

    def involving(self, *counties):
        return self.filter(Q(county_a__in=counties) | Q(county_b__in=counties))

    def with_counties(self):
        return self.select_related("county_a", "county_b")


class Pairing(models.Model):
    """Two counties working together: a strong county helping a weaker one, or neighbours in a mutual pairing."""

    class Kind(models.TextChoices):
        HELP = "help", _("large county helps small county (经济大县帮扶小县)")
        NEIGHBOURS = "neighbours", _("neighbouring counties (相邻县份结对)")

    kind = models.CharField(_("pairing type"), max_length=12, choices=Kind.choices)
    county_a = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        related_name="pairings_as_a",
        verbose_name=_("county A"),
        help_text=_("For 帮扶 pairings, the county that helps."),
    )
    county_b = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        related_name="pairings_as_b",
        verbose_name=_("county B"),
        help_text=_("For 帮扶 pairings, the county that is helped."),
    )
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"), null=True, blank=True)
    focus_areas = models.TextField(_("focus areas (industries, projects)"), blank=True)
    committed_funds = models.DecimalField(_("committed funds (万元)"), max_digits=12, decimal_places=2, default=0)
    committed_projects = models.PositiveIntegerField(_("committed projects"), default=0)
    committed_people = models.PositiveIntegerField(_("people to send"), default=0)
    is_illustrative = models.BooleanField(_("illustrative (demo data)"), default=False)
    history = HistoricalRecords()
    objects = PairingQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "county_a", "county_b"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.CheckConstraint(condition=~Q(county_a=F("county_b")), name="pairing_two_different_counties"),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=F("start_year")), name="pairing_ends_after_start"
            ),
            # The same two counties with the same type, in either order, are one pairing.
            models.UniqueConstraint(
                Least("county_a", "county_b"),
                Greatest("county_a", "county_b"),
                "kind",
                name="pairing_unique_pair_and_type",
            ),
        ]

    def __str__(self):
        joiner = " → " if self.kind == self.Kind.HELP else " ↔ "
        return f"{self.county_a}{joiner}{self.county_b}"

    @property
    def counties(self):
        return [self.county_a, self.county_b]


class PairingActivity(models.Model):
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="activities", verbose_name=_("pairing"))
    date = models.DateField(_("date"))
    description = models.TextField(_("what was done"))
    funds = models.DecimalField(_("funds (万元)"), max_digits=12, decimal_places=2, default=0)
    projects = models.PositiveIntegerField(_("projects"), default=0)
    people = models.PositiveIntegerField(_("people sent"), default=0)
    is_illustrative = models.BooleanField(_("illustrative (demo data)"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("pairing activity")
        verbose_name_plural = _("pairing activities")

    def __str__(self):
        return f"{self.pairing} {self.date}"
