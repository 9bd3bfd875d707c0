"""gunicorn.conf.py and the structured logs a deployment reads."""

import json
import logging
import runpy

import requests
from django.test import RequestFactory

from newsroom.logging import JsonFormatter
from tests.processes import ROOT, app_env, gunicorn, manage

CONFIG = ROOT / "gunicorn.conf.py"


def with_cache_table(env):
    """Without Redis the cache is a table, which `migrate` makes; these tests skip
    the migrations and make just the table."""
    result = manage("createcachetable", env=env)
    assert result.returncode == 0, result.stderr


def load_config(monkeypatch, cpus, **env):
    for name in (
        "GUNICORN_WORKERS",
        "GUNICORN_THREADS",
        "GUNICORN_BIND",
        "GUNICORN_CONTROL_SOCKET",
        "GUNICORN_PRELOAD",
        "GUNICORN_MAX_REQUESTS",
        "GUNICORN_MAX_REQUESTS_JITTER",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: cpus)
    return runpy.run_path(str(CONFIG))


def test_workers_follow_the_cpu_count_with_a_cap(monkeypatch):
    assert load_config(monkeypatch, 2)["workers"] == 5
    assert load_config(monkeypatch, 64)["workers"] == 12


def test_the_environment_sets_workers_threads_and_address(monkeypatch):
    config = load_config(
        monkeypatch,
        2,
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="1",
        GUNICORN_BIND="0.0.0.0:9000",
        GUNICORN_PRELOAD="0",
        GUNICORN_MAX_REQUESTS="500",
        GUNICORN_MAX_REQUESTS_JITTER="0",
    )
    assert (config["workers"], config["threads"], config["bind"]) == (
        3,
        1,
        "0.0.0.0:9000",
    )
    assert config["worker_class"] == "sync"
    assert config["preload_app"] is False
    assert (config["max_requests"], config["max_requests_jitter"]) == (500, 0)


def test_the_defaults_are_local_and_bounded(monkeypatch):
    config = load_config(monkeypatch, 4)
    assert config["bind"] == "127.0.0.1:8000"
    assert config["timeout"] > 0 and config["graceful_timeout"] > 0
    # Workers fork from a master that imported the app, and restart rarely.
    assert config["preload_app"] is True
    assert config["max_requests"] >= 10000 and config["max_requests_jitter"] > 0
    # Several instances on one machine must not share gunicorn's control socket.
    assert config["control_socket_disable"] is True


def test_a_request_error_is_one_json_line_with_path_and_status():
    request = RequestFactory().get("/explainers/broken/")
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        (request.path,),
        None,
    )
    record.request = request
    record.status_code = 500

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "django.request"
    assert entry["message"] == "Internal Server Error: /explainers/broken/"
    assert (entry["method"], entry["path"], entry["status"]) == (
        "GET",
        "/explainers/broken/",
        500,
    )
    assert entry["time"].endswith("Z")


def test_gunicorn_writes_json_access_lines(tmp_path, static_root):
    env = app_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        DJANGO_STATIC_ROOT=static_root,
        REDIS_URL="",
    )
    with_cache_table(env)
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log) as base:
        health = requests.get(f"{base}/healthz?probe=1", timeout=10)
        assert health.json() == {"status": "ok", "database": "ok", "cache": "ok"}

    lines = [json.loads(line) for line in log.read_text().splitlines() if line]
    access = [e for e in lines if e["logger"] == "gunicorn.access"]
    probe = next(e for e in access if e["path"] == "/healthz")
    assert probe["method"] == "GET"
    assert probe["status"] == 200
    assert probe["query"] == "probe=1"
    assert probe["duration_ms"] >= 0


def test_recycled_workers_keep_answering(tmp_path, static_root):
    env = app_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        DJANGO_STATIC_ROOT=static_root,
        REDIS_URL="",
        GUNICORN_MAX_REQUESTS="3",
        GUNICORN_MAX_REQUESTS_JITTER="0",
    )
    with_cache_table(env)
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log) as base:
        statuses = [
            requests.get(f"{base}/healthz", timeout=10).status_code for _ in range(10)
        ]

    assert statuses == [200] * 10
    messages = [json.loads(line)["message"] for line in log.read_text().splitlines()]
    assert sum(m.startswith("Autorestarting worker") for m in messages) >= 2
