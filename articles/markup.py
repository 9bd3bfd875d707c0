"""Markdown -> HTML -> nh3 allowlist: the only place HTML is made from text.

Every rich-text field in the project goes through `render()`; the stored HTML is
therefore already safe to print. Comments will use a stricter profile.
"""

import re
from dataclasses import dataclass, field
from html import escape as html_escape
from html import unescape

import markdown
import nh3
from django.utils.html import strip_tags

from figures.markup import finish as finish_references

MARKDOWN_EXTENSIONS = [
    "markdown.extensions.tables",
    "markdown.extensions.footnotes",
    "markdown.extensions.fenced_code",
    "markdown.extensions.sane_lists",
    "markdown.extensions.toc",
    "markdown.extensions.abbr",
    "markdown.extensions.def_list",
    # `![alt](image:42 "caption")` and other library assets (figures/markup.py).
    "figures.markup:AssetExtension",
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
            "picture",
            "source",
        }
    ),
    attributes={
        "a": {"href", "title", "id"},
        "img": {
            "src",
            "alt",
            "title",
            "width",
            "height",
            "srcset",
            "sizes",
            "loading",
            "decoding",
        },
        "source": {"type", "srcset", "sizes"},
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
        "figure": {"figure"},
        "small": {"figure__credit"},
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


def _clean_once(html: str, allowlist: Allowlist) -> str:
    return nh3.clean(
        html,
        tags=set(allowlist.tags),
        attributes={tag: set(attrs) for tag, attrs in allowlist.attributes.items()},
        allowed_classes={tag: set(c) for tag, c in allowlist.classes.items()},
        url_schemes=set(allowlist.url_schemes),
        link_rel=allowlist.link_rel,
        strip_comments=True,
    )


def sanitize(html: str, allowlist: Allowlist = ARTICLE) -> str:
    """Keep only what the allowlist names; drop the content of script and style."""
    cleaned = _clean_once(html, allowlist)
    # Dropping an element can leave nesting the parser reads differently next time
    # (<p><marquee></p> becomes <p><p></p></p>); clean until the output is stable so
    # stored HTML is a fixed point of the sanitizer.
    for _ in range(3):
        again = _clean_once(cleaned, allowlist)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control_characters(text: str) -> str:
    """Remove C0 control characters (keeping tab, newline, carriage return).

    They have no place in editorial text, and XML (feeds, sitemaps) cannot carry them.
    """
    return CONTROL_CHARACTERS.sub("", text)


def clean_text(text: str) -> str:
    """Stored form of any text field: LF line endings and no control characters.

    Browsers send a textarea with CRLF, API clients usually LF; both store the same.
    """
    return strip_control_characters(text.replace("\r\n", "\n").replace("\r", "\n"))


PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>(.*?)</p>", re.DOTALL)
FOOTNOTE_REFERENCE = re.compile(r"<sup id=\"fnref[^>]*>.*?</sup>", re.DOTALL)


def first_paragraph(html: str, *, limit: int) -> str:
    """The first paragraph of rendered HTML as one line of plain text.

    Footnote marks are left out; longer than `limit` characters, it is cut between
    words and ends with an ellipsis.
    """
    found = PARAGRAPH.search(html or "")
    if not found:
        return ""
    fragment = FOOTNOTE_REFERENCE.sub("", found.group(1))
    text = " ".join(unescape(strip_tags(fragment)).split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if text[limit - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:-\u2013\u2014") + "\u2026"


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
    # Library assets the allowlist must not admit (chart SVG) go in after cleaning.
    return finish_references(sanitize(html, allowlist))


# Reader comments: plain text only. Paragraphs, line breaks and links made here, the
# links marked as user content so search engines do not credit them.
COMMENT = Allowlist(
    tags=frozenset({"p", "br", "a"}),
    attributes={"a": {"href"}},
    url_schemes=frozenset({"http", "https"}),
    link_rel="nofollow ugc noopener",
)

_linkify = None


def _linkifier():
    global _linkify
    if _linkify is None:
        from linkify_it import LinkifyIt

        _linkify = LinkifyIt()
    return _linkify


def _linkified_line(line: str) -> str:
    """Escape one line of plain text, turning http(s) addresses into links."""
    out, last = [], 0
    for match in _linkifier().match(line) or []:
        if not match.url.lower().startswith(("http://", "https://")):
            continue
        out.append(html_escape(line[last : match.index]))
        out.append(
            f'<a href="{html_escape(match.url)}">'
            f"{html_escape(line[match.index : match.last_index])}</a>"
        )
        last = match.last_index
    out.append(html_escape(line[last:]))
    return "".join(out)


def render_comment(text: str) -> str:
    """Plain text -> escaped paragraphs with linked addresses -> the COMMENT allowlist."""
    if not text or not text.strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]
    html = "".join(
        "<p>" + "<br>".join(_linkified_line(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
    return sanitize(html, COMMENT)
