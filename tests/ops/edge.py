"""Edge caches for the tests: a real varnishd with the project's VCL, and a local
HTTP server that records what purge adapters send (Fastly's and Cloudflare's APIs
cannot be reached from here)."""

import contextlib
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

import pytest

from scripts.loadlib.edge import varnish as start_varnish
from scripts.loadlib.edge import varnish_installed


class Recorded(NamedTuple):
    method: str
    path: str
    headers: dict
    body: bytes


class RecordingServer:
    """Answers every request with `status` (200) and keeps what it was sent
    (header names in lower case)."""

    def __init__(self, status=200):
        self.status = status
        self.requests: list[Recorded] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorder.requests.append(
                    Recorded(
                        self.command,
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                    )
                )
                self.send_response(recorder.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = do_PURGE = _record

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def recording_server(status=200):
    server = RecordingServer(status)
    try:
        yield server
    finally:
        server.close()


def require_varnish():
    """Skip without varnishd and the xkey vmod, except in CI, where it fails."""
    if varnish_installed():
        return
    message = "varnishd with vmod xkey is not installed (.ci/system-packages)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def varnish(backend_port, workdir: Path, **options):
    """varnishd with deploy/varnish/newsroom.vcl in front of 127.0.0.1:`backend_port`;
    yields its base URL (scripts/loadlib/edge.py, shared with the benchmark)."""
    require_varnish()
    with start_varnish(backend_port, workdir, **options) as base:
        yield base
