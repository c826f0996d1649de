"""/api/* answers every error as JSON (401, 404, 503), never an HTML page, also when the database is down."""

import httpx
from django.test import Client

from tests.server_helpers import free_port, gunicorn, production_env
from tests.test_production import collected_static  # noqa: F401 (fixture)


def test_anonymous_api_requests_get_a_json_401(registry):
    response = Client().get("/api/villages.geojson")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "请先登录再使用此接口。"}


def test_an_unknown_api_address_gets_a_json_404(client_for, viewer):
    response = client_for(viewer).get("/api/nothing-here.geojson")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json() == {"error": "未找到。"}
    assert response["X-Content-Type-Options"] == "nosniff"  # the headers of the page it replaces are kept
    assert "Content-Security-Policy" in response


def test_pages_outside_the_api_keep_their_html_404(client_for, viewer):
    response = client_for(viewer).get("/nothing-here/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_with_the_database_down_the_api_answers_json_503_not_an_html_500(tmp_path, collected_static):  # noqa: F811
    # Nothing listens on port 1: the server starts, but its database never answers.
    env = production_env(STATIC_ROOT=str(collected_static), DATABASE_URL="postgres://postgres@127.0.0.1:1/villages")
    with gunicorn(env, free_port(), tmp_path / "gunicorn.log") as server:
        # A session cookie makes the app look the user up in the database.
        response = httpx.get(server.base_url + "/api/villages.geojson", cookies={"sessionid": "x" * 32})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": "数据库暂时不可用，请稍后再试。"}
