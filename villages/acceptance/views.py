"""Acceptance (验收) pages: the county's self-assessment, the city's review, each round and its record (验收表)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages import access as village_access
from villages.acceptance import access, workflow
from villages.acceptance.forms import ReviewForm, SelfAssessmentForm
from villages.acceptance.record import DOCX_CONTENT_TYPE, record_docx
from villages.acceptance.rounds import load_round, rounds_of
from villages.models import Village
from villages.views.photos import CONTENT_TYPES, private_file
from villages.workflow import EditConflict

EVIDENCE_CONTENT_TYPES = {
    **CONTENT_TYPES,
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CONFLICT = gettext_lazy(
    "Someone else saved this while you were working on it, so your changes were NOT saved. The form now shows "
    "the current values; your entries are listed above it."
)


def village_section(request, village):
    """What the village page shows of acceptance: the rounds, and what this user may do now."""
    user, standard = request.user, workflow.standard_for(village)
    rounds = rounds_of(village)
    if not (standard or rounds):
        return None
    return {
        "village": village,
        "rounds": rounds,
        "standard": standard,
        "can_apply": access.can_apply_for_acceptance(user, village) and workflow.why_not_apply(village) is None,
        "can_review_acceptance": access.can_review_acceptance(user, village),
    }


def self_assessment_form(standard, draft, data=None, files=None):
    own = list(draft.self_scores.prefetch_related("evidence")) if draft else []
    current = {row.item_id: (row.score, row.note, row.met) for row in own}
    evidence = {row.item_id: list(row.evidence.all()) for row in own}
    form = SelfAssessmentForm(standard.items.all(), current, draft.version if draft else 0, evidence, data, files)
    return form, current


@login_required
def apply(request, code):
    village = access.get_village_for_application(request.user, code, Village.objects.with_places())
    refusal = workflow.why_not_apply(village)
    if refusal:
        messages.error(request, refusal)
        return redirect(village)
    draft = workflow.draft_of(village)
    standard = draft.standard if draft else workflow.standard_for(village)
    form, _current = self_assessment_form(standard, draft, request.POST or None, request.FILES or None)
    context = {"village": village, "standard": standard, "draft": draft, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            application = workflow.save_application(
                village,
                draft,
                form.cleaned_data["version"],
                request.user,
                form.entries(),
                form.new_files,
                form.removed,
                submitting=form.finishing,
            )
        except EditConflict:
            draft = workflow.draft_of(village)
            fresh, current = self_assessment_form(standard, draft)
            messages.error(request, CONFLICT)
            context.update(draft=draft, form=fresh, unsaved=form.typed(current))
            return render(request, "acceptance/apply.html", context, status=409)
        except workflow.Refused as refusal:
            messages.error(request, str(refusal))
            return redirect(village)
        if form.finishing:
            messages.success(
                request,
                _("Round %(round)d submitted: %(village)s awaits the city's review (待复核).")
                % {"round": application.number, "village": village.short_name},
            )
            return redirect(village)
        messages.success(request, _("Draft saved. You can come back to it and submit it when it is complete."))
        return redirect("acceptance:apply", village.code)
    return render(request, "acceptance/apply.html", context)


def review_form(application, data=None):
    review = application.review
    current = {row.item_id: (row.score, row.comment, row.met) for row in review.scores.all()}
    return ReviewForm(application.standard.items.all(), current, review.version, review.comment, data), current


def review_context(village, application, form, **more):
    round_ = load_round(application)
    return {"village": village, "round": round_, "form": form, "rows": zip(form.rows(), round_.lines), **more}


@login_required
def review(request, code):
    village = village_access.get_village_for_review(request.user, code, Village.objects.with_places())
    application = workflow.submitted_round(village)
    if application is None or not access.can_review_acceptance(request.user, village):
        messages.error(request, _("Only a village awaiting review (待复核) can be reviewed."))
        return redirect(village)
    form, _current = review_form(application, request.POST or None)
    context = review_context(village, application, form)
    if request.method == "POST" and form.is_valid():
        try:
            result = workflow.save_review(
                application.review,
                form.cleaned_data["version"],
                request.user,
                form.entries(),
                form.cleaned_data["comment"],
                decide=form.finishing,
            )
        except EditConflict:
            application = workflow.submitted_round(village)
            if application is None:
                messages.error(request, _("Another reviewer has finished this review; nothing was changed."))
                return redirect(village)
            fresh, current = review_form(application)
            messages.error(request, CONFLICT)
            context = review_context(village, application, fresh, unsaved=form.typed(current))
            return render(request, "acceptance/review.html", context, status=409)
        except workflow.Refused as refusal:
            messages.error(request, str(refusal))
            return redirect(village)
        return redirect_after_review(request, village, application, result)
    return render(request, "acceptance/review.html", context)


def redirect_after_review(request, village, application, result):
    if result.decision == result.Decision.ACCEPTED:
        messages.success(request, _("%(village)s is accepted (验收通过).") % {"village": village.short_name})
    elif result.decision == result.Decision.RETURNED:
        messages.warning(
            request,
            _("%(village)s was returned to the county (退回) with the items to fix.") % {"village": village.short_name},
        )
    else:
        messages.success(request, _("Review saved; it is not finished yet."))
        return redirect("acceptance:review", village.code)
    return redirect(application)


def round_for_view(request, code, number):
    village = village_access.get_village_for_view(request.user, code, Village.objects.with_places())
    application = get_object_or_404(village.applications.select_related("standard"), number=number)
    return village, application


@login_required
def round_detail(request, code, number):
    village, application = round_for_view(request, code, number)
    return render(
        request,
        "acceptance/round.html",
        {"village": village, "round": load_round(application), "rounds": rounds_of(village)},
    )


@login_required
def record(request, code, number):
    village, application = round_for_view(request, code, number)
    if application.is_draft:
        raise Http404
    response = HttpResponse(record_docx(load_round(application)), content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="acceptance-{village.code}-round-{number}.docx"'
    return response


@login_required
def evidence_file(request, pk):
    """An evidence file, for users who may see its village. Documents are downloaded, never shown inline."""
    evidence = access.get_evidence_for_view(request.user, pk)
    return private_file(
        evidence.file, EVIDENCE_CONTENT_TYPES, as_attachment=not evidence.is_photo, filename=evidence.name
    )
