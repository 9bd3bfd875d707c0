"""Surrogate keys: what a response shows, and what a write changes (issue #16).

One vocabulary serves both sides. A cacheable response names the things it shows;
a write names the things it changed; `keys_changed` then moves the versions of the
application's own page cache (articles/versions.py) and, once the write commits,
purges the same keys from every edge cache (articles/purge.py). There is no other
invalidation path.

- ``a<id>``: one explainer: its page, annotation pages, change history, embed and
  oEmbed cards, its API detail and versions; topic and author pages showing it.
- ``c<id>``: that explainer's comment thread (its page, the API's comment counts).
- ``t<id>``, ``p<id>``: a topic's or an author's list, and the explainer pages
  whose related list is drawn from that topic.
- ``lists``: every site-wide list: home, feeds, sitemap, corrections, the API's
  indexes and change feed.
- ``chrome``: what every HTML page shares (header, footer); purged by hand after
  a deploy that changes it (`manage.py purge_edge chrome`).

The page cache maps them onto its coarser versions (`version_keys`): any list key
moves the site's content version, ``a<id>`` the article's, ``c<id>`` its thread's.
"""

import re
import time
from functools import wraps

from django.conf import settings
from django.db.models import Value
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from . import versions
from .models import Article, Author, Topic

LISTS = "lists"
CHROME = "chrome"
# One header per kind of edge cache: Varnish's xkey vmod and Fastly read a space-
# separated list; Cloudflare reads Cache-Tag, comma-separated (sent only when its
# adapter is configured).
HEADER_VARNISH = "xkey"
HEADER_FASTLY = "Surrogate-Key"
HEADER_CLOUDFLARE = "Cache-Tag"
_KEY = re.compile(r"^([acpt])(\d+)$")


def article(article_id) -> str:
    return f"a{article_id}"


def thread(article_id) -> str:
    return f"c{article_id}"


def topic(topic_id) -> str:
    return f"t{topic_id}"


def author(author_id) -> str:
    return f"p{author_id}"


# What writes change.


def article_keys(article_id) -> set[str]:
    """Keys a write to one explainer affects: it, the site lists, and the topic and
    author lists it now belongs to (lists it left show it, so ``a<id>`` reaches them).
    One query."""
    return articles_keys([article_id])


def articles_keys(article_ids) -> set[str]:
    """`article_keys` of several explainers together, in one query."""
    ids = list(article_ids)
    through_topics = Article.topics.through.objects.filter(article_id__in=ids)
    through_authors = Article.authors.through.objects.filter(article_id__in=ids)
    rows = (
        through_topics.annotate(kind=Value("t"))
        .values_list("kind", "topic_id")
        .union(
            through_authors.annotate(kind=Value("p")).values_list("kind", "author_id")
        )
    )
    return {
        *(article(pk) for pk in ids),
        LISTS,
        *(f"{kind}{pk}" for kind, pk in rows),
    }


def taxonomy_keys(instance) -> set[str]:
    """Keys a write to a topic or author affects: its list, the site lists (the home
    page's topic navigation) and every explainer carrying its name."""
    own = topic(instance.pk) if isinstance(instance, Topic) else author(instance.pk)
    article_ids = instance.articles.values_list("pk", flat=True)
    return {own, LISTS, *(article(pk) for pk in article_ids)}


def version_keys(keys) -> set[str]:
    """The page cache's version keys (articles/versions.py) for surrogate keys."""
    found = set()
    for key in keys:
        match = _KEY.match(key)
        if match is None or match[1] in "tp":
            found.add(versions.CONTENT)  # lists, chrome, topic and author lists
        elif match[1] == "a":
            found.add(versions.article_key(int(match[2])))
        else:
            found |= {versions.comments_key(int(match[2])), versions.ANY_COMMENTS}
    return found


def keys_changed(keys) -> None:
    """Invalidate `keys` everywhere: the page cache now and at commit, edge caches
    after the commit. Call inside the write's transaction."""
    from .purge import purge_after_commit

    keys = set(keys)
    if not keys:
        return
    versions.bump(*sorted(version_keys(keys)))
    purge_after_commit(keys)


# Writes that go through no service of ours: the admin's topic, author and
# article delete views and list actions. (Read before a delete clears the links.)


@receiver(post_save, sender=Topic, dispatch_uid="articles-cache-topic-save")
@receiver(pre_delete, sender=Topic, dispatch_uid="articles-cache-topic-delete")
@receiver(post_save, sender=Author, dispatch_uid="articles-cache-author-save")
@receiver(pre_delete, sender=Author, dispatch_uid="articles-cache-author-delete")
def taxonomy_written(sender, instance, **kwargs):
    keys_changed(taxonomy_keys(instance))


@receiver(pre_delete, sender=Article, dispatch_uid="articles-cache-article-delete")
def article_deleted(sender, instance, **kwargs):
    keys_changed(article_keys(instance.pk))


# What responses show.


def add(request, *keys) -> None:
    """Record that the response being built for `request` shows `keys`."""
    request = getattr(request, "_request", request)  # DRF wraps Django's request
    shown = getattr(request, "_surrogate_keys", None)
    if shown is None:
        shown = request._surrogate_keys = set()
    shown.update(keys)


def keyed(view, *keys):
    """Wrap `view` so each of its responses shows `keys` (site-wide lists)."""

    @wraps(view)  # keeps what DRF's schema and csrf_exempt read from the view
    def keyed_view(request, *args, **kwargs):
        add(request, *keys)
        return view(request, *args, **kwargs)

    return keyed_view


def edge_lifetime(until=None) -> int:
    """Seconds an edge cache may keep a response: SURROGATE_MAX_AGE, cut at `until`
    (a timestamp: the next scheduled publish, when pages change with no write)."""
    lifetime = settings.SURROGATE_MAX_AGE
    if until is not None:
        lifetime = min(lifetime, int(until - timezone.now().timestamp()))
    return max(lifetime, 0)


def shared_cacheable(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code in (200, 301, 404, 410)
        and "public" in cache_control
        and not any(word in cache_control for word in ("private", "no-store"))
        and not response.cookies
        and not getattr(response, "streaming", False)
    )


def set_edge_lifetime(response, until=None) -> None:
    response["Surrogate-Control"] = f"max-age={edge_lifetime(until)}"


def changed_since(request, keys, started) -> bool:
    """Whether a write moved any of `keys` while the response for `request` was
    built: one cache round trip, nothing written. A version the page cache read for
    the request (before the rows) must be unchanged; any other must be older than
    `started` (versions are time.time_ns() stamps; one never stamped is unmoved)."""
    found = versions.cache.get_many(sorted(version_keys(keys)))
    seen = versions.shared_versions(request) or {}
    # A version read after the view began reading rows vouches only for the
    # time before it started (versions.depend_on).
    late = getattr(getattr(request, "_request", request), "_cache_late", ())
    return versions.read_late_since(request, started) or any(
        value != seen[key] if key in seen and key not in late else value > started
        for key, value in found.items()
    )


class SurrogateKeyMiddleware:
    """Name what a public response shows, and how long an edge cache may keep it.

    Only responses whose views recorded keys (`add`) and that shared caches may
    keep get the key headers and a Surrogate-Control lifetime: purged on every
    write, they may be kept longer than the minute Cache-Control gives browsers.
    The lifetime never reaches past the next scheduled publish time. It sits inside
    the page cache, so kept entries carry these headers (articles/cache.py renews
    the lifetime on a hit).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.time_ns()
        response = self.get_response(request)
        keys = getattr(request, "_surrogate_keys", None)
        if not keys or not shared_cacheable(response):
            return response
        if changed_since(request, keys, started):
            # Built while a write to what it shows was committing: it may hold the
            # rows from before the commit and reach the edge after the purge, so no
            # cache keeps it (Varnish gives readers waiting for it a fresh fetch
            # rather than remembering the address as uncacheable). The versions
            # are the page cache's, stamped with the time.
            response["Cache-Control"] = "private, max-age=0"
            response["Surrogate-Control"] = "max-age=0"
            return response
        if response.get("Content-Type", "").startswith("text/html"):
            keys = keys | {CHROME}
        names = sorted(keys)
        response[HEADER_VARNISH] = " ".join(names)
        response[HEADER_FASTLY] = " ".join(names)
        if settings.CLOUDFLARE_ZONE_ID:
            response[HEADER_CLOUDFLARE] = ",".join(names)
        # Read already by ScheduledChangesMiddleware for this request: no query.
        next_publish = versions.changes_due()
        set_edge_lifetime(
            response, next_publish.timestamp() if next_publish is not None else None
        )
        return response
