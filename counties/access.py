"""Who a user is in the programme, at the county level: their role and its scope, whose records they see and
change, and what they may do with pairings. The rules about villages build on this module (villages/access.py);
views, forms, templates and the admin only ask the two modules.

Roles come at three levels: the province (administrators and viewers of every city; superusers are province
administrators), a city (administrators and viewers of their city) and counties (editors of their counties).

Closed by default: a user without a profile, with no role yet, or with a role missing its scope (a county editor
without counties) has no role here and no access at all (config.middleware.NoRoleMiddleware answers every page
with whom to ask). The database refuses a city role without a city (counties.models.Profile).

One visibility rule, applied at each level:
- Figures of every county (counts, quotas, rates, rankings, burn-ups, forecasts) are open to every signed-in
  user: the programme compares counties openly.
- Village records (villages, their updates, photos and history): province staff see every county's, city staff
  their city's counties'; a county editor sees their own counties', and read-only those of the counties paired
  with one of theirs in a pairing active this year.
- Changes: a county editor changes their own counties' records only, an administrator those of their scope (a
  city administrator their city's, a province administrator everything), a viewer nothing.

A refusal says why: the error pages show the message of AccessRefused (403) and NotVisible (404).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counties.models import City, County, Pairing, Profile

PROVINCE_ADMIN = Profile.Role.PROVINCE_ADMIN
PROVINCE_VIEWER = Profile.Role.PROVINCE_VIEWER
CITY_ADMIN = Profile.Role.CITY_ADMIN
CITY_VIEWER = VIEWER = Profile.Role.VIEWER
COUNTY_EDITOR = Profile.Role.COUNTY_EDITOR
ADMINISTRATORS = (PROVINCE_ADMIN, CITY_ADMIN)
VIEWERS = (PROVINCE_VIEWER, CITY_VIEWER)

READ_ONLY = _("A read-only account cannot make changes.")
OTHER_COUNTY_RECORDS = _(
    "This is a village of another county. Its records are open to that county's editors, to the editors of the "
    "counties paired with it this year, and to city staff."
)
OTHER_CITY_RECORDS = _(
    "This is a village of another city. Its records are open to that city's staff, its counties' editors and "
    "province staff."
)
PAIRED_COUNTY_READ_ONLY = _(
    "This is a village of a county paired with yours: you may look at its records, but only its own county's "
    "editors and city administrators change them."
)
PAIRING_OUTSIDER = _("Only the editors of this pairing's two counties and city administrators record its activities.")
OTHER_CITY_PAIRING = _(
    "This pairing involves a county outside your city: only province administrators create and edit it."
)


class AccessRefused(PermissionDenied):
    """403 with the reason the error page shows."""


class NotVisible(Http404):
    """404 with the reason the error page shows."""


def scope_of(user):
    """(role, city code or None) of a signed-in, active user with a role; (None, None) otherwise."""
    if not user.is_authenticated or not user.is_active:
        return None, None
    if user.is_superuser:
        return PROVINCE_ADMIN, None
    if not hasattr(user, "_tracker_scope"):
        load_scope(user)
    return user._tracker_scope


def load_scope(user):
    """Reads the user's profile with its counties and its city's counties in one query, for this request."""
    rows = list(Profile.objects.filter(user=user).values_list("role", "city_id", "counties", "city__counties"))
    role, city = rows[0][:2] if rows else (None, None)
    counties = frozenset(row[2] for row in rows if row[2] is not None)
    # The database refuses a city role without a city; these hold even if a row escaped it.
    missing_scope = (role in Profile.CITY_ROLES and city is None) or (role == COUNTY_EDITOR and not counties)
    if role not in (PROVINCE_ADMIN, PROVINCE_VIEWER, CITY_ADMIN, CITY_VIEWER, COUNTY_EDITOR) or missing_scope:
        role, city = None, None
    user._tracker_scope = (role, city)
    if city is not None:
        user._tracker_city_counties = frozenset(row[3] for row in rows if row[3] is not None)
    if role == COUNTY_EDITOR:
        user._tracker_counties = counties


def role_of(user):
    return scope_of(user)[0]


def has_role(user):
    """Whether a signed-in user has a role, and so any access at all."""
    return role_of(user) is not None


def city_of(user):
    """The code of a city administrator's or city viewer's city (None for every other role)."""
    return scope_of(user)[1]


def is_city_admin(user):
    """Whether the user is an administrator, of a city or of the province (city_scope() says which counties)."""
    return role_of(user) in ADMINISTRATORS


def is_province_admin(user):
    return role_of(user) == PROVINCE_ADMIN


def is_viewer(user):
    return role_of(user) in VIEWERS


def is_county_editor(user):
    return role_of(user) == COUNTY_EDITOR


def sees_every_county(user):
    """Whether the user sees the village records of every county (province staff)."""
    return role_of(user) in (PROVINCE_ADMIN, PROVINCE_VIEWER)


def city_county_codes(user):
    """Codes of the counties of a city administrator's or city viewer's city (empty for every other role)."""
    city = city_of(user)
    if city is None:
        return frozenset()
    if not hasattr(user, "_tracker_city_counties"):
        user._tracker_city_counties = frozenset(County.objects.filter(city_id=city).values_list("code", flat=True))
    return user._tracker_city_counties


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
    return city_county_codes(user) | editor_county_codes(user) | paired_county_codes(user)


def map_county_codes(user):
    """Codes of the counties a user's map draws with their colours (the map page and its PNG alike): every county
    for province staff; else the counties of their city (a county editor's: the cities of their counties) and any
    other county whose villages they see; none for a user without a role."""
    if sees_every_county(user):
        return frozenset(County.objects.values_list("code", flat=True))
    cities = {city_of(user)} | {code[:4] for code in editor_county_codes(user)}  # a county code starts with its city's
    cities.discard(None)
    if not cities:
        return frozenset()
    return frozenset(County.objects.filter(city_id__in=cities).values_list("code", flat=True)) | village_county_codes(
        user
    )


def pairing_county_codes(user):
    """Codes of the counties whose pairings a user's map draws: a county editor's own counties, else those of the
    map (map_county_codes)."""
    return editor_county_codes(user) or map_county_codes(user)


def can_see_county_villages(user, county_code):
    if sees_every_county(user) or county_code in city_county_codes(user) or county_code in editor_county_codes(user):
        return True
    return county_code in paired_county_codes(user)  # asked last: a query the user's own counties do not need


def not_visible_reason(user, county_code):
    """Why the user does not see the county's village records, at the user's level."""
    return OTHER_CITY_RECORDS if city_of(user) and county_code not in city_county_codes(user) else OTHER_COUNTY_RECORDS


def check_see_county_villages(user, county_code):
    if not can_see_county_villages(user, county_code):
        raise NotVisible(not_visible_reason(user, county_code))


def village_counties(user):
    """The counties whose villages a user may pick in filters."""
    if sees_every_county(user):
        return County.objects.all()
    return County.objects.filter(code__in=village_county_codes(user))


def administers_county(user, county_code):
    """Whether the user is an administrator whose scope holds the county."""
    return is_province_admin(user) or (is_city_admin(user) and county_code in city_county_codes(user))


def administers_every_county(user):
    """Province administrators, and the administrators of the one city the registry holds: what belongs to no
    county (acceptance standards) is theirs."""
    if is_province_admin(user):
        return True
    if not is_city_admin(user):
        return False
    if not hasattr(user, "_tracker_only_city"):
        user._tracker_only_city = not City.objects.exclude(code=city_of(user)).exists()
    return user._tracker_only_city


def can_change_county(user, county_code):
    """Whether the user may change what belongs to the county (its villages, their updates)."""
    return administers_county(user, county_code) or county_code in editor_county_codes(user)


def change_refusal(user, county_code):
    """Why the user may not change the county's records (they may see them), or None if they may."""
    if can_change_county(user, county_code):
        return None
    if is_viewer(user):
        return READ_ONLY
    if city_of(user):
        return not_visible_reason(user, county_code)
    return PAIRED_COUNTY_READ_ONLY


def check_city_admin(user, reason, county_code=None):
    """An administrator, and with `county_code` one whose scope holds that county."""
    if is_city_admin(user) if county_code is None else administers_county(user, county_code):
        return
    if is_viewer(user):
        raise AccessRefused(READ_ONLY)
    raise AccessRefused(not_visible_reason(user, county_code) if is_city_admin(user) else reason)


# --- Pairings ----------------------------------------------------------------------------------
# Every signed-in user sees every pairing (they are figures); administrators manage those between counties of
# their scope and the editors of either county record their activities.


def can_manage_pairings(user):
    return is_city_admin(user)


def can_manage_pairing(user, pairing):
    return administers_county(user, pairing.county_a_id) and administers_county(user, pairing.county_b_id)


def pairing_counties(user):
    """The counties an administrator may pair."""
    return village_counties(user) if is_city_admin(user) else County.objects.none()


def can_add_pairing_activity(user, pairing):
    return can_manage_pairing(user, pairing) or bool(
        {pairing.county_a_id, pairing.county_b_id} & editor_county_codes(user)
    )


def check_manage_pairings(user, pairing=None):
    check_city_admin(user, _("Only city administrators create and edit pairings."))
    if pairing is not None and not can_manage_pairing(user, pairing):
        raise AccessRefused(OTHER_CITY_PAIRING)


def check_add_pairing_activity(user, pairing):
    if not can_add_pairing_activity(user, pairing):
        raise AccessRefused(READ_ONLY if is_viewer(user) else PAIRING_OUTSIDER)
