"""The rules about villages: who may see, change, accept or import which village. Built on counties.access.

Views, forms, templates (through the `access` template library), the admin, imports and APIs ask these
functions; none of them re-derives a rule.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from counties.access import can_change_county, is_city_admin, sees_every_county, visible_county_codes
from villages.models import Photo, Status, Village
from villages.workflow import ACCEPT, CITY_REVIEW_MOVES, COUNTY_MOVES, RETURN, is_forward


def visible_villages(user, queryset=None):
    queryset = Village.objects.all() if queryset is None else queryset
    if sees_every_county(user):
        return queryset
    return queryset.filter(county_id__in=visible_county_codes(user))


def can_see_village(user, village):
    return sees_every_county(user) or village.county_id in visible_county_codes(user)


def can_change_village(user, village):
    return can_change_county(user, village.county_id)


def get_village_for_view(user, code, queryset=None):
    village = visible_villages(user, queryset).filter(code=code).first()
    if village is None:
        raise Http404
    return village


def get_village_for_change(user, code, queryset=None):
    """The village the user may change: 404 when it is outside what they may see, 403 when they may only see it."""
    village = get_village_for_view(user, code, queryset)
    if not can_change_village(user, village):
        raise PermissionDenied
    return village


def get_village_for_review(user, code, queryset=None):
    """A village a city administrator is accepting or returning (验收 / 退回)."""
    village = get_village_for_change(user, code, queryset)
    if not is_city_admin(user):
        raise PermissionDenied
    return village


def can_set_tier(user):
    return is_city_admin(user)


def allowed_transition(user, village, old_status, new_status):
    if old_status == new_status:
        return True
    if not can_change_village(user, village):
        return False
    move = (old_status, new_status)
    return move in COUNTY_MOVES or (is_city_admin(user) and move in CITY_REVIEW_MOVES)


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
    return village.status == ACCEPT[0] and allowed_transition(user, village, *ACCEPT)


def can_return_village(user, village):
    return village.status == RETURN[0] and allowed_transition(user, village, *RETURN)


def can_take_location(user, village):
    """Whether the user may give the village a location from a photo's or the phone's position: only a village
    without a real one (none yet, or an illustrative one)."""
    return can_change_village(user, village) and (not village.has_location or village.location_is_illustrative)


def can_see_deleted_villages(user):
    return is_city_admin(user)


def get_photo_for_view(user, pk):
    """A photo, only for users who may see its village (404 otherwise, so its existence is not revealed)."""
    photo = Photo.objects.select_related("update__village").filter(pk=pk).first()
    if photo is None or not can_see_village(user, photo.update.village):
        raise Http404
    return photo


def can_import_villages(user):
    return is_city_admin(user)


def allowed_import_transition(user, village, old_status, new_status):
    """Status changes by import. A file records where villages stand, so a city administrator may move a
    village forward by any number of steps (including to accepted); a step back (退回) needs a written reason
    and is made on the village's own page. Anyone else follows the workflow."""
    if old_status == new_status:
        return True
    if not can_change_village(user, village):
        return False
    if is_city_admin(user):
        return is_forward(old_status, new_status)
    return allowed_transition(user, village, old_status, new_status)
