"""Who a user is in the programme, at the county level: their role, the counties they may see and change,
and what they may do with pairings.

Roles: a city administrator may do everything; a county editor works on the counties they are assigned
to; a viewer sees everything and changes nothing. The rules about villages build on this module
(villages/access.py); views, forms, templates and the admin only ask the two modules.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from counties.models import County, Profile

CITY_ADMIN = Profile.Role.CITY_ADMIN
COUNTY_EDITOR = Profile.Role.COUNTY_EDITOR
VIEWER = Profile.Role.VIEWER


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


def sees_every_county(user):
    return role_of(user) in (CITY_ADMIN, VIEWER)


def editor_county_codes(user):
    """Codes of the counties a county editor works on (empty for everyone else)."""
    if role_of(user) != COUNTY_EDITOR:
        return frozenset()
    if not hasattr(user, "_tracker_counties"):
        user._tracker_counties = frozenset(County.objects.filter(editors__user=user).values_list("code", flat=True))
    return user._tracker_counties


def visible_county_codes(user):
    """Codes of the counties whose villages (and figures built from them) the user may see."""
    if sees_every_county(user):
        return frozenset(County.objects.values_list("code", flat=True))
    return editor_county_codes(user)


def can_see_county(user, county_code):
    return sees_every_county(user) or county_code in editor_county_codes(user)


def can_change_county(user, county_code):
    """Whether the user may change what belongs to the county (its villages, their updates)."""
    return is_city_admin(user) or county_code in editor_county_codes(user)


def visible_counties(user):
    """The counties a user may pick in filters."""
    if sees_every_county(user):
        return County.objects.all()
    return County.objects.filter(code__in=editor_county_codes(user))


# --- Pairings ----------------------------------------------------------------------------------


def can_manage_pairings(user):
    return is_city_admin(user)


def can_add_pairing_activity(user, pairing):
    return is_city_admin(user) or bool({pairing.county_a_id, pairing.county_b_id} & editor_county_codes(user))


def refuse_pairing_change(user, pairing):
    """404 for county staff outside the pairing (they need not know it exists), 403 for everyone else."""
    outside = (
        pairing is not None
        and is_county_editor(user)
        and not {pairing.county_a_id, pairing.county_b_id} & editor_county_codes(user)
    )
    raise Http404 if outside else PermissionDenied


def check_manage_pairings(user, pairing=None):
    if not can_manage_pairings(user):
        refuse_pairing_change(user, pairing)


def check_add_pairing_activity(user, pairing):
    if not can_add_pairing_activity(user, pairing):
        refuse_pairing_change(user, pairing)
