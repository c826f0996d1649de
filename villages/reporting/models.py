"""The monthly rhythm of the programme: report periods (月报) with their deadlines, the "本月无变化" confirmations that
count as a report, the reminders (催报) sent once each, a city's press of 催报 for one county, and the issued 通报
with the figures it froze."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counties.models import City, County
from villages.models import FIRST_PROGRAMME_YEAR, LAST_PROGRAMME_YEAR, Status, Village

PERIOD_KEY_REGEX = r"^[0-9]{4}-[0-9a-z-]{1,20}$"
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


def start_of(day):
    """The first moment of a local day."""
    return timezone.make_aware(datetime.combine(day, time.min))


class PeriodQuerySet(models.QuerySet):
    def monthly(self):
        return self.filter(kind=Period.Kind.MONTHLY)

    def for_city(self, city_code):
        """The periods a city's counties report in: the province's, and the city's own special rounds."""
        return self.filter(Q(city__isnull=True) | Q(city_id=city_code))

    def started(self, today):
        return self.filter(start__lte=today)

    def current(self, today, city_code=None):
        """The monthly period being reported now: of those begun, the one with the nearest deadline not yet passed,
        else the last begun."""
        begun = self.monthly().started(today)
        if city_code:
            begun = begun.for_city(city_code)
        return begun.filter(deadline__gte=today).order_by("deadline").first() or begun.order_by("-start").first()


class Period(models.Model):
    """A report period: every village the programme expects a report from reports for it by its deadline."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("monthly report (月报)")
        SPECIAL = "special", _("special round (专项，如督查)")

    key = models.CharField(
        _("key"),
        max_length=25,
        unique=True,
        validators=[
            RegexValidator(
                PERIOD_KEY_REGEX, _("A key is the year, a hyphen and lower-case letters or digits, e.g. 2025-10.")
            )
        ],
        help_text=_("In addresses and commands: 2025-10 for October 2025; e.g. 2025-dc1 for a special round."),
    )
    name = models.CharField(_("name"), max_length=50, help_text=_("As the 通报 says it, e.g. 2025年10月."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MONTHLY)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    deadline = models.DateField(_("deadline"), help_text=_("Reports received by the end of this day are on time."))
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_periods",
        verbose_name=_("city"),
        help_text=_("Empty: every city reports in it. A city's own special round names the city."),
    )
    is_illustrative = models.BooleanField(_("illustrative (demo data)"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["start", "kind", "key"]
        verbose_name = _("report period")
        verbose_name_plural = _("report periods")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="period_ends_after_it_starts"),
            models.CheckConstraint(condition=Q(deadline__gte=F("end")), name="period_deadline_not_before_its_end"),
            models.CheckConstraint(condition=Q(key__regex=PERIOD_KEY_REGEX), name="period_key_shape"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reporting:period", args=[self.key])

    @property
    def year(self):
        """The programme year the period belongs to."""
        return self.start.year

    @property
    def start_moment(self):
        return start_of(self.start)

    @property
    def end_moment(self):
        """The first moment after the period."""
        return start_of(self.end + timedelta(days=1))

    @property
    def deadline_moment(self):
        """A report received before this moment is on time."""
        return start_of(self.deadline + timedelta(days=1))

    def days_overdue(self, today):
        return max(0, (today - self.deadline).days)

    def has_begun(self, today):
        return self.start <= today

    def clean(self):
        problems = {}
        if self.start and self.end and self.end < self.start:
            problems["end"] = _("The period ends (%(end)s) before it begins (%(start)s).") % {
                "end": self.end,
                "start": self.start,
            }
        if self.end and self.deadline and self.deadline < self.end:
            problems["deadline"] = _(
                "The deadline (%(deadline)s) is before the end of the period (%(end)s): a report is due after the "
                "period it covers."
            ) % {"deadline": self.deadline, "end": self.end}
        if self.start and self.end and not problems:
            other = self.overlapping().first()
            if other is not None:
                problems["start"] = _(
                    "%(start)s – %(end)s overlaps the period %(other)s (%(other_start)s – %(other_end)s): periods of "
                    "one kind do not overlap."
                ) % {
                    "start": self.start,
                    "end": self.end,
                    "other": other.name,
                    "other_start": other.start,
                    "other_end": other.end,
                }
        if self.start and not FIRST_PROGRAMME_YEAR <= self.start.year <= LAST_PROGRAMME_YEAR:
            problems["start"] = _("Periods lie in the programme's years, %(first)d to %(last)d.") % {
                "first": FIRST_PROGRAMME_YEAR,
                "last": LAST_PROGRAMME_YEAR,
            }
        if problems:
            raise ValidationError(problems)

    def overlapping(self):
        """Periods of the same kind, for the same cities, whose days meet this one's."""
        others = Period.objects.filter(kind=self.kind, start__lte=self.end, end__gte=self.start).exclude(pk=self.pk)
        return others if self.city_id is None else others.for_city(self.city_id)


class Rules(models.Model):
    """What a city sets about its reporting: when the reminder before the deadline goes out, and the on-time rates
    that earn a county praise (表扬) or criticism (通报批评) in the 通报. Without a city: the province's."""

    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("city"),
        help_text=_("Empty: the province's rules, for its own 通报 and for cities that set none."),
    )
    remind_days_before = models.PositiveSmallIntegerField(
        _("days before the deadline to remind"),
        default=3,
        validators=[MaxValueValidator(31)],
        help_text=_("County editors with villages not yet reported are reminded this many days before the deadline."),
    )
    praise_at_least = models.DecimalField(
        _("on-time rate for praise (表扬), %"), max_digits=5, decimal_places=1, default=100, validators=PERCENT
    )
    criticise_below = models.DecimalField(
        _("on-time rate below which a county is criticised (通报批评), %"),
        max_digits=5,
        decimal_places=1,
        default=80,
        validators=PERCENT,
    )

    class Meta:
        verbose_name = _("reporting rules")
        verbose_name_plural = _("reporting rules")
        constraints = [
            models.UniqueConstraint(Coalesce("city", Value("")), name="reporting_rules_one_per_place"),
            models.CheckConstraint(
                condition=Q(criticise_below__lte=F("praise_at_least")), name="reporting_rules_praise_above_criticism"
            ),
        ]

    def __str__(self):
        return str(self.city or _("province"))

    def clean(self):
        if (
            self.praise_at_least is not None
            and self.criticise_below is not None
            and self.criticise_below > self.praise_at_least
        ):
            raise ValidationError({"criticise_below": _("The rate for criticism is above the rate for praise.")})

    @classmethod
    def for_city(cls, city_code):
        """The city's rules, else the province's, else the defaults (not saved)."""
        found = {rules.city_id: rules for rules in cls.objects.filter(Q(city_id=city_code) | Q(city__isnull=True))}
        return found.get(city_code) or found.get(None) or cls(city_id=None)

    @classmethod
    def by_city(cls):
        """{city code or None: rules} of every place that set some."""
        return {rules.city_id: rules for rules in cls.objects.all()}


class NoChange(models.Model):
    """A recorded "本月无变化": the county confirms that nothing changed in the village in the period. It counts as
    the village's report, received when it was confirmed."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="no_changes", verbose_name=_("period"))
    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="no_change_reports", verbose_name=_("village")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("confirmed by")
    )
    status = models.CharField(_("status confirmed"), max_length=12, choices=Status.choices, editable=False)
    progress = models.PositiveSmallIntegerField(_("progress confirmed (%)"), editable=False)
    is_illustrative = models.BooleanField(_("illustrative (demo data)"), default=False)

    class Meta:
        ordering = ["-confirmed_at"]
        verbose_name = _("“no change this month” confirmation")
        verbose_name_plural = _("“no change this month” confirmations")
        constraints = [models.UniqueConstraint(fields=["period", "village"], name="no_change_once_per_period")]

    def __str__(self):
        return f"{self.village.short_name} {self.period}"


class Urge(models.Model):
    """A city administrator's 催报 for one county: at most one a day."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="urges", verbose_name=_("period"))
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    day = models.DateField(_("day"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("催报 by the city")
        verbose_name_plural = _("催报 by the city")
        constraints = [models.UniqueConstraint(fields=["county", "day"], name="urge_once_a_day_per_county")]

    def __str__(self):
        return f"{self.county} {self.day}"


class ReminderQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def mail_pending(self):
        return self.filter(mail=Reminder.Mail.PENDING)


class Reminder(models.Model):
    """One reminder (催报) to one county editor: the in-app notice it is from the moment its row exists, and the
    email that goes out once. The row is claimed by a unique constraint before anything is sent, so that however
    often and on however many servers send_reminders runs, each (period, user, kind) gets one."""

    class Kind(models.TextChoices):
        DUE = "due", _("deadline near (截止前提醒)")
        OVERDUE = "overdue", _("overdue (逾期催报)")
        URGED = "urged", _("催报 by the city")

    class Mail(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        NO_ADDRESS = "no_address", _("no email address")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("period"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    urge = models.ForeignKey(
        Urge, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders", verbose_name=_("催报")
    )
    missing = models.PositiveIntegerField(_("villages not reported when claimed"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    mail = models.CharField(_("email"), max_length=10, choices=Mail.choices, default=Mail.PENDING)
    mailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    mail_attempts = models.PositiveSmallIntegerField(_("attempts to email"), default=0)
    mail_error = models.CharField(_("last email error"), max_length=300, blank=True)
    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reminder (催报)")
        verbose_name_plural = _("reminders (催报)")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "user", "kind"], condition=Q(urge__isnull=True), name="reminder_once_per_kind"
            ),
            models.UniqueConstraint(fields=["urge", "user"], name="reminder_once_per_urge"),
            models.CheckConstraint(
                condition=Q(kind="urged", urge__isnull=False) | (~Q(kind="urged") & Q(urge__isnull=True)),
                name="reminder_urged_has_its_urge",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="reminder_user_unread"),
            models.Index(fields=["mail"], condition=Q(mail="pending"), name="reminder_mail_pending"),
        ]

    def __str__(self):
        return f"{self.user} {self.period} {self.get_kind_display()}"


class BulletinQuerySet(models.QuerySet):
    def of_place(self, city_code):
        return self.filter(city_id=city_code) if city_code else self.filter(city__isnull=True)


class Bulletin(models.Model):
    """An issued 通报 of a period, for a city (its counties) or the province (its cities): the figures are frozen
    in it when it is issued, so that it reads the same however late reports arrive afterwards."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="bulletins", verbose_name=_("period"))
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("city")
    )
    number = models.CharField(
        _("document number (文号)"), max_length=60, blank=True, help_text=_("e.g. 晋中百乡千村办〔2025〕12号")
    )
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("issued by")
    )
    figures = models.JSONField(_("figures frozen at issue"), editable=False)
    is_illustrative = models.BooleanField(_("illustrative (demo data)"), default=False)
    objects = BulletinQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("bulletin (通报)")
        verbose_name_plural = _("bulletins (通报)")
        constraints = [
            models.UniqueConstraint("period", Coalesce("city", Value("")), name="bulletin_once_per_period_and_place")
        ]

    def __str__(self):
        return f"{self.period} {self.city or _('province')}"
