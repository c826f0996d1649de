"""Offline updates carry what they saw (issue 21): a progress lower than the village's now, or a village changed
since the phone's copy, is a conflict that saves nothing and answers with the village as it is; a deliberate
lowering (a correction) goes through with its reason."""

import uuid

import pytest

from villages.models import ProgressUpdate, Village


def put(village, status, progress):
    Village.objects.filter(pk=village.pk).update(status=status, progress=progress, version=12)
    village.refresh_from_db()
    return village


def send(client, village, **fields):
    data = {"client_id": str(uuid.uuid4()), "date": "2025-06-01", "text": "硬化道路", **fields}
    return client.post(f"/api/villages/{village.code}/updates/", data)


def test_a_stale_update_does_not_lower_newer_progress(client_for, yuci_editor, yuci_village):
    village = put(yuci_village, "completed", 100)
    response = send(client_for(yuci_editor), village, seen_status="in_progress", progress=10)
    assert response.status_code == 409
    answer = response.json()
    assert answer["error"] == "conflict"
    assert answer["current"] == {"status": "completed", "progress": 100, "version": 12}
    assert "100%" in answer["reason"] and "10%" in answer["reason"]
    assert Village.objects.filter(pk=village.pk).values_list("progress", "version").get() == (100, 12)
    assert not ProgressUpdate.objects.filter(village=village).exists()


def test_a_correction_with_its_reason_lowers_the_progress(client_for, yuci_editor, yuci_village):
    village = put(yuci_village, "in_progress", 80)
    response = send(client_for(yuci_editor), village, progress=60, seen_version=12, correction="上月多报了污水管网")
    assert response.status_code == 201
    saved = Village.objects.get(pk=village.pk)
    assert (saved.progress, saved.version) == (60, 13)
    update = ProgressUpdate.objects.get(village=village)
    assert (update.progress, update.correction) == (60, "上月多报了污水管网")
    assert saved.history.latest().history_change_reason == "progress corrected: 上月多报了污水管网"


def test_a_reason_of_blanks_is_no_reason(client_for, yuci_editor, yuci_village):
    village = put(yuci_village, "in_progress", 80)
    assert send(client_for(yuci_editor), village, progress=60, correction="   ").status_code == 409
    assert Village.objects.get(pk=village.pk).progress == 80


def test_a_village_changed_since_the_phones_copy_is_a_conflict(client_for, yuci_editor, yuci_village):
    village = put(yuci_village, "in_progress", 50)
    response = send(client_for(yuci_editor), village, progress=70, seen_version=11)
    assert response.status_code == 409
    assert response.json()["current"]["version"] == 12
    assert Village.objects.get(pk=village.pk).progress == 50


def test_the_same_update_sent_again_from_the_current_copy_goes_through(client_for, yuci_editor, yuci_village):
    village = put(yuci_village, "in_progress", 50)
    response = send(client_for(yuci_editor), village, progress=70, seen_version=12)
    assert response.status_code == 201
    assert Village.objects.get(pk=village.pk).progress == 70


def test_an_update_that_changes_no_figure_is_recorded_from_any_copy(client_for, yuci_editor, yuci_village):
    village = put(yuci_village, "completed", 100)
    response = send(client_for(yuci_editor), village, seen_version=3, seen_status="planned")
    assert response.status_code == 201
    assert Village.objects.filter(pk=village.pk).values_list("progress", "version").get() == (100, 12)


@pytest.mark.parametrize("correction,expected", [("", 80), ("测量后更正", 60)])
def test_the_update_page_asks_for_the_reason_too(client_for, yuci_editor, yuci_village, correction, expected):
    village = put(yuci_village, "in_progress", 80)
    data = {"date": "2025-06-01", "text": "复核工程量", "progress": 60, "seen_version": 12, "correction": correction}
    response = client_for(yuci_editor).post(f"/villages/{village.code}/updates/new/", data)
    assert Village.objects.get(pk=village.pk).progress == expected
    if not correction:
        assert response.status_code == 200
        assert "80%" in " ".join(response.context["form"].errors["progress"])
