"""Take the monthly reports' screenshots from a running demo (`make run`, then `manage.py send_reminders` so that
the editors have notices): a period page (1280 px), a county editor's home page on a phone (390 px) with the bell and
"本月还有 N 个村未报", and the first pages of the issued 通报 (its DOCX turned into PNG by LibreOffice and pdftoppm,
when both are installed: `apt-get install libreoffice-writer-nogui poppler-utils`).

Usage: .venv/bin/python scripts/reporting_screenshots.py [BASE_URL] [PERIOD]   (writes docs/screenshots/)
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright
from screenshots import DESKTOP, OUT, PHONE, logged_in, with_chinese_fonts


def bulletin_pages(docx, pages=2):
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not (soffice and pdftoppm):
        print("LibreOffice (soffice) or pdftoppm is not installed: no picture of the 通报.")
        return
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "bulletin.docx"
        source.write_bytes(docx)
        subprocess.run(
            [soffice, "--headless", "--convert-to", "pdf", "--outdir", folder, str(source)],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                pdftoppm,
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                str(pages),
                str(Path(folder) / "bulletin.pdf"),
                str(OUT / "bulletin"),
            ],
            check=True,
        )


def main(base, period):
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = shutil.which("chromium")
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox"] if chromium else [], env=with_chinese_fonts()
        )
        desktop = logged_in(browser, base, "admin", DESKTOP)
        desktop.goto(f"{base}/reporting/{period}/?sort=rank")
        desktop.screenshot(path=OUT / "reporting-period.png", full_page=False)
        desktop.goto(f"{base}/reporting/")
        link = desktop.locator("#period-table a[href*='bulletin.docx']").first
        docx = desktop.request.get(base + link.get_attribute("href")).body()

        phone = logged_in(browser, base, "yuci", PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        phone.goto(base + "/")
        phone.evaluate("document.querySelector('#reporting-summary').scrollIntoView()")
        phone.evaluate("window.scrollBy(0, -70)")
        phone.screenshot(path=OUT / "reporting-phone.png")
        phone.goto(base + "/reporting/notices/")
        phone.screenshot(path=OUT / "notices-phone.png")
        browser.close()
    bulletin_pages(docx)
    print("written:", ", ".join(sorted(path.name for path in OUT.glob("*.png"))))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000", sys.argv[2] if len(sys.argv) > 2 else "2025-10")
