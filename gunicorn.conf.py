"""Gunicorn settings for Newsroom; every value can be overridden from the environment.

    gunicorn -c gunicorn.conf.py newsroom.wsgi:application

Workers default to (2 x CPUs) + 1, capped at 12 so a big machine does not open more
database connections than PostgreSQL allows; GUNICORN_WORKERS sets the number. Each
worker runs GUNICORN_THREADS threads. Workers are recycled after about
GUNICORN_MAX_REQUESTS requests (with jitter, so they do not all restart together).
"""

import multiprocessing
import os


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

max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

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
