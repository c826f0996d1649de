import re

import pytest
from django.urls import reverse

from villages.models import Status, Tier, Village

pytestmark = pytest.mark.django_db

HOME = reverse("villages:home")


def row_cells(html, county_code):
    row = re.search(rf'<tr data-county="{county_code}">(.*?)</tr>', html, re.S).group(1)
    return [int(value) for value in re.findall(r'<td class="num"[^>]*>(\d+)</td>', row)]


def test_anonymous_visitor_is_redirected_to_login(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_numbers_equal_what_the_database_holds(viewer, client_for):
    yuci = list(Village.objects.filter(county_id="140702").order_by("code")[:5])
    for village, status in zip(
        yuci, [Status.PLANNED, Status.PLANNED, Status.IN_PROGRESS, Status.COMPLETED, Status.ACCEPTED]
    ):
        village.tier, village.programme_year, village.status = Tier.SHOWCASE, 2025, status
        village.save()
    Village.objects.filter(code="140703100200").update(tier=Tier.UPGRADED, programme_year=2025, status=Status.PLANNED)

    html = client_for(viewer).get(HOME).content.decode()

    for county_code in ["140702", "140703", "140781"]:
        villages = Village.objects.filter(county_id=county_code)
        expected = [villages.count()]
        expected += [villages.filter(tier=tier).count() for tier in Tier.values]
        expected += [villages.filter(status=status).count() for status in Status.values]
        assert row_cells(html, county_code) == expected
    assert row_cells(html, "total")[0] == Village.objects.count() == 1940


def test_home_page_query_count_does_not_depend_on_villages(viewer, client_for, django_assert_max_num_queries):
    client = client_for(viewer)
    client.get(HOME)  # the site's place (its city) is read once, then cached
    # The home page is also the progress dashboard (the cities, targets, quotas and whether they are demo data,
    # acceptances, pairings, the acceptance standard and the applications counted per county): 18 queries, 5 for
    # the figures that do not fit together (villages/consistency.py) and 4 for the money section
    # (villages/projects/dashboard.py), the session not saved again within five minutes; tests/test_dashboard.py
    # checks that the count is the same with 50 and 2,000 villages.
    with django_assert_max_num_queries(27):
        client.get(HOME)


def test_home_page_speaks_chinese_by_default_and_english_when_switched(viewer, client_for):
    client = client_for(viewer)
    html = client.get(HOME).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "按县统计村庄" in html
    assert "退出登录" in html

    client.post(reverse("set_language"), {"language": "en", "next": HOME})
    html = client.get(HOME).content.decode()
    assert '<html lang="en">' in html
    assert "Villages by county" in html
    assert "Log out" in html


def test_logout_is_a_post_and_login_page_is_styled(viewer, client_for, client):
    logged_in = client_for(viewer)
    assert logged_in.get(reverse("logout")).status_code == 405
    assert logged_in.post(reverse("logout")).status_code == 302
    login_page = client.get(reverse("login")).content.decode()
    assert "css/site.css" in login_page
    assert "登录" in login_page
