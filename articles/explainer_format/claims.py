"""Claims' sources in an explainer document's front matter.

Two optional keys, each keyed by the list's name (`key_facts`, `quick_answers`,
`faqs`) and then by a claim's anchor, which the claim must state ({#anchor}):

    sources:
      key_facts:
        fact-budget:
          - url: https://example.org/budget
            title: Budget 2026
            publisher: Finance Ministry
            accessed: 2026-11-20
            quote: The budget rises by 4%.
    needs_source:
      faqs: [faq-why-now]

`url` and `title` are required, the rest optional. In `ExplainerData` they are
`sources` ({list: {anchor: [source dict]}}) and `needs_source` ({list: [anchor]}).
"""

import datetime as dt

from django.core.exceptions import ValidationError

from articles.citations import normal_item, sources_state
from articles.models import ANNOTATION_KINDS, QUOTE_LENGTH, http_url

from .data import ExplainerFormatError, _clip

LIST_NAMES = tuple(kind.list_name for kind in ANNOTATION_KINDS)
CLAIM_SOURCE_KEYS = ("url", "title", "publisher", "accessed", "quote")


def _mapping(value, where):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ExplainerFormatError(f"'{where}' must map list names to anchors.")
    for key in value:
        if key not in LIST_NAMES:
            raise ExplainerFormatError(
                f"Unknown list '{where}.{key}' (allowed: {', '.join(LIST_NAMES)})."
            )
    return value


def _stated(data, name, anchor, where):
    anchors = {item.anchor for item in getattr(data, name) if item.anchor}
    if not isinstance(anchor, str) or anchor not in anchors:
        raise ExplainerFormatError(
            f"'{where}' names '{_clip(str(anchor))}', which no item of {name} "
            "states as its anchor (write it after the item as {#anchor})."
        )


def _text(source, key, where):
    value = source.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ExplainerFormatError(f"'{where}.{key}' must be text.")
    text = str(value).strip()
    if "\n" in text:
        raise ExplainerFormatError(f"'{where}.{key}' must be one line.")
    return text


def _source(source, where):
    if not isinstance(source, dict):
        raise ExplainerFormatError(f"'{where}' must hold 'url' and 'title' lines.")
    for key in source:
        if key not in CLAIM_SOURCE_KEYS:
            raise ExplainerFormatError(
                f"Unknown key '{where}.{key}' (allowed: {', '.join(CLAIM_SOURCE_KEYS)})."
            )
    item = {key: _text(source, key, where) for key in ("url", "title", "publisher")}
    item["quote"] = _text(source, "quote", where)
    if not item["url"] or not item["title"]:
        raise ExplainerFormatError(f"'{where}' needs a 'url' and a 'title'.")
    try:
        http_url(item["url"])
    except ValidationError:
        raise ExplainerFormatError(
            f"'{where}.url' ('{_clip(item['url'])}') is not an http:// or https:// "
            "address."
        ) from None
    if len(item["quote"]) > QUOTE_LENGTH:
        raise ExplainerFormatError(
            f"'{where}.quote' is longer than {QUOTE_LENGTH} characters."
        )
    accessed = source.get("accessed")
    if isinstance(accessed, str) and accessed.strip():
        try:
            accessed = dt.date.fromisoformat(accessed.strip())
        except ValueError:
            accessed = False
    if accessed not in (None, "") and not isinstance(accessed, dt.date):
        raise ExplainerFormatError(f"'{where}.accessed' is not a date like 2026-11-20.")
    item["accessed"] = accessed
    return normal_item(item)


def read_claims(data, meta) -> None:
    """Fill `data.sources` and `data.needs_source` from the front matter `meta`.

    Call after the sections are read: every anchor named must be stated there.
    """
    sources = {}
    for name, claims in _mapping(meta.get("sources"), "sources").items():
        if not isinstance(claims, dict):
            raise ExplainerFormatError(f"'sources.{name}' must map anchors to lists.")
        for anchor, items in claims.items():
            where = f"sources.{name}.{anchor}"
            _stated(data, name, anchor, where)
            if not isinstance(items, list):
                raise ExplainerFormatError(f"'{where}' must be a list of sources.")
            if items:
                found = [
                    _source(item, f"{where}.{n}") for n, item in enumerate(items, 1)
                ]
                sources.setdefault(name, {})[anchor] = found
    needs = {}
    for name, anchors in _mapping(meta.get("needs_source"), "needs_source").items():
        if not isinstance(anchors, list):
            raise ExplainerFormatError(f"'needs_source.{name}' must list anchors.")
        for anchor in anchors:
            _stated(data, name, anchor, f"needs_source.{name}")
        if anchors:
            needs[name] = list(dict.fromkeys(anchors))
    data.sources, data.needs_source = sources, needs


def claims_of(article) -> tuple[dict, dict]:
    """(`sources`, `needs_source`) of a saved article, as the reader makes them."""
    sources, needs = {}, {}
    for kind in ANNOTATION_KINDS:
        rows = kind.objects.filter(article=article).prefetch_related("sources")
        for claim in rows.order_by("position", "pk"):
            found = sources_state(claim)
            if found:
                sources.setdefault(kind.list_name, {})[claim.anchor] = found
            if claim.needs_source:
                needs.setdefault(kind.list_name, []).append(claim.anchor)
    return sources, needs


def claims_front_matter(data) -> dict:
    """The `sources` and `needs_source` keys to write (none when empty)."""
    meta = {}
    if data.sources:
        meta["sources"] = {
            name: {
                anchor: [
                    {key: value for key, value in s.items() if value} for s in items
                ]
                for anchor, items in claims.items()
            }
            for name, claims in data.sources.items()
        }
    if data.needs_source:
        meta["needs_source"] = {name: list(a) for name, a in data.needs_source.items()}
    return meta
