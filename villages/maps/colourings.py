"""What the map's county polygons are coloured by. 村庄进度 (the share of the quota accepted) is the map's own; the apps
built on villages add theirs from their AppConfig.ready() (villages/projects: 支出率 against 序时进度 and 产业 share),
so that nothing in villages imports them (tests/test_architecture.py).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages.maps import style as map_style

PROGRESS = ""  # the map's own colouring, the default of its select
NO_DATA_COLOUR = map_style.NO_QUOTA_COLOUR


@dataclass(frozen=True)
class CountyColour:
    colour: str
    tooltip: str  # HTML
    value: str  # the figure as the tooltip shows it
    text: str  # the figure in words, for the list of the counties not drawn


@dataclass
class Coloured:
    """The counties coloured for a year: {county code: CountyColour}, a county missing having no data (grey)."""

    title: str
    classes: list  # [(colour, label)] of the legend
    counties: dict
    illustrative_note: str = ""  # said under the legend when demo data are among the figures
    notes: list = field(default_factory=list)  # more lines under the legend
    label: object = ""  # the colouring's name in the select (set by coloured())

    def colour_of(self, code):
        found = self.counties.get(code)
        return NO_DATA_COLOUR if found is None else found.colour

    def figures(self, rows):
        """[(code, name, the figure in words)] of the counties `rows`, for those listed beside the map."""
        return [
            (row.code, row.name, found.text if (found := self.counties.get(row.code)) else _("no data")) for row in rows
        ]


@dataclass(frozen=True)
class Colouring:
    key: str
    label: object  # shown in the map's select
    colour: Callable  # (year, [CountyOnMap]) -> Coloured
    order: int


colourings = []


def add_colouring(key, label, colour, order=100):
    """Offer `label` in the map's select; colour(year, counties) gives the Coloured counties."""
    if any(entry.key == key for entry in colourings):  # ready() may run twice (tests, reloads)
        return
    colourings.append(Colouring(key, label, colour, order))
    colourings.sort(key=lambda entry: entry.order)


def choices():
    return [(PROGRESS, gettext_lazy("village progress")), *((entry.key, entry.label) for entry in colourings)]


def coloured(key, year, counties):
    """The Coloured counties of the colouring `key`, or None for the map's own."""
    for entry in colourings:
        if entry.key == key:
            found = entry.colour(year, counties)
            found.label = entry.label
            return found
    return None


def no_data_tooltip(name):
    return format_html("<strong>{}</strong><br>{}", name, _("no data"))
