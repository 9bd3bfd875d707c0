#!/usr/bin/env python
"""Benchmark the reader pages and the API under gunicorn, against a throwaway database.

    make bench                                   # SQLite in a temp dir, local memory cache
    DATABASE_URL=postgres://... REDIS_URL=redis://... make bench
    .venv/bin/python scripts/bench.py --articles 200 --rounds 3

It builds N explainers with full annotations (and 50 comments on the measured one)
in a temporary SQLite file or in a new PostgreSQL database named newsroom_bench_<pid>
(created and dropped here; DATABASE_URL only says which server to use), runs migrate
and collectstatic into a temp dir, starts gunicorn with production settings on
127.0.0.1, and loads the targets for several rounds (in turn, in alternating order),
each burst capped in requests and seconds. Only 127.0.0.1 is ever contacted.

The floor is a constant tiny view behind the same middleware. Every target burst
follows a floor burst of its own, and a target's ratio is the median over the rounds
of its rate divided by that floor's: on a shared machine the load changes from
minute to minute, and each ratio only compares bursts a few seconds apart.

It prints a Markdown table: requests/s, p50 and p99 latency, SQL queries per request
(measured in-process with the test client on the same database), the median ratio
to the floor and the range of the rounds' ratios.
"""

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
MEASURED_SLUG = "bench-measured-explainer"
# Skip the page cache only (the page is rebuilt from its cached parts, as after any
# single write), or every cache (the whole page from the database).
PAGE_MISS = {"X-Bench-No-Cache": "page"}
NOTHING_CACHED = {"X-Bench-No-Cache": "all"}

TARGETS = [
    # (name, path, extra headers, goal as a ratio to the floor)
    ("floor", "/bench/floor", {}, None),
    ("article, page cache miss", f"/explainers/{MEASURED_SLUG}/", PAGE_MISS, 0.3),
    ("article, nothing cached", f"/explainers/{MEASURED_SLUG}/", NOTHING_CACHED, 0.3),
    ("article, cached", f"/explainers/{MEASURED_SLUG}/", {}, 0.8),
    ("home, cached", "/", {}, None),
    ("API list, cached", "/api/v1/articles/", {}, None),
    ("API detail, cached", f"/api/v1/articles/{MEASURED_SLUG}/", {}, 0.8),
]


# Seeding and in-process measurement (run in a child with Django set up) ----------


def _setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()


PARAGRAPHS = [
    "The council voted on **{n}** measures after a long night of debate, and the "
    "result surprised nearly everyone who had followed the [budget]"
    "(https://example.org/budget-{n}).",
    "Engineers said the river defences were built for a once-in-a-century flood; "
    "this year brought two. Insurance claims rose by {n} percent.",
    "- Roads closed: {n}\n- Homes without power: {m}\n- Shelters open: 12",
    "> We had warned about this for a decade, said one resident.\n\nOfficials "
    "disagree about what comes next.",
]


def seed(count):
    """Create `count` explainers with annotations through bulk inserts."""
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from articles import markup
    from articles.models import (
        FAQ,
        Article,
        Author,
        Correction,
        KeyFact,
        QuickAnswer,
        Topic,
    )
    from articles.search import refresh_search_document
    from comments.models import Comment

    now = timezone.now()
    topics = Topic.objects.bulk_create(
        Topic(name=f"Topic {i}", slug=f"topic-{i}", description=f"About thing {i}.")
        for i in range(12)
    )
    authors = Author.objects.bulk_create(
        Author(name=f"Reporter {i}", slug=f"reporter-{i}") for i in range(30)
    )
    articles = []
    for n in range(count):
        body = "## What happened\n\n" + "\n\n".join(
            p.format(n=n, m=n * 7) for p in PARAGRAPHS
        )
        background = f"Background for explainer {n}: the story so far, in brief."
        status = Article.Status.PUBLISHED if n % 10 else Article.Status.DRAFT
        articles.append(
            Article(
                title=f"Explainer {n}: why the river flooded again",
                slug=MEASURED_SLUG if n == count - 1 else f"explainer-{n}",
                dek=f"What explainer {n} is about, in one sentence.",
                body=body,
                body_html=markup.render(body),
                background=background,
                background_html=markup.render(background),
                source_url=f"https://example.org/report/{n}",
                source_title=f"Report {n}",
                source_publisher="River Agency",
                status=Article.Status.PUBLISHED if n == count - 1 else status,
                publish_at=now - timezone.timedelta(minutes=count - n),
            )
        )
    with transaction.atomic():
        articles = Article.objects.bulk_create(articles, batch_size=500)
        Through = Article.topics.through
        Through.objects.bulk_create(
            (
                Through(article_id=a.pk, topic_id=topics[(i + k) % len(topics)].pk)
                for i, a in enumerate(articles)
                for k in range(2)
            ),
            batch_size=2000,
        )
        ByLine = Article.authors.through
        ByLine.objects.bulk_create(
            (
                ByLine(article_id=a.pk, author_id=authors[i % len(authors)].pk)
                for i, a in enumerate(articles)
            ),
            batch_size=2000,
        )
        faq_html = markup.render(
            "Because **the rules** changed, and [this](https://example.org) explains how."
        )
        KeyFact.objects.bulk_create(
            (
                KeyFact(
                    article=a,
                    position=p,
                    anchor=f"fact-{p}",
                    label=f"Figure {p}",
                    text=f"Fact {p} of explainer {i}: {i * p} people affected.",
                )
                for i, a in enumerate(articles)
                for p in range(5)
            ),
            batch_size=2000,
        )
        QuickAnswer.objects.bulk_create(
            (
                QuickAnswer(
                    article=a,
                    position=p,
                    anchor=f"answer-{p}",
                    question=f"Who pays for repair {p}?",
                    answer=f"The regional fund pays part {p}.",
                )
                for a in articles
                for p in range(3)
            ),
            batch_size=2000,
        )
        FAQ.objects.bulk_create(
            (
                FAQ(
                    article=a,
                    position=p,
                    anchor=f"faq-{p}",
                    question=f"Why did defence {p} fail?",
                    answer="Because **the rules** changed, and [this]"
                    "(https://example.org) explains how.",
                    answer_html=faq_html,
                )
                for a in articles
                for p in range(3)
            ),
            batch_size=2000,
        )
        Correction.objects.bulk_create(
            (
                Correction(article=a, note="An earlier version misnamed the river.")
                for a in articles[::5]
            ),
            batch_size=2000,
        )
        # The real write path's search refresh, article by article, in one transaction.
        for article in articles:
            refresh_search_document(article)
        measured = articles[-1]
        User = get_user_model()
        readers = User.objects.bulk_create(
            User(username=f"bench-reader-{i}", email=f"r{i}@example.org")
            for i in range(10)
        )
        Comment.objects.bulk_create(
            Comment(
                article=measured,
                author=readers[i % len(readers)],
                body=f"Comment {i}: a thoughtful note about the levee.",
                body_html=markup.render_comment(
                    f"Comment {i}: a thoughtful note about the levee."
                ),
                status=Comment.Status.PUBLISHED,
            )
            for i in range(50)
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum would soon do: planner statistics for the new rows.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def count_queries():
    """Print {target name: SQL queries per request} as JSON, measured in-process."""
    _setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    counts = {}
    for name, path, headers, _goal in TARGETS:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        # Warm, as the load does: the first requests fill the page cache, the parts
        # and (for a page-cache miss) the explainer's row, the second labels it.
        client.get(path, **extra)
        client.get(path, **extra)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, **extra)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(queries)
    print(json.dumps(counts))


def explain():
    """Print EXPLAIN ANALYZE for the list and search queries (PostgreSQL).

    "before": the list queries as they were (a Count join, NULLS LAST for the API)
    on the old (status, -publish_at) index, inside a transaction rolled back.
    """
    _setup_django()
    from django.core.paginator import Paginator
    from django.db import connection, transaction
    from django.db.models import Count, F

    from articles.api.queries import articles_for_api
    from articles.models import Article, Topic
    from articles.views import PAGE_SIZE, HomeView, TopicView

    topic = Topic.objects.get(slug="topic-3")
    home = HomeView()
    topical = TopicView()
    topical.topic = topic
    published = Article.objects.published()

    def old_list(queryset):
        return (
            queryset.prefetch_related("topics")
            .annotate(fact_count=Count("key_facts", distinct=True))
            .order_by("-publish_at", "-pk")
        )

    before = {
        "home list": old_list(published)[:PAGE_SIZE],
        "home count": Paginator(old_list(published), PAGE_SIZE).object_list,
        "topic list": old_list(published.filter(topics=topic))[:PAGE_SIZE],
        "API list": articles_for_api(
            published.order_by(F("publish_at").desc(nulls_last=True), "-pk")
        )[:20],
    }
    after = {
        "home list": home.get_queryset()[:PAGE_SIZE],
        "home count": Paginator(home.get_queryset(), PAGE_SIZE).object_list,
        "topic list": topical.get_queryset()[:PAGE_SIZE],
        "API list": articles_for_api(published.order_by("-publish_at", "-pk"))[:20],
        "search, common words": published.search("river flooded")[:20],
        "search, a rare word": published.search(str(Article.objects.count() // 2))[:20],
    }

    def plan(name, queryset):
        if name == "home count":  # the paginator's COUNT over the list
            sql, params = queryset.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"EXPLAIN ANALYZE SELECT COUNT(*) FROM ({sql}) subquery", params
                )
                return "\n".join(row[0] for row in cursor.fetchall())
        return queryset.explain(analyze=True)

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX article_status_publish_id_idx")
            cursor.execute(
                "CREATE INDEX article_status_publish_idx "
                "ON articles_article (status, publish_at DESC)"
            )
            cursor.execute("ANALYZE articles_article")
        for name, queryset in before.items():
            print(f"### before: {name}\n\n```\n{plan(name, queryset)}\n```\n")
        transaction.set_rollback(True)
    for name, queryset in after.items():
        print(f"### after: {name}\n\n```\n{plan(name, queryset)}\n```\n")


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
    print(json.dumps({"latencies": latencies, "wall": wall, "errors": errors[:5]}))


# The driver -------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def run(args, env, **kwargs):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, **kwargs)


def postgres_database(url):
    """(admin connection URL, bench database URL) on the server named by `url`."""
    parts = urlsplit(url)
    name = f"newsroom_bench_{os.getpid()}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/{name}")), name


def postgres_execute(admin_url, sql):
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


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
    user_db = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    admin_url = db_name = None
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    if user_db:
        admin_url, bench_db, db_name = postgres_database(user_db)
        postgres_execute(admin_url, f'CREATE DATABASE "{db_name}"')
        env["DATABASE_URL"] = bench_db
        backend = "PostgreSQL"
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        backend = "SQLite"
    prefix = f"bench-{secrets.token_hex(4)}"
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_MEDIA_ROOT=str(workdir / "media"),
        DJANGO_LOG_LEVEL="WARNING",
        NEWSROOM_BENCH_FLOOR="1",
        # Read-only load, so per-process local-memory versions are safe here.
        NEWSROOM_PAGE_CACHE="1",
        CACHE_KEY_PREFIX=prefix,
        PYTHONUNBUFFERED="1",
        # No worker recycling mid-run: a fresh worker would start with a cold cache.
        GUNICORN_MAX_REQUESTS="0",
    )
    server = log = None
    try:
        manage = [PYTHON, "manage.py"]
        step("migrate")
        run([*manage, "migrate", "--noinput", "-v0"], env)
        run([*manage, "collectstatic", "--noinput", "-v0"], env)
        step(f"seed {args.articles} explainers")
        started = time.perf_counter()
        run([PYTHON, __file__, "--seed", str(args.articles)], env)
        step(f"seeded in {time.perf_counter() - started:.1f}s")
        if args.explain and user_db:
            run([PYTHON, __file__, "--explain-only"], env)
        if args.no_load:
            return
        queries = json.loads(
            run(
                [PYTHON, __file__, "--count-queries"],
                env,
                capture_output=True,
                text=True,
            ).stdout
        )
        port = free_port()
        gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
        log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
        # gunicorn.conf.py (production: access log, timeouts) applies; these override.
        server = subprocess.Popen(
            [
                gunicorn,
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--worker-class",
                "gthread",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for(port, server)
        results = {
            name: {"latencies": [], "wall": 0.0, "errors": [], "ratios": []}
            for name, *_ in TARGETS
        }
        floor, *targets = TARGETS
        for target in TARGETS:  # warm every worker's caches and connections
            measure(port, target, args, requests=50, seconds=2)
        for number in range(args.rounds):
            step(f"round {number + 1} of {args.rounds}")
            # Each target right after a floor burst of its own: its ratio for the
            # round compares two bursts a few seconds apart, whatever else the
            # machine was doing that minute.
            for target in targets if number % 2 == 0 else targets[::-1]:
                base = add(results[floor[0]], measure(port, floor, args))
                outcome = add(results[target[0]], measure(port, target, args))
                results[target[0]]["ratios"].append(rate(outcome) / rate(base))
        report(args, backend, bool(redis_url), results, queries)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if log is not None:
            log.close()
        if db_name:
            postgres_execute(
                admin_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'
            )
        if redis_url:
            forget_redis_keys(redis_url, prefix)
        shutil.rmtree(workdir, ignore_errors=True)


def forget_redis_keys(url, prefix):
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def step(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def wait_for(port, server):
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit("bench: gunicorn exited while starting")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/bench/floor", headers={"Host": HOST})
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("bench: gunicorn did not answer within 60 seconds")


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


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def report(args, backend, redis, results, queries):
    cache = "Redis" if redis else "local memory"
    print(
        f"\n{backend} + {cache} cache, {args.articles} explainers, "
        f"{args.workers} gunicorn workers x {args.threads} threads, "
        f"{args.connections} connections, {args.rounds} interleaved rounds; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}\n"
    )
    print(
        "| target | requests/s | p50 ms | p99 ms | SQL/request | vs floor "
        "| rounds' range | goal |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, _path, _headers, goal in TARGETS:
        result = results[name]
        lat = result["latencies"]
        rps = rate(result)
        ratios = result["ratios"] or [1.0]
        ratio = median(ratios)
        spread = f"{min(ratios):.2f}-{max(ratios):.2f}" if result["ratios"] else ""
        verdict = (
            ""
            if goal is None
            else (f"≥ {goal} " + ("met" if ratio >= goal else "MISSED"))
        )
        print(
            f"| {name} | {rps:.0f} | {percentile(lat, 0.5) * 1000:.1f} | "
            f"{percentile(lat, 0.99) * 1000:.1f} | {queries.get(name, '?')} | "
            f"{ratio:.2f}x | {spread} | {verdict} |"
        )


if __name__ == "__main__":
    main()
