"""The load test's clients: readers browsing and commenting, an editor using the API."""

import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

PASSWORD = "load-test-password-7531"

# Set on SIGTERM or Ctrl-C: the clients stop, so the clean-up need not wait for the
# phase to run out.
STOPPING = threading.Event()


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
            session = requests.Session()
            username = self.users.pop()
            session.get(f"{self.base}/accounts/login/", timeout=30)
            response = session.post(
                f"{self.base}/accounts/login/",
                data={
                    "login": username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": session.cookies["csrftoken"],
                },
                allow_redirects=False,
                timeout=30,
            )
            if response.status_code != 302:
                raise RuntimeError(f"sign-in failed ({response.status_code})")
            self._local.session = session
            self._local.anonymous = requests.Session()
        return self._local.session

    def one_request(self, phase, rng):
        signed_in = self.session()
        anonymous = self._local.anonymous
        slug = rng.choice(self.slugs)
        roll = rng.random()
        body = None
        if roll < 0.30:
            call = (anonymous.get, "/", {})
        elif roll < 0.55:
            call = (anonymous.get, f"/explainers/{slug}/", {})
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
        else:
            body = f"Load test comment {uuid.uuid4().hex}"
            data = {"body": body, "csrfmiddlewaretoken": signed_in.cookies["csrftoken"]}
            call = (signed_in.post, f"/explainers/{slug}/comments/", {"data": data})
        method, path, kwargs = call
        started = time.perf_counter()
        try:
            response = method(
                self.base + path, allow_redirects=False, timeout=30, **kwargs
            )
        except requests.RequestException:
            with phase.lock:
                phase.dropped += 1
            return
        phase.record(response.status_code, time.perf_counter() - started)
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
            n += 1
            due += self.every
            self._stop.wait(max(due - time.monotonic(), 0))

    @property
    def server_errors(self):
        return sum(n for status, n in self.statuses.items() if status >= 500)
