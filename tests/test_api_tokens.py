"""API tokens: made on the account page or by `create_api_token`, shown once, stored as a keyed digest, sent as
`Authorization: Token …` or `Bearer …`, refused with a JSON reason (and no session) when revoked, expired or
malformed, read-only unless an administrator gave write access, throttled like logins, and overseen by city
administrators."""

import json
import logging
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from api.tokens import PREFIX, digest_of
from tests.api_helpers import token_client, token_for
from tests.conftest import TAIGU, YUCI
from villages.models import ProgressUpdate, Village

GEOJSON = "/api/villages.geojson"


def features(response):
    return json.loads(b"".join(response.streaming_content))["features"]


def refused(client, words, path=GEOJSON):
    """A 401 with a JSON reason, and no session or cookie made."""
    sessions = Session.objects.count()
    response = client.get(path)
    assert response.status_code == 401, response.content
    assert response["Content-Type"].startswith("application/json")
    assert "Token" in response["WWW-Authenticate"]
    assert words in response.json()["error"]
    assert not response.cookies
    assert Session.objects.count() == sessions


def test_a_token_made_on_the_account_page_is_shown_once_and_stored_only_as_a_digest(client_for, yuci_editor):
    client = client_for(yuci_editor)
    response = client.post("/accounts/tokens/", {"name": "QGIS 办公室", "expires_in": 90})
    assert response.status_code == 201
    token = response.context["created"]["token"]
    assert token.startswith(PREFIX) and token in response.content.decode()
    record = ApiToken.objects.get()
    assert (record.user, record.name, record.can_write) == (yuci_editor, "QGIS 办公室", False)
    assert abs(record.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    stored = " ".join(str(value) for value in ApiToken.objects.values().get().values())
    assert token not in stored and token[len(PREFIX) :] not in stored
    assert record.digest == digest_of(token) and record.prefix == token[: len(PREFIX) + 6]
    listed = client.get("/accounts/tokens/").content.decode()
    assert "QGIS 办公室" in listed and record.prefix in listed and token not in listed


def test_a_second_token_with_the_same_name_is_refused(client_for, yuci_editor):
    client = client_for(yuci_editor)
    client.post("/accounts/tokens/", {"name": "QGIS", "expires_in": 0})
    response = client.post("/accounts/tokens/", {"name": "QGIS", "expires_in": 0})
    assert response.status_code == 200 and "name" in response.context["form"].errors
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "token"])
def test_a_token_sees_what_its_user_sees_and_no_more(yuci_editor, yuci_village, taigu_village, scheme):
    for village in (yuci_village, taigu_village):
        village.lat, village.lon, village.location_source = 37.6, 112.7, "surveyed"
        village.save()
    response = token_client(token_for(yuci_editor), scheme).get(GEOJSON, {"year": 2025})
    assert response.status_code == 200
    assert {feature["properties"]["county_code"] for feature in features(response)} == {YUCI}
    assert not response.cookies and Session.objects.count() == 0


def test_a_revoked_token_is_refused(yuci_editor):
    token = token_for(yuci_editor)
    ApiToken.objects.update(revoked_at=timezone.now())
    refused(token_client(token), "撤销")


def test_an_expired_token_is_refused(yuci_editor):
    token = token_for(yuci_editor, expires_days=1)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    refused(token_client(token), "过期")


@pytest.mark.parametrize(
    "header", ["Token abc", "Token " + PREFIX + "x" * 42, "Basic dXNlcjpwYXNz", "Token", "Bearer  "]
)
def test_a_malformed_token_or_scheme_is_refused(registry, header):
    refused(Client(HTTP_AUTHORIZATION=header), "")


def test_an_unknown_token_is_refused(registry):
    refused(token_client(PREFIX + "A" * 43), "")


def test_a_token_of_a_disabled_account_is_refused(yuci_editor):
    token = token_for(yuci_editor)
    yuci_editor.is_active = False
    yuci_editor.save()
    refused(token_client(token), "停用")


def test_a_token_works_under_a_rotated_key(settings, yuci_editor):
    token = token_for(yuci_editor)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert token_client(token).get(GEOJSON).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    refused(token_client(token), "")


def test_a_token_is_not_a_login_for_the_pages(yuci_editor):
    response = token_client(token_for(yuci_editor)).get("/villages/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def sync_data():
    return {"client_id": str(uuid.uuid4()), "date": "2025-06-02", "text": "脚本填报：完成污水管网"}


def test_a_read_only_token_changes_nothing(city_admin, yuci_village):
    response = token_client(token_for(city_admin)).post(f"/api/villages/{yuci_village.code}/updates/", sync_data())
    assert response.status_code == 403 and "只读" in response.json()["error"]
    assert not ProgressUpdate.objects.exists()


def test_an_administrators_write_token_records_an_update_without_a_csrf_token(city_admin, yuci_village):
    client = token_client(token_for(city_admin, can_write=True))
    client.handler.enforce_csrf_checks = True
    response = client.post(f"/api/villages/{yuci_village.code}/updates/", sync_data())
    assert response.status_code == 201, response.content
    assert ProgressUpdate.objects.get().created_by == city_admin


def test_write_access_lapses_when_its_user_is_no_longer_an_administrator(city_admin, yuci_village):
    token = token_for(city_admin, can_write=True)
    city_admin.profile.role = "viewer"
    city_admin.profile.city_id = "1407"
    city_admin.profile.save()
    response = token_client(token).post(f"/api/villages/{yuci_village.code}/updates/", sync_data())
    assert response.status_code == 403 and not ProgressUpdate.objects.exists()


def test_only_administrators_may_give_a_token_write_access(client_for, yuci_editor, city_admin):
    editor = client_for(yuci_editor)
    assert "can_write" not in editor.get("/accounts/tokens/").context["form"].fields
    editor.post("/accounts/tokens/", {"name": "脚本", "expires_in": 30, "can_write": "on"})
    assert ApiToken.objects.get(user=yuci_editor).can_write is False
    client_for(city_admin).post("/accounts/tokens/", {"name": "脚本", "expires_in": 30, "can_write": "on"})
    assert ApiToken.objects.get(user=city_admin).can_write is True


def test_a_user_revokes_their_own_token_and_not_anothers(client_for, yuci_editor, taigu_editor):
    token = token_for(yuci_editor)
    record = ApiToken.objects.get()
    assert client_for(taigu_editor).post(f"/accounts/tokens/{record.pk}/revoke/").status_code == 404
    assert token_client(token).get(GEOJSON).status_code == 200
    response = client_for(yuci_editor).post(f"/accounts/tokens/{record.pk}/revoke/")
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.revoked_by == yuci_editor
    refused(token_client(token), "")


def test_a_city_administrator_lists_and_revokes_their_citys_tokens_only(
    client_for, city_admin, yangquan_admin, yuci_editor, province_admin
):
    from counties.models import Profile
    from tests.conftest import YANGQUAN_CHENGQU, make_user

    yangquan_editor = make_user("chengqu-editor", Profile.Role.COUNTY_EDITOR, [YANGQUAN_CHENGQU])
    token_for(yuci_editor, "榆次 QGIS")
    token_for(yangquan_editor, "城区 QGIS")
    token_for(province_admin, "省级脚本")
    listed = client_for(city_admin).get("/tokens/").content.decode()
    assert "榆次 QGIS" in listed and "城区 QGIS" not in listed and "省级脚本" not in listed
    other = ApiToken.objects.get(name="城区 QGIS")
    assert client_for(city_admin).post(f"/accounts/tokens/{other.pk}/revoke/").status_code == 404
    own_city = ApiToken.objects.get(name="榆次 QGIS")
    assert client_for(city_admin).post(f"/accounts/tokens/{own_city.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(name="榆次 QGIS").is_revoked and not ApiToken.objects.get(name="城区 QGIS").is_revoked
    everything = client_for(province_admin).get("/tokens/").content.decode()
    assert all(name in everything for name in ("榆次 QGIS", "城区 QGIS", "省级脚本"))


@pytest.mark.parametrize("user_fixture", ["yuci_editor", "viewer"])
def test_the_city_token_page_is_for_administrators(request, client_for, user_fixture):
    assert client_for(request.getfixturevalue(user_fixture)).get("/tokens/").status_code == 403


def test_failed_tokens_are_throttled_like_logins(settings, yuci_editor):
    good = token_client(token_for(yuci_editor))
    bad = token_client(PREFIX + "B" * 43)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        assert bad.get(GEOJSON).status_code == 401
    locked = bad.get(GEOJSON)
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0 and "分钟" in locked.json()["error"]
    assert good.get(GEOJSON).status_code == 200  # another token from the same address still works
    for number in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
        token_client(PREFIX + f"{number:06d}" + "C" * 37).get(GEOJSON)
    assert good.get(GEOJSON).status_code == 429  # the address, for every token


def test_tokens_never_appear_in_the_logs(caplog, yuci_editor, yuci_village):
    token = token_for(yuci_editor)
    revoked = token_for(yuci_editor, "old")
    ApiToken.objects.filter(name="old").update(revoked_at=timezone.now())
    with caplog.at_level(logging.DEBUG):
        token_client(token).get(GEOJSON)
        token_client(token).get("/api/nothing-here/")
        token_client(revoked).get(GEOJSON)
        token_client(token).post(f"/api/villages/{yuci_village.code}/updates/", sync_data())
    assert caplog.records
    text = "\n".join(record.getMessage() + str(record.__dict__) for record in caplog.records)
    assert token not in text and revoked not in text and token[len(PREFIX) :][:10] not in text


def test_last_use_is_recorded_at_most_every_few_minutes(yuci_editor, django_assert_num_queries):
    client = token_client(token_for(yuci_editor))
    client.get(GEOJSON)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get(GEOJSON)
    assert ApiToken.objects.get().last_used_at == first


def test_the_command_prints_a_new_token_once(city_admin):
    out, err = StringIO(), StringIO()
    call_command(
        "create_api_token", city_admin.username, "--name", "夜间下载", "--expires-days", "30", stdout=out, stderr=err
    )
    token = out.getvalue().strip()
    assert token.startswith(PREFIX) and "夜间下载" in err.getvalue() and token not in err.getvalue()
    record = ApiToken.objects.get()
    assert record.digest == digest_of(token) and not record.can_write
    assert abs(record.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert token_client(token).get(GEOJSON).status_code == 200


def test_the_command_gives_write_access_to_administrators_only(city_admin, yuci_editor):
    call_command(
        "create_api_token", city_admin.username, "--name", "写入", "--write", stdout=StringIO(), stderr=StringIO()
    )
    assert ApiToken.objects.get().can_write
    with pytest.raises(CommandError, match="管理员"):
        call_command("create_api_token", yuci_editor.username, "--name", "写入", "--write")
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize(
    "arguments,words",
    [
        (["nobody", "--name", "x"], "nobody"),
        (["yuci-editor", "--name", "  "], "--name"),
        (["yuci-editor", "--name", "x", "--expires-days", "0"], "expires-days"),
    ],
)
def test_the_command_refuses_bad_arguments(yuci_editor, arguments, words):
    with pytest.raises(CommandError, match=words):
        call_command("create_api_token", *arguments, stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_the_token_pages_need_a_login(registry):
    response = Client().get("/accounts/tokens/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_villages_of_other_counties_stay_out_of_reach_of_a_token(yuci_editor, taigu_village):
    # 太谷 is not paired with 榆次 in this test: its village is not there for 榆次's editor.
    taigu_village.lat, taigu_village.lon, taigu_village.location_source = 37.42, 112.55, "surveyed"
    taigu_village.save()
    response = token_client(token_for(yuci_editor)).get(GEOJSON, {"county": TAIGU})
    assert response.status_code == 400 or features(response) == []
    assert Village.objects.filter(county_id=TAIGU, lat__isnull=False).exists()
