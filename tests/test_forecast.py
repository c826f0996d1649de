import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests.conftest import YUCI
from tests.progress_helpers import designate, pick
from villages.models import Status, Tier
from villages.progress import counts as progress
from villages.progress.forecast import Verdict, forecast

# Worked examples, by hand: 2026-06-30 → 2027-12-31 is 549 days = 549 / 30.4375 = 18.037 months left; the rate is
# measured over the last 182 days = 5.9795 months (or since the first acceptance, if that is more recent).
TODAY = date(2026, 6, 30)
DEADLINE = date(2027, 12, 31)
YEAR_AGO = TODAY - timedelta(days=365)


def recent_days(count):
    """`count` dates spread over the last six months, the last one yesterday."""
    return [TODAY - timedelta(days=1 + index * 170 // max(count, 1)) for index in range(count)]


def build_history(old, recent):
    """Showcase villages of 榆次区 accepted a year ago (`old`) and over the last six months (`recent`)."""
    villages = pick(YUCI, old + recent)
    for village, day in zip(villages, [YEAR_AGO] * old + recent_days(recent)):
        designate(
            [village],
            Tier.SHOWCASE,
            2025,
            Status.ACCEPTED,
            accepted_on=day,
            designated_on=YEAR_AGO - timedelta(days=60),
        )


def outlook(target=100):
    accepted = progress.acceptances()
    return progress.cumulative_forecast(accepted, Tier.SHOWCASE, target, 2027, TODAY, county_code=YUCI)


@pytest.mark.django_db
def test_no_acceptance_yet_is_no_data_with_the_rate_needed(registry):
    designate(pick(YUCI, 3), Tier.SHOWCASE, 2025, Status.IN_PROGRESS)
    result = outlook()
    assert result.verdict == Verdict.NO_DATA
    assert result.accepted == 0 and result.projected is None and result.rate is None
    assert result.needed_rate == pytest.approx(5.544, abs=1e-3)  # 100 villages / 18.037 months


@pytest.mark.django_db
def test_a_history_that_just_reaches_the_target_is_on_pace(registry):
    build_history(old=10, recent=24)
    result = outlook()
    assert result.accepted == 34
    assert result.rate == pytest.approx(4.014, abs=1e-3)  # 24 in 5.9795 months
    assert result.projected == 106  # 34 + round(4.014 × 18.037 = 72.4)
    assert result.verdict == Verdict.ON_PACE  # reaches 100, not 10 % above it
    assert result.needed_rate == pytest.approx(3.659, abs=1e-3)  # 66 still needed / 18.037 months


@pytest.mark.django_db
def test_a_slow_history_is_behind(registry):
    build_history(old=10, recent=6)
    result = outlook()
    assert result.projected == 34  # 16 + round(1.003 a month × 18.037 = 18.1)
    assert result.verdict == Verdict.BEHIND


@pytest.mark.django_db
def test_a_fast_history_is_ahead(registry):
    build_history(old=10, recent=40)
    result = outlook()
    assert result.projected == 171  # 50 + round(6.690 a month × 18.037 = 120.7)
    assert result.verdict == Verdict.AHEAD


@pytest.mark.django_db
def test_acceptances_after_today_and_of_other_tiers_do_not_count(registry):
    build_history(old=2, recent=0)
    designate(pick(YUCI, 2), Tier.UPGRADED, 2025, Status.ACCEPTED, accepted_on=TODAY - timedelta(days=5))
    designate(pick(YUCI, 1), Tier.SHOWCASE, 2025, Status.ACCEPTED, accepted_on=TODAY + timedelta(days=5))
    assert outlook().accepted == 2


def test_target_already_reached_and_target_not_set():
    dates = [TODAY - timedelta(days=10)] * 5
    assert forecast(dates, 5, TODAY, DEADLINE).verdict == Verdict.REACHED
    assert forecast(dates, 5, TODAY, DEADLINE).needed_rate == 0
    unset = forecast(dates, None, TODAY, DEADLINE)
    assert unset.verdict == Verdict.NO_TARGET and unset.needed_rate is None and unset.projected is not None


def test_a_recent_start_measures_the_rate_since_the_first_acceptance():
    # Ten villages in the last two months: about five a month, not ten spread over six months.
    dates = [TODAY - timedelta(days=day) for day in range(1, 61, 6)]
    result = forecast(dates, 100, TODAY, DEADLINE)
    assert result.rate == pytest.approx(5.534, abs=1e-3)  # 10 villages since 55 days ago = 1.807 months


@pytest.mark.django_db
def test_dashboard_says_no_data_yet_when_nothing_was_accepted(viewer, client_for):
    html = client_for(viewer).get(reverse("villages:home")).content.decode()
    verdicts = re.findall(r'data-cumulative="\w+">.*?data-verdict="(\w+)"', html, re.S)
    assert verdicts == ["no_data", "no_data"]
    assert "尚无村庄验收通过" in html
