"""Who may see and do what with report periods, reminders and bulletins. Built on counties.access and villages.access
(whose docstrings state the visibility rule):

- the rates of every period, county and city, and the bulletins, are figures: open to every signed-in user;
- which villages have not reported is a village record: open to those who see the county's villages;
- "本月无变化" is a change to the village: for those who may change it;
- a reminder (notice) belongs to its user alone;
- administrators manage the periods of their scope, press 催报 for a county of their scope and issue the 通报 of
  their city (a province administrator: of the province or any city).
"""

from django.utils.translation import gettext_lazy as _

from counties.access import (
    AccessRefused,
    NotVisible,
    administers_county,
    administers_every_county,
    can_see_county_villages,
    check_city_admin,
    city_of,
    editor_county_codes,
    is_city_admin,
    is_province_admin,
    role_of,
)
from villages.access import can_change_village
from villages.reporting.models import Reminder

ONLY_ADMINISTRATORS_URGE = _("Only city administrators press 催报 for a county.")
ONLY_ADMINISTRATORS_ISSUE = _("Only city administrators issue a 通报.")
PROVINCE_BULLETIN = _("The province's 通报 is issued by province administrators.")
OTHER_CITY_BULLETIN = _("A city's 通报 is issued by its own administrators or by province administrators.")


def can_see_figures(user):
    return user.is_authenticated and role_of(user) is not None


def can_see_missing(user, county_code):
    """Whether the user sees which villages of the county have not reported."""
    return can_see_county_villages(user, county_code)


def reporting_counties(user):
    """The counties whose reports a county editor owns (none for other roles)."""
    return editor_county_codes(user)


def can_confirm_no_change(user, village):
    return can_change_village(user, village)


def can_urge(user, county_code):
    return administers_county(user, county_code)


def check_urge(user, county_code):
    check_city_admin(user, ONLY_ADMINISTRATORS_URGE, county_code)


def can_issue_bulletin(user, city_code):
    """A city's 通报 (city_code) or the province's (None)."""
    if city_code is None:
        return administers_every_county(user)
    return is_province_admin(user) or (is_city_admin(user) and city_of(user) == city_code)


def check_issue_bulletin(user, city_code):
    check_city_admin(user, ONLY_ADMINISTRATORS_ISSUE)
    if not can_issue_bulletin(user, city_code):
        raise AccessRefused(PROVINCE_BULLETIN if city_code is None else OTHER_CITY_BULLETIN)


def can_manage_period(user, period):
    """The periods of every city are the province's (or the one city's administrators'); a city's special round is
    its administrators'."""
    if period.city_id is None:
        return administers_every_county(user)
    return is_province_admin(user) or city_of(user) == period.city_id and is_city_admin(user)


def get_reminder_for_user(user, pk):
    """A notice of the user's own (404 for anyone else's, so that its existence is not revealed)."""
    reminder = (
        Reminder.objects.select_related("period").filter(pk=pk, user=user).first() if user.is_authenticated else None
    )
    if reminder is None:
        raise NotVisible(_("There is no such notice among yours."))
    return reminder
