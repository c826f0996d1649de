"""Server CPU per page on PostgreSQL, for 晋中 and for the whole province, with every village located.

    .venv/bin/python bench/pages.py [--registry jinzhong|shanxi|both] [--rounds 15]
                                    [--postgres postgres://postgres@127.0.0.1:5432/postgres]

It runs with the production settings (DEBUG off, static files collected into a temporary folder). For each
registry it makes a throwaway PostgreSQL database (villages_bench_pages_<pid>, dropped afterwards), loads the
registry, seeds the demo data (designations, statuses, quotas, pairings) and gives every village an illustrative
point inside its county. Then, in this one process, as an administrator (everything) and as 榆次区's editor, it
requests each page `--rounds` times after one warm-up, accepting the codings Chromium does (gzip, deflate, br,
zstd), and prints the median CPU time of the process (time.process_time, i.e. the app's own work: Python,
templates, compression and the database driver, not PostgreSQL's), the median wall time, the size of the page and
the size sent with its coding (where the app compresses: the map), and the machine's load average with the CPU
time of a fixed loop before and after (on a shared machine the same work takes 10-30 % longer at times). The
administrator's map is measured once more as a browser that takes only gzip.

Goals on the 2-core development machine: 晋中 ≤ 20 ms for /, /villages/ and /map/, ≤ 10 ms for a village page;
the province ≤ 40 ms for those pages, /map/ ≤ 250 ms and ≤ 700 KB gzipped, a county editor's map ≤ 150 KB gzipped.
"""

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import brotli
from backports import zstd

BASE_DIR = Path(__file__).resolve().parent.parent
PAGES = ["/", "/villages/", "/map/", "village page"]


def locate_every_village():
    import numpy as np

    from counties.geo import county_frame, random_points_in_county
    from villages.models import LocationSource, Village

    rng = np.random.default_rng(7)
    frame = county_frame()
    by_county = {}
    for pk, county in Village.objects.filter(lat__isnull=True).values_list("pk", "county_id"):
        by_county.setdefault(county, []).append(pk)
    changed = []
    for county, pks in by_county.items():
        if county not in frame.index:
            continue
        for pk, (lon, lat) in zip(pks, random_points_in_county(county, len(pks), rng, frame), strict=True):
            changed.append(Village(pk=pk, lat=lat, lon=lon, location_source=LocationSource.ILLUSTRATIVE))
    Village.objects.bulk_update(changed, ["lat", "lon", "location_source"], batch_size=2000)


CHROMIUM = "gzip, deflate, br, zstd"
DECODERS = {"gzip": gzip.decompress, "br": brotli.decompress, "zstd": zstd.decompress, "": lambda content: content}


def measure(client, path, rounds, accept=CHROMIUM):
    """Median CPU and wall ms of the page asked for as a browser does, its size as sent and unpacked, and the
    coding it was sent with ("" for a page the app does not compress)."""
    client.get(path, headers={"accept-encoding": accept})  # warm-up: caches filled, templates compiled
    cpu, wall = [], []
    for _ in range(rounds):
        started_cpu, started = time.process_time(), time.perf_counter()
        response = client.get(path, headers={"accept-encoding": accept})
        content = b"".join(response) if response.streaming else response.content
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    coding = response.get("Content-Encoding", "")
    size = len(DECODERS[coding](content))
    return statistics.median(cpu) * 1000, statistics.median(wall) * 1000, size, len(content), coding


def child(registry, rounds):
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from villages.demo import seed_demo
    from villages.models import Village
    from villages.registry_loader import load_registry

    setup_test_environment()  # the test client's host and no outgoing mail
    call_command("migrate", verbosity=0)
    load_registry(BASE_DIR / "data" / registry)
    seed_demo()
    locate_every_village()
    village = Village.objects.designated().filter(county_id="140702").order_by("code").first()
    users = get_user_model().objects
    print(f"== {registry}: {Village.objects.count()} villages, all located")
    print(f"{'user':8} {'page':14} {'CPU ms':>8} {'wall ms':>8} {'KB':>8} {'KB sent':>8} coding")
    clients = {}
    for username in ("admin", "yuci"):
        client = clients[username] = Client()
        client.force_login(users.get(username=username))
        for page in PAGES:
            path = f"/villages/{village.code}/" if page == "village page" else page
            cpu, wall, size, packed, coding = measure(client, path, rounds)
            print(f"{username:8} {page:14} {cpu:8.1f} {wall:8.1f} {size / 1024:8.0f} {packed / 1024:8.0f} {coding}")
    cpu, wall, size, packed, coding = measure(clients["admin"], "/map/", rounds, accept="gzip")
    print(f"{'admin':8} {'/map/ (gzip)':14} {cpu:8.1f} {wall:8.1f} {size / 1024:8.0f} {packed / 1024:8.0f} {coding}")


def reference_loop_ms():
    """CPU ms of a fixed pure-Python loop: how fast the machine is right now (shared machines vary by 10-30 %)."""
    started, total = time.process_time(), 0
    for number in range(3_000_000):
        total += number * number
    return (time.process_time() - started) * 1000


def machine_state():
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"machine load average (1, 5, 15 min): {load} on {os.cpu_count()} CPUs; reference loop {reference_loop_ms():.0f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", choices=["jinzhong", "shanxi", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rounds)
        return
    print(machine_state())
    server = args.postgres.rsplit("/", 1)[0]
    with tempfile.TemporaryDirectory() as static_root:
        production = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "bench-pages",
            "ALLOWED_HOSTS": "testserver",
            "STATIC_ROOT": static_root,
        }
        manage = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
        subprocess.run(manage, env=production, cwd=BASE_DIR, check=True)
        for registry in ["jinzhong", "shanxi"] if args.registry == "both" else [args.registry]:
            name = f"villages_bench_pages_{os.getpid()}"
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
            try:
                env = {**production, "DATABASE_URL": f"{server}/{name}"}
                command = [sys.executable, __file__, "--child", registry, "--rounds", str(args.rounds)]
                subprocess.run(command, env=env, cwd=BASE_DIR, check=True)
            finally:
                subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    print(machine_state())


if __name__ == "__main__":
    main()
