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
QUEUED = "(count) => document.querySelectorAll('#queue-items .queue-item').length === count"
UPDATES = [
    ("村内主路硬化完成，排水沟施工过半", "60"),
    ("新建文化广场基础浇筑", "45"),
    ("污水管网铺设完成三分之二", "70"),
]


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
    page = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport, **options).new_page()
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    return page


def offline_screenshots(browser, base):
    """榆次区's editor saves the offline copy, then writes three updates without a connection."""
    phone = logged_in(browser, base, "yuci", PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.goto(base + "/offline/")
    phone.locator("#copy-save").tap()
    phone.wait_for_function(
        "() => document.querySelector('#copy-status').textContent.includes('个村庄，')", timeout=300_000
    )
    phone.screenshot(path=OUT / "offline-copy-phone.png")
    phone.goto(base + "/villages/?county=140702&tier=showcase")
    codes = phone.eval_on_selector_all(
        "#village-table th[scope=row] a", "links => [...new Set(links.map(a => a.pathname.split('/')[2]))].slice(0, 3)"
    )
    phone.context.set_offline(True)
    for count, (code, (text, progress)) in enumerate(zip(codes, UPDATES), start=1):
        phone.goto(f"{base}/villages/{code}/updates/new/")
        phone.wait_for_selector("html[data-offline-ready]", state="attached")
        phone.fill("#update-form textarea[name=text]", text)
        phone.fill("#update-form input[name=progress]", progress)
        phone.locator("#update-form button[type=submit]").tap()
        phone.wait_for_function(QUEUED, arg=count)
    phone.goto(base + "/offline/")
    phone.wait_for_function(QUEUED, arg=len(UPDATES))
    phone.locator("#offline-queue").screenshot(path=OUT / "queued-updates-phone.png")
    phone.context.close()


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
        offline_screenshots(browser, base)
        browser.close()
    print("written:", ", ".join(sorted(path.name for path in OUT.glob("*.png"))))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
