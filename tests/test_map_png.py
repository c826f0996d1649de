import io
import itertools
import warnings
from datetime import date

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from counties.models import County
from tests.map_helpers import TAIGU, YUCI
from villages.maps import png as map_image
from villages.models import CountyQuota, LocationSource, Tier, Village

pytestmark = pytest.mark.django_db

PNG = reverse("villages:map_png")


def png_image(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    image.verify()
    return Image.open(io.BytesIO(response.content))


def test_anonymous_visitor_gets_no_image(client, map_villages):
    response = client.get(PNG)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("params", [{}, {"county": YUCI}, {"tier": "showcase", "status": "accepted"}])
def test_png_is_a_valid_image_of_the_expected_size(viewer, client_for, map_villages, params):
    image = png_image(client_for(viewer).get(PNG, params))
    assert image.format == "PNG"
    assert image.size == (map_image.WIDTH, map_image.HEIGHT)
    # Not a blank page: the county choropleth and points give many colours.
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 20)) > 50


def test_chinese_text_is_drawn_with_the_packaged_cjk_font_and_no_glyph_is_missing(viewer, client_for, map_villages):
    found = font_manager.findfont(map_image.font(10), fallback_to_default=False)
    assert found == str(map_image.FONT_FILE)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph")  # matplotlib warns "Glyph ... missing from font(s)"
        png_image(client_for(viewer).get(PNG))


def test_png_download_has_a_file_name_with_the_year(viewer, client_for, map_villages):
    response = client_for(viewer).get(PNG, {"year": 2025})
    assert 'filename="progress-map-2025-' in response["Content-Disposition"]


def test_bad_filter_gets_400_and_no_image(viewer, client_for, map_villages):
    response = client_for(viewer).get(PNG, {"tier": "gold"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "类别" in response.content.decode()


def test_county_editor_draws_any_county_with_only_the_villages_they_may_see(yuci_editor, client_for, map_villages):
    png_image(client_for(yuci_editor).get(PNG, {"county": TAIGU}))
    png_image(client_for(yuci_editor).get(PNG, {"county": YUCI}))
    assert client_for(yuci_editor).get(PNG, {"county": "999999"}).status_code == 400


def figure_texts(figure):
    """Every text drawn on the figure: titles and notes, the map's texts, the legends."""
    texts = [text.get_text() for text in figure.texts]
    for ax in figure.axes:
        texts += [text.get_text() for text in ax.texts]
    for legend in figure.legends:
        texts += [legend.get_title().get_text()] + [text.get_text() for text in legend.get_texts()]
    return texts


def build(viewer_year=2025, county=None, **options):
    from villages.maps.data import county_progress
    from villages.maps.filters import MapFilterForm

    form = MapFilterForm({"year": viewer_year, **({"county": county} if county else {})}, None)
    assert form.is_valid(), form.errors
    with translation.override("zh-hans"):
        figure = map_image.build_figure(
            county_progress(viewer_year, form.designated_tiers()),
            Village.objects.filter(Q(programme_year=viewer_year) | Q(tier=Tier.NONE)).filter(
                **({"county_id": county} if county else {})
            ),
            viewer_year,
            zoom_to=form.selected_county,
            today=date(2025, 6, 30),
            **options,
        )
        return figure, figure_texts(figure)


def test_the_png_has_a_title_with_the_date_a_scale_bar_a_north_arrow_and_the_sources(map_villages):
    _figure, texts = build()
    assert "百乡千村进度图（2025年） · 2025年6月30日" in texts
    # 晋中 spans about 2.5° of longitude, some 220 km at 37.5° N: a quarter of it rounds down to 50 km.
    assert "50 公里" in texts
    assert "北" in texts
    assert any(text.startswith("数据来源：村庄名录为国家统计局2023年统计用区划代码") for text in texts)
    assert "进展：百乡千村工作台截至2025年6月30日的记录。" in texts


def test_a_county_map_has_a_scale_bar_of_its_own_size(map_villages):
    _figure, texts = build(county=YUCI)
    # 榆次 is some 0.55° wide, about 48 km: a quarter of it rounds down to 10 km.
    assert "10 公里" in texts
    assert texts[0].startswith("榆次区 · ")


def test_every_county_name_is_drawn_and_no_two_names_overlap(map_villages):
    figure, texts = build()
    names = list(County.objects.values_list("name", flat=True))
    assert set(names) <= set(texts)
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    ax = figure.axes[0]
    boxes = [text.get_window_extent(renderer) for text in ax.texts if text.get_text() in names]
    assert len(boxes) == 11
    assert not [(a, b) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]
    # A white halo keeps them legible over the village points.
    halo = [text for text in ax.texts if text.get_text() in names][0].get_path_effects()
    assert halo and halo[0]._gc["foreground"] == "white"


def test_illustrative_locations_and_quotas_are_marked_on_the_png(map_villages):
    # map_helpers.PLAN: of the 8 villages of 2025 (and undesignated ones) with a location, 2 are illustrative.
    _figure, texts = build(illustrative_quotas=True)
    assert "示意：2 个村庄的位置为演示数据，并非村庄的真实位置。" in texts
    assert "带圈：示意位置（演示数据）" in texts
    assert "示意：配色所依据的县级任务数为演示数据，并非市里下达。" in texts
    assert "示意：任务数为演示数据" in texts


def test_a_map_of_real_data_carries_no_illustrative_mark(map_villages):
    Village.objects.filter(location_source=LocationSource.ILLUSTRATIVE).update(location_source=LocationSource.SURVEYED)
    _figure, texts = build()
    assert not [text for text in texts if "示意" in text]


def test_the_view_marks_demo_quotas_on_the_png(viewer, client_for, map_villages):
    Village.objects.filter(location_source=LocationSource.ILLUSTRATIVE).update(location_source=LocationSource.SURVEYED)
    client = client_for(viewer)
    plain = client.get(PNG, {"year": 2025, "tier": "showcase"}).content
    assert client.get(PNG, {"year": 2025, "tier": "showcase"}).content == plain  # the same data draw the same image
    CountyQuota.objects.update(is_illustrative=True)
    marked = png_image(client.get(PNG, {"year": 2025, "tier": "showcase"}))
    assert marked.tobytes() != Image.open(io.BytesIO(plain)).tobytes()  # the note and the legend entry


@pytest.fixture
def yangquan_with_boundary(second_city):
    """阳泉's 城区 with a small square boundary east of 晋中, so that a map of one city leaves a county out."""
    from counties.models import CountyBoundary
    from tests.conftest import YANGQUAN_CHENGQU

    square = [[[113.50, 37.80], [113.62, 37.80], [113.62, 37.92], [113.50, 37.92], [113.50, 37.80]]]
    CountyBoundary.objects.create(county_id=YANGQUAN_CHENGQU, geometry={"type": "Polygon", "coordinates": square})
    County.objects.filter(code=YANGQUAN_CHENGQU).update(label_lat=37.86, label_lon=113.56)
    return County.objects.get(code=YANGQUAN_CHENGQU)


@pytest.mark.parametrize(
    "user,county_names",
    [
        ("yuci_editor", "晋中"),  # the counties of their own county's city
        ("city_admin", "晋中"),
        ("yangquan_admin", "阳泉"),
        ("province_viewer", "all"),
    ],
)
def test_the_png_draws_the_counties_the_map_page_draws(
    user, county_names, request, client_for, map_villages, yangquan_with_boundary, monkeypatch
):
    from tests.map_helpers import map_data

    client = client_for(request.getfixturevalue(user))
    figures = []
    build_figure = map_image.build_figure

    def keep_figure(*args, **kwargs):
        figures.append(build_figure(*args, **kwargs))
        return figures[-1]

    monkeypatch.setattr(map_image, "build_figure", keep_figure)
    png_image(client.get(PNG, {"year": 2025}))
    drawn_on_png = {text for text in figure_texts(figures[0]) if County.objects.filter(name=text).exists()}
    page = client.get(reverse("villages:map"), {"year": 2025}).content.decode()
    drawn_on_page = {feature["properties"]["name"] for feature in map_data(page)["counties"]["features"]}
    expected = {
        "晋中": set(County.objects.filter(city_id="1407").values_list("name", flat=True)),
        "阳泉": {"城区"},
        "all": set(County.objects.values_list("name", flat=True)),
    }[county_names]
    assert drawn_on_png == drawn_on_page == expected
