"""Read an explainer document: YAML front matter followed by Markdown sections.

The front matter is checked key by key against a fixed list and turned into the
one-line fields of `ExplainerData`. Below it, level-2 headings with a reserved
name (see `data.RESERVED_SECTIONS`) hold the annotations: list items for key facts
and corrections, level-3 question headings for quick answers and FAQs. Every other
heading, and the text under it, stays in the body. Headings inside fenced code are
ignored. The list-item, key-fact and correction readers here are reused by the
capture reader.
"""

import datetime as dt
import re

import yaml
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Article, Correction, http_url

from .claims import read_claims
from .data import (
    RESERVED_SECTIONS,
    SECTION_TITLES,
    AnswerItem,
    CorrectionItem,
    ExplainerData,
    ExplainerFormatError,
    FactItem,
    _clip,
    _normalize,
)

FRONT_MATTER_KEYS = (
    "title",
    "dek",
    "slug",
    "authors",
    "topics",
    "source",
    "status",
    "publish_at",
    "comments",
    "sources",
    "needs_source",
)
SOURCE_KEYS = ("url", "title", "publisher")
HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ITEM = re.compile(r"^[-*+][ \t]+(.*)$")
ANCHOR = re.compile(r"[ \t]*\{#([A-Za-z0-9][A-Za-z0-9_-]*)\}[ \t]*$")
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
CORRECTION_LINE = re.compile(r"^(\S+)[ \t]+([A-Za-z]+):[ \t]*(.*)$")
DATETIME_EXAMPLE = "2026-11-20T09:00:00+00:00"


def parse_document(text: str) -> ExplainerData:
    """Parse an explainer document (YAML front matter + Markdown sections)."""
    lines = _normalize(text).split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise ExplainerFormatError(
            "The document must start with a '---' line opening the front matter."
        )
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.rstrip() == "---")
    except StopIteration:
        raise ExplainerFormatError(
            "The front matter is not closed: add a '---' line after it."
        ) from None
    data = _front_matter("\n".join(lines[1:end]))
    _read_sections(data, lines[end + 1 :])
    # They name anchors, so they are read once the sections are.
    read_claims(data, {"sources": data.sources, "needs_source": data.needs_source})
    return data


def looks_like_document(text: str) -> bool:
    """True when the text opens with front matter; anything else is read as a capture."""
    return _normalize(text).startswith("---")


def _front_matter(source: str) -> ExplainerData:
    try:
        meta = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise ExplainerFormatError(
            f"The front matter is not valid YAML{where}: {problem}."
        ) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ExplainerFormatError(
            "The front matter must be 'key: value' lines (a YAML mapping)."
        )
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            raise ExplainerFormatError(
                f"Unknown front-matter key '{key}' "
                f"(allowed: {', '.join(FRONT_MATTER_KEYS)})."
            )
    data = ExplainerData(
        title=_text(meta, "title"),
        dek=_text(meta, "dek"),
        slug=_text(meta, "slug"),
        authors=_names(meta, "authors"),
        topics=_names(meta, "topics"),
        status=_choice(meta, "status", Article.Status.values, "draft"),
        publish_at=_publish_at(meta.get("publish_at")),
        comments=_choice(meta, "comments", Article.CommentsMode.values, "open"),
    )
    if data.slug and not SLUG.match(data.slug):
        raise ExplainerFormatError(
            f"slug '{data.slug}' may only contain letters, digits, '-' and '_'."
        )
    source = meta.get("source") or {}
    if not isinstance(source, dict):
        raise ExplainerFormatError(
            "'source' must hold 'url', 'title' and 'publisher' lines."
        )
    for key in source:
        if key not in SOURCE_KEYS:
            raise ExplainerFormatError(
                f"Unknown front-matter key 'source.{key}' "
                f"(allowed: {', '.join(SOURCE_KEYS)})."
            )
    data.source_url = check_source_url(_text(source, "url", prefix="source."))
    data.source_title = _text(source, "title", prefix="source.")
    data.source_publisher = _text(source, "publisher", prefix="source.")
    data.sources, data.needs_source = meta.get("sources"), meta.get("needs_source")
    return data


def _text(meta, key, prefix=""):
    value = meta.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ExplainerFormatError(f"'{prefix}{key}' must be text.")
    return str(value).strip()


def _names(meta, key):
    value = meta.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ExplainerFormatError(
            f"'{key}' must be a list of names, e.g. {key}: [First Name, Second Name]."
        )
    names = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ExplainerFormatError(f"Every entry of '{key}' must be a name.")
        if item.strip() not in names:
            names.append(item.strip())
    return names


def _choice(meta, key, allowed, default):
    value = meta.get(key)
    if value is None:
        return default
    if not isinstance(value, str) or value.strip().lower() not in allowed:
        raise ExplainerFormatError(
            f"{key} '{value}' is not one of: {', '.join(allowed)}."
        )
    return value.strip().lower()


def _publish_at(value):
    if value is None or value == "":
        return None
    parsed = value
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            parsed = None
    if not isinstance(parsed, dt.datetime) or timezone.is_naive(parsed):
        raise ExplainerFormatError(
            f"publish_at '{value}' is not an ISO 8601 date and time with a zone "
            f"(e.g. {DATETIME_EXAMPLE})."
        )
    return parsed


def check_source_url(url: str) -> str:
    """Return `url` if it is an http(s) address (or empty), else raise."""
    if not url:
        return ""
    try:
        http_url(url)
    except ValidationError:
        raise ExplainerFormatError(
            f"Source URL '{url}' is not an http:// or https:// address."
        ) from None
    return url


def _split_headings(lines, level):
    """Split at ATX headings of exactly `level` outside fenced code.

    Returns the lines before the first heading and a list of
    (heading text, heading line, content lines).
    """
    preamble, sections = [], []
    current, fence = preamble, None
    for line in lines:
        opener = FENCE.match(line)
        if fence:
            closes = (
                opener
                and opener.group(1)[0] == fence[0]
                and len(opener.group(1)) >= len(fence)
                and not line.strip().strip(fence[0])
            )
            if closes:
                fence = None
        elif opener:
            fence = opener.group(1)
        else:
            heading = HEADING.match(line)
            if heading and len(heading.group(1)) == level:
                current = []
                sections.append((heading.group(2).strip(), line, current))
                continue
        current.append(line)
    return preamble, sections


def _split_anchor(text):
    match = ANCHOR.search(text)
    if not match:
        return text.strip(), ""
    return text[: match.start()].strip(), match.group(1)


def _read_sections(data, lines):
    preamble, sections = _split_headings(lines, 2)
    body = list(preamble)
    seen = set()
    for title, heading_line, content in sections:
        name, _ = _split_anchor(title)
        key = RESERVED_SECTIONS.get(name.lower())
        if key is None:
            body.append(heading_line)
            body.extend(content)
            continue
        if key in seen:
            raise ExplainerFormatError(
                f"The section '{SECTION_TITLES[key]}' appears twice."
            )
        seen.add(key)
        if key == "key_facts":
            data.key_facts = _facts(_items(content, "Key Facts"))
        elif key == "quick_answers":
            data.quick_answers = _questions(content, "Quick Answers", one_line=True)
        elif key == "faqs":
            data.faqs = _questions(content, "Frequently Asked Questions")
        elif key == "background":
            data.background = "\n".join(content).strip()
        else:
            data.corrections = _corrections(_items(content, "Corrections"))
    data.body = "\n".join(body).strip()


def _items(lines, section, joiner=" "):
    """Collect '- ' list items; a non-item line continues the item before it."""
    items = []
    for line in lines:
        if not line.strip():
            continue
        match = ITEM.match(line)
        if match:
            items.append(match.group(1).strip())
        elif items:
            items[-1] = f"{items[-1]}{joiner}{line.strip()}"
        else:
            raise ExplainerFormatError(
                f"{section}: expected a '- ' list item, found '{_clip(line)}'."
            )
    return items


def _facts(items):
    facts = []
    for item in items:
        text, anchor = _split_anchor(item)
        label, sep, rest = text.partition(": ")
        if not sep or not label.strip() or not rest.strip():
            raise ExplainerFormatError(
                f"Key fact '{_clip(item)}' must read '- Label: text'."
            )
        facts.append(FactItem(label.strip(), rest.strip(), anchor))
    _check_anchors(facts, "Key Facts")
    return facts


def _questions(lines, section, one_line=False):
    preamble, entries = _split_headings(lines, 3)
    if any(line.strip() for line in preamble):
        raise ExplainerFormatError(
            f"{section}: text before the first '### question' heading "
            f"('{_clip(next(line for line in preamble if line.strip()))}')."
        )
    items = []
    for heading, _, content in entries:
        question, anchor = _split_anchor(heading)
        if one_line:
            answer = " ".join(line.strip() for line in content if line.strip())
        else:
            answer = "\n".join(content).strip()
        if not question or not answer:
            raise ExplainerFormatError(
                f"{section}: '{_clip(heading)}' needs a question and an answer."
            )
        items.append(AnswerItem(question, answer, anchor))
    _check_anchors(items, section)
    return items


def _check_anchors(items, section):
    anchors = [item.anchor for item in items if item.anchor]
    for anchor in anchors:
        if anchors.count(anchor) > 1:
            raise ExplainerFormatError(
                f"{section}: the anchor '{anchor}' is used twice."
            )


def _corrections(items):
    corrections = []
    kinds = Correction.Kind.values
    for item in items:
        match = CORRECTION_LINE.match(item)
        if not match:
            raise ExplainerFormatError(
                f"Correction '{_clip(item)}' must read "
                "'- 2026-11-21 correction: what changed'."
            )
        when, kind, note = match.groups()
        if kind.lower() not in kinds:
            raise ExplainerFormatError(
                f"Correction kind '{kind}' is not one of: {', '.join(kinds)}."
            )
        if not note.strip():
            raise ExplainerFormatError(f"Correction '{_clip(item)}' has no note.")
        corrections.append(CorrectionItem(_correction_date(when), kind.lower(), note))
    return corrections


def _correction_date(value):
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return timezone.make_aware(dt.datetime.combine(day, dt.time()))
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        when = None
    if when is None or timezone.is_naive(when):
        raise ExplainerFormatError(
            f"Correction date '{value}' is not a date like 2026-11-21 "
            f"(or a date and time with a zone, e.g. {DATETIME_EXAMPLE})."
        )
    return when
