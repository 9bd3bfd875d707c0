"""The load test's clients: readers browsing and commenting, an editor using the API."""

import random
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

PASSWORD = "load-test-password-7531"

# The editor's counter as an explainer page or the API detail shows it.
DEK = re.compile(r'(?:class="explainer__dek">|"dek":\s*")Load test dek, edit (\d+)\.')
# Varnish's own answer when the application cut the connection (a killed worker).
VARNISH_FETCH_FAILED = b"Backend fetch failed"

# Set on SIGTERM or Ctrl-C: the clients stop, so the clean-up need not wait for the
# phase to run out.
STOPPING = threading.Event()


def signed_in_session(base, username, password=PASSWORD):
    """A requests session signed in at `base` as the reader `username`."""
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=30)
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "login": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise RuntimeError(f"sign-in failed ({response.status_code})")
    return session


class Phase:
    def __init__(self, name):
        self.name = name
        self.lock = threading.Lock()
        self.latencies = []
        self.statuses = {}
        self.dropped = 0
        self.accepted = []
        self.elapsed = 0.0
        self.note = ""
        self.error_paths = {}
        # Explainer pages and API details read: (slug, started, counter shown).
        self.reads = []
        # Varnish in front and a worker killed: its 503s are dropped connections.
        self.edge_drops = False

    def record(self, status, seconds):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.latencies.append(seconds)

    @property
    def requests(self):
        return sum(self.statuses.values()) + self.dropped

    @property
    def server_errors(self):
        return sum(n for status, n in self.statuses.items() if status >= 500)


class Site:
    def __init__(self, base, slugs, users):
        self.base = base
        self.slugs = slugs
        self.users = users
        self._local = threading.local()

    def session(self):
        """One signed-in session per client thread (its own reader)."""
        if not hasattr(self._local, "session"):
            self._local.session = signed_in_session(self.base, self.users.pop())
            self._local.anonymous = requests.Session()
        return self._local.session

    def one_request(self, phase, rng):
        signed_in = self.session()
        anonymous = self._local.anonymous
        slug = rng.choice(self.slugs)
        roll = rng.random()
        body = None
        versioned = False
        if roll < 0.30:
            call = (anonymous.get, "/", {})
        elif roll < 0.55:
            call = (anonymous.get, f"/explainers/{slug}/", {})
            versioned = True
        elif roll < 0.65:
            call = (
                anonymous.get,
                f"/search/?q={rng.choice(['river', 'load', 'test'])}",
                {},
            )
        elif roll < 0.75:
            call = (anonymous.get, "/api/v1/articles/", {})
        elif roll < 0.85:
            call = (anonymous.get, f"/api/v1/articles/{slug}/", {})
            versioned = True
        else:
            body = f"Load test comment {uuid.uuid4().hex}"
            data = {"body": body, "csrfmiddlewaretoken": signed_in.cookies["csrftoken"]}
            call = (signed_in.post, f"/explainers/{slug}/comments/", {"data": data})
        method, path, kwargs = call
        began = time.monotonic()
        started = time.perf_counter()
        try:
            response = method(
                self.base + path, allow_redirects=False, timeout=30, **kwargs
            )
        except requests.RequestException:
            with phase.lock:
                phase.dropped += 1
            return
        if (
            phase.edge_drops
            and response.status_code == 503
            and VARNISH_FETCH_FAILED in response.content
        ):
            with phase.lock:
                phase.dropped += 1
            return
        phase.record(response.status_code, time.perf_counter() - started)
        if versioned and response.status_code == 200:
            shown = DEK.search(response.text)
            with phase.lock:
                phase.reads.append(
                    (slug, began, int(shown[1]) if shown else -1, path, response)
                )
        if response.status_code >= 500:
            key = f"{response.status_code} {path.split('?')[0].rsplit('/', 2)[0]}/"
            with phase.lock:
                phase.error_paths[key] = phase.error_paths.get(key, 0) + 1
        if body and response.status_code in (201, 302):
            with phase.lock:
                phase.accepted.append(body)


def run_phase(site, phase, *, count, seconds, clients, kill=None):
    deadline = time.monotonic() + seconds
    issued = iter(range(count))
    lock = threading.Lock()
    killed = threading.Event()

    def client(index):
        rng = random.Random(index)
        while time.monotonic() < deadline and not STOPPING.is_set():
            with lock:
                n = next(issued, None)
            if n is None:
                return
            if kill and n >= count // 3 and not killed.is_set():
                with lock:
                    if not killed.is_set():
                        killed.set()
                        phase.note = kill()
            site.one_request(phase, rng)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    phase.elapsed = time.monotonic() - started


class Editor:
    """An editor changing published explainers' deks through the API, one PATCH
    every `every` seconds, on a thread, until stopped."""

    def __init__(self, base, token, slugs, every):
        self.base = base
        self.token = token
        self.slugs = slugs
        self.every = every
        self.statuses = {}
        self.saved = 0
        # (slug, counter, when its response arrived), monotonic clock.
        self.edits = []
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _run(self):
        session = requests.Session()
        session.headers["Authorization"] = f"Token {self.token}"
        due = time.monotonic()
        n = 0
        while not self._stop.is_set():
            slug = self.slugs[n % len(self.slugs)]
            try:
                response = session.patch(
                    f"{self.base}/api/v1/articles/{slug}/",
                    json={"dek": f"Load test dek, edit {n}."},
                    timeout=30,
                )
                status = response.status_code
            except requests.RequestException:
                status = 0
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.saved += status == 200
            if status == 200:
                self.edits.append((slug, n, time.monotonic()))
            n += 1
            due += self.every
            self._stop.wait(max(due - time.monotonic(), 0))

    @property
    def server_errors(self):
        return sum(n for status, n in self.statuses.items() if status >= 500)


def stale_reads(reads, edits):
    """Reads that started after an edit's response arrived (its purge was sent by
    then) yet showed an older counter: [(slug, started, shown, expected)].

    A read is (slug, started, counter shown, ...): more fields may follow."""
    stale = []
    for slug, started, shown, *_ in reads:
        due = [
            n for edited, n, answered in edits if edited == slug and answered < started
        ]
        if due and shown < max(due):
            stale.append((slug, started, shown, max(due)))
    return stale


def describe_stale(read, edits):
    """One line about a stale read: what it fetched, how long after the edit's
    response it started, and the cache headers it got."""
    slug, started, shown, path, response = read
    answered = max(a for edited, _n, a in edits if edited == slug and a < started)
    headers = {
        name: response.headers[name]
        for name in ("X-Varnish-Cache", "X-Cache", "Age")
        if name in response.headers
    }
    return (
        f"{path} showed edit {shown}, {(started - answered) * 1000:.0f} ms after the "
        f"newer edit's response; {headers}"
    )
