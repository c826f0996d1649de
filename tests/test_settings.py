"""Settings come from the environment and fail with one line that names the problem."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    environment = {
        key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DEBUG", "SECRET_KEY")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_unknown_boolean_value_gets_a_one_line_error():
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert (
        result.stderr.strip()
        == "Configuration error: DEBUG='maybe' is not a boolean; use 1/0, true/false, yes/no or on/off."
    )


def test_production_without_secret_key_is_refused():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert result.stderr.strip() == "Configuration error: SECRET_KEY must be set when DEBUG is off."


def test_an_unreachable_database_gets_a_one_line_error():
    # Port 1 on loopback: nothing listens there, with or without a PostgreSQL server on this machine.
    result = manage("migrate", DATABASE_URL="postgres://postgres@127.0.0.1:1/villages")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Database error: connection failed")
    assert '"127.0.0.1", port 1 failed: Connection refused' in lines[0]


def test_sqlite_is_the_default_and_language_is_chinese():
    from django.conf import settings

    if not os.environ.get("DATABASE_URL"):
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
