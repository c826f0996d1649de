"""Acceptance against a standard through the pages: draft, submit (待复核), review, return, round 2, accepted.

The standard is the one of tests/acceptance_helpers.py (100 points, pass score 90, item 2 decisive). Every
expected total below is added up by hand from the scores typed.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from tests.acceptance_helpers import FULL, apply, complete, make_standard, rectified, review, scored_data
from villages.acceptance.models import Application, Review, Standard, StandardInUse
from villages.models import Status, Village


@pytest.fixture
def standard(registry):
    return make_standard()


@pytest.fixture
def village(yuci_village, standard):
    return complete(yuci_village)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_a_draft_is_saved_and_comes_back_with_its_scores_and_notes(client_for, yuci_editor, village, standard):
    client = client_for(yuci_editor)
    response = apply(client, village, standard, {"1": "28", "3": "24.5"}, texts={"1": "已硬化 3.2 公里"})
    assert response.status_code == 302 and response["Location"] == f"/villages/{village.code}/acceptance/apply/"
    application = Application.objects.get(village=village)
    assert (application.number, application.status) == (1, "draft")
    page = client.get(f"/villages/{village.code}/acceptance/apply/")
    form = page.context["form"]
    assert form["score_" + str(standard.items.get(number="1").pk)].value() == "28"
    assert form["score_" + str(standard.items.get(number="3").pk)].value() == "24.5"
    assert form["text_" + str(standard.items.get(number="1").pk)].value() == "已硬化 3.2 公里"
    assert form["score_" + str(standard.items.get(number="2").pk)].value() == ""
    assert Village.objects.get(pk=village.pk).status == Status.COMPLETED


def test_the_whole_flow_returned_below_the_pass_score_then_accepted_in_round_two(
    client_for, yuci_editor, city_admin, village, standard
):
    county, city = client_for(yuci_editor), client_for(city_admin)
    apply(county, village, standard, {"1": "28", "2": "20"})
    response = apply(county, village, standard, {"1": "28", "2": "20", "3": "24.5", "4": "25"}, action="finish")
    assert response.status_code == 302
    village.refresh_from_db()
    assert village.status == Status.UNDER_REVIEW
    first = Application.objects.get(village=village, number=1)
    assert first.status == "submitted" and first.submitted_by == yuci_editor

    # The city scores 25 + 20 + 20 + 22 = 87, below 90: returned with the items scored below full points.
    response = review(city, village, standard, {"1": "25", "2": "20", "3": "20", "4": "22"}, texts={"3": "垃圾未分类"})
    assert response.status_code == 302
    village.refresh_from_db()
    first.refresh_from_db()
    assert first.status == "returned" and first.review.decision == "returned"
    assert first.review.total == Decimal("87") and first.review.reviewer == city_admin
    assert village.status == Status.IN_PROGRESS and village.accepted_at is None  # 退回: back to work
    reason = village.return_reason
    assert "87" in reason and "90" in reason
    assert (
        "1 道路硬化 (25/30)" in reason and "3 垃圾治理 (20/25): 垃圾未分类" in reason and "4 厕所改造 (22/25)" in reason
    )
    assert "2 安全饮水" not in reason
    assert "垃圾未分类" in county.get(f"/villages/{village.code}/").content.decode()

    # Round 2: the county fixes, completes the village again and applies; the city scores 28 + 20 + 23.5 + 24.
    rectified(county, village)
    apply(county, village, standard, FULL, action="finish")
    second = Application.objects.get(village=village, number=2)
    assert second.status == "submitted"
    assert Village.objects.get(pk=village.pk).status == Status.UNDER_REVIEW
    review(city, village, standard, {"1": "28", "2": "20", "3": "23.5", "4": "24"})
    village.refresh_from_db()
    second.refresh_from_db()
    assert second.status == "accepted" and second.review.total == Decimal("95.5")
    assert village.status == Status.ACCEPTED and village.accepted_at is not None and village.return_reason == ""

    # Round 1 is still readable and unchanged.
    first.refresh_from_db()
    assert first.status == "returned" and first.review.total == Decimal("87")
    assert [s.score for s in first.self_scores.order_by("item__position")] == [28, 20, Decimal("24.5"), 25]
    page = county.get(f"/villages/{village.code}/acceptance/1/")
    assert page.status_code == 200
    lines = {line.item.number: (line.self_score, line.city_score, line.comment) for line in page.context["round"].lines}
    assert lines["3"] == (Decimal("24.5"), Decimal("20"), "垃圾未分类")


def test_a_failed_decisive_item_returns_a_village_whose_total_is_above_the_pass_score(
    client_for, yuci_editor, city_admin, village, standard
):
    apply(client_for(yuci_editor), village, standard, FULL, action="finish")
    # 30 + 19.5 + 25 + 25 = 99.5 >= 90, but item 2 (decisive, 20 points) is not met in full.
    review(client_for(city_admin), village, standard, {"1": "30", "2": "19.5", "3": "25", "4": "25"})
    village.refresh_from_db()
    application = Application.objects.get(village=village)
    assert application.review.total == Decimal("99.5")
    assert application.status == "returned" and village.status == Status.IN_PROGRESS
    assert "一票否决" in village.return_reason and "2" in village.return_reason


def test_the_review_page_shows_each_item_beside_the_countys_score_and_note(
    client_for, yuci_editor, city_admin, village, standard
):
    apply(client_for(yuci_editor), village, standard, FULL, action="finish", texts={"2": "自来水入户率 100%"})
    page = client_for(city_admin).get(f"/villages/{village.code}/acceptance/review/").content.decode()
    assert "自来水入户率 100%" in page and "安全饮水" in page and "data-self-score>20<" in page


def test_a_review_can_be_saved_and_finished_later(client_for, yuci_editor, city_admin, village, standard):
    apply(client_for(yuci_editor), village, standard, FULL, action="finish")
    city = client_for(city_admin)
    response = review(city, village, standard, {"1": "30"}, action="save", comment="待补充")
    assert response.status_code == 302
    application = Application.objects.get(village=village)
    assert application.status == "submitted" and application.review.decision == ""
    assert application.review.total == Decimal("30") and application.review.comment == "待补充"
    assert Village.objects.get(pk=village.pk).status == Status.UNDER_REVIEW
    city.cookies["django_language"] = "en"
    response = review(city, village, standard, {"1": "30"}, action="finish")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["3 item(s) have no score; every item needs one."]
    assert Review.objects.get(application=application).decision == ""


@pytest.mark.parametrize(
    "typed,problem_en",
    [("26", "above the item's 25 points"), ("-1", "negative"), ("12.3", "multiple of 0.5"), ("很好", "not a number")],
)
def test_a_wrong_self_score_is_refused_with_the_reason_and_nothing_is_saved(
    client_for, yuci_editor, village, standard, typed, problem_en
):
    client = client_for(yuci_editor)
    client.cookies["django_language"] = "en"
    response = apply(client, village, standard, {"1": "30", "3": typed})
    assert response.status_code == 200
    errors = " ".join(error for errors in response.context["form"].errors.values() for error in errors)
    assert problem_en in errors and "Item 3" in errors
    assert not Application.objects.exists()


def test_an_incomplete_self_assessment_cannot_be_submitted_and_nothing_changes(
    client_for, yuci_editor, village, standard
):
    client = client_for(yuci_editor)
    apply(client, village, standard, {"1": "30"})
    before = Application.objects.get(village=village)
    response = apply(client, village, standard, {"1": "29", "2": "20", "3": "25"}, action="finish")
    assert response.status_code == 200 and response.context["form"].errors
    after = Application.objects.get(village=village)
    assert (after.status, after.version) == ("draft", before.version)
    assert after.self_scores.get(item__number="1").score == 30
    assert Village.objects.get(pk=village.pk).status == Status.COMPLETED


@pytest.mark.parametrize("status", [Status.IN_PROGRESS, Status.COMPLETED, Status.ACCEPTED])
def test_a_review_of_a_village_not_awaiting_review_is_refused(client_for, city_admin, village, standard, status):
    Village.objects.filter(pk=village.pk).update(status=status)
    response = client_for(city_admin).post(
        f"/villages/{village.code}/acceptance/review/", scored_data(standard, FULL, action="finish"), follow=True
    )
    assert any("待复核" in message for message in messages_of(response))
    assert Village.objects.get(pk=village.pk).status == status and not Review.objects.exists()


def test_a_village_that_is_not_completed_cannot_apply(client_for, yuci_editor, yuci_village, standard):
    response = apply(client_for(yuci_editor), yuci_village, standard, FULL, action="finish")
    assert response.status_code == 302 and not Application.objects.exists()
    assert Village.objects.get(pk=yuci_village.pk).status == Status.IN_PROGRESS


def test_a_submitted_application_is_locked(client_for, yuci_editor, village, standard):
    client = client_for(yuci_editor)
    apply(client, village, standard, FULL, action="finish")
    response = apply(client, village, standard, {"1": "0", "2": "0", "3": "0", "4": "0"})
    assert response.status_code == 302
    assert Application.objects.get().self_scores.get(item__number="1").score == 30


def test_two_reviewers_at_once_the_second_save_is_refused_with_the_current_values(
    client_for, yuci_editor, city_admin, village, standard
):
    apply(client_for(yuci_editor), village, standard, FULL, action="finish")
    version = Application.objects.get().review.version
    first, second = client_for(city_admin), client_for(city_admin)
    data = scored_data(standard, {"1": "29"}, version=version, action="save", comment="")
    assert first.post(f"/villages/{village.code}/acceptance/review/", data).status_code == 302
    data = scored_data(standard, {"1": "10"}, version=version, action="save", comment="")
    response = second.post(f"/villages/{village.code}/acceptance/review/", data)
    assert response.status_code == 409
    assert Application.objects.get().review.scores.get(item__number="1").score == 29
    form = response.context["form"]
    assert form["score_" + str(standard.items.get(number="1").pk)].value() == "29"
    assert [(item.number, score) for item, score, _text in response.context["unsaved"]] == [("1", "10")]


def test_two_editors_saving_the_same_draft_the_second_is_refused(client_for, yuci_editor, village, standard):
    client = client_for(yuci_editor)
    apply(client, village, standard, {"1": "28"})
    version = Application.objects.get().version
    url = f"/villages/{village.code}/acceptance/apply/"
    assert client.post(url, scored_data(standard, {"1": "27"}, version=version)).status_code == 302
    response = client.post(url, scored_data(standard, {"1": "26"}, version=version))
    assert response.status_code == 409
    assert Application.objects.get().self_scores.get(item__number="1").score == 27


def test_one_click_accept_is_refused_where_a_standard_exists(client_for, city_admin, village):
    response = client_for(city_admin).post(
        f"/villages/{village.code}/accept/", {"version": village.version}, follow=True
    )
    assert Village.objects.get(pk=village.pk).status == Status.COMPLETED
    assert any("复核" in message for message in messages_of(response))
    assert 'id="accept-form"' not in response.content.decode()


def test_one_click_accept_stays_for_a_tier_and_year_without_a_standard(client_for, city_admin, taigu_village):
    make_standard(tier="showcase")  # another tier: no standard for upgraded villages of 2025 here
    Standard.objects.filter(tier="upgraded").delete()
    complete(taigu_village)
    client_for(city_admin).post(f"/villages/{taigu_village.code}/accept/", {"version": taigu_village.version})
    assert Village.objects.get(pk=taigu_village.pk).status == Status.ACCEPTED


def test_a_standard_in_use_cannot_change_and_a_new_version_keeps_the_old_one_for_its_reviews(
    client_for, yuci_editor, city_admin, village, standard
):
    apply(client_for(yuci_editor), village, standard, FULL, action="finish")
    item = standard.items.get(number="1")
    item.points = 40
    with pytest.raises(StandardInUse):
        item.save()
    standard.pass_score = 80
    with pytest.raises(StandardInUse):
        standard.save()
    newer = Standard.objects.get(pk=standard.pk).new_version(city_admin)
    assert (newer.version, newer.items.count(), newer.total_points) == (2, 4, Decimal("100"))
    newer.pass_score = 85
    newer.save()
    assert Standard.objects.current("upgraded", 2025) == newer
    assert Application.objects.get().standard_id == standard.pk
    review(client_for(city_admin), village, standard, {"1": "25", "2": "20", "3": "20", "4": "22"})
    assert Application.objects.get().status == "returned"  # 87 < 90 of version 1 (version 2 would pass at 85)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent connections need PostgreSQL")
@pytest.mark.parametrize("action", ["save", "finish"])
def test_two_simultaneous_review_saves_on_separate_connections_keep_exactly_one(
    client_for, yuci_editor, city_admin, village, standard, action
):
    apply(client_for(yuci_editor), village, standard, FULL, action="finish")
    version, village_version = Review.objects.get().version, Village.objects.get(pk=village.pk).version
    scores = {"first": {"1": "25", "2": "20", "3": "20", "4": "22"}, "second": FULL}  # 87 (returned) or 100
    clients = {name: client_for(city_admin) for name in scores}
    barrier = threading.Barrier(2)
    results = {}

    def save(name):
        try:
            barrier.wait()
            data = scored_data(standard, scores[name], version=version, action=action, comment=name)
            results[name] = clients[name].post(f"/villages/{village.code}/acceptance/review/", data).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(name,)) for name in scores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    review_ = Review.objects.get()
    winner = review_.comment
    assert review_.version == version + 1
    assert review_.total == {"first": Decimal(87), "second": Decimal(100)}[winner]
    if action == "save":
        assert sorted(results.values()) == [302, 409]
    else:  # the loser is told another reviewer finished; the village moved once
        assert results == {"first": 302, "second": 302}
        expected = {"first": (Status.IN_PROGRESS, "returned"), "second": (Status.ACCEPTED, "accepted")}[winner]
        current = Village.objects.get(pk=village.pk)
        assert (current.status, review_.decision) == expected and current.version == village_version + 1
