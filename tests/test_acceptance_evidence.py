"""Evidence files of a self-assessment: photos through the photo pipeline, PDF/DOCX/XLSX checked by their content.

Every file is made here: a JPEG with GPS data, a PDF, a DOCX written by python-docx, an XLSX written by
openpyxl, and the same packages altered to be macro-enabled or to say they are something else.
"""

import io
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.acceptance_helpers import apply, complete, make_standard
from tests.village_helpers import jpeg_bytes
from villages.acceptance.models import Application, Evidence

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def docx_bytes():
    document = docx.Document()
    document.add_paragraph("村道硬化竣工验收报告")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def xlsx_bytes():
    workbook = openpyxl.Workbook()
    workbook.active.append(["项目", "金额"])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def repackage(data, replace=None, add=None):
    """The zip package `data` with some parts replaced (name: function of the old bytes) or added."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if replace and info.filename in replace:
                content = replace[info.filename](content)
            target.writestr(info.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return output.getvalue()


def macro_enabled(data, main, macro):
    return repackage(data, replace={"[Content_Types].xml": lambda xml: xml.replace(main, macro)})


WORD_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


@pytest.fixture
def standard(registry):
    return make_standard()


@pytest.fixture
def village(yuci_village, standard):
    return complete(yuci_village)


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_photos_and_documents_are_stored_with_their_names_and_kinds(
    client_for, yuci_editor, village, standard, media_root
):
    files = {
        "1": [upload("道路.jpg", jpeg_bytes(gps=True)), upload("竣工报告.pdf", PDF)],
        "3": [upload("方案.docx", docx_bytes()), upload("台账.xlsx", xlsx_bytes())],
    }
    response = apply(client_for(yuci_editor), village, standard, {"1": "30"}, files=files)
    assert response.status_code == 302
    stored = {e.name: (e.kind, e.self_score.item.number) for e in Evidence.objects.select_related("self_score__item")}
    assert stored == {
        "道路.jpg": ("photo", "1"),
        "竣工报告.pdf": ("pdf", "1"),
        "方案.docx": ("docx", "3"),
        "台账.xlsx": ("xlsx", "3"),
    }
    photo = Evidence.objects.get(kind="photo")
    with Image.open(photo.file.path) as image:
        assert image.format == "JPEG" and not image.getexif()  # re-encoded without GPS or camera data
    assert Evidence.objects.get(kind="pdf").file.read() == PDF


def test_evidence_of_a_draft_can_be_removed_with_its_file(
    client_for, yuci_editor, village, standard, media_root, django_capture_on_commit_callbacks
):
    client = client_for(yuci_editor)
    apply(client, village, standard, {}, files={"1": [upload("报告.pdf", PDF)]})
    evidence = Evidence.objects.get()
    path = evidence.file.path
    data = {f"remove_{evidence.pk}": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/villages/{village.code}/acceptance/apply/",
            {"version": Application.objects.get().version, "action": "save", **data},
        )
    assert response.status_code == 302 and not Evidence.objects.exists()
    assert not Path(path).exists()


@pytest.mark.parametrize(
    "name,content,reason",
    [
        ("照片.pdf", jpeg_bytes(), "照片.pdf is not a PDF file"),
        ("报告.docx", xlsx_bytes(), "报告.docx is not a DOCX file"),
        ("台账.xlsx", docx_bytes(), "台账.xlsx is not a XLSX file"),
        ("报告.docx", PDF, "报告.docx is not a DOCX file"),
        ("扫描.jpg", PDF, "扫描.jpg is not a JPEG, PNG or WebP image"),
        (
            "宏.docx",
            macro_enabled(docx_bytes(), WORD_MAIN, b"application/vnd.ms-word.document.macroEnabled.main+xml"),
            "宏.docx contains macros",
        ),
        (
            "宏.xlsx",
            macro_enabled(xlsx_bytes(), EXCEL_MAIN, b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
            "宏.xlsx contains macros",
        ),
        (
            "宏2.docx",
            repackage(docx_bytes(), add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
            "宏2.docx contains macros",
        ),
        ("宏.docm", docx_bytes(), "宏.docm: only photos"),
        ("旧版.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版.doc: only photos"),
        ("程序.exe", b"MZ\x90\x00", "程序.exe: only photos"),
        ("坏.xlsx", b"PK\x03\x04" + b"\x00" * 100, "坏.xlsx is not a XLSX file"),
    ],
    ids=[
        "jpeg-as-pdf",
        "xlsx-as-docx",
        "docx-as-xlsx",
        "pdf-as-docx",
        "pdf-as-jpg",
        "docm-content-type",
        "xlsm-content-type",
        "vba-project-part",
        "docm-name",
        "old-doc",
        "exe",
        "broken-zip",
    ],
)
def test_an_evidence_file_that_is_not_what_its_name_says_is_refused_by_name_and_nothing_is_saved(
    client_for, yuci_editor, village, standard, media_root, name, content, reason
):
    client = client_for(yuci_editor)
    client.cookies["django_language"] = "en"
    files = {"2": [upload("好.pdf", PDF), upload(name, content)]}
    response = apply(client, village, standard, {"1": "30"}, files=files)
    assert response.status_code == 200
    errors = response.context["form"].errors[f"files_{standard.items.get(number='2').pk}"]
    assert any(error.startswith("Item 2: " + reason) for error in errors), errors
    assert not Application.objects.exists() and not Evidence.objects.exists()
    assert not (media_root / "evidence").exists() or not any((media_root / "evidence").iterdir())


def test_a_document_above_the_size_limit_is_refused(client_for, yuci_editor, village, standard, media_root, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    client = client_for(yuci_editor)
    client.cookies["django_language"] = "en"
    big = PDF + b"0" * (1024 * 1024)
    response = apply(client, village, standard, {}, files={"1": [upload("大.pdf", big)]})
    errors = response.context["form"].errors[f"files_{standard.items.get(number='1').pk}"]
    assert errors == ["Item 1: 大.pdf is 1.0 MB; a document may be at most 1 MB."]
    assert not Application.objects.exists()


def test_evidence_files_are_served_only_to_who_may_see_the_village(
    client_for, yuci_editor, taigu_editor, viewer, village, standard, media_root
):
    apply(client_for(yuci_editor), village, standard, {}, files={"1": [upload("报告.pdf", PDF)]})
    url = f"/evidence/{Evidence.objects.get().pk}/"
    response = client_for(viewer).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(taigu_editor).get(url).status_code == 404
