"""Template helpers for reader pages: contents, reading time, structured data."""

import datetime
import html
import json
import math
from functools import lru_cache
from html.parser import HTMLParser

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from articles.citations import citation_data, page_sources
from articles.models import Correction
from figures.heroes import hero_of
from newsroom.context_processors import site_url

register = template.Library()

WORDS_PER_MINUTE = 230

# The characters that could end a <script> data block or open a comment in it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


class _HeadingCollector(HTMLParser):
    """Collect (id, text) of every <h2 id=...> in already-sanitized HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            anchor = dict(attrs).get("id")
            self._current = [anchor, []] if anchor else None

    def handle_endtag(self, tag):
        if tag == "h2" and self._current:
            anchor, words = self._current
            text = " ".join("".join(words).split())
            if text:
                self.headings.append({"id": anchor, "text": text})
            self._current = None

    def handle_data(self, data):
        if self._current:
            self._current[1].append(data)


# Parsing stored HTML is the slow part of an uncached page, and its result depends
# on the text alone: these are remembered per process, keyed by the text itself, so
# an edit (new text) is never served a stale answer.
TEXT_MEMO_SIZE = 512


@lru_cache(maxsize=TEXT_MEMO_SIZE)
def _headings(body_html):
    collector = _HeadingCollector()
    collector.feed(body_html)
    collector.close()
    return tuple(collector.headings)


@register.simple_tag
def table_of_contents(body_html):
    """The body's H2 sections as [{"id", "text"}], read from the stored HTML."""
    return [dict(heading) for heading in _headings(body_html or "")]


@lru_cache(maxsize=TEXT_MEMO_SIZE)
def _plain_text(fragment):
    return " ".join(html.unescape(strip_tags(fragment)).split())


def plain_text(fragment):
    return _plain_text(fragment or "")


@lru_cache(maxsize=TEXT_MEMO_SIZE)
def _reading_minutes(body_html):
    return max(1, math.ceil(len(_plain_text(body_html).split()) / WORDS_PER_MINUTE))


@register.filter
def reading_minutes(article):
    return _reading_minutes(article.body_html or "")


@register.filter
def description(article):
    return article.seo_description or article.summary


@register.filter
def datetime_attribute(value):
    """`value` for a `datetime` attribute: ISO 8601 in the current zone, to the second.

    HTML allows at most three digits of a second's fraction; `date:'c'` prints six.
    """
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = template_localtime(value).replace(microsecond=0)
    return value.isoformat()


@register.filter
def json_ld(data):
    """Emit `data` as a JSON-LD data block that no value can break out of."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_SCRIPT_ESCAPES)),
    )


def last_modified(article):
    return max(m for m in (article.updated_at, article.publish_at) if m)


@register.filter
def was_updated(article):
    """True when the explainer changed noticeably after it went out."""
    if not article.publish_at:
        return False
    return (article.updated_at - article.publish_at).total_seconds() > 300


def news_article_data(article, request):
    absolute = request.build_absolute_uri
    url = absolute(article.get_absolute_url())
    publisher = {
        "@type": "Organization",
        "name": settings.NEWSROOM_SITE_NAME,
        "url": absolute(site_url("home")),
        "logo": {"@type": "ImageObject", "url": absolute(site_url("logo"))},
    }
    authors = [
        {
            "@type": "Person",
            "name": author.name,
            "url": absolute(author.get_absolute_url()),
        }
        for author in article.authors.all()
    ]
    # Without a byline the publication is the author, as in the feeds.
    authors = authors or [{key: publisher[key] for key in ("@type", "name", "url")}]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.seo_title or article.title,
        "description": description(article),
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "datePublished": article.publish_at,
        "dateModified": last_modified(article),
        "author": authors,
        "publisher": publisher,
        "articleSection": [topic.name for topic in article.topics.all()],
        "image": structured_image_urls(article, request),
    }
    corrections = [
        {
            "@type": "CorrectionComment",
            "text": correction.note,
            "datePublished": correction.created_at,
        }
        for correction in article.corrections.all()
        if correction.kind == Correction.Kind.CORRECTION
    ]
    if corrections:
        data["correction"] = corrections
    # The story's own source and every claim's, numbered as on the page.
    citations = citation_data(page_sources(article))
    if citations:
        data["citation"] = citations
    return data


def faq_page_data(article):
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": faq.question,
                "acceptedAnswer": {
                    "@type": "Answer",
                    "text": plain_text(faq.answer_html),
                },
            }
            for faq in article.faqs.all()
        ],
    }


@register.simple_tag(takes_context=True)
def article_structured_data(context, article):
    """NewsArticle JSON-LD, plus an FAQPage when the explainer has FAQ entries."""
    blocks = [json_ld(news_article_data(article, context["request"]))]
    if article.faqs.all():
        blocks.append(json_ld(faq_page_data(article)))
    return mark_safe("\n".join(blocks))


def share_image_url(article, request):
    """The absolute address of the hero's 1200x630 card, else the site's share image."""
    hero = hero_of(article)
    image = hero.share_card.url if hero else site_url("share_image")
    return request.build_absolute_uri(image)


def structured_image_urls(article, request):
    """JSON-LD `image`: the hero cropped 1:1, 4:3 and 16:9, else the share image."""
    hero = hero_of(article)
    if hero is None:
        return [share_image_url(article, request)]
    return [request.build_absolute_uri(r.url) for r in hero.structured()]


@register.simple_tag(takes_context=True)
def absolute_url(context, path, page=None):
    """The absolute address of `path` (plus ?page=N past the first page)."""
    if page and int(page) > 1:
        path = f"{path}?page={int(page)}"
    return context["request"].build_absolute_uri(path)
