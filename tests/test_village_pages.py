"""The village list, the village page and the edit page, as county staff use them (also on a phone)."""

import re

import pytest

from tests.conftest import YUCI
from tests.village_helpers import edit_data
from villages.models import Village


def listed(client, **params):
    response = client.get("/villages/", params)
    assert response.status_code == 200
    return response


def test_filters_by_township_tier_status_year_and_location(client_for, city_admin, yuci_village, taigu_village):
    client = client_for(city_admin)
    Village.objects.filter(pk=yuci_village.pk).update(lat=37.7, lon=112.7, location_source="surveyed")
    response = listed(
        client, township=yuci_village.township_id, tier="upgraded", status="in_progress", year=2025, located="yes"
    )
    assert [village.code for village in response.context["page"]] == [yuci_village.code]
    response = listed(client, tier="upgraded", located="no")
    assert [village.code for village in response.context["page"]] == [taigu_village.code]
    assert (
        listed(client, county="140703", tier="all").context["total"]
        == Village.objects.filter(county_id="140703").count()
    )


def test_search_by_name_or_code(client_for, viewer, registry):
    client = client_for(viewer)
    sample = Village.objects.order_by("code")[500]
    word = sample.short_name[:2]
    expected = Village.objects.filter(name__contains=word).count()
    assert listed(client, q=word, tier="all").context["total"] == expected
    assert listed(client, q=sample.code, tier="all").context["total"] == 1
    assert (
        listed(client, q=sample.code[:9], tier="all").context["total"]
        == Village.objects.filter(township_id=sample.code[:9]).count()
    )


def test_counts_at_the_top_match_the_filtered_villages(client_for, yuci_editor, yuci_village):
    response = listed(client_for(yuci_editor), tier="all")
    counts = dict(response.context["status_counts"])
    villages = Village.objects.filter(county_id=YUCI)
    assert response.context["total"] == villages.count() == sum(counts.values())
    assert counts["建设中"] == villages.filter(status="in_progress").count()


def test_sorting_and_pagination(client_for, viewer, registry):
    client = client_for(viewer)
    first_page = listed(client, sort="-code", tier="all").context["page"]
    assert [v.code for v in first_page] == list(Village.objects.order_by("-code").values_list("code", flat=True)[:50])
    second = listed(client, sort="name", page=2, tier="all").context["page"]
    assert second.number == 2 and len(second) == 50
    assert [v.code for v in second] == list(
        Village.objects.order_by("short_name", "code").values_list("code", flat=True)[50:100]
    )


@pytest.mark.parametrize(
    "params", [{"sort": "password"}, {"year": "abc"}, {"status": "deleted"}, {"township": "999999999"}]
)
def test_bad_filter_values_show_an_error_and_no_villages(client_for, viewer, registry, params):
    response = listed(client_for(viewer), **params)
    assert response.context["form"].errors and response.context["total"] == 0


def test_village_page_shows_every_field_and_the_edit_link_only_to_who_may_edit(
    client_for, yuci_editor, viewer, yuci_village
):
    Village.objects.filter(pk=yuci_village.pk).update(
        main_works="改造村内道路3公里", contact_name="张三", contact_phone="13800000000"
    )
    for user, can_edit in [(yuci_editor, True), (viewer, False)]:
        page = client_for(user).get(f"/villages/{yuci_village.code}/").content.decode()
        assert all(
            text in page for text in ["改造村内道路3公里", "张三", "13800000000", yuci_village.name, yuci_village.code]
        )
        assert (f"/villages/{yuci_village.code}/edit/" in page) == can_edit


def test_editing_saves_every_field(client_for, yuci_editor, yuci_village):
    data = edit_data(
        yuci_village,
        status="completed",
        progress=100,
        planned_investment="120.50",
        actual_investment="98",
        main_works="污水处理",
        contact_name="赵六",
        contact_phone="0354-1234567",
        notes="按期完成",
    )
    assert client_for(yuci_editor).post(f"/villages/{yuci_village.code}/edit/", data).status_code == 302
    village = Village.objects.get(pk=yuci_village.pk)
    assert (village.status, village.progress, str(village.planned_investment), str(village.actual_investment)) == (
        "completed",
        100,
        "120.50",
        "98.00",
    )
    assert (village.main_works, village.contact_name, village.contact_phone, village.notes) == (
        "污水处理",
        "赵六",
        "0354-1234567",
        "按期完成",
    )
    assert village.updated_by == yuci_editor


@pytest.mark.parametrize(
    "field,value", [("progress", 101), ("progress", -1), ("planned_investment", "-5"), ("actual_investment", "abc")]
)
def test_bad_values_are_refused_field_by_field(client_for, yuci_editor, yuci_village, field, value):
    before = Village.objects.values().get(pk=yuci_village.pk)
    response = client_for(yuci_editor).post(
        f"/villages/{yuci_village.code}/edit/", edit_data(yuci_village, **{field: value})
    )
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert Village.objects.values().get(pk=yuci_village.pk) == before


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/villages/", "VILLAGE", "EDIT"])
def test_pages_fit_a_phone_screen_with_nothing_from_outside(browser_page, yuci_editor, yuci_village, path):
    path = {"VILLAGE": f"/villages/{yuci_village.code}/", "EDIT": f"/villages/{yuci_village.code}/edit/"}.get(
        path, path
    )
    browser_page.page.set_viewport_size({"width": 390, "height": 844})
    browser_page.login("yuci-editor")
    browser_page.goto(path)
    assert browser_page.page.locator("h1").count() == 1
    page_width = browser_page.page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390  # wide tables scroll inside .table-wrap, not the page
    assert browser_page.outside_requests == [] and browser_page.console_errors == []


@pytest.mark.parametrize("who", ["city_admin", "yuci_editor"])
def test_village_list_does_not_load_county_boundaries(request, client_for, who):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(request.getfixturevalue(who))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/villages/").status_code == 200
    assert not [query["sql"] for query in queries.captured_queries if "boundary" in query["sql"]]


@pytest.mark.browser
def test_the_update_form_opens_on_todays_date_and_the_edit_form_caps_progress_at_100(
    browser_page, yuci_editor, yuci_village
):
    from django.utils import timezone

    browser_page.login("yuci-editor")
    browser_page.goto(f"/villages/{yuci_village.code}/updates/new/")
    assert browser_page.page.input_value("#id_date") == timezone.localdate().isoformat()
    browser_page.goto(f"/villages/{yuci_village.code}/edit/")
    progress = browser_page.page.locator("#id_progress")
    assert (progress.get_attribute("min"), progress.get_attribute("max")) == ("0", "100")
    progress.fill("150")
    assert progress.evaluate("input => input.validity.rangeOverflow") is True


def test_an_update_posted_without_a_date_is_refused(client_for, yuci_editor, yuci_village):
    response = client_for(yuci_editor).post(f"/villages/{yuci_village.code}/updates/new/", {"text": "修路"})
    assert response.status_code == 200 and "date" in response.context["form"].errors
    assert not yuci_village.updates.exists()


def test_township_options_are_every_visible_township_with_the_chosen_one_selected(
    client_for, viewer, yuci_editor, registry
):
    html = listed(client_for(viewer), township="140702001").content.decode()
    select = re.search(r'<select name="township" id="id_township">(.*?)</select>', html, re.S).group(1)
    # data/jinzhong/townships.csv: 130 townships, and the "all" option first.
    assert len(re.findall(r"<option ", select)) == 131
    assert select.startswith('<option value="">')
    assert '<option value="140702001" selected>榆次区 · 北关街道</option>' in select
    assert select.count(" selected") == 1
    # 榆次区's editor (no pairing in this registry): 榆次区's 20 townships, named without their county.
    html = listed(client_for(yuci_editor)).content.decode()
    select = re.search(r'<select name="township" id="id_township">(.*?)</select>', html, re.S).group(1)
    assert len(re.findall(r"<option ", select)) == 1 + 20
    assert '<option value="" selected>' in select and '<option value="140702001">北关街道</option>' in select


def test_with_a_county_chosen_the_township_options_are_its_own(client_for, viewer, registry):
    html = listed(client_for(viewer), county="140702").content.decode()
    select = re.search(r'<select name="township" id="id_township">(.*?)</select>', html, re.S).group(1)
    # data/jinzhong/townships.csv: 榆次区 has 20 townships.
    assert len(re.findall(r"<option ", select)) == 1 + 20
    assert '<option value="140702001">北关街道</option>' in select and "榆次区 ·" not in select


def test_a_township_of_another_county_than_the_one_chosen_gives_way_to_the_county(
    client_for, viewer, yuci_village, taigu_village
):
    # The user chose 太谷区 after choosing a township of 榆次区: 太谷区's villages are listed.
    page = listed(client_for(viewer), county=taigu_village.county_id, township=yuci_village.township_id, tier="all")
    listed_counties = {village.county_id for village in page.context["page"].object_list}
    assert listed_counties == {taigu_village.county_id}
    assert page.context["page"].paginator.count == Village.objects.filter(county_id=taigu_village.county_id).count()


def test_village_page_and_list_read_the_users_scope_in_one_query(
    client_for, yuci_editor, city_admin, yuci_village, django_assert_num_queries
):
    # Session, user, the village, the user's role with their counties (and their city's) in one query, the
    # boundary, the history (village, updates), the standard, the rounds and the updates: this year's pairings
    # are not read for a village of the editor's own county. A county editor's pages count their unread notices
    # (the header's bell). The village's projects (and their money, when it has some).
    Village.objects.filter(pk=yuci_village.pk).update(lat=37.7, lon=112.7, location_source="surveyed")
    for user, queries in [(yuci_editor, 12), (city_admin, 11)]:
        client = client_for(user)
        client.get(yuci_village.get_absolute_url())
        with django_assert_num_queries(queries):
            assert client.get(yuci_village.get_absolute_url()).status_code == 200
    # The list: session, user, scope (and pairings for an editor), counties, townships, years, status counts
    # (which give the total), the page, and the editor's bell.
    for user, queries in [(yuci_editor, 10), (city_admin, 8)]:
        client = client_for(user)
        client.get("/villages/")
        with django_assert_num_queries(queries):
            assert client.get("/villages/").status_code == 200


@pytest.mark.parametrize(
    "width,tolerance",
    # 320 px: a pixel of a 1° county is 0.0031°, of a 0.2° district 0.000625°, of 矿区's 0.073° 0.00023°.
    [(1.0, 0.0008), (0.2, 0.0003), (0.073, 0.0001), (0.001, 0.0001)],
)
def test_the_minimap_outline_is_simplified_within_half_a_pixel_of_its_county(width, tolerance):
    from villages.maps.minimap import tolerance_for_minimap

    assert tolerance_for_minimap((113.0, 37.0, 113.0 + width, 37.0 + width / 2)) == tolerance
