"""Every acceptance page and action, for every role (as tests/test_permissions_matrix.py does for village pages).

The village belongs to 榆次区. Its editor applies (a city administrator may fill it in for the county); the city
administrator reviews (an editor never does, even for their own county); 太谷区, paired with 榆次 this year, reads
its rounds, records and evidence and changes nothing (403); 左权县's editor gets 404 for anything of it; the viewer
reads everything and changes nothing (403); anonymous users are sent to the login page.
tests/test_permissions_matrix.py's walk of every URL counts these pages as covered here.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from counties.models import Pairing, Profile
from tests.acceptance_helpers import FULL, apply, complete, make_standard, scored_data
from tests.conftest import make_user
from tests.test_acceptance_evidence import PDF
from villages.acceptance.models import Application, Evidence, Review, SelfScore
from villages.models import Village

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404
ROLES = ["city_admin", "yuci_editor", "taigu_editor", "zuoquan_editor", "viewer"]
# (URL name, method, expected for city admin, 榆次 editor, 太谷 editor (paired), 左权 editor, viewer)
MATRIX = [
    ("apply", "get", OK, OK, FORBIDDEN, NOT_FOUND, FORBIDDEN),
    ("apply", "post", REDIRECT, REDIRECT, FORBIDDEN, NOT_FOUND, FORBIDDEN),
    ("review", "get", OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN),
    ("review", "post", REDIRECT, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN),
    ("round", "get", OK, OK, OK, NOT_FOUND, OK),
    ("record", "get", OK, OK, OK, NOT_FOUND, OK),
    ("evidence", "get", OK, OK, OK, NOT_FOUND, OK),
]


@pytest.fixture
def zuoquan_editor(registry):
    return make_user("zuoquan-editor", Profile.Role.COUNTY_EDITOR, ["140722"])


@pytest.fixture
def setup(client_for, yuci_editor, yuci_village, media_root):
    """A completed village; for every page but the application, its round 1 submitted with a PDF."""
    standard = make_standard()
    village = complete(yuci_village)
    this_year = timezone.localdate().year
    Pairing.objects.create(
        kind=Pairing.Kind.NEIGHBOURS, county_a_id="140703", county_b_id="140702", start_year=this_year
    )

    def submitted():
        files = {"1": [SimpleUploadedFile("报告.pdf", PDF)]}
        apply(client_for(yuci_editor), village, standard, FULL, action="finish", files=files)
        village.refresh_from_db()

    return village, standard, submitted


def request_for(name, village, standard):
    base = f"/villages/{village.code}/acceptance/"
    if name == "apply":
        return base + "apply/", scored_data(standard, {"1": "30"})
    if name == "review":
        version = Review.objects.get().version
        return base + "review/", scored_data(standard, FULL, version=version, action="finish", comment="")
    if name == "round":
        return base + "1/", {}
    if name == "record":
        return base + "1/record.docx", {}
    return f"/evidence/{Evidence.objects.get().pk}/", {}


def state():
    return (
        list(Village.objects.values_list("status", "version", "return_reason")),
        list(Application.objects.values_list("status", "version")),
        list(SelfScore.objects.values_list("score", "note")),
        list(Review.objects.values_list("decision", "version", "total")),
    )


@pytest.mark.parametrize(
    "name,method,expected", [(m[0], m[1], m[2:]) for m in MATRIX], ids=[f"{m[0]}-{m[1]}" for m in MATRIX]
)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_acceptance_pages_answer_each_role_as_the_access_rules_say(
    request, client_for, setup, name, method, expected, role_index
):
    village, standard, submitted = setup
    if name != "apply":
        submitted()
    user = request.getfixturevalue(ROLES[role_index])
    before = state()
    path, data = request_for(name, village, standard)
    response = getattr(client_for(user), method)(path, data)
    assert response.status_code == expected[role_index]
    if expected[role_index] in (FORBIDDEN, NOT_FOUND):
        assert state() == before


@pytest.mark.parametrize("name,method", sorted({(m[0], m[1]) for m in MATRIX}))
def test_anonymous_users_are_sent_to_the_login_page(setup, name, method):
    village, standard, submitted = setup
    if name != "apply":
        submitted()
    path, data = request_for(name, village, standard)
    response = getattr(Client(), method)(path, data)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_the_village_page_offers_each_role_only_what_it_may_do(client_for, city_admin, yuci_editor, viewer, setup):
    village, standard, submitted = setup
    url = f"/villages/{village.code}/"
    for user in (yuci_editor, city_admin):
        assert 'id="apply-link"' in client_for(user).get(url).content.decode()
    assert 'id="apply-link"' not in client_for(viewer).get(url).content.decode()
    submitted()
    assert 'id="review-link"' in client_for(city_admin).get(url).content.decode()
    for user in (yuci_editor, viewer):
        page = client_for(user).get(url).content.decode()
        assert 'id="review-link"' not in page and 'id="apply-link"' not in page


@pytest.mark.parametrize("path", ["/admin/acceptance/standard/", "/admin/acceptance/standard/add/"])
@pytest.mark.parametrize("user_fixture", ["yuci_editor", "taigu_editor", "viewer"])
def test_standards_are_edited_by_city_administrators_only(request, client_for, city_admin, path, user_fixture):
    assert client_for(city_admin).get(path).status_code == 200
    response = client_for(request.getfixturevalue(user_fixture)).get(path)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
