"""Photo uploads against the server: 4 clients at once, each posting one progress update with 50-megapixel PNGs,
while /healthz is polled. Loopback only, bounded in time.

    .venv/bin/python bench/uploads.py

It builds a throwaway SQLite database (migrate, load_registry, one county editor), collects static files into a
temporary folder and starts gunicorn with production settings (tests/server_helpers.py) and its default workers.
Scenarios:
- six 50 MP PNGs per update (~146 KB each): refused from their headers by the pixel budget per update;
- the same with the budget raised to 300 MP (PHOTO_REQUEST_MAX_PIXELS): every photo decoded and stored;
- two 50 MP PNGs per update: within the default budget, decoded and stored;
- a request declaring a 200 MB body: refused before the body is sent.
Printed: wall time and outcome of each upload, /healthz latency meanwhile, the peak memory (RSS) of each gunicorn
worker above its idle size, and the machine's load average.
"""

import io
import os
import re
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.server_helpers import free_port, gunicorn, manage, production_env  # noqa: E402

CLIENTS = 4
WIDTH, HEIGHT = 8660, 5773  # 49,994,180 pixels: just under the 50 MP limit of one photo
PASSWORD = "bench-pass-2025-上传"
VILLAGE = "140702100200"


def big_png():
    buffer = io.BytesIO()
    Image.new("RGB", (WIDTH, HEIGHT), (120, 140, 90)).save(buffer, "PNG", compress_level=9)
    return buffer.getvalue()


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    except (FileNotFoundError, StopIteration):
        return 0


def worker_pids(master_pid):
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [int(pid) for pid in children]


class Watch(threading.Thread):
    """Polls /healthz every 100 ms and the workers' memory every 20 ms until stopped."""

    def __init__(self, base_url, master_pid):
        super().__init__(daemon=True)
        self.base_url, self.master_pid = base_url, master_pid
        self.stop = threading.Event()
        self.latencies, self.failures, self.peak = [], 0, {}

    def run(self):
        next_probe = 0.0
        with httpx.Client(timeout=10) as client:
            while not self.stop.is_set():
                for pid in worker_pids(self.master_pid):
                    self.peak[pid] = max(self.peak.get(pid, 0), rss_kb(pid))
                if time.monotonic() >= next_probe:
                    next_probe = time.monotonic() + 0.1
                    started = time.monotonic()
                    try:
                        ok = client.get(self.base_url + "/healthz").status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    self.latencies.append(time.monotonic() - started)
                    self.failures += not ok
                time.sleep(0.02)


def logged_in(base_url):
    client = httpx.Client(base_url=base_url, timeout=120)
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/accounts/login/", data={"username": "bench", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302, response.text[:300]
    return client


def upload(client, png, count, results, index):
    form = client.get(f"/villages/{VILLAGE}/updates/new/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    files = [("photos", (f"工地{number}.png", png, "image/png")) for number in range(count)]
    data = {"date": "2025-06-01", "text": "上传测试", "progress": "", "csrfmiddlewaretoken": token}
    started = time.monotonic()
    response = client.post(f"/villages/{VILLAGE}/updates/new/", data=data, files=files)
    elapsed = time.monotonic() - started
    if response.status_code == 302:
        outcome = f"stored {count} photos"
    else:
        errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*><li>(.*?)</li>', response.text)
        outcome = f"status {response.status_code}: {errors[0] if errors else response.text[:120]}"
    results[index] = (elapsed, outcome)


def scenario(server, title, png, count):
    clients = [logged_in(server.base_url) for _ in range(CLIENTS)]
    idle = {pid: rss_kb(pid) for pid in worker_pids(server.pid)}
    watch = Watch(server.base_url, server.pid)
    watch.start()
    time.sleep(0.3)
    results = [None] * CLIENTS
    threads = [threading.Thread(target=upload, args=(c, png, count, results, i)) for i, c in enumerate(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = time.monotonic() - started
    time.sleep(0.3)
    watch.stop.set()
    watch.join()
    for client in clients:
        client.close()
    latencies = sorted(watch.latencies)
    print(f"\n== {title}: {CLIENTS} clients at once, {count} x {WIDTH}x{HEIGHT} PNG ({len(png) // 1024} KB) each")
    for index, (elapsed, outcome) in enumerate(results):
        print(f"client {index + 1}: {elapsed:5.2f} s  {outcome}")
    print(f"all uploads done in {total:.2f} s")
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else float("nan")
    print(
        f"/healthz during the uploads: {len(latencies)} probes, {watch.failures} failed, "
        f"median {latencies[len(latencies) // 2] * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms"
    )
    growth = {pid: (watch.peak.get(pid, 0) - idle.get(pid, 0)) / 1024 for pid in idle}
    print(
        "worker peak RSS above idle (MB): "
        + ", ".join(f"{pid}: {growth[pid]:.0f} (idle {idle[pid] / 1024:.0f})" for pid in sorted(growth))
    )
    print(
        "machine load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()),
        f"on {os.cpu_count()} CPUs",
    )


def oversized_body(server):
    """Declare a 200 MB body, send 1 MB of it, and time the answer."""
    host, port = server.base_url.removeprefix("http://").split(":")
    boundary = "benchboundary"
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        started = time.monotonic()
        sock.sendall(
            (
                f"POST /villages/{VILLAGE}/updates/new/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {200 * 2**20}\r\n\r\n"
            ).encode()
            + b"x" * 2**20
        )
        answer = sock.recv(200).decode(errors="replace").splitlines()[0]
        elapsed = time.monotonic() - started
    print(f"\n== a request declaring a 200 MB body: {answer!r} after {elapsed * 1000:.0f} ms (1 MB of it sent)")


def main():
    print("drawing a 50 MP PNG...", flush=True)
    png = big_png()
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as folder:
        folder = Path(folder)
        env = production_env(
            DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
            STATIC_ROOT=str(folder / "static"),
            MEDIA_ROOT=str(folder / "media"),
        )
        for step in (["migrate", "--noinput"], ["load_registry"], ["collectstatic", "--noinput"]):
            result = manage(*step, env=env)
            assert result.returncode == 0, result.stderr
        user = (
            "from django.contrib.auth import get_user_model; from counties.models import Profile; "
            f"u = get_user_model().objects.create_user('bench', password={PASSWORD!r}); "
            "p = Profile.objects.create(user=u, role=Profile.Role.COUNTY_EDITOR); p.counties.set(['140702'])"
        )
        result = manage("shell", "-c", user, env=env)
        assert result.returncode == 0, result.stderr
        print("gunicorn with its default workers and threads (config/gunicorn.py)")
        with gunicorn(env, free_port(), folder / "gunicorn.log", workers=None) as server:
            scenario(server, "six photos per update, default budget", png, 6)
        with gunicorn(
            {**env, "PHOTO_REQUEST_MAX_PIXELS": "300000000"}, free_port(), folder / "gunicorn.log", workers=None
        ) as server:
            scenario(server, "six photos per update, budget raised to 300 MP: all decoded", png, 6)
        with gunicorn(env, free_port(), folder / "gunicorn.log", workers=None) as server:
            scenario(server, "two photos per update, within the default budget", png, 2)
            oversized_body(server)
        stored = list((folder / "media").rglob("*.png"))
        print(
            f"\nphotos stored: {len(stored)}, largest {max((p.stat().st_size for p in stored), default=0) // 1024} KB"
        )


if __name__ == "__main__":
    main()
