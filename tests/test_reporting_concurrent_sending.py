"""`send_reminders` run twice at once, in two processes with their own database connections (two app servers
sharing PostgreSQL, or two cron jobs on one SQLite file), against a real SMTP server: every reminder is claimed once
and emailed once. A sender killed while the mail server holds its message leaves the reminder to the next run.

The SMTP server holds the first message until the second process is sending too, so that the two overlap."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from counties.models import County, Profile
from tests.conftest import make_user
from tests.reporting_helpers import designate_in
from tests.server_helpers import ROOT
from tests.smtp_helpers import smtp_server
from villages.reporting.models import Period, Reminder

EDITORS_PER_COUNTY = 3
POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture
def many_editors(transactional_db, registry):
    """An overdue period; every county of 晋中 has a village not reported and three editors with an address."""
    today = timezone.localdate()
    Period.objects.create(
        key=f"{today.year}-od",
        name="上期",
        start=today - timedelta(days=40),
        end=today - timedelta(days=10),
        deadline=today - timedelta(days=5),
    )
    for county in County.objects.filter(city_id="1407"):
        designate_in(county.code, 1)
        for index in range(EDITORS_PER_COUNTY):
            user = make_user(f"e{county.code}-{index}", Profile.Role.COUNTY_EDITOR, [county.code])
            user.email = f"{user.username}@example.org"
            user.save(update_fields=["email"])
    return County.objects.filter(city_id="1407").count() * EDITORS_PER_COUNTY


def database_url(tmp_path):
    """The URL two other processes reach this test's database with: PostgreSQL's test database, or for SQLite a file
    copy of the in-memory one (read back by `rows`)."""
    if POSTGRES:
        params = connection.get_connection_params()
        return f"postgres://{params.get('user', 'postgres')}@{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}/{connection.settings_dict['NAME']}"
    path = tmp_path / "shared.sqlite3"
    target = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"


def rows(url):
    """(user id, kind, mail state) of every reminder in the database the processes used."""
    if POSTGRES:
        return sorted(Reminder.objects.values_list("user_id", "kind", "mail"))
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        return sorted(db.execute("SELECT user_id, kind, mail FROM reporting_reminder").fetchall())


def sender(url, port):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "EMAIL_HOST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(DATABASE_URL=url, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), EMAIL_TIMEOUT="30", LANG="C.UTF-8")
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_reminders"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_senders_at_once_send_every_reminder_exactly_once(many_editors, tmp_path):
    url = database_url(tmp_path)
    # SQLite: the first sender holds the database's write lock while the server holds its message, so the wait
    # stays under SQLite's 5 s busy timeout.
    with smtp_server(hold_first_until_second=20 if POSTGRES else 2) as (mailbox, port):
        first, second = sender(url, port), sender(url, port)
        outputs = [process.communicate(timeout=300) for process in (first, second)]
        assert [process.returncode for process in (first, second)] == [0, 0], outputs
        ids = mailbox.message_ids()
        recipients = mailbox.recipients()
    assert len(ids) == many_editors and len(set(ids)) == many_editors
    assert len(set(recipients)) == many_editors
    found = rows(url)
    assert len(found) == many_editors
    assert {(kind, state) for _user, kind, state in found} == {("overdue", "sent")}
    if POSTGRES:  # both were sending at once: the second reached the mail server while the first was held there
        assert len(mailbox.senders) >= 2
    printed = " ".join(out for out, _err in outputs)
    sent = [int(text.split("本次发送邮件 ")[1].split(" ")[0]) for text, _err in outputs]
    assert sum(sent) == many_editors, printed


def test_a_sender_killed_while_sending_leaves_the_reminder_to_the_next_run_once(many_editors, tmp_path):
    url = database_url(tmp_path)
    with smtp_server(hold_first_forever=True) as (mailbox, port):
        killed = sender(url, port)
        assert mailbox.first_held.wait(120), "the sender never reached the mail server"
        killed.send_signal(signal.SIGKILL)
        killed.wait(30)
    assert mailbox.message_ids() == []
    assert {state for _user, _kind, state in rows(url)} == {"pending"}
    with smtp_server() as (mailbox, port):
        process = sender(url, port)
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert len(mailbox.message_ids()) == len(set(mailbox.message_ids())) == many_editors
    assert {state for _user, _kind, state in rows(url)} == {"sent"}
    time.sleep(0)
