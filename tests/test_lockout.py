"""Lockout behind the proxy: the client's own address comes from X-Forwarded-For as the trusted proxy set it; a lock
is per username and client address, with a separate limit per address; the lock page says what and how long.
(A forged X-Forwarded-For from an address that is not a trusted proxy: tests/test_proxies.py.)"""

import ipaddress

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
PROXY = "127.0.0.1"


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXIES = (ipaddress.ip_network(PROXY),)
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 12


def through_proxy(forwarded_for):
    """A client whose requests reach the app through the proxy, which appended the address it saw."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def log_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_two_clients_behind_one_proxy_one_locked_the_other_logs_in(behind_one_proxy, city_admin):
    attacker, admin = through_proxy("203.0.113.5"), through_proxy("198.51.100.7")
    for _ in range(5):
        log_in(attacker, "city-admin", "guess")
    locked = log_in(attacker, "city-admin", PASSWORD)
    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    response = log_in(admin, "city-admin", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


def test_addresses_the_client_wrote_left_of_the_proxys_entry_are_not_trusted(behind_one_proxy, city_admin):
    for forged in ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]:
        log_in(through_proxy(f"{forged}, 203.0.113.5"), "city-admin", "guess")
    assert log_in(through_proxy("10.0.0.6, 203.0.113.5"), "city-admin", PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_with_two_proxies_the_client_is_the_first_untrusted_address_from_the_right(
    behind_one_proxy, settings, city_admin
):
    settings.TRUSTED_PROXIES = (ipaddress.ip_network(PROXY), ipaddress.ip_network("192.0.2.0/24"))
    for _ in range(5):
        log_in(through_proxy("10.0.0.1, 203.0.113.5, 192.0.2.10"), "city-admin", "guess")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"
    assert log_in(through_proxy("198.51.100.7, 192.0.2.10"), "city-admin", PASSWORD).status_code == 302


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings, city_admin):
    settings.TRUSTED_PROXIES = ()
    log_in(Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.5"), "city-admin", "guess")
    assert AccessAttempt.objects.get().ip_address == "192.0.2.1"


def test_an_address_failing_for_many_usernames_is_paused_for_every_username(behind_one_proxy, city_admin, viewer):
    sprayer = through_proxy("203.0.113.5")
    for number in range(12):
        assert log_in(sprayer, f"user{number}", "guess").status_code == 200  # 12 usernames, 1 failure each
    paused = log_in(sprayer, "viewer", PASSWORD)
    assert paused.status_code == 429
    page = paused.content.decode()
    assert "您的地址 203.0.113.5 登录失败 12 次" in page and "所有用户名" in page
    assert log_in(through_proxy("198.51.100.7"), "viewer", PASSWORD).status_code == 302


def test_the_lock_page_says_which_username_from_which_address_and_how_many_minutes_are_left(
    behind_one_proxy, settings, city_admin
):
    attacker = through_proxy("203.0.113.5")
    for _ in range(5):
        log_in(attacker, "city-admin", "guess")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=6, seconds=30))
    page = log_in(attacker, "city-admin", "guess").content.decode()
    assert "用户名“city-admin”在您的地址 203.0.113.5 上已被锁定" in page
    assert "15 分钟后再试" in page  # the failure during the lock starts the 15 minutes again

    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=6, seconds=30))
    page = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5", HTTP_ACCEPT_LANGUAGE="en")
    settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
    english = log_in(page, "city-admin", PASSWORD).content.decode()
    assert "The username “city-admin” is locked for logins from your address 203.0.113.5" in english
    assert "Try again in 9 minutes" in english  # 15 minutes after the last failure, 6.5 minutes ago
