"""How an application for acceptance moves: draft → submitted (the village is 待复核) → accepted or returned,
and the next round after a return. Saves check the version the user started from, as village edits do
(villages.workflow.commit): of two people saving the same version, the second is refused."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from villages import workflow as village_workflow
from villages.acceptance import scoring
from villages.acceptance.models import Application, Evidence, Review, ReviewScore, SelfScore, Standard
from villages.models import Status
from villages.workflow import EditConflict

State = Application.State


class Refused(Exception):
    """The move is not possible in the state things are in; the message says why."""


def standard_for(village):
    return Standard.objects.for_village(village)


def needs_review(village):
    """Where a standard exists for the village's tier and year, only a passed review accepts it."""
    return standard_for(village) is not None


def draft_of(village):
    return village.applications.filter(status=State.DRAFT).select_related("standard").first()


def submitted_round(village):
    return village.applications.filter(status=State.SUBMITTED).select_related("standard", "review").first()


def why_not_apply(village):
    """None when the county may apply now (or go on with its draft), else the reason it may not."""
    if village.status == Status.UNDER_REVIEW:
        return _("The application was submitted and awaits the city's review (待复核).")
    if village.status == Status.ACCEPTED:
        return _("The village is already accepted.")
    if village.status != Status.COMPLETED:
        return _("Only a completed village can apply for acceptance.")
    if draft_of(village) is None and not needs_review(village):
        return _("There is no acceptance standard for this tier and year: the city accepts the village directly.")
    return None


def claim(model, obj, expected_version, **state):
    """Take the next version of obj, or EditConflict if someone saved it since expected_version."""
    if obj.version != expected_version:
        raise EditConflict
    if not model.objects.filter(pk=obj.pk, version=expected_version, **state).update(version=F("version") + 1):
        raise EditConflict
    obj.version = expected_version + 1


def new_round(village, user):
    standard = standard_for(village)
    number = (village.applications.aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            application = Application.objects.create(village=village, number=number, standard=standard, updated_by=user)
    except IntegrityError:  # someone opened this round (or another open one) at the same moment
        raise EditConflict from None
    for item in standard.items.all():
        SelfScore.objects.create(application=application, item=item)
    return application


def save_draft(village, application, expected_version, user, entries, new_files, removed):
    """entries: {item id: (score or None, note, met or None)}; new_files: {item id: [CheckedFile]}; removed:
    evidence ids."""
    with transaction.atomic():
        if application is None:
            application = new_round(village, user)
        else:
            claim(Application, application, expected_version, status=State.DRAFT)
        application.updated_by = user
        application.save()
        for self_score in application.self_scores.all():
            entry = entries.get(self_score.item_id, (self_score.score, self_score.note, self_score.met))
            if entry != (self_score.score, self_score.note, self_score.met):
                self_score.score, self_score.note, self_score.met = entry
                self_score.save()
            for checked in new_files.get(self_score.item_id, []):
                Evidence.objects.create(
                    self_score=self_score,
                    file=checked.content,
                    name=checked.name[:255],
                    kind=checked.kind,
                    size=checked.size,
                    uploaded_by=user,
                )
        for evidence in Evidence.objects.filter(pk__in=removed, self_score__application=application):
            stored = evidence.file
            evidence.delete()
            transaction.on_commit(lambda stored=stored: stored.delete(save=False))
    return application


def save_application(village, application, expected_version, user, entries, new_files, removed, submitting, when=None):
    """Save the self-assessment, and with `submitting` submit it (as of `when`, default now), all or nothing."""
    with transaction.atomic():
        application = save_draft(village, application, expected_version, user, entries, new_files, removed)
        if submitting:
            submit(application, user, when)
    return application


def submit(application, user, when=None):
    """Lock the self-assessment and put the village into 待复核."""
    when = when or timezone.now()
    with transaction.atomic():
        try:
            village_workflow.submit_for_review(application.village, user, when)
        except village_workflow.Refused as refusal:
            raise Refused(str(refusal)) from None
        unanswered = Q(item__points__gt=0, score__isnull=True) | Q(item__points=0, met__isnull=True)
        missing = application.self_scores.filter(unanswered).count()
        if missing:
            raise Refused(_("%(count)d item(s) have no self-score yet.") % {"count": missing})
        application.status = State.SUBMITTED
        application.submitted_at = when
        application.submitted_by = user
        application.save()
        review = Review.objects.create(application=application)
        for item in application.standard.items.all():
            ReviewScore.objects.create(review=review, item=item)


def save_review(review, expected_version, user, entries, comment, decide, when=None):
    """entries: {item id: (score or None, comment, met or None)}. With decide, the app decides: accepted or
    returned."""
    with transaction.atomic():
        claim(Review, review, expected_version, decision="")
        scored = []
        for row in review.scores.select_related("item"):
            entry = entries.get(row.item_id, (row.score, row.comment, row.met))
            if entry != (row.score, row.comment, row.met):
                row.score, row.comment, row.met = entry
                row.save()
            scored.append((row.item, row.score, row.met))
        review.total = sum((score for _item, score, _met in scored if score is not None), Decimal(0))
        review.comment = comment
        review.reviewer = user
        if decide:
            decide_round(review, user, scored, when or timezone.now())
        review.save()
    return review


def decide_round(review, user, scored, when):
    if not all(scoring.is_answered(item, score, met) for item, score, met in scored):
        raise Refused(_("Every item needs the city's score before the review can be finished."))
    application = review.application
    result = scoring.outcome(application.standard, scored)
    review.decided_at = when
    reason = "" if result.passed else return_text(application, result, review.comment)
    try:
        village_workflow.decide(application.village, user, result.passed, review.decided_at, reason)
    except village_workflow.Refused as refusal:
        raise Refused(str(refusal)) from None
    if result.passed:
        review.decision, application.status = Review.Decision.ACCEPTED, State.ACCEPTED
    else:
        review.decision, application.status = Review.Decision.RETURNED, State.RETURNED
    application.save()


def return_text(application, result, comment):
    """What the county reads on the village page: the score, and the items to fix with the city's comments."""
    lines = [
        _("Round %(round)d not accepted: %(total)s points, the pass score is %(pass)s.")
        % {
            "round": application.number,
            "total": scoring.format_points(result.total),
            "pass": scoring.format_points(result.pass_score),
        }
    ]
    if result.decisive_failed:
        lines.append(
            _("Decisive items (一票否决) not met: %(numbers)s.")
            % {"numbers": "、".join(item.number for item in result.decisive_failed)}
        )
    if comment:
        lines.append(comment)
    comments = {row.item_id: row.comment for row in application.review.scores.all()}
    lines.append(_("To fix:"))
    for item, score, met in result.to_fix:
        if item.is_condition:
            text = f"{item.number} {item.point} ({scoring.format_met(met)})"
        else:
            text = f"{item.number} {item.point} ({scoring.format_points(score)}/{scoring.format_points(item.points)})"
        lines.append(f"- {text}: {comments[item.pk]}" if comments.get(item.pk) else f"- {text}")
    return "\n".join(lines)
