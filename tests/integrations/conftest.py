"""A local webhook receiver, endpoints, and a worker run as its own process."""

import contextlib
import json
import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper

from integrations.models import WebhookEndpoint
from tests.processes import ROOT, app_env, database_url, manage

ALL_EXPLAINER_EVENTS = [
    "explainer.published",
    "explainer.updated",
    "explainer.unpublished",
    "explainer.deleted",
]


class Receiver:
    """An HTTP server in a thread that records every POST and answers with the next
    status in `statuses` (200 once they run out); `hang_next()` makes the next
    request wait until `release()`."""

    def __init__(self):
        self.requests = []
        self.statuses = []
        self.arrived = threading.Event()
        self._hang = threading.Event()
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {"headers": dict(self.headers.items()), "body": body}
                )
                receiver.arrived.set()
                if receiver._hang.is_set():
                    receiver._hang.clear()
                    receiver._release.wait(30)
                    return
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                answer = json.dumps({"ok": status < 300}).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hang_next(self):
        self._release.clear()
        self._hang.set()

    def release(self):
        self._release.set()

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(self.requests)} of {count} webhook requests arrived"
                )
            time.sleep(0.05)
        return self.requests

    def ids(self):
        return [request["headers"]["webhook-id"] for request in self.requests]

    def close(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def allow_private(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def make_endpoint(allow_private):
    def make(url, events=None, **fields):
        endpoint = WebhookEndpoint(
            name=fields.pop("name", "Partner"),
            url=url,
            events=ALL_EXPLAINER_EVENTS if events is None else events,
            **fields,
        )
        endpoint.full_clean()
        endpoint.save()
        return endpoint

    return make


# The worker as a separate process --------------------------------------------


def _on_sqlite():
    return settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file, made once and copied for each worker test."""
    path = tmp_path_factory.mktemp("webhooks-db") / "template.sqlite3"
    result = manage(
        "migrate", "--noinput", env=app_env(DATABASE_URL=f"sqlite:///{path}")
    )
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def shared_database(request, tmp_path, django_db_blocker):
    """A database this test and a worker process both use; yields its DATABASE_URL.

    Tests using it are marked `django_db(transaction=True)`, so their writes commit.
    PostgreSQL: the test database. SQLite: the test database is in memory, which
    another process cannot open, so this test's connection is pointed at a migrated
    file instead.
    """
    if not _on_sqlite():
        yield database_url()
        return
    path = tmp_path / "shared.sqlite3"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    previous = connections["default"]
    connection = DatabaseWrapper({**previous.settings_dict, "NAME": str(path)})
    connections["default"] = connection
    try:
        with django_db_blocker.unblock():
            yield f"sqlite:///{path}"
    finally:
        connection.close()
        connections["default"] = previous


class Worker:
    """`manage.py webhooks_sweep` then `manage.py db_worker`, as the Procfile runs
    them, against the shared database; `start(sweep=False)` skips the sweep."""

    def __init__(self, db_url, log_path, **env):
        self.env = app_env(
            DATABASE_URL=db_url,
            WEBHOOKS_ALLOW_PRIVATE="1",
            WEBHOOKS_TIMEOUT="2",
            WEBHOOKS_RETRY_DELAYS="1,1",
            **env,
        )
        self.log_path = log_path
        self.process = None

    def start(self, *, sweep=True):
        if sweep:
            swept = manage("webhooks_sweep", env=self.env)
            assert swept.returncode == 0, swept.stderr
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "db_worker",
                    "--interval",
                    "0.2",
                    "--no-startup-delay",
                    "--no-reload",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
            if self.process.poll() is None:
                self.kill()

    def log(self):
        return self.log_path.read_text(errors="replace")[-3000:]


@pytest.fixture
def worker(shared_database, tmp_path):
    started = Worker(shared_database, tmp_path / "worker.log")
    yield started
    started.stop()


@pytest.fixture
def other_worker(shared_database, tmp_path):
    """A second worker on the same database, for a test that needs two."""
    started = Worker(shared_database, tmp_path / "other.log")
    yield started
    started.stop()
