"""The progress map as a PNG for reports, drawn on the server with geopandas and matplotlib.

Chinese text uses Noto Sans CJK SC from the mplfonts package (installed from requirements.txt), registered
with matplotlib here, so no system font is needed.
"""

from importlib.resources import files
from io import BytesIO

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from counties.geo import county_frame, points_frame
from villages.maps import style as map_style
from villages.maps.data import MAP_TIERS
from villages.models import Status

FONT_FILE = files("mplfonts") / "fonts" / "NotoSansCJKsc-Regular.otf"
font_manager.fontManager.addfont(str(FONT_FILE))


def font(size):
    # By file, not by family name: a system font of the same family must not be picked instead.
    return font_manager.FontProperties(fname=str(FONT_FILE), size=size)


WIDTH, HEIGHT, DPI = 1200, 900, 100


def village_frame(villages):
    rows = list(villages.located().values_list("lon", "lat", "tier", "status"))
    lons, lats, tiers, statuses = zip(*rows) if rows else ((), (), (), ())
    return points_frame(lons, lats, tier=list(tiers), status=list(statuses))


def draw_villages(ax, frame):
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


def county_handles(show_not_visible):
    handles = [
        Patch(facecolor=colour, edgecolor=map_style.BOUNDARY_COLOUR, label=label)
        for colour, label in map_style.share_classes()
    ]
    handles.append(Patch(facecolor=map_style.NO_QUOTA_COLOUR, edgecolor=map_style.BOUNDARY_COLOUR, label=_("no quota")))
    if show_not_visible:
        handles.append(
            Patch(
                facecolor=map_style.NOT_VISIBLE_COLOUR,
                edgecolor=map_style.BOUNDARY_COLOUR,
                label=_("not one of your counties"),
            )
        )
    return handles


def village_handles():
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color=map_style.TIER_COLOURS[tier],
            label=str(map_style.TIER_LAYER_NAMES[tier]),
        )
        for tier in MAP_TIERS
    ]
    handles.append(Line2D([], [], marker="o", linestyle="", color="#333", label=_("filled: accepted or completed")))
    handles.append(
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color="#333",
            markerfacecolor="none",
            label=_("outlined: not yet completed"),
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


def draw_png(progress_rows, villages, year, zoom_to=None):
    """The map as PNG bytes, WIDTH × HEIGHT pixels."""
    counties = county_frame()
    colours = {row.code: map_style.county_colour(row) for row in progress_rows}
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    ax = figure.add_axes([0.01, 0.02, 0.70, 0.88])
    counties.plot(
        ax=ax, color=[colours[code] for code in counties.index], edgecolor=map_style.BOUNDARY_COLOUR, linewidth=0.8
    )
    for _code, county in counties.iterrows():
        ax.annotate(
            county["name"],
            (county["label_lon"], county["label_lat"]),
            ha="center",
            va="center",
            fontproperties=font(10),
            color="#1f2933",
            zorder=4,
        )
    draw_villages(ax, village_frame(villages))
    if zoom_to is not None:
        min_lon, min_lat, max_lon, max_lat = counties.loc[[zoom_to.code]].total_bounds
        margin = 0.05 * max(max_lon - min_lon, max_lat - min_lat)
        ax.set_xlim(min_lon - margin, max_lon + margin)
        ax.set_ylim(min_lat - margin, max_lat + margin)
    ax.set_axis_off()
    title = _("百乡千村 progress map, %(year)s") % {"year": year}
    if zoom_to is not None:
        title = f"{zoom_to.name} · {title}"
    figure.suptitle(f"{title} · {date_format(timezone.localdate(), 'DATE_FORMAT')}", fontproperties=font(16), y=0.97)
    add_legend(
        figure, county_handles(not all(row.visible for row in progress_rows)), _("Share of the quota accepted"), 0.80
    )
    add_legend(figure, village_handles(), _("Villages"), 0.45)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
