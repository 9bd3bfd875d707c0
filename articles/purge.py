"""Purging edge caches by surrogate key (articles/surrogates.py), after the commit.

Each configured edge cache is one adapter with a `purge(keys)` method:

- Varnish (``VARNISH_URLS``, comma-separated): a PURGE request to each address
  with the keys in an ``xkey`` header (deploy/varnish/newsroom.vcl answers it);
- Fastly (``FASTLY_API_TOKEN``, ``FASTLY_SERVICE_ID``): purge by Surrogate-Key;
- Cloudflare (``CLOUDFLARE_API_TOKEN``, ``CLOUDFLARE_ZONE_ID``): purge by Cache-Tag.

Purges are sent once the write commits, from the process that wrote, with a short
timeout. A purge that fails is logged and retried by the task worker after
`RETRY_DELAYS`; every retry falls inside the edge lifetime (SURROGATE_MAX_AGE), after
which the page has expired anyway, so none outlives it.

With ``VARNISH_REWARM_URL`` (the site's public origin, e.g. https://news.example.org)
a successful Varnish purge is followed by one GET of each purged explainer's page
through that Varnish, on a background thread, so the first reader after a write gets
a hit instead of waiting for the page to render. With ``VARNISH_PURGE_AGAIN`` (seconds)
the purge is sent a second time after that delay (see `_after_purge`).
"""

import datetime
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)

# Seconds from a failed purge to each retry.
RETRY_DELAYS = (5, 30, 120)
# Fastly takes up to 256 keys per request, Cloudflare 30 tags per call.
FASTLY_BATCH = 256
CLOUDFLARE_BATCH = 30
# Explainer pages fetched again after one purge, at most (a topic rename names every
# explainer carrying it; the rest wait for their first reader).
REWARM_LIMIT = 5
REWARM_TIMEOUT = 10


class PurgeError(Exception):
    pass


# Varnish is reached directly, never through an HTTP_PROXY the environment names.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _send(request, timeout, opener=None):
    open_url = (opener or urllib.request.build_opener()).open
    try:
        with open_url(request, timeout=timeout) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (OSError, ValueError) as error:  # refused, timed out, bad address
        raise PurgeError(f"{request.full_url}: {error}") from error
    if not 200 <= status < 300:
        raise PurgeError(f"{request.full_url}: HTTP {status}")


def _batches(keys, size):
    keys = sorted(keys)
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


class VarnishPurger:
    def __init__(self, url):
        self.url = url.rstrip("/") + "/"
        self.name = f"varnish:{self.url}"

    def purge(self, keys):
        request = urllib.request.Request(
            self.url, method="PURGE", headers={"xkey": " ".join(sorted(keys))}
        )
        _send(request, settings.PURGE_TIMEOUT, _DIRECT)

    def rewarm(self, paths, public):
        """GET each path through this Varnish as a reader of `public` would (same
        Host, same X-Forwarded-Proto), so it fetches and keeps the new version."""
        origin = urlsplit(public)
        headers = {"Host": origin.netloc}
        if origin.scheme == "https":
            headers["X-Forwarded-Proto"] = "https"
        for path in paths:
            request = urllib.request.Request(
                self.url + path.lstrip("/"), headers=headers
            )
            try:
                _send(request, REWARM_TIMEOUT, _DIRECT)
            except PurgeError as error:
                log.info("edge re-warm failed: %s", error)


class FastlyPurger:
    name = "fastly"

    def __init__(self, *, base_url, service_id, token):
        self.url = f"{base_url.rstrip('/')}/service/{service_id}/purge"
        self.token = token

    def purge(self, keys):
        for batch in _batches(keys, FASTLY_BATCH):
            headers = {"Fastly-Key": self.token, "Surrogate-Key": " ".join(batch)}
            request = urllib.request.Request(self.url, method="POST", headers=headers)
            _send(request, settings.PURGE_TIMEOUT)


class CloudflarePurger:
    name = "cloudflare"

    def __init__(self, *, base_url, zone_id, token):
        self.url = f"{base_url.rstrip('/')}/client/v4/zones/{zone_id}/purge_cache"
        self.token = token

    def purge(self, keys):
        for batch in _batches(keys, CLOUDFLARE_BATCH):
            request = urllib.request.Request(
                self.url,
                method="POST",
                data=json.dumps({"tags": batch}).encode(),
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
            )
            _send(request, settings.PURGE_TIMEOUT)


def purgers():
    """The configured adapters (none by default)."""
    found = [VarnishPurger(url) for url in settings.VARNISH_URLS]
    if settings.FASTLY_API_TOKEN and settings.FASTLY_SERVICE_ID:
        found.append(
            FastlyPurger(
                base_url=settings.FASTLY_API_URL,
                service_id=settings.FASTLY_SERVICE_ID,
                token=settings.FASTLY_API_TOKEN,
            )
        )
    if settings.CLOUDFLARE_API_TOKEN and settings.CLOUDFLARE_ZONE_ID:
        found.append(
            CloudflarePurger(
                base_url=settings.CLOUDFLARE_API_URL,
                zone_id=settings.CLOUDFLARE_ZONE_ID,
                token=settings.CLOUDFLARE_API_TOKEN,
            )
        )
    return found


def purge_after_commit(keys) -> None:
    """Purge `keys` from every edge cache once the current transaction commits."""
    keys = sorted(keys)
    if keys and purgers():
        transaction.on_commit(lambda: purge_now(keys), robust=True)


def purge_now(keys) -> None:
    """Send `keys` to every adapter; a failure is logged and retried later."""
    for purger in purgers():
        _attempt(purger, keys, attempt=0)


def purge_retry(name, keys, attempt) -> str:
    """One retry (the task worker runs it, articles/tasks.py)."""
    purger = next((p for p in purgers() if p.name == name), None)
    if purger is None:
        return "unconfigured"
    return _attempt(purger, keys, attempt=attempt)


def _attempt(purger, keys, *, attempt) -> str:
    try:
        purger.purge(keys)
    except PurgeError as error:
        if attempt >= len(RETRY_DELAYS):
            log.error(
                "edge purge abandoned: %s keys=%s after %d tries: %s",
                purger.name,
                " ".join(keys),
                attempt + 1,
                error,
            )
            return "abandoned"
        delay = RETRY_DELAYS[attempt]
        log.warning(
            "edge purge failed, retry in %ds: %s keys=%s: %s",
            delay,
            purger.name,
            " ".join(keys),
            error,
        )
        _enqueue_retry(purger.name, keys, attempt + 1, delay)
        return "failed"
    if attempt:
        log.info("edge purge retry %d sent: %s", attempt, purger.name)
    _after_purge(purger, keys)
    return "purged"


def _after_purge(purger, keys):
    """After a Varnish purge, off the caller's thread: refetch the purged
    explainers' pages (VARNISH_REWARM_URL), and purge again after
    VARNISH_PURGE_AGAIN seconds. (A fetch that the first purge overtakes is not
    kept by the VCL; the second purge covers what is left, a purge landing between
    that check and Varnish storing the object: docs/performance.md.) The row lookup
    stays here: one query, after the commit."""
    if not isinstance(purger, VarnishPurger):
        return
    public = settings.VARNISH_REWARM_URL
    again = settings.VARNISH_PURGE_AGAIN
    ids = [int(k[1:]) for k in keys if k[:1] == "a" and k[1:].isdigit()]
    paths = []
    if public and ids:
        from .models import Article

        found = Article.objects.published().filter(pk__in=ids[:REWARM_LIMIT])
        paths = [article.get_absolute_url() for article in found.only("pk", "slug")]
    if paths or again > 0:
        threading.Thread(
            target=_settle, args=(purger, keys, paths, public, again), daemon=True
        ).start()


def _settle(purger, keys, paths, public, again):
    if paths:
        purger.rewarm(paths, public)
    if again <= 0:
        return
    time.sleep(again)
    try:
        purger.purge(keys)
    except PurgeError as error:
        log.info("edge purge, second send failed: %s", error)
        return
    if paths:
        purger.rewarm(paths, public)


def _enqueue_retry(name, keys, attempt, delay):
    from .tasks import edge_purge_retry

    run_after = timezone.now() + datetime.timedelta(seconds=delay)
    try:
        edge_purge_retry.using(run_after=run_after).enqueue(name, list(keys), attempt)
    except Exception:
        # The queue lives in the database; without it the edge lifetime still
        # bounds how long the page can stay stale.
        log.exception("edge purge retry not queued: %s", name)
