"""The county editor's phone (390 px): the bell with its count, the notice list, and “本月还有 N 个村未报” on the home
page with the one-click “本月无变化”, in Debian's chromium."""

from datetime import timedelta

import pytest
from django.utils import timezone

from counties.models import Profile
from tests.conftest import YUCI, make_user
from tests.reporting_helpers import designate_in
from villages.reporting.models import NoChange, Period, Reminder

pytestmark = pytest.mark.browser


@pytest.fixture
def editor_with_a_notice(registry):
    today = timezone.localdate()
    period = Period.objects.create(
        key=f"{today.year}-br",
        name="本期",
        start=today - timedelta(days=10),
        end=today + timedelta(days=3),
        deadline=today + timedelta(days=8),
    )
    villages = designate_in(YUCI, 3)
    user = make_user("yuci-phone", Profile.Role.COUNTY_EDITOR, [YUCI])
    Reminder.objects.create(period=period, user=user, kind=Reminder.Kind.DUE, missing=3)
    return user, period, villages


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_editor_sees_what_is_left_to_report_and_confirms_no_change_on_a_phone(phone, editor_with_a_notice):
    user, period, villages = editor_with_a_notice
    phone.login(user.username)
    page = phone.page
    phone.goto("/")
    assert page.locator("#still-to-report").inner_text() == "本月还有 3 个村未报"
    assert page.locator("#own-missing li").count() == 3
    fits(page)
    page.click(f'[data-no-change="{villages[0].code}"]')
    page.wait_for_load_state()
    assert "已记录" in page.locator(".messages").inner_text()
    assert page.locator("#still-to-report").inner_text() == "本月还有 2 个村未报"
    assert NoChange.objects.get().village_id == villages[0].pk
    fits(page)
    assert phone.console_errors == [] and phone.outside_requests == [] and phone.csp_violations == []


def test_the_bell_counts_unread_notices_and_the_list_reads_them_on_a_phone(phone, editor_with_a_notice):
    user, _period, _villages = editor_with_a_notice
    phone.login(user.username)
    page = phone.page
    phone.goto("/")
    bell = page.locator("#notice-bell")
    assert bell.is_visible() and bell.locator(".count").inner_text() == "1"
    box = bell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    bell.click()
    page.wait_for_load_state()
    assert page.url.endswith("/reporting/notices/")
    assert page.locator("#notice-list li.unread").count() == 1
    fits(page)
    page.click("#read-all")
    page.wait_for_load_state()
    assert page.locator("#notice-list li.unread").count() == 0
    assert page.locator("#notice-bell .count").inner_text() == "0"
    assert Reminder.objects.get().read_at is not None
    assert phone.console_errors == [] and phone.outside_requests == [] and phone.csp_violations == []
