"""The rules about villages: who may see, change, accept or import which village. Built on counties.access
(whose docstring states the visibility rule).

Views, forms, templates (through the `access` template library), the admin, imports and APIs ask these
functions; none of them re-derives a rule. A refusal carries its reason for the error page.
"""

from django.utils.translation import gettext_lazy as _

from counties.access import (
    PAIRED_COUNTY_READ_ONLY,
    AccessRefused,
    NotVisible,
    administers_county,
    can_change_county,
    can_see_county_villages,
    change_refusal,
    check_city_admin,
    is_city_admin,
    not_visible_reason,
    sees_every_county,
    village_county_codes,
)
from villages.models import Photo, Village


def visible_villages(user, queryset=None):
    queryset = Village.objects.all() if queryset is None else queryset
    if sees_every_county(user):
        return queryset
    return queryset.filter(county_id__in=village_county_codes(user))


def can_see_village(user, village):
    return can_see_county_villages(user, village.county_id)


def can_change_village(user, village):
    return village.withdrawn_at is None and can_change_county(user, village.county_id)


def read_only_reason(user, village):
    """(short label, reason) of why the user, who sees the village, may not change it, as the refusal page would
    say it; None if they may, or if the village is withdrawn (its page says so)."""
    if village.withdrawn_at is not None:
        return None
    reason = change_refusal(user, village.county_id)
    if reason is None:
        return None
    return (_("Village of a paired county, read only") if reason is PAIRED_COUNTY_READ_ONLY else _("Read only")), reason


def get_village_for_view(user, code, queryset=None, find=None):
    """The village the user may see: 404 otherwise. find(queryset, code) reads it when given (the pages of an offline
    copy read their part's villages together: villages.offline.village_finder)."""
    queryset = Village.objects.all() if queryset is None else queryset
    village = find(queryset, code) if find else queryset.filter(code=code).first()
    if village is not None and can_see_village(user, village):
        return village
    if village is None:
        county_code = Village.objects.filter(code=code).values_list("county_id", flat=True).first()
    else:  # to those who do not see it, a withdrawn village is as unknown as the list of current ones makes it
        county_code = village.county_id if village.withdrawn_at is None else None
    if county_code is not None:
        raise NotVisible(not_visible_reason(user, county_code))
    raise NotVisible(_("There is no village with the code %(code)s.") % {"code": code})


def get_village_for_change(user, code, queryset=None, find=None):
    """The village the user may change: 404 when it is outside what they may see, 403 when they may only see it."""
    village = get_village_for_view(user, code, queryset, find)
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
