"""A request body larger than REQUEST_MAX_BYTES is refused (413) from its Content-Length, before it is read."""

import socket
import time

import pytest

from tests.server_helpers import free_port, gunicorn, manage, production_env
from tests.test_production import collected_static  # noqa: F401 (fixture)
from villages.models import ProgressUpdate


def test_an_oversized_upload_is_refused_with_413_without_reading_its_body(
    client_for, yuci_editor, yuci_village, settings
):
    settings.REQUEST_MAX_BYTES = 10 * 2**20
    # The body is 9 bytes but claims 200 MB: the test client's input raises if the app reads past those 9 bytes.
    response = client_for(yuci_editor).generic(
        "POST",
        f"/villages/{yuci_village.code}/updates/new/",
        b"date=2025",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(200 * 2**20),
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "您发送的内容为 200 MB，一次最多可发送 10 MB" in page and "未保存任何内容" in page
    assert not ProgressUpdate.objects.exists()


def test_a_body_within_the_limit_is_served(client_for, yuci_editor, yuci_village, settings):
    settings.REQUEST_MAX_BYTES = 10 * 2**20
    response = client_for(yuci_editor).post(
        f"/villages/{yuci_village.code}/updates/new/", {"date": "2025-06-02", "text": "修路"}
    )
    assert response.status_code == 302 and ProgressUpdate.objects.count() == 1


def test_the_default_limit_leaves_room_for_a_full_update_of_photos(settings):
    assert settings.REQUEST_MAX_BYTES > settings.PHOTOS_PER_UPDATE * settings.PHOTO_MAX_BYTES
    assert settings.REQUEST_MAX_BYTES > settings.IMPORT_MAX_BYTES


@pytest.mark.django_db(transaction=True)
def test_gunicorn_answers_413_to_a_200_mb_body_while_its_first_megabyte_arrives(tmp_path, collected_static):  # noqa: F811
    env = production_env(STATIC_ROOT=str(collected_static), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert manage("migrate", "--noinput", env=env).returncode == 0
    with gunicorn(env, free_port(), tmp_path / "gunicorn.log") as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            started = time.monotonic()
            connection.sendall(
                b"POST /villages/140702100200/updates/new/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: multipart/form-data; boundary=x\r\n"
                + f"Content-Length: {200 * 2**20}\r\n\r\n".encode()
                + b"x" * 2**20
            )
            status_line = connection.recv(100).split(b"\r\n")[0]
            elapsed = time.monotonic() - started
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"
    assert elapsed < 1
