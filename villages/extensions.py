"""What the apps built on villages (acceptance, projects, reporting) add to its pages, its ledger and its demo.

villages knows where a part goes; the apps above it register their parts from their AppConfig.ready(), so that
nothing in villages imports them (the dependencies run one way: tests/test_architecture.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string

# The pages that take sections: the dashboard (home), a city's page, a county's page and a village's page.
PAGES = ("home", "city", "county", "village")


@dataclass(frozen=True)
class Section:
    template: str
    context: Callable  # (request, **what the page shows) -> dict, or None to leave the section out
    order: int


@dataclass(frozen=True)
class Step:
    run: Callable
    order: int


sections = {page: [] for page in PAGES}
ledger_sheets = []  # Step(run=(workbook, data) -> None): each adds its sheets to the dashboard's ledger
demo_steps = []  # Step(run=() -> [line to print]): seed_demo runs them after the villages' own steps


def add_section(page, template, context, order=100):
    """Show `template` on `page` with what context(request, **page_context) returns (nothing when it returns None).
    Sections appear by `order`, then in the order they were added."""
    if page not in sections:
        raise ValueError(f"no page {page!r} takes sections; pages: {', '.join(PAGES)}")
    entries = sections[page]
    if any(entry.template == template for entry in entries):  # ready() may run twice (tests, reloads)
        return
    entries.append(Section(template, context, order))
    entries.sort(key=lambda entry: entry.order)


def render_sections(where, request, **page_context):
    """The HTML of every section of the page `where` that has something to show, in order."""
    rendered = []
    for section in sections[where]:
        context = section.context(request, **page_context)
        if context is not None:
            rendered.append(render_to_string(section.template, context, request))
    return rendered


def add_step(registry, run, order=100):
    if any(step.run is run for step in registry):
        return
    registry.append(Step(run, order))
    registry.sort(key=lambda step: step.order)


def add_ledger_sheet(write, order=100):
    add_step(ledger_sheets, write, order)


def add_demo_step(run, order=100):
    add_step(demo_steps, run, order)
