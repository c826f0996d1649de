"""The map's counties coloured by the money (issue 22, item 4): 支出率 against 序时进度 or 产业 share of 衔接资金, the
figures of the money section. Programme year 2025 is over on any date these tests run: its 序时进度 is 100 %."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from matplotlib.colors import to_rgba

from tests.map_helpers import HESHUN, TAIGU, YUCI, map_data
from tests.project_helpers import make_project, move_to
from villages.maps import colourings
from villages.maps import png as map_image
from villages.maps.data import county_progress
from villages.maps.style import NO_QUOTA_COLOUR
from villages.models import Village
from villages.progress.counts import TIERS as DESIGNATED_TIERS
from villages.projects import workflow
from villages.projects.map_colours import GAP_COLOURS, SHARE_COLOURS, gap_class
from villages.projects.models import Category, Project, Source, Stage

pytestmark = pytest.mark.django_db

MAP = reverse("villages:map")


@pytest.fixture
def money(yuci_village, taigu_village, yuci_editor, taigu_editor, city_admin):
    """2025:
    榆次 A 产业发展 central 300 (spent 150), B 人居环境 central 200 (spent 40): 支出率 190 / 500 = 38.0 %, 62.0 points
         behind; 产业 300 of 衔接 500 = 60.0 %, meets the rule
    太谷 C 基础设施 provincial 100 (spent 95): 支出率 95.0 %, 5.0 points behind; 产业 0 of 100 = 0.0 %
    和顺 and the others have no projects."""
    a = make_project(yuci_village, yuci_editor, name="A", category=Category.INDUSTRY, funds={Source.CENTRAL: 300})
    b = make_project(
        yuci_village, yuci_editor, name="B", category=Category.LIVING_ENVIRONMENT, funds={Source.CENTRAL: 200}
    )
    c = make_project(
        taigu_village, taigu_editor, name="C", category=Category.INFRASTRUCTURE, funds={Source.PROVINCIAL: 100}
    )
    for project, editor, source, amount in (
        (a, yuci_editor, Source.CENTRAL, 150),
        (b, yuci_editor, Source.CENTRAL, 40),
        (c, taigu_editor, Source.PROVINCIAL, 95),
    ):
        move_to(project, Stage.IN_PROGRESS, editor, city_admin)
        fund = project.funds.get(source=source)
        workflow.record_figures(fund, fund.version, editor, date(2025, 9, 1), Decimal(amount), Decimal(amount))
    return {"a": a, "b": b, "c": c}


def get_map(client, **params):
    response = client.get(MAP, {"year": 2025, **params})
    assert response.status_code == 200
    return response.content.decode()


def counties(html):
    return {feature["id"]: feature["properties"] for feature in map_data(html)["counties"]["features"]}


def test_counties_coloured_by_the_gap_show_the_money_sections_figures(client_for, viewer, money):
    html = get_map(client_for(viewer), colour="gap")
    shown = counties(html)
    yuci_gap = (Decimal(150 + 40) / Decimal(300 + 200) - 1) * 100  # 序时进度 of 2025: 100 %
    assert shown[YUCI]["value"] == f"{yuci_gap:.1f}" == "-62.0"
    assert shown[YUCI]["style"]["fillColor"] == GAP_COLOURS["far"]
    assert "落后序时进度 62.0 个百分点" in shown[YUCI]["tooltip"] and "38.0 %" in shown[YUCI]["tooltip"]
    assert shown[TAIGU]["value"] == "-5.0" and shown[TAIGU]["style"]["fillColor"] == GAP_COLOURS["behind"]
    assert shown[HESHUN]["value"] is None and shown[HESHUN]["style"]["fillColor"] == NO_QUOTA_COLOUR
    assert "无数据" in shown[HESHUN]["tooltip"]
    legend = re.search(r'<div id="colour-legend" data-colour="gap">(.*?)</div>', html, re.S).group(1)
    assert "落后超过 10 个百分点" in legend and "无数据" in legend and "示意" not in legend
    dashboard = client_for(viewer).get("/", {"year": 2025}).content.decode()
    assert re.search(r'data-money-unit="140702".*?落后序时进度 62\.0 个百分点', dashboard, re.S)


def test_counties_coloured_by_the_industry_share_against_60_percent(client_for, viewer, money):
    shown = counties(get_map(client_for(viewer), colour="industry"))
    assert shown[YUCI]["value"] == f"{Decimal(300) / Decimal(500) * 100:.1f} %" == "60.0 %"
    assert shown[YUCI]["style"]["fillColor"] == SHARE_COLOURS["meets"]
    assert shown[TAIGU]["value"] == "0.0 %" and shown[TAIGU]["style"]["fillColor"] == SHARE_COLOURS["below"]
    assert "低于 60%" in shown[TAIGU]["tooltip"]
    assert shown[HESHUN]["style"]["fillColor"] == NO_QUOTA_COLOUR


def test_the_map_opens_on_village_progress_and_offers_the_three_colourings(client_for, viewer, money):
    html = get_map(client_for(viewer))
    select = re.search(r'<select name="colour".*?</select>', html, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]+)</option>", select) == [
        "村庄进度",
        "支出率与序时进度之差",
        "产业发展资金占比",
    ]
    assert 'id="colour-legend"' not in html and counties(html)[YUCI]["value"] is None
    # The PNG draws the colouring chosen; the GeoJSON has figures of its own, not colours.
    coloured = get_map(client_for(viewer), colour="gap")
    assert 'href="/map.png?year=2025&amp;colour=gap"' in coloured
    assert 'href="/api/counties.geojson?year=2025"' in coloured


def test_demo_projects_are_said_to_be_illustrative(client_for, viewer, money):
    Project.objects.filter(pk=money["c"].pk).update(is_illustrative=True)
    html = get_map(client_for(viewer), colour="industry")
    shown = counties(html)
    assert "示意" in shown[TAIGU]["tooltip"] and "示意" not in shown[YUCI]["tooltip"]
    assert 'data-illustrative="money"' in html


@pytest.mark.parametrize("role", ["city_admin", "yuci_editor", "taigu_editor", "viewer", "province_admin"])
def test_every_role_sees_every_countys_money_colours_as_the_map_shows_every_countys_figures(
    client_for, request, role, money
):
    shown = counties(get_map(client_for(request.getfixturevalue(role)), colour="gap"))
    assert (shown[YUCI]["value"], shown[TAIGU]["value"]) == ("-62.0", "-5.0")


def test_the_counties_listed_beside_the_map_show_the_chosen_figure(client_for, yangquan_admin, money):
    """阳泉's administrator's map draws 阳泉's counties: 晋中's are listed beside it, 阳泉's 城区 (no boundary) too."""
    html = get_map(client_for(yangquan_admin), colour="gap")
    listed = re.search(r'<details id="counties-not-drawn">(.*?)</details>', html, re.S).group(1)
    assert re.search(r'data-county="140702">榆次区: 落后序时进度 62\.0 个百分点<', listed)
    assert re.search(r'data-county="140723">和顺县: 无数据<', listed)
    unbounded = re.search(r'<div id="without-boundary">(.*?)</div>', html, re.S).group(1)
    assert "城区: 无数据" in unbounded


def test_an_unknown_colouring_is_refused(client_for, viewer, money):
    assert client_for(viewer).get(MAP, {"year": 2025, "colour": "rainfall"}).status_code == 400


@pytest.mark.parametrize(("points", "expected"), [("-10.04", "behind"), ("-10.05", "far"), ("-0.04", "ahead")])
def test_gap_classes_follow_the_rounded_points(points, expected):
    assert gap_class(Decimal(points)) == expected


def test_the_png_is_coloured_and_its_legend_made_by_the_colouring_chosen(client_for, viewer, money):
    Project.objects.filter(pk=money["c"].pk).update(is_illustrative=True)
    with translation.override("zh-hans"):
        progress = county_progress(2025, DESIGNATED_TIERS)
        figure = map_image.build_figure(
            progress, Village.objects.none(), 2025, coloured=colourings.coloured("gap", 2025, progress)
        )
    fills = {tuple(colour) for colour in figure.axes[0].collections[0].get_facecolors()}
    assert fills == {to_rgba(GAP_COLOURS["far"]), to_rgba(GAP_COLOURS["behind"]), to_rgba(NO_QUOTA_COLOUR)}
    texts = [text.get_text() for text in figure.texts]
    legend = figure.legends[0]
    assert legend.get_title().get_text() == "支出率与序时进度之差"
    assert [text.get_text() for text in legend.get_texts()][0] == "落后超过 10 个百分点"
    assert any("示意" in text for text in texts)
    response = client_for(viewer).get("/map.png", {"year": 2025, "colour": "industry"})
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
