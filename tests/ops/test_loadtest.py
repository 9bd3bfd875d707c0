"""scripts/loadtest.py (`make loadtest`): the worker it starts, its webhook receiver,
and one short run from start to finish."""

import json
import os
import subprocess
import sys

import requests

from integrations.models import secret_generate
from integrations.webhooks import request_headers
from scripts.loadlib import hooks as loadtest_hooks
from scripts.loadlib.clients import stale_reads
from scripts.loadlib.edge import varnish_installed
from tests.processes import ROOT


def send(receiver, secret, event_id):
    body = json.dumps({"id": event_id, "timestamp": "2026-12-07T12:00:00+00:00"})
    headers = request_headers(secret=secret, msg_id=event_id, body=body.encode())
    return requests.post(receiver.url, data=body, headers=headers, timeout=5)


def test_the_loadtest_starts_the_worker_from_the_procfile_line():
    before, worker = loadtest_hooks.procfile_worker()

    assert before == [["webhooks_sweep"]]
    assert worker[0] == "db_worker"


def test_the_receiver_times_each_signed_event_once_and_counts_bad_signatures():
    secret = secret_generate()
    receiver = loadtest_hooks.Receiver(secret)
    try:
        for key in (secret, secret, secret_generate()):
            assert send(receiver, key, "evt_1").status_code == 200
        missing = receiver.wait_for(["evt_1", "evt_2"], timeout=0)
    finally:
        receiver.close()

    assert missing == {"evt_2"}
    assert list(receiver.arrivals) == ["evt_1"]
    assert (receiver.posts, receiver.repeats, receiver.bad_signatures) == (3, 1, 1)


# Through Varnish whenever it is installed (in CI always), on both databases.
EDGE = "varnish" if varnish_installed() else "none"


def test_a_short_loadtest_receives_every_webhook_and_reports_the_delay():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    result = subprocess.run(
        [
            sys.executable,
            "scripts/loadtest.py",
            "--requests=80",
            "--seconds=15",
            "--clients=2",
            "--workers=2",
            "--threads=2",
            "--articles=3",
            "--webhook-wait=60",
            f"--edge={EDGE}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "every webhook received" in result.stdout
    lines = result.stdout.splitlines()
    table = next(i for i, line in enumerate(lines) if line.startswith("webhooks "))
    name, events, received, *_ = lines[table + 2].split()
    assert name == "steady" and int(events) > 0 and received == events
    # Through Varnish when it is installed, with every versioned read checked.
    front = "Varnish" if EDGE == "varnish" else "nothing"
    assert f"in front: {front}" in result.stdout
    table = next(i for i, line in enumerate(lines) if line.startswith("phase "))
    *_, checked, stale = lines[table + 2].split()
    assert int(checked) > 0 and stale == "0"


def test_a_read_that_began_after_an_edit_was_answered_must_show_it():
    edits = [("a", 1, 10.0), ("a", 2, 20.0), ("b", 3, 15.0)]
    reads = [
        ("a", 9.0, -1),  # before any edit
        ("a", 11.0, 1),
        ("a", 19.0, 2),  # newer than due is fine
        ("a", 21.0, 1),  # stale: edit 2 was answered at 20
        ("b", 16.0, -1),  # stale
        ("c", 30.0, -1),  # never edited
    ]

    assert stale_reads(reads, edits) == [("a", 21.0, 1, 2), ("b", 16.0, -1, 3)]


def test_an_event_that_never_arrives_is_missing_whatever_killed_what(monkeypatch):
    secret = secret_generate()
    receiver = loadtest_hooks.Receiver(secret)
    rows = [
        ["evt_1", "explainer.updated", "delivered", 1],
        ["evt_2", "comment.published", "pending", 0],
    ]
    monkeypatch.setattr(loadtest_hooks, "deliveries", lambda env: rows)
    send(receiver, secret, "evt_1")
    try:
        hooks = loadtest_hooks.hooks_check({}, receiver, set(), "worker-kill", 0.2)
    finally:
        receiver.close()

    assert hooks.expected == ["evt_1", "evt_2"]
    assert hooks.missing == [rows[1]]
    assert len(hooks.delays) == 1 and hooks.updated == 1
