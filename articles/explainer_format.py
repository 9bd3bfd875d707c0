"""Read and write explainer documents, and read plain-text captures of published pages.

A document is Markdown with YAML front matter; level-2 headings with reserved names
("Key Facts", "Quick Answers", "Frequently Asked Questions", "Background",
"Corrections") hold the annotations, every other heading belongs to the body. A
capture is the text of a published page as a browser copies it: no Markdown, section
titles on lines of their own. Both parse to `ExplainerData`; the service
`explainer_import` turns that into rows.
"""

import datetime as dt
import re
from dataclasses import dataclass, field, fields
from typing import NamedTuple

import yaml
from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import Article, Correction, http_url


class ExplainerFormatError(ValueError):
    """A document or capture that cannot be read; the message is one line."""


class FactItem(NamedTuple):
    label: str
    text: str
    anchor: str = ""


class AnswerItem(NamedTuple):
    question: str
    answer: str
    anchor: str = ""


class CorrectionItem(NamedTuple):
    date: dt.datetime
    kind: str
    note: str


@dataclass
class ExplainerData:
    title: str = ""
    dek: str = ""
    slug: str = ""
    authors: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    source_url: str = ""
    source_title: str = ""
    source_publisher: str = ""
    status: str = Article.Status.DRAFT.value
    publish_at: dt.datetime | None = None
    comments: str = Article.CommentsMode.OPEN.value
    body: str = ""
    background: str = ""
    key_facts: list = field(default_factory=list)
    quick_answers: list = field(default_factory=list)
    faqs: list = field(default_factory=list)
    corrections: list = field(default_factory=list)


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
)
SOURCE_KEYS = ("url", "title", "publisher")
SECTION_TITLES = {
    "key_facts": "Key Facts",
    "quick_answers": "Quick Answers",
    "faqs": "Frequently Asked Questions",
    "background": "Background",
    "corrections": "Corrections",
}
RESERVED_SECTIONS = {
    "key facts": "key_facts",
    "quick answers": "quick_answers",
    "frequently asked questions": "faqs",
    "faq": "faqs",
    "faqs": "faqs",
    "background": "background",
    "corrections": "corrections",
    "corrections and updates": "corrections",
}

HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ITEM = re.compile(r"^[-*+][ \t]+(.*)$")
ANCHOR = re.compile(r"[ \t]*\{#([A-Za-z0-9][A-Za-z0-9_-]*)\}[ \t]*$")
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
CORRECTION_LINE = re.compile(r"^(\S+)[ \t]+([A-Za-z]+):[ \t]*(.*)$")
SOURCE_LINE = re.compile(r"^source reference:\s*(\S+)$", re.IGNORECASE)
FURNITURE = re.compile(
    r"^(?:\s*(?:comments|sign in to leave a comment|sign in"
    r"|loading comments(?:\.\.\.|…)?))+\s*$",
    re.IGNORECASE,
)
DATETIME_EXAMPLE = "2026-11-20T09:00:00+00:00"


# --- reading documents ----------------------------------------------------------


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
    return data


def looks_like_document(text: str) -> bool:
    """True when the text opens with front matter; anything else is read as a capture."""
    return _normalize(text).startswith("---")


def _normalize(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


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


def _clip(text, size=60):
    text = text.strip()
    return text if len(text) <= size else f"{text[: size - 1]}…"


# --- reading captures -----------------------------------------------------------


def parse_capture(text: str) -> ExplainerData:
    """Parse the plain text of a published page; the title must come from elsewhere."""
    lines = [line.strip() for line in _normalize(text).split("\n")]
    lines = [line for line in lines if line and not FURNITURE.match(line)]
    if not lines:
        raise ExplainerFormatError("The capture has no text.")
    data = ExplainerData()
    body, parts, section = [], {}, None
    for line in lines:
        key = RESERVED_SECTIONS.get(line.rstrip(":").strip().lower())
        if key:
            if key in parts:
                raise ExplainerFormatError(
                    f"The section '{SECTION_TITLES[key]}' appears twice."
                )
            section = parts[key] = []
            continue
        source = SOURCE_LINE.match(line)
        if source:
            data.source_url = check_source_url(source.group(1))
        elif section is None:
            body.append(line)
        else:
            section.append(line)
    data.body = _plain_to_markdown(body, titles=True)
    data.background = _plain_to_markdown(parts.get("background", []))
    data.key_facts = _facts(_items(parts.get("key_facts", []), "Key Facts"))
    data.quick_answers = _capture_answers(parts.get("quick_answers", []))
    data.faqs = _capture_faqs(parts.get("faqs", []))
    data.corrections = _corrections(
        [ITEM.sub(r"\1", line) for line in parts.get("corrections", [])]
    )
    return data


def _looks_like_title(line):
    return (
        len(line) <= 100
        and len(line.split()) <= 14
        and not ITEM.match(line)
        and not line.endswith(
            (".", "!", "?", ":", ";", ",", "…", '"', "\u201d", "'", "\u2019")
        )
    )


def _plain_to_markdown(lines, titles=False):
    """Paragraph per line, '- ' runs as lists, and (optionally) title lines as '## '."""
    blocks = []
    in_list = False
    for i, line in enumerate(lines):
        if ITEM.match(line):
            item = f"- {_escape(ITEM.match(line).group(1))}"
            if in_list:
                blocks[-1] = f"{blocks[-1]}\n{item}"
            else:
                blocks.append(item)
            in_list = True
            continue
        in_list = False
        following = lines[i + 1] if i + 1 < len(lines) else None
        if (
            titles
            and _looks_like_title(line)
            and following is not None
            and not _looks_like_title(following)
        ):
            blocks.append(f"## {line}")
        else:
            blocks.append(_escape(line))
    return "\n\n".join(blocks)


def _escape(line):
    """Keep a captured line plain text where Markdown would read it as a block marker."""
    line = re.sub(r"^(\d+)([.)])(\s)", r"\1\\\2\3", line)
    return re.sub(r"^([#>+=|]|-{3,}|\*)", r"\\\1", line)


def _capture_answers(lines):
    items = _items(lines, "Quick Answers")
    if len(items) % 2:
        raise ExplainerFormatError(
            "Quick Answers: expected alternating '- question' and '- answer' items, "
            f"but the last question ('{_clip(items[-1])}') has no answer."
        )
    return [AnswerItem(q, a) for q, a in zip(items[::2], items[1::2], strict=True)]


def _capture_faqs(lines):
    entries = []
    for line in lines:
        starts_new = not entries or (line.endswith("?") and entries[-1][1])
        if starts_new:
            entries.append((line, []))
        else:
            entries[-1][1].append(line)
    faqs = []
    for question, answer in entries:
        if not answer:
            raise ExplainerFormatError(
                f"Frequently Asked Questions: '{_clip(question)}' has no answer."
            )
        faqs.append(AnswerItem(question, _plain_to_markdown(answer)))
    return faqs


# --- writing documents ----------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    dt.datetime,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:timestamp", value.isoformat()
    ),
)


def explainer_data(article: Article) -> ExplainerData:
    """The article, its people, topics and annotations as `ExplainerData`."""

    def clean(text):
        return _normalize(text).strip()

    return ExplainerData(
        title=article.title,
        dek=clean(article.dek),
        slug=article.slug,
        authors=[author.name for author in article.authors.all()],
        topics=[topic.name for topic in article.topics.all()],
        source_url=article.source_url,
        source_title=article.source_title,
        source_publisher=article.source_publisher,
        status=article.status,
        publish_at=article.publish_at,
        comments=article.comments_mode,
        body=clean(article.body),
        background=clean(article.background),
        key_facts=[
            FactItem(fact.label, fact.text, fact.anchor)
            for fact in article.key_facts.all()
        ],
        quick_answers=[
            AnswerItem(item.question, item.answer, item.anchor)
            for item in article.quick_answers.all()
        ],
        faqs=[
            AnswerItem(item.question, clean(item.answer), item.anchor)
            for item in article.faqs.all()
        ],
        corrections=[
            # A note is one list item: line breaks in it become spaces.
            CorrectionItem(
                timezone.localtime(item.created_at),
                item.kind,
                " ".join(item.note.split()),
            )
            for item in article.corrections.all()
        ],
    )


def render_document(article: Article) -> str:
    """Write the article as a document; refuse if reading it back would lose anything."""
    data = explainer_data(article)
    text = render_data(data)
    again = parse_document(text)
    for item in fields(ExplainerData):
        if _comparable(item.name, getattr(again, item.name)) != _comparable(
            item.name, getattr(data, item.name)
        ):
            raise ExplainerFormatError(
                f"'{article.slug}' cannot be exported without loss: its "
                f"{item.name.replace('_', ' ')} contains text the document format "
                "reserves (a section heading or a line break in a one-line field)."
            )
    return text


def _comparable(name, value):
    # Authors and topics are unordered sets on the article.
    return sorted(value) if name in ("authors", "topics") else value


def render_data(data: ExplainerData) -> str:
    meta = {"title": data.title}
    if data.dek:
        meta["dek"] = data.dek
    meta["slug"] = data.slug
    meta["authors"] = list(data.authors)
    meta["topics"] = list(data.topics)
    source = {
        "url": data.source_url,
        "title": data.source_title,
        "publisher": data.source_publisher,
    }
    if any(source.values()):
        meta["source"] = {key: value for key, value in source.items() if value}
    meta["status"] = data.status
    if data.publish_at:
        meta["publish_at"] = data.publish_at
    meta["comments"] = data.comments
    front = "".join(
        yaml.dump(
            {key: value},
            Dumper=_Dumper,
            sort_keys=False,
            default_flow_style=None if isinstance(value, list) else False,
            allow_unicode=True,
            width=1_000_000,
        )
        for key, value in meta.items()
    )
    parts = [f"---\n{front}---"]
    if data.body:
        parts.append(data.body)
    if data.key_facts:
        lines = [f"- {f.label}: {f.text}{_anchor(f.anchor)}" for f in data.key_facts]
        parts.append("## Key Facts\n\n" + "\n".join(lines))
    for key, items in (("quick_answers", data.quick_answers), ("faqs", data.faqs)):
        if items:
            entries = [
                f"### {item.question}{_anchor(item.anchor)}\n\n{item.answer}"
                for item in items
            ]
            parts.append(f"## {SECTION_TITLES[key]}\n\n" + "\n\n".join(entries))
    if data.background:
        parts.append(f"## Background\n\n{data.background}")
    if data.corrections:
        lines = [
            f"- {_correction_when(c.date)} {c.kind}: {c.note}" for c in data.corrections
        ]
        parts.append("## Corrections\n\n" + "\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _anchor(anchor):
    return f" {{#{anchor}}}" if anchor else ""


def _correction_when(when):
    local = timezone.localtime(when)
    if local.time() == dt.time():
        return local.date().isoformat()
    return when.isoformat()
