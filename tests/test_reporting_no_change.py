"""“本月无变化”: a one-click confirmation recorded as the village's report, refused with the reason when it would not
be true (the status changed in the period), not due (a period not begun, a village not expected) or twice."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.conftest import YUCI
from tests.reporting_helpers import designate_in, moment, october
from villages import workflow
from villages.models import Status, Village
from villages.reporting import rates
from villages.reporting.confirmations import Refused, confirm_no_change
from villages.reporting.models import NoChange, Period


@pytest.fixture
def this_month(registry):
    """A period around today, and two 榆次 villages designated long before it (their history says so)."""
    today = timezone.localdate()
    period = Period.objects.create(
        key=f"{today.year}-now",
        name="本期",
        start=today - timedelta(days=10),
        end=today + timedelta(days=5),
        deadline=today + timedelta(days=10),
    )
    villages = designate_in(YUCI, 2)
    Village.history.filter(id__in=[village.pk for village in villages]).update(
        history_date=timezone.now() - timedelta(days=60)
    )
    return period, villages


def test_a_confirmation_counts_as_the_villages_report_on_time(this_month, yuci_editor):
    period, villages = this_month
    confirmed = confirm_no_change(villages[0], period, yuci_editor)
    assert (confirmed.status, confirmed.progress, confirmed.confirmed_by) == (Status.IN_PROGRESS, 40, yuci_editor)
    rate = rates.county_rates(period)[YUCI]
    assert (rate.expected, rate.received, rate.on_time) == (2, 1, 1)


def test_a_second_confirmation_is_refused_and_records_nothing(this_month, yuci_editor):
    period, villages = this_month
    confirm_no_change(villages[0], period, yuci_editor)
    with pytest.raises(Refused, match="已报送"):
        confirm_no_change(villages[0], period, yuci_editor)
    assert NoChange.objects.count() == 1


def test_a_village_whose_status_changed_in_the_period_is_refused_with_the_change(this_month, yuci_editor):
    period, villages = this_month
    village = Village.objects.get(pk=villages[1].pk)
    workflow.edit(village, yuci_editor, village.version, {"status": Status.COMPLETED})
    with pytest.raises(Refused) as refused:
        confirm_no_change(Village.objects.get(pk=village.pk), period, yuci_editor)
    assert "变为“已完工”" in str(refused.value) and "请填报进展" in str(refused.value)
    assert not NoChange.objects.exists()


def test_a_period_not_begun_is_refused(registry, yuci_editor):
    village = designate_in(YUCI, 1)[0]
    period = october()
    with pytest.raises(Refused, match="2025-10-01"):
        confirm_no_change(village, period, yuci_editor, now=moment(date(2025, 9, 20)))
    assert not NoChange.objects.exists()


def test_a_village_not_expected_to_report_is_refused(this_month, yuci_editor):
    period, _villages = this_month
    other = Village.objects.filter(county_id=YUCI, tier="none").first()
    with pytest.raises(Refused, match="不需报送"):
        confirm_no_change(other, period, yuci_editor)


def test_the_button_records_it_for_the_villages_editor_and_no_one_else(
    this_month, client_for, yuci_editor, taigu_editor, viewer
):
    period, villages = this_month
    path = f"/reporting/{period.key}/villages/{villages[0].code}/no-change/"
    assert client_for(taigu_editor).post(path).status_code == 404
    assert client_for(viewer).post(path).status_code == 403
    assert not NoChange.objects.exists()
    response = client_for(yuci_editor).post(path, {"next": "/"}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert "已记录" in response.content.decode()
    assert NoChange.objects.get().village_id == villages[0].pk


def test_a_refused_confirmation_says_why_on_the_page(this_month, client_for, yuci_editor):
    period, villages = this_month
    path = f"/reporting/{period.key}/villages/{villages[0].code}/no-change/"
    client_for(yuci_editor).post(path)
    response = client_for(yuci_editor).post(path, {"next": "https://elsewhere.example/"}, follow=True)
    assert response.redirect_chain[0][0] == villages[0].get_absolute_url()  # not another site
    assert "已报送" in response.content.decode()
