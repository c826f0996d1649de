"""A village the user sees but may not change says why, as the refusal page would; the offline queue offers
立即同步 only when something waits to be sent (issue 25, item 4)."""

import pytest
from django.utils import timezone

from counties.models import Pairing
from tests.constants import TAIGU, YUCI

READ_ONLY_NOTICE = 'id="read-only"'


@pytest.fixture
def paired(registry):
    return Pairing.objects.create(
        kind=Pairing.Kind.NEIGHBOURS, county_a_id=TAIGU, county_b_id=YUCI, start_year=timezone.localdate().year
    )


def test_a_paired_countys_village_says_it_is_read_only_and_why(client_for, taigu_editor, yuci_village, paired):
    response = client_for(taigu_editor).get(f"/villages/{yuci_village.code}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>结对县村庄，只读</strong>" in page
    refusal = client_for(taigu_editor).get(f"/villages/{yuci_village.code}/edit/")
    assert refusal.status_code == 403
    reason = "这是与您所在县结对的县的村庄"
    assert reason in refusal.content.decode() and reason in page
    assert f"/villages/{yuci_village.code}/edit/" not in page
    assert f"/villages/{yuci_village.code}/updates/new/" not in page


def test_a_viewer_reads_read_only_and_an_editor_of_the_county_no_notice(client_for, viewer, yuci_editor, yuci_village):
    assert "<strong>只读</strong>" in client_for(viewer).get(f"/villages/{yuci_village.code}/").content.decode()
    assert READ_ONLY_NOTICE not in client_for(yuci_editor).get(f"/villages/{yuci_village.code}/").content.decode()


@pytest.mark.browser
def test_send_now_shows_only_when_an_update_waits(phone, yuci_editor, yuci_village):
    phone.login("yuci-editor")
    phone.page.wait_for_selector("html[data-offline-ready]", state="attached")
    phone.goto("/offline/")
    phone.page.wait_for_selector("html[data-offline-ready]", state="attached")
    phone.page.wait_for_function("() => document.getElementById('queue-count').textContent.trim() !== ''")
    assert phone.page.locator("#queue-count").inner_text() == "没有待同步的更新。"
    assert not phone.page.locator("#sync-now").is_visible()
    assert not phone.console_errors
