"""Gunicorn settings for Newsroom; every value can be overridden from the environment.

    gunicorn -c gunicorn.conf.py newsroom.wsgi:application

Workers default to (2 x CPUs) + 1, capped at 12 so a big machine does not open more
database connections than PostgreSQL allows; GUNICORN_WORKERS sets the number. Each
worker runs GUNICORN_THREADS threads. The master imports the app before it forks
(GUNICORN_PRELOAD=0 turns that off), and workers are recycled after
GUNICORN_MAX_REQUESTS requests plus up to GUNICORN_MAX_REQUESTS_JITTER more, so they
do not all restart together.
"""

import gc
import multiprocessing
import os
from pathlib import Path


def _int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


MAX_DEFAULT_WORKERS = 12

wsgi_app = "newsroom.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int(
    "GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, MAX_DEFAULT_WORKERS)
)
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"

# A worker silent this long is killed and replaced; on shutdown or reload workers get
# graceful_timeout to finish what they are serving; keep-alive suits a load balancer.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# A worker started by importing Django and the project takes about 1.5 s, and the
# requests queued on it wait that long; one forked from a master that already
# imported the app is ready in milliseconds (docs/operations.md, "Worker restarts").
# Nothing opens a database, cache or socket at import time, so forked workers share
# none. With preload a HUP reload forks the code the master holds: deploy by
# restarting the master.
preload_app = _int("GUNICORN_PRELOAD", 1) != 0

# Recycling only bounds slow memory growth, so it can be rare.
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 5000)


def when_ready(server):
    """With the app preloaded, do in the master what a worker's first requests would:
    build the URL resolver's reverse map and compile the project's templates, so
    every forked worker starts with them. Neither touches the database or cache."""
    if not server.cfg.preload_app:
        return
    from django.apps import apps

    if not apps.ready:  # another WSGI app than Django's
        return
    from django.template import engines
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 (the property builds the map)
    for engine in engines.all():
        for folder in engine.dirs:
            for template in Path(folder).rglob("*.html"):
                engine.get_template(str(template.relative_to(folder)))


def pre_fork(server, worker):
    # Park the master's objects where a worker's garbage collector never looks: a
    # collection that walks them copies their memory pages into the worker, and a
    # recycled worker's exit took 0.4 s instead of 0.06 s.
    if server.cfg.preload_app:
        gc.freeze()


# Access and error logs on stdout/stderr; access lines are JSON objects made by
# newsroom.logging.JsonFormatter unless DJANGO_LOG_FORMAT=plain.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Gunicorn 24+ opens a control socket at one fixed path per user, which several
# instances on a machine would fight over; set GUNICORN_CONTROL_SOCKET to have one.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

if os.environ.get("DJANGO_LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "newsroom.logging.JsonFormatter"}},
        "handlers": {
            "access": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
            },
            "error": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json",
            },
        },
        # Gunicorn's defaults name a "console" handler for the root logger; replace it.
        "root": {"handlers": ["error"], "level": loglevel.upper()},
        "loggers": {
            "gunicorn.access": {
                "handlers": ["access"],
                "level": "INFO",
                "propagate": False,
            },
            "gunicorn.error": {
                "handlers": ["error"],
                "level": loglevel.upper(),
                "propagate": False,
            },
        },
    }
