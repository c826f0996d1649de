"""Load and fault bench: the app under gunicorn on PostgreSQL, loopback only, bounded in time.

    .venv/bin/python bench/load.py                       # load (50 users, 60 s) and 20 concurrent edits
    .venv/bin/python bench/load.py --faults              # ... then kill a gunicorn worker during load
    .venv/bin/python bench/load.py --faults --restart-postgres   # ... and restart PostgreSQL too
    .venv/bin/python bench/load.py --servers 2 --registry shanxi  # two app servers, one Redis, the province

It creates a throwaway database villages_load_<pid> (dropped at the end), migrates, loads the registry,
seeds the demo data (DEBUG=1 for that step only), collects static files into a temporary folder and starts
gunicorn with production settings (DEBUG=0, whitenoise) on 127.0.0.1:8070-8079. Pages that do not exist
yet are reported as "missing (404)". Each simulated user acts like a browser: it fetches a page's scripts and
styles the first time only (hashed names let browsers keep them), and not the map page's GeoJSON links, which
are downloads for GIS tools; it accepts the codings Chromium does (httpx with brotli and zstandard installed:
gzip, deflate, br, zstd). --restart-postgres restarts the machine's PostgreSQL cluster:
every other user of that server sees it go down for a few seconds. --servers N starts N gunicorn servers on the
same database, media folder and Redis (REDIS_URL, database 14 of 127.0.0.1:6379, emptied first) and spreads the
users over them, as a proxy would; --registry shanxi loads the whole province instead of 晋中.
"""

import argparse
import contextlib
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.server_helpers import free_port, gunicorn, manage, production_env  # noqa: E402

PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PORTS = range(8070, 8080)
REDIS_URL = "redis://127.0.0.1:6379/14"
DEMO_PASSWORD = "demo-pass-2025"
READER_MIX = [("dashboard", 25), ("village list", 25), ("village page", 35), ("map", 15)]
EDITOR_MIX = [("edit", 50), ("village page", 30), ("village list", 10), ("dashboard", 10)]
PAGE_GOAL_MS, MAP_GOAL_MS = 300, 500


class Forms(HTMLParser):
    """The forms of a page with the values a browser would submit (file inputs and buttons left out)."""

    def __init__(self, html):
        super().__init__()
        self.forms, self._select, self._textarea = [], None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action") or "", "fields": []}
            )
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select["first"] = value if self._select["first"] is None else self._select["first"]
            if "selected" in attrs:
                self._select["chosen"].append(value)
        elif not self.forms or not attrs.get("name"):
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("file", "submit", "button", "image", "reset"):
                self.forms[-1]["fields"].append(
                    [attrs["name"], attrs.get("value") or ("on" if kind in ("checkbox", "radio") else "")]
                )
        elif tag == "select":
            self._select = {"name": attrs["name"], "first": None, "chosen": []}
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
            self.forms[-1]["fields"].append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            # Browsers drop the newline that follows <textarea>.
            self._textarea[1] = self._textarea[1].removeprefix("\n")
            self._textarea = None
        elif tag == "select" and self._select is not None:
            values = self._select["chosen"] or ([self._select["first"]] if self._select["first"] is not None else [])
            self.forms[-1]["fields"].extend([self._select["name"], value] for value in values)
            self._select = None


def edit_form(html):
    """The page's main POST form: the one with a CSRF token and the most fields."""
    forms = [
        form
        for form in Forms(html).forms
        if form["method"] == "post" and any(n == "csrfmiddlewaretoken" for n, _ in form["fields"])
    ]
    return max(forms, key=lambda form: len(form["fields"]), default=None)


def with_marker(fields, marker):
    """The form's data ({name: [values]}) with a note changed to `marker`: the notes field, or main works, or text."""
    data = defaultdict(list)
    for name, value in fields:
        data[name].append(value)
    target = next((name for name in ("notes", "main_works", "text") if name in data), None)
    if target is None:
        return None
    data[target] = [marker]
    return dict(data)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.outcomes = defaultdict(Counter)
        self.missing = set()
        self.saved = []
        self.refused = 0
        self.timeline = []

    def record(self, page, started, outcome):
        elapsed = time.monotonic() - started
        with self.lock:
            self.latency[page].append(elapsed * 1000)
            self.outcomes[page][outcome] += 1
            self.timeline.append((started, outcome))


def outcome_of(response):
    if response.status_code >= 500:
        return "5xx"
    if response.status_code == 404:
        return "404"
    if response.status_code >= 400:
        return f"{response.status_code}"
    return "ok"


class SimulatedUser:
    def __init__(self, base_url, username, villages, stats, marker_prefix, mix, think):
        self.client = httpx.Client(base_url=base_url, timeout=30)
        self.username, self.villages, self.stats = username, villages, stats
        self.marker_prefix, self.mix, self.think = marker_prefix, mix, think
        self.count = 0
        self.cached_assets = set()

    def request(self, page, method, url, **kwargs):
        started = time.monotonic()
        try:
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx.RemoteProtocolError:
                if method != "GET":
                    raise
                # The server closed an idle keep-alive connection as we reused it; browsers retry such a GET.
                response = self.client.request(method, url, **kwargs)
        except httpx.TransportError as error:
            self.stats.record(page, started, f"connection error ({type(error).__name__})")
            return None
        outcome = outcome_of(response)
        if method == "GET" and outcome == "ok" and response.headers.get("content-type", "").startswith("text/html"):
            self.fetch_assets(response.text)
        if outcome == "404":
            self.stats.missing.add("edit" if page == "edit form" else page)
        self.stats.record(page, started, outcome)
        return response

    def fetch_assets(self, html):
        """What a browser fetches with a page: its scripts and styles, once; their hashed names let it keep them."""
        for url in re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", html):
            if url not in self.cached_assets:
                self.cached_assets.add(url)
                self.request("static files", "GET", url)

    def login(self):
        for _attempt in range(20):
            try:
                page = self.client.get("/accounts/login/")
                response = self.client.post(
                    "/accounts/login/",
                    data={
                        "username": self.username,
                        "password": DEMO_PASSWORD,
                        "csrfmiddlewaretoken": page.cookies.get("csrftoken") or self.client.cookies["csrftoken"],
                    },
                )
                if response.status_code == 302:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        return False

    def edit(self, code):
        form_page = self.request("edit form", "GET", f"/villages/{code}/edit/")
        if form_page is None or form_page.status_code != 200:
            return None
        form = edit_form(form_page.text)
        self.count += 1
        marker = f"{self.marker_prefix}-{self.username}-{self.count}"
        fields = form and with_marker(form["fields"], marker)
        if not fields:
            self.stats.missing.add("edit (no notes field in the form)")
            return None
        response = self.request("edit", "POST", form["action"] or f"/villages/{code}/edit/", data=fields)
        if response is not None and response.status_code in (302, 303):
            with self.stats.lock:
                self.stats.saved.append((code, marker))
            return "saved"
        if response is not None and response.status_code in (200, 409):
            with self.stats.lock:
                self.stats.refused += 1
            return "refused"
        return None

    def one_action(self):
        choices = [page for page, _ in self.mix if page not in self.stats.missing] or ["dashboard"]
        weights = [weight for page, weight in self.mix if page in choices] or [1]
        page = random.choices(choices, weights)[0]
        code = random.choice(self.villages)
        if page == "dashboard":
            self.request(page, "GET", "/")
        elif page == "village list":
            self.request(page, "GET", "/villages/")
        elif page == "village page":
            self.request(page, "GET", f"/villages/{code}/")
        elif page == "map":
            self.request(page, "GET", "/map/")
        elif page == "edit":
            self.edit(code)

    def run(self, until):
        # People do not all click at the same instant: each starts within one think time of the others.
        time.sleep(random.uniform(0, 2 * self.think))
        while time.monotonic() < until:
            try:
                self.one_action()
            except Exception as error:  # a bug in the bench must show, not silently stop a user
                with self.stats.lock:
                    self.stats.outcomes["bench client"][f"{type(error).__name__}: {error}"] += 1
                    self.stats.latency["bench client"].append(0)
            time.sleep(random.uniform(0, 2 * self.think))


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(stats, seconds, title):
    total = sum(len(values) for values in stats.latency.values())
    print(f"\n== {title}: {total} requests in {seconds:.0f} s = {total / seconds:.1f} requests/s")
    print(f"{'page':<18}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}   outcomes")
    for page in sorted(stats.latency):
        values = stats.latency[page]
        outcomes = ", ".join(f"{key} {count}" for key, count in stats.outcomes[page].most_common())
        goal = MAP_GOAL_MS if page.startswith("map") else PAGE_GOAL_MS
        flag = "" if percentile(values, 0.95) < goal else f"  (p95 over the {goal} ms goal)"
        print(
            f"{page:<18}{len(values):>9}{percentile(values, 0.5):>9.0f}{percentile(values, 0.95):>9.0f}{percentile(values, 0.99):>9.0f}   {outcomes}{flag}"
        )
    errors = sum(
        count for outcomes in stats.outcomes.values() for key, count in outcomes.items() if key not in ("ok", "404")
    )
    server_errors = sum(outcomes["5xx"] for outcomes in stats.outcomes.values())
    print(f"errors: {errors} (5xx: {server_errors}); missing (404): {', '.join(sorted(stats.missing)) or 'none'}")
    print(f"edits saved: {len(stats.saved)}, refused (conflict or invalid): {stats.refused}")
    print(
        "machine load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f} on {} CPUs".format(*os.getloadavg(), os.cpu_count())
    )
    return server_errors


class Database:
    def __init__(self, name):
        self.name = name
        self.url = f"{PG_SERVER}/{name}"

    def admin(self, sql):
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
            connection.execute(sql)

    def query(self, sql, params=()):
        for _attempt in range(60):
            try:
                with psycopg.connect(self.url) as connection:
                    return connection.execute(sql, params).fetchall()
            except psycopg.OperationalError:
                time.sleep(1)
        raise RuntimeError("PostgreSQL did not come back within 60 s")


def prepare(db, workdir, registry, servers):
    db.admin(f'CREATE DATABASE "{db.name}"')
    shared = {"REGISTRY_DATA_DIR": str(Path(__file__).resolve().parent.parent / "data" / registry)}
    if servers > 1:
        subprocess.run(["redis-cli", "-n", "14", "flushdb"], check=True, capture_output=True)
        shared["REDIS_URL"] = REDIS_URL
    seeding = {
        key: value
        for key, value in production_env(DATABASE_URL=db.url, **shared).items()
        if key not in ("SECRET_KEY", "ALLOWED_HOSTS")
    }
    seeding["DEBUG"] = "1"
    for step in (("migrate", "--noinput"), ("load_registry",), ("seed_demo",)):
        result = manage(*step, env=seeding)
        if result.returncode:
            raise SystemExit(f"{' '.join(step)} failed:\n{result.stderr}")
    env = production_env(
        DATABASE_URL=db.url, STATIC_ROOT=str(workdir / "static"), MEDIA_ROOT=str(workdir / "media"), **shared
    )
    result = manage("collectstatic", "--noinput", env=env)
    if result.returncode:
        raise SystemExit(f"collectstatic failed:\n{result.stderr}")
    return env


def people(db):
    editors = db.query(
        "SELECT u.username, pc.county_id FROM auth_user u JOIN counties_profile p ON p.user_id = u.id "
        "JOIN counties_profile_counties pc ON pc.profile_id = p.id WHERE p.role = 'county_editor' ORDER BY pc.county_id"
    )
    villages = defaultdict(list)
    for code, county in db.query("SELECT code, county_id FROM villages_village WHERE tier <> 'none'"):
        villages[county].append(code)
    return editors, villages


def load_phase(base_urls, db, users, seconds, think, marker_prefix, stats):
    """Users spread over the servers in turn, as a proxy would spread them."""
    editors, villages = people(db)
    all_villages = [code for codes in villages.values() for code in codes]
    # At least a fifth of the users read (administrators and viewers, who also open the map), however many
    # county editors the registry has.
    simulated = [
        SimulatedUser(base_urls[i % len(base_urls)], name, villages[county], stats, marker_prefix, EDITOR_MIX, think)
        for i, (name, county) in enumerate(editors[: users - max(1, users // 5)])
    ]
    readers = ["admin", "viewer"]
    simulated += [
        SimulatedUser(
            base_urls[i % len(base_urls)], readers[i % 2], all_villages, stats, marker_prefix, READER_MIX, think
        )
        for i in range(len(simulated), users)
    ]
    readers_count = sum(user.mix is READER_MIX for user in simulated)
    print(f"users: {len(simulated) - readers_count} county editors, {readers_count} administrators and viewers")
    failed = [user.username for user in simulated if not user.login()]
    if failed:
        print(f"login failed for {failed}")
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=user.run, args=(until,)) for user in simulated]
    for thread in threads:
        thread.start()
    return threads


def single_user_phase(base_url, db, rounds=10):
    """One user alone, each page in turn: what a page costs without any queueing."""
    editors, villages = people(db)
    username, county = editors[0]
    stats = Stats()
    user = SimulatedUser(base_url, username, villages[county], stats, "bench-single", [], 0)
    user.login()
    started = time.monotonic()
    for _ in range(rounds):
        for page in ("dashboard", "village list", "village page", "map", "edit"):
            if page not in stats.missing:
                user.mix = [(page, 1)]
                user.one_action()
    report(stats, time.monotonic() - started, f"one user alone, {rounds} rounds of every page")


def conflict_phase(base_url, db, clients=20, rounds=3):
    editors, villages = people(db)
    username, county = editors[0]
    code = villages[county][0]
    print(f"\n== {clients} clients editing village {code} at once, {rounds} rounds (as {username})")
    stats = Stats()
    users = [SimulatedUser(base_url, username, [code], stats, "bench-conflict", [], 0) for _ in range(clients)]
    for user in users:
        user.login()
    before = db.query("SELECT version FROM villages_village WHERE code = %s", (code,))[0][0]
    results = Counter()
    for round_number in range(rounds):
        forms = []
        for i, user in enumerate(users):
            page = user.client.get(f"/villages/{code}/edit/")
            if page.status_code == 404:
                print("edit page: missing (404); concurrent edits not measured")
                return
            form = edit_form(page.text)
            marker = f"bench-conflict-r{round_number}-c{i}"
            fields = form and with_marker(form["fields"], marker)
            if not fields:
                print("edit form has no notes field; concurrent edits not measured")
                return
            forms.append((user, form["action"] or f"/villages/{code}/edit/", fields, marker))
        barrier = threading.Barrier(clients)
        outcome = {}

        def save(user, action, fields, marker, barrier=barrier, outcome=outcome):
            barrier.wait()
            response = user.client.post(action, data=fields)
            outcome[marker] = (
                "saved"
                if response.status_code in (302, 303)
                else "conflict"
                if response.status_code in (200, 409)
                else f"error {response.status_code}"
            )

        threads = [threading.Thread(target=save, args=form) for form in forms]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        results.update(outcome.values())
        saved_this_round = [marker for marker, result in outcome.items() if result == "saved"]
        print(f"round {round_number + 1}: {Counter(outcome.values())}")
        if len(saved_this_round) > 1:
            print(f"  LOST UPDATES: {len(saved_this_round)} saves of the same version were all accepted")
    history = {
        row[0]
        for row in db.query(
            "SELECT notes FROM villages_historicalvillage WHERE code = %s AND notes LIKE 'bench-conflict-%%'", (code,)
        )
    }
    after, notes = db.query("SELECT version, notes FROM villages_village WHERE code = %s", (code,))[0]
    print(
        f"accepted {results['saved']}, refused as conflicts {results['conflict']}, other {sum(results.values()) - results['saved'] - results['conflict']}; "
        f"history rows with these edits: {len(history)}; version {before} -> {after}"
    )
    print(
        "every accepted change is in the history:",
        results["saved"] == len(history) and after - before == results["saved"],
    )


def worker_pids(master):
    result = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True)
    return [int(pid) for pid in result.stdout.split()]


def fault_phase(base_url, db, server, restart_postgres, users=30, seconds=45):
    print(
        f"\n== faults: {users} users for {seconds} s; kill a gunicorn worker at 10 s"
        + ("; restart PostgreSQL at 20 s" if restart_postgres else "")
    )
    stats = Stats()
    health = []
    stop = time.monotonic() + seconds
    threads = load_phase(base_url, db, users, seconds, 0.5, "bench-fault", stats)
    start = time.monotonic()

    def probe():
        with httpx.Client(base_url=base_url, timeout=5) as client:
            while time.monotonic() < stop:
                try:
                    status = client.get("/healthz").status_code
                except httpx.TransportError:
                    status = "down"
                health.append((time.monotonic() - start, status))
                time.sleep(0.2)

    prober = threading.Thread(target=probe)
    prober.start()
    time.sleep(10)
    victim = worker_pids(server)[0]
    os.kill(victim, signal.SIGKILL)
    print(f"t={time.monotonic() - start:.1f} s: killed gunicorn worker {victim}")
    restarted_at = None
    if restart_postgres:
        time.sleep(10)
        restarted_at = time.monotonic() - start
        version = os.listdir("/etc/postgresql")[0]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True)
        print(f"t={restarted_at:.1f} s: PostgreSQL restarted (took {time.monotonic() - start - restarted_at:.1f} s)")
    for thread in threads + [prober]:
        thread.join()
    server_errors = report(stats, seconds, "load during faults")
    by_second = defaultdict(Counter)
    for started, outcome in stats.timeline:
        by_second[int(started - start)][outcome if outcome in ("ok", "404") else "error"] += 1
    bad = [second for second, outcomes in sorted(by_second.items()) if outcomes["error"]]
    print("errors per second:", {second: by_second[second]["error"] for second in bad} or "none")
    unhealthy = [(round(t, 1), status) for t, status in health if status != 200]
    if unhealthy:
        print(f"/healthz not 200 from t={unhealthy[0][0]} s to t={unhealthy[-1][0]} s ({len(unhealthy)} probes)")
    recovered = health and health[-1][1] == 200
    print("recovered on its own:", bool(recovered), f"(alive workers: {len(worker_pids(server))})")
    partial = db.query(
        "SELECT v.code FROM villages_village v WHERE v.notes LIKE 'bench-%%' AND v.notes <> ("
        " SELECT h.notes FROM villages_historicalvillage h WHERE h.id = v.id ORDER BY h.history_date DESC, h.history_id DESC LIMIT 1)"
    )
    saved = stats.saved
    recorded = {
        row[0] for row in db.query("SELECT notes FROM villages_historicalvillage WHERE notes LIKE 'bench-fault-%%'")
    }
    lost = [marker for _code, marker in saved if marker not in recorded]
    print(
        f"partial writes (village changed without its history row): {len(partial)}; accepted edits missing from history: {len(lost)} of {len(saved)}"
    )
    return server_errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a user's requests, in seconds")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: as configured, CPUs + 1)")
    parser.add_argument("--faults", action="store_true", help="kill a gunicorn worker during load")
    parser.add_argument(
        "--restart-postgres", action="store_true", help="also restart the PostgreSQL cluster during load"
    )
    parser.add_argument("--servers", type=int, default=1, help="gunicorn servers sharing the database and Redis")
    parser.add_argument("--registry", choices=["jinzhong", "shanxi"], default="jinzhong")
    args = parser.parse_args()

    db = Database(f"villages_load_{os.getpid()}")
    with tempfile.TemporaryDirectory(prefix="villages-bench-") as workdir:
        workdir = Path(workdir)
        try:
            started = time.monotonic()
            env = prepare(db, workdir, args.registry, args.servers)
            print(
                f"database {db.name} ready in {time.monotonic() - started:.0f} s "
                f"({args.registry}: migrate, load_registry, seed_demo, collectstatic)"
            )
            with contextlib.ExitStack() as running:
                servers = []
                for index in range(args.servers):
                    log = workdir / f"gunicorn-{index}.log"
                    servers.append(running.enter_context(gunicorn(env, free_port(PORTS), log, workers=args.workers)))
                server = servers[0]
                threads = env.get("GUNICORN_THREADS", "2 (configured)")
                for each in servers:
                    print(
                        f"gunicorn on {each.base_url}: {len(worker_pids(each))} workers x {threads} threads, "
                        f"DEBUG=0, whitenoise{', Redis ' + env['REDIS_URL'] if 'REDIS_URL' in env else ''}"
                    )
                single_user_phase(server.base_url, db)
                stats = Stats()
                urls = [each.base_url for each in servers]
                threads = load_phase(urls, db, args.users, args.seconds, args.think, "bench-load", stats)
                for thread in threads:
                    thread.join()
                server_errors = report(
                    stats, args.seconds, f"{args.users} users, {args.seconds} s, mean think time {args.think} s"
                )
                conflict_phase(server.base_url, db)
                if args.faults:
                    server_errors += fault_phase(server.base_url, db, server, args.restart_postgres)
            log = "".join(path.read_text(errors="replace") for path in workdir.glob("gunicorn-*.log*"))
            print(f"\ngunicorn log: {log.count('Traceback')} tracebacks, {log.count('WORKER TIMEOUT')} worker timeouts")
        finally:
            db.admin(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')
    return 1 if server_errors and not args.faults else 0


if __name__ == "__main__":
    sys.exit(main())
