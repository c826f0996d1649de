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


def test_the_login_lockout_section_speaks_chinese(city_admin, client_for):
    client = client_for(city_admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert "登录锁定" in index and "登录尝试" in index and "登录记录" in index and "登录失败" in index
    assert "Axes" not in index and "Access attempts" not in index
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="yuci",
        ip_address="10.0.0.9",
        user_agent="x",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    attempts = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "IP 地址" in attempts and "尝试时间" in attempts and "失败次数" in attempts and "已锁定" in attempts


def test_one_word_per_idea_the_tier_is_village_tier_and_the_township_kind_is_township_type(city_admin, client_for):
    html = client_for(city_admin).get(reverse("admin:villages_village_changelist")).content.decode()
    assert "村庄类别" in html and "乡镇类型" in html
    assert "类型</a>" not in html.replace("乡镇类型</a>", "")


@pytest.mark.parametrize("who", ["yuci_editor", "viewer"])
def test_admin_is_refused_to_everyone_but_city_admins(request, client_for, who):
    client = client_for(request.getfixturevalue(who))
    response = client.get(reverse("admin:villages_village_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
