"""The 项目公示 of a village or a township (issue 22, item 6): a DOCX read back here — each project with its funds by
source, 实施主体, 绩效目标, the notice period and the supervision hotline of the settings; PDF only where LibreOffice
is installed, and the page says so where it is not."""

import io
from datetime import date

import openpyxl
import pytest
from docx import Document

from tests.project_helpers import make_project
from villages.models import Village
from villages.projects import workflow
from villages.projects.models import Category, Source, Stage

QUERY = "?year=2025&start=2025-06-01&days=10"


@pytest.fixture
def projects(yuci_village, yuci_editor):
    neighbour = Village.objects.filter(township_id=yuci_village.township_id).order_by("code")[1]
    make_project(
        yuci_village,
        yuci_editor,
        name="食用菌大棚",
        category=Category.INDUSTRY,
        funds={Source.CENTRAL: "120", Source.SELF_RAISED: "30"},
        implementer="鸣谦村股份经济合作社",
        performance_targets="新建大棚20座，带动30户增收",
        start_month=date(2025, 3, 1),
        end_month=date(2025, 10, 1),
    )
    make_project(neighbour, yuci_editor, name="村内道路", funds={Source.PROVINCIAL: "80"})
    cancelled = make_project(yuci_village, yuci_editor, name="已取消的项目")
    workflow.move(cancelled, cancelled.version, yuci_editor, Stage.CANCELLED, "重复申报")
    make_project(yuci_village, yuci_editor, name="明年的项目", year=2026)
    return yuci_village, neighbour


def docx_text(content):
    document = Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables


def test_a_village_notice_lists_its_projects_with_funds_body_targets_period_and_hotline(
    projects, client_for, viewer, settings
):
    settings.PROJECT_NOTICE_HOTLINE = "0354-12317"
    village, _neighbour = projects
    response = client_for(viewer).get(f"/projects/notice/{village.code}/notice.docx{QUERY}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    paragraphs, tables = docx_text(response.content)
    assert paragraphs[0] == "乌金山镇鸣谦村2025年度百乡千村项目公示"
    assert "公示期：2025年6月1日至2025年6月10日（10天）。" in paragraphs
    assert any("监督举报电话：0354-12317" in text for text in paragraphs)
    [table] = tables
    assert table[0][:6] == ["序号", "项目名称", "项目类别", "建设地点", "建设内容及规模", "资金规模及来源（万元）"]
    assert [row[1] for row in table[1:]] == [
        "食用菌大棚"
    ]  # not the cancelled one, nor next year's, nor the neighbour's
    assert table[1][5] == "合计：150.00\n中央衔接资金：120.00\n村集体及群众自筹：30.00"
    assert table[1][6:] == ["鸣谦村股份经济合作社", "新建大棚20座，带动30户增收", "2025年3月-2025年10月"]


def test_a_township_notice_lists_the_projects_of_all_its_villages(projects, client_for, yuci_editor):
    village, _neighbour = projects
    response = client_for(yuci_editor).get(f"/projects/notice/{village.township_id}/notice.docx{QUERY}")
    paragraphs, [table] = docx_text(response.content)
    assert paragraphs[0] == "乌金山镇2025年度百乡千村项目公示"
    assert sorted(row[1] for row in table[1:]) == ["村内道路", "食用菌大棚"]
    assert any("计划总投资230.00万元" in text for text in paragraphs)
    assert any("监督举报电话：12317" in text for text in paragraphs)  # the default


def test_without_libreoffice_the_page_offers_the_docx_only_and_says_so(projects, client_for, yuci_editor, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    village, _neighbour = projects
    client = client_for(yuci_editor)
    client.cookies["django_language"] = "en"
    page = client.get(f"/projects/notice/{village.code}/{QUERY}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "notice.docx" in html and "notice.pdf" not in html
    assert "PDF is not available on this server (LibreOffice is not installed)" in html
    pdf = client.get(f"/projects/notice/{village.code}/notice.pdf{QUERY}")
    assert pdf.status_code == 302 and pdf["Location"].endswith(f"/projects/notice/{village.code}/{QUERY}")


def test_another_countys_editor_gets_404(projects, client_for, taigu_editor):
    village, _neighbour = projects
    assert client_for(taigu_editor).get(f"/projects/notice/{village.code}/notice.docx{QUERY}").status_code == 404


def test_the_village_page_links_the_notices_of_the_village_and_its_township(projects, client_for, viewer):
    village, _neighbour = projects
    html = client_for(viewer).get(f"/villages/{village.code}/").content.decode()
    assert f"/projects/notice/{village.code}/" in html and f"/projects/notice/{village.township_id}/" in html
    page = client_for(viewer).get(f"/projects/notice/{village.code}/")  # this year's, posted from today, 10 days
    assert page.status_code == 200 and page.context["notice"].days == 10


def test_the_project_list_offers_the_import_to_editors_and_the_export_of_its_filters(
    projects, client_for, viewer, yuci_editor
):
    assert "/projects/import/" in client_for(yuci_editor).get("/projects/").content.decode()
    assert "/projects/import/" not in client_for(viewer).get("/projects/").content.decode()
    export = client_for(viewer).get("/projects/export.xlsx?year=2025&category=产业发展")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert [row[6] for row in sheet.iter_rows(min_row=4, values_only=True)] == ["食用菌大棚", None]  # and the 合计 row
