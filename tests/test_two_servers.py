"""Two app servers behind one PostgreSQL, one Redis and one media folder are one app: a session, an edit conflict,
a photo and a login lockout made through one are seen through the other."""

import os
import re
import secrets
import subprocess

import httpx
import pytest

from tests.constants import PASSWORD
from tests.server_helpers import free_port, gunicorn, manage, production_env
from tests.village_helpers import jpeg_bytes

POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/15"


def reachable(command):
    try:
        return subprocess.run(command, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="module")
def shared_services(tmp_path_factory):
    """A new PostgreSQL database with the registry and two users, an empty Redis database, a media folder."""
    if not reachable(["pg_isready", "-h", "127.0.0.1", "-p", "5432"]) or not reachable(
        ["redis-cli", "-n", "15", "ping"]
    ):
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL and Redis must run for this test in CI (.ci/run starts them)")
        pytest.skip("needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379")
    name = f"villages_two_servers_{secrets.token_hex(4)}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    subprocess.run(["redis-cli", "-n", "15", "flushdb"], check=True, capture_output=True)
    folder = tmp_path_factory.mktemp("two-servers")
    env = production_env(
        DATABASE_URL=f"{POSTGRES}/{name}",
        REDIS_URL=REDIS,
        MEDIA_ROOT=str(folder / "media"),
        STATIC_ROOT=str(folder / "static"),
    )
    try:
        for command in (["migrate"], ["load_registry"], ["collectstatic", "--noinput"]):
            result = manage(*command, env=env)
            assert result.returncode == 0, result.stderr
        script = (
            "from tests.conftest import make_user; from counties.models import Profile; "
            "make_user('yuci-editor', Profile.Role.COUNTY_EDITOR, ['140702']); make_user('viewer', Profile.Role.VIEWER, city='1407')"
        )
        result = manage("shell", "-c", script, env=env)
        assert result.returncode == 0, result.stderr
        yield env, folder
    finally:
        subprocess.run(["redis-cli", "-n", "15", "flushdb"], capture_output=True)
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name], check=True)


@pytest.fixture(scope="module")
def servers(shared_services):
    env, folder = shared_services
    with (
        gunicorn(env, free_port(), folder / "a.log", workers=1) as one,
        gunicorn(env, free_port(), folder / "b.log", workers=1) as other,
    ):
        yield one.base_url, other.base_url


def form_fields(html, form_id):
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S).group(0)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[name] = body.strip()
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        fields[name] = selected.group(1) if selected else ""
    return fields


def log_in(base_url, username, password=PASSWORD):
    client = httpx.Client(base_url=base_url)
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/accounts/login/", data={"username": username, "password": password, "csrfmiddlewaretoken": token}
    )
    return client, response


def on(base_url, cookies):
    return httpx.Client(base_url=base_url, cookies=cookies)


def test_a_session_opened_on_one_server_is_valid_on_the_other(servers):
    one, other = servers
    client, response = log_in(one, "viewer")
    assert response.status_code == 302
    assert on(other, client.cookies).get("/villages/").status_code == 200
    # The session is read through the one cache both servers share.
    keys = subprocess.run(
        ["redis-cli", "-n", "15", "--scan", "--pattern", "villages:*"], capture_output=True, text=True
    )
    assert any("session" in key for key in keys.stdout.split())


def test_an_edit_saved_through_one_server_makes_a_form_opened_on_the_other_stale(servers):
    one, other = servers
    client, _ = log_in(one, "yuci-editor")
    code = "140702100200"
    first = form_fields(client.get(f"/villages/{code}/edit/").text, "village-form")
    second_client = on(other, client.cookies)
    second = form_fields(second_client.get(f"/villages/{code}/edit/").text, "village-form")
    assert first["version"] == second["version"]
    saved = second_client.post(f"/villages/{code}/edit/", data={**second, "contact_name": "王五"})
    assert saved.status_code == 302
    refused = client.post(f"/villages/{code}/edit/", data={**first, "contact_name": "李四"})
    assert refused.status_code == 409
    assert "王五" in on(one, client.cookies).get(f"/villages/{code}/").text


def test_a_photo_uploaded_through_one_server_is_served_by_the_other(servers):
    one, other = servers
    client, _ = log_in(one, "yuci-editor")
    code = "140702100201"
    fields = form_fields(client.get(f"/villages/{code}/updates/new/").text, "update-form")
    photo = jpeg_bytes((80, 60))
    response = client.post(
        f"/villages/{code}/updates/new/",
        data={**fields, "date": "2025-06-02", "text": "完成污水管网", "progress": ""},
        files={"photos": ("site.jpg", photo, "image/jpeg")},
    )
    assert response.status_code == 302
    page = on(other, client.cookies).get(f"/villages/{code}/").text
    photo_url = re.search(r'src="(/photos/\d+/)"', page).group(1)
    served = on(other, client.cookies).get(photo_url)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"


def test_a_lockout_made_through_one_server_holds_on_the_other(servers):
    one, other = servers
    for _ in range(5):
        _client, response = log_in(one, "viewer", password="wrong")
    assert response.status_code == 429
    _client, response = log_in(other, "viewer")
    assert response.status_code == 429
    assert httpx.get(other + "/healthz").text == "ok"
