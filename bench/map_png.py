"""Time of the PNG map: the label placement for 11, 120 (a province) and 1,200 labels, and the whole PNG of the
current database (all counties, and one county), wall and CPU time, with the machine's load before and after.

Usage: DATABASE_URL=... .venv/bin/python bench/map_png.py   (load_registry and seed_demo first; for the province,
load_registry --data-dir data/shanxi, and bench/pages.py's locate_every_village for every village located)
"""

import itertools
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from counties.models import County  # noqa: E402
from villages.maps.labels import Box, Label, place_labels  # noqa: E402
from villages.models import Village  # noqa: E402

RUNS = 5


def median_ms(action):
    """(median wall ms, median CPU ms of this process, the last result) of RUNS runs after one warm-up."""
    action()
    timings, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = action()
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(timings), statistics.median(cpu), result


def grid_labels(columns, rows, spacing=60):
    """County names about 50 × 14 px on a grid of counties `spacing` px apart: neighbours' names would touch."""
    return [
        Label((row, column), 40 + spacing * column, 40 + spacing * row, 50 + (row * column) % 3 * 10, 14)
        for row, column in itertools.product(range(rows), range(columns))
    ]


def main():
    print(
        "machine load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f} on {} CPUs".format(*os.getloadavg(), os.cpu_count())
    )
    for columns, rows in [(4, 3), (12, 10), (40, 30)]:
        labels = grid_labels(columns, rows)
        bounds = Box(0, 0, 80 + 60 * columns, 80 + 60 * rows)
        ms, _cpu, placed = median_ms(lambda labels=labels, bounds=bounds: place_labels(labels, bounds))
        shown = sum(1 for placement in placed.values() if placement is not None)
        moved = sum(1 for placement in placed.values() if placement is not None and placement.moved)
        print(
            f"place_labels: {len(labels):5d} labels {ms:8.1f} ms  (shown {shown}, moved {moved}, left out {len(labels) - shown})"
        )

    setup_test_environment()
    client = Client()
    client.force_login(get_user_model().objects.get(username="viewer"))
    print(f"villages located: {Village.objects.located().count()}, counties: {County.objects.count()}")
    for query in ["year=2025", "year=2025&county=140702"]:
        ms, cpu, response = median_ms(lambda query=query: client.get(f"/map.png?{query}"))
        assert response.status_code == 200, response.status_code
        print(
            f"/map.png?{query:25} {ms:8.1f} ms wall, {cpu:8.1f} ms CPU, {len(response.content) / 1024:.0f} KB "
            f"(medians of {RUNS} after a warm-up)"
        )
    print(
        "machine load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f} on {} CPUs".format(*os.getloadavg(), os.cpu_count())
    )


if __name__ == "__main__":
    main()
