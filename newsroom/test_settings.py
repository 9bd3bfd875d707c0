"""Settings for the test run (pytest's DJANGO_SETTINGS_MODULE, pyproject.toml).

The project's settings, read from the environment as in any deployment, with the
few differences a test run needs, each stated here. Processes the tests start as
a deployment would (tests/ops/) use `newsroom.settings` itself.
"""

import os

# A throwaway key: the test run never signs anything a deployment would trust.
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "django-insecure-test-run-key-never-deploy-0123456789"
)

from newsroom.settings import *  # noqa: F403
from newsroom.settings import DATABASES, REDIS_URL, env_bool

default_database = DATABASES["default"]
if default_database["ENGINE"] == "django.db.backends.postgresql":
    # Live-server threads open connections of their own; persistent ones would
    # outlive the test database and block its teardown.
    default_database["CONN_MAX_AGE"] = 0
else:
    # The in-memory test database: the file-tuning PRAGMAs (WAL, IMMEDIATE
    # transactions) are for several processes sharing a file.
    default_database.pop("OPTIONS", None)
    default_database["CONN_MAX_AGE"] = 0

# Plain static storage: tests use the finders, with no collectstatic manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# One process: local memory instead of the database table, so the cache adds no
# queries to the counts tests pin (tests/ops/ start processes sharing the table).
if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The page cache is off, so page tests pin the rendering path's queries;
# tests/test_caching.py and others switch it on where they test it.
NEWSROOM_PAGE_CACHE = env_bool("NEWSROOM_PAGE_CACHE", default=False)
