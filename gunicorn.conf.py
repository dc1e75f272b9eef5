"""gunicorn's settings for Cardwright: ``gunicorn -c gunicorn.conf.py 'app:create_app()'``.

One worker process per core the server may use, two threads each; ``GUNICORN_WORKERS``,
``GUNICORN_THREADS`` and ``GUNICORN_BIND`` change them. Measured with ``make load`` (200 employees sending
their photo at once on 2 cores, README "Load test"): with many more threads than cores a burst shares the
cores among dozens of requests, each is slowed down by all the others, the longest (a photo) most, and the
switching costs a quarter more CPU per employee; few threads serve the queue in turn.
"""
import os

_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or _cores)
threads = int(os.environ.get("GUNICORN_THREADS") or 2)
worker_class = "gthread"
timeout = 120  # a 12 MP photo on a busy server is seconds, never minutes
graceful_timeout = 30
