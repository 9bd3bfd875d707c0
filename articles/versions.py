"""Version keys: what every write moves and every cached read compares.

A version is a cache key holding a nanosecond stamp. Writes move them through
`surrogates.keys_changed`, the one invalidation path, which also purges the edge
caches (`services.article_changed`, comments/services.py and the receivers in
articles/surrogates.py call it). The page cache (articles/cache.py) keeps each
response, and articles/fragments.py each part of the explainer page, with the
versions it was built from, and serves them only while they are unchanged:

- ``content``: every article write (`services.article_changed`) and every topic or
  author write; lists, feeds, the sitemap and article pages (their related list)
  depend on it.
- ``article:<pk>``: that article's writes; the API detail depends on it.
- ``comments:version:<pk>``: that article's thread (comments/services.py); the
  article page and the API detail depend on it, and the API list on
  ``comments:version:any``, which moves with every thread.

The next scheduled publish time is kept beside the content version, so a scheduled
explainer appears on time with no job running, and `release()` names the deployed
code, so nothing rendered by earlier code is served after a deploy.
"""

import hashlib
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models import Min
from django.dispatch import receiver
from django.utils import timezone

from .models import Article, WorkingCopy

CONTENT = "content:version"
# Moved with every thread's own version: lists showing comment counts depend on it.
ANY_COMMENTS = "comments:version:any"
SCHEDULE = "content:next-publish"
# The next time a scheduled working copy goes live (articles/publishing.py).
CHANGES_DUE = "content:next-change"
# What names the code a cached response or part was rendered by (see release()).
# (static/ too: pages name the hashed file of each stylesheet and script.)
RELEASE_SOURCES = (
    "accounts",
    "articles",
    "comments",
    "figures",
    "newsroom",
    "static",
    "templates",
)
RELEASE_SUFFIXES = {".py", ".html", ".txt", ".css", ".js"}


def article_key(article_id) -> str:
    return f"article:version:{article_id}"


def comments_key(article_id) -> str:
    # Moved by comments/services.py comments_changed on every comment or flag write.
    return f"comments:version:{article_id}"


def bump(*keys) -> None:
    """Give `keys` new versions now and again once the surrounding write commits.

    The second bump drops anything a concurrent reader built from the rows as they
    were before the commit; the first makes the change visible where no commit
    follows (inside a test's transaction). A new content version comes with the
    next scheduled publish time worked out at once, so page misses need not ask.
    """

    def stamp():
        value = time.time_ns()
        cache.set_many(dict.fromkeys(keys, value), timeout=None)
        if CONTENT in keys:
            _remember_next_publish(value)

    stamp()
    transaction.on_commit(stamp)


def article_bump(*article_ids) -> None:
    """A write to explainers: through the one invalidation path (surrogates.py)."""
    from . import surrogates

    surrogates.keys_changed(surrogates.articles_keys(article_ids))


def depend_on(request, *keys) -> None:
    """Record that the response being built for `request` depends on `keys`.

    Versions not read before the view ran are read now, before the view reads
    more rows, so a write landing meanwhile leaves the entry already outdated.
    """
    request = getattr(request, "_request", request)  # DRF wraps Django's request
    versions = getattr(request, "_cache_versions", None)
    if versions is None:
        return  # not under cache_anonymous (signed in, or the cache is off)
    unread = [key for key in keys if key not in versions]
    if unread:
        stamped = {}
        versions.update(current_versions(unread, stamped))
        # Read after the view may have read rows (the first time this process
        # builds the address): a write that commits in between leaves a version
        # newer than the rows. Such a version only vouches for the response when it
        # is older than the build's start (articles/cache.py, surrogates.py).
        late = getattr(request, "_cache_late", None)
        if late is None:
            late = request._cache_late = set()
        # (A version this read stamped itself, and still holds, no write moved.)
        late.update(key for key in unread if stamped.get(key, -1) != versions.get(key))
    request._cache_depends.update(keys)


def comments_bump(article_id) -> None:
    """A write to one thread: through the one invalidation path (surrogates.py)."""
    from . import surrogates

    surrogates.keys_changed({surrogates.thread(article_id)})


def depend_on_article(request, article_id, *, comments=False) -> None:
    """Record that the response shows the article (and its thread): for the page
    cache's versions and as the response's surrogate keys."""
    from . import surrogates

    keys = [article_key(article_id)]
    shown = [surrogates.article(article_id)]
    if comments:
        keys.append(comments_key(article_id))
        shown.append(surrogates.thread(article_id))
    surrogates.add(request, *shown)
    depend_on(request, *keys)


UNREAD = object()


def next_publish_time(content_version, remembered=UNREAD):
    """The earliest scheduled publish time still to come, or None; cached per version.

    Recomputed (one query) when content changed or the remembered time has passed.
    `remembered`: the SCHEDULE key's value if the caller already read it.
    """
    if remembered is UNREAD:
        remembered = cache.get(SCHEDULE)
    if remembered is not None:
        version, moment = remembered
        if version == content_version and (moment is None or moment > timezone.now()):
            return moment
    return _remember_next_publish(content_version)


def content_state(request=None):
    """(content version, next scheduled publish time): changes with anything public.

    No query unless a scheduled time has just passed or the cache was emptied, and
    no cache read either when cache_anonymous already read both for `request`.
    """
    request = getattr(request, "_request", request)  # DRF wraps Django's request
    if hasattr(request, "_cache_next_publish"):
        return request._cache_versions[CONTENT], request._cache_next_publish
    version = current_versions([CONTENT])[CONTENT]
    return version, next_publish_time(version)


def thread_version(request, article_id) -> str:
    """The version of an article's comment thread, as read for `request` if it was."""
    versions = shared_versions(request)
    key = comments_key(article_id)
    if versions is None or key not in versions:
        return str(cache.get(key, "0"))
    return str(versions[key])


def _remember_next_publish(content_version):
    # Scheduled explainers appear, and scheduled working copies go live
    # (articles/publishing.py), at these times: cached pages must not outlive them.
    appears = Article.objects.scheduled().aggregate(next=Min("publish_at"))["next"]
    changes = WorkingCopy.objects.aggregate(next=Min("publish_at"))["next"]
    moment = min((m for m in (appears, changes) if m is not None), default=None)
    # Due changes: a working copy to apply, or an appearance to record as an event.
    cache.set_many(
        {SCHEDULE: (content_version, moment), CHANGES_DUE: (moment,)}, timeout=None
    )
    return moment


def schedule_moved():
    """Work out the next scheduled times again; returns when changes are due next."""
    _remember_next_publish(current_versions([CONTENT])[CONTENT])
    return cache.get(CHANGES_DUE, (None,))[0]


def changes_due():
    """When the next scheduled working copy or explainer goes live, or None: one
    cache read."""
    remembered = cache.get(CHANGES_DUE)
    return remembered[0] if remembered is not None else schedule_moved()


def current_versions(keys, stamped=None):
    """Current versions of `keys`, giving any that are missing a fresh one.

    A missing version is stamped rather than read as a default, so an evicted key can
    never come back with the value an old entry was built against.
    """
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        stamp = time.time_ns()
        for key in missing:
            if cache.add(key, stamp, timeout=None) and stamped is not None:
                stamped[key] = stamp  # ours (`stamped` collects them)
        found.update(cache.get_many(missing))
        # Gone again before the read (evicted, or the cache flushed by another
        # process): go by the stamp. No later read returns it, so nothing built
        # under it is ever served.
        for key in missing:
            found.setdefault(key, stamp)
    return found


@lru_cache(maxsize=1)
def release() -> str:
    """A short name for the code and templates that render what the cache keeps.

    NEWSROOM_RELEASE if set (a deploy may pass its commit), else a digest of the
    project's Python files, templates, stylesheets and scripts. Entries and parts are kept under it, so a
    deploy that changes a template never serves markup the old one rendered, and
    the old and new processes of a rolling restart keep apart.
    """
    if settings.NEWSROOM_RELEASE:
        return settings.NEWSROOM_RELEASE
    digest = hashlib.blake2b(digest_size=6)
    base = Path(settings.BASE_DIR)
    for folder in RELEASE_SOURCES:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in RELEASE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


@receiver(setting_changed, dispatch_uid="articles-cache-release-reset")
def _forget_release(setting, **kwargs):
    if setting == "NEWSROOM_RELEASE":
        release.cache_clear()


def shared_versions(request):
    """The versions read for this anonymous request, or None where nothing is shared.

    Parts of a page may be kept in the cache under these (articles/fragments.py).
    """
    request = getattr(request, "_request", request)
    return getattr(request, "_cache_versions", None)


def read_late_since(request, started_ns) -> bool:
    """Whether a version read late for `request` moved after `started_ns`: the rows
    read before it may predate a write that committed while it was built."""
    request = getattr(request, "_request", request)
    versions = getattr(request, "_cache_versions", None) or {}
    return any(
        versions.get(key, 0) > started_ns for key in getattr(request, "_cache_late", ())
    )
