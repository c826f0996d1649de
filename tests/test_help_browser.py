"""The screenshots of the users' manual (static/help/<topic>.png), taken in chromium from the demo data, each page
as its user meets it: the county editor on a 390 px phone, the city administrator at 1280 px. On each page the
“？帮助” link is visible and opens its topic, which shows the screenshot.

The committed PNGs are retaken with `HELP_SCREENSHOTS=1 .venv/bin/python -m pytest tests/test_help_browser.py`;
without it the test writes them to a temporary folder and checks that each committed one has the same size."""

import os
import shutil
import struct
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from config.help import TOPICS
from counties.models import Pairing
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, YUCI, BrowserPage
from tests.project_helpers import make_project, move_to
from villages.acceptance.models import Application
from villages.demo import DEMO_PASSWORD, editor_username
from villages.models import Status, Village
from villages.projects import workflow as project_workflow
from villages.projects.models import Source, Stage
from villages.reporting.models import Period

pytestmark = pytest.mark.browser

HELP_STATIC = Path(__file__).resolve().parent.parent / "static" / "help"
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def png_size(path):
    """(width, height) from the PNG's IHDR chunk."""
    header = Path(path).read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", header[16:24])


@pytest.fixture
def chromium_with_chinese_fonts(chromium, tmp_path):
    """The chromium of the tests, started again with the Noto Sans CJK font of the mplfonts package (installed from
    requirements.txt for the PNG map) added to fontconfig's fonts, so that the screenshots show Chinese on any
    machine, with or without a CJK font of its own."""
    import mplfonts

    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{Path(mplfonts.__file__).parent / 'fonts'}</dir><cachedir>{tmp_path / 'fontcache'}</cachedir>"
        "</fontconfig>",
        encoding="utf-8",
    )
    browser = chromium.browser_type.launch(
        executable_path=shutil.which("chromium") or CHROMIUM,
        args=CHROMIUM_ARGS,
        env={**os.environ, "FONTCONFIG_FILE": str(config)},
    )
    yield browser
    browser.close()


def a_project_under_way(village):
    """A road project of the village (the demo has no projects): three sources planned, the central funds' figures
    of June recorded by the county."""
    editor, admin = (get_user_model().objects.get(username=name) for name in ("yuci", "admin"))
    funds = {Source.CENTRAL: "120", Source.CITY_COUNTY: "40", Source.SELF_RAISED: "10"}
    project = make_project(
        village,
        editor,
        name="村内主干道硬化",
        year=2025,
        funds=funds,
        content="硬化村内主干道 2.4 公里",
        implementer="车辋村股份经济合作社",
        responsible_unit="东阳镇人民政府",
        start_month=date(2025, 4, 1),
        end_month=date(2025, 10, 1),
        benefit_mechanism="优先雇用本村群众务工",
        households=120,
        people=380,
        jobs=25,
        is_illustrative=True,
    )
    move_to(project, Stage.IN_PROGRESS, editor, admin)
    fund = project.funds.get(source=Source.CENTRAL)
    project_workflow.record_figures(fund, fund.version, editor, date(2025, 6, 1), Decimal(80), Decimal(45))
    return project


def csv_of(villages):
    """A county's list moving its planned villages to 建设中: what the import's preview shows."""
    rows = ["村代码,村名,状态,进度(%)"] + [f"{village.code},{village.name},建设中,20" for village in villages]
    return ("\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture
def demo(registry, settings, media_root):
    """The demo data (illustrative, as the screenshots' captions say) and, per topic, (user, size, path)."""
    settings.DEBUG = True  # seed_demo refuses otherwise
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False
    draft = Application.objects.filter(status=Application.State.DRAFT).select_related("village").first()
    submitted = Application.objects.filter(status=Application.State.SUBMITTED).select_related("village").first()
    updating = Village.objects.filter(county_id=YUCI, status=Status.IN_PROGRESS).order_by("code").first()
    period = Period.objects.monthly().started(timezone.localdate()).order_by("-start").first()
    project = a_project_under_way(updating)
    return {
        "report": ("yuci", PHONE, f"/villages/{updating.code}/updates/new/"),
        "offline": ("yuci", PHONE, "/offline/"),
        "apply": (
            editor_username(draft.village.county_id),
            DESKTOP,
            f"/villages/{draft.village.code}/acceptance/apply/",
        ),
        "review": ("admin", DESKTOP, f"/villages/{submitted.village.code}/acceptance/review/"),
        "import": ("admin", DESKTOP, "/admin/villages/village/import/"),
        "projects": ("yuci", DESKTOP, f"/projects/{project.pk}/"),
        "pairings": ("admin", DESKTOP, f"/pairings/{Pairing.objects.order_by('pk').first().pk}/"),
        "map": ("admin", DESKTOP, "/map/"),
        "reporting": ("admin", DESKTOP, f"/reporting/{period.key}/"),
        "gis": ("admin", DESKTOP, "/data/"),
    }


def test_each_explained_page_links_to_its_topic_which_shows_its_screenshot(
    chromium_with_chinese_fonts, live_server, demo, tmp_path
):
    keep = os.environ.get("HELP_SCREENSHOTS") == "1"
    out = HELP_STATIC if keep else tmp_path
    out.mkdir(exist_ok=True)
    assert list(demo) == list(TOPICS)
    browsers = {}
    try:
        for slug, (username, size, path) in demo.items():
            if (username, size["viewport"]["width"]) not in browsers:
                browser = BrowserPage(chromium_with_chinese_fonts.new_context(locale="zh-CN", **size), live_server.url)
                browser.login(username, DEMO_PASSWORD)
                browsers[username, size["viewport"]["width"]] = browser
            browser = browsers[username, size["viewport"]["width"]]
            page = browser.page
            browser.goto(path)
            if slug == "import":
                yuci_planned = Village.objects.filter(county_id=YUCI, status=Status.PLANNED).order_by("code")[:4]
                page.set_input_files(
                    "#import-form input[type=file]",
                    {"name": "榆次区.csv", "mimeType": "text/csv", "buffer": csv_of(yuci_planned)},
                )
                page.click("#import-form input[type=submit]")
                page.wait_for_selector("#confirm-import")
            page.wait_for_load_state("networkidle")
            link = page.locator(f'a.help-link[data-help="{slug}"]')
            assert link.is_visible(), slug
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= size["viewport"]["width"], slug
            page.screenshot(path=out / f"{slug}.png", full_page=slug == "projects")  # its funds are below
            link.click()
            page.wait_for_load_state("load")
            assert page.url == f"{live_server.url}/help/{slug}/"
            assert page.locator("h1").inner_text() == str(TOPICS[slug].title)
            image = page.locator(".help-shot img")
            image.scroll_into_view_if_needed()
            # loading="lazy": it loads once scrolled to; decode() waits for it and fails for a broken image
            assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0, slug
            assert browser.console_errors == [] and browser.outside_requests == [] and browser.csp_violations == []
    finally:
        for browser in browsers.values():
            browser.context.close()
    for slug, (_username, size, _path) in demo.items():
        width = size["viewport"]["width"] * size.get("device_scale_factor", 1)
        assert png_size(out / f"{slug}.png")[0] == width, slug
        assert png_size(HELP_STATIC / f"{slug}.png") == png_size(out / f"{slug}.png"), slug
