"""A county editor's phone on a slow link: pages, the offline copy and an update with a 4 MB photo.

    .venv/bin/python bench/phone.py [--rounds 3] [--port 8765]

It makes a throwaway SQLite database, loads 晋中's registry and the demo, and serves it with production settings
(DEBUG off, static files collected, gunicorn with 2 workers on 127.0.0.1), then drives Debian's chromium through Playwright as 榆次区's
editor on a 390 px phone, with the CPU slowed 4x and a slow mobile network (1.6 Mbit/s down, 750 kbit/s up, 150 ms
latency), both through the DevTools protocol. It prints, as medians over `--rounds`:

- each page (home, village list, village page, update form, map): the wall time to the load event and to idle (no
  request for 500 ms, the 500 ms not counted), and the bytes the page's requests took on the link. Twice: with the
  service worker blocked, and through it (installed, after one visit). DevTools' network emulation applies to the
  page's own requests, not to what the service worker fetches for it, so the second way shows what the phone does
  with the app's own cache, not the network's cost of the requests the service worker passes on.
- the offline copy of the county: the time from 保存到本手机 to the copy saved, and the bytes on the link;
- an update with one 4 MB phone photo (4,000 x 3,000 px, EXIF position near the village and time), from the tap on
  提交 to the village's page: the photo is scaled on the phone to the app's PHOTO side before sending, its EXIF kept.

Goals (issue 25): every page usable within 1 s and the map within 1.5 s; the offline copy ≤ 30 s and ≤ 2 MB; the
update with its photo ≤ 15 s. The machine's load average is printed before and after.
"""

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
EDITOR = "yuci"
PASSWORD = "demo-pass-2025"
SLOW_NETWORK = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
PAGES = [("home", "/"), ("village list", "/villages/"), ("village page", None), ("update form", None), ("map", "/map/")]
# What the page's scripts send as forms (DevTools does not count a blob's bytes in a request's size).
COUNT_FORMS_SENT = """{
  const fetchOriginal = window.fetch;
  window.fetch = function (input, init) {
    if (init && init.body instanceof FormData) {
      let bytes = Number(sessionStorage.getItem("formBytesSent") || 0);
      for (const [, value] of init.body.entries()) bytes += value instanceof Blob ? value.size : new Blob([value]).size;
      sessionStorage.setItem("formBytesSent", String(bytes));
    }
    return fetchOriginal.apply(this, arguments);
  };
}"""
VILLAGE_QUERY = """
from villages.models import Village
village = Village.objects.filter(county__name="榆次区").exclude(lat=None).exclude(tier="none").order_by("code").first()
print(village.code, village.lat, village.lon)
"""


def machine_state():
    one, five, _ = os.getloadavg()
    return f"machine: {os.cpu_count()} cores, load average {one:.2f} (1 min), {five:.2f} (5 min)"


def manage(env, *args, capture=False):
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=env, cwd=BASE_DIR, check=True, capture_output=capture, text=True
    )


def phone_photo(path, latitude, longitude):
    """A 4,000 x 3,000 JPEG of about 4 MB with the EXIF a phone writes: its position and the time it was taken."""
    from PIL import ExifTags, Image

    def dms(value):
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return (degrees, minutes, round((value - degrees - minutes / 60) * 3600, 2))

    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "BenchPhone"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: dms(latitude),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: dms(longitude),
    }
    exif[ExifTags.IFD.Exif] = {ExifTags.Base.DateTimeOriginal: datetime.now().strftime("%Y:%m:%d %H:%M:%S")}
    random.seed(1)
    coarse = Image.frombytes("RGB", (200, 150), bytes(random.randrange(40, 200) for _ in range(200 * 150 * 3)))
    image = coarse.resize((4000, 3000), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((4000, 3000), 40).convert("RGB")
    image = Image.blend(image, grain, 0.3)
    for quality in (95, 92, 88, 84, 80, 75, 70):
        output = io.BytesIO()
        image.save(output, format="JPEG", quality=quality, exif=exif)
        if output.tell() <= 4.4 * 1024 * 1024:
            break
    path.write_bytes(output.getvalue())
    return output.tell()


class Link:
    """Bytes the page's requests took on the (emulated) link, from the DevTools protocol."""

    def __init__(self, cdp):
        self.bytes = 0
        cdp.on("Network.loadingFinished", self.finished)

    def finished(self, event):
        self.bytes += event.get("encodedDataLength", 0)


def slow_phone(browser, base, block_service_workers):
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
        service_workers="block" if block_service_workers else "allow",
        base_url=base,
    )
    context.add_init_script(COUNT_FORMS_SENT)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", EDITOR)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    return context, page, Link(cdp)


def time_pages(page, link, paths, rounds):
    figures = {}
    for label, path in paths:
        page.goto(path, wait_until="networkidle")  # the first visit fills the caches (and the service worker's)
        load, idle, sizes = [], [], []
        for _ in range(rounds):
            link.bytes = 0
            started = time.perf_counter()
            page.goto(path, wait_until="load")
            load.append(time.perf_counter() - started)
            page.wait_for_load_state("networkidle")
            idle.append(time.perf_counter() - started - 0.5)
            sizes.append(link.bytes)
        figures[label] = (statistics.median(load), statistics.median(idle), statistics.median(sizes))
    return figures


def copy_server_seconds(page):
    """The server's time for the county's offline copy: its listing and parts fetched one after another at full speed
    with the phone's session (no emulation applies to page.request)."""
    started = time.perf_counter()
    listing = page.request.get("/offline/copy.json").json()
    for part in listing["parts"]:
        page.request.get(part).body()
    return time.perf_counter() - started


def offline_copy(page, link):
    page.goto("/offline/", wait_until="networkidle")
    page.wait_for_selector("#copy-save:not([hidden])")
    link.bytes = 0
    started = time.perf_counter()
    page.click("#copy-save")
    page.wait_for_function(
        "() => { const b = document.getElementById('copy-save'); return !b.disabled && b.textContent === b.dataset.refresh; }",
        timeout=180_000,
    )
    return time.perf_counter() - started, link.bytes, page.inner_text("#copy-status")


def update_with_photo(page, link, village, photo):
    """Seconds from the tap to the village's page, and the bytes of the form the page sent (the photo as sent)."""
    page.goto(f"/villages/{village}/updates/new/", wait_until="networkidle")
    page.wait_for_selector("html[data-offline-ready]", state="attached")
    page.fill("#update-form textarea[name=text]", "路面硬化完成（测速）")
    page.fill("#update-form input[name=progress]", "70")
    page.set_input_files("#update-form input[name=photos]", str(photo))
    page.evaluate("sessionStorage.setItem('formBytesSent', '0')")
    started = time.perf_counter()
    page.locator("#update-form button[type=submit]").tap()
    page.wait_for_url(f"**/villages/{village}/", timeout=180_000)
    seconds = time.perf_counter() - started
    return seconds, int(page.evaluate("sessionStorage.getItem('formBytesSent')"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("Debian's chromium is needed: bash scripts/ensure-chromium.sh")
    print(machine_state())
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "DEBUG": "0",
            "SECRET_KEY": "bench-phone",
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "STATIC_ROOT": str(folder / "static"),
            "MEDIA_ROOT": str(folder / "media"),
        }
        setup = {**env, "DEBUG": "1"}  # seed_demo makes users with the public demo password only with DEBUG on
        for step in (["migrate", "--noinput"], ["load_registry"], ["seed_demo"]):
            manage(setup, *step, "-v", "0", capture=True)
        manage(env, "collectstatic", "--noinput", "-v", "0", capture=True)  # the hashed names DEBUG off serves
        code, latitude, longitude = manage(env, "shell", "-c", VILLAGE_QUERY, capture=True).stdout.split()[-3:]
        photo = folder / "IMG_4032.jpg"
        photo_bytes = phone_photo(photo, float(latitude), float(longitude))
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{args.port}"]
            + ["--log-level", "warning"],
            env=env,
            cwd=BASE_DIR,
        )
        paths = [
            (label, path or (f"/villages/{code}/" if label == "village page" else f"/villages/{code}/updates/new/"))
            for label, path in PAGES
        ]
        try:
            time.sleep(4)
            from playwright.sync_api import sync_playwright

            base = f"http://localhost:{args.port}"  # localhost: a secure context, so the service worker runs
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
                print("CPU slowed 4x; network 1.6 Mbit/s down, 750 kbit/s up, 150 ms latency; 390 px; 榆次区's editor")
                for blocked in (True, False):
                    context, page, link = slow_phone(browser, base, blocked)
                    way = "service worker blocked" if blocked else "through the service worker"
                    for label, (load, idle, size) in time_pages(page, link, paths, args.rounds).items():
                        goal = 1.5 if label == "map" else 1.0
                        print(
                            f"  {label:13} ({way}): load {load:.2f} s, idle {idle:.2f} s, {size / 1024:.0f} KB "
                            f"on the link (goal: usable ≤ {goal:.1f} s)"
                        )
                    if not blocked:
                        print(
                            f"  offline copy, the server's own time (parts one after another): "
                            f"{copy_server_seconds(page):.1f} s"
                        )
                        seconds, size, status = offline_copy(page, link)
                        print(
                            f"  offline copy of the county: {seconds:.1f} s, {size / 1024 / 1024:.2f} MB on the link "
                            f"({status}) (goal ≤ 30 s, ≤ 2 MB)"
                        )
                    seconds, size = update_with_photo(page, link, code, photo)
                    print(
                        f"  update with one {photo_bytes / 1024 / 1024:.1f} MB photo ({way}): {seconds:.1f} s, "
                        f"{size / 1024:.0f} KB sent (goal ≤ 15 s)"
                    )
                    context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait()
    print(machine_state())


if __name__ == "__main__":
    main()
