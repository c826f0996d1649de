import pytest

pytestmark = pytest.mark.browser


def test_login_and_home_page_load_with_nothing_from_outside_and_no_js_errors(browser_page, viewer):
    browser_page.login("viewer")
    assert browser_page.page.locator("#registry h2").inner_text() == "按县统计村庄"  # below the dashboard
    assert browser_page.page.locator("#registry-table tbody tr").count() == 11
    assert browser_page.outside_requests == []
    assert browser_page.console_errors == []
