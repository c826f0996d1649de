"""Photo evidence: checked by content, re-encoded without metadata, stored with a random name, shown only to who may see the village."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.village_helpers import jpeg_bytes
from villages.models import Photo, ProgressUpdate

GPS_IFD = 0x8825


def files_under(root):
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def post_update(client, village, *uploads, progress=""):
    return client.post(
        f"/villages/{village.code}/updates/new/",
        {"date": "2025-06-03", "text": "村道硬化完成", "progress": progress, "photos": list(uploads)},
    )


def test_a_real_jpeg_is_stored_without_its_gps_and_camera_metadata(client_for, yuci_editor, yuci_village, media_root):
    original = jpeg_bytes()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test file really carries a GPS position
    client = client_for(yuci_editor)
    response = post_update(
        client, yuci_village, SimpleUploadedFile("IMG_0001.jpg", original, "image/jpeg"), progress="55"
    )
    assert response.status_code == 302
    photo = Photo.objects.get()
    stored = files_under(media_root)
    assert len(stored) == 1 and "IMG_0001" not in stored[0].name and len(stored[0].stem) == 32
    served = client.get(f"/photos/{photo.pk}/")
    assert served["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert dict(image.getexif()) == {} and "exif" not in image.info
    assert yuci_village.__class__.objects.get(pk=yuci_village.pk).progress == 55


def test_png_and_webp_are_accepted(client_for, yuci_editor, yuci_village, media_root):
    uploads = []
    for image_format, name in [("PNG", "a.png"), ("WEBP", "b.webp")]:
        output = io.BytesIO()
        Image.new("RGBA", (20, 10), (200, 10, 10, 128)).save(output, format=image_format)
        uploads.append(SimpleUploadedFile(name, output.getvalue()))
    assert post_update(client_for(yuci_editor), yuci_village, *uploads).status_code == 302
    assert sorted(path.suffix for path in files_under(media_root)) == [".png", ".webp"]


def refused(response, media_root, *words):
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["photos"])
    assert all(word in errors for word in words), errors
    assert files_under(media_root) == []
    assert not ProgressUpdate.objects.exists() and not Photo.objects.exists()
    return errors


def test_a_text_file_renamed_jpg_is_refused_and_nothing_is_stored(client_for, yuci_editor, yuci_village, media_root):
    fake = SimpleUploadedFile("photo.jpg", "这不是图片，只是文字。".encode(), "image/jpeg")
    refused(post_update(client_for(yuci_editor), yuci_village, fake), media_root, "photo.jpg")


def test_an_oversize_file_is_refused_and_nothing_is_stored(client_for, yuci_editor, yuci_village, media_root, settings):
    settings.PHOTO_MAX_BYTES = 512 * 1024
    big = jpeg_bytes(size=(1400, 1400), noise=True)
    assert len(big) > settings.PHOTO_MAX_BYTES
    refused(
        post_update(client_for(yuci_editor), yuci_village, SimpleUploadedFile("big.jpg", big)),
        media_root,
        "big.jpg",
        "MB",
    )


def test_a_decompression_bomb_is_refused_and_nothing_is_stored(client_for, yuci_editor, yuci_village, media_root):
    output = io.BytesIO()
    Image.new("1", (30000, 30000)).save(output, format="PNG")  # 900 megapixels in a small file
    assert len(output.getvalue()) < 1024 * 1024
    refused(
        post_update(client_for(yuci_editor), yuci_village, SimpleUploadedFile("bomb.png", output.getvalue())),
        media_root,
        "bomb.png",
    )


def test_too_large_dimensions_are_refused(client_for, yuci_editor, yuci_village, media_root, settings):
    settings.PHOTO_MAX_SIDE = 50
    upload = SimpleUploadedFile("wide.jpg", jpeg_bytes(size=(64, 48)))
    refused(post_update(client_for(yuci_editor), yuci_village, upload), media_root, "wide.jpg", "64")


def test_one_bad_file_among_good_ones_stores_nothing(client_for, yuci_editor, yuci_village, media_root):
    good = SimpleUploadedFile("good.jpg", jpeg_bytes())
    bad = SimpleUploadedFile("bad.jpg", b"GIF89a not really")
    refused(post_update(client_for(yuci_editor), yuci_village, good, bad), media_root, "bad.jpg")


def test_photos_are_shown_only_to_users_who_may_see_the_village(
    client_for, yuci_editor, taigu_editor, viewer, yuci_village, media_root
):
    post_update(client_for(yuci_editor), yuci_village, SimpleUploadedFile("a.jpg", jpeg_bytes()))
    photo = Photo.objects.get()
    assert client_for(viewer).get(f"/photos/{photo.pk}/").status_code == 200
    assert client_for(taigu_editor).get(f"/photos/{photo.pk}/").status_code == 404
    assert str(media_root) not in client_for(viewer).get(f"/villages/{yuci_village.code}/").content.decode()


def test_a_future_date_is_refused(client_for, yuci_editor, yuci_village, media_root):
    response = client_for(yuci_editor).post(
        f"/villages/{yuci_village.code}/updates/new/", {"date": "2099-01-01", "text": "x"}
    )
    assert response.status_code == 200 and response.context["form"].errors["date"]
    assert not ProgressUpdate.objects.exists()


def encoded(image, image_format, **options):
    output = io.BytesIO()
    image.save(output, format=image_format, **options)
    return output.getvalue()


def stored_image(media_root):
    (path,) = files_under(media_root)
    return Image.open(path)


def test_a_large_jpeg_is_stored_at_the_stored_size_upright(client_for, yuci_editor, yuci_village, media_root, settings):
    settings.PHOTO_STORED_SIDE = 100
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: the picture is to be rotated 90° clockwise
    original = encoded(Image.new("RGB", (800, 600), (30, 120, 60)), "JPEG", exif=exif)
    response = post_update(client_for(yuci_editor), yuci_village, SimpleUploadedFile("turned.jpg", original))
    assert response.status_code == 302
    image = stored_image(media_root)
    assert image.format == "JPEG" and image.size == (75, 100)  # 600 x 800 upright, scaled to 100 on its long side
    assert dict(image.getexif()) == {}


def test_a_large_png_is_reduced_to_the_stored_size(client_for, yuci_editor, yuci_village, media_root, settings):
    settings.PHOTO_STORED_SIDE = 100
    original = encoded(Image.new("RGB", (1000, 250), (200, 10, 10)), "PNG")
    assert (
        post_update(client_for(yuci_editor), yuci_village, SimpleUploadedFile("wide.png", original)).status_code == 302
    )
    image = stored_image(media_root)
    assert image.format == "PNG" and image.size == (100, 25)
    assert image.getpixel((50, 12)) == (200, 10, 10)


def test_photos_adding_up_to_more_than_the_pixel_budget_of_an_update_are_refused_from_their_headers(
    client_for, yuci_editor, yuci_village, media_root, settings
):
    settings.PHOTO_REQUEST_MAX_PIXELS = 2_000_000  # three photos of 0.9 megapixels: 2.7 together
    uploads = [
        SimpleUploadedFile(f"{number}.png", encoded(Image.new("RGB", (1200, 750)), "PNG")) for number in range(3)
    ]
    response = post_update(client_for(yuci_editor), yuci_village, *uploads)
    refused(response, media_root, "这些照片共 3 百万像素", "每条进展最多 2 百万像素")


def test_photos_within_the_pixel_budget_are_all_stored(client_for, yuci_editor, yuci_village, media_root, settings):
    settings.PHOTO_REQUEST_MAX_PIXELS = 2_000_000
    uploads = [SimpleUploadedFile(f"{n}.png", encoded(Image.new("RGB", (1200, 750)), "PNG")) for n in range(2)]
    assert post_update(client_for(yuci_editor), yuci_village, *uploads).status_code == 302
    assert len(files_under(media_root)) == 2
