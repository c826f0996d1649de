"""`backup` and `restore`: one archive with every table and every photo; a restore gives back exactly the same."""

import io
import json
import os
import shutil
import stat
import zipfile
from datetime import date

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from PIL import Image

from counties.models import Pairing, PairingActivity
from tests.conftest import TAIGU, YUCI
from villages.models import CountyQuota, Photo, ProgressUpdate, Status, Target, Tier, Village


def every_table():
    """Every row of every table, column by column, straight from the database."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [field.attname for field in model._meta.concrete_fields]
        tables[model._meta.label] = list(model._base_manager.order_by("pk").values_list(*columns))
    return tables


def png_bytes(color):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def programme_data(media_root, city_admin, yuci_editor, taigu_editor, viewer, client_for):
    village = Village.objects.filter(county_id=YUCI).first()
    village._history_user = yuci_editor
    village.tier, village.programme_year, village.status, village.progress = Tier.SHOWCASE, 2025, Status.IN_PROGRESS, 35
    village.save()
    village.progress, village.notes = 60, "路面硬化完成"
    village.save()
    update = ProgressUpdate.objects.create(
        village=village, date=date(2025, 6, 1), text="完成路面硬化", progress=60, created_by=yuci_editor
    )
    photo = Photo.objects.create(
        update=update, image=SimpleUploadedFile("路面.png", png_bytes("green")), caption="路面"
    )
    pairing = Pairing.objects.create(
        kind=Pairing.Kind.HELP, county_a_id=YUCI, county_b_id=TAIGU, start_year=2025, committed_funds="120.50"
    )
    PairingActivity.objects.create(
        pairing=pairing, date=date(2025, 5, 3), description="考察", funds="12.25", created_by=city_admin
    )
    target = Target.objects.get(year=2025, tier=Tier.SHOWCASE, kind=Target.Kind.ANNUAL)
    target.count = 42
    target.save()
    CountyQuota.objects.create(year=2025, tier=Tier.SHOWCASE, county_id=YUCI, count=5)
    client_for(city_admin)  # a session row
    return photo


def empty_migrated_database():
    """What `migrate` leaves in a new database: no rows, but content types and permissions."""
    connection.check_constraints()  # PostgreSQL cannot empty tables with foreign key checks still pending
    call_command("flush", interactive=False, verbosity=0)


def test_restore_with_sessions_into_an_empty_database_gives_back_every_table_and_the_photos(
    programme_data, media_root, tmp_path
):
    photo_bytes = (media_root / programme_data.image.name).read_bytes()
    before = every_table()
    for table in (
        "auth.User",
        "counties.Profile",
        "counties.Profile_counties",
        "villages.HistoricalVillage",
        "villages.ProgressUpdate",
        "villages.Photo",
        "counties.Pairing",
        "villages.HistoricalTarget",
        "villages.CountyQuota",
        "sessions.Session",
    ):
        assert before[table], f"the test data should fill {table}"
    archive = tmp_path / "backup.zip"
    out = io.StringIO()
    call_command("backup", str(archive), "--include-sessions", stdout=out)
    assert str(archive) in out.getvalue()

    empty_migrated_database()
    shutil.rmtree(media_root)
    assert every_table() != before

    call_command("restore", str(archive), stdout=io.StringIO())
    after = every_table()
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], f"{table} differs after the restore"
    assert (media_root / Photo.objects.get().image.name).read_bytes() == photo_bytes


def test_restore_refuses_a_database_that_holds_data_and_changes_nothing(programme_data, media_root, tmp_path):
    archive = tmp_path / "backup.zip"
    call_command("backup", str(archive), stdout=io.StringIO())
    Village.objects.filter(county_id=TAIGU).update(notes="changed after the backup")
    before = every_table()
    with pytest.raises(CommandError, match="auth.user"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert every_table() == before


def test_backup_refuses_to_overwrite_a_file(db, tmp_path):
    existing = tmp_path / "backup.zip"
    existing.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="backup.zip"):
        call_command("backup", str(existing), stdout=io.StringIO())
    assert existing.read_bytes() == b"an older backup"


def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    bogus = tmp_path / "photos.zip"
    shutil.make_archive(str(bogus.with_suffix("")), "zip", root_dir=tmp_path, base_dir=".")
    with pytest.raises(CommandError, match="manifest.json"):
        call_command("restore", str(bogus), stdout=io.StringIO())


def test_the_backup_file_is_readable_by_its_owner_only(db, tmp_path, media_root):
    archive = tmp_path / "backup.zip"
    previous = os.umask(0)  # even when the process would create files readable by everyone
    try:
        call_command("backup", str(archive), stdout=io.StringIO())
    finally:
        os.umask(previous)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600


def failed_login(username):
    return Client(REMOTE_ADDR="10.9.8.7").post("/accounts/login/", {"username": username, "password": "wrong"})


def test_sessions_and_login_attempts_are_left_out_unless_asked_for(programme_data, media_root, tmp_path, city_admin):
    failed_login("city-admin")
    assert AccessAttempt.objects.exists() and Session.objects.exists()
    session_key = Session.objects.first().session_key
    archive = tmp_path / "backup.zip"
    call_command("backup", str(archive), stdout=io.StringIO())
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
        manifest = json.loads(opened.read("manifest.json"))
    assert not [name for name in names if name.startswith(("data/sessions.", "data/axes."))]
    assert "data/auth.user.jsonl" in names  # password hashes are in it: the file is kept like a secret
    assert not [table for table in manifest["tables"] if table.startswith(("sessions.", "axes."))]

    empty_migrated_database()
    call_command("restore", str(archive), stdout=io.StringIO())
    assert not Session.objects.exists() and not AccessAttempt.objects.exists()
    assert get_user_model().objects.filter(username="city-admin").exists()
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = session_key
    assert stolen.get("/admin/").status_code == 302  # the old session key opens nothing

    with_sessions = tmp_path / "with-sessions.zip"
    failed_login("city-admin")
    client_for_session = Client()
    client_for_session.force_login(city_admin)
    call_command("backup", str(with_sessions), "--include-sessions", stdout=io.StringIO())
    with zipfile.ZipFile(with_sessions) as opened:
        assert {"data/sessions.session.jsonl", "data/axes.accessattempt.jsonl"} <= set(opened.namelist())


# Refusals: each leaves the database and the media folder exactly as they were.


@pytest.fixture
def good_archive(programme_data, tmp_path):
    archive = tmp_path / "backup.zip"
    call_command("backup", str(archive), stdout=io.StringIO())
    return archive


def rewritten(source, target, replace=(), add=(), stored=False):
    """A copy of the archive `source` with members replaced ({name: bytes}) or added."""
    replace, add = dict(replace), dict(add)
    compression = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", compression=compression) as new:
        for name in old.namelist():
            new.writestr(name, replace.get(name, old.read(name)))
        for name, content in add.items():
            new.writestr(name, content)
    return target


def edited_manifest(archive, change):
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read("manifest.json"))
    change(manifest)
    return {"manifest.json": json.dumps(manifest)}


def files_under(folder):
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def assert_refused(archive, message, tmp_path):
    tables, files = every_table(), files_under(tmp_path)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert every_table() == tables
    assert files_under(tmp_path) == files


def test_restore_refuses_a_member_that_would_escape_the_media_folder(good_archive, media_root, tmp_path):
    escaping = rewritten(good_archive, tmp_path / "escaping.zip", add={"media/../../outside.txt": b"x"})
    empty_migrated_database()
    shutil.rmtree(media_root)
    assert_refused(escaping, "媒体文件夹以外的文件：media/../../outside.txt", tmp_path)
    assert not (tmp_path / "outside.txt").exists() and not media_root.exists()


def test_restore_refuses_an_unknown_backup_format(good_archive, tmp_path):
    future = rewritten(
        good_archive, tmp_path / "future.zip", replace=edited_manifest(good_archive, lambda m: m.update(format=2))
    )
    empty_migrated_database()
    assert_refused(future, "未知的备份格式 2：本版本系统只能读取格式 1", tmp_path)


def test_restore_refuses_a_backup_of_a_newer_version_of_the_app(good_archive, tmp_path):
    def newer(manifest):
        manifest["migrations"]["villages"].append("0099_from_the_future")

    newer_archive = rewritten(good_archive, tmp_path / "newer.zip", replace=edited_manifest(good_archive, newer))
    empty_migrated_database()
    assert_refused(newer_archive, "villages.0099_from_the_future", tmp_path)


def test_restore_refuses_a_manifest_that_is_not_json(good_archive, tmp_path):
    broken = rewritten(good_archive, tmp_path / "broken-manifest.zip", replace={"manifest.json": b"{not json"})
    empty_migrated_database()
    assert_refused(broken, "manifest.json 不是有效的 JSON", tmp_path)


def test_restore_refuses_a_truncated_zip(good_archive, tmp_path):
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good_archive.read_bytes()[: good_archive.stat().st_size // 2])
    empty_migrated_database()
    assert_refused(truncated, "无法读取 .*truncated.zip", tmp_path)


def test_restore_refuses_a_file_that_is_not_a_zip(db, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"\x00\x01 not a zip file at all " * 100)
    assert_refused(junk, "无法读取 .*junk.zip", tmp_path)


def test_restore_refuses_a_member_whose_checksum_is_wrong_and_writes_nothing(good_archive, media_root, tmp_path):
    stored = rewritten(good_archive, tmp_path / "stored.zip", stored=True)
    content = bytearray(stored.read_bytes())
    position = content.index(b'"code": "140702') + len(b'"code": "')
    content[position] ^= 0x01  # a digit 1 -> 0: still a valid row, but the bytes no longer match the CRC-32
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(content))
    empty_migrated_database()
    shutil.rmtree(media_root)
    assert_refused(damaged, "damaged.zip 已损坏（Bad CRC-32", tmp_path)
    assert files_under(tmp_path) == sorted(["backup.zip", "stored.zip", "damaged.zip"])  # no photo left behind


def test_a_boundary_restored_from_an_archive_made_before_digests_gets_its_digest(good_archive, tmp_path):
    from counties.models import CountyBoundary

    digests = dict(CountyBoundary.objects.values_list("county_id", "digest"))
    assert len(digests) == 11 and all(len(digest) == 64 for digest in digests.values())
    name = "data/counties.countyboundary.jsonl"
    with zipfile.ZipFile(good_archive) as opened:
        rows = [json.loads(line) for line in opened.read(name).splitlines()]
    for row in rows:
        del row["fields"]["digest"]
    older = "\n".join(json.dumps(row, ensure_ascii=False) for row in rows).encode()
    archive = rewritten(good_archive, tmp_path / "older.zip", replace={name: older})
    empty_migrated_database()
    call_command("restore", str(archive), stdout=io.StringIO())
    assert dict(CountyBoundary.objects.values_list("county_id", "digest")) == digests
