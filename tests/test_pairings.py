from datetime import date

import pytest
from django.urls import reverse

from counties.models import Pairing, PairingActivity
from tests.conftest import TAIGU, YUCI
from villages.models import CountyQuota, Status, Tier, Village

pytestmark = pytest.mark.django_db

YUSHE = "140721"
JIEXIU = "140781"
LINGSHI = "140729"
NEW = reverse("villages:pairing_create")


def form_data(**changes):
    data = {
        "kind": Pairing.Kind.HELP,
        "county_a": YUCI,
        "county_b": YUSHE,
        "start_year": 2025,
        "end_year": 2027,
        "focus_areas": "核桃深加工",
        "committed_funds": "500",
        "committed_projects": 3,
        "committed_people": 5,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def edit_data(pairing, **changes):
    return form_data(seen_version=pairing.history.latest("history_id").history_id, **changes)


@pytest.fixture
def pairing(registry):
    return Pairing.objects.create(kind=Pairing.Kind.HELP, county_a_id=YUCI, county_b_id=YUSHE, start_year=2025)


@pytest.fixture
def other_pairing(registry):
    return Pairing.objects.create(
        kind=Pairing.Kind.NEIGHBOURS, county_a_id=JIEXIU, county_b_id=LINGSHI, start_year=2025
    )


def activity_data(**changes):
    return {"date": "2025-06-01", "description": "技术培训", "funds": "12.5", "projects": 1, "people": 3, **changes}


def test_city_admin_creates_a_pairing(city_admin, client_for):
    response = client_for(city_admin).post(NEW, form_data())
    pairing = Pairing.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("villages:pairing", args=[pairing.pk])
    assert (pairing.county_a_id, pairing.county_b_id, pairing.committed_people) == (YUCI, YUSHE, 5)
    assert pairing.history.count() == 1


@pytest.mark.parametrize("user", ["yuci_editor", "viewer"])
def test_editors_and_viewers_may_not_create_pairings(user, request, client_for):
    client = client_for(request.getfixturevalue(user))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data()).status_code == 403
    assert not Pairing.objects.exists()


def test_anonymous_is_sent_to_login(client, pairing):
    for url in [NEW, reverse("villages:pairings"), reverse("villages:pairing", args=[pairing.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("a, b", [(YUCI, YUSHE), (YUSHE, YUCI)])
def test_the_same_pair_and_type_is_refused_in_either_order_with_a_clear_message(pairing, city_admin, client_for, a, b):
    response = client_for(city_admin).post(NEW, form_data(county_a=a, county_b=b))
    assert response.status_code == 200
    html = response.content.decode()
    assert "已有同类型的结对" in html and "榆次区" in html and "榆社县" in html
    assert Pairing.objects.count() == 1


def test_the_same_pair_with_the_other_type_is_allowed(pairing, city_admin, client_for):
    response = client_for(city_admin).post(NEW, form_data(kind=Pairing.Kind.NEIGHBOURS, county_a=YUSHE, county_b=YUCI))
    assert response.status_code == 302
    assert Pairing.objects.filter(county_a=YUSHE, county_b=YUCI).count() == 1


def test_bad_pairing_input_gets_specific_errors_and_saves_nothing(city_admin, client_for):
    client = client_for(city_admin)
    same = client.post(NEW, form_data(county_b=YUCI)).content.decode()
    assert "结对需要两个不同的县" in same
    backwards = client.post(NEW, form_data(start_year=2026, end_year=2025)).content.decode()
    assert "结束年份不能早于开始年份" in backwards
    assert client.post(NEW, form_data(county_a="999999")).status_code == 200
    assert "请输入2000至2100之间的年份" in client.post(NEW, form_data(start_year=25, end_year=None)).content.decode()
    assert not Pairing.objects.exists()


def test_city_admin_edits_a_pairing_with_history(pairing, city_admin, client_for):
    url = reverse("villages:pairing_edit", args=[pairing.pk])
    response = client_for(city_admin).post(url, edit_data(pairing, committed_funds="800"))
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.committed_funds == 800 and pairing.history.count() == 2


def test_editing_into_an_existing_pair_is_refused(pairing, other_pairing, city_admin, client_for):
    url = reverse("villages:pairing_edit", args=[other_pairing.pk])
    response = client_for(city_admin).post(
        url, edit_data(other_pairing, kind=Pairing.Kind.HELP, county_a=YUSHE, county_b=YUCI)
    )
    assert response.status_code == 200 and "已有同类型的结对" in response.content.decode()
    other_pairing.refresh_from_db()
    assert other_pairing.county_a_id == JIEXIU


def test_only_city_admins_edit_pairings_everyone_else_gets_403_with_the_reason(
    pairing, yuci_editor, taigu_editor, viewer, client_for
):
    # Every signed-in user sees every pairing, so an editor outside it gets the reason (403), not a 404.
    url = reverse("villages:pairing_edit", args=[pairing.pk])
    for user in (yuci_editor, taigu_editor):
        response = client_for(user).post(url, form_data(committed_funds="1"))
        assert response.status_code == 403 and "只有市级管理员能新建和编辑结对" in response.content.decode()
    response = client_for(viewer).post(url, form_data(committed_funds="1"))
    assert response.status_code == 403 and "只读账号不能修改" in response.content.decode()
    pairing.refresh_from_db()
    assert pairing.committed_funds == 0


def test_editors_of_either_county_add_activities(pairing, yuci_editor, client_for, city_admin):
    url = reverse("villages:activity_create", args=[pairing.pk])
    assert client_for(yuci_editor).post(url, activity_data()).status_code == 302
    assert client_for(city_admin).post(url, activity_data(funds="7.5")).status_code == 302
    activities = PairingActivity.objects.filter(pairing=pairing)
    assert activities.count() == 2
    assert activities.get(funds="12.5").created_by == yuci_editor


def test_editor_of_the_helped_county_adds_activities(pairing, client_for):
    from counties.models import Profile
    from tests.conftest import make_user

    yushe_editor = make_user("yushe-editor", Profile.Role.COUNTY_EDITOR, [YUSHE])
    url = reverse("villages:activity_create", args=[pairing.pk])
    assert client_for(yushe_editor).post(url, activity_data()).status_code == 302


def test_activity_rules_editor_of_another_county_403_viewer_403(pairing, taigu_editor, viewer, client_for):
    url = reverse("villages:activity_create", args=[pairing.pk])
    assert client_for(taigu_editor).get(url).status_code == 403
    response = client_for(taigu_editor).post(url, activity_data())
    assert (
        response.status_code == 403 and "只有这两个结对县的填报员和市级管理员能记录其活动" in response.content.decode()
    )
    assert client_for(viewer).get(url).status_code == 403
    assert client_for(viewer).post(url, activity_data()).status_code == 403
    assert not PairingActivity.objects.exists()


def test_bad_activity_input_is_refused(pairing, yuci_editor, client_for):
    url = reverse("villages:activity_create", args=[pairing.pk])
    html = (
        client_for(yuci_editor).post(url, activity_data(funds="-5", date="2025-13-01", description="")).content.decode()
    )
    assert "资金不能为负数" in html
    assert html.count('class="errorlist"') >= 3
    assert not PairingActivity.objects.exists()


def test_everyone_logged_in_sees_the_list_and_the_page(pairing, other_pairing, taigu_editor, viewer, client_for):
    for user in [taigu_editor, viewer]:
        client = client_for(user)
        listing = client.get(reverse("villages:pairings")).content.decode()
        assert f'data-pairing="{pairing.pk}"' in listing and f'data-pairing="{other_pairing.pk}"' in listing
        page = client.get(reverse("villages:pairing", args=[pairing.pk]))
        assert page.status_code == 200
        assert reverse("villages:pairing_edit", args=[pairing.pk]) not in page.content.decode()
        assert reverse("villages:activity_create", args=[pairing.pk]) not in page.content.decode()


def test_pairing_page_shows_both_counties_and_activity_totals(pairing, viewer, client_for):
    import re

    for village, status in zip(
        Village.objects.filter(county_id=YUSHE).order_by("code")[:3],
        [Status.ACCEPTED, Status.ACCEPTED, Status.COMPLETED],
    ):
        village.tier, village.programme_year, village.status = Tier.UPGRADED, 2025, status
        village.save()
    CountyQuota.objects.create(year=2025, tier=Tier.UPGRADED, county_id=YUSHE, count=8)
    for funds, people in [("10.5", 2), ("4.5", 3)]:
        PairingActivity.objects.create(
            pairing=pairing, date=date(2025, 5, 1), description="x", funds=funds, people=people
        )

    html = client_for(viewer).get(reverse("villages:pairing", args=[pairing.pk])).content.decode()
    assert 'data-col="funds">15.00<' in html
    assert 'data-col="people">5<' in html
    yushe = html[html.index(f'data-side="{YUSHE}"') :]
    upgraded = re.search(r'<tr data-tier="upgraded">(.*?)</tr>', yushe, re.S).group(1)
    assert (
        'data-col="quota">8<' in upgraded
        and 'data-col="accepted">2<' in upgraded
        and 'data-col="completed">1<' in upgraded
    )
    assert 'data-col="percent">25.0%<' in upgraded
    assert f'data-side="{YUCI}"' in html


def test_a_county_may_be_in_several_pairings_and_its_page_lists_them(pairing, registry, viewer, client_for):
    second = Pairing.objects.create(kind=Pairing.Kind.NEIGHBOURS, county_a_id=YUCI, county_b_id=TAIGU, start_year=2025)
    html = client_for(viewer).get(reverse("villages:county", args=[YUCI])).content.decode()
    assert f'data-pairing="{pairing.pk}"' in html and f'data-pairing="{second.pk}"' in html


def test_admin_pairing_pages_are_for_city_admins_only(pairing, city_admin, yuci_editor, client_for):
    url = reverse("admin:counties_pairing_change", args=[pairing.pk])
    assert client_for(city_admin).get(url).status_code == 200
    assert client_for(yuci_editor).get(url).status_code == 302  # not staff: the admin sends to its login


def test_a_save_over_someone_elses_newer_change_is_refused(pairing, city_admin, client_for):
    from counties.forms import PairingForm

    seen = PairingForm(instance=pairing).fields["seen_version"].initial
    pairing.committed_people = 9
    pairing.save()  # someone else's change, made meanwhile
    url = reverse("villages:pairing_edit", args=[pairing.pk])
    response = client_for(city_admin).post(url, form_data(committed_funds="800", seen_version=seen))
    assert response.status_code == 200 and "其他人修改了该结对" in response.content.decode()
    pairing.refresh_from_db()
    assert (pairing.committed_people, pairing.committed_funds) == (9, 0)
