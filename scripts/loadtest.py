#!/usr/bin/env python
"""A bounded load test of a production-style Newsroom: `make loadtest`.

Starts its own gunicorn on 127.0.0.1 against a throwaway database (a new PostgreSQL
database beside DATABASE_URL's when that is set, dropped afterwards; a temporary
SQLite file otherwise), and beside it the webhook worker as the Procfile runs it
(`webhooks_sweep`, then `db_worker` with the Procfile's arguments). Seeds explainers,
readers, an editor with an API token and a webhook endpoint pointing at a receiver in
this process, then runs two phases:

  steady       anonymous readers (home, explainer, search, API) mixed with signed-in
               readers posting comments (session sign-in, CSRF token, form POST),
               and an editor changing a published explainer's dek through the API
               (PATCH) every --edit-every seconds
  worker-kill  the readers' mix, with one gunicorn worker killed (SIGKILL) a third of
               the way through

--edge varnish (the default when varnishd and its xkey vmod are installed) puts
Varnish with deploy/varnish/newsroom.vcl in front of the gunicorn: every client goes
through it and the site purges it after each write (VARNISH_URLS). Every explainer
page and API detail read is then checked against the editor's writes: a read that
started after an edit's response arrived must show that edit's dek or a newer one
(0 stale reads). In the worker-kill phase Varnish answers a request whose connection
the kill cut with its own 503 ("Backend fetch failed"); those count as dropped, as
the cut connection does without Varnish. --edge none talks to gunicorn directly.

Each phase stops after --requests requests or --seconds seconds, whichever comes
first. A comment counts as accepted only when the site answered 302 (form) or 201;
afterwards every accepted comment must be in the database.

Webhooks: after each phase, every delivery the database recorded (explainer events
and comment.published) must reach the receiver, signed, within --webhook-wait
seconds. The delay printed is the receipt time minus the event's `timestamp` in the
payload, which is set in the write's transaction just before its commit: so it is
commit, enqueue, the worker's poll and the HTTP request, plus the rest of the write.

Exit status 1 when any request got a 5xx, an accepted comment is missing, a read was
stale, an edit recorded no event, or an event did not arrive.
"""

import argparse
import base64
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
from pathlib import Path

import requests
from loadlib.clients import (
    PASSWORD,
    STOPPING,
    Editor,
    Phase,
    Site,
    describe_stale,
    run_phase,
    stale_reads,
)
from loadlib.database import Throwaway
from loadlib.edge import varnish, varnish_installed
from loadlib.figures import percentile
from loadlib.hooks import (
    HOOK_EVENTS,
    Receiver,
    hooks_check,
    procfile_worker,
    worker_interval,
    worker_start,
)
from loadlib.processes import (
    HOST,
    free_port,
    gunicorn,
    manage,
    stop_process,
    worker_pids,
)

SEED = """
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from integrations.models import WebhookEndpoint
from tests.factories import make_article, make_topic, make_user
topic = make_topic("Load")
for i in range({articles}):
    make_article(title=f"Load test explainer {{i}} about rivers", facts=3, answers=2,
                 faqs=2, corrections=i % 2, topics=[topic])
for i in range({users}):
    user = get_user_model().objects.create_user(
        username=f"loadreader{{i}}", email=f"loadreader{{i}}@example.org",
        password="{password}")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
editor = make_user(role="editor", username="loadeditor")
Token.objects.create(user=editor, key="{token}")
# After the explainers, so seeding them sends nothing.
endpoint = WebhookEndpoint(name="Load test receiver", url="{hook_url}",
                           secret="{secret}", events={events!r})
endpoint.full_clean()
endpoint.save()
"""

STORED = """
import json
from comments.models import Comment
print(json.dumps(list(Comment.objects.values_list("body", flat=True))))
"""


def stop_now(signum, _frame):
    STOPPING.set()
    sys.exit(128 + signum)


def run_manage(env, *args):
    """manage.py's output; the load test stops if the command fails."""
    return manage(*args, env=env, timeout=600, check=True).stdout


def error_lines(path, ignore=()):
    if not path.exists():
        return []
    return [
        line
        for line in path.read_text(errors="replace").splitlines()
        if ('"ERROR"' in line or "Traceback" in line)
        and not any(text in line for text in ignore)
    ]


def site_env(args, database, workdir):
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
        GUNICORN_WORKERS=str(args.workers),
        GUNICORN_THREADS=str(args.threads),
        GUNICORN_ACCESS_LOG=str(workdir / "access.log"),
        # The receiver is on 127.0.0.1.
        WEBHOOKS_ALLOW_PRIVATE="1",
    )
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1200, help="per phase")
    parser.add_argument("--seconds", type=float, default=90, help="time cap per phase")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument(
        "--edit-every",
        type=float,
        default=0.5,
        help="seconds between the editor's API edits in the steady phase",
    )
    parser.add_argument(
        "--webhook-wait",
        type=float,
        default=60,
        help="seconds after a phase for every webhook to arrive",
    )
    parser.add_argument(
        "--edge",
        choices=["auto", "varnish", "none"],
        default="auto",
        help="Varnish in front (auto: when varnishd and the xkey vmod are installed)",
    )
    args = parser.parse_args()
    if args.edge == "auto":
        args.edge = "varnish" if varnish_installed() else "none"
    elif args.edge == "varnish" and not varnish_installed():
        parser.error("--edge varnish: varnishd or its xkey vmod is not installed")
    # Interrupted or terminated: still stop the processes and drop the database.
    signal.signal(signal.SIGTERM, stop_now)
    signal.signal(signal.SIGINT, stop_now)

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-loadtest-"))
    worker = receiver = None
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    token = secrets.token_hex(20)
    sweep_commands, worker_args = procfile_worker()
    try:
        receiver = Receiver(secret)
        with Throwaway(workdir, "loadtest") as database:
            env = site_env(args, database, workdir)
            varnish_port = free_port()
            if args.edge == "varnish":
                env["VARNISH_URLS"] = f"http://{HOST}:{varnish_port}"
            print(
                f"Database: {database.label}; cache: "
                f"{'Redis' if env.get('REDIS_URL') else 'the database cache table'}; in front: "
                f"{'Varnish' if args.edge == 'varnish' else 'nothing'}"
            )
            run_manage(env, "collectstatic", "--noinput", "--verbosity", "0")
            run_manage(env, "migrate", "--noinput", "--verbosity", "0")
            run_manage(env, "createcachetable")  # when the settings use one
            run_manage(
                env,
                "shell",
                "-c",
                SEED.format(
                    articles=args.articles,
                    users=2 * args.clients,
                    password=PASSWORD,
                    token=token,
                    hook_url=receiver.url,
                    secret=secret,
                    events=HOOK_EVENTS,
                ),
            )
            interval = worker_interval(env, worker_args)
            print(
                f"Webhooks: receiver {receiver.url}; worker as the Procfile runs it: "
                + " && ".join(
                    "manage.py " + " ".join(command)
                    for command in [*sweep_commands, worker_args]
                )
                + f" (polls every {interval:g} s when idle)"
            )
            # Everything started here stops before the database is dropped.
            try:
                for command in sweep_commands:
                    run_manage(env, *command)
                worker = worker_start(env, worker_args, workdir / "worker.log")
                with (
                    gunicorn(env, workdir / "gunicorn.log", ready="/healthz") as server,
                    edge_in_front(args, server, varnish_port, workdir) as base,
                ):
                    phases, hooks = run_phases(
                        args, env, server, base, worker, receiver, token
                    )
                stored = run_manage(env, "shell", "-c", STORED).strip().splitlines()
                stored = set(json.loads(stored[-1]))
            finally:
                stop_process(worker)
    finally:
        if receiver is not None:
            receiver.close()
        for log_name, ignore in (
            ("gunicorn.log", ("was sent SIGKILL",)),  # the worker we killed
            ("worker.log", ()),
        ):
            errors = error_lines(workdir / log_name, ignore)
            if errors:
                print(f"{len(errors)} error lines in the {log_name}; the first:")
                print(errors[0][:1500])
        shutil.rmtree(workdir, ignore_errors=True)
    return report(phases, hooks, stored, receiver)


@contextlib.contextmanager
def edge_in_front(args, server, port, workdir):
    """The base URL the clients use: Varnish's in front of `server`, or its own."""
    if args.edge != "varnish":
        yield server.base
        return
    backend = int(server.base.rsplit(":", 1)[1])
    with varnish(backend, workdir / "varnish", port=port) as base:
        yield base


def run_phases(args, env, server, base, worker, receiver, token):
    """Both phases, each followed by its webhook check; (phases, hooks). The
    clients talk to `base` (Varnish's address or the server's)."""
    slugs = requests.get(f"{base}/api/v1/articles/?page_size=100", timeout=30)
    slugs = [a["slug"] for a in slugs.json()["results"]]

    def kill_a_worker():
        victim = random.choice(worker_pids(server.process.pid))
        os.kill(victim, signal.SIGKILL)
        return f"worker {victim} killed"

    phases = []
    hooks = []
    seen = set()
    for name, kill in (("steady", None), ("worker-kill", kill_a_worker)):
        users = [f"loadreader{i}" for i in range(2 * args.clients)]
        site = Site(base, slugs, users)
        phase = Phase(name)
        phase.edge_drops = kill is not None and base != server.base
        if kill is None:
            phase.editor = Editor(base, token, slugs, args.edit_every)
            phase.editor.start()
        try:
            run_phase(
                site,
                phase,
                count=args.requests,
                seconds=args.seconds,
                clients=args.clients,
                kill=kill,
            )
        finally:
            if kill is None:
                phase.editor.stop()
        phases.append(phase)
        if worker.poll() is not None:
            sys.exit("loadtest: the webhook worker exited; see its log")
        hooks.append(hooks_check(env, receiver, seen, name, args.webhook_wait))
    return phases, hooks


def report(phases, hooks, stored, receiver):
    """Print the tables; 1 if anything failed, else 0."""
    failed = False
    header = (
        f"{'phase':<12} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'5xx':>4} {'dropped':>7} {'accepted':>8} {'stored':>6} {'lost':>4} "
        f"{'checked':>7} {'stale':>5}"
    )
    edits = phases[0].editor
    print(header)
    print("-" * len(header))
    for phase in phases:
        accepted = set(phase.accepted)
        lost = len(accepted - stored)
        latencies = phase.latencies or [0]
        stale = stale_reads(phase.reads, edits.edits)
        print(
            f"{phase.name:<12} {phase.requests:>8} "
            f"{phase.requests / max(phase.elapsed, 1e-9):>7.1f} "
            f"{statistics.median(latencies) * 1000:>7.0f} "
            f"{percentile(latencies, 0.95) * 1000:>7.0f} "
            f"{phase.server_errors:>4} {phase.dropped:>7} {len(accepted):>8} "
            f"{len(accepted & stored):>6} {lost:>4} {len(phase.reads):>7} "
            f"{len(stale):>5}"
        )
        late = [read for read in phase.reads if read[:3] in {s[:3] for s in stale}]
        for read in late[:5]:
            print(f"  stale: {describe_stale(read, edits.edits)}")
        failed |= phase.server_errors > 0 or lost > 0 or bool(stale)
    for phase in phases:
        for key, n in sorted(phase.error_paths.items()):
            print(f"{phase.name}: {n} x {key}")
        if phase.note:
            print(
                f"{phase.name}: {phase.note}; dropped = connections cut by the kill, "
                "never counted as accepted"
            )
    print("Comments stored in total:", len(stored))
    print(
        "checked = explainer pages and API details read; stale = read after an "
        "edit's response arrived, showing an older dek"
    )
    print(
        f"Editor (steady): {sum(edits.statuses.values())} PATCHes, "
        f"{edits.saved} saved (statuses {dict(sorted(edits.statuses.items()))})"
    )
    failed |= edits.server_errors > 0
    header = (
        f"{'webhooks':<12} {'events':>6} {'received':>8} {'p50 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7} {'missing':>7}"
    )
    print(header)
    print("-" * len(header))
    for hook in hooks:
        delays = hook.delays or [0]
        print(
            f"{hook.name:<12} {len(hook.expected):>6} {len(hook.delays):>8} "
            f"{statistics.median(delays) * 1000:>7.0f} "
            f"{percentile(delays, 0.99) * 1000:>7.0f} {delays[-1] * 1000:>7.0f} "
            f"{len(hook.missing):>7}"
        )
        for event_id, kind, status, attempts in hook.missing[:5]:
            print(f"  missing: {event_id} {kind} ({status}, {attempts} attempts)")
        failed |= bool(hook.missing)
    print(
        "Delay: receipt at the receiver minus the event's payload timestamp (set in "
        "the write's transaction, just before its commit)."
    )
    print(
        f"Receiver: {receiver.posts} POSTs, {receiver.repeats} repeats of an id "
        f"already received, {receiver.bad_signatures} bad signatures"
    )
    lost_edits = edits.saved - hooks[0].updated
    if lost_edits > 0:
        print(f"{lost_edits} saved edits recorded no explainer.updated event")
    failed |= lost_edits > 0 or receiver.bad_signatures > 0
    print(
        "FAILED"
        if failed
        else "OK: no 5xx, no stale read, no accepted comment lost, every webhook "
        "received"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
