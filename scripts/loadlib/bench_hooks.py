"""The benchmark's cache switches (bench_settings.py), kept out of the application.

A request with ``X-Bench-No-Cache: page`` gets a query string no reader ever sent,
so the page cache misses (its lookup runs as on any miss), while the explainer's
row and page parts, whose keys do not name the query string, are found as after a
single write; the entry it would keep is dropped. ``X-Bench-No-Cache: all`` makes
every cache read miss and drops every write for that request: the page is built
from the database, as after a flush.
"""

import contextvars
import itertools
import os

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

HEADER = "HTTP_X_BENCH_NO_CACHE"
# articles/cache.py keeps whole responses under keys starting with this.
ENTRY_PREFIX = "response:"
_mode = contextvars.ContextVar("bench_no_cache", default=None)
_numbers = itertools.count()


class NoCacheHeaderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        mode = request.META.get(HEADER)
        if mode not in {"page", "all"}:
            return self.get_response(request)
        if mode == "page":
            unique = f"bench-miss={os.getpid()}-{next(_numbers)}"
            query = request.META.get("QUERY_STRING", "")
            request.META["QUERY_STRING"] = f"{query}&{unique}" if query else unique
            request.__dict__.pop("GET", None)
        token = _mode.set(mode)
        try:
            return self.get_response(request)
        finally:
            _mode.reset(token)


def _skipped(key) -> bool:
    mode = _mode.get()
    return mode == "all" or (mode == "page" and key.startswith(ENTRY_PREFIX))


class SkippableCache(BaseCache):
    """The cache named by OPTIONS["real"], with reads and writes skipped as the
    request's header says. Keys go to it unchanged (it adds its own prefix)."""

    def __init__(self, location, params):
        super().__init__(params)
        self._real_alias = params.get("OPTIONS", {})["real"]

    @property
    def real(self):
        return caches[self._real_alias]

    def get(self, key, default=None, version=None):
        if _mode.get() == "all":
            return default
        return self.real.get(key, default, version)

    def get_many(self, keys, version=None):
        if _mode.get() == "all":
            return {}
        return self.real.get_many(keys, version)

    def has_key(self, key, version=None):
        return _mode.get() != "all" and self.real.has_key(key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if not _skipped(key):
            self.real.set(key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        kept = {key: value for key, value in data.items() if not _skipped(key)}
        return self.real.set_many(kept, timeout, version) if kept else []

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if _skipped(key):
            return False
        return self.real.add(key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return not _skipped(key) and self.real.touch(key, timeout, version)

    def incr(self, key, delta=1, version=None):
        return self.real.incr(key, delta, version)

    def delete(self, key, version=None):
        return self.real.delete(key, version)

    def delete_many(self, keys, version=None):
        return self.real.delete_many(keys, version)

    def clear(self):
        return self.real.clear()

    def close(self, **kwargs):
        return self.real.close(**kwargs)
