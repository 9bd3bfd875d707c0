"""The benchmark's site (scripts/bench.py): the targets it loads, the explainers it
seeds, and what it measures in-process. Runs in children with Django set up."""

import json
import os
import statistics
import sys
import time

from .processes import HOST, ROOT

MEASURED_SLUG = "bench-measured-explainer"
# Skip the page cache only (the page is rebuilt from its cached parts, as after any
# single write), or every cache (the whole page from the database).
PAGE_MISS = {"X-Bench-No-Cache": "page"}
NOTHING_CACHED = {"X-Bench-No-Cache": "all"}

# A page-cache hit on the measured explainer; also the worker-restart run's target.
CACHED_ARTICLE = ("article, cached", f"/explainers/{MEASURED_SLUG}/", {}, 0.8)
TARGETS = [
    # (name, path, extra headers, goal as a ratio to the floor)
    ("floor", "/bench/floor", {}, None),
    ("article, page cache miss", f"/explainers/{MEASURED_SLUG}/", PAGE_MISS, 0.3),
    ("article, nothing cached", f"/explainers/{MEASURED_SLUG}/", NOTHING_CACHED, 0.3),
    CACHED_ARTICLE,
    ("home, cached", "/", {}, None),
    ("API list, cached", "/api/v1/articles/", {}, None),
    ("API detail, cached", f"/api/v1/articles/{MEASURED_SLUG}/", {}, 0.8),
]
# The same bytes as the floor from a minimal Django app (bare_app.py), in a gunicorn
# of its own.
BARE_FLOOR = ("bare Django floor", "/bench/floor", {}, None)
# Requests timed in-process per target, after the warm-up.
IN_PROCESS_REQUESTS = 20


def setup_django():
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
    setup_django()
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
    """Print, as JSON, each target's SQL queries per request and the median time of
    a request in milliseconds, both measured in-process with the test client."""
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    counts = {}
    times = {}
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
        took = []
        for _ in range(IN_PROCESS_REQUESTS):
            started = time.perf_counter()
            client.get(path, **extra)
            took.append(time.perf_counter() - started)
        times[name] = statistics.median(took) * 1000
    print(json.dumps({"queries": counts, "ms": times}))


def explain():
    """Print EXPLAIN ANALYZE for the list and search queries (PostgreSQL).

    "before": the list queries as they were (a Count join, NULLS LAST for the API)
    on the old (status, -publish_at) index, inside a transaction rolled back.
    """
    setup_django()
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
