"""Template tags for library images on pages: the hero and its share images."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..heroes import hero_of
from ..images import picture_html
from ..renditions import HERO_SIZES

register = template.Library()


@register.simple_tag
def hero_figure(article):
    """The hero as a sized `<picture>` (not lazy: it is the first thing seen)."""
    hero = hero_of(article)
    if hero is None:
        return ""
    html = picture_html(hero.picture(), alt=hero.alt, sizes=HERO_SIZES, lazy=False)
    html = html.replace("<img ", '<img fetchpriority="high" ', 1)
    credit = ""
    if article.hero_credit:
        credit = format_html(
            '<figcaption class="hero__credit">Image: {}</figcaption>',
            article.hero_credit,
        )
    # picture_html escapes every value it puts in.
    return format_html('<figure class="hero">{}{}</figure>', mark_safe(html), credit)


@register.simple_tag(takes_context=True)
def share_card_url(context, article):
    """Absolute address of the hero's 1200x630 card, or "" (the site default then)."""
    hero = hero_of(article)
    if hero is None:
        return ""
    return context["request"].build_absolute_uri(hero.share_card.url)
