"""Monthly reports at the province's scale on PostgreSQL: the period page, send_reminders for a whole period, the 通报.

    .venv/bin/python bench/reporting.py [--rounds 9] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

It makes a throwaway PostgreSQL database (villages_bench_reporting_<pid>, dropped afterwards), loads the province's
registry (data/shanxi: 18,851 villages), and runs seed_demo: in every city 40 showcase and 300 upgraded villages
designated as in the demo, a county editor per county, the monthly periods from 2025 to this year with illustrative
reports (most on time, some late, some missing) and one issued 通报. Then, in this one process, it prints medians over
`--rounds` (after a warm-up) of:

- the period page (its county table: a city's 11-13 counties; and the province's table of cities) as the province
  administrator: CPU time of this process (time.process_time: Python, templates and the database driver, not
  PostgreSQL's own work) and wall time;
- `send_reminders` for a whole period: every county of the province with villages not reported in an overdue period,
  its editors given an address, sent to a real SMTP server on loopback (aiosmtpd); the reminders are deleted between
  rounds so that each round claims and sends them all;
- the province's 通报: freezing its figures, and writing its DOCX and XLSX (and the same for a city's, with the
  list of villages not reported).

Goals on the 2-core development machine: the period page ≤ 50 ms CPU, send_reminders for a period ≤ 10 s, the
province's 通报 DOCX ≤ 3 s. The machine's load average is printed before and after.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def timed(run, rounds, before=None):
    """Median (CPU ms, wall ms) of `run()` over `rounds` runs after a warm-up; `before()` runs untimed before each."""
    if before:
        before()
    run()
    cpu, wall = [], []
    for _ in range(rounds):
        if before:
            before()
        started_cpu, started = time.process_time(), time.perf_counter()
        run()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return statistics.median(cpu) * 1000, statistics.median(wall) * 1000


def child(rounds):
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from counties.models import City
    from tests.smtp_helpers import smtp_server
    from villages.demo import seed_demo
    from villages.models import Village
    from villages.registry_loader import load_registry
    from villages.reporting import bulletins, documents, rates, reminders
    from villages.reporting.models import Bulletin, NoChange, Period, Reminder

    setup_test_environment()
    call_command("migrate", verbosity=0)
    load_registry(BASE_DIR / "data" / "shanxi")
    started = time.perf_counter()
    seed_demo()
    seeded = time.perf_counter() - started
    today = timezone.localdate()
    period = (
        Period.objects.filter(kind="monthly", deadline__lt=today)
        .exclude(bulletins__isnull=False)
        .order_by("-start")
        .first()
    )
    cities = list(City.objects.all())
    biggest = max(cities, key=lambda city: city.counties.count())
    print(
        f"== the province: {Village.objects.count()} villages, {Village.objects.designated().count()} designated, "
        f"{len(cities)} cities; {Period.objects.count()} periods, {NoChange.objects.count()} “no change” "
        f"confirmations; seed_demo {seeded:.0f} s"
    )
    province = rates.city_table(period)
    print(
        f"period {period.key}: expected {province.total.expected}, received {province.total.received}, "
        f"on time {province.total.on_time}"
    )

    client = Client()
    client.force_login(get_user_model().objects.get(username="province_admin"))
    print(f"{'what':44} {'CPU ms':>8} {'wall ms':>8}")
    for label, path in [
        (f"period page, {biggest.name} by county", f"/reporting/{period.key}/cities/{biggest.code}/"),
        ("period page, 晋中市 by county", f"/reporting/{period.key}/cities/1407/"),
        ("period page, the province by city", f"/reporting/{period.key}/"),
    ]:
        assert client.get(path).status_code == 200

        def get(path=path):
            assert client.get(path).status_code == 200

        cpu, wall = timed(get, rounds)
        print(f"{label:44} {cpu:8.1f} {wall:8.1f}")

    # A whole period overdue for every county: a special round over the last month, nothing confirmed in it.
    overdue = Period.objects.create(
        key=f"{today.year}-bench",
        name="督查",
        kind=Period.Kind.SPECIAL,
        start=today - timedelta(days=40),
        end=today - timedelta(days=10),
        deadline=today - timedelta(days=5),
    )
    for user in get_user_model().objects.filter(profile__role="county_editor"):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    with smtp_server() as (mailbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        outcomes = []

        def send():
            outcomes.append(reminders.send_reminders())

        cpu, wall = timed(send, rounds, before=lambda: Reminder.objects.all().delete())
        last = outcomes[-1]
        print(
            f"{'send_reminders (' + str(last.sent) + ' emails, ' + str(last.due) + ' due)':44} {cpu:8.1f} {wall:8.1f}"
        )
        assert last.sent == last.due and len(mailbox.messages) == last.sent * (rounds + 1)
    overdue.delete()

    admin = get_user_model().objects.get(username="province_admin")
    for place in [None, City.objects.get(code="1407")]:
        name = place.name if place else "the province"
        cpu, wall = timed(lambda place=place: bulletins.figures_of(period, place), rounds)
        print(f"{'通报 figures frozen, ' + name:44} {cpu:8.1f} {wall:8.1f}")
        Bulletin.objects.filter(period=period).delete()
        bulletin, _created = bulletins.issue(period, place, admin)
        cpu, wall = timed(lambda bulletin=bulletin: documents.bulletin_docx(bulletin), rounds)
        print(f"{'通报 DOCX, ' + name:44} {cpu:8.1f} {wall:8.1f}")
        cpu, wall = timed(lambda bulletin=bulletin: documents.bulletin_xlsx(bulletin), rounds)
        print(f"{'通报 XLSX annex, ' + name:44} {cpu:8.1f} {wall:8.1f}")
        cpu, wall = timed(
            lambda place=place: (
                Bulletin.objects.filter(period=period).delete(),
                documents.bulletin_docx(bulletins.issue(period, place, admin)[0]),
            ),
            rounds,
        )
        print(f"{'issue + DOCX together, ' + name:44} {cpu:8.1f} {wall:8.1f}")


def reference_loop_ms():
    started, total = time.process_time(), 0
    for number in range(3_000_000):
        total += number * number
    return (time.process_time() - started) * 1000


def machine_state():
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"machine load average (1, 5, 15 min): {load} on {os.cpu_count()} CPUs; reference loop {reference_loop_ms():.0f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.rounds)
        return
    print(machine_state())
    server = args.postgres.rsplit("/", 1)[0]
    name = f"villages_bench_reporting_{os.getpid()}"
    with tempfile.TemporaryDirectory() as static_root:
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "bench-reporting",
            "ALLOWED_HOSTS": "testserver",
            "STATIC_ROOT": static_root,
        }
        collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
        subprocess.run(collect, env=env, cwd=BASE_DIR, check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        try:
            command = [sys.executable, __file__, "--child", "--rounds", str(args.rounds)]
            subprocess.run(command, env={**env, "DATABASE_URL": f"{server}/{name}"}, cwd=BASE_DIR, check=True)
        finally:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    print(machine_state())


if __name__ == "__main__":
    main()
