import io
import warnings

import pytest
from django.urls import reverse
from matplotlib import font_manager
from PIL import Image

from tests.map_helpers import TAIGU, YUCI
from villages.maps import png as map_image

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


def test_county_editor_cannot_draw_another_county(yuci_editor, client_for, map_villages):
    assert client_for(yuci_editor).get(PNG, {"county": TAIGU}).status_code == 400
    png_image(client_for(yuci_editor).get(PNG, {"county": YUCI}))
