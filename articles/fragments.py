"""The explainer page in four parts, each rendered once per version of what it shows.

A page-cache miss (articles/cache.py) usually follows a single write: a new comment,
an edit, another explainer published. Rendering the whole page again for it would
redo the parts nothing touched, so for anonymous readers each part is kept in the
cache under the versions it was built from:

- ``meta`` (Open Graph, JSON-LD) and ``article`` (the story and its annotations):
  the article's own version, which every write to it, its annotations, topics or
  authors moves;
- ``related``: the site's content version and the next scheduled publish time, so
  an explainer appearing on schedule shows up in the list without any write;
- ``comments``: the thread's version and the article's (comments open or closed).

The versions are the ones cache_anonymous read before the view touched a row, so a
part built while a write lands is stored under versions that are already old and
is never served. Signed-in readers and the staff preview never use or fill these
entries: their comments region is their own, and a preview may show a draft.
"""

import copy
import hashlib
import re

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from comments.selectors import (
    annotation_comment_counts,
    annotation_page,
    comments_region,
    counts_key,
    thread_order,
)

from . import surrogates
from .cache import MAX_AGE
from .models import Article
from .queries import attach_annotations
from .versions import (
    CONTENT,
    article_key,
    comments_key,
    depend_on_article,
    read_late_since,
    release,
    shared_versions,
)

RELATED_LIMIT = 4
PART_TEMPLATES = {
    "meta": "articles/_explainer_meta.html",
    "article": "articles/_explainer.html",
    "related": "articles/_related.html",
    "comments": "comments/region.html",
}
PREFIX = "part:"
ROW_PREFIX = "row:explainer:"
# This process's copies of parts and rows it read or stored lately. A part's key
# names the versions it was built from, so its copy is exactly as current as the
# shared entry; a row is checked against its article's version, copy or not. Each
# saves a cache round trip on a page-cache miss.
_copies = {}
COPIES_LIMIT = 512


def published_explainer(request, slug):
    """The published explainer at `slug`, or Http404; from the cache where it may be.

    The row is kept with the article version read before it was queried, and used
    only while that version holds: every write to the article moves it (publishing,
    unpublishing, a new slug, deleting). So a page-cache miss for an explainer that
    is already known costs no query. The first miss only learns which article the
    slug names, so that the next one can read its version before the query.
    """
    versions = shared_versions(request)
    if versions is None:
        return get_object_or_404(Article.objects.published(), slug=slug)
    digest = hashlib.blake2b(slug.encode(), digest_size=16).hexdigest()
    key = f"{ROW_PREFIX}{release()}:{digest}"  # a deploy may change the model
    entry = _copies.get(key)
    if entry is None or not _row_current(request, entry, versions):
        entry = cache.get(key)
        if entry is not None:
            _keep_copies({key: entry})
    if entry is not None and _row_current(request, entry, versions):
        # The kept instance is never handed out: the page adds its related rows.
        return copy.copy(entry[2])
    article = get_object_or_404(Article.objects.published(), slug=slug)
    # Present only if read before the query above, so the row is at least as new.
    version = versions.get(article_key(article.pk))
    entry = (article.pk, version, copy.copy(article) if version is not None else None)
    cache.set(key, entry, MAX_AGE)
    _keep_copies({key: entry})
    return article


def _row_current(request, entry, versions):
    pk, version, _article = entry
    depend_on_article(request, pk, comments=True)  # read now, before any query
    return version is not None and versions[article_key(pk)] == version


def _get_parts(keys):
    """The parts stored under `keys`, from this process's copies or the cache."""
    found = {key: _copies[key] for key in keys if key in _copies}
    missing = [key for key in keys if key not in found]
    if missing:
        fetched = cache.get_many(missing)
        _keep_copies(fetched)
        found.update(fetched)
    return found


def _keep_copies(values):
    if len(_copies) + len(values) > COPIES_LIMIT:
        _copies.clear()
    _copies.update(values)


def related_explainers(article):
    topic_ids = [topic.pk for topic in article.topics.all()]
    if not topic_ids:
        return []
    return list(
        Article.objects.published()
        .filter(topics__in=topic_ids)
        .exclude(pk=article.pk)
        # Only what the related cards show: the bodies stay in the database.
        .only("slug", "title", "dek", "publish_at")
        .distinct()[:RELATED_LIMIT]
    )


def _related_keys(article, related):
    """The topic lists the related list is drawn from, and each explainer in it."""
    return [
        *(surrogates.topic(topic.pk) for topic in article.topics.all()),
        *(surrogates.article(other.pk) for other in related),
    ]


def _keys(request, article, versions, next_publish):
    # The code that renders them too: a deploy never reuses the previous one's parts.
    site = f"{request.scheme}://{request.get_host()}:{release()}"
    own = versions[article_key(article.pk)]
    # Only the two orders the region knows; anything else shows the oldest first.
    order = thread_order(request)
    return {
        "meta": f"{PREFIX}meta:{article.pk}:{own}:{site}",
        "article": f"{PREFIX}article:{article.pk}:{own}:{site}",
        "related": f"{PREFIX}related:{article.pk}:{versions[CONTENT]}:"
        f"{next_publish.timestamp() if next_publish else '-'}:{site}",
        # The surrogate keys of the related list, kept beside it (built with it).
        "related_keys": f"{PREFIX}related-keys:{article.pk}:{versions[CONTENT]}:"
        f"{next_publish.timestamp() if next_publish else '-'}:{site}",
        "comments": f"{PREFIX}comments:{article.pk}:{own}:"
        f"{versions[comments_key(article.pk)]}:{order}:{site}",
        # Not a part: the number of comments on each annotation (see below).
        "counts": f"{PREFIX}counts:{article.pk}:"
        f"{versions[comments_key(article.pk)]}:{release()}",
    }


def explainer_parts(
    request, article, *, next_publish=None, shareable=True, preview=False
):
    """{part name: HTML} for the explainer page, from the cache where it may be.

    On a miss the parts that are missing are built with the queries they need
    (authors and topics, then one UNION for the annotations, the related list,
    the thread) and stored together in one round trip. On the staff `preview`
    the comments region offers no form: comments are posted to the public page.
    """
    versions = shared_versions(request) if shareable else None
    if versions is not None:
        depend_on_article(request, article.pk, comments=True)
    keys = {}
    if versions is not None:
        keys = _keys(request, article, versions, next_publish)
    found = _get_parts(list(keys.values())) if keys else {}
    parts = {name: found.get(key) for name, key in keys.items()}
    related_keys = parts.pop("related_keys", None)
    if related_keys is None:
        parts.pop("related", None)
    missing = [name for name in PART_TEMPLATES if parts.get(name) is None]
    if missing:
        context = {"article": article}
        if {"meta", "article"} & set(missing):
            prefetch_related_objects([article], "authors", "topics")
        elif "related" in missing:
            prefetch_related_objects([article], "topics")
        in_memory = "key_facts" in getattr(article, "_prefetched_objects_cache", {})
        if {"meta", "article"} & set(missing) and not in_memory:
            # (A preview's unsaved explainer brings its own: publishing.py.)
            attach_annotations([article])
        if "related" in missing:
            context["related"] = related_explainers(article)
            related_keys = _related_keys(article, context["related"])
        if "comments" in missing:
            region = comments_region(request, article, preview=preview)
            context["comments_region"] = region
            parts["counts"] = region["annotation_counts"] if region else {}
            missing.append("counts")
        built = {
            name: render_to_string(PART_TEMPLATES[name], context, request)
            for name in missing
            if name in PART_TEMPLATES
        }
        if "counts" in missing:
            built["counts"] = parts["counts"]
        if keys and not _read_late(request):
            fresh = {keys[name]: built[name] for name in missing}
            fresh[keys["related_keys"]] = related_keys
            cache.set_many(fresh, MAX_AGE)
            _keep_copies(fresh)
        parts.update(built)
    counts = parts.pop("counts", None)
    if counts is None:
        # The thread came from the cache and its counts did not: one query.
        counts = annotation_comment_counts(article)
        if keys and not _read_late(request):
            cache.set(keys["counts"], counts, MAX_AGE)
            _keep_copies({keys["counts"]: counts})
    parts["article"] = _with_comment_counts(parts["article"], article, counts)
    surrogates.add(request, *related_keys)
    # Every part is our own template's output: escaped there, sanitized on save.
    return {name: mark_safe(html) for name, html in parts.items()}


def _read_late(request):
    """Whether the parts may hold rows older than the versions they would be kept
    under: a version read after the rows moved since the build began (the first
    build of an address in this process, racing a write). Then nothing is kept."""
    started = getattr(getattr(request, "_request", request), "_cache_started", None)
    return started is not None and read_late_since(request, started * 1e9)


# The explainer part (its story and annotations) is kept under the article's own
# version, so a new comment does not render it again (#14). The number of comments
# on each annotation moves with the thread instead: the template leaves this mark
# where it goes, and every page fills it in from the thread's counts.
COUNT_MARK = re.compile(r"<!--comments-on:(?P<kind>\w+):(?P<anchor>[-\w]+)-->")


def _with_comment_counts(html, article, counts):
    if not counts:
        return COUNT_MARK.sub("", html)
    # Reversing an address per annotation would cost more than the rest: the
    # address of each kind's pages is reversed once, for an anchor of "-".
    bases = {}

    def count_link(match):
        kind, anchor = match["kind"], match["anchor"]
        n = counts.get(counts_key(kind, anchor), 0)
        if not n:
            return ""
        if kind not in bases:
            bases[kind] = annotation_page(article, kind, "-").removesuffix("-/")
        words = ngettext("%(n)s comment", "%(n)s comments", n) % {"n": n}
        url = f"{bases[kind]}{anchor}/#comments"
        return format_html(
            ' <a class="annotation-comments" href="{}">{}</a>', url, words
        )

    return COUNT_MARK.sub(count_link, html)
