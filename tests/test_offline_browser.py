"""Field updates on a phone (390 px, touch) in Debian's chromium: the offline copy, updates written without a
connection, sent once when it comes back, and what happens when the answer is lost, the session has ended,
the status move is no longer possible, access was lost or a photo is refused.

The live server is http://localhost, a secure context, so the service worker, caches and IndexedDB work.
"""

import io
import os
import re
from datetime import UTC, datetime

import pytest
from django.contrib.sessions.models import Session
from PIL import Image

from tests.conftest import PASSWORD, TAIGU, YUCI
from tests.village_helpers import evidence_jpeg
from villages.models import Photo, ProgressUpdate, Status, Village

pytestmark = pytest.mark.browser

CACHED_ADDRESSES = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname + new URL(request.url).search);
  }
  return urls;
}"""
SAVED_PAGE = """async (url) => {
  const page = await caches.match(url);
  return { type: page.headers.get("Content-Type"), csp: page.headers.get("Content-Security-Policy"), body: await page.text() };
}"""
STORED = """async () => ({
  caches: await caches.keys(),
  databases: (await indexedDB.databases()).map((db) => db.name),
  workers: (await navigator.serviceWorker.getRegistrations()).length,
})"""


@pytest.fixture
def photos(tmp_path):
    """A phone photo of 3,000 × 2,000 px taken 0.4 km from the village, and a small one without a position."""
    big, small = tmp_path / "IMG_0001.jpg", tmp_path / "IMG_0002.jpg"
    big.write_bytes(
        evidence_jpeg(gps=("N", (37, 41, 0.96), "E", (112, 45, 0)), taken="2025:05:30 09:00:00", size=(3000, 2000))
    )
    small.write_bytes(evidence_jpeg(size=(640, 480)))
    return [str(big), str(small)]


def ready(phone):
    phone.page.wait_for_selector("html[data-offline-ready]", state="attached")


def log_in(phone, username="yuci-editor"):
    phone.login(username)
    ready(phone)
    phone.page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def open_form(phone, village):
    phone.goto(f"/villages/{village.code}/updates/new/")
    ready(phone)


def write_update(phone, text, files=(), status=None):
    page = phone.page
    page.fill("#update-form textarea[name=text]", text)
    page.fill("#update-form input[name=progress]", "60")
    if status:
        page.select_option("#update-form select[name=status]", status)
    if files:
        page.set_input_files("#update-form input[name=photos]", list(files))
    page.locator("#update-form button[type=submit]").tap()


def queue_offline(phone, village, text, files=(), status=None):
    """Signed in as 榆次区's editor, write an update on the village's form without a connection."""
    log_in(phone)
    open_form(phone, village)
    phone.context.set_offline(True)
    write_update(phone, text, files, status)
    return waiting(phone, 1)


def waiting(phone, count):
    phone.page.wait_for_function(
        "(count) => document.querySelectorAll('#queue-items .queue-item').length === count", arg=count
    )
    return phone.page.locator("#queue-count").inner_text()


# The browser notes every request that failed or was answered with an error status (401, 409...): answers, not errors.
NETWORK_NOTES = "Failed to load resource: "


def page_errors(phone):
    return [error for error in phone.console_errors if not error.startswith(NETWORK_NOTES)]


def test_an_update_written_offline_with_two_photos_is_recorded_once_when_back_online(
    phone, yuci_editor, yuci_village, media_root, photos
):
    page = phone.page
    log_in(phone)
    save_copy(phone)
    assert re.match(
        r"208 个村庄，\d+\.\d MB · 保存于 \d{4}-\d\d-\d\d \d\d:\d\d$", page.locator("#copy-status").inner_text()
    )
    saved = [url for url in page.evaluate(CACHED_ADDRESSES) if url.startswith("/villages/1")]
    assert len(saved) == 208 * 2
    assert {url.split("/")[2][:6] for url in saved} == {YUCI}  # nothing of another county
    assert not any(url.startswith("/photos/") for url in page.evaluate(CACHED_ADDRESSES))
    kept = page.evaluate(SAVED_PAGE, f"/villages/{yuci_village.code}/updates/new/")
    assert kept["type"] == "text/html; charset=utf-8" and "script-src 'self'" in kept["csp"]  # as the server sent it

    phone.context.set_offline(True)
    open_form(phone, yuci_village)  # from the offline copy
    assert page.locator("h1").inner_text() == "填报进展"
    write_update(phone, "村内道路硬化完成六成", photos)
    assert waiting(phone, 1) == "待同步 1 条"
    item = page.locator("#queue-items .queue-item").inner_text()
    assert yuci_village.short_name in item and "2 张照片" in item and "待发送" in item
    page.reload()
    ready(phone)
    assert waiting(phone, 1) == "待同步 1 条"
    phone.goto("/map/")  # never saved: the page says so instead of the browser's error
    assert "无法离线查看" in page.locator("h1").inner_text()
    assert not ProgressUpdate.objects.exists()

    open_form(phone, yuci_village)
    phone.context.set_offline(False)
    waiting(phone, 0)
    update = ProgressUpdate.objects.get()
    assert (update.text, update.progress, update.created_by) == ("村内道路硬化完成六成", 60, yuci_editor)
    big, small = update.photos.order_by("id")
    assert (big.width, big.height, small.width) == (2048, 1365, 640)  # scaled on the phone
    assert big.taken_lat == pytest.approx(37.6836) and small.taken_lat is None  # its position kept
    assert page_errors(phone) == []


def save_copy(phone):
    phone.goto("/offline/")
    ready(phone)
    phone.page.locator("#copy-save").tap()
    phone.page.wait_for_function(
        "() => document.querySelector('#copy-status').textContent.includes('个村庄，')", timeout=120_000
    )


def test_the_saved_pages_of_a_village_are_fetched_again_once_its_update_is_sent(
    phone, yuci_editor, yuci_village, media_root
):
    page = phone.page
    log_in(phone)
    save_copy(phone)
    queue_offline(phone, yuci_village, "修建村史馆")
    phone.context.set_offline(False)
    waiting(phone, 0)
    address = f"/villages/{yuci_village.code}/"
    for _ in range(100):
        saved = page.evaluate(SAVED_PAGE, address)["body"]
        if "修建村史馆" in saved:
            break
        page.wait_for_timeout(100)
    assert "修建村史馆" in saved and "已添加进展" not in saved

    phone.context.set_offline(True)
    phone.goto(address)  # from the offline copy, with the update just sent
    assert "修建村史馆" in page.locator("#updates").inner_text()
    assert page_errors(phone) == []


def test_when_the_answer_is_lost_the_retry_records_nothing_twice(phone, yuci_editor, yuci_village, media_root, photos):
    page = phone.page
    assert queue_offline(phone, yuci_village, "铺设污水管网", photos) == "待同步 1 条"

    answers = []

    def lose_the_first_answer(route):
        if answers:
            route.continue_()
            return
        answers.append(route.fetch().status)  # the server records the update ...
        route.abort()  # ... and its answer never reaches the phone

    page.route(f"**/api/villages/{yuci_village.code}/updates/", lose_the_first_answer)
    phone.context.set_offline(False)
    for _ in range(100):
        if answers:
            break
        page.wait_for_timeout(100)
    page.wait_for_function("() => document.querySelector('#queue-items .state')?.textContent === '待发送'")
    assert answers == [201]
    assert ProgressUpdate.objects.count() == 1
    assert waiting(phone, 1) == "待同步 1 条"

    page.locator("#sync-now").tap()
    waiting(phone, 0)
    assert ProgressUpdate.objects.count() == 1
    assert Photo.objects.count() == 2
    assert len([path for path in media_root.rglob("*") if path.is_file()]) == 2
    assert page_errors(phone) == []


def test_an_ended_session_asks_for_the_password_and_then_sends(phone, yuci_editor, yuci_village, media_root, photos):
    page = phone.page
    queue_offline(phone, yuci_village, "村委会门前广场", photos[1:])
    Session.objects.all().delete()  # the session ended while the phone was offline

    phone.context.set_offline(False)
    page.wait_for_selector("#login-prompt[open]")
    assert page.locator("#login-prompt-user").inner_text() == "yuci-editor"
    assert waiting(phone, 1) == "待同步 1 条"  # nothing lost
    page.fill("#login-prompt-password", "not the password")
    page.locator("#login-prompt button[type=submit]").tap()
    page.wait_for_selector("#login-prompt-error:not([hidden])")
    assert not ProgressUpdate.objects.exists()

    page.fill("#login-prompt-password", PASSWORD)
    page.locator("#login-prompt button[type=submit]").tap()
    waiting(phone, 0)
    update = ProgressUpdate.objects.get()
    assert (update.text, update.created_by, update.photos.count()) == ("村委会门前广场", yuci_editor, 1)
    assert page_errors(phone) == []


def test_a_status_move_no_longer_possible_is_kept_marked_and_can_be_sent_without_it(
    phone, yuci_editor, yuci_village, media_root
):
    page = phone.page
    queue_offline(phone, yuci_village, "全部完工", status=Status.COMPLETED)
    Village.objects.filter(pk=yuci_village.pk).update(status=Status.ACCEPTED)  # completed and accepted meanwhile

    phone.context.set_offline(False)
    page.wait_for_selector("#queue-items .state-conflict")
    item = page.locator("#queue-items .queue-item").inner_text()
    assert "冲突" in item and "村庄状态已由“建设中”变为“验收通过”" in item
    assert not ProgressUpdate.objects.exists()
    page.reload()
    ready(phone)
    page.wait_for_selector("#queue-items .state-conflict")  # still kept, still marked

    page.locator("[data-action=without-status]").tap()
    waiting(phone, 0)
    update = ProgressUpdate.objects.get()
    assert (update.text, update.status, update.progress) == ("全部完工", "", 60)
    assert Village.objects.get(pk=yuci_village.pk).status == Status.ACCEPTED
    assert page_errors(phone) == []


def test_an_editor_who_lost_the_county_sees_why_and_may_discard(phone, yuci_editor, yuci_village, media_root):
    page = phone.page
    page.on("dialog", lambda dialog: dialog.accept())
    queue_offline(phone, yuci_village, "修缮戏台")
    yuci_editor.profile.counties.set([TAIGU])

    phone.context.set_offline(False)
    page.wait_for_selector("#queue-items .state-refused")
    assert "无权修改此村庄" in page.locator("#queue-items .queue-reason").inner_text()
    phone.goto("/villages/")  # now 太谷区's list
    ready(phone)
    page.wait_for_selector("#queue-items .state-refused")  # stays until discarded
    page.locator("[data-action=discard]").tap()
    waiting(phone, 0)
    assert not ProgressUpdate.objects.exists()


def test_a_refused_photo_is_marked_and_can_be_removed_before_sending_again(
    phone, yuci_editor, yuci_village, media_root, photos, tmp_path
):
    page = phone.page
    not_a_photo = tmp_path / "IMG_0003.jpg"
    not_a_photo.write_text("这不是图片")
    queue_offline(phone, yuci_village, "新建垃圾站", [photos[1], str(not_a_photo)])

    phone.context.set_offline(False)
    page.wait_for_selector("#queue-items .state-invalid")
    refused = page.locator(".queue-photos li")
    assert refused.count() == 1 and "IMG_0003.jpg" in refused.inner_text() and "不是JPEG" in refused.inner_text()
    refused.locator("button").tap()
    page.locator("[data-action=resend]").tap()
    waiting(phone, 0)
    assert ProgressUpdate.objects.get().photos.count() == 1


def test_the_phones_position_is_sent_with_consent(phone, yuci_editor, yuci_village, media_root):
    page = phone.page
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 37.6836, "longitude": 112.75, "accuracy": 15})
    log_in(phone)
    open_form(phone, yuci_village)
    write_update(phone, "无位置")  # the box is not ticked: no position
    page.wait_for_url(f"**/villages/{yuci_village.code}/")
    open_form(phone, yuci_village)
    page.locator("#share-position").check()
    write_update(phone, "附位置")
    page.wait_for_url(f"**/villages/{yuci_village.code}/")
    assert "已添加进展，含 0 张照片。" in page.locator(".messages").inner_text()
    first, second = ProgressUpdate.objects.order_by("id")
    assert first.device_lat is None
    assert (second.device_lat, second.device_lon, second.device_accuracy) == (37.6836, 112.75, 15)


def test_logging_out_deletes_everything_kept_offline(phone, yuci_editor, yuci_village, media_root):
    page = phone.page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    queue_offline(phone, yuci_village, "未发送", status=Status.COMPLETED)
    Village.objects.filter(pk=yuci_village.pk).update(status=Status.ACCEPTED)
    phone.context.set_offline(False)
    page.wait_for_selector("#queue-items .state-conflict")  # kept on the phone
    stored = page.evaluate(STORED)
    assert stored["caches"] and "villages-offline" in stored["databases"] and stored["workers"] == 1

    with page.expect_navigation():
        page.locator("form[action='/accounts/logout/'] button").tap()
    assert dialogs == ["还有 1 条更新尚未发送。退出登录会将其从手机上删除。仍要退出吗？"]
    page.wait_for_url("**/accounts/login/")
    assert page.evaluate(STORED) == {"caches": [], "databases": [], "workers": 0}


def phone_photo(path):
    """A 4,000 × 3,000 px JPEG of about 4 MB with the EXIF a phone writes (position, time and its offset): smooth
    shapes with fine grain, which compresses as a photo does (noise alone would not)."""
    width, height = 4000, 3000
    shapes = Image.effect_noise((width // 4, height // 4), 60).resize((width, height), Image.Resampling.BICUBIC)
    gradient = Image.linear_gradient("L").resize((width, height))
    grain = Image.effect_noise((width, height), 12)
    bands = [shapes, gradient, Image.blend(shapes, gradient, 0.5)]
    image = Image.merge("RGB", [Image.blend(band, grain, 0.15) for band in bands])
    exif = Image.open(io.BytesIO(evidence_jpeg(gps=GPS_NEAR_VILLAGE, taken="2025:05:30 09:00:00", offset="+08:00")))
    image.save(path, format="JPEG", quality=93, exif=exif.getexif())
    return str(path)


GPS_NEAR_VILLAGE = ("N", (37, 41, 0.96), "E", (112, 45, 0))
SLOW_UPLINK_BYTES_IN_15_S = 750_000 // 8 * 15  # issue 25, item 10: 750 kbit/s, 15 s


def test_a_4_mb_phone_photo_is_scaled_on_the_phone_and_keeps_its_exif_position_and_time(
    phone, yuci_editor, yuci_village, media_root, tmp_path
):
    photo = phone_photo(tmp_path / "IMG_4000.jpg")
    assert os.path.getsize(photo) > 3_800_000
    sent = []
    phone.page.on(
        "request",
        lambda request: (
            request.method == "POST" and "/updates/" in request.url and sent.append(len(request.post_data_buffer))
        ),
    )
    assert queue_offline(phone, yuci_village, "村口广场铺装完成", [photo]) == "待同步 1 条"
    phone.context.set_offline(False)
    waiting(phone, 0)
    photo_kept = Photo.objects.get()
    assert (photo_kept.width, photo_kept.height) == (2048, 1536)
    assert photo_kept.taken_lat == pytest.approx(37.6836) and photo_kept.taken_lon == pytest.approx(112.75)
    assert photo_kept.taken_at == datetime(2025, 5, 30, 1, 0, tzinfo=UTC)  # 09:00 at +08:00
    assert len(sent) == 1 and sent[0] < SLOW_UPLINK_BYTES_IN_15_S, sent
    assert page_errors(phone) == []
