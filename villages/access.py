"""The rules about villages: who may see, change, accept or import which village. Built on counties.access
(whose docstring states the visibility rule).

Views, forms, templates (through the `access` template library), the admin, imports and APIs ask these
functions; none of them re-derives a rule. A refusal carries its reason for the error page.
"""

from django.utils.translation import gettext_lazy as _

from counties.access import (
    AccessRefused,
    NotVisible,
    administers_county,
    administers_every_county,
    can_change_county,
    can_see_county_villages,
    change_refusal,
    check_city_admin,
    is_city_admin,
    not_visible_reason,
    sees_every_county,
    village_county_codes,
)
from villages.acceptance.workflow import needs_review
from villages.models import Evidence, Photo, Status, Village
from villages.workflow import ACCEPT, CITY_REVIEW_MOVES, COUNTY_MOVES, RETURN, is_forward


def visible_villages(user, queryset=None):
    queryset = Village.objects.all() if queryset is None else queryset
    if sees_every_county(user):
        return queryset
    return queryset.filter(county_id__in=village_county_codes(user))


def can_see_village(user, village):
    return can_see_county_villages(user, village.county_id)


def can_change_village(user, village):
    return village.withdrawn_at is None and can_change_county(user, village.county_id)


def get_village_for_view(user, code, queryset=None):
    village = (Village.objects.all() if queryset is None else queryset).filter(code=code).first()
    if village is not None and can_see_village(user, village):
        return village
    if village is None:
        county_code = Village.objects.filter(code=code).values_list("county_id", flat=True).first()
    else:  # to those who do not see it, a withdrawn village is as unknown as the list of current ones makes it
        county_code = village.county_id if village.withdrawn_at is None else None
    if county_code is not None:
        raise NotVisible(not_visible_reason(user, county_code))
    raise NotVisible(_("There is no village with the code %(code)s.") % {"code": code})


def get_village_for_change(user, code, queryset=None):
    """The village the user may change: 404 when it is outside what they may see, 403 when they may only see it."""
    village = get_village_for_view(user, code, queryset)
    reason = change_refusal(user, village.county_id)
    if reason:
        raise AccessRefused(reason)
    return village


def get_village_for_review(user, code, queryset=None):
    """A village a city administrator is deciding on: accepting, returning (验收 / 退回), withdrawing or
    reinstating (撤并 / 恢复), withdrawn villages included unless `queryset` leaves them out."""
    village = get_village_for_view(user, code, Village.all_objects.all() if queryset is None else queryset)
    check_city_admin(
        user, _("Only city administrators accept, return, withdraw or reinstate villages."), village.county_id
    )
    return village


def can_set_tier(user):
    return is_city_admin(user)


def allowed_transition(user, village, old_status, new_status):
    if old_status == new_status:
        return True
    if not can_change_village(user, village):
        return False
    move = (old_status, new_status)
    return move in COUNTY_MOVES or (administers_county(user, village.county_id) and move in CITY_REVIEW_MOVES)


def allowed_statuses(user, village):
    """The statuses the user may move this village to, its current one first."""
    return [village.status] + [
        status
        for status in Status.values
        if status != village.status and allowed_transition(user, village, village.status, status)
    ]


def allowed_edit_move(user, village, old_status, new_status):
    """A move made on the edit page or by a progress update. Accepting and returning are separate city actions
    (a return needs a reason)."""
    return (old_status, new_status) not in CITY_REVIEW_MOVES and allowed_transition(
        user, village, old_status, new_status
    )


def edit_form_statuses(user, village):
    """Statuses offered on the edit page and the update form, the current one first."""
    return [
        status for status in allowed_statuses(user, village) if allowed_edit_move(user, village, village.status, status)
    ]


def can_accept_village(user, village):
    """The one-click 验收: only for tiers and years without an acceptance standard."""
    return village.status == ACCEPT[0] and allowed_transition(user, village, *ACCEPT) and not needs_review(village)


def can_return_village(user, village):
    return village.status == RETURN[0] and allowed_transition(user, village, *RETURN)


def can_take_location(user, village):
    """Whether the user may give the village a location from a photo's or the phone's position: only a village
    without a real one (none yet, or an illustrative one)."""
    return can_change_village(user, village) and (not village.has_location or village.location_is_illustrative)


def can_see_withdrawn_villages(user):
    return is_city_admin(user)


def check_see_withdrawn_villages(user):
    check_city_admin(user, _("Only city administrators see withdrawn villages."))


def can_withdraw_village(user, village):
    return administers_county(user, village.county_id) and village.withdrawn_at is None


def can_reinstate_village(user, village):
    return administers_county(user, village.county_id) and village.withdrawn_at is not None


def get_photo_for_view(user, pk):
    """A photo, only for users who may see its village (404 otherwise, so its existence is not revealed)."""
    photo = Photo.objects.select_related("update__village").filter(pk=pk).first()
    if photo is None or not can_see_village(user, photo.update.village):
        raise NotVisible(
            _("There is no such photo, or it belongs to a village of a county whose records you do not see.")
        )
    return photo


def can_import_villages(user):
    return is_city_admin(user)


def check_import_villages(user):
    check_city_admin(user, _("Only city administrators import and export village lists."))


def allowed_import_transition(user, village, old_status, new_status):
    """Status changes by import. A file records where villages stand, so a city administrator may move a
    village forward by any number of steps (including to accepted); a step back (退回) needs a written reason
    and is made on the village's own page. Anyone else follows the workflow."""
    if old_status == new_status:
        return True
    if not can_change_village(user, village):
        return False
    if new_status == Status.UNDER_REVIEW or (new_status == Status.ACCEPTED and needs_review(village)):
        return False
    if administers_county(user, village.county_id):
        return is_forward(old_status, new_status)
    return allowed_transition(user, village, old_status, new_status)


# --- Acceptance (验收) against a standard ------------------------------------------------------------------


def can_apply_for_acceptance(user, village):
    """The county's editors apply, for their own counties only; a city administrator may fill it in for them."""
    return can_change_village(user, village)


def get_village_for_application(user, code, queryset=None):
    """Applying is changing the village: the same 404 / 403 and reasons."""
    return get_village_for_change(user, code, queryset)


def can_review_acceptance(user, village):
    """City administrators review; an editor never does, even for their own county."""
    return administers_county(user, village.county_id) and village.status == Status.UNDER_REVIEW


def can_manage_standards(user):
    """Standards hold for every county: for province administrators (and those of the only city)."""
    return administers_every_county(user)


def check_manage_standards(user):
    check_city_admin(user, _("Only city administrators set the acceptance standards."))
    if not can_manage_standards(user):
        raise AccessRefused(_("Acceptance standards hold for every city: only province administrators set them."))


def get_evidence_for_view(user, pk):
    """An evidence file, only for users who may see its village (404 otherwise)."""
    evidence = Evidence.objects.select_related("self_score__application__village").filter(pk=pk).first()
    if evidence is None or not can_see_village(user, evidence.self_score.application.village):
        raise NotVisible(
            _("There is no such evidence file, or it belongs to a village of a county whose records you do not see.")
        )
    return evidence
