"""What a Varnish refill costs the application right after a write (scripts/bench.py
measures the purge path end to end; this isolates the origin's part of it).

Run in a child of `refill_cost` below with Django set up on a seeded database: for
each of N writes (a comment, or a title edit through the services every write path
uses) it times the next anonymous GET of the explainer page in-process, as Varnish's
fetch after the purge would make it. NEWSROOM_PAGE_CACHE=0 in the environment shows
the same with no page cache, parts or rows.

    .venv/bin/python -m scripts.loadlib.refill_cost 40
"""

import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .bench_site import MEASURED_SLUG
from .processes import HOST, ROOT, manage


def measure(writes):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from articles.models import Article
    from articles.services import article_changed
    from comments.models import Comment
    from comments.services import comment_post

    article = Article.objects.get(slug=MEASURED_SLUG)
    reader = get_user_model().objects.filter(is_staff=False).first()
    client = Client(HTTP_HOST=HOST)
    url = article.get_absolute_url()

    def timed_read():
        started = time.perf_counter()
        response = client.get(url)
        took = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        return took

    for _ in range(3):
        timed_read()
    results = {}
    for kind in ("comment", "title edit"):
        took = []
        for n in range(writes):
            if kind == "comment":
                Comment.objects.filter(author=reader).delete()  # no rate limit
                comment_post(article=article, author=reader, body=f"Note {n}: levee.")
            else:
                Article.objects.filter(pk=article.pk).update(title=f"Explainer {n}")
                article_changed(Article.objects.get(pk=article.pk))
            took.append(timed_read())
        results[kind] = {
            "p50": statistics.median(took),
            "p90": statistics.quantiles(took, n=10)[-1],
        }
    print(json.dumps(results))


def main(writes):
    folder = Path(tempfile.mkdtemp(prefix="newsroom-refill-"))
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG"}},
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "REDIS_URL": "",
        "COMMENTS_RATE_PER_MINUTE": "100000",
    }
    try:
        manage("migrate", "--noinput", "-v0", env=env, timeout=600, check=True)
        manage("collectstatic", "--noinput", "-v0", env=env, timeout=600, check=True)
        bench = str(ROOT / "scripts" / "bench.py")
        subprocess.run([sys.executable, bench, "--seed", "2000"], env=env, check=True)
        code = (
            "import django; django.setup(); "
            "from scripts.loadlib.refill_cost import measure; "
            f"measure({writes})"
        )
        for page_cache in ("1", "0"):
            out = subprocess.run(
                [sys.executable, "-c", code],
                env={**env, "NEWSROOM_PAGE_CACHE": page_cache},
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            print(f"page cache {'on' if page_cache == '1' else 'off'}: {out.strip()}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
