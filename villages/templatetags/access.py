"""The access rules for templates: {% load access %} ... {% if user|may_change:village %}."""

from django import template

from villages import access

register = template.Library()


@register.filter
def may_change(user, village):
    return access.can_change_village(user, village)
