"""Uploaded village lists kept between the admin's preview and its confirmation.

Each upload is stored under settings.IMPORT_PREVIEW_DIR by a random name the app chooses; the confirm
form posts only that token, which is checked for its shape before it names a file. Previews older than
IMPORT_PREVIEW_MAX_AGE are removed whenever a new one is stored.
"""

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

TOKEN = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class Preview:
    token: str
    filename: str
    user_id: int
    options: dict
    content: bytes


def folder():
    path = Path(settings.IMPORT_PREVIEW_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def write_private(path, data):
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def store(content, filename, user, options):
    remove_old()
    token = secrets.token_hex(16)
    base = folder()
    write_private(base / f"{token}.upload", content)
    meta = {"filename": filename, "user_id": user.pk, "options": options}
    write_private(base / f"{token}.json", json.dumps(meta, ensure_ascii=False).encode())
    return token


def load(token, user):
    """The preview stored under `token` by this user, or None (unknown, expired, or someone else's)."""
    if not isinstance(token, str) or not TOKEN.match(token):
        return None
    base = folder()
    try:
        meta = json.loads((base / f"{token}.json").read_text(encoding="utf-8"))
        content = (base / f"{token}.upload").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != user.pk:
        return None
    return Preview(token, meta["filename"], meta["user_id"], meta.get("options", {}), content)


def discard(token):
    if isinstance(token, str) and TOKEN.match(token):
        for suffix in (".upload", ".json"):
            (folder() / f"{token}{suffix}").unlink(missing_ok=True)


def remove_old(now=None):
    cutoff = (now or time.time()) - settings.IMPORT_PREVIEW_MAX_AGE
    for path in folder().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass
