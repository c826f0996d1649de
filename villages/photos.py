"""Uploaded photos: checked by their content, then re-encoded so no metadata (EXIF GPS, camera, ...) is kept.
Where and when the photo was taken are read first (villages/evidence.py) and returned with the clean file.

The file name and the browser's content type are never trusted. Pillow reads the header first, so a photo too
large in pixels (alone, or with the other photos of the same update) is refused from its declared size before
any pixel is decoded. Photos are then decoded one at a time per process, at reduced size where the format
allows it (JPEG scales while decoding), and stored at most PHOTO_STORED_SIDE pixels on their long side.
"""

import io
import math
import threading
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from villages import evidence

FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
# One decode at a time in each process: a 50-megapixel photo takes 200 MB and half a second of a core while
# it is decoded, and the other threads of the process keep answering meanwhile.
DECODING = threading.Lock()
# Pillow allocates pixels in blocks (16 MB by default). Blocks over glibc's largest mmap threshold (32 MB) are
# mapped on their own and returned to the system when freed; smaller ones stay in each thread's heap, so every
# thread that ever decoded a large photo would keep its 200 MB. (Pillow's PILLOW_BLOCK_SIZE, set here.)
Image.core.set_block_size(64 * 1024 * 1024)


def damaged(name):
    return ValidationError(_("%(name)s is not a JPEG, PNG or WebP image (or it is damaged).") % {"name": name})


def open_photo(upload):
    """The photo with only its header read: size of the file, format and dimensions checked, no pixel decoded."""
    name = upload.name
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is %(size).1f MB; a photo may be at most %(limit)g MB.")
            % {
                "name": name,
                "size": upload.size / 1024 / 1024,
                "limit": round(settings.PHOTO_MAX_BYTES / 1024 / 1024, 1),
            }
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("%(name)s has too many pixels to be a photo.") % {"name": name}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise damaged(name) from None
    check_dimensions(name, *image.size)
    if image.format not in FORMATS:
        raise ValidationError(_("%(name)s is not a JPEG, PNG or WebP image.") % {"name": name})
    return image


def check_dimensions(name, width, height):
    if width * height > settings.PHOTO_MAX_PIXELS or max(width, height) > settings.PHOTO_MAX_SIDE:
        raise ValidationError(
            _(
                "%(name)s is %(width)d × %(height)d pixels; a photo may have at most %(side)d pixels on a side and %(megapixels)d megapixels."
            )
            % {
                "name": name,
                "width": width,
                "height": height,
                "side": settings.PHOTO_MAX_SIDE,
                "megapixels": settings.PHOTO_MAX_PIXELS // 1_000_000,
            }
        )


def check_request_pixels(uploads):
    """ValidationError when the photos of one update add up to more pixels than PHOTO_REQUEST_MAX_PIXELS,
    from their headers alone. Photos that fail their own checks are left to clean_photo."""
    total = 0
    for upload in uploads:
        try:
            with open_photo(upload) as image:
                total += image.width * image.height
        except ValidationError:
            continue
    if total > settings.PHOTO_REQUEST_MAX_PIXELS:
        raise ValidationError(
            _(
                "These photos have %(megapixels)d megapixels together; one update may have at most %(limit)d. Send fewer or smaller photos, or add them in several updates."
            )
            % {"megapixels": round(total / 1_000_000), "limit": settings.PHOTO_REQUEST_MAX_PIXELS // 1_000_000}
        )


def clean_photo(upload):
    """(ContentFile with the re-encoded image, evidence.Facts), or ValidationError saying what is wrong.

    Where and when the photo was taken is read from its EXIF before the re-encoding drops every metadata block."""
    image = open_photo(upload)
    image_format = image.format
    facts = evidence.read(image)
    with DECODING, image:
        try:
            pixels = decode_reduced(image)
            if pixels is not image:
                image.close()  # the full-size pixels are freed before re-encoding
            data = reencode(pixels, image_format)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(_("%(name)s has too many pixels to be a photo.") % {"name": upload.name}) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise damaged(upload.name) from None
    return ContentFile(data, name=f"photo{FORMATS[image_format]}"), facts


def decode_reduced(image):
    """The pixels, at most PHOTO_STORED_SIDE on the long side: a JPEG is scaled while it is decoded (draft),
    other formats are decoded and then reduced by a whole factor before the final resampling."""
    side = settings.PHOTO_STORED_SIDE
    if image.format == "JPEG" and max(image.size) > side:
        scale = side / max(image.size)
        mode = image.mode if image.mode in ("L", "RGB") else "RGB"
        image.draft(mode, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    image.load()
    factor = max(image.size) // side
    if factor > 1:
        image = image.reduce(factor)
    if max(image.size) > side:
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return image


def reencode(image, image_format):
    """The pixels only, in the same format: the EXIF orientation applied, every metadata block left out."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a damaged EXIF block: no orientation to apply
        image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    if image_format == "JPEG" and image.mode != "L":
        image = image.convert("RGB")
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    output = io.BytesIO()
    options = {"quality": 88} if image_format in ("JPEG", "WEBP") else {}
    clean.save(output, format=image_format, **options)
    return output.getvalue()
