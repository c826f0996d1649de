"""The progress map drawn with folium, with every script and style served by the app (no CDN)."""

import json
from functools import lru_cache
from types import MappingProxyType

import folium
from branca.element import MacroElement
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from folium.template import Template

from counties.access import map_county_codes, pairing_county_codes
from counties.boundaries import county_places, joint_bounds, tolerance_for
from villages.maps import colourings
from villages.maps import style as map_style
from villages.maps.data import MAP_TIERS, compact_villages, village_url_parts
from villages.models import Status, Tier

LOCAL_JS = [("leaflet", "vendor/leaflet/leaflet.js")]
LOCAL_CSS = [("leaflet_css", "vendor/leaflet/leaflet.css")]
DATA_ELEMENT_ID = "progress-map-data"


def to_script_json(value, texts=None):
    """`value` as JSON that is safe inside a <script> element, with the JSON `texts` ({key: JSON text}) added."""
    text = compact_json(value)
    if texts:
        text = text[:-1] + "".join(f",{compact_json(key)}:{json_text}" for key, json_text in texts.items()) + "}"
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class ProgressLayers(MacroElement):
    """Draws counties, pairings and villages (one canvas layer per tier) from the page's JSON data element.

    The data stay out of folium's templates: folium compiles every element's output as a Jinja template.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "ProgressMap.draw({{ this._parent.get_name() }}, {"
        "counties: {{ this.counties.get_name() }}, "
        "groups: [{% for group in this.groups %}{{ group.get_name() }}, {% endfor %}], "
        "pairings: {{ this.pairings.get_name() }}, "
        "control: {{ this.control.get_name() }}}, "
        "JSON.parse(document.getElementById({{ this.data_id|tojson }}).textContent));"
        "{% endmacro %}"
    )

    def __init__(self, counties, groups, pairings, control, data_id):
        super().__init__()
        self._name = "ProgressLayers"
        self.counties, self.groups, self.pairings, self.control, self.data_id = (
            counties,
            groups,
            pairings,
            control,
            data_id,
        )


def county_tooltip(county):
    figures = county.progress
    quota = _("no quota") if figures.target is None else _("quota %(quota)d") % {"quota": figures.target}
    share = "–" if county.share is None else f"{county.share:.0%}"
    return format_html(
        "<strong>{}</strong><br>{}: {} / {} ({})<br>{}: {}<br>{}: {}",
        county.name,
        _("Accepted"),
        figures.accepted,
        quota,
        share,
        _("Completed, awaiting acceptance"),
        figures.completed,
        _("Designated"),
        figures.designated,
    )


def pairing_popup(pairing):
    years = f"{pairing.start_year}–{pairing.end_year or ''}"
    illustrative = (
        format_html('<br><span class="badge illustrative">{}</span>', _("Illustrative (demo data)"))
        if pairing.is_illustrative
        else ""
    )
    return format_html(
        "<strong>{}</strong><br>{}<br>{}{}", str(pairing), pairing.get_kind_display(), years, illustrative
    )


def village_payload(villages):
    """The villages' data for the map script; "villages" holds each row as JSON text (see compact_villages)."""
    rows, townships = compact_villages(villages)
    prefix, suffix = village_url_parts()
    return {
        "villages": rows,
        "townships": townships,
        "styles": [[map_style.village_style(tier, status) for status in Status.values] for tier in MAP_TIERS],
        "tiers": [str(Tier(tier).label) for tier in MAP_TIERS],
        "statuses": [str(label) for label in Status.labels],
        "url": [prefix, suffix],
        "text": {
            "township": _("Township"),
            "tier": _("Tier"),
            "status": _("Status"),
            "progress": _("Progress"),
            "updated": _("Last update"),
            "open": _("Open the village page"),
            "illustrative": _("示意位置 (illustrative location)"),
        },
    }


def pairing_payload(pairings):
    return [
        [
            p.county_a.label_lat,
            p.county_a.label_lon,
            p.county_b.label_lat,
            p.county_b.label_lon,
            p.kind,
            map_style.PAIRING_STYLES[p.kind],
            pairing_popup(p),
        ]
        for p in pairings
        if None not in (p.county_a.label_lat, p.county_b.label_lat)  # a pseudo-county has no place to draw a line to
    ]


def tile_layer():
    return folium.TileLayer(
        tiles=settings.MAP_TILES_URL,
        attr=settings.MAP_TILES_ATTRIBUTION or settings.MAP_TILES_URL.split("/")[2],
        max_zoom=settings.MAP_TILES_MAX_ZOOM,
        name=_("Base map"),
        control=False,
    )


def compact_json(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def county_look(row, coloured):
    """(fill colour, tooltip, figure) of the county, by the map's own colouring or by `coloured` (colourings.py)."""
    if coloured is None:
        return map_style.county_colour(row), county_tooltip(row), None
    found = coloured.counties.get(row.code)
    if found is None:
        return colourings.NO_DATA_COLOUR, colourings.no_data_tooltip(row.name), None
    return found.colour, found.tooltip, found.value


def county_payload(progress_rows, places, tolerance, coloured=None):
    """The counties of `places` with their outline simplified to `tolerance`, their colour and their figures:
    a FeatureCollection as JSON text, the outlines put in as the boundary cache holds them (encoding their
    coordinates again was most of the province map's JSON)."""
    features = []
    for row in progress_rows:
        place = places.get(row.code)
        if place is None:
            continue
        colour, tooltip, value = county_look(row, coloured)
        properties = {
            "name": row.name,
            "tooltip": tooltip,
            "value": value,
            "label": [place.label_lat, place.label_lon],
            "style": {
                "fillColor": colour,
                "fillOpacity": 0.75,
                "color": map_style.BOUNDARY_COLOUR,
                "weight": 1.5,
            },
        }
        features.append(
            f'{{"type":"Feature","id":{compact_json(row.code)},"geometry":{place.outline_text(tolerance)},'
            f'"properties":{compact_json(properties)}}}'
        )
    return f'{{"type":"FeatureCollection","features":[{",".join(features)}]}}'


def boundary_codes(user, zoom_to=None):
    """The counties the user's map draws, on the page and in its PNG alike: those of their scope
    (counties.access.map_county_codes) and the county they zoomed to."""
    codes = set(map_county_codes(user))
    if zoom_to is not None:
        codes.add(zoom_to.code)
    return codes


def split_pairings(user, pairings):
    """(drawn, listed): the pairings involving one of the user's counties are drawn (a county editor's own
    counties, the whole map's for city staff); the others only listed beside the map."""
    own = pairing_county_codes(user)
    drawn = [pairing for pairing in pairings if {pairing.county_a_id, pairing.county_b_id} & own]
    return drawn, [pairing for pairing in pairings if pairing not in drawn]


def build_map(progress_rows, villages, pairings, zoom_to=None, codes=None, coloured=None):
    """The map's page parts (see map_skeleton) and the data it draws (counties, villages by tier, pairings).

    Draws the boundaries of the counties `codes` (all if None), simplified for the extent shown: `zoom_to`
    (a County) if given, else the counties drawn; the counties are coloured by `coloured` (colourings.py) if given.
    """
    places = county_places(codes)
    # A county without a boundary has no place of its own: the map then shows what there is.
    shown = [place for code, place in places.items() if zoom_to is None or code == zoom_to.code]
    extent = joint_bounds(shown or list(places.values()) or list(county_places().values()))
    min_lon, min_lat, max_lon, max_lat = extent
    payload = village_payload(villages)
    # Fitted by the script without animation, so that the map is still once the markers are drawn.
    payload["bounds"] = [[min_lat, min_lon], [max_lat, max_lon]]
    payload["counties"] = county_payload(progress_rows, places, tolerance_for(extent), coloured)
    payload["pairings"] = pairing_payload(pairings)
    return map_skeleton(((min_lat + max_lat) / 2, (min_lon + max_lon) / 2)), payload


def map_skeleton(center):
    """The folium map's <head> links, element and script, which draw the data of the page's JSON element.

    They depend only on the centre, the language and the settings, so each is built once per process
    (folium compiles a Jinja template for every element it renders).
    """
    assets = tuple((name, static(path)) for name, path in LOCAL_JS + LOCAL_CSS)
    tiles = (settings.MAP_TILES_URL, settings.MAP_TILES_ATTRIBUTION, settings.MAP_TILES_MAX_ZOOM)
    return cached_skeleton(center, get_language(), tiles, assets)


@lru_cache(maxsize=64)
def cached_skeleton(center, _language, _tiles, assets):
    fmap = folium.Map(
        location=list(center),
        zoom_start=9,
        tiles=tile_layer() if settings.MAP_TILES_URL else None,
        control_scale=True,
        zoom_snap=0.25,
        max_zoom=settings.MAP_TILES_MAX_ZOOM,
    )
    fmap.default_js = list(assets[: len(LOCAL_JS)])
    fmap.default_css = list(assets[len(LOCAL_JS) :])
    county_group = folium.FeatureGroup(name=_("Counties")).add_to(fmap)
    groups = [folium.FeatureGroup(name=str(map_style.TIER_LAYER_NAMES[tier])).add_to(fmap) for tier in MAP_TIERS]
    pairing_group = folium.FeatureGroup(name=_("Pairings")).add_to(fmap)
    # Expanded on a desktop; the script folds it into its button on a phone.
    control = folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.add_child(ProgressLayers(county_group, groups, pairing_group, control, DATA_ELEMENT_ID))
    return MappingProxyType(map_parts(fmap))


def map_parts(fmap):
    """The map's <head> links, its element and its script, to embed in a page of the site's layout.

    The map's own header (full-page styles for a stand-alone HTML file) is left out; site.css sizes the map.
    """
    root = fmap.get_root()
    root.render()
    head = "".join(
        child.render() for name, child in root.header._children.items() if name not in (fmap.get_name(), "meta_http")
    )
    return {"head": head, "body": root.html.render(), "script": root.script.render()}


def page_parts(skeleton, payload):
    """What the map page embeds: the map's parts and its data as JSON for a <script type="application/json">."""
    rows = payload["villages"]
    texts = {"villages": f"[{','.join(rows)}]", "counties": payload["counties"]}
    data = to_script_json({key: value for key, value in payload.items() if key not in texts}, texts)
    return {**skeleton, "data": data, "data_id": DATA_ELEMENT_ID, "drawn": len(rows)}


def legend_context():
    return {
        "share_classes": map_style.share_classes(),
        "no_quota_colour": map_style.NO_QUOTA_COLOUR,
        "tiers": [(map_style.TIER_LAYER_NAMES[tier], map_style.TIER_COLOURS[tier]) for tier in MAP_TIERS],
        "statuses": [(label, map_style.STATUS_STYLES[value]) for value, label in Status.choices],
        "pairing_styles": map_style.PAIRING_STYLES,
    }
