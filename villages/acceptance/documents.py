"""Evidence files (佐证资料) checked by their content, never by their name or the browser's content type alone.

Photos (JPEG, PNG, WebP) go through the photo pipeline (villages.photos.clean_photo: checked, re-encoded, no
metadata kept). Documents: PDF by its signature; DOCX and XLSX are zip packages whose [Content_Types].xml must
declare the main part the name promises. Macro-enabled packages (a vbaProject.bin part, or a docm / xlsm
content type) are refused whatever they are called. Only [Content_Types].xml is decompressed, and only when it
is small, so a hostile file costs little memory.
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from villages.acceptance.models import Evidence
from villages.photos import clean_photo

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
CONTENT_TYPES_PART = "[Content_Types].xml"
CONTENT_TYPES_MAX_BYTES = 512 * 1024
MAIN_PARTS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
MACRO_MARKERS = ("macroenabled", "vbaproject", "vnd.ms-office.activex", "vnd.ms-excel.intl-macrosheet")


@dataclass
class CheckedFile:
    content: ContentFile
    name: str  # as the county named it
    kind: str
    size: int


def check_evidence(upload):
    """A CheckedFile, or ValidationError naming the file and saying what is wrong with it."""
    name = PurePath(upload.name).name
    suffix = PurePath(name).suffix.lower()
    if suffix in PHOTO_SUFFIXES:
        content, _facts = clean_photo(upload)
        return CheckedFile(content, name, Evidence.Kind.PHOTO, content.size)
    kind = suffix.lstrip(".")
    if kind not in ("pdf", "docx", "xlsx"):
        raise ValidationError(
            _("%(name)s: only photos (JPEG, PNG, WebP) and PDF, DOCX or XLSX documents are accepted.") % {"name": name}
        )
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is %(size).1f MB; a document may be at most %(limit)g MB.")
            % {"name": name, "size": upload.size / 2**20, "limit": round(settings.EVIDENCE_MAX_BYTES / 2**20, 1)}
        )
    upload.seek(0)
    data = upload.read()
    if kind == "pdf":
        if not data.startswith(b"%PDF-"):
            raise ValidationError(_("%(name)s is not a PDF file.") % {"name": name})
    else:
        check_package(name, kind, data)
    return CheckedFile(ContentFile(data, name=f"evidence.{kind}"), name, kind, len(data))


def check_package(name, kind, data):
    not_what_it_says = ValidationError(
        _("%(name)s is not a %(kind)s file (its content is something else).") % {"name": name, "kind": kind.upper()}
    )
    if not data.startswith(b"PK\x03\x04"):
        raise not_what_it_says
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            info = package.getinfo(CONTENT_TYPES_PART)
            if info.file_size > CONTENT_TYPES_MAX_BYTES:
                raise not_what_it_says
            content_types = package.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, NotImplementedError, RuntimeError):
        raise not_what_it_says from None
    declared = declared_content_types(content_types)
    if declared is None:
        raise not_what_it_says
    if any(marker in text for text in declared | {n.lower() for n in names} for marker in MACRO_MARKERS):
        raise ValidationError(
            _("%(name)s contains macros (a macro-enabled document); save it without macros as .docx or .xlsx.")
            % {"name": name}
        )
    if MAIN_PARTS[kind] not in declared:
        raise not_what_it_says


def declared_content_types(xml):
    """The content types a package declares, lower case, or None when [Content_Types].xml is not readable."""
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        return None
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return None
    return {element.get("ContentType", "").lower() for element in root}
