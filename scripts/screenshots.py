"""Take the README's screenshots in chromium from a running demo (`make run`): desktop (1280 px) and phone (390 px).

Usage: .venv/bin/python scripts/screenshots.py [BASE_URL]   (default http://127.0.0.1:8000; writes docs/screenshots/)
The pages are drawn with the system's Chinese fonts, as users see them, and with Noto Sans CJK from the mplfonts
package (installed from requirements.txt for the PNG map) where the system has none.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = "demo-pass-2025"  # the demo users' (villages/demo.py)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def with_chinese_fonts():
    """chromium's environment: fontconfig's own fonts and the mplfonts package's Noto Sans CJK."""
    import mplfonts

    folder = Path(tempfile.mkdtemp(prefix="fonts-"))
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{Path(mplfonts.__file__).parent / 'fonts'}</dir><cachedir>{folder / 'cache'}</cachedir>"
        "</fontconfig>",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(config)}


def logged_in(browser, base, username, viewport, **options):
    page = browser.new_context(locale="zh-CN", viewport=viewport, **options).new_page()
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    return page


def main(base):
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = shutil.which("chromium")
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox"] if chromium else [], env=with_chinese_fonts()
        )
        desktop = logged_in(browser, base, "admin", DESKTOP)
        desktop.goto(base + "/")
        desktop.screenshot(path=OUT / "dashboard.png")
        desktop.goto(base + "/map/?year=2025")
        desktop.wait_for_selector("[data-villages-drawn]")
        desktop.screenshot(path=OUT / "map.png")
        desktop.goto(base + "/")
        desktop.locator("#project-money").screenshot(path=OUT / "funds.png")
        desktop.goto(base + "/projects/?year=2025")
        with desktop.expect_navigation():
            desktop.locator("main table a[href^='/projects/']").first.click()
        desktop.screenshot(path=OUT / "project.png", full_page=True)

        phone = logged_in(browser, base, "yuci", PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        phone.goto(base + "/")
        phone.evaluate("document.querySelector('#county-progress').scrollIntoView()")
        phone.screenshot(path=OUT / "dashboard-phone.png")
        phone.goto(base + "/villages/?tier=showcase&sort=-progress")
        with phone.expect_navigation():
            phone.locator("#village-table th[scope=row] a").first.click()
        phone.screenshot(path=OUT / "village-phone.png")
        browser.close()
    print("written:", ", ".join(sorted(path.name for path in OUT.glob("*.png"))))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
