"""The load test's webhooks: the worker as the Procfile runs it, a receiver standing
in for the partner, and the check that every recorded delivery arrived."""

import base64
import hashlib
import hmac
import json
import re
import shlex
import subprocess
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .processes import HOST, ROOT, manage

HOOK_EVENTS = [
    "explainer.published",
    "explainer.updated",
    "explainer.unpublished",
    "explainer.deleted",
    "comment.published",
]

DELIVERIES = """
import json
from integrations.models import WebhookDelivery
rows = WebhookDelivery.objects.values_list("event_id", "kind", "status", "attempts")
print(json.dumps(list(rows)))
"""


def procfile_worker():
    """The Procfile's worker line as manage.py argument lists: the commands run
    first (the sweep), then the long-running one (db_worker)."""
    line = next(
        line
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("worker:")
    )
    commands = [shlex.split(part) for part in line.partition(":")[2].split("&&")]
    commands = [words[words.index("manage.py") + 1 :] for words in commands]
    return commands[:-1], commands[-1]


def worker_interval(env, worker_args):
    """Seconds db_worker sleeps when the queue is empty, as it will run."""
    if "--interval" in worker_args:
        return float(worker_args[worker_args.index("--interval") + 1])
    usage = manage("db_worker", "--help", env=env, check=True).stdout
    found = re.search(r"--interval.*?\(default: ([\d.]+)\)", usage, re.S)
    return float(found.group(1)) if found else None


def worker_start(env, worker_args, log_path):
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "manage.py", *worker_args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


class Receiver:
    """The partner's end: an HTTP server on a thread of this process that checks
    each POST's Standard Webhooks signature and notes when each event id first
    arrived (wall clock, as the payload's timestamp is)."""

    def __init__(self, secret):
        self.key = base64.b64decode(secret.removeprefix("whsec_"))
        self.lock = threading.Lock()
        self.arrivals = {}  # webhook-id -> (arrival time, payload)
        self.posts = 0
        self.repeats = 0
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                arrived = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.record(arrived, self.headers, body)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def record(self, arrived, headers, body):
        msg_id = headers.get("webhook-id", "")
        signed = f"{msg_id}.{headers.get('webhook-timestamp', '')}.".encode() + body
        digest = hmac.new(self.key, signed, hashlib.sha256).digest()
        expected = "v1," + base64.b64encode(digest).decode()
        valid = any(
            hmac.compare_digest(expected, given)
            for given in headers.get("webhook-signature", "").split()
        )
        with self.lock:
            self.posts += 1
            if not valid:
                self.bad_signatures += 1
            elif msg_id in self.arrivals:
                self.repeats += 1
            else:
                self.arrivals[msg_id] = (arrived, json.loads(body))

    def wait_for(self, ids, timeout):
        """The ids still missing when all arrived or `timeout` seconds passed."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                missing = set(ids) - self.arrivals.keys()
            if not missing or time.monotonic() >= deadline:
                return missing
            time.sleep(0.1)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Hooks:
    """What one phase's webhooks came to."""

    def __init__(self, name):
        self.name = name
        self.expected = []
        self.missing = []
        self.delays = []
        self.updated = 0


def deliveries(env):
    """[event id, kind, status, attempts] per delivery recorded."""
    output = manage("shell", "-c", DELIVERIES, env=env, timeout=600, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def hooks_check(env, receiver, seen, name, timeout):
    """Wait for every delivery recorded so far and not `seen` in an earlier phase;
    measure each one's delay from its commit to its receipt.

    Each delivery's task is queued in the transaction that records it, so anything
    not received within `timeout` is missing, whatever happened to the web workers.
    """
    hooks = Hooks(name)
    new = [row for row in deliveries(env) if row[0] not in seen]
    seen.update(row[0] for row in new)
    hooks.expected = [row[0] for row in new]
    hooks.updated = sum(row[1] == "explainer.updated" for row in new)
    missing = receiver.wait_for(hooks.expected, timeout)
    if missing:
        # Read again for each one's status and attempts as the wait left them.
        hooks.missing = [row for row in deliveries(env) if row[0] in missing]
    with receiver.lock:
        for event_id in hooks.expected:
            if event_id in receiver.arrivals:
                arrived, payload = receiver.arrivals[event_id]
                stamped = datetime.fromisoformat(payload["timestamp"]).timestamp()
                hooks.delays.append(arrived - stamped)
    hooks.delays.sort()
    return hooks
