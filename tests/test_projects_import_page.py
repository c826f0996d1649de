"""The 项目库 import page: city administrators and county editors upload a pool, see every row (or every problem)
before anything is written, and confirm; the confirmation checks the file again; viewers are refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.pool_helpers import pool_xlsx
from villages.projects.models import Project

PAGE = "/projects/import/"


@pytest.fixture
def previews(settings, tmp_path):
    settings.IMPORT_PREVIEW_DIR = tmp_path / "previews"


def upload(client, content, name="pool.xlsx", year=2025):
    return client.post(PAGE, {"file": SimpleUploadedFile(name, content), "year": year, "encoding": ""})


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_an_editor_previews_then_confirms_and_the_pool_is_written_once(client_for, yuci_editor, previews):
    client = english(client_for(yuci_editor))
    preview = upload(client, pool_xlsx())
    html = preview.content.decode()
    assert preview.status_code == 200 and "pool.xlsx: 2 new · 0 changed · 0 unchanged" in html
    assert "鸣谦村食用菌大棚" in html and "中央衔接资金 200.00" in html
    assert not Project.objects.exists()
    token = preview.context["confirm_form"].initial["token"]
    done = client.post("/projects/import/confirm/", {"token": token}, follow=True)
    assert "Imported pool.xlsx: 2 projects created, 0 updated, 0 unchanged." in done.content.decode()
    assert Project.objects.count() == 2
    again = client.post("/projects/import/confirm/", {"token": token}, follow=True)  # the preview is used up
    assert "This preview has expired or does not exist" in again.content.decode() and Project.objects.count() == 2


def test_another_countys_editor_sees_the_problems_and_no_confirm_button(client_for, taigu_editor, previews):
    preview = upload(english(client_for(taigu_editor)), pool_xlsx())
    html = preview.content.decode()
    assert "The file cannot be imported" in html and "confirm_form" not in preview.context
    assert "鸣谦村委会 is in 榆次区: you may not change that county&#x27;s projects" in html


def test_a_viewer_is_refused(client_for, viewer):
    assert client_for(viewer).get(PAGE).status_code == 403
