#!/usr/bin/env python
"""A bounded load test of a production-style Newsroom: `make loadtest`.

Starts its own gunicorn on 127.0.0.1 against a throwaway database (a new PostgreSQL
database beside DATABASE_URL's when that is set, dropped afterwards; a temporary
SQLite file otherwise), seeds explainers and readers, then runs two phases:

  steady       anonymous readers (home, explainer, search, API) mixed with signed-in
               readers posting comments (session sign-in, CSRF token, form POST)
  worker-kill  the same mix, with one gunicorn worker killed (SIGKILL) a third of
               the way through

Each phase stops after --requests requests or --seconds seconds, whichever comes
first. A comment counts as accepted only when the site answered 302 (form) or 201;
afterwards every accepted comment must be in the database. Exit status 1 when any
request got a 5xx or an accepted comment is missing.
"""

import argparse
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load-test-password-7531"

SEED = """
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from tests.factories import make_article, make_topic
topic = make_topic("Load")
for i in range({articles}):
    make_article(title=f"Load test explainer {{i}} about rivers", facts=3, answers=2,
                 faqs=2, corrections=i % 2, topics=[topic])
for i in range({users}):
    user = get_user_model().objects.create_user(
        username=f"loadreader{{i}}", email=f"loadreader{{i}}@example.org",
        password="{password}")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
"""

STORED = """
import json
from comments.models import Comment
print(json.dumps(list(Comment.objects.values_list("body", flat=True))))
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Throwaway:
    """The database for the run: created on enter, dropped on exit."""

    def __init__(self, workdir):
        self.source = os.environ.get("DATABASE_URL", "")
        self.workdir = workdir
        self.name = None

    def __enter__(self):
        if self.source.startswith(("postgres://", "postgresql://")):
            import psycopg

            self.name = f"newsroom_loadtest_{os.getpid()}"
            parts = urlsplit(self.source)
            self._admin = urlunsplit(parts._replace(path="/postgres"))
            with psycopg.connect(self._admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self.label = f"PostgreSQL ({self.name}, dropped afterwards)"
        else:
            self.url = f"sqlite:///{self.workdir / 'loadtest.sqlite3'}"
            self.label = "SQLite (temporary file)"
        return self

    def __exit__(self, *exc):
        if self.name:
            import psycopg

            with psycopg.connect(self._admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode:
        sys.exit(f"loadtest: manage.py {args[0]} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def worker_pids(master_pid):
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            pids.append(int(stat.parent.name))
    return pids


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
        while time.monotonic() < deadline:
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1200, help="per phase")
    parser.add_argument("--seconds", type=float, default=90, help="time cap per phase")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--articles", type=int, default=30)
    args = parser.parse_args()
    # Interrupted or terminated: still stop gunicorn and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-loadtest-"))
    gunicorn = None
    try:
        with Throwaway(workdir) as database:
            port = free_port()
            env = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "GUNICORN_"))
            }
            env.update(
                DATABASE_URL=database.url,
                DJANGO_SECRET_KEY=secrets.token_urlsafe(40),
                DJANGO_STATIC_ROOT=str(workdir / "static"),
                DJANGO_LOG_LEVEL="WARNING",
                CACHE_KEY_PREFIX=f"loadtest{os.getpid()}",
                COMMENTS_RATE_PER_MINUTE="1000000",
                API_THROTTLE_ANON="1000000/min",
                API_THROTTLE_USER="1000000/min",
                GUNICORN_BIND=f"127.0.0.1:{port}",
                GUNICORN_WORKERS=str(args.workers),
                GUNICORN_THREADS=str(args.threads),
                GUNICORN_ACCESS_LOG=str(workdir / "access.log"),
            )
            print(
                f"Database: {database.label}; cache: "
                f"{'Redis' if env.get('REDIS_URL') else 'local memory'}"
            )
            manage(env, "collectstatic", "--noinput", "--verbosity", "0")
            manage(env, "migrate", "--noinput", "--verbosity", "0")
            manage(
                env,
                "shell",
                "-c",
                SEED.format(
                    articles=args.articles, users=2 * args.clients, password=PASSWORD
                ),
            )
            log = open(workdir / "gunicorn.log", "wb")  # noqa: SIM115
            gunicorn = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            base = f"http://127.0.0.1:{port}"
            for _ in range(150):
                try:
                    requests.get(f"{base}/healthz", timeout=5).raise_for_status()
                    break
                except requests.RequestException:
                    time.sleep(0.2)
            else:
                sys.exit("loadtest: gunicorn did not start; see its log")
            slugs = requests.get(f"{base}/api/v1/articles/?page_size=100", timeout=30)
            slugs = [a["slug"] for a in slugs.json()["results"]]

            def kill_a_worker():
                victim = random.choice(worker_pids(gunicorn.pid))
                os.kill(victim, signal.SIGKILL)
                return f"worker {victim} killed"

            phases = []
            for name, kill in (("steady", None), ("worker-kill", kill_a_worker)):
                site = Site(
                    base, slugs, [f"loadreader{i}" for i in range(2 * args.clients)]
                )
                phase = Phase(name)
                run_phase(
                    site,
                    phase,
                    count=args.requests,
                    seconds=args.seconds,
                    clients=args.clients,
                    kill=kill,
                )
                phases.append(phase)
            stored = set(
                __import__("json").loads(
                    manage(env, "shell", "-c", STORED).strip().splitlines()[-1]
                )
            )
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        log_path = workdir / "gunicorn.log"
        if log_path.exists():
            errors = [
                line
                for line in log_path.read_text(errors="replace").splitlines()
                if ('"ERROR"' in line or "Traceback" in line)
                and "was sent SIGKILL" not in line  # the worker we killed
            ]
            if errors:
                print(f"{len(errors)} error lines in the gunicorn log; the first:")
                print(errors[0][:1500])
        shutil.rmtree(workdir, ignore_errors=True)

    failed = False
    header = (
        f"{'phase':<12} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'5xx':>4} {'dropped':>7} {'accepted':>8} {'stored':>6} {'lost':>4}"
    )
    print(header)
    print("-" * len(header))
    for phase in phases:
        accepted = set(phase.accepted)
        lost = len(accepted - stored)
        latencies = sorted(phase.latencies) or [0]
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(
            f"{phase.name:<12} {phase.requests:>8} "
            f"{phase.requests / max(phase.elapsed, 1e-9):>7.1f} "
            f"{statistics.median(latencies) * 1000:>7.0f} {p95 * 1000:>7.0f} "
            f"{phase.server_errors:>4} {phase.dropped:>7} {len(accepted):>8} "
            f"{len(accepted & stored):>6} {lost:>4}"
        )
        failed |= phase.server_errors > 0 or lost > 0
    for phase in phases:
        for key, n in sorted(phase.error_paths.items()):
            print(f"{phase.name}: {n} x {key}")
        if phase.note:
            print(
                f"{phase.name}: {phase.note}; dropped = connections cut by the kill, "
                "never counted as accepted"
            )
    print("Comments stored in total:", len(stored))
    print("FAILED" if failed else "OK: no 5xx, no accepted comment lost")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
