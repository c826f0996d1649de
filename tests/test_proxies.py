"""Proxies (issue 21, item 5): X-Forwarded-For and X-Forwarded-Proto are believed only from a connection whose
address is in TRUSTED_PROXIES. An app server reached directly, with a forged header on every attempt, still has its
failed logins counted against the address it really comes from."""

import ipaddress

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.conftest import PASSWORD
from tests.server_helpers import manage, production_env

LOGIN = "/accounts/login/"
PROXY = "127.0.0.1"
DIRECT = "192.0.2.50"  # a client reaching the app server itself, not through the proxy


@pytest.fixture
def behind_a_proxy(settings):
    settings.TRUSTED_PROXIES = (ipaddress.ip_network(PROXY),)
    settings.BEHIND_PROXY = True  # what the settings said before TRUSTED_PROXIES: it must not widen the trust
    settings.AXES_FAILURE_LIMIT = 5


def log_in(remote_addr, forwarded_for, password="guess"):
    client = Client(REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded_for)
    return client.post(LOGIN, {"username": "city-admin", "password": password})


def test_a_forged_forwarded_for_from_an_untrusted_address_is_ignored(behind_a_proxy, city_admin):
    for number in range(5):
        log_in(DIRECT, f"203.0.113.{number}")  # a new forged address each time
    assert log_in(DIRECT, "203.0.113.99", PASSWORD).status_code == 429  # locked: the real address is counted
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {DIRECT}
    assert log_in(PROXY, "198.51.100.7", PASSWORD).status_code == 302  # a user behind the proxy is not locked


def test_the_forwarded_for_of_a_trusted_proxy_is_honoured(behind_a_proxy, city_admin):
    for _ in range(5):
        log_in(PROXY, "203.0.113.5")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    assert log_in(PROXY, "203.0.113.5", PASSWORD).status_code == 429
    assert log_in(PROXY, "198.51.100.7", PASSWORD).status_code == 302


def test_a_trusted_proxy_may_be_given_as_a_network(settings, city_admin):
    settings.TRUSTED_PROXIES = (ipaddress.ip_network("10.0.0.0/24"),)
    log_in("10.0.0.17", "203.0.113.5")
    log_in("10.0.1.17", "203.0.113.6")  # outside the network: its own address
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5", "10.0.1.17"}


def test_https_is_believed_from_a_trusted_proxy_only(behind_a_proxy, settings, registry):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    forged = Client(REMOTE_ADDR=DIRECT, HTTP_X_FORWARDED_PROTO="https").get(LOGIN)
    assert forged.status_code == 301 and forged["Location"].startswith("https://")
    assert Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https").get(LOGIN).status_code == 200


def test_the_settings_refuse_a_wrong_address_and_the_replaced_settings():
    bad = manage("check", env=production_env(TRUSTED_PROXIES="127.0.0.1, 10.0.0.1/8"))
    assert bad.returncode != 0 and "TRUSTED_PROXIES: '10.0.0.1/8' is not an IP address or network" in bad.stderr
    old = manage("check", env=production_env(BEHIND_PROXY="1"))
    assert old.returncode != 0 and "BEHIND_PROXY is no longer read: set TRUSTED_PROXIES" in old.stderr
