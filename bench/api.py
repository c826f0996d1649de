"""The GIS API on the whole province, every village located, on PostgreSQL: the three goals of issue 24.

    .venv/bin/python bench/api.py [--rounds 15] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

It makes a throwaway database (villages_bench_api_<pid>, dropped afterwards), loads data/shanxi (18,851 villages),
gives every village an illustrative point inside its county (bench/pages.py) and makes a province administrator
with a read-only API token. Then:

1. the first page of 1,000 villages (/ogc/collections/villages/items?limit=1000, sent with the token), asked
   `--rounds` times in this process after a warm-up: the median CPU time of the process (the app's own work, not
   PostgreSQL's) and the median wall time. Goal ≤ 60 ms of CPU.
2. the whole villages collection read by GDAL's OAPIF driver (pyogrio, in a child process) from the app served by
   gunicorn (production settings, 2 workers) on 127.0.0.1: wall time of the read, 3 rounds, median. Goal ≤ 10 s.
3. the province GeoPackage (villages, counties, townships) built in a fresh child process: its time and the
   child's peak resident memory (ru_maxrss, Python and GDAL together), 3 rounds. Goal ≤ 5 s, < 300 MB.

It prints the machine's load average and the CPU time of a fixed loop before and after: figures on a shared machine
vary with what else runs.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.pages import locate_every_village, machine_state  # noqa: E402

PORT = 8103
ITEMS = "/ogc/collections/villages/items"


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def prepare(token_file):
    setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from api.tokens import create_token
    from counties.models import Profile
    from villages.models import Village
    from villages.registry_loader import load_registry

    call_command("migrate", verbosity=0)
    load_registry(BASE_DIR / "data" / "shanxi")
    locate_every_village()
    user = get_user_model().objects.create_user("bench-admin", password="bench-password-2025-long")
    Profile.objects.create(user=user, role=Profile.Role.PROVINCE_ADMIN)
    _record, token = create_token(user, "bench")
    Path(token_file).write_text(token)
    print(f"province: {Village.objects.count()} villages, all located")


def first_page(token_file, rounds):
    setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client(HTTP_AUTHORIZATION=f"Token {Path(token_file).read_text()}")
    path = f"{ITEMS}?limit=1000"
    client.get(path)
    cpu, wall = [], []
    for _ in range(rounds):
        started_cpu, started = time.process_time(), time.perf_counter()
        response = client.get(path)
        assert response.status_code == 200 and response.json()["numberReturned"] == 1000
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    spread = f"{min(cpu) * 1000:.1f}–{max(cpu) * 1000:.1f}"
    print(
        f"first page of 1,000 villages: CPU {statistics.median(cpu) * 1000:.1f} ms (spread {spread}), "
        f"wall {statistics.median(wall) * 1000:.1f} ms, {len(response.content) / 1024:.0f} KB  (goal ≤ 60 ms CPU)"
    )


GDAL_READ = """
import sys, time, pyogrio
options = {"PAGE_SIZE": sys.argv[2]} if len(sys.argv) > 2 else {}
started = time.perf_counter()
frame = pyogrio.read_dataframe("OAPIF:" + sys.argv[1], layer="villages", **options)
print(len(frame), time.perf_counter() - started)
"""


def gdal_reads(token_file, env, port, rounds=3):
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=BASE_DIR,
    )
    try:
        time.sleep(6)
        gdal_env = {**env, "GDAL_HTTP_AUTH": "BEARER", "GDAL_HTTP_BEARER": Path(token_file).read_text()}
        # GDAL's own page size (1,000), and the largest the server allows (-oo PAGE_SIZE=10000), interleaved.
        seconds = {"GDAL's default pages": [], "PAGE_SIZE=10000": []}
        for _ in range(rounds):
            for label, extra in (("GDAL's default pages", []), ("PAGE_SIZE=10000", ["10000"])):
                result = subprocess.run(
                    [sys.executable, "-c", GDAL_READ, f"http://127.0.0.1:{port}/ogc/", *extra],
                    env=gdal_env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                count, elapsed = result.stdout.split()
                seconds[label].append(float(elapsed))
        for label, values in seconds.items():
            print(
                f"GDAL reads the villages collection ({count} features, {label}): {statistics.median(values):.2f} s "
                f"(spread {min(values):.2f}–{max(values):.2f})  (goal ≤ 10 s)"
            )
    finally:
        server.terminate()
        server.wait()


def geopackage_child():
    setup()
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from api import geopackage

    user = get_user_model().objects.get(username="bench-admin")
    request = RequestFactory().get("/downloads/gis.gpkg")
    started = time.perf_counter()
    path = geopackage.write(request, user)
    elapsed = time.perf_counter() - started
    size = os.path.getsize(path)
    os.unlink(path)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{elapsed:.3f} {peak_mb:.0f} {size / 2**20:.1f}")


def geopackages(env, rounds=3):
    results = []
    for _ in range(rounds):
        result = subprocess.run(
            [sys.executable, __file__, "--geopackage"],
            env=env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
        results.append([float(value) for value in result.stdout.split()[-3:]])
    seconds = [row[0] for row in results]
    print(
        f"province GeoPackage: {statistics.median(seconds):.2f} s (spread {min(seconds):.2f}–{max(seconds):.2f}), "
        f"peak memory {max(row[1] for row in results):.0f} MB, file {results[0][2]:.1f} MB  (goal ≤ 5 s, < 300 MB)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--prepare")
    parser.add_argument("--first-page")
    parser.add_argument("--geopackage", action="store_true")
    parser.add_argument("--port", type=int, default=PORT, help="where gunicorn serves the app for GDAL")
    args = parser.parse_args()
    if args.prepare:
        return prepare(args.prepare)
    if args.first_page:
        return first_page(args.first_page, args.rounds)
    if args.geopackage:
        return geopackage_child()
    print(machine_state())
    name = f"villages_bench_api_{os.getpid()}"
    server = args.postgres.rsplit("/", 1)[0]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            env = {
                **os.environ,
                "DATABASE_URL": f"{server}/{name}",
                "DEBUG": "0",
                "SECRET_KEY": "bench-api",
                "ALLOWED_HOSTS": "testserver,127.0.0.1",
                "STATIC_ROOT": folder,
            }
            token_file = str(Path(folder) / "token")
            me = [sys.executable, __file__]
            subprocess.run([*me, "--prepare", token_file], env=env, cwd=BASE_DIR, check=True)
            subprocess.run(
                [*me, "--first-page", token_file, "--rounds", str(args.rounds)], env=env, cwd=BASE_DIR, check=True
            )
            gdal_reads(token_file, env, args.port)
            geopackages(env)
    finally:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    print(machine_state())


if __name__ == "__main__":
    main()
