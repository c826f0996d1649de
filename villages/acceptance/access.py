"""Who may apply for acceptance, review it, set the standards and open the evidence: built on villages.access and
counties.access (whose docstring states the visibility rule). The acceptance views, templates and admin only ask
these functions."""

from django.utils.translation import gettext_lazy as _

from counties.access import AccessRefused, NotVisible, administers_county, administers_every_county, check_city_admin
from villages.acceptance.models import Evidence
from villages.access import can_change_village, can_see_village, get_village_for_change
from villages.models import Status


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
