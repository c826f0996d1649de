"""Colours and symbols of the progress map, shared by the web map, its PNG and their legends."""

from django.utils.translation import gettext_lazy as _

from villages.models import Status, Tier

# Share of the quota accepted: class limits and colours (light to dark green).
SHARE_LIMITS = [0.2, 0.4, 0.6, 0.8]
SHARE_COLOURS = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"]
NO_QUOTA_COLOUR = "#d9d9d9"
BOUNDARY_COLOUR = "#52606d"
# What is drawn from illustrative (demo) data: the site's 示意 badge colours.
ILLUSTRATIVE_COLOUR = "#a15c07"
ILLUSTRATIVE_TEXT = "#6b4b00"

TIER_COLOURS = {Tier.SHOWCASE: "#b4232a", Tier.UPGRADED: "#1f5fa8", Tier.NONE: "#6b7785"}
TIER_RADIUS = {Tier.SHOWCASE: 7, Tier.UPGRADED: 5, Tier.NONE: 3}
TIER_LAYER_NAMES = {
    Tier.SHOWCASE: _("Showcase villages"),
    Tier.UPGRADED: _("Upgraded villages"),
    Tier.NONE: _("Other villages"),
}

# How a village's status shows: filled when accepted, outlined when planned, dashed when not started.
STATUS_STYLES = {
    Status.NOT_STARTED: {"fillOpacity": 0.0, "weight": 1, "dashArray": "2 3"},
    Status.PLANNED: {"fillOpacity": 0.0, "weight": 2},
    Status.IN_PROGRESS: {"fillOpacity": 0.35, "weight": 2},
    Status.COMPLETED: {"fillOpacity": 0.65, "weight": 2},
    Status.UNDER_REVIEW: {"fillOpacity": 0.8, "weight": 2},
    Status.ACCEPTED: {"fillOpacity": 0.95, "weight": 1},
}

PAIRING_STYLES = {
    "help": {"color": "#a15c07", "weight": 3, "opacity": 0.9},
    "neighbours": {"color": "#5b3f8c", "weight": 3, "opacity": 0.8, "dashArray": "8 6"},
}


def share_colour(share):
    if share is None:
        return NO_QUOTA_COLOUR
    for limit, colour in zip(SHARE_LIMITS, SHARE_COLOURS):
        if share < limit:
            return colour
    return SHARE_COLOURS[-1]


def county_colour(county):
    return share_colour(county.share)


def share_classes():
    """(colour, label) for each class of the choropleth legend."""
    bounds = [0, *SHARE_LIMITS]
    labels = [f"{round(low * 100)}–{round(high * 100)}%" for low, high in zip(bounds, SHARE_LIMITS)]
    labels.append(f"≥ {round(SHARE_LIMITS[-1] * 100)}%")
    return list(zip(SHARE_COLOURS, labels))


def village_style(tier, status):
    colour = TIER_COLOURS[tier]
    return {"radius": TIER_RADIUS[tier], "color": colour, "fillColor": colour, **STATUS_STYLES[status]}
