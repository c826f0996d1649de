"""The apps built on villages add sections to its pages, sheets to its ledger and steps to its demo."""

import io

import pytest
from openpyxl import load_workbook

from villages import extensions
from villages.demo import seed_demo


@pytest.fixture
def section_template(tmp_path, settings):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "section.html").write_text('<p id="test-section">{{ village.code }}</p>\n')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]


@pytest.fixture
def registries():
    saved = {page: list(entries) for page, entries in extensions.sections.items()}
    sheets, steps = list(extensions.ledger_sheets), list(extensions.demo_steps)
    yield
    for page, entries in saved.items():
        extensions.sections[page][:] = entries
    extensions.ledger_sheets[:] = sheets
    extensions.demo_steps[:] = steps


def test_a_section_shows_on_its_page_with_what_the_page_gives_it(
    registries, section_template, client_for, city_admin, yuci_village
):
    seen = []

    def context(request, village):
        seen.append((request.user, village.code))
        return {"village": village}

    extensions.add_section("village", "tests/section.html", context)
    response = client_for(city_admin).get(yuci_village.get_absolute_url())
    assert f'<p id="test-section">{yuci_village.code}</p>' in response.content.decode()
    assert seen == [(city_admin, yuci_village.code)]


def test_a_section_whose_context_is_none_is_left_out(
    registries, section_template, client_for, city_admin, yuci_village
):
    extensions.add_section("village", "tests/section.html", lambda request, village: None)
    assert 'id="test-section"' not in client_for(city_admin).get(yuci_village.get_absolute_url()).content.decode()


def test_sections_come_in_their_order_and_are_added_once(registries):
    extensions.add_section("county", "b.html", lambda request, **page: {}, order=20)
    extensions.add_section("county", "a.html", lambda request, **page: {}, order=10)
    extensions.add_section("county", "b.html", lambda request, **page: {}, order=20)
    ours = [section.template for section in extensions.sections["county"] if section.template in ("a.html", "b.html")]
    assert ours == ["a.html", "b.html"]
    assert [section.template for section in extensions.sections["county"]].count("b.html") == 1


def test_an_unknown_page_is_refused(registries):
    with pytest.raises(ValueError, match="no page 'map'"):
        extensions.add_section("map", "a.html", lambda request, **page: {})


def test_a_ledger_sheet_joins_the_dashboard_workbook(registries, client_for, viewer):
    extensions.add_ledger_sheet(lambda workbook, data: workbook.create_sheet("Extra").append(["year", data.year]))
    response = client_for(viewer).get("/dashboard.xlsx?year=2025")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["Extra"]["A1"].value == "year"
    assert workbook["Extra"]["B1"].value == 2025


def test_seed_demo_runs_the_demo_steps_and_reports_their_lines(registries, settings, registry):
    extensions.add_demo_step(lambda: ["3 illustrative things made."])
    result = seed_demo()
    assert "3 illustrative things made." in result.more
    assert result.changed
