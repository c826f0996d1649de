"""The 通报: issued once per period and place from a closed period, its figures frozen at issue (the same bulletin
however often it is written, whatever reports arrive later), in the shape of a government 通报, with its XLSX annex."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook

from tests.conftest import TAIGU, YUCI
from tests.reporting_helpers import designate_in, moment, no_change_received, october, update_received
from villages.models import CountyQuota, Tier
from villages.reporting import rates
from villages.reporting.models import Bulletin, Period, Rules


@pytest.fixture
def closed(registry, city_admin):
    """October 2025 in 晋中: 榆次 6 expected, 3 received, 2 on time; 太谷 2 expected, 1 received on time. The city
    praises 50 % on time and more, and criticises under 40 %."""
    period = october()
    yuci = designate_in(YUCI, 6)
    taigu = designate_in(TAIGU, 2)
    update_received(yuci[0], date(2025, 10, 10), moment(date(2025, 10, 10)))
    no_change_received(yuci[1], period, moment(date(2025, 11, 4)))
    update_received(yuci[2], date(2025, 10, 20), moment(date(2025, 11, 8)))
    update_received(taigu[0], date(2025, 10, 30), moment(date(2025, 11, 1)))
    Rules.objects.create(city_id="1407", remind_days_before=3, praise_at_least=50, criticise_below=40)
    return period, yuci, taigu


def text_of(document):
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def cells(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_issue_bulletin_writes_a_government_tongbao_with_the_periods_figures(closed, city_admin, tmp_path, capsys):
    output = tmp_path / "tongbao.docx"
    call_command(
        "issue_bulletin",
        "2025-10",
        "--user",
        city_admin.username,
        "--output",
        str(output),
        "--number",
        "晋中百乡千村办〔2025〕12号",
    )
    assert "已印发2025年10月通报" in capsys.readouterr().out
    document = Document(output)
    text = text_of(document)
    assert "关于2025年10月百乡千村工作进展情况的通报" in text
    assert "文号：晋中百乡千村办〔2025〕12号" in text
    assert "晋中市百乡千村工作领导小组办公室" in text
    assert "各县（市、区）百乡千村工作专班：" in text
    # 8 expected, 4 received (50.0 %), 3 on time (37.5 %), 4 not reported.
    assert "全市应报送月报村8个，已报送4个，报送率50.0%" in text
    assert "按时报送3个，按时报送率37.5%，未报送4个" in text
    for heading in ("一、月报报送情况", "二、建设进展情况", "三、表扬和通报批评", "四、下一步工作要求"):
        assert heading in text
    assert "对按时报送率达到50%的太谷区予以表扬" in text
    assert "对按时报送率低于40%的榆次区予以通报批评" in text
    assert "示意" not in text  # nothing here is demo data
    rates_table = cells(document.tables[0])
    assert rates_table[0][:3] == ["排名", "县（市、区）", "应报村数"]
    taigu_row = next(row for row in rates_table if row[1] == "太谷区")
    yuci_row = next(row for row in rates_table if row[1] == "榆次区")
    assert taigu_row[:8] == ["1", "太谷区", "2", "1", "1", "1", "50.0%", "50.0%"]
    assert yuci_row[:8] == ["2", "榆次区", "6", "3", "2", "3", "50.0%", "33.3%"]
    assert rates_table[-1][1:6] == ["合计", "8", "4", "3", "4"]
    missing = cells(document.tables[2])
    assert [row[3] for row in missing[1:]] == [v.short_name for v in closed[1][3:]] + [closed[2][1].short_name]


def test_issuing_freezes_the_figures_and_writing_again_gives_the_same_bytes(closed, city_admin, tmp_path):
    period, yuci, _taigu = closed
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    call_command("issue_bulletin", "2025-10", "--user", city_admin.username, "--output", str(first))
    update_received(yuci[3], date(2025, 10, 25), moment(date(2025, 12, 1)))  # late, after the 通报
    call_command(
        "issue_bulletin", "2025-10", "--user", city_admin.username, "--output", str(second), "--number", "另一个"
    )
    assert first.read_bytes() == second.read_bytes()
    assert Bulletin.objects.count() == 1
    assert rates.county_rates(period)[YUCI].received == 4  # the live figures count the late report as received
    assert rates.county_rates(period)[YUCI].on_time == 2  # and as late
    frozen = Bulletin.objects.get().figures["reporting"]["rows"]
    assert next(row for row in frozen if row["code"] == YUCI)["received"] == 3
    november = Period.objects.create(
        key="2025-11", name="2025年11月", start=date(2025, 11, 1), end=date(2025, 11, 30), deadline=date(2025, 12, 5)
    )
    table = rates.county_table(november, yuci[0].county.city, rates.previous_period(november))
    assert {row.code: row.previous_late for row in table.rows if row.previous_late} == {YUCI: 2}


def test_the_period_page_shows_the_frozen_figures_after_issue(closed, city_admin, client_for, viewer):
    period, yuci, _taigu = closed
    response = client_for(city_admin).post("/reporting/2025-10/issue/", {"number": ""}, follow=True)
    assert "通报已印发" in response.content.decode()
    update_received(yuci[3], date(2025, 10, 25), moment(date(2025, 12, 1)))
    html = client_for(viewer).get("/reporting/2025-10/").content.decode()
    assert 'id="frozen"' in html and '<dd data-rate="received">4</dd>' in html
    docx = client_for(viewer).get("/reporting/2025-10/bulletin.docx")
    assert (
        docx.status_code == 200 and docx["Content-Disposition"] == 'attachment; filename="bulletin-2025-10-1407.docx"'
    )
    workbook = load_workbook(io.BytesIO(client_for(viewer).get("/reporting/2025-10/bulletin.xlsx").content))
    assert workbook.sheetnames == ["月报报送情况", "建设进展", "未报村名单"]
    rows = [[cell.value for cell in row] for row in workbook["月报报送情况"].iter_rows(min_row=4)]
    assert next(row for row in rows if row[1] == "榆次区")[2:6] == [6, 3, 2, 3]


def test_a_period_still_open_is_refused_and_nothing_issued(registry, city_admin, tmp_path):
    Period.objects.create(
        key="2031-01", name="2031年1月", start=date(2031, 1, 1), end=date(2031, 1, 31), deadline=date(2031, 2, 5)
    )
    with pytest.raises(CommandError, match="截止日期 2031-02-05 前仍在报送中"):
        call_command("issue_bulletin", "2031-01", "--user", city_admin.username, "--output", str(tmp_path / "x.docx"))
    assert not Bulletin.objects.exists() and not (tmp_path / "x.docx").exists()


@pytest.mark.parametrize(
    "args,message",
    [
        (["2024-13", "--user", "city-admin"], "没有报送周期 2024-13"),
        (["2025-10", "--user", "nobody"], "没有在用的用户 nobody"),
        (["2025-10", "--user", "yuci-editor"], "无权印发"),
    ],
)
def test_bad_arguments_are_refused_with_the_reason(closed, yuci_editor, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("issue_bulletin", *args, "--output", str(tmp_path / "x.docx"))
    assert not Bulletin.objects.exists()


def test_a_demo_period_and_demo_quotas_carry_the_marks_of_illustrative_data(closed, city_admin, tmp_path):
    period, _yuci, _taigu = closed
    Period.objects.filter(pk=period.pk).update(is_illustrative=True)
    CountyQuota.objects.create(year=2025, tier=Tier.UPGRADED, county_id=YUCI, count=10, is_illustrative=True)
    output = tmp_path / "demo.docx"
    call_command(
        "issue_bulletin",
        "2025-10",
        "--user",
        city_admin.username,
        "--output",
        str(output),
        "--xlsx",
        str(tmp_path / "demo.xlsx"),
    )
    document = Document(output)
    assert "【示意数据】" in text_of(document)
    assert "示意数据 · 非真实统计" in document.sections[0].header.paragraphs[0].text
    assert any("榆次区（任务示意）" in row[1] for row in cells(document.tables[1]))
    assert "示意数据，非真实统计" in load_workbook(tmp_path / "demo.xlsx")["月报报送情况"]["A2"].value


def test_the_province_bulletin_ranks_cities(closed, province_admin, second_city, tmp_path):
    output = tmp_path / "province.docx"
    call_command("issue_bulletin", "2025-10", "--user", province_admin.username, "--output", str(output))
    document = Document(output)
    assert "各市百乡千村工作专班：" in text_of(document) and "全省应报送月报村8个" in text_of(document)
    assert [row[1] for row in cells(document.tables[0])[1:]] == ["晋中市", "阳泉市", "合计"]
    assert Bulletin.objects.get().city_id is None
