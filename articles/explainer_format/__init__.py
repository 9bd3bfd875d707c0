"""Explainer documents and page captures, read into `ExplainerData` and written back.

A document is one UTF-8 file: YAML front matter, then Markdown in which level-2
headings with reserved names ("Key Facts", "Quick Answers", "Frequently Asked
Questions", "Background", "Corrections") carry the annotations and every other
heading is part of the body. A capture is what a browser copies from a published
page: plain text, section titles on lines of their own. `document` reads the
first, `capture` the second, `render` writes documents, and `data` holds what they
share; the service `articles.services.explainer_import` turns the result into rows.
"""

from .capture import parse_capture
from .data import ExplainerFormatError
from .document import looks_like_document, parse_document
from .render import render_document

__all__ = [
    "ExplainerFormatError",
    "looks_like_document",
    "parse_capture",
    "parse_document",
    "render_document",
]
