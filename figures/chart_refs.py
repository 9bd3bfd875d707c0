"""`![Title](chart:7)` in a body: the chart's figure, added after sanitising.

The nh3 allowlist for editors' Markdown has no SVG, and must not get any: editors
could then write SVG themselves. So the reference renders, inside the Markdown pass,
as a placeholder only this process can produce (a random token the sanitiser keeps as
text), and `finish` swaps each placeholder for the figure we generated, once the
editor's HTML is clean. The stored body then holds the whole figure: a page prints it
with no query per chart, and each revision of the explainer keeps the chart exactly as
it was shown.
"""

import re
import secrets
from collections import OrderedDict

from django.utils.html import format_html

from .markup import Reference, register_finisher, register_reference

# token -> figure HTML, between the Markdown pass and `finish` of the same render.
_pending: OrderedDict[str, str] = OrderedDict()
PENDING_LIMIT = 2048
SLOT = re.compile(r"(?:<p>\s*)?chart-slot-([0-9a-f]{24})(?:\s*</p>)?")


def _load(pks: set[int]) -> dict:
    from .models import Chart

    return Chart.objects.in_bulk(pks)


def _render(chart, ref: Reference) -> str:
    if not ref.block:
        # Inside a sentence a figure cannot stand: name the chart instead.
        return format_html("<em>{}</em>", chart.title)
    token = secrets.token_hex(12)
    _pending[token] = (chart.pk, chart.figure_html)
    while len(_pending) > PENDING_LIMIT:  # a render that never reached `finish`
        _pending.popitem(last=False)
    return f"<figure>chart-slot-{token}</figure>"


def finish(html: str) -> str:
    """Put each chart's figure where its placeholder is."""
    if "chart-slot-" not in html:
        return html
    seen: dict[int, int] = {}

    def figure(match):
        found = _pending.pop(match.group(1), None)
        if found is None:
            return ""
        pk, make = found
        seen[pk] = seen.get(pk, 0) + 1
        return make(occurrence=seen[pk])

    html = re.sub(r"<figure>\s*(chart-slot-[0-9a-f]{24})\s*</figure>", r"\1", html)
    return SLOT.sub(figure, html)


register_reference("chart", load=_load, render=_render, label="chart")
register_finisher(finish)
