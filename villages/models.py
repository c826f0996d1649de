import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import StartsWith
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from counties.models import City, County, Township

VILLAGE_CODE_REGEX = r"^[0-9]{12}$"
FIRST_PROGRAMME_YEAR = 2018
LAST_PROGRAMME_YEAR = 2035


class Tier(models.TextChoices):
    NONE = "none", _("none")
    UPGRADED = "upgraded", _("upgraded village (提档升级村)")
    SHOWCASE = "showcase", _("showcase village (精品示范村)")


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    ACCEPTED = "accepted", _("accepted (验收通过)")


class LocationSource(models.TextChoices):
    SURVEYED = "surveyed", _("surveyed")
    IMPORTED = "imported", _("imported")
    ILLUSTRATIVE = "illustrative", _("illustrative (not a real location)")


class VillageQuerySet(models.QuerySet):
    def with_places(self):
        return self.select_related("county", "township")

    def designated(self):
        return self.exclude(tier=Tier.NONE)

    def located(self):
        return self.filter(lat__isnull=False)


class Village(models.Model):
    """An administrative village (村委会) of the registry and its place in the programme."""

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(VILLAGE_CODE_REGEX, _("A village code has 12 digits."))],
    )
    name = models.CharField(_("official name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50)
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="villages", verbose_name=_("township")
    )
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="villages", verbose_name=_("county"))

    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.NONE)
    programme_year = models.PositiveSmallIntegerField(
        _("programme year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(FIRST_PROGRAMME_YEAR), MaxValueValidator(LAST_PROGRAMME_YEAR)],
        help_text=_("The year in which the village was designated for its tier."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    planned_investment = models.DecimalField(
        _("planned investment (万元)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    actual_investment = models.DecimalField(
        _("actual investment (万元)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    main_works = models.TextField(_("main works (主要建设内容)"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    lat = models.FloatField(
        _("latitude (WGS84)"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    lon = models.FloatField(
        _("longitude (WGS84)"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    location_source = models.CharField(_("location source"), max_length=12, choices=LocationSource.choices, blank=True)

    notes = models.TextField(_("notes"), blank=True)
    return_reason = models.TextField(_("reason for return (退回)"), blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("last updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last updated by"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])
    objects = VillageQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        indexes = [models.Index(fields=["county", "tier", "programme_year", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=VILLAGE_CODE_REGEX), name="village_code_12_digits"),
            # NBS codes nest: village code = township code + 3 digits, township code = county code + 3 digits.
            # Together with township_code_within_county this makes the database refuse a village whose
            # county is not its township's county.
            models.CheckConstraint(
                condition=StartsWith(F("code"), F("township_id")), name="village_code_within_township"
            ),
            models.CheckConstraint(
                condition=StartsWith(F("township_id"), F("county_id")), name="village_county_is_township_county"
            ),
            models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=100), name="village_progress_0_100"),
            models.CheckConstraint(
                condition=(Q(tier=Tier.NONE) & Q(programme_year__isnull=True))
                | (~Q(tier=Tier.NONE) & Q(programme_year__isnull=False)),
                name="village_year_iff_tier",
            ),
            models.CheckConstraint(
                condition=(Q(lat__isnull=True) & Q(lon__isnull=True) & Q(location_source=""))
                | (
                    Q(lat__isnull=False, lon__isnull=False)
                    & Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180)
                    & ~Q(location_source="")
                ),
                name="village_location_complete",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def get_absolute_url(self):
        return reverse("villages:detail", args=[self.code])

    @property
    def has_location(self):
        return self.lat is not None and self.lon is not None

    @property
    def location_is_illustrative(self):
        return self.location_source == LocationSource.ILLUSTRATIVE


class ProgressUpdate(models.Model):
    """A dated progress report on a village, with optional photo evidence."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="updates", verbose_name=_("village"))
    date = models.DateField(_("date"))
    text = models.TextField(_("what was done"))
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__gte=0, progress__lte=100), name="update_progress_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.village.short_name} {self.date}"


def random_photo_name(instance, filename):
    suffix = PurePath(filename).suffix.lower()
    return f"photos/{secrets.token_hex(16)}{suffix}"


class Photo(models.Model):
    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="photos", verbose_name=_("progress update")
    )
    image = models.ImageField(_("image"), upload_to=random_photo_name, width_field="width", height_field="height")
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.caption or self.image.name


class YearAndTier(models.Model):
    """A programme year and a designated tier, the key of targets and quotas."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_PROGRAMME_YEAR), MaxValueValidator(LAST_PROGRAMME_YEAR)]
    )
    tier = models.CharField(_("tier"), max_length=10, choices=[c for c in Tier.choices if c[0] != Tier.NONE])

    class Meta:
        abstract = True


class Target(YearAndTier):
    """A city's target: villages of a tier to be accepted in one programme year, or cumulatively by a year.
    Without a city, the province's total where the province sets one."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("in that year")
        CUMULATIVE = "cumulative", _("cumulative, by the end of that year")

    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("city"),
        help_text=_("Empty: a target for the whole province."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ANNUAL)
    count = models.PositiveIntegerField(_("number of villages"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["city", "year", "kind", "tier"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["city", "year", "tier", "kind"],
                condition=Q(city__isnull=False),
                name="target_unique_per_city",
                violation_error_message=_("This city already has a target of this kind for this year and tier."),
            ),
            models.UniqueConstraint(
                fields=["year", "tier", "kind"],
                condition=Q(city__isnull=True),
                name="target_unique_for_the_province",
                violation_error_message=_("The province already has a target of this kind for this year and tier."),
            ),
            models.CheckConstraint(condition=~Q(tier=Tier.NONE), name="target_has_a_tier"),
        ]

    def __str__(self):
        place = self.city or _("province")
        return f"{place} {self.year} {self.get_tier_display()} {self.count} ({self.get_kind_display()})"


class CountyQuota(YearAndTier):
    """The share of a year's target the city assigns to one county."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="quotas", verbose_name=_("county"))
    count = models.PositiveIntegerField(_("number of villages"))
    is_illustrative = models.BooleanField(
        _("illustrative (demo data)"),
        default=False,
        help_text=_("Invented for the demo, not a quota the city has set. Pages that show it say so."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "tier", "county"]
        verbose_name = _("county quota")
        verbose_name_plural = _("county quotas")
        constraints = [
            models.UniqueConstraint(fields=["year", "tier", "county"], name="quota_unique_year_tier_county"),
            models.CheckConstraint(condition=~Q(tier=Tier.NONE), name="quota_has_a_tier"),
        ]

    def __str__(self):
        return f"{self.county} {self.year} {self.get_tier_display()} {self.count}"
