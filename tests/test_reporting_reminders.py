"""催报: reminders due before the deadline and when overdue go to each county editor who owns a missing report, once
per period, user and kind however often sending runs; the mail server down leaves them pending for the next run;
the city's 催报 for one county, once a day; the bell and the notice list."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from counties.models import Profile
from tests.conftest import TAIGU, YUCI, make_user
from tests.reporting_helpers import designate_in, no_change_received
from tests.server_helpers import free_port
from tests.smtp_helpers import smtp_server, smtp_settings
from villages.reporting import reminders
from villages.reporting.models import Bulletin, Period, Reminder, Rules, Urge


def editor(username, county, address=True):
    user = make_user(username, Profile.Role.COUNTY_EDITOR, [county])
    if address:
        user.email = f"{username}@example.org"
        user.save(update_fields=["email"])
    return user


@pytest.fixture
def overdue(registry):
    """A period whose deadline passed five days ago: 榆次 has a village not reported, 太谷 reported all."""
    today = timezone.localdate()
    period = Period.objects.create(
        key=f"{today.year}-od",
        name="上期",
        start=today - timedelta(days=40),
        end=today - timedelta(days=10),
        deadline=today - timedelta(days=5),
    )
    designate_in(YUCI, 2)
    taigu = designate_in(TAIGU, 1)
    no_change_received(taigu[0], period, timezone.now() - timedelta(days=12))
    return period


def test_overdue_reminders_go_to_the_editors_of_counties_with_missing_reports_once(overdue, mailoutbox):
    yuci_a, yuci_b, taigu = editor("yuci-a", YUCI), editor("yuci-b", YUCI), editor("taigu-a", TAIGU)
    outcome = reminders.send_reminders()
    assert (outcome.due, outcome.claimed, outcome.sent, outcome.already) == (2, 2, 2, 0)
    assert sorted(message.to[0] for message in mailoutbox) == [yuci_a.email, yuci_b.email]
    assert "逾期催报" in mailoutbox[0].subject and "还有 2 个村未报" in mailoutbox[0].subject
    assert Reminder.objects.filter(user=taigu).count() == 0
    again = reminders.send_reminders()
    assert (again.due, again.claimed, again.sent, again.already) == (2, 0, 0, 2)
    assert len(mailoutbox) == 2
    assert set(Reminder.objects.values_list("kind", "mail", "missing")) == {("overdue", "sent", 2)}


def test_the_reminder_before_the_deadline_follows_the_days_the_city_set(registry, mailoutbox):
    today = timezone.localdate()
    period = Period.objects.create(
        key=f"{today.year}-due",
        name="本期",
        start=today - timedelta(days=30),
        end=today - timedelta(days=1),
        deadline=today + timedelta(days=4),
    )
    designate_in(YUCI, 1)
    editor("yuci-a", YUCI)
    assert reminders.send_reminders().due == 0  # the default is 3 days before
    Rules.objects.create(city_id="1407", remind_days_before=5, praise_at_least=100, criticise_below=80)
    assert reminders.send_reminders().sent == 1
    assert Reminder.objects.get().kind == Reminder.Kind.DUE and Reminder.objects.get().period == period
    assert "截止" in mailoutbox[0].subject


def test_an_editor_without_an_email_address_gets_the_notice_only(overdue, mailoutbox):
    editor("yuci-a", YUCI, address=False)
    outcome = reminders.send_reminders()
    assert (outcome.sent, outcome.no_address) == (0, 1)
    assert Reminder.objects.get().mail == Reminder.Mail.NO_ADDRESS and mailoutbox == []
    assert reminders.send_reminders().no_address == 0  # not tried again


def test_the_command_prints_what_it_sent_and_what_was_sent_already(overdue, mailoutbox, capsys):
    editor("yuci-a", YUCI)
    call_command("send_reminders")
    call_command("send_reminders")
    out = capsys.readouterr().out.splitlines()
    assert "本次发送邮件 1 封；此前已发送 0 封" in out[0]
    assert "本次发送邮件 0 封；此前已发送 1 封" in out[1]


def test_with_the_mail_server_absent_the_reminder_waits_and_goes_out_on_the_next_run(overdue, settings):
    editor("yuci-a", YUCI)
    smtp_settings(settings, free_port())  # nothing listens there
    outcome = reminders.send_reminders()
    assert (outcome.claimed, outcome.sent, outcome.waiting) == (1, 0, 1)
    reminder = Reminder.objects.get()
    assert reminder.mail == Reminder.Mail.PENDING and reminder.mail_attempts == 1 and reminder.mail_error
    with smtp_server() as (mailbox, port):
        smtp_settings(settings, port)
        outcome = reminders.send_reminders()
        assert (outcome.claimed, outcome.sent, outcome.waiting) == (0, 1, 0)
        assert mailbox.recipients() == ["yuci-a@example.org"]
        assert reminders.send_reminders().sent == 0
        assert len(mailbox.messages) == 1


def test_a_mail_server_that_refuses_leaves_the_reminder_pending_with_its_answer(overdue, settings):
    editor("yuci-a", YUCI)
    editor("yuci-b", YUCI)
    with smtp_server(refuse=True) as (mailbox, port):
        smtp_settings(settings, port)
        outcome = reminders.send_reminders()
    assert (outcome.sent, outcome.waiting) == (0, 2)
    assert "554" in Reminder.objects.order_by("pk").first().mail_error
    assert set(Reminder.objects.values_list("mail", flat=True)) == {Reminder.Mail.PENDING}
    with smtp_server() as (mailbox, port):
        smtp_settings(settings, port)
        assert reminders.send_reminders().sent == 2
        assert sorted(mailbox.recipients()) == ["yuci-a@example.org", "yuci-b@example.org"]
        assert len(set(mailbox.message_ids())) == 2


def test_a_mail_server_failing_mid_batch_keeps_what_it_took_sent_and_the_rest_pending(overdue, settings):
    for index in range(5):
        editor(f"yuci-{index}", YUCI)
    with smtp_server(refuse_after=2) as (mailbox, port):
        smtp_settings(settings, port)
        outcome = reminders.send_reminders()
        accepted = mailbox.message_ids()
    assert (outcome.due, outcome.sent, outcome.waiting) == (5, 2, 3) and len(accepted) == 2
    states = list(Reminder.objects.order_by("pk").values_list("mail", "mail_attempts", "mail_error"))
    assert [state for state, _attempts, _error in states] == ["sent", "sent", "pending", "pending", "pending"]
    assert "451" in states[2][2] and states[2][1] == 1 and states[3][1:] == (0, "")
    with smtp_server() as (mailbox, port):
        smtp_settings(settings, port)
        outcome = reminders.send_reminders()
        assert (outcome.sent, outcome.already, outcome.waiting) == (3, 2, 0)
        assert len(mailbox.message_ids()) == 3 and not set(mailbox.message_ids()) & set(accepted)
    assert set(Reminder.objects.values_list("mail", flat=True)) == {Reminder.Mail.SENT}


def test_more_reminders_than_a_batch_go_out_once_each(overdue, settings, monkeypatch):
    monkeypatch.setattr(reminders, "BATCH", 2)
    for index in range(5):
        editor(f"yuci-{index}", YUCI)
    editor("yuci-none", YUCI, address=False)
    with smtp_server() as (mailbox, port):
        smtp_settings(settings, port)
        outcome = reminders.send_reminders()
        assert (outcome.due, outcome.sent, outcome.no_address, outcome.waiting) == (6, 5, 1, 0)
        assert sorted(mailbox.recipients()) == [f"yuci-{index}@example.org" for index in range(5)]
        assert len(set(mailbox.message_ids())) == 5
        assert reminders.send_reminders().sent == 0 and len(mailbox.messages) == 5


def test_a_claimed_reminder_whose_sender_stopped_before_sending_goes_out_on_the_next_run(overdue, mailoutbox):
    editor("yuci-a", YUCI)
    today = timezone.localdate()
    assert reminders.claim(reminders.due_reminders(today)) == 1  # the sender stopped here
    assert Reminder.objects.get().mail == Reminder.Mail.PENDING and mailoutbox == []
    outcome = reminders.send_reminders()
    assert (outcome.claimed, outcome.sent) == (0, 1) and len(mailoutbox) == 1


def test_no_reminder_for_a_period_long_past_or_whose_bulletin_is_issued(overdue, mailoutbox, city_admin):
    editor("yuci-a", YUCI)
    today = timezone.localdate()
    Period.objects.filter(pk=overdue.pk).update(
        start=today - timedelta(days=90), end=today - timedelta(days=60), deadline=today - timedelta(days=32)
    )
    assert reminders.send_reminders().due == 0
    Period.objects.filter(pk=overdue.pk).update(deadline=today - timedelta(days=5))
    Bulletin.objects.create(period=overdue, city_id="1407", issued_at=timezone.now(), issued_by=city_admin, figures={})
    assert reminders.send_reminders().due == 0
    assert mailoutbox == []


def test_a_city_administrator_urges_one_county_at_most_once_a_day(overdue, client_for, city_admin, mailoutbox):
    yuci = editor("yuci-a", YUCI)
    client = client_for(city_admin)
    path = f"/reporting/{overdue.key}/counties/{YUCI}/urge/"
    response = client.post(path, {"next": f"/counties/{YUCI}/"}, follow=True)
    assert "已向榆次区的 1 位填报员催报" in response.content.decode()
    assert [message.to for message in mailoutbox] == [[yuci.email]]
    assert "【催报】" in mailoutbox[0].subject
    response = client.post(path, follow=True)
    assert "今天已催报过" in response.content.decode()
    assert Urge.objects.count() == 1 and Reminder.objects.filter(kind="urged").count() == 1
    # The county page says it was urged today instead of offering the button again.
    html = client.get(f"/counties/{YUCI}/").content.decode()
    assert 'id="urged-today"' in html and 'id="urge-button"' not in html


def test_an_editor_or_viewer_cannot_urge(overdue, client_for, yuci_editor, viewer):
    for user in (yuci_editor, viewer):
        assert client_for(user).post(f"/reporting/{overdue.key}/counties/{YUCI}/urge/").status_code == 403
    assert not Urge.objects.exists()


def test_the_bell_counts_unread_notices_and_the_list_marks_them_read(overdue, client_for, mailoutbox):
    user = editor("yuci-a", YUCI)
    client = client_for(user)
    assert '<span class="count zero" aria-label="未读">0</span>' in client.get("/").content.decode()
    reminders.send_reminders()
    assert '<span class="count" aria-label="未读">1</span>' in client.get("/").content.decode()
    notice = Reminder.objects.get()
    html = client.get("/reporting/notices/").content.decode()
    assert f'data-notice="{notice.pk}" class="unread"' in html and "逾期催报" in html
    client.post(f"/reporting/notices/{notice.pk}/read/")
    assert '<span class="count zero" aria-label="未读">0</span>' in client.get("/").content.decode()


def test_a_notice_of_another_user_is_not_found(overdue, client_for, mailoutbox):
    editor("yuci-a", YUCI)
    other = editor("yuci-b", YUCI)
    reminders.send_reminders()
    notice = Reminder.objects.exclude(user=other).get()
    assert client_for(other).post(f"/reporting/notices/{notice.pk}/read/").status_code == 404
    assert Reminder.objects.get(pk=notice.pk).read_at is None
