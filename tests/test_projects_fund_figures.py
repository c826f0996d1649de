"""The monthly figures of a fund (已拨付, 已支出, cumulative): within the plan, spent within allocated, never lower
without a written reason, one row per fund and month; a second entry from the same version is refused with what is
saved now."""

from datetime import date
from decimal import Decimal

import pytest

from tests.project_helpers import move_to
from villages.projects import workflow
from villages.projects.models import FundReport, ProjectFund, Source, Stage
from villages.projects.workflow import EditConflict, Refused

D = Decimal


@pytest.fixture
def fund(yuci_project, yuci_editor, city_admin):
    move_to(yuci_project, Stage.IN_PROGRESS, yuci_editor, city_admin)
    return yuci_project.funds.get(source=Source.CENTRAL)  # 100 万元 planned


def record(fund, user, month, allocated, spent, reason=""):
    fund = ProjectFund.objects.get(pk=fund.pk)
    return workflow.record_figures(fund, fund.version, user, date(2025, month, 1), D(allocated), D(spent), reason)


def test_figures_of_successive_months_keep_the_latest_on_the_fund(fund, yuci_editor):
    record(fund, yuci_editor, 3, "30", "12.5")
    record(fund, yuci_editor, 4, "60", "41")
    saved = ProjectFund.objects.get(pk=fund.pk)
    assert (saved.allocated, saved.spent, saved.reported_month) == (D("60.00"), D("41.00"), date(2025, 4, 1))
    assert list(FundReport.objects.filter(fund=fund).values_list("month", "allocated", "spent")) == [
        (date(2025, 3, 1), D("30.00"), D("12.50")),
        (date(2025, 4, 1), D("60.00"), D("41.00")),
    ]
    report = FundReport.objects.get(fund=fund, month=date(2025, 4, 1))
    assert (report.recorded_by, report.history.count()) == (yuci_editor, 1)


@pytest.mark.parametrize(
    ("allocated", "spent", "message"),
    [("100.01", "0", "计划|plan"), ("50", "50.01", "拨付|allocated"), ("-1", "0", "负|negative")],
)
def test_figures_beyond_the_plan_or_spent_beyond_allocated_are_refused(fund, yuci_editor, allocated, spent, message):
    with pytest.raises(Refused, match=message):
        record(fund, yuci_editor, 5, allocated, spent)
    assert not FundReport.objects.exists()
    assert ProjectFund.objects.get(pk=fund.pk).version == fund.version


def test_a_lower_figure_needs_a_reason(fund, yuci_editor):
    record(fund, yuci_editor, 4, "60", "40")
    with pytest.raises(Refused, match="reason|原因"):
        record(fund, yuci_editor, 5, "60", "35")
    with pytest.raises(Refused, match="reason|原因"):
        record(fund, yuci_editor, 4, "55", "40")  # a correction of the month, lower
    with pytest.raises(Refused, match="reason|原因"):
        record(fund, yuci_editor, 3, "70", "10")  # then April would be lower than March
    record(fund, yuci_editor, 5, "60", "35", reason="退回多支付的工程款")
    report = FundReport.objects.get(month=date(2025, 5, 1))
    assert (report.spent, report.reason) == (D("35.00"), "退回多支付的工程款")
    assert ProjectFund.objects.get(pk=fund.pk).spent == D("35.00")


def test_a_correction_of_an_earlier_month_leaves_the_latest_figures(fund, yuci_editor):
    record(fund, yuci_editor, 3, "30", "10")
    record(fund, yuci_editor, 5, "80", "50")
    record(fund, yuci_editor, 3, "35", "12")
    saved = ProjectFund.objects.get(pk=fund.pk)
    assert (saved.allocated, saved.spent, saved.reported_month) == (D("80.00"), D("50.00"), date(2025, 5, 1))
    assert FundReport.objects.get(month=date(2025, 3, 1)).history.count() == 2


def test_the_second_of_two_entries_from_one_version_is_refused_with_the_saved_figures(fund, yuci_editor, city_admin):
    first = ProjectFund.objects.get(pk=fund.pk)
    second = ProjectFund.objects.get(pk=fund.pk)
    workflow.record_figures(first, first.version, yuci_editor, date(2025, 6, 1), D(50), D(20))
    with pytest.raises(EditConflict) as refused:
        workflow.record_figures(second, second.version, city_admin, date(2025, 6, 1), D(55), D(25))
    current = refused.value.current
    assert (current["month_allocated"], current["month_spent"], current["month_recorded_by"]) == (
        D("50.00"),
        D("20.00"),
        str(yuci_editor),
    )
    assert list(FundReport.objects.values_list("allocated", "spent")) == [(D("50.00"), D("20.00"))]


def test_no_figures_before_the_pool_nor_by_another_county_or_a_viewer(
    yuci_project, yuci_editor, taigu_editor, viewer, city_admin
):
    fund = yuci_project.funds.get(source=Source.CENTRAL)
    with pytest.raises(Refused):
        record(fund, yuci_editor, 3, "10", "0")  # 储备: no money yet
    move_to(yuci_project, Stage.APPROVED, yuci_editor, city_admin)
    for user in (taigu_editor, viewer):
        with pytest.raises(Refused):
            record(fund, user, 3, "10", "0")
    record(fund, yuci_editor, 3, "10", "0")
    assert FundReport.objects.count() == 1


def test_a_plan_below_what_was_allocated_is_refused(fund, yuci_editor, city_admin):
    record(fund, yuci_editor, 4, "60", "40")
    project = fund.project
    project.refresh_from_db()
    with pytest.raises(Refused, match="60"):
        workflow.save_funds(project, project.version, city_admin, {Source.CENTRAL: (D(59), None)})
    assert ProjectFund.objects.get(pk=fund.pk).planned == D("100.00")


def test_a_series_of_months_at_once_is_checked_as_the_months_one_by_one(fund, yuci_editor):
    series = [(date(2025, 4, 1), D(20), D(10)), (date(2025, 7, 1), D(50), D(30))]
    workflow.record_series(fund, fund.version, yuci_editor, series)
    saved = ProjectFund.objects.get(pk=fund.pk)
    assert (saved.allocated, saved.spent, saved.reported_month) == (D("50.00"), D("30.00"), date(2025, 7, 1))
    assert FundReport.history.filter(history_change_reason="figures").count() == 2
    for bad in (
        [(date(2025, 8, 1), D(40), D(30))],  # lower than July, no reason
        [(date(2025, 9, 1), D(60), D(61))],  # spent beyond allocated
        [(date(2025, 7, 1), D(60), D(40))],  # July again
    ):
        with pytest.raises(Refused):
            workflow.record_series(saved, saved.version, yuci_editor, bad)
    assert FundReport.objects.filter(fund=fund).count() == 2
