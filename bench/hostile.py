"""Hostile import files: the time and peak memory of refusing each one, in a fresh process per case and path.

    .venv/bin/python bench/hostile.py [--case "bad CRC"] [--paths calamine,cli,admin]

Each case of tests/spreadsheet_files.py (HOSTILE) is built here, written to a temporary folder and run
through three paths, each in its own new Python process so that its peak resident memory is its own:

- calamine: python-calamine alone on the file (no checks of ours), under a 4 GB address-space limit and a
  60 s timeout, to show what the library does by itself;
- cli: `manage.py import_villages FILE --dry-run` (call_command) as a city administrator;
- admin: the admin import page, the file uploaded with Django's test client (the whole request: middleware,
  form, view, template).

Two more files sit just inside the limits (read in full, then refused for having no header). The Django
paths use a throwaway SQLite database holding the real registry. For each run the script prints
the wall time, the process's resident memory when ready (idle: Django set up, logged in) and its peak while
handling the file (VmHWM, reset just before, or the peak of the child process that reads a workbook if higher),
and the outcome. Goals: each hostile file refused within 5 s,
and every file (those at the limits too) handled within 300 MB above idle.
The machine's load average is printed before and after.
"""

import argparse
import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
TIME_GOAL_S = 5.0
MEMORY_GOAL_MB = 300
USERNAME = "bench-admin"


def status_mb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak():
    """Linux resets VmHWM to the current RSS on `5` written to clear_refs."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def setup_django(database):
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def prepare(database):
    setup_django(database)
    from django.core.management import call_command

    from counties.models import Profile
    from tests.conftest import make_user

    call_command("migrate", verbosity=0)
    call_command("load_registry", verbosity=0)
    make_user(USERNAME, Profile.Role.PROVINCE_ADMIN)


def run_calamine(path):
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    from python_calamine import CalamineWorkbook

    idle = status_mb("VmRSS")
    reset_peak()
    start = time.perf_counter()
    try:
        with open(path, "rb") as handle:
            workbook = CalamineWorkbook.from_filelike(handle)
        rows = sum(len(workbook.get_sheet_by_name(name).to_python()) for name in workbook.sheet_names)
        outcome = f"read {rows} rows"
    except BaseException as error:  # a Rust panic is a BaseException
        outcome = f"{type(error).__name__}: {error}"
    return time.perf_counter() - start, idle, outcome


def run_cli(path, database):
    setup_django(database)
    from django.core.management import CommandError, call_command
    from django.utils import translation

    translation.activate("en")
    idle = status_mb("VmRSS")
    reset_peak()
    start = time.perf_counter()
    try:
        call_command("import_villages", str(path), "--user", USERNAME, "--dry-run", stdout=io.StringIO())
        outcome = "checked (no problem)"
    except CommandError as error:
        outcome = str(error).split("\n")[1] if "\n" in str(error) else str(error)
    return time.perf_counter() - start, idle, outcome


def run_admin(path, database, folder):
    setup_django(database)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.IMPORT_PREVIEW_DIR = Path(folder) / "previews"
    client = Client()
    client.force_login(get_user_model().objects.get(username=USERNAME))
    client.cookies["django_language"] = "en"
    client.get("/admin/villages/village/import/")  # a worker that has served the page before
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    idle = status_mb("VmRSS")
    reset_peak()
    start = time.perf_counter()
    response = client.post("/admin/villages/village/import/", {"crs": "wgs84", "encoding": "", "file": upload})
    seconds = time.perf_counter() - start
    context = response.context or {}
    if response.status_code != 200:
        outcome = f"HTTP {response.status_code}"
    elif "result" in context:
        problems = context["result"].problems
        outcome = str(problems[0]) if problems else f"preview of {len(context['result'].rows)} rows"
    else:
        outcome = "; ".join(error for errors in context["form"].errors.values() for error in errors)
    return seconds, idle, f"HTTP 200, {len(response.content)} bytes: {outcome}"


def child(arguments):
    path = Path(arguments.file)
    if arguments.run == "calamine":
        seconds, idle, outcome = run_calamine(path)
    elif arguments.run == "cli":
        seconds, idle, outcome = run_cli(path, arguments.database)
    else:
        seconds, idle, outcome = run_admin(path, arguments.database, arguments.folder)
    # The import reads a workbook in a forked child (villages/imports/sandbox.py): its peak counts too. A forked
    # child's resident set includes the pages it shares with this process, so its peak above idle is its own.
    reader = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    peak = max(status_mb("VmHWM"), reader)
    print(json.dumps({"seconds": seconds, "idle": idle, "peak": peak, "outcome": outcome}))


def measure(path, kind, database, folder):
    command = [sys.executable, __file__, "--run", kind, "--file", str(path), "--database", database, "--folder", folder]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=BASE_DIR)
    except subprocess.TimeoutExpired:
        return {"seconds": time.perf_counter() - started, "idle": 0, "peak": 0, "outcome": "still running after 60 s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or ["?"])[0]
        return {
            "seconds": time.perf_counter() - started,
            "idle": 0,
            "peak": 0,
            "outcome": f"process died (exit {done.returncode}): {last[:100]}",
        }
    return json.loads(lines[-1])


def at_the_limits(code):
    """Files just inside the default limits (1,000,000 cells), read in full before they are refused for having
    no header: the most a file can make an import hold."""
    from tests.spreadsheet_files import xlsx_parts

    dense = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>v{r}-{c}</t></is></c>' for c in range(20))
        + "</row>"
        for r in range(1, 50_001)
    )
    corners = '<row r="1"><c r="A1"><v>1</v></c></row><row r="50000"><c r="T50000"><v>1</v></c></row>'
    return {
        "limits: 50,000 x 20 cells of text": ("dense.xlsx", xlsx_parts(dense)),
        "limits: cells at A1 and T50000": ("corners.xlsx", xlsx_parts(corners)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", action="append", help="only these cases (repeatable)")
    parser.add_argument("--paths", default="calamine,cli,admin")
    parser.add_argument("--run", choices=["calamine", "cli", "admin"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.prepare:
        return prepare(arguments.prepare)
    if arguments.run:
        return child(arguments)

    from tests.spreadsheet_files import HOSTILE

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as folder:
        database = str(Path(folder) / "bench.sqlite3")
        subprocess.run([sys.executable, __file__, "--prepare", database], check=True, cwd=BASE_DIR, capture_output=True)
        code = "140702100200"  # a village of the registry (鸣谦村委会, 榆次区)
        failures = 0
        print(f"{'case':36} {'path':8} {'file':>10} {'time':>7} {'idle':>7} {'peak':>7} {'+peak':>7}  outcome")
        cases = dict(HOSTILE)
        cases.update({case: (lambda code, file=file: file) for case, file in at_the_limits(code).items()})
        for case, build in cases.items():
            if arguments.case and case not in arguments.case:
                continue
            name, content = build(code)
            path = Path(folder) / name
            path.write_bytes(content)
            for kind in arguments.paths.split(","):
                figures = measure(path, kind, database, folder)
                above = figures["peak"] - figures["idle"]
                ours = kind != "calamine"
                slow = figures["seconds"] > TIME_GOAL_S
                at_limits = case.startswith("limits")  # read in full, not refused early: the time goal is not theirs
                missed = ours and (above > MEMORY_GOAL_MB or figures["peak"] == 0 or (slow and not at_limits))
                failures += missed
                flag = "MISSED " if missed else "slow (read in full) " if ours and slow else ""
                print(
                    f"{case:36} {kind:8} {len(content):>10,} {figures['seconds']:6.2f}s {figures['idle']:6.0f}M "
                    f"{figures['peak']:6.0f}M {above:6.0f}M  {flag}{figures['outcome'][:150]}"
                )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"goals (cli and admin): hostile files refused under {TIME_GOAL_S:.0f} s; every file under {MEMORY_GOAL_MB} MB "
        f"above idle; missed: {failures}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
