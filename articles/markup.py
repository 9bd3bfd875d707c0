"""Markdown -> HTML -> nh3 allowlist: the only place HTML is made from text.

Every rich-text field in the project goes through `render()`; the stored HTML is
therefore already safe to print. Comments will use a stricter profile.
"""

from dataclasses import dataclass, field

import markdown
import nh3

MARKDOWN_EXTENSIONS = [
    "markdown.extensions.tables",
    "markdown.extensions.footnotes",
    "markdown.extensions.fenced_code",
    "markdown.extensions.sane_lists",
    "markdown.extensions.toc",
    "markdown.extensions.abbr",
    "markdown.extensions.def_list",
]
MARKDOWN_CONFIG = {
    "markdown.extensions.tables": {"use_align_attribute": True},
    "markdown.extensions.toc": {"permalink": False, "toc_depth": "2-6"},
    "markdown.extensions.footnotes": {"BACKLINK_TITLE": "Back to the text"},
}


@dataclass(frozen=True)
class Allowlist:
    tags: frozenset
    attributes: dict = field(default_factory=dict)
    classes: dict = field(default_factory=dict)
    url_schemes: frozenset = frozenset({"http", "https", "mailto"})
    link_rel: str | None = "noopener noreferrer"


ARTICLE = Allowlist(
    tags=frozenset(
        {
            "p",
            "br",
            "hr",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "strong",
            "em",
            "b",
            "i",
            "s",
            "del",
            "ins",
            "sub",
            "sup",
            "mark",
            "small",
            "abbr",
            "code",
            "pre",
            "kbd",
            "blockquote",
            "q",
            "cite",
            "ul",
            "ol",
            "li",
            "dl",
            "dt",
            "dd",
            "a",
            "img",
            "table",
            "thead",
            "tbody",
            "tfoot",
            "tr",
            "th",
            "td",
            "caption",
            "div",
            "span",
            "figure",
            "figcaption",
        }
    ),
    attributes={
        "a": {"href", "title", "id"},
        "img": {"src", "alt", "title", "width", "height"},
        "abbr": {"title"},
        "h2": {"id"},
        "h3": {"id"},
        "h4": {"id"},
        "h5": {"id"},
        "h6": {"id"},
        "li": {"id"},
        "sup": {"id"},
        "ol": {"start"},
        "th": {"align", "scope"},
        "td": {"align"},
    },
    classes={
        "div": {"footnote"},
        "a": {"footnote-ref", "footnote-backref"},
        "code": {
            f"language-{lang}"
            for lang in (
                "python",
                "javascript",
                "json",
                "html",
                "css",
                "bash",
                "sql",
                "text",
            )
        },
    },
)


def sanitize(html: str, allowlist: Allowlist = ARTICLE) -> str:
    """Keep only what the allowlist names; drop the content of script and style."""
    return nh3.clean(
        html,
        tags=set(allowlist.tags),
        attributes={tag: set(attrs) for tag, attrs in allowlist.attributes.items()},
        allowed_classes={tag: set(c) for tag, c in allowlist.classes.items()},
        url_schemes=set(allowlist.url_schemes),
        link_rel=allowlist.link_rel,
        strip_comments=True,
    )


def render(text: str, allowlist: Allowlist = ARTICLE) -> str:
    """Render Markdown source to sanitized HTML (empty text gives an empty string)."""
    if not text or not text.strip():
        return ""
    html = markdown.markdown(
        text,
        extensions=MARKDOWN_EXTENSIONS,
        extension_configs=MARKDOWN_CONFIG,
        output_format="html",
    )
    return sanitize(html, allowlist)
