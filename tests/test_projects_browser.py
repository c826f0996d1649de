"""The project page on a 390 px phone in Debian chromium: nothing wider than the screen, the funds readable, the
county's monthly figures entered from it."""

from datetime import date
from decimal import Decimal

from tests.project_helpers import move_to
from villages.projects import workflow
from villages.projects.models import FundReport, Source, Stage


def test_the_project_page_on_a_phone_and_a_months_figures_entered(phone, yuci_project, yuci_editor, city_admin):
    move_to(yuci_project, Stage.IN_PROGRESS, yuci_editor, city_admin)
    fund = yuci_project.funds.get(source=Source.CENTRAL)
    workflow.record_figures(fund, fund.version, yuci_editor, date(2025, 3, 1), Decimal(30), Decimal(12))
    page = phone.page
    phone.login(yuci_editor.username)
    phone.goto(f"/projects/{yuci_project.pk}/")
    page.wait_for_selector("#fund-table")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "中央衔接资金" in page.locator('#fund-table tr[data-source="中央衔接资金"]').inner_text()
    assert page.locator('button[data-stage="completed"]').is_visible()
    page.locator('#fund-table tr[data-source="中央衔接资金"] a.figures-link').click()
    page.wait_for_selector("#figures-form")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("#id_month", "2025-04")
    page.fill("#id_allocated", "60")
    page.fill("#id_spent", "41.5")
    page.click("#figures-form button[type=submit]")
    page.wait_for_selector(".messages .success")
    assert list(FundReport.objects.filter(fund=fund).order_by("month").values_list("spent", flat=True)) == [
        Decimal("12.00"),
        Decimal("41.50"),
    ]
    # 41.5 spent of 150 planned: 27.7 %
    assert "27.7 %" in page.locator("#funds-summary").inner_text()
