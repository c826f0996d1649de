"""Benchmark of the progress map page for 2,000 and 20,000 located villages.

Builds a throwaway SQLite database (or uses --database-url, which must be an empty, disposable
database), loads the registry, adds generated villages with random locations inside their county,
and for each size prints: server time to build /map/ (median of runs, wall clock and CPU time of this
process, which holds the test client and so the whole server side; the CPU figure is steadier on a busy machine), page bytes and gzipped bytes,
SQL queries, and, where chromium is installed, the time from navigation until the markers are drawn.

    .venv/bin/python bench/map_bench.py [--sizes 2000 20000] [--runs 5]
"""

import argparse
import gzip
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000], help="numbers of located villages")
    parser.add_argument("--runs", type=int, default=5, help="server runs per size (median reported)")
    parser.add_argument("--database-url", help="an empty, disposable database (default: a temporary SQLite file)")
    return parser.parse_args()


def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings

    from villages.registry_loader import load_registry

    load_registry(settings.DATA_DIR)


def locate_villages(total, rng):
    """Make exactly `total` villages located: the registry's first, then generated ones (codes 500-999)."""
    from django.db.models import Count

    from counties.geo import county_frame, random_points_in_county
    from counties.models import Township
    from villages.models import LocationSource, Status, Tier, Village

    frame = county_frame()
    missing = total - Village.objects.count()
    if missing > 0:
        townships = list(Township.objects.values_list("code", "county_id", "name"))
        existing = set(Village.objects.values_list("code", flat=True))
        new, number = [], 500
        while len(new) < missing:
            for code, county, name in townships:
                if len(new) == missing:
                    break
                if f"{code}{number}" not in existing:
                    new.append(
                        Village(
                            code=f"{code}{number}",
                            name=f"{name}{number}村委会",
                            short_name=f"{name}{number}村",
                            township_id=code,
                            county_id=county,
                        )
                    )
            number += 1
        Village.objects.bulk_create(new, batch_size=2000)
    villages = list(
        Village.objects.filter(lat__isnull=True).order_by("code")[: total - Village.objects.located().count()]
    )
    by_county = {}
    for village in villages:
        by_county.setdefault(village.county_id, []).append(village)
    tiers = [Tier.SHOWCASE] * 5 + [Tier.UPGRADED] * 30 + [Tier.NONE] * 65
    for county, group in by_county.items():
        for village, (lon, lat) in zip(group, random_points_in_county(county, len(group), rng, frame)):
            village.lon, village.lat, village.location_source = lon, lat, LocationSource.ILLUSTRATIVE
            village.tier = tiers[int(rng.integers(len(tiers)))]
            village.programme_year = None if village.tier == Tier.NONE else 2025
            village.status = (
                Status.values[int(rng.integers(len(Status.values)))]
                if village.tier != Tier.NONE
                else Status.NOT_STARTED
            )
            village.progress = int(rng.integers(0, 101))
    Village.objects.bulk_update(
        villages, ["lat", "lon", "location_source", "tier", "programme_year", "status", "progress"], batch_size=2000
    )
    return Village.objects.located().count(), Village.objects.values("county_id").annotate(n=Count("id")).count()


def measure_server(client, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/map/")  # warm-up: imports, template compilation
    times, cpu_times = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start, cpu_start = time.perf_counter(), time.process_time()
            response = client.get("/map/")
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
    assert response.status_code == 200, response.status_code
    body = response.content
    return statistics.median(times), statistics.median(cpu_times), len(body), len(gzip.compress(body, 6)), len(queries)


def start_server():
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=True)
    server.set_app(StaticFilesHandler(get_wsgi_application()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def measure_browser(base_url, session_cookie, runs):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        results = []
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": "sessionid", "value": session_cookie, "url": base_url}])
            outside = []
            context.route(
                "**/*",
                lambda route, outside=outside: (
                    route.continue_()
                    if route.request.url.startswith(base_url)
                    else (outside.append(route.request.url), route.abort())
                ),
            )
            page = context.new_page()
            page.goto(base_url + "/map/")
            page.wait_for_selector("[data-villages-drawn]", timeout=60000)
            drawn_at = float(page.get_attribute("[data-villages-drawn]", "data-drawn-at"))
            drawn = int(page.get_attribute("[data-villages-drawn]", "data-villages-drawn"))
            results.append((drawn_at / 1000, drawn, len(outside)))
            context.close()
        browser.close()
    return statistics.median(r[0] for r in results), results[-1][1], max(r[2] for r in results)


def main():
    args = parse_args()
    workdir = tempfile.mkdtemp(prefix="map_bench_")
    setup_django(args.database_url or f"sqlite:///{workdir}/bench.sqlite3")
    import numpy as np
    from django.test import Client

    from counties.models import Profile
    from tests.conftest import make_user

    rng = np.random.default_rng(2025)
    admin = make_user("bench-admin", Profile.Role.PROVINCE_ADMIN)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    server, base_url = start_server()
    print(
        f"{'villages':>9} {'server median':>14} {'server CPU':>11} {'bytes':>10} {'gzipped':>9} {'queries':>8} {'drawn in browser':>17}"
    )
    for size in sorted(args.sizes):
        located, _counties = locate_villages(size, rng)
        median, cpu, size_bytes, gzipped, queries = measure_server(client, args.runs)
        browser = measure_browser(base_url, client.cookies["sessionid"].value, 3)
        if browser is None:
            drawn_text = "no chromium"
        else:
            seconds, drawn, outside = browser
            drawn_text = f"{seconds:.2f} s ({drawn} markers{', OUTSIDE REQUESTS' if outside else ''})"
        print(
            f"{located:>9} {median:>12.3f} s {cpu:>9.3f} s {size_bytes:>10,} {gzipped:>9,} {queries:>8} {drawn_text:>17}"
        )
    server.shutdown()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
