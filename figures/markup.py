"""Markdown references to library assets: the one place they are resolved.

An editor writes `![alt](image:42 "caption")` (or `chart:7` once charts register)
in any Markdown field. `articles/markup.render` runs `AssetExtension`, which looks
up every reference in one pass per kind, asks the kind's renderer for HTML and lets
the nh3 allowlist clean it with the rest of the body, once, on save. Pages print
the stored HTML, so a figure costs no query when read.

A kind registers itself with `register_reference("chart", load=..., render=...)`:

- `load(pks: set[int]) -> dict[int, object]` fetches the objects (one query);
- `render(obj, ref: Reference) -> str` gives HTML: a `<figure>` when `ref.block`,
  something that fits inside a sentence otherwise;
- `check(obj, ref) -> str | None` (optional) names a problem that must stop
  publishing (missing alt text, say).
"""

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor


@dataclass(frozen=True)
class Reference:
    scheme: str
    pk: int
    alt: str = ""
    title: str = ""
    block: bool = True


@dataclass(frozen=True)
class ReferenceKind:
    scheme: str
    load: Callable[[set[int]], dict]
    render: Callable[[object, Reference], str]
    check: Callable[[object, Reference], str | None] | None = None
    label: str = ""


_KINDS: dict[str, ReferenceKind] = {}


def register_reference(scheme, *, load, render, check=None, label=""):
    """Make `![…](<scheme>:<pk> "…")` render through `render` (see module doc)."""
    _KINDS[scheme] = ReferenceKind(scheme, load, render, check, label or scheme)


def registered_kinds() -> dict[str, ReferenceKind]:
    _load_builtin_kinds()
    return dict(_KINDS)


# Steps run on the sanitised HTML (articles/markup.render): a kind whose HTML the
# editors' allowlist must not admit (a chart's SVG) leaves a placeholder and puts
# its own trusted markup there afterwards (figures/chart_refs.py).
_FINISHERS: list[Callable[[str], str]] = []


def register_finisher(finisher: Callable[[str], str]) -> None:
    if finisher not in _FINISHERS:
        _FINISHERS.append(finisher)


def finish(html: str) -> str:
    """Run every kind's finishing step over sanitised HTML."""
    _load_builtin_kinds()
    for finisher in _FINISHERS:
        html = finisher(html)
    return html


def _load_builtin_kinds():
    # Importing the module that defines a kind registers it; done lazily so
    # articles/markup.py can import this module before the app registry is ready.
    if "image" not in _KINDS:
        from . import images  # noqa: F401
    if "chart" not in _KINDS:
        from . import chart_refs  # noqa: F401


SOURCE_REFERENCE = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\(\s*(?P<scheme>[a-z]+):(?P<pk>\d+)"
    r"(?:\s+\"(?P<title>[^\"]*)\")?\s*\)"
)
TARGET = re.compile(r"^(?P<scheme>[a-z]+):(?P<pk>\d{1,12})$")


def references_in(text: str) -> list[Reference]:
    """Every asset reference in Markdown source, in order (for checks and exports)."""
    kinds = registered_kinds()
    found = []
    for match in SOURCE_REFERENCE.finditer(text or ""):
        if match["scheme"] in kinds:
            found.append(
                Reference(
                    match["scheme"],
                    int(match["pk"]),
                    match["alt"].strip(),
                    (match["title"] or "").strip(),
                )
            )
    return found


# scheme -> (pks asked for, {pk: object}) loaded ahead for a batch of renders
# (`references_loaded`).
_preloaded: ContextVar[dict | None] = ContextVar("figures_preloaded", default=None)


@contextmanager
def references_loaded(*texts: str, known: dict[str, dict] | None = None):
    """Render `texts` (and anything else inside) with their assets loaded once.

    Redrawing many explainers would otherwise load the same charts once per field;
    here each kind costs one query for all of `texts` together. `known` gives
    objects already in hand by scheme and pk ({"chart": {7: chart}}): they are used
    as they are, unsaved changes included, and not loaded.
    """
    wanted: dict[str, set[int]] = {}
    for text in texts:
        for ref in references_in(text):
            wanted.setdefault(ref.scheme, set()).add(ref.pk)
    loaded = {}
    for scheme, pks in wanted.items():
        have = (known or {}).get(scheme, {})
        rest = pks - have.keys()
        loaded[scheme] = (pks, {**have, **(_KINDS[scheme].load(rest) if rest else {})})
    token = _preloaded.set(loaded)
    try:
        yield
    finally:
        _preloaded.reset(token)


def _load(kind: ReferenceKind, pks: set[int]) -> dict:
    asked, ahead = (_preloaded.get() or {}).get(kind.scheme, (set(), {}))
    missing = pks - asked
    found = {**ahead, **(kind.load(missing) if missing else {})}
    return {pk: found[pk] for pk in pks if pk in found}


def references_problems(
    *texts: str, publishing: bool = False, missing: bool = True
) -> list[str]:
    """Messages for references that cannot render (or, publishing, must not).

    Asset that does not exist: a problem unless `missing` is False (a form that
    leaves that to the model's clean). A kind's `check` (alt text of an image,
    say) only when `publishing`.
    """
    wanted: dict[str, list[Reference]] = {}
    for text in texts:
        for ref in references_in(text):
            wanted.setdefault(ref.scheme, []).append(ref)
    problems = []
    for scheme, refs in wanted.items():
        kind = _KINDS[scheme]
        objects = kind.load({ref.pk for ref in refs})
        for ref in refs:
            obj = objects.get(ref.pk)
            if obj is None:
                if not missing:
                    continue
                problems.append(
                    f"{kind.label.capitalize()} {ref.pk} is not in the library "
                    f"({scheme}:{ref.pk}); pick it again from the library."
                )
            elif publishing and kind.check:
                message = kind.check(obj, ref)
                if message:
                    problems.append(message)
    return list(dict.fromkeys(problems))


class _ReferenceTreeprocessor(Treeprocessor):
    """Swap `<img src="kind:pk">` for the kind's HTML (stashed as raw HTML)."""

    def run(self, root):
        kinds = registered_kinds()
        found = []  # (parent, img, scheme, pk)
        for parent in root.iter():
            for child in list(parent):
                if child.tag != "img":
                    continue
                match = TARGET.match(child.get("src", ""))
                if match and match["scheme"] in kinds:
                    found.append((parent, child, match["scheme"], int(match["pk"])))
                else:  # an image from elsewhere: at least it waits until needed
                    child.set("loading", "lazy")
                    child.set("decoding", "async")
        if not found:
            return
        objects = {}
        for scheme in {scheme for _, _, scheme, _ in found}:
            pks = {pk for _, _, s, pk in found if s == scheme}
            objects[scheme] = _load(kinds[scheme], pks)
        for parent, img, scheme, pk in found:
            alone = (
                parent.tag == "p"
                and len(parent) == 1
                and not (parent.text or "").strip()
                and not (img.tail or "").strip()
            )
            ref = Reference(
                scheme,
                pk,
                img.get("alt", "").strip(),
                img.get("title", "").strip(),
                alone,
            )
            obj = objects[scheme].get(pk)
            html = kinds[scheme].render(obj, ref) if obj is not None else ""
            placeholder = self.md.htmlStash.store(html)
            if alone:
                # `<p>placeholder</p>` is unwrapped by Markdown when the HTML is a
                # block (figure), so no <figure> ends up inside a paragraph.
                parent.remove(img)
                parent.text = placeholder
            else:
                _replace_inline(parent, img, placeholder)


def _replace_inline(parent: etree.Element, img: etree.Element, placeholder: str):
    index = list(parent).index(img)
    text = placeholder + (img.tail or "")
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + text
    parent.remove(img)


class AssetExtension(Extension):
    def extendMarkdown(self, md):
        # After inline patterns (priority 20) made the <img> elements.
        md.treeprocessors.register(_ReferenceTreeprocessor(md), "asset_references", 15)


def makeExtension(**kwargs):  # Markdown's loading convention
    return AssetExtension(**kwargs)
