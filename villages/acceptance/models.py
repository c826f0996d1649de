"""Acceptance (验收) against a written standard: the standards per tier and year, the counties' applications
round by round with their self-assessment and evidence, and the city's review of each round."""

import secrets
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Max, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villages.models import FIRST_PROGRAMME_YEAR, LAST_PROGRAMME_YEAR, Tier, Village

POINTS = {"max_digits": 6, "decimal_places": 1}


class StandardInUse(Exception):
    """A standard a submitted application uses cannot change: make a new version instead."""


class StandardQuerySet(models.QuerySet):
    def current(self, tier, year):
        """The newest version of the standard for a tier and programme year, or None."""
        return self.filter(tier=tier, year=year).order_by("-version").first()

    def for_village(self, village):
        if village.tier == Tier.NONE or village.programme_year is None:
            return None
        return self.current(village.tier, village.programme_year)


class Standard(models.Model):
    """The scoring table (评分细则) a village of a tier and programme year is accepted against."""

    tier = models.CharField(_("tier"), max_length=10, choices=[c for c in Tier.choices if c[0] != Tier.NONE])
    year = models.PositiveSmallIntegerField(
        _("programme year"),
        validators=[MinValueValidator(FIRST_PROGRAMME_YEAR), MaxValueValidator(LAST_PROGRAMME_YEAR)],
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    pass_score = models.DecimalField(
        _("pass score"), **POINTS, validators=[MinValueValidator(0)], help_text=_("Set by the city.")
    )
    is_illustrative = models.BooleanField(
        _("illustrative (demo data)"),
        default=False,
        help_text=_("Invented for the demo, not a standard the city has set. Pages that show it say so."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()
    objects = StandardQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "tier", "-version"]
        verbose_name = _("acceptance standard")
        verbose_name_plural = _("acceptance standards")
        constraints = [
            models.UniqueConstraint(fields=["tier", "year", "version"], name="standard_unique_tier_year_version"),
            models.CheckConstraint(condition=~Q(tier=Tier.NONE), name="standard_has_a_tier"),
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"

    def save(self, *args, **kwargs):
        self.check_not_in_use()
        super().save(*args, **kwargs)

    @property
    def total_points(self):
        return self.items.aggregate(total=Sum("points"))["total"] or Decimal(0)

    def in_use(self):
        """Used by an application that was submitted: from then on its reviews rely on it as it is."""
        return self.pk is not None and self.applications.exclude(status=Application.State.DRAFT).exists()

    def check_not_in_use(self):
        if self.in_use():
            raise StandardInUse(self)

    def new_version(self, user):
        """A copy with the next version number, items included, that can be changed."""
        latest = Standard.objects.filter(tier=self.tier, year=self.year).aggregate(v=Max("version"))["v"]
        copy = Standard.objects.create(
            tier=self.tier,
            year=self.year,
            version=latest + 1,
            name=self.name,
            pass_score=self.pass_score,
            created_by=user,
        )
        for item in self.items.all():
            item.pk = None
            item.standard = copy
            item.save()
        return copy


class StandardItem(models.Model):
    """One row of the scoring table."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="items", verbose_name=_("standard"))
    position = models.PositiveIntegerField(_("position"), default=0)
    category = models.CharField(_("category (考核内容)"), max_length=100)
    number = models.CharField(_("number (序号)"), max_length=20)
    point = models.TextField(_("point assessed (考核要点)"))
    points = models.DecimalField(_("points (分值)"), **POINTS)
    guidance = models.TextField(_("scoring guidance (评分标准)"), blank=True)
    evidence_expected = models.TextField(_("evidence expected (佐证资料)"), blank=True)
    decisive = models.BooleanField(
        _("decisive (一票否决)"),
        default=False,
        help_text=_(
            "With 0 points: a condition (否决项) the city finds met or not met; not met, the village fails whatever "
            "its total. With points: the village fails when the city scores it below its full points."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["standard", "position", "id"]
        verbose_name = _("standard item")
        verbose_name_plural = _("standard items")
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="standard_item_unique_number"),
            # Only a decisive item may have no points: a yes/no condition (否决项), counting 0 toward the total.
            models.CheckConstraint(
                condition=Q(points__gt=0) | Q(points=0, decisive=True), name="standard_item_points_or_condition"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.point[:40]}"

    def save(self, *args, **kwargs):
        Standard(pk=self.standard_id).check_not_in_use()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        Standard(pk=self.standard_id).check_not_in_use()
        return super().delete(*args, **kwargs)

    @property
    def is_condition(self):
        """A yes/no condition (否决项): found met or not met, never scored."""
        return self.points == 0


class Application(models.Model):
    """One round (轮次) of a village's application for acceptance: the county's self-assessment, then the review."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted, awaiting review (待复核)")
        RETURNED = "returned", _("returned (退回)")
        ACCEPTED = "accepted", _("accepted (验收通过)")

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="applications", verbose_name=_("village")
    )
    number = models.PositiveSmallIntegerField(_("round"))
    standard = models.ForeignKey(
        Standard, on_delete=models.PROTECT, related_name="applications", verbose_name=_("standard")
    )
    status = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("updated by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("submitted by")
    )
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["village", "number"]
        verbose_name = _("application for acceptance")
        verbose_name_plural = _("applications for acceptance")
        constraints = [
            models.UniqueConstraint(fields=["village", "number"], name="application_unique_round"),
            models.UniqueConstraint(
                fields=["village"],
                condition=Q(status__in=["draft", "submitted"]),
                name="application_one_open_round",
            ),
        ]

    def __str__(self):
        return f"{self.village.short_name} #{self.number}"

    def get_absolute_url(self):
        return reverse("acceptance:round", args=[self.village.code, self.number])

    @property
    def is_draft(self):
        return self.status == self.State.DRAFT

    @property
    def is_decided(self):
        return self.status in (self.State.RETURNED, self.State.ACCEPTED)


class SelfScore(models.Model):
    """The county's score, note and evidence for one item of the standard."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="self_scores")
    item = models.ForeignKey(StandardItem, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("self-score"), **POINTS, null=True, blank=True)
    met = models.BooleanField(_("declared met (否决项)"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item__position", "item_id"]
        verbose_name = _("self-score")
        verbose_name_plural = _("self-scores")
        constraints = [
            models.UniqueConstraint(fields=["application", "item"], name="self_score_unique_item"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0), name="self_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.application} {self.item.number}: {self.score}"


def random_evidence_name(instance, filename):
    return f"evidence/{secrets.token_hex(16)}{PurePath(filename).suffix.lower()}"


class Evidence(models.Model):
    """A file the county gives as evidence (佐证资料) for one item: a photo or a PDF, DOCX or XLSX document."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        PDF = "pdf", "PDF"
        DOCX = "docx", _("Word document (DOCX)")
        XLSX = "xlsx", _("Excel workbook (XLSX)")

    self_score = models.ForeignKey(SelfScore, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=random_evidence_name, max_length=200)
    name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.name

    @property
    def is_photo(self):
        return self.kind == self.Kind.PHOTO


class Review(models.Model):
    """The city's review (复核) of a submitted round: a score and comment per item, the total, the decision."""

    class Decision(models.TextChoices):
        NONE = "", _("not decided yet")
        ACCEPTED = "accepted", _("accepted (验收通过)")
        RETURNED = "returned", _("returned (退回)")

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="review")
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("reviewer")
    )
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=1, null=True, blank=True)
    comment = models.TextField(_("overall comment"), blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True, default="")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return f"{self.application} {self.get_decision_display()}"


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(StandardItem, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("city's score"), **POINTS, null=True, blank=True)
    met = models.BooleanField(_("found met (否决项)"), null=True, blank=True)
    comment = models.TextField(_("city's comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="review_score_unique_item"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0), name="review_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.review.application} {self.item.number}: {self.score}"


# --- Where villages stand in acceptance, for the dashboard, the ledger and the village list --------------------

State = Application.State


def latest_round(field):
    return Subquery(Application.objects.filter(village=OuterRef("pk")).order_by("-number").values(field)[:1])


def with_latest_round(villages):
    """Villages annotated with the state and number of their latest round, and the city's total of the latest
    decided round."""
    decided = Review.objects.filter(application__village=OuterRef("pk")).exclude(decision="")
    return villages.annotate(
        round_state=latest_round("status"),
        round_number=latest_round("number"),
        reviewed_total=Subquery(decided.order_by("-application__number").values("total")[:1]),
    )


# Waiting: submitted, not reviewed yet. Returned: the last decision was 退回 and the county has not applied again
# (a draft of the next round is still "returned"). Accepted: the latest round was accepted.
ROUND_STATES = {
    "waiting": Q(round_state=State.SUBMITTED),
    "returned": Q(round_state=State.RETURNED) | Q(round_state=State.DRAFT, round_number__gt=1),
    "accepted": Q(round_state=State.ACCEPTED),
}
