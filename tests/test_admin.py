"""The Django admin is for city administrators, in Chinese, without a query per row on the change lists."""

import pytest
from django.urls import reverse

from villages.models import Village

pytestmark = pytest.mark.django_db

CHANGE_LISTS = [
    "admin:counties_county_changelist",
    "admin:counties_township_changelist",
    "admin:villages_village_changelist",
]


@pytest.mark.parametrize("name", CHANGE_LISTS)
def test_change_list_query_count_does_not_grow_with_rows(city_admin, client_for, django_assert_max_num_queries, name):
    client = client_for(city_admin)
    with django_assert_max_num_queries(15):
        response = client.get(reverse(name))
    assert response.status_code == 200


def test_village_change_list_filters_and_search(city_admin, client_for):
    client = client_for(city_admin)
    html = client.get(reverse("admin:villages_village_changelist"), {"q": "鸣谦"}).content.decode()
    assert "140702100200" in html
    html = client.get(reverse("admin:villages_village_changelist"), {"county__code__exact": "140703"}).content.decode()
    taigu_total = Village.objects.filter(county_id="140703").count()
    assert f"{taigu_total} 村庄" in html
    assert "140702100200" not in html


def test_admin_speaks_chinese(city_admin, client_for):
    html = client_for(city_admin).get(reverse("admin:index")).content.decode()
    assert "县（市、区）" in html and "村庄" in html


@pytest.mark.parametrize("who", ["yuci_editor", "viewer"])
def test_admin_is_refused_to_everyone_but_city_admins(request, client_for, who):
    client = client_for(request.getfixturevalue(who))
    response = client.get(reverse("admin:villages_village_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
