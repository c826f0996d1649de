"""Uploaded photos: checked by their content, then re-encoded so no metadata (EXIF GPS, camera, ...) is kept.
Where and when the photo was taken are read first (villages/evidence.py) and returned with the clean file.

The file name and the browser's content type are never trusted. Pillow reads the header first, so a
decompression bomb is refused from its declared size before any pixel is decoded.
"""

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from villages import evidence

FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


def clean_photo(upload):
    """(ContentFile with the re-encoded image, evidence.Facts), or ValidationError saying what is wrong."""
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
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = image.format
            width, height = image.size
            check_dimensions(name, width, height)
            if image_format not in FORMATS:
                raise ValidationError(_("%(name)s is not a JPEG, PNG or WebP image.") % {"name": name})
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("%(name)s has too many pixels to be a photo.") % {"name": name}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("%(name)s is not a JPEG, PNG or WebP image (or it is damaged).") % {"name": name}
        ) from None
    facts = evidence.read(image)
    return ContentFile(reencode(image, image_format), name=f"photo{FORMATS[image_format]}"), facts


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


def reencode(image, image_format):
    """The pixels only, in the same format: the EXIF orientation applied, every metadata block left out."""
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
