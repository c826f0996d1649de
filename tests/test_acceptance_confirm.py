"""验收通过 and finishing a review take a second tap that shows the facts first (issue 25, item 7)."""

import pytest

from tests.acceptance_helpers import FULL, apply, complete, make_standard
from tests.village_helpers import photo_on
from villages.models import ProgressUpdate, Status, Village


def test_the_accept_button_shows_the_evidence_before_it_accepts(client_for, city_admin, taigu_village, media_root):
    village = complete(taigu_village)
    ProgressUpdate.objects.create(village=village, date="2025-08-01", text="竣工", progress=100)
    photo_on(village, media_root)
    page = client_for(city_admin).get(village.get_absolute_url()).content.decode()
    facts = page[page.index('id="accept-facts"') : page.index("</p>", page.index('id="accept-facts"'))]
    assert "100%" in facts and "2 条进展" in facts and "1 张照片" in facts
    assert page.index('<details class="confirm" id="accept-confirm">') < page.index('id="accept-button"')


@pytest.mark.browser
def test_on_a_phone_one_tap_does_not_accept_and_the_second_does(phone, city_admin, taigu_village):
    village = complete(taigu_village)
    phone.login(city_admin.username)
    phone.goto(village.get_absolute_url())
    page = phone.page
    page.tap("#accept-confirm > summary")
    assert Village.objects.get(pk=village.pk).status == Status.COMPLETED
    assert page.locator("#accept-facts").is_visible()
    assert "100%" in page.locator("#accept-facts").inner_text()
    with page.expect_navigation():
        page.tap("#accept-button")
    assert Village.objects.get(pk=village.pk).status == Status.ACCEPTED
    assert phone.outside_requests == [] and phone.console_errors == [] and phone.csp_violations == []


@pytest.mark.browser
def test_finishing_a_review_on_a_phone_shows_the_total_and_the_evidence_first(
    phone, client_for, yuci_editor, city_admin, yuci_village
):
    standard = make_standard()
    village = complete(yuci_village)
    apply(client_for(yuci_editor), village, standard, FULL, action="finish")
    phone.login(city_admin.username)
    phone.goto(f"/villages/{village.code}/acceptance/review/")
    page = phone.page
    for number, score in FULL.items():
        page.fill(f'article[data-item="{number}"] input.score', score)
    page.tap("#finish-confirm > summary")
    facts = page.locator("#finish-confirm p").inner_text()
    assert "100" in facts and "通过" in facts and "0 份" in facts
    assert Village.objects.get(pk=village.pk).status == Status.UNDER_REVIEW
    with page.expect_navigation():
        page.tap("#finish-review")
    assert Village.objects.get(pk=village.pk).status == Status.ACCEPTED
