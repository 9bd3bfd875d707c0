"""Word-level diffs of short and long texts, as escaped HTML with <del> and <ins>.

Shared by the staff compare page (articles/admin/compare.py) and the public change
history (articles/history.py).
"""

import difflib
import re

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

# A word, a run of white space, or one other character.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def _mark_words(old, new):
    """Diff two short texts word by word: (old HTML, new HTML), escaped."""
    old_tokens, new_tokens = TOKEN.findall(old), TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    chunks = [
        [tag != "equal", "".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2])]
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
    # A space between two changed words joins them into one mark, not two.
    for before, chunk, after in zip(chunks, chunks[1:], chunks[2:], strict=False):
        if not chunk[0] and not chunk[1].strip() and before[0] and after[0]:
            chunk[0] = True
    old_html, new_html = [], []
    removed = added = ""
    for changed, old_text, new_text in [*chunks, [False, "", ""]]:
        if changed:
            removed, added = removed + old_text, added + new_text
            continue
        if removed:
            old_html.append(format_html("<del>{}</del>", removed))
        if added:
            new_html.append(format_html("<ins>{}</ins>", added))
        removed = added = ""
        old_html.append(escape(old_text))
        new_html.append(escape(new_text))
    return "".join(old_html), "".join(new_html)


def word_diff(old, new):
    """Return `old` and `new` in full as HTML, changed words in <del> and <ins>.

    Lines are matched first, so a long body costs a word diff of its changed
    paragraphs only.
    """
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    old_html, new_html = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old_part, new_part = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if tag == "equal":
            old_part, new_part = escape(old_part), escape(new_part)
        else:
            old_part, new_part = _mark_words(old_part, new_part)
        old_html.append(old_part)
        new_html.append(new_part)
    return mark_safe("".join(old_html)), mark_safe("".join(new_html))
