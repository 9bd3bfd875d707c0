#!/usr/bin/env python
"""Benchmark the reader pages and the API under gunicorn, against a throwaway database.

    make bench                                   # SQLite in a temp dir, database cache
    DATABASE_URL=postgres://... REDIS_URL=redis://... make bench
    .venv/bin/python scripts/bench.py --articles 200 --rounds 3
    .venv/bin/python scripts/bench.py --articles 200 --recycle 500   # restarts
    .venv/bin/python scripts/bench.py --articles 200 --varnish       # Varnish in front

It builds N explainers with full annotations (and 50 comments on the measured one)
in a temporary SQLite file or in a new PostgreSQL database named newsroom_bench_<pid>
(created and dropped here; DATABASE_URL only says which server to use), runs migrate
and collectstatic into a temp dir, starts gunicorn with production settings on
127.0.0.1, and loads the targets for several rounds (in turn, in alternating order),
each burst capped in requests and seconds. Only 127.0.0.1 is ever contacted.

There are two floors: the site's, a constant tiny view behind the same middleware,
and a bare one, the same bytes from a minimal Django app with no middleware
(scripts/loadlib/bare_app.py) in a second gunicorn with the same settings. Every
target burst follows a burst on each floor, and a target's ratio to a floor is the
median over the rounds of its rate divided by that floor's: on a shared machine the
load changes from minute to minute, and each ratio only compares bursts a few
seconds apart.

--recycle N measures worker restarts instead: gunicorn recycles each worker after
about N requests (GUNICORN_MAX_REQUESTS), and one long burst on the cached explainer
page, 4 connections per worker, crosses several restarts; it prints p50, p99, the
slowest request and p99/p50, whose goal is at most 5.

--mix SECONDS runs the realistic mix through Varnish instead: Zipf-spread reads over
10,000 explainers (seed at least --articles 11112: a tenth are drafts), 1 API edit/s
and 5 comments/s, every read checked for staleness (scripts/loadlib/mix.py).

--varnish puts Varnish (deploy/varnish/newsroom.vcl) in front and compares the cached
explainer page through it with nginx serving the same bytes as a static file, then
times purges: API writes, each followed by reads through Varnish until the new
version shows (scripts/loadlib/edge_bench.py).

It prints a Markdown table: requests/s, p50 and p99 latency, SQL queries per request
and the median time of one request (both measured in-process with the test client on
the same database), the median ratio to each floor and the range of the rounds'
ratios to the site's floor.
"""

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from loadlib.bench_site import (
    BARE_FLOOR,
    CACHED_ARTICLE,
    TARGETS,
    count_queries,
    explain,
    seed,
)
from loadlib.database import Throwaway
from loadlib.edge_bench import bench_edge
from loadlib.figures import percentile
from loadlib.mix import bench_mix
from loadlib.processes import HOST, ROOT, gunicorn, manage

PYTHON = sys.executable
BARE_APP = "scripts.loadlib.bare_app:application"
# The restart run's goal: p99 at most this many times p50.
RECYCLE_GOAL = 5


# Load generation (run in a child process) ------------------------------------------


def load(port, path, headers, requests, seconds, connections):
    """Send up to `requests` GETs over `connections` keep-alive connections."""
    latencies = []
    errors = []
    lock = threading.Lock()
    remaining = [requests]
    deadline = time.perf_counter() + seconds

    def worker():
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        while True:
            with lock:
                if remaining[0] <= 0 or time.perf_counter() > deadline:
                    break
                remaining[0] -= 1
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Host": HOST, **headers})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    print(
        json.dumps(
            {
                "latencies": latencies,
                "wall": wall,
                "errors": errors[:5],
                "error_count": len(errors),
            }
        )
    )


# The driver -------------------------------------------------------------------------


def run(args, env, **kwargs):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, **kwargs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--requests", type=int, default=5000, help="cap per burst (target, round)"
    )
    parser.add_argument("--seconds", type=float, default=1.5, help="cap per burst")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 1))
    parser.add_argument(
        "--threads", type=int, default=2, help="gunicorn threads/worker"
    )
    parser.add_argument(
        "--explain", action="store_true", help="PostgreSQL: print the query plans too"
    )
    parser.add_argument("--no-load", action="store_true", help="seed and explain only")
    parser.add_argument(
        "--recycle",
        type=int,
        metavar="N",
        help="measure worker restarts: recycle workers after about N requests",
    )
    parser.add_argument(
        "--varnish",
        action="store_true",
        help="Varnish in front: the cached page against nginx, and purge latency",
    )
    parser.add_argument("--purges", type=int, default=100, help="writes, --varnish")
    parser.add_argument(
        "--mix",
        type=float,
        metavar="SECONDS",
        help="the realistic mix through Varnish for SECONDS (scripts/loadlib/mix.py)",
    )
    parser.add_argument(
        "--mix-explainers", type=int, default=10_000, help="explainers read, --mix"
    )
    parser.add_argument(
        "--mix-readers", type=int, default=2, help="reader processes, --mix"
    )
    parser.add_argument(
        "--mix-warm", type=float, default=30, help="seconds of reads first, --mix"
    )
    parser.add_argument(
        "--rewarm",
        action="store_true",
        help="--varnish/--mix: the site refetches a purged explainer page "
        "(VARNISH_REWARM_URL)",
    )
    parser.add_argument(
        "--purge-again",
        type=float,
        default=0,
        metavar="SECONDS",
        help="--varnish/--mix: the site purges again after SECONDS (VARNISH_PURGE_AGAIN)",
    )
    parser.add_argument(
        "--edge-clients", type=int, default=2, help="load processes, --varnish"
    )
    parser.add_argument(
        "--recycle-requests",
        type=int,
        default=12000,
        help="requests in the --recycle burst",
    )
    # Internal modes, used by the children this script starts.
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count-queries", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--explain-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--load", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.seed is not None:
        return seed(args.seed)
    if args.count_queries:
        return count_queries()
    if args.explain_only:
        return explain()
    if args.load:
        port, path, headers = args.load
        return load(
            int(port),
            path,
            json.loads(headers),
            args.requests,
            args.seconds,
            args.connections,
        )
    return drive(args)


def drive(args):
    # Ctrl-C or a kill still stops gunicorn and drops the bench database (finally:).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    redis_url = os.environ.get("REDIS_URL", "")
    prefix = f"bench-{secrets.token_hex(4)}"
    try:
        with Throwaway(workdir, "bench") as database:
            env = {
                key: value
                for key, value in os.environ.items()
                if key not in {"DJANGO_DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
            }
            env.update(
                DATABASE_URL=database.url,
                DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
                DJANGO_ALLOWED_HOSTS=HOST,
                DJANGO_STATIC_ROOT=str(workdir / "static"),
                DJANGO_MEDIA_ROOT=str(workdir / "media"),
                DJANGO_LOG_LEVEL="WARNING",
                # Production settings plus the floor's route and the X-Bench-No-Cache
                # header, which exist only there (scripts/loadlib/bench_settings.py).
                # The page cache is on as deployed: Redis, or the database's table.
                DJANGO_SETTINGS_MODULE="scripts.loadlib.bench_settings",
                CACHE_KEY_PREFIX=prefix,
                PYTHONUNBUFFERED="1",
                # gunicorn.conf.py (production: access log, timeouts) applies; these
                # override it.
                GUNICORN_WORKERS=str(args.workers),
                GUNICORN_THREADS=str(args.threads),
                # No worker recycling mid-run (a fresh worker would start with a
                # cold cache), unless restarts are what is measured.
                GUNICORN_MAX_REQUESTS=str(args.recycle or 0),
                GUNICORN_MAX_REQUESTS_JITTER=str((args.recycle or 0) // 10),
            )
            bench_site(args, env, database.backend, bool(redis_url), workdir)
    finally:
        if redis_url:
            forget_redis_keys(redis_url, prefix)
        shutil.rmtree(workdir, ignore_errors=True)


def bench_site(args, env, backend, redis, workdir):
    step("migrate")
    manage("migrate", "--noinput", "-v0", env=env, timeout=600, check=True)
    manage("collectstatic", "--noinput", "-v0", env=env, timeout=600, check=True)
    step(f"seed {args.articles} explainers")
    started = time.perf_counter()
    run([PYTHON, __file__, "--seed", str(args.articles)], env)
    step(f"seeded in {time.perf_counter() - started:.1f}s")
    if args.explain and backend == "PostgreSQL":
        run([PYTHON, __file__, "--explain-only"], env)
    if args.no_load:
        return
    if args.recycle:
        return bench_recycling(args, env, backend, workdir)
    if args.mix:
        return bench_mix(args, env, workdir, step=step)
    if args.varnish:
        return bench_edge(args, env, workdir, measure=measure, rate=rate, step=step)
    in_process = json.loads(
        run(
            [PYTHON, __file__, "--count-queries"],
            env,
            capture_output=True,
            text=True,
        ).stdout
    )
    log = workdir / "gunicorn.log"
    bare_log = workdir / "bare.log"
    with (
        gunicorn(env, log, ready="/bench/floor", timeout=60) as server,
        gunicorn(env, bare_log, ready="/bench/floor", app=BARE_APP) as bare,
    ):
        port = urlsplit(server.base).port
        bare_port = urlsplit(bare.base).port
        results = {
            name: {
                "latencies": [],
                "wall": 0.0,
                "errors": [],
                "ratios": [],
                "bare_ratios": [],
            }
            for name, *_ in [*TARGETS, BARE_FLOOR]
        }
        floor, *targets = TARGETS
        for target in TARGETS:  # warm every worker's caches and connections
            measure(port, target, args, requests=50, seconds=2)
        measure(bare_port, BARE_FLOOR, args, requests=50, seconds=2)
        for number in range(args.rounds):
            step(f"round {number + 1} of {args.rounds}")
            # Each target right after a burst on each floor: its ratios for the
            # round compare bursts a few seconds apart, whatever else the machine
            # was doing that minute.
            for target in targets if number % 2 == 0 else targets[::-1]:
                base = add(results[floor[0]], measure(port, floor, args))
                bare_base = add(
                    results[BARE_FLOOR[0]], measure(bare_port, BARE_FLOOR, args)
                )
                outcome = add(results[target[0]], measure(port, target, args))
                results[target[0]]["ratios"].append(rate(outcome) / rate(base))
                results[target[0]]["bare_ratios"].append(
                    rate(outcome) / rate(bare_base)
                )
                results[floor[0]]["bare_ratios"].append(rate(base) / rate(bare_base))
                results[BARE_FLOOR[0]]["ratios"].append(rate(bare_base) / rate(base))
    report(args, backend, redis, results, in_process)


def bench_recycling(args, env, backend, workdir):
    """One long burst on the cached explainer page while workers are recycled."""
    connections = 4 * args.workers
    args.connections = connections
    with gunicorn(env, workdir / "gunicorn.log", ready="/bench/floor") as server:
        port = urlsplit(server.base).port
        measure(port, CACHED_ARTICLE, args, requests=50, seconds=2)  # warm
        step(f"{args.recycle_requests} requests over {connections} connections")
        outcome = measure(
            port, CACHED_ARTICLE, args, requests=args.recycle_requests, seconds=600
        )
    restarts = (workdir / "gunicorn.log").read_text().count("Autorestarting worker")
    lat = outcome["latencies"]
    p50, p99 = percentile(lat, 0.5) * 1000, percentile(lat, 0.99) * 1000
    print(
        f"\n{backend}, {args.workers} gunicorn workers x {args.threads} threads, "
        f"GUNICORN_MAX_REQUESTS={args.recycle} (jitter {args.recycle // 10}), "
        f"GUNICORN_PRELOAD={os.environ.get('GUNICORN_PRELOAD', '1')}, "
        f"{connections} connections, {len(lat)} requests, {restarts} worker "
        f"restarts, {outcome['error_count']} errors; {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}\n"
    )
    print("| target | requests/s | p50 ms | p99 ms | max ms | p99/p50 | goal |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    verdict = "met" if p99 <= RECYCLE_GOAL * p50 else "MISSED"
    print(
        f"| {CACHED_ARTICLE[0]} | {rate(outcome):.0f} | {p50:.1f} | {p99:.1f} | "
        f"{max(lat) * 1000:.1f} | {p99 / p50:.1f} | ≤ {RECYCLE_GOAL} {verdict} |"
    )


def ms_column(ms):
    return "" if ms is None else f"{ms:.1f}"


def forget_redis_keys(url, prefix):
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def step(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def measure(port, target, args, requests=None, seconds=None):
    name, path, headers, _goal = target
    output = subprocess.run(
        [
            PYTHON,
            __file__,
            "--load",
            str(port),
            path,
            json.dumps(headers),
            "--requests",
            str(requests or args.requests),
            "--seconds",
            str(seconds or args.seconds),
            "--connections",
            str(args.connections),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    outcome = json.loads(output)
    if outcome["errors"]:
        step(f"{name}: errors {outcome['errors']}")
    return outcome


def rate(outcome):
    return len(outcome["latencies"]) / outcome["wall"] if outcome["wall"] else 0.0


def add(result, outcome):
    result["latencies"] += outcome["latencies"]
    result["wall"] += outcome["wall"]
    result["errors"] += outcome["errors"]
    return outcome


def report(args, backend, redis, results, in_process):
    cache = "Redis" if redis else "database"
    print(
        f"\n{backend} + {cache} cache, {args.articles} explainers, "
        f"{args.workers} gunicorn workers x {args.threads} threads, "
        f"{args.connections} connections, {args.rounds} interleaved rounds; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}\n"
    )
    print(
        "| target | requests/s | p50 ms | p99 ms | SQL/request | in-process ms "
        "| vs floor | rounds' range | vs bare floor | goal |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, _path, _headers, goal in [BARE_FLOOR, *TARGETS]:
        result = results[name]
        lat = result["latencies"]
        rps = rate(result)
        ratios = result["ratios"] or [1.0]
        ratio = statistics.median(ratios)
        spread = f"{min(ratios):.2f}-{max(ratios):.2f}" if result["ratios"] else ""
        bare_ratio = statistics.median(result["bare_ratios"] or [1.0])
        verdict = (
            ""
            if goal is None
            else (f"≥ {goal} " + ("met" if ratio >= goal else "MISSED"))
        )
        print(
            f"| {name} | {rps:.0f} | {percentile(lat, 0.5) * 1000:.1f} | "
            f"{percentile(lat, 0.99) * 1000:.1f} | "
            f"{in_process['queries'].get(name, '')} | "
            f"{ms_column(in_process['ms'].get(name))} | "
            f"{ratio:.2f}x | {spread} | {bare_ratio:.2f}x | {verdict} |"
        )


if __name__ == "__main__":
    main()
