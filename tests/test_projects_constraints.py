"""What the database itself refuses in the project pool, whatever code writes it."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.constants import TAIGU
from villages.projects.models import FundReport, Kind, Level, PerformanceIndicator, Project, ProjectFund, Source

D = Decimal


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_the_database_keeps_projects_funds_figures_and_indicators_whole(yuci_project):
    p = yuci_project
    refused(lambda: Project.objects.create(county_id=TAIGU, township=p.township, name="x", category="其他", year=2025))
    refused(lambda: ProjectFund.objects.create(project=p, source=Source.CENTRAL, planned=D(1)))  # twice
    refused(lambda: ProjectFund.objects.create(project=p, source=Source.OTHER, planned=D(-1)))
    fund = p.funds.get(source=Source.CENTRAL)
    refused(lambda: FundReport.objects.create(fund=fund, month=date(2025, 3, 1), allocated=D(5), spent=D(6)))
    FundReport.objects.create(fund=fund, month=date(2025, 3, 9), allocated=D(5), spent=D(5))
    refused(lambda: FundReport.objects.create(fund=fund, month=date(2025, 3, 1), allocated=D(5), spent=D(5)))
    assert FundReport.objects.get().month == date(2025, 3, 1)
    refused(lambda: ProjectFund.objects.filter(pk=fund.pk).update(allocated=D(101)))  # beyond the 100 planned
    refused(
        lambda: PerformanceIndicator.objects.create(
            project=p, level=Level.OUTPUT, kind=Kind.ECONOMIC, name="x", target_text="y"
        )
    )
    refused(lambda: PerformanceIndicator.objects.create(project=p, level=Level.SATISFACTION, name="无目标"))
    refused(lambda: Project.objects.filter(pk=p.pk).update(cancel_reason="未取消却有原因"))
