"""Template helpers for claims' sources: the page's numbered list and each mark."""

from django import template
from django.utils.html import format_html, format_html_join

from articles.citations import page_sources

register = template.Library()


@register.simple_tag
def explainer_sources(article):
    """The explainer's numbered sources; call before rendering the claims' marks."""
    return page_sources(article)


@register.simple_tag
def source_marks(claim):
    """Numbered marks after a claim, each a link to its entry under "Sources"."""
    numbers = getattr(claim, "source_numbers", None)
    if not numbers:
        return ""
    links = format_html_join(
        "",
        '<a href="#source-{}" aria-label="Source {}">[{}]</a>',
        ((n, n, n) for n in numbers),
    )
    return format_html('<sup class="source-marks">{}</sup>', links)
