"""Settings for the benchmark's site (scripts/bench.py): production settings plus the
benchmark's own pieces, none of which exist in a deployment.

- `/bench/floor`, a constant tiny answer behind every middleware (bench_urls.py);
- an `X-Bench-No-Cache` request header (bench_hooks.py): ``page`` makes the request a
  page-cache miss whose parts and row are still cached, ``all`` makes every cache
  read miss, so the page is built from the database.

    DJANGO_SETTINGS_MODULE=scripts.loadlib.bench_settings gunicorn -c gunicorn.conf.py
"""

from newsroom.settings import *  # noqa: F403
from newsroom.settings import CACHES, MIDDLEWARE

ROOT_URLCONF = "scripts.loadlib.bench_urls"
# Outermost, so the page cache's early lookup already sees what it changed.
MIDDLEWARE = ["scripts.loadlib.bench_hooks.NoCacheHeaderMiddleware", *MIDDLEWARE]
# The deployment's cache, reached through a wrapper the header can switch off.
CACHES = {
    "default": {
        "BACKEND": "scripts.loadlib.bench_hooks.SkippableCache",
        "OPTIONS": {"real": "real"},
    },
    "real": CACHES["default"],
}
