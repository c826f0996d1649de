"""The acceptance record (验收表): a DOCX per round, opened here with python-docx and read back."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.acceptance_helpers import FULL, apply, complete, make_standard, rectified, review
from tests.test_acceptance_evidence import PDF
from tests.village_helpers import jpeg_bytes


@pytest.fixture
def reviewed(client_for, yuci_editor, city_admin, yuci_village, media_root):
    """Round 1 returned (87 points), round 2 accepted (95.5 points), with a photo and a PDF in round 1."""
    standard = make_standard()
    village = complete(yuci_village)
    county, city = client_for(yuci_editor), client_for(city_admin)
    files = {"1": [SimpleUploadedFile("村道.jpg", jpeg_bytes(size=(800, 600))), SimpleUploadedFile("验收.pdf", PDF)]}
    apply(county, village, standard, {"1": "28", "2": "20", "3": "24.5", "4": "25"}, texts={"1": "已硬化"}, files=files)
    apply(
        county,
        village,
        standard,
        {"1": "28", "2": "20", "3": "24.5", "4": "25"},
        texts={"1": "已硬化"},
        action="finish",
    )
    review(
        city,
        village,
        standard,
        {"1": "25", "2": "20", "3": "20", "4": "22"},
        texts={"3": "垃圾未分类"},
        comment="整改后再报",
    )
    apply(county, rectified(county, village), standard, FULL, action="finish")
    review(city, village, standard, {"1": "28", "2": "20", "3": "23.5", "4": "24"})
    return village


def record_of(client, village, number):
    response = client.get(f"/villages/{village.code}/acceptance/{number}/record.docx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return docx.Document(io.BytesIO(response.content))


def facts(table):
    return {row.cells[0].text: row.cells[1].text for row in table.rows}


def test_the_record_of_a_returned_round_reads_back_with_every_value(client_for, viewer, reviewed):
    document = record_of(client_for(viewer), reviewed, 1)
    header, items, result, evidence = document.tables
    head = facts(header)
    assert head["村庄"] == f"{reviewed.name} ({reviewed.code})"
    assert head["县（市、区）"] == "榆次区" and head["村庄类别"] == "提档升级村" and head["年度"] == "2025"
    assert head["验收标准"] == "2025年评分细则，第 1 版" and head["轮次"] == "1"
    rows = [[cell.text for cell in row.cells] for row in items.rows]
    assert rows[0] == ["考核内容", "序号", "考核要点", "分值", "自评分", "县级说明", "复核得分", "复核意见"]
    assert rows[1] == ["基础设施", "1", "道路硬化", "30", "28", "已硬化", "25", ""]
    assert rows[2] == ["基础设施", "2", "安全饮水（一票否决）", "20", "20", "", "20", ""]
    assert rows[3] == ["人居环境", "3", "垃圾治理", "25", "24.5", "", "20", "垃圾未分类"]
    assert rows[4] == ["人居环境", "4", "厕所改造", "25", "25", "", "22", ""]
    summary = facts(result)
    assert summary["标准总分"] == "100" and summary["自评总分"] == "97.5" and summary["复核总分"] == "87"
    assert summary["合格分"] == "90" and summary["结果"] == "退回" and summary["总体意见"] == "整改后再报"
    assert summary["未达标的一票否决项"] == "无" and summary["复核人"] == "city-admin"
    assert [[cell.text for cell in row.cells] for row in evidence.rows][1:] == [
        ["1", "村道.jpg", "照片"],
        ["1", "验收.pdf", "PDF"],
    ]
    assert len(document.inline_shapes) == 1  # the photo's thumbnail


def test_the_record_of_the_accepted_round(client_for, yuci_editor, reviewed):
    document = record_of(client_for(yuci_editor), reviewed, 2)
    summary = facts(document.tables[2])
    assert summary["复核总分"] == "95.5" and summary["结果"] == "验收通过"
    assert "没有佐证资料。" in [paragraph.text for paragraph in document.paragraphs]


def test_the_record_is_linked_from_the_village_page_and_refused_to_another_county(
    client_for, yuci_editor, taigu_editor, reviewed
):
    page = client_for(yuci_editor).get(f"/villages/{reviewed.code}/").content.decode()
    assert f"/villages/{reviewed.code}/acceptance/1/record.docx" in page
    assert f"/villages/{reviewed.code}/acceptance/2/record.docx" in page
    assert client_for(taigu_editor).get(f"/villages/{reviewed.code}/acceptance/1/record.docx").status_code == 404
