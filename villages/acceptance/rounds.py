"""A round of an application as the pages and the record (验收表) show it: each item with both scores."""

from dataclasses import dataclass, field
from decimal import Decimal

from villages.acceptance import scoring
from villages.acceptance.models import Application


@dataclass
class Line:
    item: object
    self_score: object = None
    note: str = ""
    evidence: list = field(default_factory=list)
    city_score: object = None
    comment: str = ""
    self_met: bool | None = None  # a condition's declaration and finding
    city_met: bool | None = None

    @property
    def decisive_failed(self):
        answered = scoring.is_answered(self.item, self.city_score, self.city_met)
        return self.item.decisive and answered and scoring.falls_short(self.item, self.city_score, self.city_met)

    @property
    def self_answer(self):
        """The county's score, or its declaration for a condition, as people read it."""
        return scoring.format_met(self.self_met) if self.item.is_condition else scoring.format_points(self.self_score)

    @property
    def city_answer(self):
        return scoring.format_met(self.city_met) if self.item.is_condition else scoring.format_points(self.city_score)


@dataclass
class Round:
    application: Application
    lines: list
    review: object = None

    @property
    def standard(self):
        return self.application.standard

    @property
    def self_total(self):
        return sum((line.self_score for line in self.lines if line.self_score is not None), Decimal(0))

    @property
    def evidence(self):
        return [evidence for line in self.lines for evidence in line.evidence]

    @property
    def photos(self):
        return [evidence for evidence in self.evidence if evidence.is_photo]


def load_round(application):
    self_scores = {
        row.item_id: row for row in application.self_scores.prefetch_related("evidence").select_related("item")
    }
    review = getattr(application, "review", None) if not application.is_draft else None
    city = {row.item_id: row for row in review.scores.all()} if review else {}
    lines = []
    for item in application.standard.items.all():
        own, theirs = self_scores.get(item.pk), city.get(item.pk)
        lines.append(
            Line(
                item,
                self_score=own.score if own else None,
                note=own.note if own else "",
                evidence=list(own.evidence.all()) if own else [],
                city_score=theirs.score if theirs else None,
                comment=theirs.comment if theirs else "",
                self_met=own.met if own else None,
                city_met=theirs.met if theirs else None,
            )
        )
    return Round(application, lines, review)


def rounds_of(village):
    return list(village.applications.select_related("standard", "review__reviewer", "submitted_by").order_by("number"))
