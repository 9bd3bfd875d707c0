"""deploy/varnish/newsroom.vcl against a scripted backend (issue #16): what Varnish
does with a fetch that a purge overtakes, timed exactly. Skipped without varnishd
and the xkey vmod, except in CI (tests/ops/edge.py)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.ops.edge import varnish

KEPT = {"Cache-Control": "public, max-age=60", "Surrogate-Control": "max-age=300"}


class Story:
    """A backend serving /story as the application would: keyed `a1`, kept five
    minutes, its text the edition current when the request arrived. A fetch can be
    held after it has read the text (`hold`), as a slow render would be."""

    def __init__(self):
        self.edition = 1
        self.fetches = 0
        self.reading = threading.Event()  # a held fetch has read its edition
        self.release = threading.Event()
        self.release.set()
        self.extra = {}  # headers added to every answer
        self.once = {}  # headers added to the next answer only
        story = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                headers = {}
                if self.path == "/story":
                    story.fetches += 1
                    body = f"edition {story.edition}".encode()
                    headers = {**KEPT, "xkey": "a1", **story.extra, **story.once}
                    story.once = {}
                    story.reading.set()
                    story.release.wait(10)
                else:  # the health probe and the start-up check
                    body = b"ok"
                self.send_response(200)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hold(self):
        self.reading.clear()
        self.release.clear()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def story():
    backend = Story()
    yield backend
    backend.close()


@pytest.fixture
def edge(story, tmp_path):
    with varnish(story.port, tmp_path / "varnish") as base:
        yield base


def get(url):
    response = requests.get(url, timeout=15)
    assert response.status_code == 200
    return response.text, response.headers["X-Varnish-Cache"]


def purge(edge):
    answer = requests.request("PURGE", edge + "/", headers={"xkey": "a1"}, timeout=10)
    assert answer.status_code == 200


def test_a_fetch_overtaken_by_a_purge_is_fetched_again_and_kept(edge, story):
    url = edge + "/story"
    assert get(url) == ("edition 1", "MISS")
    assert get(url) == ("edition 1", "HIT")
    purge(edge)
    with ThreadPoolExecutor(2) as pool:
        # A reader's fetch reads edition 1 and is slow to answer; meanwhile the
        # write commits (edition 2) and purges.
        story.hold()
        early = pool.submit(get, url)
        assert story.reading.wait(10)
        story.edition = 2
        purge(edge)
        # A reader arriving after the purge queues behind that fetch.
        late = pool.submit(get, url)
        story.release.set()
        # Varnish fetched again once the old answer arrived: both get edition 2.
        assert early.result()[0] == "edition 2"
        assert late.result()[0] == "edition 2"
    assert story.fetches == 3  # edition 1, its overtaken fetch, the fetch again
    assert get(url) == ("edition 2", "HIT")


def test_an_answer_the_application_built_during_a_write_is_fetched_again(edge, story):
    """The application says Surrogate-Control: max-age=0 for a page it built while
    a write was committing: Varnish fetches it again at once and keeps that one
    (rather than remembering the address as uncacheable for a minute)."""
    url = edge + "/story"
    story.once = {
        "Cache-Control": "private, max-age=0",
        "Surrogate-Control": "max-age=0",
    }
    assert get(url) == ("edition 1", "MISS")
    assert story.fetches == 2
    assert get(url) == ("edition 1", "HIT")


def test_an_address_always_overtaken_is_answered_and_not_kept(edge, story):
    """Should the fetch again be overtaken too, its answer goes to the reader and is
    not kept: no error, no endless refetching."""
    url = edge + "/story"
    story.extra = {"Surrogate-Control": "max-age=0"}
    assert get(url) == ("edition 1", "MISS")
    assert story.fetches == 2
    story.extra = {}
    assert get(url)[1] == "MISS"
    assert get(url)[1] == "HIT"


def test_only_the_purgers_acl_may_purge(story, tmp_path):
    """Varnish here sees the test as 127.0.0.1: with an ACL naming only another
    host (as a production VCL names the app servers), that purge is refused and
    the page stays."""
    with varnish(story.port, tmp_path / "varnish", purgers=["192.0.2.10"]) as edge:
        url = edge + "/story"
        assert get(url) == ("edition 1", "MISS")
        answer = requests.request(
            "PURGE", edge + "/", headers={"xkey": "a1"}, timeout=10
        )
        assert answer.status_code == 403
        story.edition = 2
        assert get(url) == ("edition 1", "HIT")
