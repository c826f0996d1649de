from decimal import Decimal

from django import template

from villages.projects import money

register = template.Library()


@register.filter
def wan(value):
    """An amount in 万元 with two decimals ("1,234.50"), "—" without one."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"


@register.filter
def percent(fraction):
    return money.percent(fraction)


@register.filter
def gap(points):
    return money.gap_text(points)
