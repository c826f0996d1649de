"""Who a user is in the programme, at the county level: their role, whose records they see and change, and what
they may do with pairings. The rules about villages build on this module (villages/access.py); views, forms,
templates and the admin only ask the two modules.

One visibility rule:
- Figures of every county (counts, quotas, rates, rankings, burn-ups, forecasts) are open to every signed-in
  user: the programme compares counties openly.
- Village records (villages, their updates, photos and history): city administrators and viewers see every
  county's; a county editor sees their own counties', and read-only those of the counties paired with one of
  theirs in a pairing active this year.
- Changes: a county editor changes their own counties' records only, a city administrator everything, a viewer
  nothing.

A refusal says why: the error pages show the message of AccessRefused (403) and NotVisible (404).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counties.models import County, Pairing, Profile

CITY_ADMIN = Profile.Role.CITY_ADMIN
COUNTY_EDITOR = Profile.Role.COUNTY_EDITOR
VIEWER = Profile.Role.VIEWER

READ_ONLY = _("A read-only account cannot make changes.")
OTHER_COUNTY_RECORDS = _(
    "This is a village of another county. Its records are open to that county's editors, to the editors of the "
    "counties paired with it this year, and to city staff."
)
PAIRED_COUNTY_READ_ONLY = _(
    "This is a village of a county paired with yours: you may look at its records, but only its own county's "
    "editors and city administrators change them."
)
PAIRING_OUTSIDER = _("Only the editors of this pairing's two counties and city administrators record its activities.")


class AccessRefused(PermissionDenied):
    """403 with the reason the error page shows."""


class NotVisible(Http404):
    """404 with the reason the error page shows."""


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
    """Whether the user sees the village records of every county."""
    return role_of(user) in (CITY_ADMIN, VIEWER)


def editor_county_codes(user):
    """Codes of the counties a county editor works on (empty for everyone else)."""
    if role_of(user) != COUNTY_EDITOR:
        return frozenset()
    if not hasattr(user, "_tracker_counties"):
        user._tracker_counties = frozenset(County.objects.filter(editors__user=user).values_list("code", flat=True))
    return user._tracker_counties


def paired_county_codes(user):
    """The counties paired with one of a county editor's counties in a pairing active this year (not their own)."""
    own = editor_county_codes(user)
    if not own:
        return frozenset()
    if not hasattr(user, "_tracker_paired"):
        pairs = Pairing.objects.active_in(timezone.localdate().year).involving(*own)
        codes = {code for pair in pairs.values_list("county_a_id", "county_b_id") for code in pair}
        user._tracker_paired = frozenset(codes - own)
    return user._tracker_paired


def village_county_codes(user):
    """Codes of the counties whose village records the user may see."""
    if sees_every_county(user):
        return frozenset(County.objects.values_list("code", flat=True))
    return editor_county_codes(user) | paired_county_codes(user)


def can_see_county_villages(user, county_code):
    return sees_every_county(user) or county_code in editor_county_codes(user) | paired_county_codes(user)


def check_see_county_villages(user, county_code):
    if not can_see_county_villages(user, county_code):
        raise NotVisible(OTHER_COUNTY_RECORDS)


def village_counties(user):
    """The counties whose villages a user may pick in filters."""
    if sees_every_county(user):
        return County.objects.all()
    return County.objects.filter(code__in=village_county_codes(user))


def can_change_county(user, county_code):
    """Whether the user may change what belongs to the county (its villages, their updates)."""
    return is_city_admin(user) or county_code in editor_county_codes(user)


def change_refusal(user, county_code):
    """Why the user may not change the county's records (they may see them), or None if they may."""
    if can_change_county(user, county_code):
        return None
    return READ_ONLY if role_of(user) == VIEWER else PAIRED_COUNTY_READ_ONLY


def check_city_admin(user, reason):
    if not is_city_admin(user):
        raise AccessRefused(READ_ONLY if role_of(user) == VIEWER else reason)


# --- Pairings ----------------------------------------------------------------------------------
# Every signed-in user sees every pairing (they are figures); city administrators manage them and the editors of
# either county record their activities.


def can_manage_pairings(user):
    return is_city_admin(user)


def can_add_pairing_activity(user, pairing):
    return is_city_admin(user) or bool({pairing.county_a_id, pairing.county_b_id} & editor_county_codes(user))


def check_manage_pairings(user):
    check_city_admin(user, _("Only city administrators create and edit pairings."))


def check_add_pairing_activity(user, pairing):
    if not can_add_pairing_activity(user, pairing):
        raise AccessRefused(READ_ONLY if role_of(user) == VIEWER else PAIRING_OUTSIDER)
