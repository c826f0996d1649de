"""Photo evidence: where and when a photo was taken, read from its EXIF before the metadata is stripped, and
what each photo says on the update and the village page ("拍摄于村庄 0.4 km 内", "距村庄 12.3 km", ...).

Every photo is a real JPEG made here with Pillow, its EXIF written as a phone camera writes it. The village is
at 37°40'48"N 112°45'E (37.68, 112.75). One degree of latitude is 111.195 km on a sphere of radius 6,371.0088
km, so a photo at 37°41'0.96" (0.0036° north) is 0.400 km away and one at 37°47'26.52" (0.1107°) 12.309 km.
"""

import datetime as dt
import io
import re
import struct
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from tests.village_helpers import evidence_jpeg
from villages import evidence
from villages.models import LocationSource, Photo, ProgressUpdate, Status

VILLAGE = (37.68, 112.75)
NEAR = ("N", (37, 41, 0.96), "E", (112, 45, 0))  # 0.400 km north of the village
FAR = ("N", (37, 47, 26.52), "E", (112, 45, 0))  # 12.309 km north
UTC = dt.UTC


def locate(village, source=LocationSource.SURVEYED, point=VILLAGE):
    village.lat, village.lon = point
    village.location_source = source
    village.save()
    return village


def facts_of(data):
    return evidence.read(Image.open(io.BytesIO(data)))


def post_update(client, village, *photos, date="2025-04-11"):
    uploads = [SimpleUploadedFile(f"IMG_{n}.jpg", data, "image/jpeg") for n, data in enumerate(photos)]
    return client.post(
        f"/villages/{village.code}/updates/new/", {"date": date, "text": "村道硬化", "progress": "", "photos": uploads}
    )


MARK = re.compile(r'<span class="mark mark-(\w+)">([^<]*)</span>')


def marks_on_page(client, village):
    """The marks of each photo on the village page ("kind: text"), in the order of the photos."""
    html = client.get(f"/villages/{village.code}/").content.decode()
    figures = [part.split("</figure>")[0] for part in html.split('<figure class="photo"')[1:]]
    return [[f"{kind}: {unescape(text)}" for kind, text in MARK.findall(figure)] for figure in figures]


def texts(marks):
    return [mark.split(": ", 1)[1] for mark in marks]


# --- Reading the EXIF -----------------------------------------------------------------------------


def test_gps_degrees_minutes_seconds_become_decimal_degrees():
    facts = facts_of(evidence_jpeg(gps=NEAR))
    assert facts.lat == pytest.approx(37.6836, abs=1e-9)
    assert facts.lon == pytest.approx(112.75, abs=1e-9)


def test_south_and_west_are_negative():
    facts = facts_of(evidence_jpeg(gps=("S", (33, 51, 36), "W", (70, 30, 0))))
    assert (facts.lat, facts.lon) == (pytest.approx(-33.86), pytest.approx(-70.5))


def test_a_time_without_offset_is_beijing_time():
    facts = facts_of(evidence_jpeg(taken="2025:03:02 23:30:00"))
    assert facts.taken_at == dt.datetime(2025, 3, 2, 15, 30, tzinfo=UTC)


def test_a_time_with_its_offset_is_read_with_it():
    assert facts_of(evidence_jpeg(taken="2025:03:02 23:30:00", offset="+00:00")).taken_at == dt.datetime(
        2025, 3, 2, 23, 30, tzinfo=UTC
    )
    assert facts_of(evidence_jpeg(taken="2025:03:02 23:30:00", offset="-05:00")).taken_at == dt.datetime(
        2025, 3, 3, 4, 30, tzinfo=UTC
    )


def test_a_photo_without_exif_has_no_position_and_no_time():
    output = io.BytesIO()
    Image.new("RGB", (20, 20)).save(output, format="JPEG")
    assert facts_of(output.getvalue()) == evidence.Facts(None, None, None)


@pytest.mark.parametrize(
    "gps,expected",
    [
        # what a phone writes when it rounds 40'59.996" to two decimals: 6000/100 seconds
        (("N", (37, 40, IFDRational(6000, 100)), "E", (112, 44, IFDRational(6000, 100))), (37 + 41 / 60, 112.75)),
        (("N", (37, 60, 0), "E", (112, 45, 0)), (38.0, 112.75)),  # minutes rounded up to 60
        (("N", (37, 59, 60), "E", (112, 45, 0)), (38.0, 112.75)),  # both at once
        (("S", (33, 51, 60), "W", (70, 29, 60.0)), (-(33 + 52 / 60), -70.5)),
    ],
    ids=["seconds-60.00", "minutes-60", "59-minutes-60-seconds", "south-west"],
)
def test_seconds_and_minutes_rounded_up_to_60_carry_over(gps, expected):
    facts = facts_of(evidence_jpeg(gps=gps))
    assert (facts.lat, facts.lon) == (pytest.approx(expected[0], abs=1e-12), pytest.approx(expected[1], abs=1e-12))


def test_a_photo_with_seconds_rounded_to_60_gives_its_position_on_the_update(
    client_for, yuci_editor, yuci_village, media_root
):
    locate(yuci_village)
    rounded = ("N", (37, 40, IFDRational(6000, 100)), "E", (112, 44, IFDRational(6000, 100)))  # 37°41', 112°45'
    post_update(client_for(yuci_editor), yuci_village, evidence_jpeg(gps=rounded, taken="2025:04:10 09:00:00"))
    photo = Photo.objects.get()
    assert (photo.taken_lat, photo.taken_lon) == (pytest.approx(37 + 41 / 60), pytest.approx(112.75))
    # 37°41' is 0.0033° (0.37 km) north of the village at 37.68
    assert marks_on_page(client_for(yuci_editor), yuci_village) == [
        ["ok: 拍摄于村庄 0.4 km 内", "ok: 拍摄于 2025-04-10"]
    ]


@pytest.mark.parametrize(
    "gps",
    [
        ("N", (95, 0, 0), "E", (112, 45, 0)),  # latitude out of range
        ("N", (37, 41, 0), "E", (200, 0, 0)),  # longitude out of range
        ("N", (37, 75, 0), "E", (112, 45, 0)),  # 75 minutes
        ("N", (37, 40, 60.5), "E", (112, 45, 0)),  # more than 60 seconds: no camera rounds to that
        ("N", (37, 60.5, 0), "E", (112, 45, 0)),  # more than 60 minutes
        ("N", (37, 40, IFDRational(1, 0)), "E", (112, 45, 0)),  # a rational over zero
        ("N", (90, 0, 1), "E", (112, 45, 0)),  # past the pole
        ("", (37, 41, 0), "E", (112, 45, 0)),  # no hemisphere
        ("X", (37, 41, 0), "E", (112, 45, 0)),  # no such hemisphere
        ("N", (0, 0, 0), "E", (0, 0, 0)),  # what cameras write without a fix
    ],
    ids=[
        "latitude-95",
        "longitude-200",
        "75-minutes",
        "60.5-seconds",
        "60.5-minutes",
        "over-zero",
        "past-the-pole",
        "no-ref",
        "bad-ref",
        "zero-zero",
    ],
)
def test_a_position_out_of_range_or_malformed_is_no_position(gps):
    facts = facts_of(evidence_jpeg(gps=gps, taken="2025:03:02 10:00:00"))
    assert (facts.lat, facts.lon) == (None, None)
    assert facts.taken_at is not None


@pytest.mark.parametrize(
    "taken", ["0000:00:00 00:00:00", "2025-03-02 10:00", "昨天", "2025:02:30 10:00:00", "2099:01:01 00:00:00"]
)
def test_a_malformed_or_future_time_is_no_time(taken):
    facts = facts_of(evidence_jpeg(gps=NEAR, taken=taken))
    assert facts.taken_at is None
    assert facts.lat is not None


def test_a_bad_offset_falls_back_to_beijing_time():
    assert facts_of(evidence_jpeg(taken="2025:03:02 08:00:00", offset="+25:00")).taken_at == dt.datetime(
        2025, 3, 2, 0, 0, tzinfo=UTC
    )


def jpeg_with_exif_block(block):
    """A JPEG whose APP1 Exif segment holds `block` (possibly garbage) right after the start of image."""
    output = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 20, 30)).save(output, format="JPEG")
    data = output.getvalue()
    segment = b"Exif\x00\x00" + block
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(segment) + 2) + segment + data[2:]


@pytest.mark.parametrize(
    "block",
    [
        b"II*\x00\x08\x00\x00\x00\xff\xff",  # IFD0 claims 65,535 entries
        b"MM\x00*\x00\x00\x00\x08\x00\x01\x88\x25\x00\x04\x00\x00\x00\x01\x7f\xff\xff\xff",  # GPS IFD far away
        b"not a tiff header at all",
    ],
    ids=["entry-count", "gps-offset", "garbage"],
)
def test_a_damaged_exif_block_is_no_position_no_time_and_the_photo_is_kept(
    block, client_for, yuci_editor, yuci_village, media_root
):
    data = jpeg_with_exif_block(block)
    assert facts_of(data) == evidence.Facts(None, None, None)
    assert post_update(client_for(yuci_editor), yuci_village, data).status_code == 302
    photo = Photo.objects.get()
    assert (photo.taken_lat, photo.taken_lon, photo.taken_at) == (None, None, None)


def test_the_facts_are_kept_on_the_photo_and_the_file_has_no_exif(client_for, yuci_editor, yuci_village, media_root):
    data = evidence_jpeg(gps=NEAR, taken="2025:03:02 10:00:00")
    assert post_update(client_for(yuci_editor), yuci_village, data).status_code == 302
    photo = Photo.objects.get()
    assert photo.taken_lat == pytest.approx(37.6836) and photo.taken_lon == pytest.approx(112.75)
    assert photo.taken_at == dt.datetime(2025, 3, 2, 2, 0, tzinfo=UTC)
    with photo.image.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert dict(stored.getexif()) == {}


# --- What each photo says ---------------------------------------------------------------------------


def test_a_photo_near_the_village_says_within_and_its_distance(client_for, yuci_editor, yuci_village, media_root):
    locate(yuci_village)
    client = client_for(yuci_editor)
    post_update(client, yuci_village, evidence_jpeg(gps=NEAR, taken="2025:04:10 09:00:00"))
    [marks] = marks_on_page(client, yuci_village)
    assert marks == ["ok: 拍摄于村庄 0.4 km 内", "ok: 拍摄于 2025-04-10"]


def test_a_photo_far_from_the_village_says_how_far(client_for, yuci_editor, yuci_village, media_root):
    locate(yuci_village)
    client = client_for(yuci_editor)
    post_update(client, yuci_village, evidence_jpeg(gps=FAR, taken="2025:04:10 09:00:00"))
    [marks] = marks_on_page(client, yuci_village)
    assert marks[0] == "warn: 距村庄 12.3 km"


@pytest.mark.django_db
def test_the_distance_to_the_far_side_of_the_earth_is_half_its_circumference_and_none_without_a_position(
    yuci_village, yuci_editor
):
    locate(yuci_village)
    opposite = ProgressUpdate.objects.create(
        village=yuci_village,
        date=dt.date(2025, 4, 11),
        text="x",
        created_by=yuci_editor,
        device_lat=-37.68,
        device_lon=-67.25,
    )
    unplaced = ProgressUpdate.objects.create(
        village=yuci_village, date=dt.date(2025, 4, 11), text="y", created_by=yuci_editor
    )
    distances = dict(ProgressUpdate.objects.with_evidence().values_list("pk", "device_distance_km"))
    assert distances[opposite.pk] == pytest.approx(20015.115, abs=0.001)  # π × 6,371.0088 km
    assert distances[unplaced.pk] is None


def test_a_photo_without_position_or_time_says_so(client_for, yuci_editor, yuci_village, media_root):
    locate(yuci_village)
    client = client_for(yuci_editor)
    post_update(client, yuci_village, evidence_jpeg())
    [marks] = marks_on_page(client, yuci_village)
    assert marks == ["warn: 照片无位置信息", "warn: 照片无拍摄时间"]


def test_a_photo_taken_long_before_the_update_says_how_long(client_for, yuci_editor, yuci_village, media_root):
    locate(yuci_village)
    client = client_for(yuci_editor)
    post_update(client, yuci_village, evidence_jpeg(gps=NEAR, taken="2025:03:02 10:00:00"), date="2025-04-11")
    [marks] = marks_on_page(client, yuci_village)
    assert marks[1] == "warn: 拍摄于 2025-03-02（早于填报日期 40 天）"


def test_the_taken_day_is_the_day_in_beijing(client_for, yuci_editor, yuci_village, media_root):
    client = client_for(yuci_editor)
    # 23:30 UTC on 2 March is 07:30 on 3 March in Beijing: 39 days before 11 April.
    post_update(client, yuci_village, evidence_jpeg(taken="2025:03:02 23:30:00", offset="+00:00"), date="2025-04-11")
    [marks] = marks_on_page(client, yuci_village)
    assert marks[1] == "warn: 拍摄于 2025-03-03（早于填报日期 39 天）"


def test_an_illustrative_village_location_cannot_be_checked(client_for, yuci_editor, yuci_village, media_root):
    locate(yuci_village, LocationSource.ILLUSTRATIVE)
    client = client_for(yuci_editor)
    post_update(client, yuci_village, evidence_jpeg(gps=FAR, taken="2025:04:10 09:00:00"))
    [marks] = marks_on_page(client, yuci_village)
    assert marks[0] == "unknown: 村庄位置为示意，无法核对"


def test_a_village_without_location_cannot_be_checked(client_for, yuci_editor, yuci_village, media_root):
    client = client_for(yuci_editor)
    post_update(client, yuci_village, evidence_jpeg(gps=FAR, taken="2025:04:10 09:00:00"))
    [marks] = marks_on_page(client, yuci_village)
    assert marks[0] == "unknown: 村庄尚无位置，无法核对"


def test_the_thresholds_are_settings(client_for, yuci_editor, yuci_village, media_root, settings):
    settings.EVIDENCE_MAX_DISTANCE_KM = 0.3
    settings.EVIDENCE_MAX_AGE_DAYS = 45
    locate(yuci_village)
    client = client_for(yuci_editor)
    post_update(client, yuci_village, evidence_jpeg(gps=NEAR, taken="2025:03:02 10:00:00"), date="2025-04-11")
    [marks] = marks_on_page(client, yuci_village)
    assert marks == ["warn: 距村庄 0.4 km", "ok: 拍摄于 2025-03-02"]


def test_each_photo_of_an_update_has_its_own_marks(client_for, yuci_editor, yuci_village, media_root):
    locate(yuci_village)
    client = client_for(yuci_editor)
    post_update(client, yuci_village, evidence_jpeg(gps=NEAR), evidence_jpeg(gps=FAR), evidence_jpeg())
    assert [texts(marks)[0] for marks in marks_on_page(client, yuci_village)] == [
        "拍摄于村庄 0.4 km 内",
        "距村庄 12.3 km",
        "照片无位置信息",
    ]


def test_the_marks_are_in_english_for_english_readers(client_for, yuci_editor, yuci_village, media_root):
    locate(yuci_village)
    client = client_for(yuci_editor)
    post_update(client, yuci_village, evidence_jpeg(gps=FAR, taken="2025:03:02 10:00:00"))
    client.cookies["django_language"] = "en"
    [marks] = marks_on_page(client, yuci_village)
    assert texts(marks) == ["Taken 12.3 km from the village", "Taken on 2025-03-02 (40 days before the update's date)"]


def test_city_administrators_see_the_marks_where_they_accept(
    client_for, city_admin, yuci_editor, yuci_village, media_root
):
    locate(yuci_village)
    post_update(client_for(yuci_editor), yuci_village, evidence_jpeg(gps=FAR, taken="2025:04:10 09:00:00"))
    yuci_village.refresh_from_db()
    yuci_village.status = Status.COMPLETED
    yuci_village.save()
    admin = client_for(city_admin)
    page = admin.get(f"/villages/{yuci_village.code}/").content.decode()
    assert 'id="accept-form"' in page
    assert texts(marks_on_page(admin, yuci_village)[0])[0] == "距村庄 12.3 km"


# --- 位置不符: a county's updates filtered by position -------------------------------------------------


def update_with(village, user, photos=(), device=None, text=""):
    update = ProgressUpdate.objects.create(
        village=village,
        date="2025-04-11",
        text=text,
        created_by=user,
        device_lat=device and device[0],
        device_lon=device and device[1],
    )
    for lat in photos:
        update.photos.create(
            image=SimpleUploadedFile("p.jpg", evidence_jpeg()), taken_lat=lat, taken_lon=lat and 112.75
        )
    return update


def test_the_mismatch_filter_lists_far_and_unplaced_updates(client_for, city_admin, yuci_editor, media_root, registry):
    from villages.models import Village

    located, illustrative = Village.objects.filter(county_id="140702").order_by("code")[:2]
    locate(located)
    locate(illustrative, LocationSource.ILLUSTRATIVE)
    update_with(located, yuci_editor, photos=[37.6836], text="照片在村里")
    update_with(located, yuci_editor, photos=[37.6836, 37.7907], text="一张照片在12公里外")
    update_with(located, yuci_editor, photos=[None], text="照片没有位置")
    update_with(located, yuci_editor, text="没有照片也没有手机位置")
    update_with(located, yuci_editor, device=(37.6836, 112.75), text="手机在村里")
    update_with(located, yuci_editor, device=(37.7907, 112.75), text="手机在12公里外")
    update_with(illustrative, yuci_editor, photos=[37.7907], text="示意位置的村")
    client = client_for(city_admin)

    listed = client.get("/counties/140702/updates/?location=mismatch").content.decode()
    everything = client.get("/counties/140702/updates/").content.decode()

    for text in ["一张照片在12公里外", "照片没有位置", "没有照片也没有手机位置", "手机在12公里外"]:
        assert text in listed
    for text in ["照片在村里<", "手机在村里", "示意位置的村"]:
        assert text not in listed
        assert text in everything
    assert "4 条更新" in listed and "7 条更新" in everything
    assert "填报时手机距村庄 12.3 km" in listed


def test_the_county_page_links_to_the_mismatch_filter(client_for, city_admin):
    page = client_for(city_admin).get("/counties/140702/").content.decode()
    assert 'href="/counties/140702/updates/?location=mismatch"' in page


@pytest.mark.parametrize(
    "role,expected", [("city_admin", 200), ("yuci_editor", 200), ("taigu_editor", 404), ("viewer", 200)]
)
def test_the_county_updates_list_follows_the_county_rules(request, client_for, role, expected):
    user = request.getfixturevalue(role)
    assert client_for(user).get("/counties/140702/updates/?location=mismatch").status_code == expected


def test_anonymous_users_are_sent_to_the_login_page_from_the_updates_list(registry, client):
    response = client.get("/counties/140702/updates/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
