"""The village page's history: who changed what, in Chinese, including updates and photos."""

from datetime import UTC

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.village_helpers import edit_data, jpeg_bytes
from villages.models import Village


def history_html(client, village):
    page = client.get(f"/villages/{village.code}/").content.decode()
    return page[page.index('id="history"') :]


def test_a_change_shows_who_made_it_and_each_field_old_and_new_in_chinese(
    client_for, yuci_editor, viewer, yuci_village
):
    client_for(yuci_editor).post(
        f"/villages/{yuci_village.code}/edit/",
        edit_data(yuci_village, contact_name="张三", status="completed", progress=100),
    )
    history = history_html(client_for(viewer), yuci_village)
    assert "yuci-editor" in history
    assert "联系人: — → 张三" in history
    assert "状态: 建设中 → 已完工" in history
    assert "进度（%）: 40 → 100" in history


def test_progress_updates_and_photos_appear_in_the_history(client_for, yuci_editor, yuci_village, media_root):
    client = client_for(yuci_editor)
    client.post(
        f"/villages/{yuci_village.code}/updates/new/",
        {"date": "2025-06-05", "text": "建成文化广场", "photos": [SimpleUploadedFile("p.jpg", jpeg_bytes())]},
    )
    history = history_html(client, yuci_village)
    assert "建成文化广场" in history
    assert history.count("yuci-editor") >= 2  # the update and its photo


def test_city_review_is_recorded_with_the_reason(client_for, city_admin, yuci_editor, yuci_village):
    Village.objects.filter(pk=yuci_village.pk).update(status="completed")
    yuci_village.refresh_from_db()
    client_for(city_admin).post(
        f"/villages/{yuci_village.code}/return/", {"version": yuci_village.version, "reason": "台账不全"}
    )
    history = history_html(client_for(yuci_editor), yuci_village)
    assert "city-admin" in history and "台账不全" in history


def test_a_changed_date_and_time_is_shown_in_local_time_not_raw(city_admin, client_for):
    from datetime import datetime

    from villages.history import field_text

    moment = datetime(2025, 6, 30, 16, 30, tzinfo=UTC)
    text = field_text(Village, "accepted_at", moment)
    assert "+00:00" not in text and "2025" in text and "00:30" in text  # 16:30 UTC is 00:30 next day in 晋中
