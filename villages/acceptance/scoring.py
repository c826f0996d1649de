"""The scoring rules of acceptance, said once.

- A score (the county's or the city's) is a number from 0 to the item's points, in steps of 0.5.
- A condition (否决项, a decisive item of 0 points, e.g. "发生重大安全生产事故的不予验收") is not scored: the
  county declares it met or not, the city finds it met or not, and it counts 0 toward the total.
- The total is the sum of the item scores; the app computes it, nobody types it.
- A decisive item (一票否决) fails when the city finds its condition not met, or scores it below its full points.
- A village passes (验收通过) when the city's total reaches the pass score and no decisive item failed;
  otherwise it is returned (退回) with the items to fix: those scored below their full points, and the conditions
  not met.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

STEP = Decimal("0.5")


def parse_score(text, points):
    """The score typed for an item with `points`, or ValidationError saying why it is refused."""
    try:
        score = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValidationError(_("%(value)s is not a number.") % {"value": text}) from None
    if not score.is_finite():
        raise ValidationError(_("%(value)s is not a number.") % {"value": text})
    if score < 0:
        raise ValidationError(_("A score cannot be negative."))
    if score > points:
        raise ValidationError(
            _("%(score)s is above the item's %(points)s points.") % {"score": text, "points": format_points(points)}
        )
    if score % STEP:
        raise ValidationError(_("%(score)s is not a multiple of 0.5.") % {"score": text})
    return score.quantize(Decimal("0.1"))


def format_points(value):
    """10, 7.5: no trailing .0."""
    if value is None:
        return ""
    value = Decimal(value)
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value.normalize())


def is_full(item, score):
    return score is not None and score >= item.points


def is_answered(item, score, met):
    """Whether the item has what it needs: a finding for a condition, a score for any other item."""
    return met is not None if item.is_condition else score is not None


def falls_short(item, score, met):
    """A condition found not met, or an item scored below its full points."""
    return met is False if item.is_condition else not is_full(item, score)


@dataclass
class Outcome:
    total: Decimal
    pass_score: Decimal
    decisive_failed: list  # items
    to_fix: list  # (item, score, met) scored below full points, or conditions not met

    @property
    def passed(self):
        return self.total >= self.pass_score and not self.decisive_failed


def outcome(standard, scored):
    """scored: [(item, score, met)] for every item of the standard, each answered (is_answered)."""
    short = [(item, score, met) for item, score, met in scored if falls_short(item, score, met)]
    return Outcome(
        total=sum((score for _item, score, _met in scored if score is not None), Decimal(0)),
        pass_score=standard.pass_score,
        decisive_failed=[item for item, _score, _met in short if item.decisive],
        to_fix=short,
    )


def format_met(met):
    """符合 / 不符合 for a condition's finding, nothing when there is none."""
    return "" if met is None else (_("met (符合)") if met else _("not met (不符合)"))
