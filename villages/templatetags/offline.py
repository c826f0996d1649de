"""{% load offline %}{% offline_strings %}: the words offline.js shows, translated by Django (an attribute value)."""

import json

from django import template

from villages.offline import STRINGS

register = template.Library()


@register.simple_tag
def offline_strings():
    return json.dumps({key: str(text) for key, text in STRINGS.items()}, ensure_ascii=False)
