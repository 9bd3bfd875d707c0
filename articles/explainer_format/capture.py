"""Read a capture: the plain text a browser copies from a published explainer.

A capture has no Markdown and no front matter, so the title has to be supplied
separately. Page furniture such as the comment prompts is dropped, a line naming
a reserved section starts that section, and a "Source reference:" line gives the
source URL. Body lines that look like titles become level-2 headings, other lines
become paragraphs, escaped where Markdown would misread them. Key facts and
corrections reuse the document reader's item rules.
"""

import re

from .data import (
    RESERVED_SECTIONS,
    SECTION_TITLES,
    AnswerItem,
    ExplainerData,
    ExplainerFormatError,
    _clip,
    _normalize,
)
from .document import ITEM, _corrections, _facts, _items, check_source_url

SOURCE_LINE = re.compile(r"^source reference:\s*(\S+)$", re.IGNORECASE)
FURNITURE = re.compile(
    r"^(?:\s*(?:comments|sign in to leave a comment|sign in"
    r"|loading comments(?:\.\.\.|…)?))+\s*$",
    re.IGNORECASE,
)


def parse_capture(text: str, *, title: str | None = None) -> ExplainerData:
    """Parse the plain text of a published page; the title must come from elsewhere.

    A browser copies the page's title too: a first line that is `title` is dropped.
    """
    lines = [line.strip() for line in _normalize(text).split("\n")]
    lines = [line for line in lines if line and not FURNITURE.match(line)]
    if lines and title and _same_text(lines[0], title):
        lines = lines[1:]
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


def _same_text(a, b):
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


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
