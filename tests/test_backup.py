"""`backup` and `restore`: one archive with every table and every photo; a restore gives back exactly the same."""

import io
import shutil
from datetime import date

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
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


def test_restore_into_an_empty_database_gives_back_every_table_and_the_photos(programme_data, media_root, tmp_path):
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
    call_command("backup", str(archive), stdout=out)
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
