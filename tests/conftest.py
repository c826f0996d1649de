"""Shared test base: the real registry, and the named users of every permission check.

- city_admin: 市级管理员 (may do everything)
- yuci_editor: county editor of 榆次区 (140702)
- taigu_editor: county editor of 太谷区 (140703)
- viewer: read-only
"""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from counties.models import County, Profile
from villages.registry import load_registry

YUCI = "140702"
TAIGU = "140703"
PASSWORD = "a-long-test-password-2025"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_registry(settings.DATA_DIR)


@pytest.fixture
def registry(db):
    """The real 晋中 registry (11 counties, 130 townships, 1,940 villages), reloaded if a transactional test flushed it."""
    if not County.objects.exists():
        load_registry(settings.DATA_DIR)


def make_user(username, role, county_codes=()):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    profile = Profile.objects.create(user=user, role=role)
    profile.counties.set(county_codes)
    return user


@pytest.fixture
def city_admin(registry):
    return make_user("city-admin", Profile.Role.CITY_ADMIN)


@pytest.fixture
def yuci_editor(registry):
    return make_user("yuci-editor", Profile.Role.COUNTY_EDITOR, [YUCI])


@pytest.fixture
def taigu_editor(registry):
    return make_user("taigu-editor", Profile.Role.COUNTY_EDITOR, [TAIGU])


@pytest.fixture
def viewer(registry):
    return make_user("viewer", Profile.Role.VIEWER)


@pytest.fixture
def client_for(db):
    def logged_in(user):
        client = Client()
        client.force_login(user)
        return client

    return logged_in
