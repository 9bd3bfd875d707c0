"""Helpers for tests that run the site as real processes: gunicorn, manage.py, a
TCP proxy. Used by tests/ops/ and the worker tests in tests/integrations/."""

import contextlib
import os
import socket
import threading
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

# One home for starting processes, shared with the load test and the benchmark.
from scripts.loadlib.processes import free_port, manage
from scripts.loadlib.processes import gunicorn as start_gunicorn

__all__ = ["free_port", "manage"]

ROOT = Path(__file__).resolve().parents[1]


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def pg_address() -> tuple[str, int]:
    db = settings.DATABASES["default"]
    return db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)


def database_url(*, name=None, port=None) -> str:
    """A DATABASE_URL for the (test) database this process uses: the same server, its
    database or `name`, reached directly or through `port` on 127.0.0.1."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{name or db['NAME']}"
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host, db_port = pg_address()
    if port is not None:
        host, db_port = "127.0.0.1", port
    return f"postgres://{auth}@{host}:{db_port}/{name or db['NAME']}"


def app_env(**overrides) -> dict:
    """Environment for an app process: production settings, no pytest in sight."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "GUNICORN_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_SECRET_KEY="ops-test-secret-key-not-for-production-0123456789",
        DJANGO_DEBUG="0",
        DJANGO_LOG_FORMAT="json",
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="4",
        COMMENTS_RATE_PER_MINUTE="10000",
        API_THROTTLE_ANON="100000/min",
        API_THROTTLE_USER="100000/min",
    )
    env.update({k: str(v) for k, v in overrides.items()})
    return env


@contextlib.contextmanager
def gunicorn(env: dict, log_path: Path):
    """A gunicorn serving the site on a free port; yields its base URL (the load
    test's starter, scripts/loadlib/processes.py)."""
    with start_gunicorn(env, log_path) as server:
        yield server.base


class TcpProxy:
    """A TCP relay on 127.0.0.1 that can be cut (connections dropped, new ones
    refused) and restored on the same port, to play a database going away."""

    def __init__(self, target_host, target_port):
        self.target = (target_host, int(target_port))
        self.port = free_port()
        self._listener = None
        self._sockets = set()
        self._lock = threading.Lock()
        self.restore()

    def restore(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self):
        # shutdown() wakes the thread blocked in accept(); close() alone would not.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            for sock in list(self._sockets):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    close = cut

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update({client, upstream})
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
