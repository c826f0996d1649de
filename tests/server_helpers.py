"""Run the app as in production (gunicorn, DEBUG off) in a subprocess, for tests and the load bench."""

import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CLEARED = (
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "HTTPS",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "DJANGO_SETTINGS_MODULE",
)


def production_env(**overrides):
    """The environment of a production server on loopback over plain HTTP."""
    env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1,localhost")
    env.update(overrides)
    return env


def manage(*args, env, timeout=600):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def free_port(candidates=None):
    for port in candidates or [0]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError(f"no free port among {candidates}")


@contextmanager
def gunicorn(env, port, log_path, workers=2):
    """Start gunicorn with config/gunicorn.py, wait until it answers, stop it afterwards.

    workers=None keeps the configuration's number of workers (the environment's WEB_CONCURRENCY, else CPUs + 1).
    Standard output (access log, the app's log) goes to log_path, standard error (gunicorn's own log) next to it.
    """
    env = dict(env, BIND=f"127.0.0.1:{port}")
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    with open(log_path, "ab") as out, open(f"{log_path}.stderr", "ab") as err:
        process = subprocess.Popen(
            [str(gunicorn_bin), "-c", "config/gunicorn.py", "config.wsgi"], cwd=ROOT, env=env, stdout=out, stderr=err
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log_path}.stderr")
            try:
                httpx.get(base_url + "/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer within 60 s; see {log_path}") from None
                time.sleep(0.2)
        process.base_url = base_url
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
