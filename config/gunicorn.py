"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi`. Every value can be changed from the environment."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# The app spends its time in Python, not waiting: more workers and threads than cores only queue requests
# behind each other (bench/load.py on 2 cores, 50 users: village list p95 228-317 ms with 5 workers x 4 threads,
# 154 ms with 3 x 2).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
# A second thread lets a worker serve one request while another waits on PostgreSQL.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 2))
# A worker takes a connection only when one of its threads is free: a request then never waits in a busy worker
# behind slow ones (four photo uploads at once) while another worker is idle, but in the listening socket's queue,
# for the first thread free anywhere. Connections are therefore not kept alive: an idle one would hold a place.
# (bench/uploads.py, 4 uploads of 50 MP photos at once: /healthz waited up to 2.9 s, once 8.8 s, with keep-alive
# and 1000 connections a worker; at most 20 ms like this on an otherwise quiet machine.)
worker_connections = threads
keepalive = 0
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
# Recycle workers now and then so that a slow leak never takes the app down.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# gunicorn believes X-Forwarded-Proto from the same proxies as the app (TRUSTED_PROXIES, default none).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", os.environ.get("TRUSTED_PROXIES", ""))
