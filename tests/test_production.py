"""Production mode: settings from the environment, `check --deploy`, gunicorn + whitenoise, /healthz, no public media."""

import json
import re

import httpx
import pytest
from django.core.management import call_command
from django.test import Client

from tests.server_helpers import free_port, gunicorn, manage, production_env

HTTPS_ENV = {
    "HTTPS": "1",
    "ALLOWED_HOSTS": "villages.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://villages.example.gov.cn",
}


def test_check_deploy_passes_with_no_warnings_under_production_https_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(**HTTPS_ENV))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output.upper()


def test_check_deploy_warns_when_https_is_not_declared():
    result = manage("check", "--deploy", env=production_env())
    output = result.stdout + result.stderr
    for check in ("security.W008", "security.W004", "security.W012", "security.W016"):
        assert check in output


def settings_line(stdout):
    # Apps may log to stdout when they start; keep only the printed line.
    return next(line for line in stdout.splitlines() if line.startswith("SETTINGS ")).split()[1:]


def test_https_turns_on_secure_cookies_redirect_and_hsts():
    code = (
        "from django.conf import settings as s; print('SETTINGS', s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.STORAGES['staticfiles']['BACKEND'])"
    )
    on = manage("shell", "-v", "0", "-c", code, env=production_env(**HTTPS_ENV, TRUSTED_PROXIES="127.0.0.1"))
    assert settings_line(on.stdout) == [
        "True",
        "True",
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "config.storage.StaticFilesStorage",
    ], on.stderr
    off = manage("shell", "-v", "0", "-c", code, env=production_env())
    assert settings_line(off.stdout)[:5] == ["False", "False", "False", "0", "None"], off.stderr


def test_collectstatic_accepts_libraries_that_reference_source_maps_they_do_not_ship(settings, tmp_path):
    source = tmp_path / "vendor"
    source.mkdir()
    (source / "lib.min.js").write_text("var lib = 1;\n" * 200 + "//# sourceMappingURL=lib.min.js.map\n")
    (source / "lib.css").write_text('.icon { background: url("icon.png"); }\n/*# sourceMappingURL=lib.css.map */\n')
    (source / "icon.png").write_bytes(b"png")
    settings.STATICFILES_DIRS = [("vendor", source)]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"}}
    call_command("collectstatic", "--noinput", verbosity=0)
    manifest = json.loads((settings.STATIC_ROOT / "staticfiles.json").read_text())["paths"]
    css = (settings.STATIC_ROOT / manifest["vendor/lib.css"]).read_text()
    assert (
        manifest["vendor/icon.png"].removeprefix("vendor/") in css
    )  # other references are still rewritten to hashed names
    assert (settings.STATIC_ROOT / (manifest["vendor/lib.min.js"] + ".gz")).exists()


def test_healthz_answers_ok_without_login_when_the_database_answers(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.fixture
def collected_static(tmp_path):
    static_root = tmp_path / "static"
    result = manage("collectstatic", "--noinput", env=production_env(STATIC_ROOT=str(static_root)))
    assert result.returncode == 0, result.stderr
    return static_root


def test_gunicorn_serves_hashed_compressed_static_files_and_logs_to_stdout(tmp_path, collected_static):
    media = tmp_path / "media"
    (media / "photos").mkdir(parents=True)
    (media / "photos" / "secret.jpg").write_bytes(b"not for the public")
    env = production_env(
        STATIC_ROOT=str(collected_static), MEDIA_ROOT=str(media), DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    )
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, free_port(), log) as server:
        assert httpx.get(server.base_url + "/healthz").text == "ok"
        login = httpx.get(server.base_url + "/accounts/login/")
        assert login.status_code == 200
        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', login.text).group(1)
        css = httpx.get(server.base_url + stylesheet, headers={"Accept-Encoding": "gzip"})
        assert css.status_code == 200
        assert css.headers["content-encoding"] == "gzip"
        assert "immutable" in css.headers["cache-control"]
        assert css.text == (collected_static / stylesheet.removeprefix("/static/")).read_text()
        for path in ("/media/photos/secret.jpg", "/photos/secret.jpg", "/static/../media/photos/secret.jpg"):
            response = httpx.get(server.base_url + path)
            assert b"not for the public" not in response.content
    stdout = log.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in stdout  # gunicorn's access log
    assert "WARNING django.request Not Found: /media/photos/secret.jpg" in stdout  # the app's log
    assert "Booting worker" in (tmp_path / "gunicorn.log.stderr").read_text()


def test_healthz_answers_503_when_the_database_does_not(tmp_path, collected_static):
    # Nothing listens on port 1: the server starts, but its database never answers.
    env = production_env(STATIC_ROOT=str(collected_static), DATABASE_URL="postgres://postgres@127.0.0.1:1/villages")
    with gunicorn(env, free_port(), tmp_path / "gunicorn.log") as server:
        response = httpx.get(server.base_url + "/healthz")
        assert response.status_code == 503
        assert response.text == "database unavailable"
        with httpx.Client(base_url=server.base_url) as browser:
            login = browser.get("/accounts/login/")
            assert login.status_code == 200
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
            failed = browser.post(
                "/accounts/login/", data={"username": "someone", "password": "x", "csrfmiddlewaretoken": token}
            )
        assert failed.status_code == 500
        assert "服务器错误" in failed.text  # the app's own error page, in Chinese, not a stack trace
