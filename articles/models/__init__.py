"""The articles app's models, in modules by what they hold; all importable from here."""

from .annotations import (
    ANNOTATION_KINDS,
    FAQ,
    Annotation,
    Correction,
    KeyFact,
    QuickAnswer,
)
from .article import Article, ArticleQuerySet, Author, Topic
from .desk import ArticleSlug, Autosave, ChangeEvent, WorkingCopy
from .sources import (
    QUOTE_LENGTH,
    SOURCE_FIELDS,
    FAQSource,
    KeyFactSource,
    QuickAnswerSource,
    Source,
    source_model,
)
from .text import (
    SUMMARY_LENGTH,
    first_free,
    http_url,
    slug_words,
    strip_control_characters,
    unique_slug,
)

__all__ = [
    "ANNOTATION_KINDS",
    "FAQ",
    "QUOTE_LENGTH",
    "SOURCE_FIELDS",
    "SUMMARY_LENGTH",
    "Annotation",
    "Article",
    "ArticleQuerySet",
    "ArticleSlug",
    "Author",
    "Autosave",
    "ChangeEvent",
    "Correction",
    "FAQSource",
    "KeyFact",
    "KeyFactSource",
    "QuickAnswer",
    "QuickAnswerSource",
    "Source",
    "Topic",
    "WorkingCopy",
    "first_free",
    "http_url",
    "slug_words",
    "source_model",
    "strip_control_characters",
    "unique_slug",
]
