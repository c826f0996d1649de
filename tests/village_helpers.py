"""Shared pieces of the village page tests: villages of two counties, real image files, posting the edit form."""

import io

from PIL import ExifTags, Image

from villages.models import Photo, ProgressUpdate, Status, Tier


def designate(village, status=Status.IN_PROGRESS, progress=40):
    village.tier = Tier.UPGRADED
    village.programme_year = 2025
    village.status = status
    village.progress = progress
    village.save()
    return village


def jpeg_bytes(size=(64, 48), gps=True, noise=False):
    if noise:
        image = Image.frombytes("RGB", size, bytes((i * 7919) % 251 for i in range(size[0] * size[1] * 3)))
    else:
        image = Image.new("RGB", size, (30, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "TestCamera"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (37.0, 41.0, 52.0), 3: "E", 4: (112.0, 45.0, 10.0)}
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


def evidence_jpeg(gps=None, taken=None, offset=None, size=(64, 48)):
    """A real JPEG with the EXIF a phone camera writes: gps=(lat ref, (d, m, s), lon ref, (d, m, s)), taken as
    DateTimeOriginal ("2025:03:02 10:00:00"), offset as OffsetTimeOriginal ("+08:00")."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    if gps:
        lat_ref, lat, lon_ref, lon = gps
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: lat_ref,
            ExifTags.GPS.GPSLatitude: lat,
            ExifTags.GPS.GPSLongitudeRef: lon_ref,
            ExifTags.GPS.GPSLongitude: lon,
        }
    details = {}
    if taken:
        details[ExifTags.Base.DateTimeOriginal] = taken
    if offset:
        details[ExifTags.Base.OffsetTimeOriginal] = offset
    if details:
        exif[ExifTags.IFD.Exif] = details
    output = io.BytesIO()
    Image.new("RGB", size, (90, 140, 60)).save(output, format="JPEG", exif=exif)
    return output.getvalue()


def photo_on(village, media_root, user=None):
    from django.core.files.base import ContentFile

    update = ProgressUpdate.objects.create(village=village, date="2025-06-01", text="路面硬化", created_by=user)
    return Photo.objects.create(update=update, image=ContentFile(jpeg_bytes(gps=False), name="x.jpg"))


def edit_data(village, **changes):
    """What the edit page would post for this village unchanged, with the given changes."""
    village.refresh_from_db()
    data = {
        "version": village.version,
        "status": village.status,
        "progress": village.progress,
        "planned_investment": village.planned_investment or "",
        "actual_investment": village.actual_investment or "",
        "main_works": village.main_works,
        "contact_name": village.contact_name,
        "contact_phone": village.contact_phone,
        "notes": village.notes,
        "tier": village.tier,
        "programme_year": village.programme_year or "",
        "location_lat": "" if village.lat is None else village.lat,
        "location_lon": "" if village.lon is None else village.lon,
        "coordinate_system": "wgs84",
    }
    data.update(changes)
    return data
