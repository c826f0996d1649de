"""Points and scores as people write them: 10, 7.5 ({% load acceptance %} ... {{ item.points|points }})."""

from django import template

from villages.acceptance.scoring import format_points

register = template.Library()


@register.filter
def points(value):
    return format_points(value)
