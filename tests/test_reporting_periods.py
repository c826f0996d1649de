"""Report periods: the months of a year made by `create_periods` (idempotent), special rounds, and the periods that
are refused with their reason (a deadline before the period's end, overlapping periods)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tests.reporting_helpers import october
from villages.reporting.models import Period


def test_create_periods_makes_the_twelve_months_due_on_the_day_of_the_month_after(db, capsys):
    call_command("create_periods", "2025", "--deadline-day", "5")
    periods = list(Period.objects.order_by("start"))
    assert [period.key for period in periods] == [f"2025-{month:02d}" for month in range(1, 13)]
    assert (periods[1].start, periods[1].end, periods[1].deadline) == (
        date(2025, 2, 1),
        date(2025, 2, 28),
        date(2025, 3, 5),
    )
    assert (periods[11].end, periods[11].deadline) == (date(2025, 12, 31), date(2026, 1, 5))
    assert periods[9].name == "2025年10月"
    assert {period.kind for period in periods} == {Period.Kind.MONTHLY}
    assert "12" in capsys.readouterr().out


def test_create_periods_again_changes_nothing_and_keeps_a_deadline_the_city_moved(db, capsys):
    call_command("create_periods", "2025", "--deadline-day", "5")
    Period.objects.filter(key="2025-03").update(deadline=date(2025, 4, 8))
    before = list(Period.objects.order_by("pk").values())
    capsys.readouterr()
    call_command("create_periods", "2025", "--deadline-day", "10")
    assert list(Period.objects.order_by("pk").values()) == before
    out = capsys.readouterr().out
    assert "创建了 0 个" in out and "12 个已存在" in out


def test_a_deadline_day_outside_1_to_28_is_refused_and_nothing_made(db):
    with pytest.raises(CommandError, match="1 到 28"):
        call_command("create_periods", "2025", "--deadline-day", "31")
    assert not Period.objects.exists()


def test_a_year_outside_the_programme_is_refused(db):
    with pytest.raises(CommandError, match="1999"):
        call_command("create_periods", "1999")


def test_a_month_overlapping_a_period_of_the_same_kind_refuses_the_whole_year(db):
    Period.objects.create(
        key="2025-x", name="自定", start=date(2025, 6, 20), end=date(2025, 7, 10), deadline=date(2025, 7, 15)
    )
    with pytest.raises(CommandError, match="自定"):
        call_command("create_periods", "2025")
    assert list(Period.objects.values_list("key", flat=True)) == ["2025-x"]


def test_a_deadline_before_the_end_of_the_period_is_refused_with_the_reason(db):
    period = Period(
        key="2025-10", name="2025年10月", start=date(2025, 10, 1), end=date(2025, 10, 31), deadline=date(2025, 10, 25)
    )
    with pytest.raises(ValidationError) as refused:
        period.full_clean()
    assert "截止日期（2025-10-25）早于" in str(refused.value.message_dict["deadline"])


def test_the_database_refuses_a_deadline_before_the_end_too(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        october(deadline=date(2025, 10, 30))


def test_overlapping_periods_of_one_kind_are_refused_and_a_special_round_may_overlap_a_month(db):
    october()
    second = Period(
        key="2025-10b", name="重复", start=date(2025, 10, 15), end=date(2025, 11, 14), deadline=date(2025, 11, 20)
    )
    with pytest.raises(ValidationError) as refused:
        second.full_clean()
    assert "2025年10月" in str(refused.value.message_dict["start"])
    special = Period(
        key="2025-dc1",
        name="2025年第四季度督查",
        kind=Period.Kind.SPECIAL,
        start=date(2025, 10, 20),
        end=date(2025, 11, 10),
        deadline=date(2025, 11, 15),
    )
    special.full_clean()


def test_the_current_period_is_the_one_whose_deadline_comes_next(db):
    call_command("create_periods", "2025")
    assert Period.objects.current(date(2025, 11, 3)).key == "2025-10"  # October is due on 5 November
    assert Period.objects.current(date(2025, 11, 6)).key == "2025-11"
    assert Period.objects.current(date(2024, 12, 1)) is None
    assert Period.objects.current(date(2026, 3, 1)).key == "2025-12"  # none made for 2026: the last begun


def test_periods_are_managed_in_the_admin_with_the_same_checks(client_for, city_admin):
    response = client_for(city_admin).post(
        "/admin/reporting/period/add/",
        {
            "key": "2025-10",
            "name": "2025年10月",
            "kind": "monthly",
            "start": "2025-10-01",
            "end": "2025-10-31",
            "deadline": "2025-10-20",
        },
    )
    assert response.status_code == 200
    assert "早于" in response.content.decode()
    assert not Period.objects.exists()
    response = client_for(city_admin).post(
        "/admin/reporting/period/add/",
        {
            "key": "2025-10",
            "name": "2025年10月",
            "kind": "monthly",
            "start": "2025-10-01",
            "end": "2025-10-31",
            "deadline": "2025-11-05",
        },
    )
    assert response.status_code == 302
    assert Period.objects.get().deadline == date(2025, 11, 5)


def test_a_city_administrator_adds_special_rounds_for_their_own_city_only(client_for, city_admin, second_city):
    client = client_for(city_admin)
    data = {
        "key": "2025-dc1",
        "name": "督查",
        "kind": "special",
        "start": "2025-10-01",
        "end": "2025-10-31",
        "deadline": "2025-11-05",
    }
    assert client.post("/admin/reporting/period/add/", data).status_code == 200  # the city is required
    assert client.post("/admin/reporting/period/add/", data | {"city": "1403"}).status_code == 200  # not theirs
    assert not Period.objects.exists()
    assert client.post("/admin/reporting/period/add/", data | {"city": "1407"}).status_code == 302
    assert Period.objects.get().city_id == "1407"
