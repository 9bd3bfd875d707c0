"""What every reader and writer of explainers shares.

Parsing a document, parsing a capture and rendering a document all pass the same
`ExplainerData` between them, raise the same one-line `ExplainerFormatError`, and
agree on the names of the reserved annotation sections. Those pieces live here,
with the two small text helpers (line-ending clean-up and clipping a line for an
error message) that more than one of the other modules needs.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from articles.models import Article


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
    # Claims' sources and "needs source" flags, by list and anchor (claims.py).
    sources: dict = field(default_factory=dict)
    needs_source: dict = field(default_factory=dict)


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


def _normalize(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _clip(text, size=60):
    text = text.strip()
    return text if len(text) <= size else f"{text[: size - 1]}…"
