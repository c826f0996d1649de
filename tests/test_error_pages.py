"""Error pages: in the site's layout and the user's language, saying why and offering a way back, with DEBUG on
(the demo) as with DEBUG off."""

import pytest
from django.test import Client
from django.utils import translation

from config import errors
from tests.conftest import TAIGU
from villages.models import Village

LAYOUT = 'class="site-header"'
DEBUG_PAGES = ("Using the URLconf", "Django tried these URL patterns", "Traceback", "technical_404")


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def assert_error_page(response, status, *texts):
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert LAYOUT in html and f'data-status="{status}"' in html
    for text in texts:
        assert text in html
    for text in DEBUG_PAGES:
        assert text not in html


def test_an_unknown_address_says_the_page_does_not_exist_with_links_back(debug, client_for, viewer):
    response = client_for(viewer).get("/no-such-page/", HTTP_REFERER="http://testserver/villages/")
    assert_error_page(response, 404, "页面不存在", 'href="http://testserver/villages/"', "返回上一页", "前往总览")


def test_a_link_from_another_site_is_not_offered_as_the_way_back(client_for, viewer):
    response = client_for(viewer).get("/no-such-page/", HTTP_REFERER="https://evil.example/")
    assert_error_page(response, 404, "前往总览")
    assert "evil.example" not in response.content.decode()


def test_an_anonymous_visitor_is_offered_the_login(debug, client, db):
    assert_error_page(client.get("/no-such-page/"), 404, "页面不存在", 'href="/accounts/login/"')


def test_a_missing_final_slash_still_redirects(debug, client_for, viewer):
    response = client_for(viewer).get("/villages")
    assert response.status_code == 301 and response["Location"] == "/villages/"


def test_another_countys_village_says_it_is_another_countys(debug, client_for, yuci_editor, taigu_village):
    response = client_for(yuci_editor).get(f"/villages/{taigu_village.code}/")
    assert_error_page(response, 404, "这是另一个县的村庄")


def test_an_unknown_village_code_says_there_is_none(debug, client_for, viewer, registry):
    assert_error_page(client_for(viewer).get("/villages/149999999999/"), 404, "没有代码为 149999999999 的村庄")


def test_a_viewer_changing_a_village_is_told_the_account_is_read_only(debug, client_for, viewer, yuci_village):
    response = client_for(viewer).get(f"/villages/{yuci_village.code}/edit/")
    assert_error_page(response, 403, "只读账号不能修改", "无权操作")


def test_an_editor_of_a_paired_county_is_told_they_may_only_look(client_for, yuci_editor, taigu_village):
    from counties.models import Pairing

    Pairing.objects.create(kind=Pairing.Kind.NEIGHBOURS, county_a_id=TAIGU, county_b_id="140702", start_year=2020)
    assert client_for(yuci_editor).get(f"/villages/{taigu_village.code}/").status_code == 200
    response = client_for(yuci_editor).get(f"/villages/{taigu_village.code}/edit/")
    assert_error_page(response, 403, "这是与您所在县结对的县的村庄：您可以查看其记录")


def test_a_county_editor_accepting_is_told_only_the_city_does(client_for, yuci_editor, yuci_village):
    response = client_for(yuci_editor).post(f"/villages/{yuci_village.code}/accept/", {"version": 1})
    assert_error_page(response, 403, "只有市级管理员能验收、退回、撤并或恢复村庄")


def test_a_post_only_address_opened_as_a_link_gets_405_in_the_layout(debug, client_for, city_admin, yuci_village):
    for path in (f"/villages/{yuci_village.code}/accept/", "/accounts/logout/"):
        response = client_for(city_admin).get(path)
        assert_error_page(response, 405, "不能这样打开此页面", "只响应表单按钮")
        assert "POST" in response["Allow"]


def test_a_request_too_big_to_read_gets_400_in_the_layout(debug, client_for, yuci_editor, yuci_village, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = {f"field{number}": "x" for number in range(20)}
    response = client_for(yuci_editor).post(f"/villages/{yuci_village.code}/edit/", data)
    assert_error_page(response, 400, "请求有误", "无法读取此请求")
    assert Village.objects.get(pk=yuci_village.pk).version == yuci_village.version


def test_a_form_sent_without_its_csrf_token_explains_what_to_do(registry):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert_error_page(response, 403, "表单提交时未通过安全校验", "刷新页面后重新提交")


def test_error_pages_speak_english_when_chosen(client_for, viewer, yuci_village):
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    response = client.get(f"/villages/{yuci_village.code}/edit/")
    assert_error_page(response, 403, "A read-only account cannot make changes.", "Not allowed")


def test_the_server_error_page_stands_alone_without_asking_the_database(db, rf, django_assert_num_queries):
    with django_assert_num_queries(0), translation.override("zh-hans"):  # as LocaleMiddleware sets it
        response = errors.server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert LAYOUT in html and "服务器错误" in html and 'href="/"' in html
