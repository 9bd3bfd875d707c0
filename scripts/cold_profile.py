"""Time (and optionally profile) an explainer page rendered from an empty cache.

Runs in-process with the project's settings and whatever database and cache the
environment names (DATABASE_URL, REDIS_URL). Every request follows a cache.clear(),
so each one renders the whole page from the database. Used for the cold-page
profile in docs/performance.md:

    DJANGO_SECRET_KEY=... DJANGO_ALLOWED_HOSTS=testserver \\
        python scripts/cold_profile.py --slug open-weight-ai-models --profile
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", help="explainer to load (default: the newest)")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="needs pyinstrument")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from articles.models import Article

    articles = Article.objects.published()
    article = articles.get(slug=args.slug) if args.slug else articles.first()
    if article is None:
        sys.exit("No published explainer: run `make run` or load_demo first.")
    client, url = Client(), article.get_absolute_url()
    if client.get(url).status_code != 200:
        sys.exit(f"{url} did not answer 200.")

    def cold_requests():
        for _ in range(args.requests):
            cache.clear()
            client.get(url)

    for number in range(1, args.rounds + 1):
        started = time.perf_counter()
        cold_requests()
        took = (time.perf_counter() - started) / args.requests * 1000
        print(f"round {number}: {took:.1f} ms per empty-cache request to {url}")
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            cold_requests()
        print(profiler.output_text(color=False, unicode=False))


if __name__ == "__main__":
    main()
