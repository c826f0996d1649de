"""Export to XLSX and CSV: Chinese headers, names, every tracked field, formula escaping, and a round trip unchanged."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from counties.geo import county_frame
from tests.conftest import TAIGU, YUCI
from tests.import_helpers import messages, run_import
from villages.imports.export import csv_bytes, xlsx_bytes
from villages.models import LocationSource, Status, Tier, Village

# The export's header row, as a county office reads it (and as the import reads it back).
EXPORT_HEADER = [
    "村代码", "村名", "简称", "市", "县(市、区)", "乡镇(街道)", "村庄类别", "年度", "状态", "进度(%)", "计划投资(万元)",
    "实际投资(万元)", "主要建设内容", "联系人", "联系电话", "经度", "纬度", "坐标系", "位置来源", "备注", "退回原因", "验收时间",
]  # fmt: skip
INFORMATION_ONLY = {"简称", "位置来源", "退回原因", "验收时间"}

FORMULAS = ["=1+1", "+86 351 1234", "-cmd", "@SUM(A1)"]


@pytest.fixture
def programme(registry):
    """Villages in every state the app knows, with text that a spreadsheet would run as a formula."""
    label = county_frame([YUCI]).iloc[0]
    villages = list(Village.objects.filter(county_id=YUCI).order_by("code")[:6])
    for index, village in enumerate(villages):
        village.tier, village.programme_year = (Tier.SHOWCASE, 2025) if index % 2 else (Tier.UPGRADED, 2026)
        village.status = [
            Status.PLANNED,
            Status.IN_PROGRESS,
            Status.COMPLETED,
            Status.ACCEPTED,
            Status.NOT_STARTED,
            Status.IN_PROGRESS,
        ][index]
        village.progress = index * 17
        village.planned_investment = Decimal("1234.50") + index
        village.notes = FORMULAS[index % len(FORMULAS)]
        village.contact_phone = "+86 354 300000" + str(index)
        village.accepted_at = timezone.now() if village.status == Status.ACCEPTED else None
        if index < 4:
            village.lat, village.lon = float(label["label_lat"]) + index * 1e-3, float(label["label_lon"]) + 1 / 3000
            village.location_source = LocationSource.ILLUSTRATIVE
        village.save()
    return villages


def read_csv(content):
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_csv_has_chinese_headers_names_and_every_tracked_field(programme):
    rows = read_csv(csv_bytes(Village.objects.filter(county_id=YUCI)))
    header = rows[0]
    assert header == EXPORT_HEADER
    assert len(rows) == Village.objects.filter(county_id=YUCI).count() + 1
    by_code = {row[0]: dict(zip(header, row)) for row in rows[1:]}
    village = programme[3]
    exported = by_code[village.code]
    assert exported["县(市、区)"] == "榆次区" and exported["乡镇(街道)"] == village.township.name
    assert exported["村庄类别"] == "精品示范村" and exported["年度"] == "2025" and exported["状态"] == "验收通过"
    assert exported["进度(%)"] == str(village.progress) and exported["计划投资(万元)"] == "1237.50"
    assert float(exported["纬度"]) == village.lat and exported["坐标系"] == "WGS84"
    assert exported["验收时间"] != ""
    tracked = {field.name for field in Village.history.model._meta.fields} & {f.name for f in Village._meta.fields}
    exported_fields = {
        "tier",
        "programme_year",
        "status",
        "progress",
        "planned_investment",
        "actual_investment",
        "main_works",
        "contact_name",
        "contact_phone",
        "lat",
        "lon",
        "location_source",
        "notes",
        "return_reason",
        "accepted_at",
        "code",
        "name",
        "short_name",
        "county",
        "township",
    }
    withdrawal = {"withdrawn_at", "withdrawn_by", "withdrawal_reason"}  # withdrawn villages are never exported
    assert tracked - {"id", "updated_by"} - withdrawal <= exported_fields


@pytest.mark.parametrize("export", [csv_bytes, xlsx_bytes])
def test_cells_starting_with_formula_characters_are_escaped(programme, export):
    content = export(Village.objects.filter(pk__in=[v.pk for v in programme]))
    rows = read_csv(content) if export is csv_bytes else read_xlsx(content)
    cells = [cell for row in rows for cell in row if isinstance(cell, str)]
    for formula in FORMULAS:
        assert "'" + formula in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    if export is xlsx_bytes:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


@pytest.mark.parametrize("export,filename", [(csv_bytes, "villages.csv"), (xlsx_bytes, "villages.xlsx")])
def test_an_export_imports_back_with_every_row_unchanged(programme, city_admin, export, filename):
    before = Village.history.count()
    content = export(Village.objects.all())
    result = run_import(content, city_admin, filename=filename)
    assert messages(result) == []
    assert result.changed == 0 and result.unchanged == Village.objects.count()
    assert Village.history.count() == before
    village = Village.objects.get(pk=programme[0].pk)
    assert village.notes == programme[0].notes and village.location_source == LocationSource.ILLUSTRATIVE


def test_export_command_writes_one_county_in_the_format_of_the_extension(programme, tmp_path):
    path = tmp_path / "taigu.xlsx"
    call_command("export_villages", str(path), "--county", TAIGU)
    rows = read_xlsx(path.read_bytes())
    assert len(rows) == Village.objects.filter(county_id=TAIGU).count() + 1
    assert {(row[3], row[4]) for row in rows[1:]} == {("晋中市", "太谷区")}
    path = tmp_path / "all.csv"
    call_command("export_villages", str(path))
    assert len(read_csv(path.read_bytes())) == Village.objects.count() + 1


def test_export_command_refuses_unknown_extension_and_county(registry, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("export_villages", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError):
        call_command("export_villages", str(tmp_path / "x.csv"), "--county", "999999")


def test_admin_export_follows_the_changelist_filter(programme, city_admin, client_for):
    client = client_for(city_admin)
    response = client.post(
        f"/admin/villages/village/export/?county__code__exact={TAIGU}", {"format": "1", "resource": "0"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response.content)
    assert len(rows) == Village.objects.filter(county_id=TAIGU).count() + 1
    response = client.post("/admin/villages/village/export/?status__exact=accepted", {"format": "0", "resource": "0"})
    rows = read_xlsx(response.content)
    assert [row[0] for row in rows[1:]] == [programme[3].code]


def test_import_template_lists_the_accepted_headers_and_imports_as_an_empty_file(city_admin, client_for):
    response = client_for(city_admin).get("/villages/import-template.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    header = [cell for cell in list(workbook.worksheets[0].iter_rows(values_only=True))[1] if cell]
    assert header == [name for name in EXPORT_HEADER if name not in INFORMATION_ONLY]
    guide = [row[0] for row in workbook.worksheets[1].iter_rows(values_only=True)]
    assert "状态" in guide and "坐标系" in guide
    result = run_import(response.content, city_admin, filename="template.xlsx")
    assert messages(result) == ["The file has a header but no village rows."]


# Every column of one village's row, as the office reads it, for each place its location may come from.
SOURCE_WORDS = [
    ("", None, ""),
    (LocationSource.SURVEYED, (37.63878, 112.79677), "实测"),
    (LocationSource.IMPORTED, (37.63878, 112.79677), "导入"),
    (LocationSource.ILLUSTRATIVE, (37.63878, 112.79677), "示意（非真实位置）"),
    (LocationSource.PHOTO, (37.63878, 112.79677), "照片定位"),
    (LocationSource.DEVICE, (37.63878, 112.79677), "手机定位"),
]


def test_every_location_source_has_its_word_in_the_export():
    assert sorted(source for source, _point, _word in SOURCE_WORDS) == sorted(["", *LocationSource.values])


@pytest.mark.parametrize("source,point,word", SOURCE_WORDS, ids=[source or "none" for source, _p, _w in SOURCE_WORDS])
@pytest.mark.parametrize("export,filename", [(csv_bytes, "villages.csv"), (xlsx_bytes, "villages.xlsx")])
def test_every_column_of_a_village_located_from_any_source(registry, city_admin, export, filename, source, point, word):
    village = Village.objects.get(code="140702100200")
    village.tier, village.programme_year, village.status, village.progress = Tier.UPGRADED, 2025, Status.PLANNED, 5
    village.lat, village.lon = point or (None, None)
    village.location_source = source
    village.save()
    content = export(Village.objects.filter(pk=village.pk))
    rows = read_csv(content) if export is csv_bytes else read_xlsx(content)
    text = [str(cell) if cell not in (None, "") else "" for cell in rows[1]]
    lat, lon = ("37.63878", "112.79677") if point else ("", "")
    assert dict(zip(rows[0], text)) == {
        "村代码": "140702100200", "村名": "鸣谦村委会", "简称": "鸣谦村", "市": "晋中市", "县(市、区)": "榆次区", "乡镇(街道)": "乌金山镇",
        "村庄类别": "提档升级村", "年度": "2025", "状态": "已规划", "进度(%)": "5", "计划投资(万元)": "",
        "实际投资(万元)": "", "主要建设内容": "", "联系人": "", "联系电话": "", "经度": lon, "纬度": lat,
        "坐标系": "WGS84" if point else "", "位置来源": word, "备注": "", "退回原因": "", "验收时间": "",
    }  # fmt: skip
    before = Village.history.count()
    result = run_import(content, city_admin, filename=filename)
    assert messages(result) == [] and result.changed == 0
    assert Village.history.count() == before
    assert Village.objects.get(pk=village.pk).location_source == source


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_export_link_with_a_filter_the_list_does_not_know_is_refused_and_names_it(
    registry, city_admin, client_for, method
):
    client = client_for(city_admin)
    query = f"county__code__exact={TAIGU}&foo=1&programme_year__exact=二〇二五"
    url = f"/admin/villages/village/export/?{query}"
    response = client.get(url) if method == "get" else client.post(url, {"format": "1", "resource": "0"})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    html = response.content.decode()
    assert "导出链接中的筛选条件村庄列表无法识别：foo=1、programme_year__exact=二〇二五。" in html
    assert f'href="/admin/villages/village/export/?county__code__exact={TAIGU}" id="export-without"' in html
    rows = read_csv(
        client.post(f"/admin/villages/village/export/?county__code__exact={TAIGU}", {"format": "1"}).content
    )
    assert len(rows) == Village.objects.filter(county_id=TAIGU).count() + 1
