"""The project pool (项目库) at the province's scale: the import against a raw bulk_create, the township 公示, and the
pages on PostgreSQL with the pool and a year of monthly figures.

    .venv/bin/python bench/projects.py [--rounds 5] [--databases sqlite,postgres] [--projects-per-village 3]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

For each database a worker process builds a throwaway database (a temporary SQLite file; a PostgreSQL database named
villages_bench_<pid>_<n>, created and dropped), loads the province's registry (data/shanxi: 18,851 villages) and
writes a 项目库 CSV in GBK as a county office would: three projects for every village (about 57,000 rows: name,
category, 村代码, works, 中央衔接资金 and 市县财政资金, 实施期限, 实施主体). Then, round after round (the order of the two
alternating), on an emptied pool each time:

- floor: Django's bulk_create of the same projects, their villages and their two funds (no checks, no history);
- import: the whole path of `manage.py import_projects` (decoding, header, matching every 村代码, every check, the
  write through villages/projects/workflow.py with a history record for each project, village link and fund) as a
  province administrator.

The ratio is the import's time over the floor's in the same round; the report gives the median ratio and its
spread over the rounds, the load average at each round's start and the worker's peak memory (maximum resident set).

On PostgreSQL the worker then keeps one imported pool, puts every project under way and gives each fund twelve
months of cumulative figures (about 1.4 million FundReport rows, written by SQL; then the money totals the
workflow keeps are recomputed), and measures: the 公示 DOCX of the
township with the most projects, and the server CPU (time.process_time of this process: Python, templates and the
database driver, not PostgreSQL's own work) of the dashboard, a city page and a county page as the province
administrator, with the production settings. Goals on the 2-core development machine: import ≤ 1.5 × the floor and
< 500 MB; the township 公示 ≤ 1 s; the pages ≤ 40 ms of CPU. The machine's load is printed before and after.
"""

import argparse
import contextlib
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.import_bench import database, load_average, peak_mb, spread  # noqa: E402
from bench.pages import machine_state  # noqa: E402

IMPORT_GOAL, MEMORY_GOAL_MB, NOTICE_GOAL_S, PAGE_GOAL_MS = 1.5, 500, 1.0, 40
CATEGORIES = ["产业发展", "基础设施", "人居环境", "公共服务", "乡村治理", "其他"]
HEADER = [
    "序号",
    "项目名称",
    "项目类别",
    "村代码",
    "建设内容及规模",
    "中央衔接资金",
    "市县财政资金",
    "实施期限",
    "实施主体",
]


def resident_mb():
    """The worker's resident memory now (the peak, ru_maxrss, only grows)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def pool_rows(villages, per_village):
    """The file's rows: (name, category, code, content, central, city/county, period, implementer)."""
    rows = []
    for index, (code, name) in enumerate(villages):
        for number in range(per_village):
            central = 20 + (index * 7 + number * 13) % 180
            rows.append(
                [
                    f"{name}项目{number + 1}",
                    CATEGORIES[(index + number) % len(CATEGORIES)],
                    code,
                    f"建设内容{number + 1}",
                    f"{central}.50",
                    f"{10 + number * 5}",
                    f"2025年{1 + number}月-2025年{10 + number}月",
                    f"{name}股份经济合作社",
                ]
            )
    return rows


def csv_content(rows):
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows([number, *row] for number, row in enumerate(rows, start=1))
    return output.getvalue().encode("gbk")


class Worker:
    def __init__(self, per_village):
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command

        from counties.models import Profile
        from villages.models import Village
        from villages.registry_loader import load_registry

        call_command("migrate", verbosity=0)
        load_registry(BASE_DIR / "data" / "shanxi")
        self.villages = {
            code: (pk, township) for pk, code, township in Village.objects.values_list("pk", "code", "township_id")
        }
        names = Village.objects.order_by("code").values_list("code", "short_name")
        self.rows = pool_rows([(code, short or code) for code, short in names], per_village)
        self.content = csv_content(self.rows)
        self.user = get_user_model().objects.create_user("province-admin")
        Profile.objects.create(user=self.user, role=Profile.Role.PROVINCE_ADMIN)

    def empty(self):
        from django.db import connection

        from villages.projects.models import FundReport, Project, ProjectFund

        models = [FundReport, ProjectFund, Project.villages.through, Project]
        tables = [m._meta.db_table for m in models] + [
            m.history.model._meta.db_table for m in (FundReport, ProjectFund, Project)
        ]
        tables.append(Project.history.model.villages.model._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            else:
                for table in tables:
                    cursor.execute(f"DELETE FROM {table}")
            cursor.execute("ANALYZE")

    def floor(self):
        from datetime import date
        from decimal import Decimal

        from villages.projects.models import Project, ProjectFund

        self.empty()
        start = time.perf_counter()
        projects = []
        for name, category, code, content, _central, _city, period, implementer in self.rows:
            _pk, township = self.villages[code]
            first, last = period.split("-")
            projects.append(
                Project(
                    county_id=township[:6],
                    township_id=township,
                    name=name,
                    category=category,
                    year=2025,
                    content=content,
                    implementer=implementer,
                    start_month=date(2025, int(first[5:-1]), 1),
                    end_month=date(2025, int(last[5:-1]), 1),
                )
            )
        Project.objects.bulk_create(projects, batch_size=2000)
        through = Project.villages.through
        links, funds = [], []
        for project, row in zip(projects, self.rows):
            links.append(through(project_id=project.pk, village_id=self.villages[row[2]][0]))
            funds.append(ProjectFund(project=project, source="中央衔接资金", planned=Decimal(row[4])))
            funds.append(ProjectFund(project=project, source="市县财政资金", planned=Decimal(row[5])))
        through.objects.bulk_create(links, batch_size=5000)
        ProjectFund.objects.bulk_create(funds, batch_size=5000)
        return time.perf_counter() - start

    def run_import(self):
        from villages.projects.imports.importer import import_pool

        self.empty()
        self.resident_before = resident_mb()
        start = time.perf_counter()
        result = import_pool(self.content, "bench-pool.csv", self.user, 2025)
        seconds = time.perf_counter() - start
        assert result.ok and result.written and result.created == len(self.rows), result.problems[:5]
        return seconds

    def round(self, number):
        load = os.getloadavg()[0]
        steps = [("import", self.run_import), ("floor", self.floor)]  # the first round's import before any floor
        times, peaks = {}, {}
        for name, step in steps if number % 2 == 0 else steps[::-1]:
            times[name] = step()
            peaks[name] = peak_mb()
        return {"times": times, "load": load, "peaks": peaks, "before_import_mb": self.resident_before}

    def pages(self, rounds):
        """The pool with a year of figures on PostgreSQL: the 公示 of the biggest township and three pages."""
        from django.db import connection
        from django.db.models import Count
        from django.test import Client
        from django.test.utils import setup_test_environment

        from counties.models import Township
        from villages.projects import totals
        from villages.projects.models import FundReport, Project, ProjectFund
        from villages.projects.notice import Notice, notice_docx

        setup_test_environment()
        self.run_import()
        funds, reports = ProjectFund._meta.db_table, FundReport._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Project._meta.db_table} SET stage = 'in_progress'")
            cursor.execute(
                f"INSERT INTO {reports} (fund_id, month, allocated, spent, reason, recorded_at) "
                f"SELECT f.id, make_date(2025, m, 1), round(f.planned * m / 12, 2), round(f.planned * m / 15, 2), '', now() "
                f"FROM {funds} f CROSS JOIN generate_series(1, 12) AS m"
            )
            cursor.execute(
                f"UPDATE {funds} SET allocated = planned, spent = round(planned * 12 / 15, 2), reported_month = '2025-12-01'"
            )
            cursor.execute("ANALYZE")
        totals.rebuild()  # the SQL above stands in for the workflow, which keeps the totals
        figures = {
            "projects": Project.objects.count(),
            "funds": ProjectFund.objects.count(),
            "reports": FundReport.objects.count(),
        }
        biggest = Project.objects.values("township").annotate(n=Count("id")).order_by("-n").first()
        township = Township.objects.get(code=biggest["township"])
        from datetime import date

        notice = Notice(township, 2025, date(2025, 6, 1))
        seconds, cpu_seconds = [], []
        for _ in range(rounds):
            started, started_cpu = time.perf_counter(), time.process_time()
            notice_docx(notice)
            seconds.append(time.perf_counter() - started)
            cpu_seconds.append(time.process_time() - started_cpu)
        client = Client()
        client.force_login(self.user)
        county = township.county_id
        city = Township.objects.select_related("county").get(code=township.code).county.city_id
        page_times = {}
        money = {}
        for path in ["/?year=2025", f"/cities/{city}/?year=2025", f"/counties/{county}/"]:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            money[path] = 'id="project-money"' in response.content.decode()
            cpu = []
            for _ in range(rounds):
                started = time.process_time()
                assert client.get(path).status_code == 200
                cpu.append(time.process_time() - started)
            page_times[path] = statistics.median(cpu) * 1000
        return {
            "figures": figures,
            "township": f"{township.name} ({township.code}), {biggest['n']} projects",
            "notice_s": statistics.median(seconds),
            "notice_spread": [min(seconds), max(seconds)],
            "notice_cpu_s": statistics.median(cpu_seconds),
            "pages_ms": page_times,
            "money": money,
            "peak_mb": peak_mb(),
        }


def worker(args):
    with contextlib.redirect_stdout(sys.stderr):
        bench = Worker(args.projects_per_village)
    print(json.dumps({"ready": True, "rows": len(bench.rows), "bytes": len(bench.content)}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command["do"] == "quit":
            return
        with contextlib.redirect_stdout(sys.stderr):
            answer = bench.round(command["round"]) if command["do"] == "round" else bench.pages(command["rounds"])
        print(json.dumps(answer), flush=True)


class Process:
    def __init__(self, url, args, env):
        command = [sys.executable, __file__, "--worker", "--projects-per-village", str(args.projects_per_village)]
        self.process = subprocess.Popen(
            command,
            env={**env, "DATABASE_URL": url},
            cwd=BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.ready = self.ask(None)

    def ask(self, command):
        if command is not None:
            self.process.stdin.write(json.dumps(command) + "\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("the worker failed (see its messages above)")
        return json.loads(line)

    def close(self):
        with contextlib.suppress(BrokenPipeError, OSError):
            self.process.stdin.write(json.dumps({"do": "quit"}) + "\n")
            self.process.stdin.close()
        self.process.wait(timeout=120)


def report(kind, ready, rounds):
    print(
        f"\n{kind}: {ready['rows']} rows ({ready['bytes'] / 2**20:.1f} MB GBK CSV), {len(rounds)} rounds; "
        "load average (1 min) at each round's start: " + " ".join(f"{r['load']:.1f}" for r in rounds)
    )
    floor = [r["times"]["floor"] for r in rounds]
    imported = [r["times"]["import"] for r in rounds]
    ratios = [r["times"]["import"] / r["times"]["floor"] for r in rounds]
    median = statistics.median(ratios)
    print(f"  floor (bulk_create)   median {statistics.median(floor):7.2f} s")
    print(
        f"  import                median {statistics.median(imported):7.2f} s   x floor: {spread(ratios)}   "
        f"goal ≤{IMPORT_GOAL:g} {'ok' if median <= IMPORT_GOAL else 'NO'}"
    )
    first = rounds[0]
    peak = first["peaks"]["import"]
    print(
        f"  peak memory of the worker through the first import (before any floor ran): {peak:.0f} MB "
        f"(goal < {MEMORY_GOAL_MB} MB {'ok' if peak < MEMORY_GOAL_MB else 'NO'}), {first['before_import_mb']:.0f} MB of "
        f"it resident before the import (the registry, the file); after the floors too: "
        f"{max(r['peaks']['floor'] for r in rounds):.0f} MB"
    )


def report_pages(answer):
    figures = answer["figures"]
    print(
        f"\npostgresql, the pool under way with a year of figures: {figures['projects']} projects, {figures['funds']} "
        f"funds, {figures['reports']} monthly figures (FundReport rows)"
    )
    low, high = answer["notice_spread"]
    ok = "ok" if answer["notice_s"] <= NOTICE_GOAL_S else "NO"
    print(
        f"  公示 DOCX of {answer['township']}: median {answer['notice_s']:.3f} s ({low:.3f}–{high:.3f}) wall, "
        f"{answer['notice_cpu_s']:.3f} s CPU; goal ≤{NOTICE_GOAL_S:g} s {ok}"
    )
    for path, ms in answer["pages_ms"].items():
        section = "with" if answer["money"][path] else "without"
        print(
            f"  {path:22} CPU {ms:6.1f} ms ({section} a money section), goal ≤{PAGE_GOAL_MS} ms {'ok' if ms <= PAGE_GOAL_MS else 'NO'}"
        )
    print(f"  peak memory of the worker: {answer['peak_mb']:.0f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="at least 5")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--projects-per-village", type=int, default=3)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--pages-only", action="store_true", help="PostgreSQL: the 公示 and the pages, no import rounds"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if args.rounds < 5:
        parser.error("at least 5 rounds: one round's ratio says nothing on a shared machine")
    print(f"Project pool benchmark, {args.rounds} interleaved rounds. {machine_state()}; load average {load_average()}")
    with tempfile.TemporaryDirectory() as static_root:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0", "SECRET_KEY": "bench-projects",
               "ALLOWED_HOSTS": "testserver", "STATIC_ROOT": static_root}  # fmt: skip
        collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
        subprocess.run(collect, env=env, cwd=BASE_DIR, check=True)
        for number, kind in enumerate(args.databases.split(",")):
            with database(kind, args, number) as url:
                process = Process(url, args, env)
                try:
                    if not args.pages_only:
                        rounds = [process.ask({"do": "round", "round": index}) for index in range(args.rounds)]
                        report("sqlite" if kind == "sqlite" else "postgresql", process.ready, rounds)
                    if kind == "postgres":
                        report_pages(process.ask({"do": "pages", "rounds": max(args.rounds, 9)}))
                finally:
                    process.close()
    print(f"\n{machine_state()}; load average {load_average()}")


if __name__ == "__main__":
    main()
