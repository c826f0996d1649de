"""Two people editing the same village: the second save is refused and shown the current values; nothing is lost."""

import threading

import pytest
from django.db import connection
from django.test import Client

from tests.village_helpers import edit_data
from villages.models import Village


def test_the_second_of_two_edits_from_the_same_version_is_refused(client_for, yuci_editor, city_admin, yuci_village):
    first, second = client_for(yuci_editor), client_for(city_admin)
    form_first = first.get(f"/villages/{yuci_village.code}/edit/").context["form"]
    form_second = second.get(f"/villages/{yuci_village.code}/edit/").context["form"]
    assert form_first["version"].value() == form_second["version"].value()
    version = form_first["version"].value()

    assert (
        first.post(
            f"/villages/{yuci_village.code}/edit/", edit_data(yuci_village, version=version, contact_name="张三")
        ).status_code
        == 302
    )
    response = second.post(
        f"/villages/{yuci_village.code}/edit/",
        edit_data(yuci_village, version=version, contact_name="李四", notes="第二人"),
    )
    assert response.status_code == 409
    assert any(message.level_tag == "error" for message in response.context["messages"])
    assert response.context["form"]["contact_name"].value() == "张三"  # the current values are shown
    assert ("联系人", "李四") in [(str(label), value) for label, value in response.context["unsaved"]] or any(
        value == "李四" for _, value in response.context["unsaved"]
    )
    village = Village.objects.get(pk=yuci_village.pk)
    assert (village.contact_name, village.notes, village.version) == ("张三", "", version + 1)
    assert village.history.filter(contact_name="李四").count() == 0


def test_a_progress_update_in_between_makes_an_open_edit_form_stale(client_for, yuci_editor, yuci_village):
    client = client_for(yuci_editor)
    version = client.get(f"/villages/{yuci_village.code}/edit/").context["form"]["version"].value()
    client.post(
        f"/villages/{yuci_village.code}/updates/new/", {"date": "2025-06-01", "text": "铺设管网", "progress": "70"}
    )
    response = client.post(
        f"/villages/{yuci_village.code}/edit/", edit_data(yuci_village, version=version, progress=50)
    )
    assert response.status_code == 409
    assert Village.objects.get(pk=yuci_village.pk).progress == 70


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent connections need PostgreSQL")
def test_two_simultaneous_saves_on_separate_connections_keep_exactly_one(yuci_editor, city_admin, yuci_village):
    data = {user.username: edit_data(yuci_village, contact_name=user.username) for user in (yuci_editor, city_admin)}
    clients = {}
    for user in (yuci_editor, city_admin):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    barrier = threading.Barrier(2)
    results = {}

    def save(username):
        try:
            barrier.wait()
            results[username] = (
                clients[username].post(f"/villages/{yuci_village.code}/edit/", data[username]).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(name,)) for name in data]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [302, 409]
    winner = next(name for name, status in results.items() if status == 302)
    village = Village.objects.get(pk=yuci_village.pk)
    assert (village.contact_name, village.version) == (winner, data[winner]["version"] + 1)
    assert list(village.history.exclude(contact_name="").values_list("contact_name", flat=True)) == [winner]


def test_accepting_from_a_stale_page_does_nothing(client_for, city_admin, yuci_village):
    Village.objects.filter(pk=yuci_village.pk).update(status="completed", version=5)
    response = client_for(city_admin).post(f"/villages/{yuci_village.code}/accept/", {"version": 4}, follow=True)
    assert Village.objects.get(pk=yuci_village.pk).status == "completed"
    assert any(message.level_tag == "error" for message in response.context["messages"])
