"""The project pool (项目库): projects of one village, or of several villages of one township; the funds planned for
each by source; the cumulative monthly figures of each fund (已拨付, 已支出); the performance targets (绩效目标).

A project's stage and version, and a fund's figures and version, change only through villages/projects/workflow.py.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import StartsWith
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from counties.models import County, Pairing, Township
from counties.ranges import TEXT_MAX_LENGTH
from villages.models import FIRST_PROGRAMME_YEAR, LAST_PROGRAMME_YEAR, Village

MONEY = {"max_digits": 12, "decimal_places": 2}  # 万元, to the cent (0.01 万元 = 100 元)


class Category(models.TextChoices):
    """The one word for each kind of project, on pages, in imports and in exports."""

    INDUSTRY = "产业发展", _("industry (产业发展)")
    INFRASTRUCTURE = "基础设施", _("infrastructure (基础设施)")
    LIVING_ENVIRONMENT = "人居环境", _("living environment (人居环境)")
    PUBLIC_SERVICES = "公共服务", _("public services (公共服务)")
    GOVERNANCE = "乡村治理", _("village governance (乡村治理)")
    OTHER = "其他", _("other (其他)")


class Stage(models.TextChoices):
    RESERVE = "reserve", _("reserve (储备)")
    APPROVED = "approved", _("in the pool (入库)")
    IN_PROGRESS = "in_progress", _("under way (实施中)")
    COMPLETED = "completed", _("completed (已完工)")
    ACCEPTED = "accepted", _("accepted (已验收)")
    CANCELLED = "cancelled", _("cancelled (已取消)")


class Source(models.TextChoices):
    """Where a project's money comes from. 衔接资金 (the central and provincial 衔接推进乡村振兴补助资金) is what the
    rule of more than 60 % for industry is about."""

    CENTRAL = "中央衔接资金", _("central linkage funds (中央衔接资金)")
    PROVINCIAL = "省级衔接资金", _("provincial linkage funds (省级衔接资金)")
    CITY_COUNTY = "市县财政资金", _("city and county budget funds (市县财政资金)")
    PAIRING = "结对帮扶资金", _("pairing funds (结对帮扶资金)")
    SOCIAL = "社会资本", _("private capital (社会资本)")
    SELF_RAISED = "村集体及群众自筹", _("raised by the village and its people (村集体及群众自筹)")
    OTHER = "其他", _("other (其他)")
    # A pool that gives 衔接资金 without telling central from provincial (a total and a 衔接资金 column).
    LINKAGE = "衔接资金", _("linkage funds, central and provincial together (衔接资金)")


LINKAGE_SOURCES = (Source.CENTRAL, Source.PROVINCIAL, Source.LINKAGE)


class Level(models.TextChoices):
    OUTPUT = "output", _("output indicator (产出指标)")
    BENEFIT = "benefit", _("benefit indicator (效益指标)")
    SATISFACTION = "satisfaction", _("satisfaction indicator (满意度指标)")


class Kind(models.TextChoices):
    """The second column of the standard 绩效目标 table: an output's or a benefit's kind (a satisfaction indicator
    has none)."""

    QUANTITY = "quantity", _("quantity (数量指标)")
    QUALITY = "quality", _("quality (质量指标)")
    TIMELINESS = "timeliness", _("timeliness (时效指标)")
    COST = "cost", _("cost (成本指标)")
    ECONOMIC = "economic", _("economic (经济效益)")
    SOCIAL = "social", _("social (社会效益)")
    ECOLOGICAL = "ecological", _("ecological (生态效益)")
    SUSTAINABLE = "sustainable", _("sustainable (可持续影响)")


KINDS_OF_LEVEL = {
    Level.OUTPUT: (Kind.QUANTITY, Kind.QUALITY, Kind.TIMELINESS, Kind.COST),
    Level.BENEFIT: (Kind.ECONOMIC, Kind.SOCIAL, Kind.ECOLOGICAL, Kind.SUSTAINABLE),
    Level.SATISFACTION: (),
}


def first_of_month(value):
    return None if value is None else value.replace(day=1)


class ProjectQuerySet(models.QuerySet):
    def live(self):
        """Projects that count in the money figures: not cancelled."""
        return self.exclude(stage=Stage.CANCELLED)

    def of_village(self, village):
        return self.filter(villages=village)


class Project(models.Model):
    """A project of the pool: one village's, or one township's naming several of its villages."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="projects", verbose_name=_("county"))
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="projects", verbose_name=_("township")
    )
    villages = models.ManyToManyField(
        Village,
        related_name="projects",
        verbose_name=_("villages"),
        help_text=_("One village, or several villages of the project's township."),
    )
    name = models.CharField(_("project name"), max_length=200)
    category = models.CharField(_("category"), max_length=8, choices=Category.choices)
    year = models.PositiveSmallIntegerField(
        _("programme year"),
        validators=[MinValueValidator(FIRST_PROGRAMME_YEAR), MaxValueValidator(LAST_PROGRAMME_YEAR)],
    )
    content = models.TextField(_("works and scale (建设内容及规模)"), blank=True, max_length=TEXT_MAX_LENGTH)
    implementer = models.CharField(_("implementing body (实施主体)"), max_length=100, blank=True)
    responsible_unit = models.CharField(_("responsible unit (责任单位)"), max_length=100, blank=True)
    start_month = models.DateField(_("planned start (month)"), null=True, blank=True)
    end_month = models.DateField(_("planned end (month)"), null=True, blank=True)

    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.RESERVE)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True, max_length=TEXT_MAX_LENGTH)

    # 联农带农: who benefits and how
    benefit_mechanism = models.TextField(
        _("beneficiaries and how farmers gain (受益对象/联农带农机制)"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    performance_targets = models.TextField(
        _("performance targets as the pool writes them (绩效目标)"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        help_text=_("The 绩效目标 cell of the 项目库 sheet; the indicator table below holds them one by one."),
    )
    households = models.PositiveIntegerField(_("households benefiting"), null=True, blank=True)
    people = models.PositiveIntegerField(_("people benefiting"), null=True, blank=True)
    jobs = models.PositiveIntegerField(_("jobs created"), null=True, blank=True)
    collective_income = models.DecimalField(
        _("village collective income added (万元/年)"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    is_illustrative = models.BooleanField(
        _("illustrative (demo data)"),
        default=False,
        help_text=_("Invented for the demo, not a real project. Pages and files that show it say so."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("last updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last updated by"),
    )
    history = HistoricalRecords(excluded_fields=["updated_at", "version"], m2m_fields=[villages])
    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "county", "township", "name", "id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [
            models.Index(fields=["county", "year", "stage"]),
            models.Index(fields=["year", "category"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=StartsWith(F("township_id"), F("county_id")), name="project_county_is_township_county"
            ),
            models.CheckConstraint(
                condition=Q(start_month__isnull=True) | Q(end_month__isnull=True) | Q(end_month__gte=F("start_month")),
                name="project_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(stage=Stage.CANCELLED) | Q(cancel_reason=""), name="project_reason_only_when_cancelled"
            ),
            models.CheckConstraint(condition=Q(collective_income__gte=0), name="project_income_not_negative"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.start_month, self.end_month = first_of_month(self.start_month), first_of_month(self.end_month)
        if self.township_id and not self.county_id:
            self.county_id = self.township_id[:6]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("projects:detail", args=[self.pk])

    @property
    def is_cancelled(self):
        return self.stage == Stage.CANCELLED


class ProjectFund(models.Model):
    """The amount planned for a project from one source, and the latest of its monthly figures (the FundReport of
    the latest month, kept here by the workflow so that the overviews add up one row per fund)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funds", verbose_name=_("project"))
    source = models.CharField(_("source of funds"), max_length=10, choices=Source.choices)
    pairing = models.ForeignKey(
        Pairing,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="project_funds",
        verbose_name=_("pairing"),
        help_text=_("For pairing funds (结对帮扶资金): the pairing that gives them."),
    )
    planned = models.DecimalField(_("planned (万元)"), **MONEY, validators=[MinValueValidator(0)])
    allocated = models.DecimalField(_("allocated to date (已拨付, 万元)"), **MONEY, default=0, editable=False)
    spent = models.DecimalField(_("spent to date (已支出, 万元)"), **MONEY, default=0, editable=False)
    reported_month = models.DateField(_("month of the latest figures"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["project", "source"]
        verbose_name = _("project fund")
        verbose_name_plural = _("project funds")
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="project_fund_one_per_source"),
            models.CheckConstraint(condition=Q(planned__gte=0), name="project_fund_planned_not_negative"),
            models.CheckConstraint(
                condition=Q(allocated__gte=0, spent__gte=0, spent__lte=F("allocated"), allocated__lte=F("planned")),
                name="project_fund_figures_within_plan",
            ),
            models.CheckConstraint(
                condition=Q(source=Source.PAIRING) | Q(pairing__isnull=True),
                name="project_fund_pairing_only_for_pairing",
            ),
        ]

    def __str__(self):
        return f"{self.project} · {self.get_source_display()}"


class FundReport(models.Model):
    """One month's cumulative figures of a fund: what was allocated (已拨付) and spent (已支出) from the year's start of
    the project to the end of that month. Spent never exceeds allocated (money is spent from what was allocated),
    allocated never exceeds the plan."""

    fund = models.ForeignKey(ProjectFund, on_delete=models.CASCADE, related_name="reports", verbose_name=_("fund"))
    month = models.DateField(_("month"))
    allocated = models.DecimalField(_("allocated to date (已拨付, 万元)"), **MONEY, validators=[MinValueValidator(0)])
    spent = models.DecimalField(_("spent to date (已支出, 万元)"), **MONEY, validators=[MinValueValidator(0)])
    reason = models.TextField(
        _("reason"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        help_text=_("Required when a figure is lower than before (a correction, money returned)."),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        ordering = ["fund", "month"]
        verbose_name = _("monthly fund figures")
        verbose_name_plural = _("monthly fund figures")
        indexes = [models.Index(fields=["month"])]
        constraints = [
            models.UniqueConstraint(fields=["fund", "month"], name="fund_report_one_per_month"),
            models.CheckConstraint(
                condition=Q(allocated__gte=0, spent__gte=0, spent__lte=F("allocated")),
                name="fund_report_spent_within_allocated",
            ),
        ]

    def __str__(self):
        return f"{self.fund} {self.month:%Y-%m}"

    def save(self, *args, **kwargs):
        self.month = first_of_month(self.month)
        super().save(*args, **kwargs)


class ProjectTotal(models.Model):
    """The projects of a county's programme year added up by stage, category and source: a row with a source adds
    up those funds (planned, and the latest allocated and spent); the row without one counts the projects (and the
    demo ones among them). Derived data, recomputed by the workflow in the transaction of every change
    (villages/projects/totals.py), so that the overviews add up a few hundred rows instead of every fund."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    stage = models.CharField(max_length=12, choices=Stage.choices)
    category = models.CharField(max_length=8, choices=Category.choices)
    source = models.CharField(max_length=10, choices=Source.choices, blank=True)
    projects = models.PositiveIntegerField(default=0)
    illustrative = models.PositiveIntegerField(default=0)
    planned = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    allocated = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    spent = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "county", "stage", "category", "source"], name="project_total_one_per_key"
            )
        ]

    def __str__(self):
        return f"{self.county_id} {self.year} {self.stage} {self.category} {self.source or '—'}"


class PerformanceIndicator(models.Model):
    """One row of a project's 绩效目标 table: its target (a number and unit, or words) and, at completion, the
    actual value."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("project"))
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, blank=True)
    name = models.CharField(_("indicator"), max_length=200)
    target_value = models.DecimalField(_("target (number)"), max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    target_text = models.CharField(_("target (in words)"), max_length=200, blank=True)
    actual_value = models.DecimalField(_("actual (number)"), max_digits=14, decimal_places=2, null=True, blank=True)
    actual_text = models.CharField(_("actual (in words)"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "position", "id"]
        verbose_name = _("performance indicator")
        verbose_name_plural = _("performance indicators")
        constraints = [
            models.CheckConstraint(
                condition=(Q(level=Level.OUTPUT) & Q(kind__in=KINDS_OF_LEVEL[Level.OUTPUT]))
                | (Q(level=Level.BENEFIT) & Q(kind__in=KINDS_OF_LEVEL[Level.BENEFIT]))
                | (Q(level=Level.SATISFACTION) & Q(kind="")),
                name="indicator_kind_fits_level",
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=False) | ~Q(target_text=""), name="indicator_has_a_target"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def has_actual(self):
        return self.actual_value is not None or self.actual_text != ""

    @property
    def target_display(self):
        if self.target_value is None:
            return self.target_text
        return f"{self.target_value.normalize():f}{self.unit}"

    @property
    def actual_display(self):
        if self.actual_value is None:
            return self.actual_text
        return f"{self.actual_value.normalize():f}{self.unit}"
