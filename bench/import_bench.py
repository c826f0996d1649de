"""Import benchmark on the whole province's registry (18,851 villages, a GBK CSV), on SQLite and on PostgreSQL:
each import step against the floor, in interleaved rounds on fresh copies.

    .venv/bin/python bench/import_bench.py [--rounds 5] [--registry shanxi|jinzhong] [--villages N]
        [--encoding gbk] [--format csv|xlsx] [--databases sqlite,postgres] [--before REF] [--profile]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

For each database a worker process builds a throwaway database (a temporary SQLite file; a PostgreSQL database
named villages_bench_<pid>_<n>, created and dropped) and loads the registry (by default data/shanxi: 117
counties with a boundary, 4 without, 1,352 townships, 18,851 villages); with --villages above the registry's
count it adds generated villages under the real townships (12-digit codes, suffixes 200-399). Villages of a
county without a boundary get no coordinates. Then, round after round, it times one after the other:

- floor: a raw Village.objects.bulk_create of the same rows in their imported state (no checks, no history),
  into an emptied table;
- new: importing a CSV in which every row changes its village from the registry state (tier, programme year,
  status, progress and WGS84 coordinates inside the county), the villages first put back in their registry
  state. Imports never create villages, so "new" means every row is a change;
- unchanged: importing the same file again (every row unchanged, nothing written);
- 10% changed: a file in which one row in ten changes (status one step forward and progress).

Every import runs the whole path of `manage.py import_villages` (decoding, header, matching, all checks, the
spatial check on the real county polygons, the write and the history records) as a city administrator. A ratio
is a step's time over the floor's time of the same round; the report gives each step's median ratio and its
spread (lowest–highest) over the rounds, and the machine's load average when each round started. The machine
is shared: only ratios measured this way, never a lone time, say anything.

--before REF runs the same rounds with the code of another commit (git archive of REF into a temporary
folder) in a second worker, the two workers taking turns round by round (before, after, before, ...), each with
its own database: the two columns compare the code, not the moment. --format xlsx imports the same rows as an
XLSX (read by calamine, in a child process since issue 21) instead of the CSV. --profile runs one extra "new" import under
cProfile in each worker and prints where its time goes. Peak memory is each worker's maximum resident set size.
"""

import argparse
import contextlib
import csv
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
GOALS = {"new": 1.5, "unchanged": 1.0, "10% changed": 1.5}
STEPS = ["floor", "new", "unchanged", "10% changed"]
MEMORY_GOAL_MB = 500


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- The worker: one database, one tree of the code ------------------------------------------------------------


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
REGISTRY_FIELDS = ["code", "name", "short_name", "township_id", "county_id"]


def file_content(rows, encoding, kind):
    """The rows as a CSV in `encoding`, or as an XLSX (text cells, as an office's export holds them)."""
    table = [["村代码", "村名", "类型", "年度", "状态", "进度", "经度", "纬度", "坐标系"]]
    for row in rows:
        table.append(
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
    if kind == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("名单")
        for cells in table:
            sheet.append([str(cell) for cell in cells])
        output = io.BytesIO()
        workbook.save(output)
        return output.getvalue()
    output = io.StringIO()
    csv.writer(output).writerows(table)
    return output.getvalue().encode(encoding)


def ten_percent_changed(rows):
    changed = [dict(row) for row in rows]
    for row in changed[::10]:
        row["status"] = {"planned": "in_progress", "in_progress": "completed", "completed": "completed"}[row["status"]]
        row["progress"] = min(100, row["progress"] + 1) if row["progress"] < 100 else 99
    return changed


class Worker:
    """The database and the files of one worker; each step starts from the state it needs (a fresh copy)."""

    def __init__(self, total, data_dir, encoding, kind):
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command

        from counties.models import Profile
        from villages.registry_loader import load_registry

        call_command("migrate", verbosity=0)
        load_registry(data_dir)
        self.rows = build_rows(total or 0)
        self.files = {
            "new": file_content(self.rows, encoding, kind),
            "10% changed": file_content(ten_percent_changed(self.rows), encoding, kind),
        }
        self.kind = kind
        self.user = get_user_model().objects.create_user("bench-admin")
        Profile.objects.create(user=self.user, role=Profile.Role.PROVINCE_ADMIN)

    def empty(self):
        from django.db import connection

        from villages.models import Village

        tables = [Village._meta.db_table, Village.history.model._meta.db_table]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            else:
                for table in tables:
                    cursor.execute(f"DELETE FROM {table}")

    def registry_state(self):
        from villages.models import Village

        self.empty()
        Village.objects.bulk_create([Village(**{name: row[name] for name in REGISTRY_FIELDS}) for row in self.rows])
        self.analyse()

    def analyse(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def floor(self):
        from villages.models import Village

        self.empty()
        self.analyse()
        final = [Village(**row, location_source="" if row["lon"] is None else "imported") for row in self.rows]
        start = time.perf_counter()
        Village.objects.bulk_create(final)
        return time.perf_counter() - start

    def run_import(self, step, expected):
        from villages.imports.importer import import_villages

        content = self.files["new" if step == "unchanged" else step]
        start = time.perf_counter()
        result = import_villages(content, f"bench-{step}.{self.kind}", self.user)
        seconds = time.perf_counter() - start
        assert result.ok and result.written and result.changed == expected, (step, result.problems[:5], result.changed)
        return seconds

    def round(self):
        """{step: seconds} of one round, and the load average when it started."""
        from villages.models import Village

        load = os.getloadavg()[0]
        times = {"floor": self.floor()}
        self.registry_state()
        times["new"] = self.run_import("new", len(self.rows))
        times["unchanged"] = self.run_import("unchanged", 0)
        times["10% changed"] = self.run_import("10% changed", (len(self.rows) + 9) // 10)
        assert Village.history.count() == len(self.rows) + (len(self.rows) + 9) // 10
        return {"times": times, "load": load, "peak_mb": peak_mb()}

    def profile(self):
        import cProfile
        import pstats

        from villages.imports.importer import import_villages

        self.registry_state()
        profiler = cProfile.Profile()
        profiler.enable()
        import_villages(self.files["new"], f"bench-profile.{self.kind}", self.user)
        profiler.disable()
        output = io.StringIO()
        stats = pstats.Stats(profiler, stream=output)
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)
        return output.getvalue()


def worker(args):
    """Answers one line of JSON per command read from stdin: "round", "profile" or "quit"."""
    with contextlib.redirect_stdout(sys.stderr):  # only the answers go to stdout
        bench = Worker(args.villages, Path(args.worker) / "data" / args.registry, args.encoding, args.format)
    print(json.dumps({"ready": True, "vendor": bench_vendor()}), flush=True)
    for command in sys.stdin:
        command = command.strip()
        if command == "quit":
            return
        with contextlib.redirect_stdout(sys.stderr):
            answer = bench.round() if command == "round" else {"profile": bench.profile()}
        print(json.dumps(answer), flush=True)


def bench_vendor():
    from django.db import connection

    return connection.vendor


# --- The conductor ----------------------------------------------------------------------------------------


class Process:
    """A worker process of one tree of the code and one database, asked for one round at a time."""

    def __init__(self, label, tree, url, args):
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": "bench",
            "ALLOWED_HOSTS": "localhost",
        }
        # This script is the worker of either tree; the tree's own code is what it imports.
        command = [sys.executable, __file__, "--worker", str(tree), "--registry", args.registry]
        command += ["--encoding", args.encoding, "--format", args.format] + (
            ["--villages", str(args.villages)] if args.villages else []
        )
        self.label = label
        self.process = subprocess.Popen(
            command, env=env, cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.vendor = self.ask(None)["vendor"]

    def ask(self, command):
        if command:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.label} worker failed (see its messages above)")
        return json.loads(line)

    def close(self):
        with contextlib.suppress(BrokenPipeError, OSError):
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
        self.process.wait(timeout=60)


def spread(values):
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def report(label, rounds):
    print(
        f"\n{label}: {len(rounds)} rounds; load average (1 min) at each round's start: "
        + " ".join(f"{r['load']:.1f}" for r in rounds)
    )
    print(f"  {'step':<13}{'median s':>10}{'rows/s':>9}   {'x floor: median (low–high)':<28}{'goal':>9}")
    for step in STEPS:
        seconds = [r["times"][step] for r in rounds]
        ratios = [r["times"][step] / r["times"]["floor"] for r in rounds]
        goal = GOALS.get(step)
        median = statistics.median(ratios)
        verdict = "" if goal is None else (f"≤{goal:g} ok" if median <= goal else f"≤{goal:g} NO")
        rate = ROWS[0] / statistics.median(seconds) if ROWS[0] else 0
        shown = "" if step == "floor" else spread(ratios)
        print(f"  {step:<13}{statistics.median(seconds):>10.3f}{rate:>9.0f}   {shown:<28}{verdict:>9}")
    print(f"  peak memory of the worker: {max(r['peak_mb'] for r in rounds):.0f} MB (goal < {MEMORY_GOAL_MB} MB)")


ROWS = [0]


def compare(before, after):
    """The after/before ratio of each step, round by round (each pair of rounds ran one after the other)."""
    print("\nafter / before, by step: median (low–high) of the rounds' ratios")
    for step in STEPS:
        ratios = [a["times"][step] / b["times"][step] for b, a in zip(before, after)]
        print(f"  {step:<13}{spread(ratios)}")


@contextlib.contextmanager
def database(kind, args, number):
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/villages_bench.sqlite3"
        return
    import psycopg

    name = f"villages_bench_{os.getpid()}_{number}"
    base = args.postgres.rsplit("/", 1)[0]
    with psycopg.connect(args.postgres, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(args.postgres, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextlib.contextmanager
def tree_of(ref):
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(["git", "archive", ref], cwd=BASE_DIR, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        yield Path(folder)


def run(kind, args):
    trees = [("after", BASE_DIR)]
    with contextlib.ExitStack() as stack:
        if args.before:
            trees.insert(0, (f"before ({args.before})", stack.enter_context(tree_of(args.before))))
        workers = []
        for number, (label, tree) in enumerate(trees):
            url = stack.enter_context(database(kind, args, number))
            workers.append(Process(label, tree, url, args))
            stack.callback(workers[-1].close)
        rounds = {worker.label: [] for worker in workers}
        for _round in range(args.rounds):
            for worker in workers:
                rounds[worker.label].append(worker.ask("round"))
        vendor = workers[0].vendor
        for worker in workers:
            report(f"{vendor}, {worker.label}", rounds[worker.label])
        if args.before:
            compare(*rounds.values())
        if args.profile:
            for worker in workers:
                print(f"\n{vendor}, {worker.label}: profile of one 'new' import\n")
                print(worker.ask("profile")["profile"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="at least 5")
    parser.add_argument("--registry", default="shanxi", choices=["shanxi", "jinzhong"], help="folder under data/")
    parser.add_argument("--villages", type=int, help="more villages than the registry holds, generated")
    parser.add_argument("--encoding", default="gbk", help="of the CSV (gbk, gb18030, utf-8-sig)")
    parser.add_argument("--format", default="csv", choices=["csv", "xlsx"], help="of the imported files")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--before", help="a commit whose code runs in a second worker, round for round")
    parser.add_argument("--profile", action="store_true", help="profile one more 'new' import in each worker")
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="server to create the throwaway databases on (any existing database of it)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # the tree of the code to run
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, args.worker)
        return worker(args)
    if args.rounds < 5:
        parser.error("at least 5 rounds: one round's ratio says nothing on a shared machine")
    with open(BASE_DIR / "data" / args.registry / "villages.csv", encoding="utf-8") as handle:
        ROWS[0] = max(args.villages or 0, sum(1 for _line in handle) - 1)
    print(
        f"Import benchmark: registry data/{args.registry}, {ROWS[0]} villages, spatial check on, "
        f"{'CSV in ' + args.encoding.upper() if args.format == 'csv' else 'XLSX'}, {args.rounds} interleaved rounds. Load average before: {load_average()} "
        f"({os.cpu_count()} CPUs)"
    )
    for kind in args.databases.split(","):
        run(kind, args)
    print(f"\nLoad average after: {load_average()}")


if __name__ == "__main__":
    main()
