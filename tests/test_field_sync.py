"""The endpoint phones send their queued updates to (POST /api/villages/<code>/updates/, multipart, JSON answers).

Each update carries an id made on the phone: sent twice it is recorded once and answered the same; a reused id
with other content is refused. Conflicts, lost access, an ended session and refused photos are answered with
the reason and change nothing.
"""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.village_helpers import evidence_jpeg, jpeg_bytes
from villages.models import Photo, ProgressUpdate, Status, Village

ZUOQUAN = "140722"  # 左权县, not paired with 榆次

NEAR = ("N", (37, 41, 0.96), "E", (112, 45, 0))


def url(village):
    return f"/api/villages/{village.code}/updates/"


def update_data(client_id=None, photos=(), **fields):
    data = {
        "client_id": str(client_id or uuid.uuid4()),
        "date": "2025-06-01",
        "text": "村道硬化完成",
        "progress": "60",
        "status": "",
        "seen_status": Status.IN_PROGRESS,
    }
    data.update(fields)
    data["photos"] = [SimpleUploadedFile(name, content, "image/jpeg") for name, content in photos]
    return data


def two_photos():
    return [("IMG_1.jpg", evidence_jpeg(gps=NEAR, taken="2025:05:30 10:00:00")), ("IMG_2.jpg", jpeg_bytes(gps=False))]


def snapshot(village):
    return (Village.objects.values().get(pk=village.pk), ProgressUpdate.objects.count(), Photo.objects.count())


def test_an_update_with_two_photos_is_recorded(client_for, yuci_editor, yuci_village, media_root):
    client_id = uuid.uuid4()
    response = client_for(yuci_editor).post(url(yuci_village), update_data(client_id, two_photos()))
    assert response.status_code == 201
    answer = response.json()
    update = ProgressUpdate.objects.get()
    assert answer == {
        "result": "recorded",
        "repeat": False,
        "update": update.pk,
        "village": yuci_village.code,
        "photos": 2,
        "url": f"/villages/{yuci_village.code}/",
        "message": "已添加进展，含 2 张照片。",
    }
    assert update.client_id == client_id and update.created_by == yuci_editor and update.text == "村道硬化完成"
    first, second = update.photos.order_by("id")
    assert first.taken_lat == pytest.approx(37.6836) and second.taken_lat is None
    assert Village.objects.get(pk=yuci_village.pk).progress == 60


def test_sending_the_same_update_twice_records_it_once_and_answers_the_same(
    client_for, yuci_editor, yuci_village, media_root
):
    client = client_for(yuci_editor)
    client_id = uuid.uuid4()
    first = client.post(url(yuci_village), update_data(client_id, two_photos()))
    again = client.post(url(yuci_village), update_data(client_id, two_photos()))
    assert (first.status_code, again.status_code) == (201, 200)
    assert {**first.json(), "repeat": True} == again.json()
    assert ProgressUpdate.objects.count() == 1 and Photo.objects.count() == 2
    assert len([path for path in media_root.rglob("*") if path.is_file()]) == 2


def test_a_reused_id_with_other_content_is_refused_and_changes_nothing(
    client_for, yuci_editor, yuci_village, media_root
):
    client = client_for(yuci_editor)
    client_id = uuid.uuid4()
    client.post(url(yuci_village), update_data(client_id, two_photos()))
    before = snapshot(yuci_village)
    for changed in [
        update_data(client_id, two_photos(), text="另一条更新"),
        update_data(client_id, two_photos()[:1]),
        update_data(client_id, two_photos(), progress="70"),
    ]:
        response = client.post(url(yuci_village), changed)
        assert response.status_code == 409
        assert response.json()["error"] == "reused"
        assert "编号已被另一条不同的更新使用" in response.json()["reason"]
    assert snapshot(yuci_village) == before


def test_an_id_another_user_used_is_refused(client_for, city_admin, yuci_editor, yuci_village, media_root):
    client_id = uuid.uuid4()
    client_for(city_admin).post(url(yuci_village), update_data(client_id))
    response = client_for(yuci_editor).post(url(yuci_village), update_data(client_id))
    assert response.status_code == 409 and response.json()["error"] == "reused"
    assert ProgressUpdate.objects.get().created_by == city_admin


def test_an_update_without_a_valid_id_is_refused(client_for, yuci_editor, yuci_village, media_root):
    for client_id in ["", "not-a-uuid"]:
        data = update_data()
        data["client_id"] = client_id
        response = client_for(yuci_editor).post(url(yuci_village), data)
        assert response.status_code == 400 and response.json()["error"] == "invalid"
    assert not ProgressUpdate.objects.exists()


def test_an_allowed_status_move_is_made(client_for, yuci_editor, yuci_village, media_root):
    data = update_data(status=Status.COMPLETED, seen_status=Status.IN_PROGRESS, progress="100")
    response = client_for(yuci_editor).post(url(yuci_village), data)
    assert response.status_code == 201
    village = Village.objects.get(pk=yuci_village.pk)
    assert (village.status, village.progress, village.version) == (Status.COMPLETED, 100, yuci_village.version + 1)
    assert ProgressUpdate.objects.get().status == Status.COMPLETED
    assert village.history.first().status == Status.COMPLETED


def test_a_status_move_after_the_village_changed_is_a_conflict(client_for, yuci_editor, yuci_village, media_root):
    # Written offline while the village was in progress; meanwhile it was completed and accepted.
    yuci_village.status = Status.ACCEPTED
    yuci_village.save()
    before = snapshot(yuci_village)
    data = update_data(status=Status.COMPLETED, seen_status=Status.IN_PROGRESS, photos=two_photos())
    response = client_for(yuci_editor).post(url(yuci_village), data)
    assert response.status_code == 409
    assert response.json() == {
        "error": "conflict",
        "reason": "填写这条更新后，村庄状态已由“建设中”变为“验收通过”，因此未改为“已完工”，也未保存任何内容。",
        "current": {"status": "accepted", "progress": 40, "version": 1},
    }
    assert snapshot(yuci_village) == before
    assert [path for path in media_root.rglob("*") if path.is_file()] == []


def test_a_status_move_the_workflow_does_not_allow_is_a_conflict(client_for, yuci_editor, yuci_village, media_root):
    before = snapshot(yuci_village)
    data = update_data(status=Status.ACCEPTED, seen_status=Status.IN_PROGRESS)
    response = client_for(yuci_editor).post(url(yuci_village), data)
    assert response.status_code == 409
    assert response.json()["reason"] == "村庄当前为“建设中”，不能改为“验收通过”；未保存任何内容。"
    assert snapshot(yuci_village) == before


def test_a_move_someone_already_made_is_no_conflict(client_for, yuci_editor, yuci_village, media_root):
    yuci_village.status = Status.COMPLETED
    yuci_village.save()
    data = update_data(status=Status.COMPLETED, seen_status=Status.IN_PROGRESS)
    assert client_for(yuci_editor).post(url(yuci_village), data).status_code == 201
    assert ProgressUpdate.objects.get().status == ""


def test_an_editor_who_lost_the_county_is_refused_with_the_reason(client_for, yuci_editor, yuci_village, media_root):
    client = client_for(yuci_editor)
    yuci_editor.profile.counties.set([ZUOQUAN])  # moved to another county
    before = snapshot(yuci_village)
    response = client.post(url(yuci_village), update_data(photos=two_photos()))
    assert response.status_code == 404
    assert response.json()["error"] == "forbidden"
    assert "无权修改此村庄" in response.json()["reason"]
    yuci_editor.profile.counties.clear()  # no county at all: no role, and the phone shows why
    response = client.post(url(yuci_village), update_data(photos=two_photos()))
    assert response.status_code == 403 and "还没有角色" in response.json()["reason"]
    assert snapshot(yuci_village) == before


def test_a_viewer_is_refused_with_the_reason(client_for, viewer, yuci_village, media_root):
    before = snapshot(yuci_village)
    response = client_for(viewer).post(url(yuci_village), update_data())
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert snapshot(yuci_village) == before


def test_another_countys_editor_is_refused(client_for, taigu_editor, yuci_village, media_root):
    response = client_for(taigu_editor).post(url(yuci_village), update_data())
    assert response.status_code == 404 and response.json()["error"] == "forbidden"
    assert not ProgressUpdate.objects.exists()


def test_a_city_administrator_may_send(client_for, city_admin, yuci_village, media_root):
    assert client_for(city_admin).post(url(yuci_village), update_data()).status_code == 201


def test_an_ended_session_is_answered_401_with_json(yuci_editor, yuci_village, media_root):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # the CSRF cookie outlives the session
    token = client.cookies["csrftoken"].value
    response = client.post(url(yuci_village), update_data(), headers={"X-CSRFToken": token})
    assert response.status_code == 401
    assert response.json() == {"error": "login", "reason": "登录已过期。请重新输入密码；待同步的内容不会丢失。"}
    assert not ProgressUpdate.objects.exists()


def test_csrf_stays_on(yuci_editor, yuci_village, media_root):
    client = Client(enforce_csrf_checks=True)
    client.force_login(yuci_editor)
    assert client.post(url(yuci_village), update_data()).status_code == 403
    client.get(f"/villages/{yuci_village.code}/updates/new/")
    token = client.cookies["csrftoken"].value
    assert client.post(url(yuci_village), update_data(), headers={"X-CSRFToken": token}).status_code == 201


def test_refused_photos_are_listed_one_by_one_and_nothing_is_stored(
    client_for, yuci_editor, yuci_village, media_root, settings
):
    settings.PHOTO_MAX_BYTES = 300 * 1024
    photos = [
        ("IMG_1.jpg", jpeg_bytes()),
        ("notes.jpg", "这不是图片".encode()),
        ("IMG_3.jpg", jpeg_bytes(size=(1000, 1000), noise=True)),
    ]
    before = snapshot(yuci_village)
    response = client_for(yuci_editor).post(url(yuci_village), update_data(photos=photos))
    assert response.status_code == 400
    answer = response.json()
    assert answer["error"] == "invalid"
    assert [(photo["index"], photo["name"]) for photo in answer["photos"]] == [(1, "notes.jpg"), (2, "IMG_3.jpg")]
    assert "不是JPEG、PNG或WebP图片" in answer["photos"][0]["reason"]
    assert "MB" in answer["photos"][1]["reason"]
    assert snapshot(yuci_village) == before
    assert [path for path in media_root.rglob("*") if path.is_file()] == []


def test_seven_photos_are_refused(client_for, yuci_editor, yuci_village, media_root):
    photos = [(f"IMG_{n}.jpg", jpeg_bytes()) for n in range(7)]
    response = client_for(yuci_editor).post(url(yuci_village), update_data(photos=photos))
    assert response.status_code == 400
    assert response.json()["errors"]["photos"] == ["每条进展最多上传 6 张照片。"]
    assert not ProgressUpdate.objects.exists()


def test_a_bad_field_is_refused_with_the_field(client_for, yuci_editor, yuci_village, media_root):
    response = client_for(yuci_editor).post(url(yuci_village), update_data(date="2099-01-01", text=""))
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["date", "text"]
    assert not ProgressUpdate.objects.exists()


def test_the_phones_position_is_kept_and_its_distance_shown(client_for, yuci_editor, yuci_village, media_root):
    yuci_village.lat, yuci_village.lon, yuci_village.location_source = 37.68, 112.75, "surveyed"
    yuci_village.save()
    client = client_for(yuci_editor)
    data = update_data(device_lat="37.6836", device_lon="112.75", device_accuracy="12")
    assert client.post(url(yuci_village), data).status_code == 201
    update = ProgressUpdate.objects.get()
    assert (update.device_lat, update.device_lon, update.device_accuracy) == (37.6836, 112.75, 12)
    page = client.get(f"/villages/{yuci_village.code}/").content.decode()
    assert "填报时手机在村庄 0.4 km 内" in page and "（精度 12 米）" in page


@pytest.mark.parametrize(
    "position",
    [{"device_lat": "95", "device_lon": "112.75"}, {"device_lat": "37.68"}, {"device_lat": "x", "device_lon": "1"}],
    ids=["out-of-range", "latitude-only", "not-a-number"],
)
def test_a_bad_phone_position_is_refused(client_for, yuci_editor, yuci_village, media_root, position):
    response = client_for(yuci_editor).post(url(yuci_village), update_data(**position))
    assert response.status_code == 400
    assert not ProgressUpdate.objects.exists()


def test_only_post_is_answered(client_for, yuci_editor, yuci_village):
    assert client_for(yuci_editor).get(url(yuci_village)).status_code == 405


def test_the_update_page_offers_the_moves_the_editor_may_make(client_for, yuci_editor, yuci_village):
    page = client_for(yuci_editor).get(f"/villages/{yuci_village.code}/updates/new/").content.decode()
    assert '<option value="" selected>保持“建设中”</option>' in page
    assert '<option value="completed">已完工</option>' in page
    assert 'value="accepted"' not in page
    assert f'data-api="/api/villages/{yuci_village.code}/updates/"' in page
    assert '<input type="hidden" name="seen_status" value="in_progress"' in page


def test_the_update_page_without_javascript_refuses_a_conflicting_move(
    client_for, yuci_editor, yuci_village, media_root
):
    yuci_village.status = Status.ACCEPTED
    yuci_village.save()
    data = {"date": "2025-06-01", "text": "完工", "status": Status.COMPLETED, "seen_status": Status.IN_PROGRESS}
    response = client_for(yuci_editor).post(f"/villages/{yuci_village.code}/updates/new/", data)
    assert response.status_code == 200
    assert "村庄状态已由“建设中”变为“验收通过”" in " ".join(response.context["form"].errors["status"])
    assert not ProgressUpdate.objects.exists()
