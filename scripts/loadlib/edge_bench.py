"""The benchmark's Varnish run (scripts/bench.py --varnish): the cached explainer page
through Varnish against nginx serving the same bytes as a static file, in the same
interleaved rounds, then purge latency: from an API write to Varnish serving the new
version."""

import json
import re
import secrets
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

from .bench_site import MEASURED_SLUG
from .edge import nginx, varnish
from .figures import percentile
from .processes import HOST, free_port, gunicorn, manage

ARTICLE = f"/explainers/{MEASURED_SLUG}/"
# Goals from issue #16.
EDGE_GOAL = 0.5  # the cached page through Varnish, as a share of nginx's rate
PURGE_GOAL_MS = 100  # p99 from the write to the new version being served

MAKE_TOKEN = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
user, _ = get_user_model().objects.get_or_create(
    username="bench-editor",
    defaults={"email": "bench-editor@example.org", "is_staff": True},
)
user.groups.add(Group.objects.get(name="Editor"))
print(Token.objects.get_or_create(user=user)[0].key)
"""


def edge_settings(args, edge):
    """The purge options bench.py was asked for, as the site reads them."""
    found = {"VARNISH_PURGE_AGAIN": str(args.purge_again)}
    if args.rewarm:
        found["VARNISH_REWARM_URL"] = edge  # readers reach Varnish at this address
    return found


def bench_edge(args, env, workdir, *, measure, rate, step):
    varnish_port = free_port()
    edge_url = f"http://{HOST}:{varnish_port}"
    env = {**env, "VARNISH_URLS": edge_url, **edge_settings(args, edge_url)}
    token = manage("shell", "-c", MAKE_TOKEN, env=env, check=True).stdout.split()[-1]
    with (
        gunicorn(
            env, workdir / "gunicorn.log", ready="/bench/floor", timeout=60
        ) as app,
        varnish(
            urlsplit(app.base).port,
            workdir / "varnish",
            port=varnish_port,
            memory="256m",
        ) as edge,
    ):
        page = requests.get(edge + ARTICLE, timeout=30)
        page.raise_for_status()
        # nginx's workers run as another user: a folder they can read.
        root = Path(tempfile.mkdtemp(prefix="newsroom-bench-static-"))
        try:
            root.chmod(0o755)
            (root / "article.html").write_bytes(page.content)
            (root / "article.html").chmod(0o644)
            with nginx(root, workdir / "nginx") as static:
                rates = edge_rounds(
                    args, edge, static, measure=measure, rate=rate, step=step
                )
        finally:
            shutil.rmtree(root, ignore_errors=True)
        step(f"purge latency over {args.purges} API writes")
        purges = purge_latency(edge, token, args.purges)
        round_trips = purge_round_trips(edge, args.purges)
    report_edge(args, rates, purges, round_trips)


def purge_round_trips(edge, count):
    """Seconds for Varnish to answer a PURGE by key, as the application sends it."""
    session = requests.Session()
    found = []
    for number in range(count):
        started = time.perf_counter()
        answer = session.request(
            "PURGE", edge + "/", headers={"xkey": f"a{number} lists"}, timeout=10
        )
        answer.raise_for_status()
        found.append(time.perf_counter() - started)
    return found


def edge_rounds(args, edge, static, *, measure, rate, step):
    """Interleaved bursts on nginx and on Varnish: {name: [(rps, p50 s, p99 s)]} and
    the rounds' ratios of Varnish's rate to nginx's."""
    targets = {
        "nginx, static file (same bytes)": (urlsplit(static).port, "/article.html"),
        "article through Varnish (hit)": (urlsplit(edge).port, ARTICLE),
    }
    results = {name: [] for name in targets}
    ratios = []

    def burst(name, seconds):
        port, path = targets[name]
        if WRK:
            return wrk(f"http://{HOST}:{port}{path}", seconds, args)
        outcomes = []

        def one():
            target = (name, path, {}, None)
            outcomes.append(measure(port, target, args, seconds=seconds))

        # Several load processes: one Python client cannot keep nginx busy.
        threads = [threading.Thread(target=one) for _ in range(args.edge_clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        lat = [x for o in outcomes for x in o["latencies"]]
        wall = max(o["wall"] for o in outcomes)
        return len(lat) / wall, percentile(lat, 0.5), percentile(lat, 0.99)

    nginx_name, varnish_name = targets
    for name in targets:
        burst(name, 1)  # warm
    for number in range(args.rounds):
        step(f"edge round {number + 1} of {args.rounds}")
        order = list(targets) if number % 2 == 0 else list(targets)[::-1]
        for name in order:
            results[name].append(burst(name, max(args.seconds, 2)))
        ratios.append(results[varnish_name][-1][0] / results[nginx_name][-1][0])
    return results, ratios


WRK = shutil.which("wrk")
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def wrk(url, seconds, args):
    """(requests/s, p50 s, p99 s) from one wrk run (Debian's `wrk`, when installed:
    a C load generator, so the client is not what limits nginx)."""
    output = subprocess.run(
        [
            WRK,
            "--latency",
            f"-d{seconds:.0f}s",
            f"-c{args.connections * 2}",
            "-t2",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk: errors against {url}:\n{output}")

    def seconds_of(label):
        match = re.search(rf"^\s+{label}\s+([0-9.]+)(us|ms|s)\s*$", output, re.M)
        return float(match[1]) * _UNITS[match[2]]

    rps = float(re.search(r"^Requests/sec:\s+([0-9.]+)", output, re.M)[1])
    return rps, seconds_of("50%"), seconds_of("99%")


def purge_latency(edge, token, count):
    """Per write: (ms from the API response, ms from sending the write) until Varnish
    serves the new title, and whether the first read after the response was stale."""
    session = requests.Session()
    auth = {"Authorization": f"Token {token}"}
    found = []
    for number in range(count):
        session.get(edge + ARTICLE, timeout=10)  # cached before the write
        title = f"Bench edit {number} {secrets.token_hex(4)}"
        sent = time.perf_counter()
        answer = session.patch(
            f"{edge}/api/v1/articles/{MEASURED_SLUG}/",
            data=json.dumps({"title": title}),
            headers={**auth, "Content-Type": "application/json"},
            timeout=30,
        )
        answered = time.perf_counter()
        if answer.status_code != 200:
            raise RuntimeError(
                f"write refused: {answer.status_code} {answer.text[:300]}"
            )
        reads = 0
        while True:
            reads += 1
            if title in session.get(edge + ARTICLE, timeout=10).text:
                break
            if time.perf_counter() - answered > 10:
                raise RuntimeError("Varnish still served the old version after 10 s")
        done = time.perf_counter()
        found.append(((done - answered) * 1000, (done - sent) * 1000, reads > 1))
    return found


def report_edge(args, measured, purges, round_trips):
    results, ratios = measured
    client = (
        f"wrk, 2 threads x {args.connections * 2} connections"
        if WRK
        else f"{args.edge_clients} Python load processes x {args.connections} connections"
    )
    print(
        f"\nVarnish in front: {args.articles} explainers, {args.workers} gunicorn "
        f"workers x {args.threads} threads behind it; {client}; {args.rounds} "
        "interleaved rounds (medians over the rounds)\n"
    )
    print("| target | requests/s | p50 ms | p99 ms | vs nginx | rounds' range | goal |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for number, (name, bursts) in enumerate(results.items()):
        rps, p50, p99 = (statistics.median(b[i] for b in bursts) for i in range(3))
        ratio, spread, goal = "1.00x", "", ""
        if number:  # Varnish, against nginx
            middle = statistics.median(ratios)
            ratio = f"{middle:.2f}x"
            spread = f"{min(ratios):.2f}-{max(ratios):.2f}"
            goal = f"≥ {EDGE_GOAL} " + ("met" if middle >= EDGE_GOAL else "MISSED")
        print(
            f"| {name} | {rps:.0f} | {p50 * 1000:.2f} | {p99 * 1000:.2f} | "
            f"{ratio} | {spread} | {goal} |"
        )
    after = [p[0] / 1000 for p in purges]
    whole = [p[1] / 1000 for p in purges]
    stale = sum(p[2] for p in purges)
    print(
        f"\nPurge latency, {len(purges)} API writes (PATCH of the explainer's title "
        f"through Varnish); the first read after the write's response was stale "
        f"{stale} times\n"
    )
    print("| from | p50 ms | p99 ms | max ms | goal |")
    print("| --- | ---: | ---: | ---: | --- |")
    for label, values, goal in (
        ("a PURGE by key, sent to Varnish and answered", round_trips, False),
        ("the API response (committed, purged) to the new version served", after, True),
        ("sending the write to the new version served", whole, False),
    ):
        p99 = percentile(values, 0.99) * 1000
        verdict = ""
        if goal:
            verdict = f"≤ {PURGE_GOAL_MS} ms " + (
                "met" if p99 <= PURGE_GOAL_MS else "MISSED"
            )
        print(
            f"| {label} | {percentile(values, 0.5) * 1000:.1f} | {p99:.1f} | "
            f"{max(values) * 1000:.1f} | {verdict} |"
        )
