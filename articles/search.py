"""Reader search over published explainers.

One entry point, `search_articles(queryset, query)` (also `ArticleQuerySet.search`),
returns the matching articles best first; each result carries `rank` (a float) and
`snippet` (safe HTML: escaped text whose only tags are <mark>).

Each article keeps a plain-text `search_document` (body, background and every
annotation, Markdown stripped, a chart by its title and source note) written by
`refresh_search_document`, which `services.article_changed` calls after every
write. On PostgreSQL the same call stores a weighted `search_vector` (title A,
dek B, annotations and background C, body D) that a GIN index serves; queries are
parsed websearch-style and snippets come from ts_headline. Elsewhere (SQLite in
development and tests) every word of the query must appear, case-insensitively, in
the title, dek, body or document, and title matches rank first.
"""

import html
import re
import unicodedata

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connections
from django.db.models import Case, F, Q, Value, When
from django.db.models.query import ModelIterable
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from figures.charts import charts_as_words

from . import markup

MAX_QUERY_LENGTH = 200
MAX_FALLBACK_TERMS = 8
SEARCH_CONFIG = "english"
SNIPPET_CHARS = 220

# ts_headline wraps matches in these; they are removed from every indexed text, so in
# a headline they can only be ts_headline's own, and are swapped for <mark> after the
# text around them is escaped.
MARK_START = "\ue000"
MARK_STOP = "\ue001"

HIGHLIGHT = markup.Allowlist(tags=frozenset({"mark"}), link_rel=None)

_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?|([^\s"]+))')
_SPACE = re.compile(r"\s+")


def clean_query(raw) -> str:
    """Make a reader's query safe to parse: no control characters, one-spaced, capped."""
    text = "".join(
        " " if unicodedata.category(ch).startswith("C") else ch for ch in str(raw or "")
    )
    text = _SPACE.sub(" ", text).strip()
    if len(text) > MAX_QUERY_LENGTH:
        # Cut at a space so the last word is not a fragment that matches nothing.
        cut = text[: MAX_QUERY_LENGTH + 1]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_QUERY_LENGTH]
    return text.strip()


def query_terms(query: str) -> tuple[list[str], list[str]]:
    """Split a query into (wanted, unwanted) terms for the non-PostgreSQL fallback.

    A rough copy of websearch syntax: "a phrase" stays whole, -word excludes, and
    the word "or" is dropped (every other term must match).
    """
    wanted, unwanted = [], []
    for minus, phrase, token in _TOKEN.findall(query.lower()):
        if phrase:
            terms = [_SPACE.sub(" ", phrase).strip()]
        elif token == "or":
            continue
        else:
            terms = _WORD.findall(token)
        bucket = unwanted if minus else wanted
        bucket.extend(t for t in terms if t and t not in bucket)
    return wanted[:MAX_FALLBACK_TERMS], unwanted[:MAX_FALLBACK_TERMS]


def _text(text: str) -> str:
    """Plain text, one-spaced, without the highlight sentinels."""
    text = (text or "").replace(MARK_START, " ").replace(MARK_STOP, " ")
    return _SPACE.sub(" ", text).strip()


def _plain(html_text: str) -> str:
    """The text of sanitized HTML (a rendered Markdown field); a chart in it counts
    by its title and source note only."""
    return _text(html.unescape(strip_tags(charts_as_words(html_text or ""))))


# What the document reads of each annotation list: (list name, fields).
ANNOTATION_TEXT = (
    ("key_facts", ("label", "text")),
    ("quick_answers", ("question", "answer")),
    ("faqs", ("question", "answer_html")),
)


def _annotation_rows(articles) -> dict:
    """{article id: (facts, answers, faqs)} for `articles`: three queries in all."""
    found = {article.pk: ([], [], []) for article in articles}
    model = type(next(iter(articles)))
    for index, (name, fields) in enumerate(ANNOTATION_TEXT):
        rows = model._meta.get_field(name).related_model._default_manager.filter(
            article_id__in=list(found)
        )
        for article_id, *values in rows.order_by(
            "article_id", "position", "pk"
        ).values_list("article_id", *fields):
            found[article_id][index].append(values)
    return found


def _document_parts(article, rows) -> tuple[str, str]:
    """Return (body text, annotation text) as plain text; `rows` is the article's
    entry of `_annotation_rows`."""
    facts, answers, faqs = rows
    lines = [f"{label}: {text}" for label, text in facts]
    lines.extend(f"{question} {answer}" for question, answer in answers)
    lines.extend(f"{question} {_plain(answer_html)}" for question, answer_html in faqs)
    lines.append(_plain(article.background_html))
    annotations = "\n".join(_text(line) for line in lines if line.strip())
    return _plain(article.body_html), annotations


def refresh_search_document(article) -> None:
    """Rebuild the article's stored search text (and vector, on PostgreSQL)."""
    refresh_search_documents([article])


def refresh_search_documents(articles) -> None:
    """`refresh_search_document` for several articles: four queries however many."""
    articles = list(articles)
    if not articles:
        return
    model = type(articles[0])
    postgres = connections[model._default_manager.db].vendor == "postgresql"
    rows = _annotation_rows(articles)
    updates = []
    for article in articles:
        body, annotations = _document_parts(article, rows[article.pk])
        article.search_document = "\n\n".join(p for p in (body, annotations) if p)
        changes = {"search_document": article.search_document}
        if postgres:
            changes["search_vector"] = (
                SearchVector("title", weight="A", config=SEARCH_CONFIG)
                + SearchVector("dek", weight="B", config=SEARCH_CONFIG)
                + SearchVector(Value(annotations), weight="C", config=SEARCH_CONFIG)
                + SearchVector(Value(body), weight="D", config=SEARCH_CONFIG)
            )
        updates.append(model(pk=article.pk, **changes))
    manager = model._default_manager
    if len(updates) == 1:  # every single write: a plain UPDATE
        manager.filter(pk=updates[0].pk).update(**changes)
    else:
        manager.bulk_update(updates, list(changes))


class _SearchResultIterable(ModelIterable):
    """Yield articles with `snippet` built from the row's headline and query words."""

    def __iter__(self):
        for article in super().__iter__():
            article.snippet = build_snippet(
                getattr(article, "search_headline", ""),
                [w for w in getattr(article, "search_words", "").split("\n") if w],
            )
            yield article


def search_articles(queryset, query):
    """Narrow `queryset` to articles matching `query`, best first; see module doc."""
    query = clean_query(query)
    if not query:
        return queryset.none()
    if connections[queryset.db].vendor == "postgresql":
        results = _postgres_search(queryset, query)
    else:
        results = _fallback_search(queryset, query)
    if results is None:
        return queryset.none()
    results._iterable_class = _SearchResultIterable
    return results


def _postgres_search(queryset, query):
    parsed = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    return (
        queryset.filter(search_vector=parsed)
        .annotate(
            rank=SearchRank(F("search_vector"), parsed),
            search_headline=SearchHeadline(
                "search_document",
                parsed,
                config=SEARCH_CONFIG,
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
            search_words=Value(""),
        )
        .order_by("-rank", "-publish_at", "-pk")
    )


def _fallback_search(queryset, query):
    words, unwanted = query_terms(query)
    if not words:
        return None

    def anywhere(term):
        return (
            Q(title__icontains=term)
            | Q(dek__icontains=term)
            | Q(body__icontains=term)
            | Q(search_document__icontains=term)
        )

    matches, in_title, in_dek = Q(), Q(), Q()
    for word in words:
        matches &= anywhere(word)
        in_title |= Q(title__icontains=word)
        in_dek |= Q(dek__icontains=word)
    for term in unwanted:
        matches &= ~anywhere(term)
    return (
        queryset.filter(matches)
        .annotate(
            rank=Case(
                When(in_title, then=Value(1.0)),
                When(in_dek, then=Value(0.4)),
                default=Value(0.1),
            ),
            search_headline=F("search_document"),
            search_words=Value("\n".join(words)),
        )
        .order_by("-rank", "-publish_at", "-pk")
    )


def build_snippet(text: str, words: list[str]):
    """Return safe HTML: escaped text with matches wrapped in <mark>, nothing else."""
    text = _SPACE.sub(" ", text or "").strip()
    if MARK_START in text:
        marked = (
            escape(text).replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
        )
    else:
        marked = _mark_words(_excerpt(text, words), words)
    return mark_safe(markup.sanitize(marked, HIGHLIGHT))


def _excerpt(text: str, words: list[str]) -> str:
    text = _SPACE.sub(" ", text).strip()
    if len(text) <= SNIPPET_CHARS:
        return text
    folded = text.lower()
    hits = [pos for pos in (folded.find(w) for w in words) if pos >= 0]
    first = min(hits) if hits else 0
    start = max(0, first - SNIPPET_CHARS // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = start + SNIPPET_CHARS
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first else end
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return f"{prefix}{text[start:end].strip()}{suffix}"


def _mark_words(text: str, words: list[str]) -> str:
    """Escape `text`, wrapping each case-insensitive occurrence of a word in <mark>."""
    if not words:
        return escape(text)
    pattern = re.compile(
        "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)),
        re.IGNORECASE,
    )
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)
