"""催报: reminders to the county editors who own missing reports, each exactly once per period, user and kind.

Sending runs in two steps, each safe however many `send_reminders` run at once, on however many servers:

1. Claim: the reminders due today are inserted as rows; a unique constraint on (period, user, kind) makes the
   database keep one of each (INSERT ... ON CONFLICT DO NOTHING). A row is the in-app notice from that moment on,
   and its email is pending.
2. Deliver: the pending emails are taken in batches (BATCH), each in a transaction that locks its rows (SELECT ...
   FOR UPDATE SKIP LOCKED on PostgreSQL: another sender passes them by; on SQLite a write as the transaction's first
   statement takes the database's write lock, and another sender waits, then finds them sent), sent over one mail
   connection kept open for the whole run, and marked sent in the same transaction. A sender that dies before the
   commit leaves its batch pending and unlocked: the next run sends it. A mail server that refuses or cannot be
   reached mid-batch: what it accepted is marked sent, the rest stays pending (the one refused with the answer) for
   the next run.

The one window left is a crash after the mail server accepted messages of a batch and before its commit: the next
run sends them again, with the same Message-ID, which mail clients use to show each once.
"""

import contextlib
import smtplib
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from counties.access import COUNTY_EDITOR
from counties.models import Profile
from villages.reporting import rates
from villages.reporting.models import Bulletin, Period, Reminder, Rules, Urge

# Overdue reminders go out for periods whose deadline passed at most this many days ago and whose 通报 is not issued.
OVERDUE_DAYS = 31


@dataclass
class Outcome:
    due: int = 0  # reminders due today (period, user, kind)
    claimed: int = 0  # of them, new rows made by this run
    sent: int = 0  # emails sent by this run
    already: int = 0  # emails of due reminders sent before this run (or by another run meanwhile)
    waiting: int = 0  # emails still pending: the mail server refused or could not be reached
    no_address: int = 0
    errors: list = field(default_factory=list)


def kind_due(period, rules, today, issued):
    if period.deadline - timedelta(days=rules.remind_days_before) <= today <= period.deadline:
        return Reminder.Kind.DUE
    if period.deadline < today <= period.deadline + timedelta(days=OVERDUE_DAYS) and not issued:
        return Reminder.Kind.OVERDUE
    return None


def editors_of(county_codes):
    """{county code: [user ids of its active county editors]}."""
    found = {}
    rows = Profile.objects.filter(role=COUNTY_EDITOR, counties__in=county_codes, user__is_active=True).values_list(
        "counties", "user_id"
    )
    for county, user in rows:
        if county in county_codes:
            found.setdefault(county, []).append(user)
    return found


def due_reminders(today):
    """[Reminder (unsaved)] due today: one per period, kind and county editor who owns a missing report."""
    periods = list(Period.objects.filter(start__lte=today, deadline__gte=today - timedelta(days=OVERDUE_DAYS)))
    if not periods:
        return []
    rules = Rules.by_city()
    issued = set(Bulletin.objects.filter(period__in=periods).values_list("period_id", "city_id"))
    wanted = {}  # (period, kind, user) -> villages missing
    for period in periods:
        missing = {code: rate.missing for code, rate in rates.county_rates(period).items() if rate.missing}
        kinds = {}
        for code in missing:
            city = code[:4]
            city_rules = rules.get(city) or rules.get(None) or Rules()
            closed = (period.pk, city) in issued or (period.pk, None) in issued
            kinds[code] = kind_due(period, city_rules, today, closed)
        for code, users in editors_of({code for code, kind in kinds.items() if kind}).items():
            for user in users:
                key = (period.pk, kinds[code], user)
                wanted[key] = wanted.get(key, 0) + missing[code]
    return [
        Reminder(period_id=period, kind=kind, user_id=user, missing=count)
        for (period, kind, user), count in sorted(wanted.items())
    ]


def claim(reminders):
    """Insert the reminders; those already there (this run's twin on another server included) are kept as they are.
    Returns how many rows this call made."""
    if not reminders:
        return 0
    keys = {(reminder.period_id, reminder.user_id, reminder.kind) for reminder in reminders}
    periods = {period for period, _user, _kind in keys}

    def existing():
        rows = Reminder.objects.filter(period_id__in=periods, urge__isnull=True).values_list(
            "period_id", "user_id", "kind"
        )
        return {row for row in rows if row in keys}

    before = existing()
    Reminder.objects.bulk_create(reminders, ignore_conflicts=True, batch_size=500)
    return len(existing() - before)


class MailServerDown(Exception):
    pass


def site_url(path):
    return settings.SITE_URL.rstrip("/") + path if settings.SITE_URL else path


# Reminders taken, emailed over the one mail connection and marked per transaction: the database's work is one
# statement per batch instead of three per email, and a sender killed mid-batch leaves at most these to send again.
BATCH = 20


class Letters:
    """The emails of one delivery: each editor's missing villages, read once per period for every county; the
    counties of a batch's editors in one query; each template loaded once."""

    def __init__(self, today):
        self.today = today
        self.missing = {}  # period pk -> {county code: [Missing]}
        self.counties = {}  # user pk -> [county codes]
        self.subject = get_template("reporting/reminder_subject.txt")
        self.body = get_template("reporting/reminder_email.txt")
        self.url = site_url(reverse("reporting:notices"))
        self.domain = settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "localhost"

    def read_counties(self, user_ids):
        wanted = set(user_ids) - set(self.counties)
        if not wanted:
            return
        self.counties.update((user_id, []) for user_id in wanted)
        rows = Profile.objects.filter(user_id__in=wanted).exclude(counties=None).values_list("user_id", "counties")
        for user_id, code in rows.order_by("counties"):
            self.counties[user_id].append(code)

    def missing_of(self, period, county_codes):
        if period.pk not in self.missing:
            by_county = {}
            for item in rates.missing_villages(period, None, self.today):
                by_county.setdefault(item.county_code, []).append(item)
            self.missing[period.pk] = by_county
        return [item for code in county_codes for item in self.missing[period.pk].get(code, [])]

    def message(self, reminder):
        period = reminder.period
        self.read_counties([reminder.user_id])
        context = {
            "reminder": reminder,
            "period": period,
            "villages": self.missing_of(period, self.counties[reminder.user_id]),
            "days_overdue": period.days_overdue(self.today),
            "days_left": (period.deadline - self.today).days,
            "url": self.url,
            "period_url": site_url(period.get_absolute_url()),
        }
        with translation.override(settings.LANGUAGE_CODE):
            subject = " ".join(self.subject.render(context).split())
            body = self.body.render(context)
        return mail.EmailMessage(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [reminder.user.email],
            headers={"Message-ID": f"<reminder-{reminder.pk}-{period.key}-{reminder.kind}@{self.domain}>"},
        )


def take(pks):
    """Up to BATCH of these reminders still pending, locked for this transaction: on PostgreSQL those another sender
    holds are passed by (SKIP LOCKED); on SQLite a write as the transaction's first statement takes the database's
    write lock (another sender waits for this commit, then finds them sent)."""
    pending = Reminder.objects.mail_pending().filter(pk__in=pks).select_related("user", "period").order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        return list(pending.select_for_update(skip_locked=True, of=("self",))[:BATCH])
    Reminder.objects.filter(pk__in=pending.values("pk")[:BATCH]).update(mail_attempts=F("mail_attempts"))
    return list(pending[:BATCH])


def deliver_batch(pks, letters, outbox, outcome):
    """Take a batch, email it over the open connection and mark it, in one transaction. Returns how many it took
    (0: none of `pks` is left to this sender). When the mail server refuses or fails mid-batch, what it accepted is
    marked sent, the one it failed keeps its answer, the rest of the batch stays pending untouched, and
    MailServerDown stops the delivery."""
    with transaction.atomic():
        batch = take(pks)
        letters.read_counties([reminder.user_id for reminder in batch])
        sent, failed = [], None
        for reminder in batch:
            if not reminder.user.email:
                continue
            try:
                outbox.send_messages([letters.message(reminder)])
            except (OSError, smtplib.SMTPException) as error:
                failed = (str(error) or error.__class__.__name__)[:300]
                Reminder.objects.filter(pk=reminder.pk).update(mail_attempts=F("mail_attempts") + 1, mail_error=failed)
                break
            sent.append(reminder.pk)
        outcome.sent += Reminder.objects.filter(pk__in=sent).update(
            mail=Reminder.Mail.SENT, mailed_at=timezone.now(), mail_attempts=F("mail_attempts") + 1, mail_error=""
        )
        without = [reminder.pk for reminder in batch if not reminder.user.email]
        outcome.no_address += Reminder.objects.filter(pk__in=without).update(mail=Reminder.Mail.NO_ADDRESS)
    if failed:
        raise MailServerDown(failed)
    return len(batch)


def deliver(pks, today, outcome):
    """Send the pending emails of these reminders, once each, in batches; stop at the first sign that the mail server
    is down. Those another sender took meanwhile count as sent already."""
    if not pks:
        return
    letters = Letters(today)
    outbox = mail.get_connection(fail_silently=False)
    try:
        outbox.open()
    except (OSError, smtplib.SMTPException) as error:
        outcome.errors.append(str(error) or error.__class__.__name__)
        outcome.waiting += len(pks)
        Reminder.objects.filter(pk__in=pks).mail_pending().update(
            mail_attempts=F("mail_attempts") + 1, mail_error=(str(error) or error.__class__.__name__)[:300]
        )
        return
    before = outcome.sent + outcome.no_address
    interrupted = False
    try:
        while True:
            try:
                if not deliver_batch(pks, letters, outbox, outcome):
                    break
            except OperationalError as error:
                if connection.vendor != "sqlite" or "locked" not in str(error):
                    raise
                interrupted = True  # SQLite: another sender kept the database; the rest waits for the next run
                break
            except MailServerDown as down:
                outcome.errors.append(str(down))
                interrupted = True
                break
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            outbox.close()
    # Still pending after an interruption: waiting for the next run; otherwise held by another sender, which sends them.
    left = Reminder.objects.filter(pk__in=pks).mail_pending().count() if interrupted else 0
    outcome.waiting += left
    outcome.already += len(pks) - left - (outcome.sent + outcome.no_address - before)


def send_reminders(today=None):
    """Claim the reminders due today, then send every pending email (those of earlier runs the mail server refused,
    and the city's 催报, included)."""
    today = today or timezone.localdate()
    outcome = Outcome()
    due = due_reminders(today)
    outcome.due = len(due)
    outcome.claimed = claim(due)
    keys = {(reminder.period_id, reminder.user_id, reminder.kind) for reminder in due}
    rows = Reminder.objects.filter(period_id__in={key[0] for key in keys}, urge__isnull=True).values_list(
        "pk", "period_id", "user_id", "kind", "mail"
    )
    outcome.already = sum(1 for pk, *key, state in rows if tuple(key) in keys and state == Reminder.Mail.SENT)
    pending = list(Reminder.objects.mail_pending().order_by("pk").values_list("pk", flat=True))
    deliver(pending, today, outcome)
    return outcome


class AlreadyUrged(Exception):
    pass


def urge_county(period, county, user, now=None):
    """A city administrator's 催报 for one county: a notice and an email to each of its editors, at most once a day.
    Returns how many editors it reached (AlreadyUrged when the county was urged today)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    try:
        with transaction.atomic():
            urge = Urge.objects.create(period=period, county=county, day=today, requested_at=now, requested_by=user)
            missing = rates.county_rates(period, [county.code]).get(county.code, rates.Rate()).missing
            users = editors_of({county.code}).get(county.code, [])
            Reminder.objects.bulk_create(
                [
                    Reminder(period=period, user_id=user_id, kind=Reminder.Kind.URGED, urge=urge, missing=missing)
                    for user_id in users
                ]
            )
    except IntegrityError:
        earlier = Urge.objects.filter(county=county, day=today).select_related("requested_by").first()
        raise AlreadyUrged(
            _("%(county)s was already sent a 催报 today (%(time)s, by %(user)s): at most one a day.")
            % {
                "county": county.name,
                "time": timezone.localtime(earlier.requested_at).strftime("%H:%M") if earlier else "",
                "user": earlier.requested_by if earlier and earlier.requested_by else "—",
            }
        ) from None
    pks = list(Reminder.objects.filter(urge=urge).values_list("pk", flat=True))
    deliver(pks, today, Outcome())
    return len(users)
