"""Login, throttling of failed logins (django-axes, by username and IP together), sessions and password changes."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"


def attempt(username, password, ip="10.0.0.1"):
    return Client(REMOTE_ADDR=ip).post(LOGIN, {"username": username, "password": password})


def test_a_correct_password_logs_in(yuci_editor):
    response = attempt("yuci-editor", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


def test_repeated_wrong_passwords_lock_that_username_from_that_address_with_a_clear_message(yuci_editor, viewer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt("yuci-editor", "wrong").status_code == 200
    locked = attempt("yuci-editor", "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "登录失败次数过多" in page and str(settings.AXES_COOLOFF_TIME.seconds // 60) in page
    assert attempt("yuci-editor", PASSWORD).status_code == 429  # even the right password, while locked
    assert attempt("viewer", PASSWORD).status_code == 302  # another user from the same address
    assert attempt("yuci-editor", PASSWORD, ip="10.0.0.2").status_code == 302  # the same user elsewhere


def test_logout_is_a_post(yuci_editor, client_for):
    client = client_for(yuci_editor)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/villages/").status_code == 302


def test_a_session_lasts_a_working_day_of_inactivity_and_is_renewed_at_most_every_five_minutes(yuci_editor, client_for):
    assert 8 * 3600 <= settings.SESSION_COOKIE_AGE <= 10 * 3600
    assert settings.SESSION_RENEWAL_SECONDS == 300
    client = client_for(yuci_editor)
    first = client.get("/villages/")
    assert first.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    key = client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date

    with CaptureQueriesContext(connection) as queries:
        assert settings.SESSION_COOKIE_NAME not in client.get("/villages/").cookies  # a minute later: not renewed
    assert not any("django_session" in q["sql"] and q["sql"].startswith("UPDATE") for q in queries.captured_queries)
    assert Session.objects.get(session_key=key).expire_date == expiry

    session = client.session
    session["renewed_at"] -= 301  # the last renewal was five minutes and a second ago
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=expiry - timedelta(seconds=301))
    renewed = client.get("/villages/")
    assert renewed.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    assert Session.objects.get(session_key=key).expire_date > expiry - timedelta(seconds=60)


def test_a_user_can_change_their_own_password(yuci_editor, client_for):
    client = client_for(yuci_editor)
    assert client.get("/accounts/password/").status_code == 200
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "晋中-村庄-2026-新", "new_password2": "晋中-村庄-2026-新"},
    )
    assert response.status_code == 302
    assert attempt("yuci-editor", "晋中-村庄-2026-新").status_code == 302


@pytest.mark.parametrize("new_password", ["12345678", "password", "short1"])
def test_weak_passwords_are_refused_by_the_validators(yuci_editor, client_for, new_password):
    response = client_for(yuci_editor).post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 200 and response.context["form"].errors["new_password2"]
    yuci_editor.refresh_from_db()
    assert yuci_editor.check_password(PASSWORD)


def test_password_change_needs_a_login(registry):
    response = Client().get("/accounts/password/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_locked_out_user_is_refused_by_the_web_login_even_though_code_may_still_authenticate(yuci_editor):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("yuci-editor", "wrong")
    assert attempt("yuci-editor", PASSWORD).status_code == 429
    client = Client()
    assert client.login(username="yuci-editor", password=PASSWORD)  # the test client's login has no request to throttle


def test_a_city_admin_can_lift_a_lockout_in_the_administration(city_admin, yuci_editor, viewer, client_for):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("yuci-editor", "wrong")
    lock = AccessAttempt.objects.get(username="yuci-editor")
    assert client_for(viewer).get("/admin/axes/accessattempt/").status_code == 302
    admin = client_for(city_admin)
    assert admin.get("/admin/axes/accessattempt/").status_code == 200
    assert admin.post(f"/admin/axes/accessattempt/{lock.pk}/delete/", {"post": "yes"}).status_code == 302
    assert attempt("yuci-editor", PASSWORD).status_code == 302
