"""Pace forecast: at the current rate of acceptance, where will a count of villages be at a deadline?"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

DAYS_PER_MONTH = 365.25 / 12
RATE_WINDOW_DAYS = 182  # "the current rate" is the pace of the last six months
AHEAD_MARGIN = 1.1  # more than 10 % above the goal is ahead, not just on pace


class Verdict(models.TextChoices):
    NO_DATA = "no_data", _("no data yet")
    NO_TARGET = "no_target", _("target not set")
    REACHED = "reached", _("reached")
    AHEAD = "ahead", _("ahead")
    ON_PACE = "on_pace", _("on pace")
    BEHIND = "behind", _("behind")


@dataclass
class Forecast:
    accepted: int
    target: int | None
    rate: float | None  # villages per month
    projected: int | None
    needed_rate: float | None  # villages per month still needed to reach the target
    verdict: str

    @property
    def verdict_label(self):
        return Verdict(self.verdict).label


def forecast(acceptance_dates, target, today, deadline):
    """Forecast from the dates on which villages were accepted (one date per accepted village)."""
    dates = [d for d in acceptance_dates if d <= today]
    accepted = len(dates)
    months_left = max((deadline - today).days, 0) / DAYS_PER_MONTH
    if target is not None and accepted < target:
        needed = (target - accepted) / months_left if months_left else None
    else:
        needed = 0.0 if target is not None else None
    if not dates:
        return Forecast(0, target, None, None, needed, Verdict.NO_DATA)
    span_days = max(min(RATE_WINDOW_DAYS, (today - min(dates)).days), DAYS_PER_MONTH)
    since = today - timedelta(days=span_days)
    rate = sum(1 for d in dates if d >= since) / (span_days / DAYS_PER_MONTH)
    projected = accepted + round(rate * months_left)
    if target is None:
        verdict = Verdict.NO_TARGET
    elif accepted >= target:
        verdict = Verdict.REACHED
    elif projected >= target * AHEAD_MARGIN:
        verdict = Verdict.AHEAD
    elif projected >= target:
        verdict = Verdict.ON_PACE
    else:
        verdict = Verdict.BEHIND
    return Forecast(accepted, target, rate, projected, needed, verdict)
