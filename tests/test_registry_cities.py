"""Registries of several cities: cities between the province and the counties, county names unique within a city,
counties without a boundary, and every bad row named by file and row with nothing written."""

import csv
import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from counties.models import City, County, CountyBoundary, Province, Township
from villages.models import Target, Village

pytestmark = pytest.mark.django_db


def square(lon, lat, size=0.1):
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]],
    }


def county_feature(code, name, city_code, city_name, geometry):
    properties = {"code": code, "name": name, "city_code": city_code, "city_name": city_name}
    properties |= {"province_code": "14", "province_name": "山西省"}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


# Two cities that each have a 城区, side by side counties in 阳泉市, and a pseudo-county with no polygon.
COUNTIES = [
    county_feature("140302", "城区", "1403", "阳泉市", square(113.5, 37.8)),
    county_feature("140303", "矿区", "1403", "阳泉市", square(113.6, 37.8)),
    county_feature("140502", "城区", "1405", "晋城市", square(112.8, 35.5)),
]
UNBOUNDED = [["140371", "阳泉示范区", "1403", "阳泉市", "14", "山西省"]]
TOWNSHIPS = [
    ["140302001", "上站街道", "140302", "街道"],
    ["140303001", "沙坪街道", "140303", "街道"],
    ["140502100", "钟家庄镇", "140502", "镇"],
    ["140371400", "示范区管委会", "140371", "类似乡级单位"],
]
VILLAGES = [
    ["140302001201", "义井村委会", "义井村", "140302001", "140302"],
    ["140303001201", "沙坪村委会", "沙坪村", "140303001", "140303"],
    ["140502100201", "钟家庄村委会", "钟家庄村", "140502100", "140502"],
    ["140371400201", "示范村委会", "示范村", "140371400", "140371"],
]
TARGETS = [["1403", "2025", "showcase", "annual", "4"], ["", "2025", "showcase", "annual", "9"]]


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])


def write_registry(folder, counties=COUNTIES, unbounded=UNBOUNDED, townships=TOWNSHIPS, villages=VILLAGES):
    folder.mkdir(exist_ok=True)
    (folder / "counties.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": counties}, ensure_ascii=False), encoding="utf-8"
    )
    write_csv(
        folder / "counties_without_boundary.csv",
        ["code", "name", "city_code", "city_name", "province_code", "province_name"],
        unbounded,
    )
    write_csv(folder / "townships.csv", ["code", "name", "county_code", "kind"], townships)
    write_csv(folder / "villages.csv", ["code", "name", "short_name", "township_code", "county_code"], villages)
    write_csv(folder / "targets.csv", ["city_code", "year", "tier", "kind", "count"], TARGETS)
    return folder


def load(folder):
    out = StringIO()
    with translation.override("en"):
        call_command("load_registry", "--data-dir", str(folder), stdout=out)
    return out.getvalue()


def refusal(folder):
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("load_registry", "--data-dir", str(folder), stdout=StringIO())
    return str(refused.value)


@pytest.fixture
def empty_registry(db):
    Village.objects.all().delete()
    Township.objects.all().delete()
    Target.objects.all().delete()
    CountyBoundary.objects.all().delete()
    County.objects.all().delete()
    City.objects.all().delete()
    Province.objects.all().delete()


def nothing_written():
    return not (
        Province.objects.exists() or City.objects.exists() or County.objects.exists() or Village.objects.exists()
    )


def test_the_jinzhong_registry_puts_its_11_counties_in_one_city_of_shanxi(registry):
    assert list(Province.objects.values_list("code", "name")) == [("14", "山西省")]
    assert list(City.objects.values_list("code", "name", "province_id")) == [("1407", "晋中市", "14")]
    assert County.objects.filter(city_id="1407").count() == 11


def test_two_cities_may_each_have_a_county_called_chengqu(empty_registry, tmp_path):
    output = load(write_registry(tmp_path / "two-cities"))
    assert sorted(County.objects.filter(name="城区").values_list("code", "city__name")) == [
        ("140302", "阳泉市"),
        ("140502", "晋城市"),
    ]
    assert "Counties: 4 (4 created, 0 updated, 0 unchanged)" in output
    assert Village.objects.count() == 4


def test_a_county_without_a_boundary_holds_its_townships_and_villages(empty_registry, tmp_path):
    load(write_registry(tmp_path / "two-cities"))
    pseudo = County.objects.get(code="140371")
    assert (pseudo.name, pseudo.city_id, pseudo.label_lat) == ("阳泉示范区", "1403", None)
    assert not CountyBoundary.objects.filter(county=pseudo).exists()
    assert list(pseudo.townships.values_list("code", flat=True)) == ["140371400"]
    assert list(pseudo.villages.values_list("code", flat=True)) == ["140371400201"]


def test_the_targets_file_gives_each_city_and_the_province_their_own(empty_registry, tmp_path):
    load(write_registry(tmp_path / "two-cities"))
    assert set(Target.objects.values_list("city_id", "year", "tier", "kind", "count")) == {
        ("1403", 2025, "showcase", "annual", 4),
        (None, 2025, "showcase", "annual", 9),
    }


def test_a_boundary_changed_by_loading_the_registry_again_is_what_the_pages_draw(empty_registry, tmp_path):
    from counties.boundaries import county_places

    load(write_registry(tmp_path / "before"))
    assert county_places()["140303"].bounds == pytest.approx(
        (113.6, 37.8, 113.7, 37.9)
    )  # now decoded and kept by this process
    before = CountyBoundary.objects.get(county_id="140303").digest
    moved = [*COUNTIES[:1], county_feature("140303", "矿区", "1403", "阳泉市", square(113.6, 37.9)), *COUNTIES[2:]]
    load(write_registry(tmp_path / "after", counties=moved))
    assert CountyBoundary.objects.get(county_id="140303").digest != before  # what the pages compare
    assert county_places()["140303"].bounds == pytest.approx((113.6, 37.9, 113.7, 38.0))
    assert county_places()["140302"].bounds == pytest.approx((113.5, 37.8, 113.6, 37.9))


def test_a_second_load_of_the_same_files_changes_nothing(empty_registry, tmp_path):
    folder = write_registry(tmp_path / "two-cities")
    load(folder)
    output = load(folder)
    assert "Counties: 4 (0 created, 0 updated, 4 unchanged)" in output
    assert "Registry already up to date: nothing changed." in output


def test_a_county_without_a_boundary_appears_in_the_tables_and_beside_the_map(empty_registry, tmp_path, client_for):
    from tests.conftest import make_user

    load(write_registry(tmp_path / "two-cities"))
    client = client_for(make_user("province-viewer", "province_viewer"))
    city_page = client.get(reverse("villages:city", args=["1403"])).content.decode()
    assert 'data-county="140371"' in city_page and "阳泉示范区" in city_page
    page = client.get(reverse("villages:map"), {"year": 2025})
    assert page.status_code == 200
    assert [county.code for county in page.context["without_boundary"]] == ["140371"]
    assert 'id="without-boundary"' in page.content.decode()
    features = json.loads(client.get(reverse("villages:api_counties"), {"year": 2025}).content)["features"]
    assert {feature["id"]: feature["geometry"] is None for feature in features} == {
        "140302": False,
        "140303": False,
        "140371": True,
        "140502": False,
    }


BAD_ROWS = [
    (
        "a village under an unknown township",
        {"villages": VILLAGES + [["140302009201", "新村委会", "新村", "140302009", "140302"]]},
        "villages.csv row 6: township '140302009' of village 140302009201 is unknown",
    ),
    (
        "a township under an unknown county",
        {"townships": TOWNSHIPS + [["140311001", "荫营镇", "140311", "镇"]]},
        "townships.csv row 6: county '140311' of township 140311001 is unknown",
    ),
    (
        "a county in two cities",
        {"unbounded": UNBOUNDED + [["140303", "矿区", "1405", "晋城市", "14", "山西省"]]},
        "counties_without_boundary.csv row 3: county 140303 appears twice (first in counties.geojson row 2)",
    ),
    (
        "a county whose code is not of its city",
        {"counties": COUNTIES + [county_feature("140503", "沁水县", "1403", "阳泉市", square(113.7, 37.8))]},
        "counties.geojson row 4: county 140503 cannot be in city 1403 阳泉市: its code does not start with it",
    ),
    (
        "a duplicate code",
        {"counties": COUNTIES + [county_feature("140302", "城区", "1403", "阳泉市", square(113.5, 37.9))]},
        "counties.geojson row 4: county 140302 appears twice (first in counties.geojson row 1)",
    ),
    (
        "a duplicate name within one city",
        {"counties": COUNTIES + [county_feature("140311", "矿区", "1403", "阳泉市", square(113.7, 37.8))]},
        "counties.geojson row 4: county 140311 has the same name as county 140303 of 阳泉市: 矿区",
    ),
    (
        "a boundary that is not a valid polygon",
        {
            "counties": COUNTIES[:2]
            + [
                county_feature(
                    "140502",
                    "城区",
                    "1405",
                    "晋城市",
                    {
                        "type": "Polygon",
                        "coordinates": [[[112.8, 35.5], [112.9, 35.6], [112.9, 35.5], [112.8, 35.6], [112.8, 35.5]]],
                    },
                )
            ]
        },
        "counties.geojson row 3: county 140502 boundary is not a valid polygon",
    ),
    (
        "a county with a boundary outside its city",
        {"counties": COUNTIES + [county_feature("140311", "郊区", "1403", "阳泉市", square(110.0, 35.0))]},
        "counties.geojson row 4: county 140311 lies outside 阳泉市: its boundary is far from every other county of the city",
    ),
]


@pytest.mark.parametrize("case,files,problem", BAD_ROWS, ids=[case for case, _files, _problem in BAD_ROWS])
def test_a_bad_row_is_named_by_file_and_row_and_nothing_is_written(empty_registry, tmp_path, case, files, problem):
    message = refusal(write_registry(tmp_path / "bad", **files))
    assert problem in message
    assert "nothing was written" in message
    assert nothing_written()


def test_every_problem_is_listed_at_once(empty_registry, tmp_path):
    folder = write_registry(
        tmp_path / "bad",
        townships=TOWNSHIPS + [["140311001", "荫营镇", "140311", "镇"]],
        villages=VILLAGES + [["1403020012", "短码", "短码", "140302001", "140302"]],
    )
    message = refusal(folder)
    assert "2 problem(s)" in message
    assert "townships.csv row 6" in message and "villages.csv row 6" in message


def test_the_site_is_named_after_its_one_city(registry, client):
    html = client.get(reverse("login")).content.decode()
    assert "<title>登录 · 晋中市</title>" in html or "· 晋中市</title>" in html
    assert "<small>晋中市</small>" in html


def test_with_several_cities_the_site_is_named_after_the_province(empty_registry, tmp_path, client):
    load(write_registry(tmp_path / "two-cities"))
    html = client.get(reverse("login")).content.decode()
    assert "<small>山西省</small>" in html and "晋中市" not in html


def test_the_setting_site_place_names_the_site_instead(registry, client, settings):
    settings.SITE_PLACE = "晋中市农业农村局"
    assert "<small>晋中市农业农村局</small>" in client.get(reverse("login")).content.decode()


@pytest.mark.parametrize(
    "several_cities,message", [(False, "不是本市的县（市、区）"), (True, "不是本省的县（市、区）")]
)
def test_an_unknown_county_in_an_import_is_not_of_this_city_or_province(
    empty_registry, tmp_path, several_cities, message
):
    from counties.models import Profile
    from tests.conftest import make_user
    from tests.import_helpers import csv_file
    from villages.imports.importer import import_villages

    province_admin = make_user("province-admin", Profile.Role.PROVINCE_ADMIN)
    kept = 3 if several_cities else 2  # 阳泉市's two counties, and 晋城市's 城区 with several
    folder = write_registry(
        tmp_path / "registry",
        counties=COUNTIES[:kept],
        unbounded=[],
        townships=TOWNSHIPS[:kept],
        villages=VILLAGES[:kept],
    )
    load(folder)
    with translation.override("zh-hans"):
        result = import_villages(csv_file([["县(市、区)", "村名"], ["太谷区", "胡村"]]), "list.csv", province_admin)
    assert [str(problem) for problem in result.problems] == [f"第 2 行，“县(市、区)”列：太谷区 {message}"]


def test_the_map_and_png_of_several_cities_draw_the_counties_in_scope(empty_registry, tmp_path, client_for):
    from tests.conftest import make_user

    load(write_registry(tmp_path / "two-cities"))
    viewer = client_for(make_user("province-viewer", "province_viewer"))
    editor = client_for(make_user("chengqu-editor", "county_editor", ["140302"]))

    def drawn(client, **params):
        page = client.get(reverse("villages:map"), {"year": 2025, **params})
        assert page.status_code == 200
        return sorted(feature["id"] for feature in json.loads(page.context["map"]["data"])["counties"]["features"])

    assert drawn(viewer) == ["140302", "140303", "140502"]
    # 阳泉市's 城区 editor: the counties of 阳泉市, not 晋城市's; the other city's figures are listed beside the map.
    assert drawn(editor) == ["140302", "140303"]
    page = editor.get(reverse("villages:map"), {"year": 2025})
    assert [row.code for row in page.context["not_drawn"]] == ["140502"]
    # The PNG of every county, and zoomed to the pseudo-county: it has no boundary, so the PNG shows them all.
    for params in [{}, {"county": "140371"}]:
        response = viewer.get(reverse("villages:map_png"), {"year": 2025, **params})
        assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_the_provinces_targets_are_jinzhongs_plan_only():
    with open(settings.BASE_DIR / "data" / "shanxi" / "targets.csv", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows == [
        ["city_code", "year", "tier", "kind", "count"],
        ["1407", "2025", "showcase", "annual", "40"],
        ["1407", "2025", "upgraded", "annual", "300"],
        ["1407", "2027", "showcase", "cumulative", "100"],
        ["1407", "2027", "upgraded", "cumulative", "1000"],
    ]
