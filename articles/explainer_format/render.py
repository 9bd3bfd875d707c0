"""Write an article back out as an explainer document.

`explainer_data` collects an article and its related rows into `ExplainerData`,
and `render_data` turns that into front matter plus Markdown sections in the order
the document reader expects. `render_document` does both and then reads its own
output back: if any field comes back different, the article holds text the format
cannot carry, and it refuses rather than write a lossy file.
"""

import datetime as dt
from dataclasses import fields

import yaml
from django.utils import timezone

from articles.models import Article

from .claims import claims_front_matter, claims_of
from .data import (
    SECTION_TITLES,
    AnswerItem,
    CorrectionItem,
    ExplainerData,
    ExplainerFormatError,
    FactItem,
    _normalize,
)
from .document import parse_document


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

    sources, needs_source = claims_of(article)
    return ExplainerData(
        sources=sources,
        needs_source=needs_source,
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
    meta.update(claims_front_matter(data))
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
