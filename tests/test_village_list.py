"""The village list opens on the programme's villages, shows the county where the user sees several, downloads the
filtered list as XLSX or CSV (the admin's export), and lays its filters out in a grid (issue 25, item 2)."""

import csv
import io

import openpyxl

from tests.constants import TAIGU, YUCI
from villages.models import Village


def designate(codes, tier="upgraded", year=2025):
    Village.objects.filter(code__in=codes).update(tier=tier, programme_year=year)


def listed_codes(response):
    return [village.code for village in response.context["page"]]


def test_the_list_opens_on_the_programmes_villages_and_all_is_one_click_away(client_for, city_admin, registry):
    yuci = list(Village.objects.filter(county_id=YUCI).order_by("code").values_list("code", flat=True)[:3])
    taigu = Village.objects.filter(county_id=TAIGU).order_by("code").values_list("code", flat=True).first()
    designate(yuci[:2])
    designate([taigu], tier="showcase", year=2026)
    client = client_for(city_admin)
    response = client.get("/villages/")
    assert listed_codes(response) == [*yuci[:2], taigu]
    page = response.content.decode()
    assert 'href="?tier=all"' in page and "全部村庄" in page
    assert listed_codes(client.get("/villages/", {"tier": "programme", "year": 2026})) == [taigu]
    assert client.get("/villages/", {"tier": "all"}).context["total"] == Village.objects.count() == 1940
    assert client.get("/villages/", {"tier": "none"}).context["total"] == 1940 - 3


def test_the_county_column_shows_where_the_user_sees_more_than_one_county(
    client_for, city_admin, yuci_editor, registry
):
    code = Village.objects.filter(county_id=TAIGU).order_by("code").values_list("code", flat=True).first()
    designate([code])
    admin_page = client_for(city_admin).get("/villages/").content.decode()
    assert '<td data-label="县（市、区）" data-col="county">太谷区</td>' in admin_page
    designate(Village.objects.filter(county_id=YUCI).values_list("code", flat=True)[:1])
    editor_page = client_for(yuci_editor).get("/villages/").content.decode()
    assert 'data-col="county"' not in editor_page and "榆次区" in editor_page


def xlsx_rows(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_filtered_list_downloads_as_xlsx_and_csv_with_the_admins_columns(client_for, city_admin, registry):
    yuci = list(Village.objects.filter(county_id=YUCI).order_by("code")[:3])
    designate([village.code for village in yuci])
    Village.objects.filter(pk=yuci[0].pk).update(lat=37.7, lon=112.7, location_source="illustrative")
    Village.objects.filter(pk=yuci[1].pk).update(status="in_progress", progress=40)
    client = client_for(city_admin)
    page = client.get("/villages/", {"county": YUCI}).content.decode()
    assert f'href="?county={YUCI}&amp;format=xlsx"' in page and f'href="?county={YUCI}&amp;format=csv"' in page

    response = client.get("/villages/", {"county": YUCI, "format": "xlsx"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    header, *rows = xlsx_rows(response)
    assert header[:3] == ["村代码", "村名", "简称"] and "位置来源" in header
    assert [row[0] for row in rows] == [village.code for village in yuci]
    source = header.index("位置来源")
    assert [row[source] for row in rows] == ["示意（非真实位置）", None, None]

    response = client.get("/villages/", {"county": YUCI, "status": "in_progress", "format": "csv"})
    text = response.content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert [row[0] for row in rows] == [yuci[1].code]
    assert rows[0][header.index("状态")] == "建设中" and rows[0][header.index("进度(%)")] == "40"


def test_a_download_holds_only_what_the_user_sees(client_for, yuci_editor, registry):
    designate(
        [Village.objects.filter(county_id=county).values_list("code", flat=True).first() for county in (YUCI, TAIGU)]
    )
    header, *rows = xlsx_rows(client_for(yuci_editor).get("/villages/", {"format": "xlsx"}))
    assert [row[0][:6] for row in rows] == [YUCI]
    response = client_for(yuci_editor).get("/villages/", {"format": "pdf"})
    assert response.status_code == 400 and "pdf" in response.content.decode()
    response = client_for(yuci_editor).get("/villages/", {"format": "csv", "status": "deleted"})
    assert response.status_code == 400 and response.content.decode().startswith("状态: ")


def filter_boxes(page):
    return {
        name: page.locator(f"#village-filters [name={name}]").locator("xpath=..").bounding_box()
        for name in ("q", "county", "tier", "located")
    }


def test_the_location_filter_stands_with_the_others_on_desktop_and_phone(browser_page, city_admin):
    browser_page.login("city-admin")
    page = browser_page.page
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        browser_page.goto("/villages/")
        boxes = filter_boxes(page)
        # 位置 is as wide as 类别, not a row of its own.
        assert abs(boxes["located"]["width"] - boxes["tier"]["width"]) < 2, (width, boxes)
        if width == 1366:  # every filter on one row
            assert {round(box["y"]) for box in boxes.values()} == {round(boxes["q"]["y"])}, boxes
    assert not browser_page.console_errors
