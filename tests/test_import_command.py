"""`manage.py import_villages`: exit status, dry run, the error list, the history record."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.conftest import YUCI
from tests.import_helpers import csv_file, xlsx_file
from villages.models import Status, Village


@pytest.fixture
def villages(registry):
    return list(Village.objects.filter(county_id=YUCI).order_by("code")[:3])


def test_import_writes_and_records_user_and_file_name_in_the_history(city_admin, villages, tmp_path, capsys):
    path = tmp_path / "榆次区名单.xlsx"
    path.write_bytes(xlsx_file([["村代码", "状态"]] + [[v.code, "已规划"] for v in villages], title_rows=["名单"]))
    call_command("import_villages", str(path), "--user", city_admin.username)
    assert "3" in capsys.readouterr().out
    for village in villages:
        village.refresh_from_db()
        record = village.history.first()
        assert village.status == Status.PLANNED
        assert record.history_user == city_admin
        assert record.history_change_reason == "import 榆次区名单.xlsx"
        assert record.status == Status.PLANNED and record.history_type == "~"
        assert record.name == village.name and record.township_id == village.township_id
        assert record.diff_against(record.prev_record).changed_fields == ["status", "updated_by"]
        assert village.updated_by == city_admin and village.version == 2


def test_dry_run_writes_nothing(city_admin, villages, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_file([["村代码", "状态"]] + [[v.code, "已规划"] for v in villages], encoding="gbk"))
    before = Village.history.count()
    call_command("import_villages", str(path), "--user", city_admin.username, "--dry-run")
    assert Village.history.count() == before
    assert not Village.objects.exclude(status=Status.NOT_STARTED).exists()


def test_bad_file_exits_1_with_every_problem_listed(city_admin, villages, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(
        csv_file([["村代码", "状态"], [villages[0].code, "已规划"], [villages[1].code, "坏"], ["123", "已规划"]])
    )
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("import_villages", str(path), "--user", city_admin.username)
    assert error.value.returncode == 1
    assert "Row 3, column 状态" in str(error.value) and "Row 4, column 村代码" in str(error.value)
    assert not Village.objects.exclude(status=Status.NOT_STARTED).exists()


def test_crs_and_encoding_options_are_checked(city_admin, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError):
        call_command("import_villages", str(path), "--user", city_admin.username, "--crs", "mercator")
    with pytest.raises(CommandError) as error:
        call_command("import_villages", str(tmp_path / "missing.csv"), "--user", city_admin.username)
    assert "missing.csv" in str(error.value)


def test_command_help_describes_it():
    result = subprocess.run(
        [sys.executable, "manage.py", "import_villages", "--help"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "LANGUAGE": "en"},
    )
    assert result.returncode == 0 and "--dry-run" in result.stdout and "--crs" in result.stdout
