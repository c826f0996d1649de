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
from counties.ranges import FIRST_DATE, TEXT_MAX_LENGTH
from villages import evidence

VILLAGE_CODE_REGEX = r"^[0-9]{12}$"
FIRST_PROGRAMME_YEAR = FIRST_DATE.year
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
    UNDER_REVIEW = "under_review", _("awaiting review (待复核)")  # applied for acceptance against a standard
    ACCEPTED = "accepted", _("accepted (验收通过)")


class LocationSource(models.TextChoices):
    SURVEYED = "surveyed", _("surveyed")
    IMPORTED = "imported", _("imported")
    ILLUSTRATIVE = "illustrative", _("illustrative (not a real location)")
    PHOTO = "photo", _("a photo's position (照片定位)")
    DEVICE = "device", _("the phone's position (手机定位)")


class VillageQuerySet(models.QuerySet):
    def with_places(self):
        return self.select_related("county", "township")

    def designated(self):
        return self.exclude(tier=Tier.NONE)

    def located(self):
        return self.filter(lat__isnull=False)

    def current(self):
        return self.filter(withdrawn_at__isnull=True)

    def withdrawn(self):
        return self.filter(withdrawn_at__isnull=False)


class CurrentVillageManager(models.Manager.from_queryset(VillageQuerySet)):
    """Village.objects: the villages still in the registry. Withdrawn villages (村庄撤并) are left out of every
    list, count, map and export without any caller having to ask; Village.all_objects has them too."""

    def get_queryset(self):
        return super().get_queryset().current()


# What counties and the city record about a village's place in the programme, in the order the edit page shows
# them: the edit page and an import set these.
PROGRAMME_FIELDS = [
    "status",
    "progress",
    "planned_investment",
    "actual_investment",
    "main_works",
    "contact_name",
    "contact_phone",
    "notes",
    "tier",
    "programme_year",
]


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

    tier = models.CharField(_("village tier"), max_length=10, choices=Tier.choices, default=Tier.NONE)
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
    main_works = models.TextField(_("main works (主要建设内容)"), blank=True, max_length=TEXT_MAX_LENGTH)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    lat = models.FloatField(
        _("latitude (WGS84)"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    lon = models.FloatField(
        _("longitude (WGS84)"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    location_source = models.CharField(_("location source"), max_length=12, choices=LocationSource.choices, blank=True)

    notes = models.TextField(_("notes"), blank=True, max_length=TEXT_MAX_LENGTH)
    return_reason = models.TextField(_("reason for return (退回)"), blank=True, max_length=TEXT_MAX_LENGTH)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    # 村庄撤并: a withdrawn village keeps its updates, photos and history, and can be reinstated with all of it.
    withdrawn_at = models.DateTimeField(_("withdrawn at (撤并)"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawal_reason = models.TextField(
        _("reason for withdrawal"), blank=True, editable=False, max_length=TEXT_MAX_LENGTH
    )

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
    objects = CurrentVillageManager()
    all_objects = VillageQuerySet.as_manager()

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

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None


class ProgressUpdateQuerySet(models.QuerySet):
    def with_evidence(self):
        """Updates with their photos, each photo's distance from the village and the phone's distance."""
        return (
            self.select_related("village", "created_by")
            .annotate(
                device_distance_km=evidence.distance_km("device_lat", "device_lon", "village__lat", "village__lon")
            )
            .prefetch_related(models.Prefetch("photos", queryset=Photo.objects.with_distance()))
        )

    def location_mismatch(self):
        """Updates whose position does not match the village (位置不符): a photo or the phone farther than the
        threshold, a photo without a position, or nothing that gives a position at all."""
        far = settings.EVIDENCE_MAX_DISTANCE_KM
        checkable = ~Q(village__location_source=LocationSource.ILLUSTRATIVE)
        photos = Photo.objects.filter(update=models.OuterRef("pk"))
        return self.alias(
            device_km=evidence.distance_km("device_lat", "device_lon", "village__lat", "village__lon")
        ).filter(
            (checkable & models.Exists(photos.with_distance().filter(distance_km__gt=far)))
            | (checkable & Q(device_km__gt=far))
            | models.Exists(photos.filter(taken_lat__isnull=True))
            | (Q(device_lat__isnull=True) & ~models.Exists(photos))
        )


class ProgressUpdate(models.Model):
    """A dated progress report on a village, with optional photo evidence.

    Updates sent from a phone carry the id the phone made (client_id), so a retry after a lost answer records
    nothing twice, and a digest of what was sent, so a reused id with different content is recognised.
    """

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="updates", verbose_name=_("village"))
    date = models.DateField(_("date"))
    text = models.TextField(_("what was done"), max_length=TEXT_MAX_LENGTH)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    status = models.CharField(
        _("moved the village to"), max_length=12, choices=Status.choices, blank=True, editable=False
    )
    correction = models.TextField(
        _("reason for a lower progress (correction)"),
        blank=True,
        editable=False,
        max_length=TEXT_MAX_LENGTH,
        help_text=_("Given when the update lowered the village's progress on purpose."),
    )
    client_id = models.UUIDField(_("id made by the phone"), null=True, blank=True, unique=True, editable=False)
    client_digest = models.CharField(max_length=64, blank=True, editable=False)
    device_lat = models.FloatField(
        _("phone's latitude when sent"), null=True, blank=True, validators=evidence.LATITUDE, editable=False
    )
    device_lon = models.FloatField(
        _("phone's longitude when sent"), null=True, blank=True, validators=evidence.LONGITUDE, editable=False
    )
    device_accuracy = models.PositiveIntegerField(
        _("accuracy of the phone's position (m)"), null=True, blank=True, editable=False
    )
    history = HistoricalRecords(excluded_fields=["client_digest"])
    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__gte=0, progress__lte=100), name="update_progress_0_100"
            ),
            models.CheckConstraint(
                condition=Q(device_lat__isnull=True, device_lon__isnull=True)
                | Q(device_lat__gte=-90, device_lat__lte=90, device_lon__gte=-180, device_lon__lte=180),
                name="update_device_position_complete",
            ),
        ]

    def __str__(self):
        return f"{self.village.short_name} {self.date}"

    @property
    def has_device_position(self):
        return self.device_lat is not None

    @property
    def device_mark(self):
        """What the phone's position says (needs with_evidence()), or None when the update has none."""
        return evidence.device_mark(self) if self.has_device_position else None


def random_photo_name(instance, filename):
    suffix = PurePath(filename).suffix.lower()
    return f"photos/{secrets.token_hex(16)}{suffix}"


class PhotoQuerySet(models.QuerySet):
    def with_distance(self):
        return self.annotate(
            distance_km=evidence.distance_km("taken_lat", "taken_lon", "update__village__lat", "update__village__lon")
        )


class Photo(models.Model):
    """A photo of an update. Where and when it was taken are read from its EXIF before the file is re-encoded
    without metadata; nothing else of the EXIF is kept."""

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="photos", verbose_name=_("progress update")
    )
    image = models.ImageField(_("image"), upload_to=random_photo_name, width_field="width", height_field="height")
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    taken_lat = models.FloatField(
        _("latitude where taken (WGS84)"), null=True, blank=True, validators=evidence.LATITUDE, editable=False
    )
    taken_lon = models.FloatField(
        _("longitude where taken (WGS84)"), null=True, blank=True, validators=evidence.LONGITUDE, editable=False
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True, editable=False)
    history = HistoricalRecords()
    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        constraints = [
            models.CheckConstraint(
                condition=Q(taken_lat__isnull=True, taken_lon__isnull=True)
                | Q(taken_lat__gte=-90, taken_lat__lte=90, taken_lon__gte=-180, taken_lon__lte=180),
                name="photo_position_complete",
            ),
        ]

    def __str__(self):
        return self.caption or self.image.name

    @property
    def has_position(self):
        return self.taken_lat is not None

    @property
    def marks(self):
        """What is known of where and when it was taken (needs with_distance())."""
        return evidence.photo_marks(self)


class YearAndTier(models.Model):
    """A programme year and a designated tier, the key of targets and quotas."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_PROGRAMME_YEAR), MaxValueValidator(LAST_PROGRAMME_YEAR)]
    )
    tier = models.CharField(_("village tier"), max_length=10, choices=[c for c in Tier.choices if c[0] != Tier.NONE])

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
    kind = models.CharField(_("target type"), max_length=10, choices=Kind.choices, default=Kind.ANNUAL)
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
