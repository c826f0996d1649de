"""Every access rule of the app, in one place.

Roles: a city administrator may do everything; a county editor may change the villages of the
counties they are assigned to and sees only those; a viewer sees everything and changes nothing.
Views, forms, the admin, imports and APIs all ask this module.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from counties.models import County, Profile

CITY_ADMIN = Profile.Role.CITY_ADMIN
COUNTY_EDITOR = Profile.Role.COUNTY_EDITOR
VIEWER = Profile.Role.VIEWER

# Status workflow: (from, to) pairs each role may make. Staying in the same status is always allowed.
COUNTY_TRANSITIONS = {
    ("not_started", "planned"),
    ("planned", "in_progress"),
    ("in_progress", "completed"),
}
CITY_ONLY_TRANSITIONS = {
    ("completed", "accepted"),  # 验收通过
    ("completed", "in_progress"),  # 退回, with a written reason
}


def role_of(user):
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return CITY_ADMIN
    if not hasattr(user, "_tracker_role"):
        profile = Profile.objects.filter(user=user).only("role").first()
        user._tracker_role = profile.role if profile else VIEWER
    return user._tracker_role


def is_city_admin(user):
    return role_of(user) == CITY_ADMIN


def is_county_editor(user):
    return role_of(user) == COUNTY_EDITOR


def editor_county_codes(user):
    """Codes of the counties whose villages the user may change (empty for viewers)."""
    if role_of(user) != COUNTY_EDITOR:
        return frozenset()
    if not hasattr(user, "_tracker_counties"):
        user._tracker_counties = frozenset(
            County.objects.filter(editors__user=user).values_list("code", flat=True)
        )
    return user._tracker_counties


def home_county_code(user):
    """The county a county editor lands on, or None."""
    codes = sorted(editor_county_codes(user))
    return codes[0] if codes else None


def visible_county_codes(user):
    """Codes of the counties whose villages (and figures built from them) the user may see."""
    role = role_of(user)
    if role in (CITY_ADMIN, VIEWER):
        return frozenset(County.objects.values_list("code", flat=True))
    return editor_county_codes(user)


def visible_villages(user, queryset=None):
    from villages.models import Village

    queryset = Village.objects.all() if queryset is None else queryset
    role = role_of(user)
    if role in (CITY_ADMIN, VIEWER):
        return queryset
    if role == COUNTY_EDITOR:
        return queryset.filter(county_id__in=editor_county_codes(user))
    return queryset.none()


def editable_villages(user, queryset=None):
    from villages.models import Village

    queryset = Village.objects.all() if queryset is None else queryset
    role = role_of(user)
    if role == CITY_ADMIN:
        return queryset
    if role == COUNTY_EDITOR:
        return queryset.filter(county_id__in=editor_county_codes(user))
    return queryset.none()


def can_see_village(user, village):
    role = role_of(user)
    return role in (CITY_ADMIN, VIEWER) or (role == COUNTY_EDITOR and village.county_id in editor_county_codes(user))


def can_change_village(user, village):
    role = role_of(user)
    return role == CITY_ADMIN or (role == COUNTY_EDITOR and village.county_id in editor_county_codes(user))


def can_change_county(user, county_code):
    role = role_of(user)
    return role == CITY_ADMIN or (role == COUNTY_EDITOR and county_code in editor_county_codes(user))


def get_village_for_change(user, queryset, **lookup):
    """The village the user may change: 404 when it is outside what they may see, 403 when they may only see it."""
    village = queryset.filter(**lookup).first()
    if village is None or not can_see_village(user, village):
        raise Http404
    if not can_change_village(user, village):
        raise PermissionDenied
    return village


def get_village_for_view(user, queryset, **lookup):
    village = visible_villages(user, queryset).filter(**lookup).first()
    if village is None:
        raise Http404
    return village


def can_set_tier(user):
    return is_city_admin(user)


def can_delete_village(user):
    return is_city_admin(user)


def allowed_transition(user, village, old_status, new_status):
    if old_status == new_status:
        return True
    if not can_change_village(user, village):
        return False
    if (old_status, new_status) in COUNTY_TRANSITIONS:
        return True
    return is_city_admin(user) and (old_status, new_status) in CITY_ONLY_TRANSITIONS


# Village pages: the edit form, the city's accept/return actions, photos and deleted villages.


def edit_form_statuses(user, village):
    """Statuses offered on the edit page. Accepting and returning are separate city actions (a return needs a reason)."""
    return [
        status for status in allowed_statuses(user, village) if (village.status, status) not in CITY_ONLY_TRANSITIONS
    ]


def can_accept_village(user, village):
    from villages.models import Status

    return allowed_transition(user, village, village.status, Status.ACCEPTED) and village.status != Status.ACCEPTED


def can_return_village(user, village):
    from villages.models import Status

    return village.status == Status.COMPLETED and allowed_transition(user, village, village.status, Status.IN_PROGRESS)


def can_see_deleted_villages(user):
    return is_city_admin(user)


def listable_counties(user):
    """The counties a user may pick in the village list's county filter."""
    role = role_of(user)
    if role in (CITY_ADMIN, VIEWER):
        return County.objects.defer("boundary")
    return County.objects.filter(code__in=editor_county_codes(user)).defer("boundary")


def get_photo_for_view(user, pk):
    """A photo, only for users who may see its village (404 otherwise, so its existence is not revealed)."""
    from villages.models import Photo

    photo = Photo.objects.select_related("update__village").filter(pk=pk).first()
    if photo is None or not can_see_village(user, photo.update.village):
        raise Http404
    return photo


def allowed_statuses(user, village):
    """The statuses the user may move this village to, its current one first."""
    from villages.models import Status

    return [village.status] + [
        value for value in Status.values if value != village.status and allowed_transition(user, village, village.status, value)
    ]


# --- Counties and pairings (county pages, pairing pages) ---------------------------------------


def can_see_county(user, county_code):
    """County pages: everyone sees every county, except county editors, who see only their own."""
    role = role_of(user)
    return role in (CITY_ADMIN, VIEWER) or (role == COUNTY_EDITOR and county_code in editor_county_codes(user))


def can_manage_pairings(user):
    return is_city_admin(user)


def can_add_pairing_activity(user, pairing):
    return is_city_admin(user) or bool({pairing.county_a_id, pairing.county_b_id} & editor_county_codes(user))


def check_pairing_change(user, pairing, allowed):
    """Raise unless `allowed`: 404 for staff of counties outside the pairing, 403 for everyone else."""
    if allowed:
        return
    if pairing is not None and is_county_editor(user) and not {pairing.county_a_id, pairing.county_b_id} & editor_county_codes(user):
        raise Http404
    raise PermissionDenied


STATUS_ORDER = ["not_started", "planned", "in_progress", "completed", "accepted"]


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
        return STATUS_ORDER.index(new_status) > STATUS_ORDER.index(old_status)
    return allowed_transition(user, village, old_status, new_status)
