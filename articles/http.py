"""The one rule for HTTP caching of what readers and partners fetch: validators
(ETag, Last-Modified), 304 Not Modified, Cache-Control and Vary.

Pages, feeds, the embed card and the API all answer through `conditional_response`.
Anonymous answers may be kept by shared caches for a minute; answers that depend
on who asks (a signed-in reader, an API key) are private and always revalidated.
"""

import hashlib

from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date, quote_etag

PUBLIC_MAX_AGE = 60


def etag_of(*parts) -> str:
    """A strong ETag made from what the answer depends on (or from its bytes)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
        digest.update(b"|")
    return quote_etag(digest.hexdigest()[:40])


def conditional_response(
    request, render, *, etag, last_modified=None, private=False, vary=("Cookie",)
):
    """Answer 304 when the client's copy is current, else the full response.

    `render` is a callable making the response, called only when it is needed (so
    a 304 costs only the validators), or a response already made, when the ETag
    comes from its bytes. GET and HEAD only; anything else is `render`'s answer.
    """
    timestamp = int(last_modified.timestamp()) if last_modified else None
    made = None if callable(render) else render
    response = None
    if request.method in ("GET", "HEAD") and etag is not None:
        # 304 when current; 412 for a GET whose If-Match fails; else None or `made`.
        response = get_conditional_response(
            request, etag=etag, last_modified=timestamp, response=made
        )
    if response is None:
        response = render()
    if response.status_code not in (200, 304):
        return response
    if etag is not None:
        response.headers.setdefault("ETag", etag)
    if timestamp is not None:
        response.headers.setdefault("Last-Modified", http_date(timestamp))
    _cache_headers(response, private=private, vary=vary)
    return response


def _cache_headers(response, *, private, vary):
    if private:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    if vary:
        patch_vary_headers(response, vary)
