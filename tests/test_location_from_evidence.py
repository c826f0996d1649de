"""A village without a location takes it from a photo's position or from the phone's position, after one
confirmation by the editor, and the history records the source (照片定位 / 手机定位)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.village_helpers import evidence_jpeg
from villages.models import LocationSource, ProgressUpdate, Village

# Inside 榆次区: 37°38'19.608"N 112°47'48.372"E.
INSIDE = ("N", (37, 38, 19.608), "E", (112, 47, 48.372))
INSIDE_DECIMAL = (37.63878, 112.79677)
# 太原 (outside 榆次区): 37°52'N 112°33'E.
OUTSIDE = ("N", (37, 52, 0), "E", (112, 33, 0))


@pytest.fixture
def photo_update(yuci_village, yuci_editor, media_root):
    update = ProgressUpdate.objects.create(village=yuci_village, date="2025-06-01", text="村口", created_by=yuci_editor)
    update.photos.create(
        image=SimpleUploadedFile("a.jpg", evidence_jpeg()), taken_lat=INSIDE_DECIMAL[0], taken_lon=INSIDE_DECIMAL[1]
    )
    return update


def photo_url(village, update):
    return f"/villages/{village.code}/location/photo/{update.photos.get().pk}/"


def test_a_photos_position_becomes_the_location_after_one_confirmation(
    client_for, yuci_editor, yuci_village, media_root
):
    client = client_for(yuci_editor)
    upload = SimpleUploadedFile("IMG_1.jpg", evidence_jpeg(gps=INSIDE), "image/jpeg")
    client.post(
        f"/villages/{yuci_village.code}/updates/new/", {"date": "2025-06-01", "text": "村口", "photos": [upload]}
    )
    photo = ProgressUpdate.objects.get().photos.get()
    village_page = client.get(f"/villages/{yuci_village.code}/").content.decode()
    link = f"/villages/{yuci_village.code}/location/photo/{photo.pk}/"
    assert f'href="{link}"' in village_page

    confirm = client.get(link).content.decode()
    assert "37.63878, 112.79677" in confirm and "照片定位" in confirm
    assert Village.objects.get(pk=yuci_village.pk).lat is None  # nothing before the confirmation

    response = client.post(link, {"version": yuci_village.version})
    assert response.status_code == 302
    village = Village.objects.get(pk=yuci_village.pk)
    assert (village.lat, village.lon) == (pytest.approx(37.63878), pytest.approx(112.79677))
    assert village.location_source == LocationSource.PHOTO
    history = client.get(f"/villages/{yuci_village.code}/").content.decode().split('id="history"')[1]
    assert "位置来源: — → 照片定位" in history and "yuci-editor" in history


def test_the_phones_position_becomes_the_location_marked_as_such(client_for, yuci_editor, yuci_village):
    update = ProgressUpdate.objects.create(
        village=yuci_village, date="2025-06-01", text="村口", device_lat=37.63878, device_lon=112.79677
    )
    client = client_for(yuci_editor)
    link = f"/villages/{yuci_village.code}/location/phone/{update.pk}/"
    assert f'href="{link}"' in client.get(f"/villages/{yuci_village.code}/").content.decode()
    client.post(link, {"version": yuci_village.version})
    village = Village.objects.get(pk=yuci_village.pk)
    assert (village.lat, village.lon, village.location_source) == (37.63878, 112.79677, LocationSource.DEVICE)
    assert "位置来源: — → 手机定位" in client.get(f"/villages/{yuci_village.code}/").content.decode()


def test_a_position_outside_the_county_is_refused(client_for, yuci_editor, yuci_village, media_root):
    update = ProgressUpdate.objects.create(village=yuci_village, date="2025-06-01", text="x")
    update.photos.create(image=SimpleUploadedFile("a.jpg", evidence_jpeg()), taken_lat=37.8667, taken_lon=112.55)
    client = client_for(yuci_editor)
    link = photo_url(yuci_village, update)
    page = client.get(link).content.decode()
    assert "此位置在榆次区以外，不能作为该村的位置。" in page and 'id="take-location-form"' not in page
    client.post(link, {"version": yuci_village.version})
    assert Village.objects.get(pk=yuci_village.pk).lat is None


def test_a_village_with_a_real_location_keeps_it(client_for, yuci_editor, yuci_village, photo_update):
    yuci_village.lat, yuci_village.lon, yuci_village.location_source = 37.7, 112.8, LocationSource.SURVEYED
    yuci_village.save()
    client = client_for(yuci_editor)
    assert "/location/photo/" not in client.get(f"/villages/{yuci_village.code}/").content.decode()
    response = client.post(photo_url(yuci_village, photo_update), {"version": yuci_village.version}, follow=True)
    assert "该村已有位置，请在编辑页面修改。" in response.content.decode()
    village = Village.objects.get(pk=yuci_village.pk)
    assert (village.lat, village.location_source) == (37.7, LocationSource.SURVEYED)


def test_an_illustrative_location_may_be_replaced(client_for, yuci_editor, yuci_village, photo_update):
    yuci_village.lat, yuci_village.lon, yuci_village.location_source = 37.7, 112.8, LocationSource.ILLUSTRATIVE
    yuci_village.save()
    client_for(yuci_editor).post(photo_url(yuci_village, photo_update), {"version": yuci_village.version})
    assert Village.objects.get(pk=yuci_village.pk).location_source == LocationSource.PHOTO


def test_a_stale_confirmation_changes_nothing(client_for, yuci_editor, yuci_village, photo_update):
    client = client_for(yuci_editor)
    response = client.post(photo_url(yuci_village, photo_update), {"version": yuci_village.version - 1}, follow=True)
    assert "打开页面后该村信息已被修改" in response.content.decode()
    assert Village.objects.get(pk=yuci_village.pk).lat is None


def test_a_photo_of_another_village_is_not_found(client_for, yuci_editor, yuci_village, photo_update):
    other = Village.objects.filter(county_id=yuci_village.county_id).exclude(pk=yuci_village.pk).first()
    response = client_for(yuci_editor).get(f"/villages/{other.code}/location/photo/{photo_update.photos.get().pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "role,expected", [("city_admin", 302), ("yuci_editor", 302), ("taigu_editor", 404), ("viewer", 403)]
)
def test_taking_a_location_follows_the_village_rules(request, client_for, yuci_village, photo_update, role, expected):
    user = request.getfixturevalue(role)
    response = client_for(user).post(photo_url(yuci_village, photo_update), {"version": yuci_village.version})
    assert response.status_code == expected
    changed = Village.objects.get(pk=yuci_village.pk).lat is not None
    assert changed == (expected == 302)


def test_anonymous_users_are_sent_to_the_login_page(yuci_village, photo_update):
    response = Client().get(photo_url(yuci_village, photo_update))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
