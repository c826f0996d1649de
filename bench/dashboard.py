"""Queries and time of the dashboard, a county page and the XLSX ledger on the current database.

Usage: DATABASE_URL=... .venv/bin/python bench/dashboard.py   (load_registry and seed_demo first)
"""

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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from villages.models import Village  # noqa: E402

RUNS = 5


def measure(client, url):
    client.get(url)
    timings = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return len(queries), statistics.median(timings)


def main():
    setup_test_environment()
    user = get_user_model().objects.get(username="viewer")
    client = Client()
    client.force_login(user)
    print(
        f"villages: {Village.objects.count()}, designated: {Village.objects.designated().count()}, vendor: {connection.vendor}"
    )
    for url in [
        "/",
        "/?year=2025&tier=upgraded&sort=-percent",
        "/counties/140702/",
        "/pairings/",
        "/pairings/1/",
        "/dashboard.xlsx",
    ]:
        queries, ms = measure(client, url)
        print(f"{url:45} {queries:3d} queries  {ms:7.1f} ms (median of {RUNS})")


if __name__ == "__main__":
    main()
