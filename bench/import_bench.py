"""Import benchmark on the whole province's registry (18,851 villages, a GBK CSV), on SQLite and on PostgreSQL.

    .venv/bin/python bench/import_bench.py [--registry shanxi|jinzhong] [--villages N] [--encoding gbk]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

For each database it builds a throwaway database (a temporary SQLite file; a PostgreSQL database named
villages_bench_<pid>, created and dropped) and loads the registry (by default data/shanxi: 117 counties with a
boundary, 4 without, 1,352 townships, 18,851 villages); with --villages above the registry's count it adds
generated villages under the real townships (12-digit codes, suffixes 200-399). Villages of a county without a
boundary get no coordinates. Then, in one run, it times:

- floor: a raw Village.objects.bulk_create of the same rows in their imported state (no checks, no history);
- new: importing a CSV in which every row changes its village from the registry state (tier, programme
  year, status, progress and WGS84 coordinates inside the county). Imports never create villages, so
  "new" means every row is a change;
- unchanged: importing the same file again (every row unchanged, nothing written);
- 10% changed: a file in which one row in ten changes (status one step forward and progress).

Every import runs the whole path of `manage.py import_villages` (decoding, header, matching, all checks,
the spatial check on the real county polygons, the write and the history records) as a city administrator.
Peak memory is the process's maximum resident set size (resource.getrusage), after each step.
"""

import argparse
import csv
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
GOALS = {"new": 1.5, "unchanged": 1.0, "10% changed": 1.5}
MEMORY_GOAL_MB = 500


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_rows(total, seed=2025):
    import numpy as np

    from counties.geo import county_frame, random_points_in_county
    from counties.models import Township
    from villages.models import Village

    rng = np.random.default_rng(seed)
    existing = {v["code"]: v for v in Village.objects.values("code", "name", "short_name", "township_id", "county_id")}
    rows = list(existing.values())
    townships = list(Township.objects.order_by("code").values_list("code", "county_id"))
    suffix = 200
    while len(rows) < total:
        for township, county in townships:
            code = f"{township}{suffix:03d}"
            if code not in existing and len(rows) < total:
                rows.append(
                    {
                        "code": code,
                        "name": f"示例{code[-6:]}村委会",
                        "short_name": f"示例{code[-6:]}村",
                        "township_id": township,
                        "county_id": county,
                    }
                )
        suffix += 1
        if suffix > 399:
            raise SystemExit("too many villages for the 200-399 suffixes")
    frame = county_frame()
    by_county = {}
    for row in rows:
        row["lon"] = row["lat"] = None
        by_county.setdefault(row["county_id"], []).append(row)
    for county, members in by_county.items():
        if county not in frame.index:
            continue  # a statistical pseudo-county: no polygon to place its villages in
        for row, (lon, lat) in zip(members, random_points_in_county(county, len(members), rng, frame)):
            row["lon"], row["lat"] = lon, lat
    statuses = ["planned", "in_progress", "completed"]
    for index, row in enumerate(rows):
        row["tier"] = "showcase" if index % 10 == 0 else "upgraded"
        row["programme_year"] = 2025 + index % 3
        row["status"] = statuses[index % 3]
        row["progress"] = int(rng.integers(0, 101))
    return rows


WORDS = {
    "showcase": "精品示范村",
    "upgraded": "提档升级村",
    "planned": "已规划",
    "in_progress": "建设中",
    "completed": "已完工",
}


def csv_content(rows, encoding):
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(["村代码", "村名", "类型", "年度", "状态", "进度", "经度", "纬度", "坐标系"])
    for row in rows:
        writer.writerow(
            [
                row["code"],
                row["name"],
                WORDS[row["tier"]],
                row["programme_year"],
                WORDS[row["status"]],
                row["progress"],
                "" if row["lon"] is None else repr(row["lon"]),
                "" if row["lat"] is None else repr(row["lat"]),
                "" if row["lon"] is None else "WGS84",
            ]
        )
    return output.getvalue().encode(encoding)


def timed(label, function, results, rows):
    start = time.perf_counter()
    outcome = function()
    seconds = time.perf_counter() - start
    results.append({"step": label, "seconds": seconds, "rows": rows, "peak_mb": peak_mb()})
    return outcome


def run_backend(total, data_dir, encoding):
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from counties.models import Profile
    from villages.imports.importer import import_villages
    from villages.models import Village
    from villages.registry_loader import load_registry

    call_command("migrate", verbosity=0)
    load_registry(data_dir)
    rows = build_rows(total or 0)
    registry_fields = ["code", "name", "short_name", "township_id", "county_id"]
    Village.history.all().delete()
    Village.objects.all().delete()

    results = []
    final = [Village(**row, location_source="" if row["lon"] is None else "imported") for row in rows]
    timed("floor (bulk_create)", lambda: Village.objects.bulk_create(final), results, len(rows))
    Village.objects.all().delete()
    Village.objects.bulk_create([Village(**{name: row[name] for name in registry_fields}) for row in rows])
    Village.history.all().delete()  # the deletions above were recorded

    user = get_user_model().objects.create_user("bench-admin")
    Profile.objects.create(user=user, role=Profile.Role.CITY_ADMIN)
    new_file = csv_content(rows, encoding)
    for label, content, expected in (
        ("new", new_file, len(rows)),
        ("unchanged", new_file, 0),
    ):
        result = timed(
            label,
            lambda content=content, label=label: import_villages(content, f"bench-{label}.csv", user),
            results,
            len(rows),
        )
        assert result.ok and result.written and result.changed == expected, (label, result.problems[:5], result.changed)
    for index, row in enumerate(rows):
        if index % 10 == 0:
            row["status"] = {"planned": "in_progress", "in_progress": "completed", "completed": "completed"}[
                row["status"]
            ]
            row["progress"] = min(100, row["progress"] + 1) if row["progress"] < 100 else 99
    changed_file = csv_content(rows, encoding)
    result = timed("10% changed", lambda: import_villages(changed_file, "bench-10.csv", user), results, len(rows))
    assert result.ok and result.changed == (len(rows) + 9) // 10, result.changed
    assert Village.history.count() == len(rows) + result.changed
    return connection.vendor, results


def child(args):
    """Runs one backend in this process (Django's settings are read once per process)."""
    vendor, results = run_backend(args.villages, BASE_DIR / "data" / args.registry, args.encoding)
    for result in results:
        print("RESULT", vendor, result["step"], result["seconds"], result["rows"], result["peak_mb"], sep="\t")


def run_child(url, args):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench",
        "ALLOWED_HOSTS": "localhost",
    }
    output = subprocess.run(
        [sys.executable, __file__, "--child", "--registry", args.registry, "--encoding", args.encoding]
        + (["--villages", str(args.villages)] if args.villages else []),
        env=env,
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
    )
    if output.returncode:
        sys.stderr.write(output.stderr)
        raise SystemExit(f"benchmark failed on {url}")
    return [line.split("\t")[1:] for line in output.stdout.splitlines() if line.startswith("RESULT\t")]


def report(lines):
    floor = float(lines[0][2])
    print(f"{'database':<11}{'step':<21}{'seconds':>9}{'rows/s':>10}{'x floor':>9}{'goal':>9}{'peak MB':>9}")
    for vendor, step, seconds, rows, peak in lines:
        seconds = float(seconds)
        ratio = seconds / floor
        goal = GOALS.get(step)
        verdict = "" if goal is None else (f"≤{goal:g} ok" if ratio <= goal else f"≤{goal:g} NO")
        print(
            f"{vendor:<11}{step:<21}{seconds:>9.3f}{int(rows) / seconds:>10.0f}{ratio:>9.2f}{verdict:>9}{float(peak):>9.0f}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry", default="shanxi", choices=["shanxi", "jinzhong"], help="folder under data/")
    parser.add_argument("--villages", type=int, help="more villages than the registry holds, generated")
    parser.add_argument("--encoding", default="gbk", help="of the CSV (gbk, gb18030, utf-8-sig)")
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="server to create the throwaway database on (any existing database of it)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    print(
        f"Import benchmark: registry data/{args.registry}, {args.villages or 'all its'} villages, spatial check on, "
        f"CSV in {args.encoding.upper()}. Load average before: {load_average()}\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        report(run_child(f"sqlite:///{folder}/villages_bench.sqlite3", args))
    print()
    import psycopg

    name = f"villages_bench_{os.getpid()}"
    base = args.postgres.rsplit("/", 1)[0]
    with psycopg.connect(args.postgres, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        report(run_child(f"{base}/{name}", args))
    finally:
        with psycopg.connect(args.postgres, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\nLargest peak memory of a run: {peak:.0f} MB (goal < {MEMORY_GOAL_MB} MB)")
    print(f"Load average after: {load_average()} ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
