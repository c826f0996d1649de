"""The map's counties coloured by the money (villages/maps/colourings.py): 支出率 against 序时进度, and 产业发展's share
of 衔接资金 against the 60 % rule. The figures are the money section's (overview.build for the map's year, today);
a county without projects has no data. Figures of every county are open to every signed-in user, as on the map."""

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages.maps.colourings import Coloured, CountyColour, add_colouring
from villages.projects import money, overview
from villages.projects.models import Project
from villages.projects.templatetags.projects import wan

FAR_BEHIND = -10  # percentage points
GAP_COLOURS = {"far": "#c53030", "behind": "#f6ad55", "ahead": "#38a169"}
SHARE_COLOURS = {"below": "#dd6b20", "meets": "#2f855a"}


def county_money(year, counties):
    """({county code: Money} of the counties with projects in `year`, the codes of those with demo projects)."""
    found = overview.build(year, counties, on=timezone.localdate())
    illustrative = set(
        Project.objects.filter(year=year, is_illustrative=True).values_list("county_id", flat=True).distinct()
    )
    return found, {unit.unit.code: unit for unit in found.rows if unit.projects}, illustrative


def tooltip(unit, lines, illustrative):
    badge = format_html(' <span class="badge illustrative">{}</span>', _("illustrative")) if illustrative else ""
    return format_html(
        "<strong>{}</strong>{}<br>{}",
        unit.unit.name,
        badge,
        format_html_join("<br>", "{}", ((line,) for line in lines)),
    )


def gap_class(points):
    points = money.rounded(points)
    if points < FAR_BEHIND:
        return "far"
    return "behind" if points < 0 else "ahead"


def illustrative_note(codes, illustrative):
    if codes & illustrative:
        return _("Some counties' projects are illustrative (demo data): their funds and figures were invented.")
    return ""


def gap_colours(year, counties):
    found, units, illustrative = county_money(year, counties)
    coloured = {}
    for code, unit in units.items():
        if unit.gap is None:
            continue
        lines = [
            f"{_('支出率')} {money.percent(unit.rate)} · {_('序时进度')} {money.percent(unit.elapsed)}",
            unit.gap_text,
            f"{_('Planned (万元)')} {wan(unit.planned)} · {_('Spent (万元)')} {wan(unit.spent)}",
        ]
        coloured[code] = CountyColour(
            GAP_COLOURS[gap_class(unit.gap)],
            tooltip(unit, lines, code in illustrative),
            str(money.rounded(unit.gap)),
            unit.gap_text,
        )
    return Coloured(
        title=_("Counties: 支出率 against 序时进度, projects of %(year)s") % {"year": year},
        classes=[
            (GAP_COLOURS["far"], _("more than %(points)s points behind") % {"points": -FAR_BEHIND}),
            (GAP_COLOURS["behind"], _("0–%(points)s points behind") % {"points": -FAR_BEHIND}),
            (GAP_COLOURS["ahead"], _("level or ahead")),
        ],
        counties=coloured,
        illustrative_note=illustrative_note(set(coloured), illustrative),
        notes=[
            _("序时进度 on %(on)s: %(elapsed)s. 支出率 = spent ÷ planned, cancelled projects left out.")
            % {"on": found.on.isoformat(), "elapsed": money.percent(found.elapsed)}
        ],
    )


def share_colours(year, counties):
    _found, units, illustrative = county_money(year, counties)
    coloured = {}
    for code, unit in units.items():
        share = unit.industry_share
        if share is None:
            continue
        meets = unit.meets_industry_rule
        lines = [
            f"{_('产业 share of 衔接资金')} {money.percent(share)}",
            _("meets the rule of 60 percent or more") if meets else _("below the rule of 60 percent or more"),
            _("产业发展 %(industry)s of 衔接资金 %(linkage)s 万元")
            % {"industry": wan(unit.industry_linkage), "linkage": wan(unit.linkage)},
        ]
        coloured[code] = CountyColour(
            SHARE_COLOURS["meets" if meets else "below"],
            tooltip(unit, lines, code in illustrative),
            money.percent(share),
            money.percent(share),
        )
    return Coloured(
        title=_("Counties: 产业 share of 衔接资金, projects of %(year)s") % {"year": year},
        classes=[(SHARE_COLOURS["below"], "< 60 %"), (SHARE_COLOURS["meets"], "≥ 60 %")],
        counties=coloured,
        illustrative_note=illustrative_note(set(coloured), illustrative),
        notes=[_("产业 share = 衔接资金 planned for 产业发展 ÷ all 衔接资金 planned; the rule: 60 percent or more.")],
    )


def register():
    add_colouring("gap", gettext_lazy("支出率 against 序时进度"), gap_colours, order=10)
    add_colouring("industry", gettext_lazy("share of 产业发展 in 衔接资金"), share_colours, order=20)
