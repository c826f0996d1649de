"""One-file backup and restore of everything the app holds.

An archive is a zip file with
- data/<app_label>.<model>.jsonl: every row of every table of every installed app (registry, villages, users and
  roles with their password hashes, history tables, many-to-many link tables...), one JSON object a line, primary
  keys kept. Sessions and login-attempt records (live session keys, addresses) only when asked for;
- media/...: every file under MEDIA_ROOT (the uploaded photos);
- manifest.json: row counts per table, file count, the applied migrations and the app version.

Tables are found through the app registry, so models added later are backed up without any change here.
The file is written readable by its owner only (mode 0600): it holds password hashes.
"""

import datetime
import decimal
import json
import os
import subprocess
import uuid
import zipfile
import zlib
from itertools import islice
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.translation import gettext as _

from villages import extensions

FORMAT = 1
MANIFEST = "manifest.json"
DATA_PREFIX = "data/"
MEDIA_PREFIX = "media/"
CHUNK = 1000
# Tables that `migrate` fills by itself (content types, permissions, data migrations). A restore replaces them.
FILLED_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission"}
# Live sessions (a session key opens the app as its user) and login attempts: left out unless asked for.
SESSION_APPS = {"sessions", "axes"}
# What reading a damaged archive raises, besides BadZipFile (a member that does not inflate or ends early).
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError)


class BackupError(Exception):
    pass


def backed_up_models(include_sessions=True):
    """Every table: all concrete models of all installed apps, with the auto-created many-to-many tables."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and (include_sessions or model._meta.app_label not in SESSION_APPS)
    ]


def label(model):
    return model._meta.label_lower


def encode(value):
    # Unlike DjangoJSONEncoder, keep microseconds: a restore must give back exactly what was saved.
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in a backup")


def applied_migrations(using):
    recorder = MigrationRecorder(connections[using])
    applied = {}
    for app_label, name in sorted(recorder.applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def app_version():
    try:
        result = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except OSError:
        return "unknown"
    return result.stdout.strip() or "unknown"


def media_files():
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    previews = Path(settings.IMPORT_PREVIEW_DIR).resolve()
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.resolve().is_relative_to(previews))


def write_rows(archive, model, using):
    """Write one table as JSON lines; return its row count."""
    fields = [field.name for field in model._meta.local_fields]
    rows = model._base_manager.using(using).order_by("pk").iterator(chunk_size=CHUNK)
    count = 0
    with archive.open(f"{DATA_PREFIX}{label(model)}.jsonl", "w", force_zip64=True) as out:
        while chunk := list(islice(rows, CHUNK)):
            for record in serializers.serialize("python", chunk, fields=fields):
                out.write(json.dumps(record, default=encode, ensure_ascii=False).encode() + b"\n")
            count += len(chunk)
    return count


def private_file(path):
    """A new file that only its owner may read (it holds password hashes)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(_("%(path)s already exists: choose a new file name.") % {"path": path}) from None
    os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "wb")


def backup(path, using=DEFAULT_DB_ALIAS, include_sessions=False):
    """Write the database and MEDIA_ROOT to a new zip file at `path` (mode 0600); return the manifest.

    Sessions and login attempts are left out unless include_sessions is true."""
    path = Path(path)
    if path.exists():
        raise BackupError(_("%(path)s already exists: choose a new file name.") % {"path": path})
    partial = path.with_name(path.name + ".partial")
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "app_version": app_version(),
        "django_version": django.get_version(),
        "database": connections[using].vendor,
        "sessions_included": include_sessions,
        "tables": {},
    }
    try:
        with private_file(partial) as out, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            outermost = not connections[using].in_atomic_block
            with transaction.atomic(using=using):
                if outermost and connections[using].vendor == "postgresql":
                    # One consistent snapshot even while people keep working.
                    with connections[using].cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                manifest["migrations"] = applied_migrations(using)
                for model in backed_up_models(include_sessions):
                    manifest["tables"][label(model)] = write_rows(archive, model, using)
            root = Path(settings.MEDIA_ROOT)
            files = media_files()
            for file in files:
                archive.write(file, MEDIA_PREFIX + file.relative_to(root).as_posix())
            manifest["media_files"] = len(files)
            manifest["media_bytes"] = sum(file.stat().st_size for file in files)
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def read_manifest(archive):
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError(
            _("This file is not a backup of this app: it has no %(name)s.") % {"name": MANIFEST}
        ) from None
    except ValueError:
        raise BackupError(_("The archive's %(name)s is not valid JSON.") % {"name": MANIFEST}) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            _("Unknown backup format %(format)r: this version of the app reads format %(expected)d.")
            % {"format": manifest.get("format") if isinstance(manifest, dict) else None, "expected": FORMAT}
        )
    if not isinstance(manifest.get("tables"), dict) or not isinstance(manifest.get("migrations"), dict):
        raise BackupError(_("The archive's %(name)s lacks its tables or migrations.") % {"name": MANIFEST})
    return manifest


def media_members(archive):
    root = Path(settings.MEDIA_ROOT).resolve()
    members = {}
    for name in archive.namelist():
        if not name.startswith(MEDIA_PREFIX) or name.endswith("/"):
            continue
        relative = PurePosixPath(name.removeprefix(MEDIA_PREFIX))
        target = (root / relative).resolve()
        if relative.is_absolute() or ".." in relative.parts or not target.is_relative_to(root):
            raise BackupError(_("The archive holds a file outside the media folder: %(name)s.") % {"name": name})
        members[name] = target
    return members


def check_restorable(archive, manifest, using):
    missing = {
        f"{app_label}.{name}"
        for app_label, names in manifest["migrations"].items()
        for name in names
        if name not in applied_migrations(using).get(app_label, [])
    }
    if missing:
        raise BackupError(
            _(
                "The archive comes from a newer version of the app: run `migrate` with that version first. Missing migrations: %(names)s."
            )
            % {"names": ", ".join(sorted(missing))}
        )
    known = {label(model) for model in backed_up_models()}
    unknown = sorted(set(manifest["tables"]) - known)
    if unknown:
        raise BackupError(_("This version of the app has no table for: %(tables)s.") % {"tables": ", ".join(unknown)})
    filled = [
        f"{label(model)} ({count})"
        for model in backed_up_models()
        if label(model) not in FILLED_BY_MIGRATE and (count := model._base_manager.using(using).count())
    ]
    if filled:
        raise BackupError(
            _(
                "The database is not empty, nothing was restored. Restore only into a new database on which `migrate` has run. Tables with rows: %(tables)s."
            )
            % {"tables": ", ".join(filled)}
        )
    for name, target in media_members(archive).items():
        if target.exists() and target.read_bytes() != archive.read(name):
            raise BackupError(_("%(path)s already exists with other content, nothing was restored.") % {"path": target})


def moved(record):
    """A row of an archive made before its model moved to another app (villages.extensions.moved_models), as the
    app names it now; content types follow their models."""
    record["model"] = extensions.moved_models.get(record["model"], record["model"])
    if record["model"] == "contenttypes.contenttype":
        fields = record["fields"]
        now = extensions.moved_models.get(f"{fields['app_label']}.{fields['model']}")
        if now:
            fields["app_label"] = now.split(".")[0]
    return record


def load_rows(archive, model, using, archived_as):
    name = f"{DATA_PREFIX}{archived_as}.jsonl"
    count = 0
    if name not in archive.namelist():
        raise BackupError(_("The manifest lists %(name)s, but the archive does not hold it.") % {"name": name})
    with archive.open(name) as lines:
        records = (moved(json.loads(line)) for line in lines)
        try:
            for row in serializers.deserialize("python", records, using=using):
                row.save(using=using, force_insert=True)
                count += 1
        except (DeserializationError, ValueError, KeyError, TypeError) as error:
            raise BackupError(
                _("%(name)s, row %(row)d: %(error)s") % {"name": name, "row": count + 1, "error": error}
            ) from None
    return count


def refresh_content_types(using):
    """Clear cached content types and add those of models that the archive did not know yet."""
    if not apps.is_installed("django.contrib.contenttypes"):
        return
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0, using=using)
        if apps.is_installed("django.contrib.auth"):
            from django.contrib.auth.management import create_permissions

            create_permissions(app_config, verbosity=0, using=using)


def restore(path, using=DEFAULT_DB_ALIAS):
    """Load an archive made by backup() into an empty, migrated database and MEDIA_ROOT; return its manifest."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}) from None
    try:
        with archive:
            return restore_archive(archive, using)
    except DAMAGED as error:
        raise BackupError(
            _("%(path)s is damaged (%(error)s); nothing was restored.") % {"path": path, "error": error}
        ) from None


def restore_archive(archive, using):
    """Check the archive against the database, then write its photos and rows, all or nothing."""
    manifest = read_manifest(archive)
    archived_as = {extensions.moved_models.get(name, name): name for name in manifest["tables"]}
    manifest["tables"] = {now: manifest["tables"][name] for now, name in archived_as.items()}
    check_restorable(archive, manifest, using)
    written = []
    try:
        for name, target in media_members(archive).items():
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
                written.append(target)
        models = [model for model in backed_up_models() if label(model) in manifest["tables"]]
        with transaction.atomic(using=using):
            for model in backed_up_models():
                if label(model) in FILLED_BY_MIGRATE:
                    model._base_manager.using(using).all()._raw_delete(using)
            for model in models:
                count = load_rows(archive, model, using, archived_as[label(model)])
                if count != manifest["tables"][label(model)]:
                    raise BackupError(
                        _("%(table)s: %(count)d rows in the archive, the manifest says %(expected)d.")
                        % {"table": label(model), "count": count, "expected": manifest["tables"][label(model)]}
                    )
            with connections[using].cursor() as cursor:
                for sql in connections[using].ops.sequence_reset_sql(no_style(), backed_up_models()):
                    cursor.execute(sql)
            refresh_content_types(using)
    except BaseException:
        for target in written:
            target.unlink(missing_ok=True)
        raise
    return manifest
