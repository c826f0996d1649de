"""Loading the whole province's registry: the first load and a second run of the same files.

    .venv/bin/python bench/registry.py [--data-dir data/shanxi] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

For SQLite (a temporary file) and PostgreSQL (a throwaway database villages_bench_registry_<pid>, created and
dropped) it migrates an empty database, then times `load_registry` of the folder (11 cities, 121 counties of which
4 without a boundary, 1,352 townships, 18,851 villages) and its second run, which changes nothing. Goals: first
load within 15 s, second run within 5 s. It prints the machine's load average alongside.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
GOALS = {"first load": 15.0, "second run": 5.0}


def child(data_dir):
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from counties.models import County
    from villages.models import Village
    from villages.registry_loader import load_registry

    call_command("migrate", verbosity=0)
    for label in GOALS:
        started = time.perf_counter()
        result = load_registry(Path(data_dir))
        elapsed = time.perf_counter() - started
        changed = sum(counts.created + counts.updated for counts in result.values())
        print(
            f"{connection.vendor:10} {label:12} {elapsed:6.2f} s  (goal {GOALS[label]:.0f} s)  rows written: {changed}"
        )
    print(f"{connection.vendor:10} counties {County.objects.count()}, villages {Village.objects.count()}")


def run(env, data_dir):
    subprocess.run(
        [sys.executable, __file__, "--child", str(data_dir)], env={**os.environ, **env}, cwd=BASE_DIR, check=True
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(BASE_DIR / "data" / "shanxi"))
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    print(
        f"machine load average (1, 5, 15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory() as folder:
        run({"DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3", "DEBUG": "1"}, args.data_dir)
    name = f"villages_bench_registry_{os.getpid()}"
    server = args.postgres.rsplit("/", 1)[0]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    try:
        run({"DATABASE_URL": f"{server}/{name}", "DEBUG": "1"}, args.data_dir)
    finally:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    print(
        f"machine load average (1, 5, 15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
