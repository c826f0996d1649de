"""最近更新 says when a village's record or its updates last changed, and by whom (issue 25, item 3)."""

from datetime import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.constants import YUCI
from villages import workflow
from villages.models import Village

LONG_AGO = timezone.make_aware(datetime(2025, 1, 2, 9, 0))


def test_an_update_without_figures_moves_the_last_change_to_its_author(client_for, yuci_editor, yuci_village):
    Village.objects.filter(pk=yuci_village.pk).update(updated_at=LONG_AGO, updated_by=None)
    client = client_for(yuci_editor)
    response = client.post(f"/villages/{yuci_village.code}/updates/new/", {"date": "2025-06-01", "text": "修路"})
    assert response.status_code == 302
    village = Village.objects.get(pk=yuci_village.pk)
    assert (village.updated_by, village.progress, village.version) == (yuci_editor, 40, yuci_village.version)
    assert village.updated_at > LONG_AGO
    today = timezone.localdate().isoformat()
    row = client.get("/villages/").content.decode().split(f'data-code="{yuci_village.code}"')[1].split("</tr>")[0]
    assert f'<td data-label="最近更新" data-col="updated">{today} <span class="muted">yuci-editor</span></td>' in row


def test_a_change_dated_in_the_past_is_the_last_change_as_of_its_date(yuci_editor, yuci_village):
    village = Village.objects.get(pk=yuci_village.pk)
    workflow.seed([village], {village.pk: {"status": "completed", "progress": 100}}, {village.pk: LONG_AGO})
    assert Village.objects.get(pk=village.pk).updated_at == LONG_AGO
    earlier, later = LONG_AGO.replace(month=1, day=1), LONG_AGO.replace(month=3)
    workflow.add_update(village, yuci_editor, workflow.Report(date=earlier.date(), text="旧"), when=earlier)
    assert Village.objects.values_list("updated_at", "updated_by").get(pk=village.pk) == (LONG_AGO, None)
    workflow.add_update(village, yuci_editor, workflow.Report(date=later.date(), text="新"), when=later)
    assert Village.objects.values_list("updated_at", "updated_by").get(pk=village.pk) == (later, yuci_editor.pk)
    assert village.updates.order_by("created_at").first().created_at == earlier


def test_the_list_names_who_changed_each_village_without_a_query_per_row(client_for, yuci_editor, registry):
    codes = list(Village.objects.filter(county_id=YUCI).order_by("code").values_list("code", flat=True)[:50])
    Village.objects.filter(code__in=codes).update(tier="upgraded", programme_year=2025, updated_by=yuci_editor)
    client = client_for(yuci_editor)

    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/villages/", params).content.decode()
        return len(captured), page.count('<span class="muted">yuci-editor</span>')

    queries()  # the first request of a session reads what later ones find cached
    one, fifty = queries(q=codes[0]), queries()
    assert (one[1], fifty[1]) == (1, 50)
    assert one[0] == fifty[0]
