"""Who may do what with API tokens, built on counties.access. What a token's user sees through the API is asked of
villages.access and counties.access directly (a token is its user): this module adds no rule about villages.

- Every signed-in user makes, lists and revokes their own tokens; only administrators give one write access.
- A city administrator lists and revokes the tokens of their city's staff and of its counties' editors; a province
  administrator those of everyone.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken
from counties.access import (
    AccessRefused,
    NotVisible,
    check_city_admin,
    city_county_codes,
    city_of,
    is_city_admin,
    is_province_admin,
)


def may_give_write_access(user):
    return is_city_admin(user)


def managed_tokens(user):
    """The tokens an administrator oversees (their own included); none for anyone else."""
    tokens = ApiToken.objects.select_related("user", "user__profile")
    if is_province_admin(user):
        return tokens.all()
    if not is_city_admin(user):
        return tokens.none()
    staff = Q(user__profile__city_id=city_of(user)) | Q(user__profile__counties__in=city_county_codes(user))
    return tokens.filter(staff | Q(user=user)).distinct()


def check_manage_tokens(user):
    check_city_admin(user, _("Only city administrators oversee the API tokens of their city."))


def get_token_for_revoke(user, pk):
    """A token the user may revoke: their own, or one an administrator oversees (404 otherwise)."""
    token = ApiToken.objects.filter(pk=pk).select_related("user").first()
    if token is not None and (token.user_id == user.pk or managed_tokens(user).filter(pk=pk).exists()):
        return token
    raise NotVisible(_("There is no such API token, or it is not one you may revoke."))


def check_give_write_access(user):
    if not may_give_write_access(user):
        raise AccessRefused(_("Only city administrators make tokens with write access."))
