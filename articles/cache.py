"""Whole-response caching for anonymous readers, invalidated by version numbers.

A cached entry is the finished response of a public GET (body and headers) plus
the versions it was built from (articles/versions.py) and the moment it stops being
true. A hit compares those versions with the current ones in one cache round trip
and touches no database, so a front-page spike costs one cache read per request.

An entry also stores the next scheduled publish time that was pending when it was
built and is never served at or after it, so a scheduled explainer appears on time
without any job running. Signed-in readers and staff bypass all of this, and a
response is only kept when it is a plain 200 with no cookie and no CSRF token.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe

from .surrogates import set_edge_lifetime
from .versions import (
    CONTENT,
    SCHEDULE,
    UNREAD,
    current_versions,
    next_publish_time,
    read_late_since,
    release,
)

ENTRY_PREFIX = "response:"
# Entries are exact until a version moves, so the lifetime only bounds memory use.
MAX_AGE = 60 * 60
CACHED_HEADERS_SKIP = {"set-cookie", "x-cache"}
# django.contrib.messages' cookie: a reader who has one has something to be shown.
MESSAGES_COOKIE = "messages"


def _entry_key(request) -> str:
    # Host, scheme, path and query: responses may carry absolute links. The host was
    # checked against ALLOWED_HOSTS first: by PageCacheMiddleware for its early
    # lookup, by CommonMiddleware before any view runs.
    meta = request.META
    address = "|".join(
        (
            request.scheme,
            meta.get("HTTP_HOST") or meta.get("SERVER_NAME", ""),
            request.path,
            meta.get("QUERY_STRING", ""),
        )
    )
    digest = hashlib.blake2b(address.encode(), digest_size=20).hexdigest()
    return f"{ENTRY_PREFIX}{release()}:{digest}"


def _eligible(request) -> bool:
    if not settings.NEWSROOM_PAGE_CACHE:
        return False
    if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
        return False
    if MESSAGES_COOKIE in request.COOKIES:
        return False  # a reader with a message waiting gets a page that shows it
    return _anonymous(request)


def _anonymous(request) -> bool:
    # Without a session cookie nobody is signed in (an Authorization header was
    # ruled out above), and the session and user need not be loaded to know it.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    return not request.user.is_authenticated


def _storable(request, response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.cookies
        and not getattr(response, "streaming", False)
        and not request.user.is_authenticated
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def _from_entry(request, entry):
    response = HttpResponse(entry["content"], headers=entry["headers"])
    if "Surrogate-Control" in response:
        # Edge caches may keep it only as long as the entry is still true.
        set_edge_lifetime(response, entry["valid_until"])
    meta = request.META
    if "HTTP_IF_NONE_MATCH" not in meta and "HTTP_IF_MODIFIED_SINCE" not in meta:
        return response
    last_modified = response.get("Last-Modified")
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(last_modified) if last_modified else None,
        response=response,
    )


# Which version keys each entry was last seen to need, per process: with them a hit
# reads the entry and its versions in one round trip. Only a hint; always checked.
_known_depends = {}
KNOWN_DEPENDS_LIMIT = 10_000
# Entries this process has served or stored lately. Such an entry is served under the
# same rule as the shared one (every version it records is current), so a hit on it
# reads only the small version keys from the cache, not the 40 kB page again.
_recent_entries = {}
RECENT_ENTRIES_LIMIT = 256


def _valid(entry, found) -> bool:
    return timezone.now().timestamp() < entry["valid_until"] and all(
        found.get(k) == version for k, version in entry["versions"].items()
    )


def _lookup(key):
    """(entry or None, versions read): the entry if every version it needs matches.

    The versions read include the content version and the keys this process last
    saw the entry need, so a miss starts from versions read before its view runs.
    """
    hint = _known_depends.get(key, ())
    recent = _recent_entries.get(key)
    if recent is not None:
        found = cache.get_many([CONTENT, *hint])
        if _valid(recent, found):
            return recent, found
        _forget_entry(key)
        # Likely a miss: read what its view will need in the same round trip.
        more = cache.get_many([key, SCHEDULE])
        entry = more.pop(key, None)
        found.update(more)
    else:
        found = cache.get_many([key, CONTENT, SCHEDULE, *hint])
        entry = found.pop(key, None)
    if entry is None:
        return None, found
    wanted = entry["versions"]
    if not wanted.keys() <= found.keys():
        _remember_depends(key, wanted)
        found.update(cache.get_many([k for k in wanted if k not in found]))
    if not _valid(entry, found):
        return None, found
    if key not in _known_depends:
        _remember_depends(key, wanted)
    _remember_entry(key, entry)
    return entry, found


def _forget_entry(key):
    _recent_entries.pop(key, None)


def _remember_entry(key, entry):
    if len(_recent_entries) >= RECENT_ENTRIES_LIMIT:
        _recent_entries.clear()
    _recent_entries[key] = entry


def _remember_depends(key, keys):
    if len(_known_depends) >= KNOWN_DEPENDS_LIMIT:
        _known_depends.clear()
    _known_depends[key] = tuple(keys)


def _new_entry(request, key, response, *, lists, next_publish, started):
    """(entry, lifetime in seconds) for `response`, or None if it must not be kept."""
    depends = request._cache_depends
    if not lists and not depends:
        return None  # an article view that never said which article it showed
    keys = depends | {CONTENT} if lists else depends
    _remember_depends(key, keys)  # the next build reads them before any row
    if read_late_since(request, started * 1e9):
        return None  # may show rows from before a write that moved its version
    # Versions as read before (or, for keys found by the view, while) it rendered.
    versions = {k: request._cache_versions[k] for k in keys}
    valid_until = started + MAX_AGE
    if next_publish is not None:
        valid_until = min(valid_until, next_publish.timestamp())
    lifetime = int(valid_until - timezone.now().timestamp())
    if lifetime < 1:
        return None
    entry = {
        "content": response.content,
        "versions": versions,
        "valid_until": valid_until,
    }
    return entry, lifetime


def _keep(key, entry, lifetime, response, *, final=False):
    """Store `entry` with `response`'s headers; `final`: as they leave the stack."""
    entry["final"] = final
    entry["headers"] = {
        name: value
        for name, value in response.headers.items()
        if name.lower() not in CACHED_HEADERS_SKIP
    }
    cache.set(key, entry, timeout=lifetime)
    _remember_entry(key, entry)


class PageCacheMiddleware:
    """The outer half of the page cache: early hits, and entries with final headers.

    It sits just inside CorsMiddleware. An anonymous GET (no session or messages
    cookie, no Authorization header) for a page this process has seen kept is
    answered here, before sessions, CSRF, authentication, messages and the header
    middleware run: the entry carries the headers those added to the response it
    was built from (CSP, X-Frame-Options, Permissions-Policy, Content-Length), and
    the same version check as ever. Everything else goes on to the view, where
    `cache_anonymous` reads the versions, renders, and hands a storable response
    back here to be kept once every inner middleware has finished with it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._page_cache_outer = True
        if _early(request):
            request.get_host()  # the host check CommonMiddleware would make first
            key = _entry_key(request)
            if key in _known_depends:
                entry, versions = _lookup(key)
                # Only an entry kept here has the headers of the middleware below.
                if entry is not None and entry.get("final"):
                    response = _from_entry(request, entry)
                    response["X-Cache"] = "hit"
                    return response
                request._page_cache_lookup = key, versions
        response = self.get_response(request)
        pending = getattr(response, "_page_cache_pending", None)
        if pending is not None and not response.cookies:
            _keep(*pending, response, final=True)
        return response


def _early(request) -> bool:
    cookies = request.COOKIES
    return (
        settings.NEWSROOM_PAGE_CACHE
        and request.method == "GET"
        and "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in cookies
        and MESSAGES_COOKIE not in cookies
    )


def cache_anonymous(view=None, *, lists=True):
    """Serve anonymous GETs of `view` from the cache, keeping its 200 responses.

    `lists=True`: the page depends on all published content (lists, feeds, and
    article pages with their related explainers). `lists=False`: it depends only on
    what the view declares with `depend_on_article` (the API's detail).
    Adds ``X-Cache: hit`` or ``miss`` to every anonymous GET it handles.
    """

    def decorate(view):
        @wraps(view)
        def cached_view(request, *args, **kwargs):
            if not _eligible(request):
                return view(request, *args, **kwargs)
            key = _entry_key(request)
            looked_up = getattr(request, "_page_cache_lookup", None)
            if looked_up is not None and looked_up[0] == key:
                entry, versions = None, looked_up[1]  # missed in PageCacheMiddleware
            else:
                entry, versions = _lookup(key)
            if entry is not None:
                response = _from_entry(request, entry)
                response["X-Cache"] = "hit"
                return response
            # Everything the entry will be checked against is fixed before the view
            # reads a row: the versions, and the next scheduled publish time.
            started = timezone.now().timestamp()
            schedule = versions.pop(SCHEDULE, UNREAD)
            unread = [
                k for k in (CONTENT, *_known_depends.get(key, ())) if k not in versions
            ]
            if unread or schedule is UNREAD:
                found = cache.get_many([*unread, SCHEDULE])
                schedule = found.pop(SCHEDULE, None)
                versions.update(found)
                missing = [k for k in unread if k not in found]
                if missing:
                    versions.update(current_versions(missing))
            next_publish = next_publish_time(versions[CONTENT], schedule)
            request._cache_versions, request._cache_depends = versions, set()
            request._cache_started = started
            request._cache_next_publish = next_publish
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            # Signed-in readers get other answers, so shared caches must know that
            # a hit (which never touches the session) varies on the cookie too.
            patch_vary_headers(response, ("Cookie",))
            new = None
            if _storable(request, response):
                new = _new_entry(
                    request,
                    key,
                    response,
                    lists=lists,
                    next_publish=next_publish,
                    started=started,
                )
            if new is not None:
                if getattr(request, "_page_cache_outer", False):
                    # Kept by PageCacheMiddleware with the headers added after this.
                    response._page_cache_pending = (key, *new)
                else:
                    _keep(key, *new, response)
            response["X-Cache"] = "miss"
            return response

        return cached_view

    return decorate if view is None else decorate(view)
