"""oEmbed provider and the embeddable cards it points at: an explainer's Key Facts,
or a single Key Fact, Quick Answer or FAQ entry."""

import math
import unicodedata
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404
from django.http.request import split_domain_port, validate_host
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from articles import surrogates
from articles.annotation_views import (
    annotation_texts,
    annotation_url,
    moved_annotation_redirect,
    published_annotation,
)
from articles.http import conditional_response, etag_of
from articles.models import Article
from articles.views import old_slug_redirect

from .http import CacheHeadersMixin, StrictQueryMixin
from .schema import ErrorSerializer

# oEmbed ----------------------------------------------------------------------

EMBED_WIDTH = 480
EMBED_MAX_WIDTH = 640

# Card geometry in CSS px, mirroring static/css/embed.css (15px body text, 16px rem).
# Keep the two in step: tests/browser/test_embed.py measures the card in Chromium.
EMBED_CHROME = 2 * 1 + 2 * 14.4  # card border and vertical padding
EMBED_INSET = 2 * 1 + 2 * 16  # card border and horizontal padding
KICKER_HEIGHT = 12 * 1.45
TITLE_SIZE, TITLE_LINE, TITLE_MARGINS = 17.6, 17.6 * 1.25, 3.2 + 9.6
BODY_SIZE, BODY_LINE = 15, 15 * 1.45
FACT_CHROME = 2 * 7.2 + 1 + 1.6  # item padding, rule, gap between label and text
FOOTER_SIZE, FOOTER_LINE, FOOTER_CHROME = 13.6, 13.6 * 1.45, 9.6 + 8 + 1
# Spare pixels so the estimate errs tall, never short.
EMBED_HEIGHT_SLACK = 6
EMPTY_TEXT = "Read the full explainer."
FOOTER_TEXT = "Read the explainer on"

# Advance widths of printable ASCII (space to ~) in hundredths of an em, rounded up,
# measured in Chromium for DejaVu Sans, the widest common system-ui face; narrower
# faces (Segoe UI, San Francisco, Roboto) wrap later, so the card comes out shorter.
REGULAR_WIDTHS = (
    32, 41, 46, 84, 64, 96, 78, 28, 40, 40, 50, 84, 32, 37, 32, 34, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 34, 34, 84, 84, 84, 54, 100, 69, 69, 70, 78, 64, 58, 78,
    76, 30, 30, 66, 56, 87, 75, 79, 61, 79, 70, 64, 62, 74, 69, 99, 69, 62, 69, 40,
    34, 40, 84, 50, 50, 62, 64, 55, 64, 62, 36, 64, 64, 28, 28, 58, 28, 98, 64, 62,
    64, 64, 42, 53, 40, 64, 60, 82, 60, 60, 53, 64, 34, 64, 84,
)  # fmt: skip
BOLD_WIDTHS = (
    35, 46, 53, 84, 70, 101, 88, 31, 46, 46, 53, 84, 38, 42, 38, 37, 70, 70, 70, 70,
    70, 70, 70, 70, 70, 70, 40, 40, 84, 84, 84, 59, 100, 78, 77, 74, 84, 69, 69, 83,
    84, 38, 38, 78, 64, 100, 84, 86, 74, 86, 78, 73, 69, 82, 78, 111, 78, 73, 73, 46,
    37, 46, 84, 50, 50, 68, 72, 60, 72, 68, 44, 72, 72, 35, 35, 67, 35, 105, 72, 69,
    72, 72, 50, 60, 48, 72, 66, 93, 65, 66, 59, 72, 37, 72, 84,
)  # fmt: skip


def _char_width(char, table):
    code = ord(char)
    if 32 <= code < 127:
        return table[code - 32]
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 100
    return 80


def text_lines(text, *, size, width, bold=False):
    """How many lines `text` takes at `size` px in a box `width` px wide.

    Greedy wrapping at spaces, as browsers do; a word wider than the box breaks
    anywhere (the card sets overflow-wrap: anywhere).
    """
    table = BOLD_WIDTHS if bold else REGULAR_WIDTHS
    scale = size / 100
    space = table[0] * scale
    lines, x = 0, None
    for word in text.split():
        advance = sum(_char_width(char, table) for char in word) * scale
        if x is not None and x + space + advance <= width:
            x += space + advance
            continue
        lines += 1
        x = advance
        while x > width:
            lines += 1
            x -= width
    return lines


def annotation_card_height(article, annotation, width):
    """The single-annotation card's height in px at `width`.

    The card lays its one item out as a Key Facts card does its facts (title in
    bold, then the text; an FAQ answer as plain text), so the same estimate holds.
    """
    title, text = annotation_texts(annotation)
    return card_height(article, [SimpleNamespace(label=title, text=text)], width)


def card_height(article, facts, width):
    """The Key Facts card's height in px at `width`, estimated from its text."""
    inner = width - EMBED_INSET
    height = EMBED_CHROME + KICKER_HEIGHT + TITLE_MARGINS
    height += TITLE_LINE * max(
        1, text_lines(article.title, size=TITLE_SIZE, width=inner, bold=True)
    )
    for fact in facts:
        height += FACT_CHROME
        height += BODY_LINE * text_lines(
            fact.label, size=BODY_SIZE, width=inner, bold=True
        )
        height += BODY_LINE * text_lines(fact.text, size=BODY_SIZE, width=inner)
    if not facts:
        empty = article.dek or EMPTY_TEXT
        # Its bottom margin collapses into the footer's top margin.
        height += BODY_LINE * text_lines(empty, size=BODY_SIZE, width=inner)
    footer = f"{FOOTER_TEXT} {settings.NEWSROOM_SITE_NAME}"
    height += FOOTER_CHROME
    height += FOOTER_LINE * text_lines(footer, size=FOOTER_SIZE, width=inner)
    return math.ceil(height) + EMBED_HEIGHT_SLACK


class FormatNotImplemented(exceptions.APIException):
    status_code = status.HTTP_501_NOT_IMPLEMENTED
    default_detail = "Only format=json is offered."
    default_code = "not_implemented"


class JSONOnlyNegotiation(DefaultContentNegotiation):
    """oEmbed's own `format` parameter must not pick a DRF renderer."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class OEmbedQuerySerializer(serializers.Serializer):
    url = serializers.CharField(help_text="The address of an explainer page.")
    maxwidth = serializers.IntegerField(required=False, min_value=1, max_value=10000)
    maxheight = serializers.IntegerField(required=False, min_value=1, max_value=10000)
    format = serializers.CharField(
        required=False, default="json", help_text="Only json; others give 501."
    )


OEMBED_RESPONSE = inline_serializer(
    "OEmbed",
    {
        "type": serializers.CharField(),
        "version": serializers.CharField(),
        "title": serializers.CharField(),
        "provider_name": serializers.CharField(),
        "provider_url": serializers.URLField(),
        "author_name": serializers.CharField(required=False),
        "width": serializers.IntegerField(),
        "height": serializers.IntegerField(),
        "html": serializers.CharField(),
        "thumbnail_url": serializers.URLField(required=False),
        "thumbnail_width": serializers.IntegerField(required=False),
        "thumbnail_height": serializers.IntegerField(required=False),
    },
)


def is_our_host(netloc):
    """Whether `netloc` (host[:port]) is one this site answers to (ALLOWED_HOSTS)."""
    if "@" in netloc:
        return False
    domain, _port = split_domain_port(netloc.lower())
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        # As HttpRequest.get_host() does in development.
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


def page_from_url(url, host):
    """(article, annotation or None) for a published explainer's page or one of its
    annotation pages at `url` (or at an old slug of the explainer), or None.

    Addresses on this request's host or any other allowed host name count, with
    or without the trailing slash.
    """
    match = _resolve_page_url(url, host)
    if match is None:
        return None
    slug = match.kwargs.get("slug")
    if match.view_name == "articles:annotation":
        kind, anchor = match.kwargs["kind"], match.kwargs["anchor"]
        annotation = published_annotation(kind, slug, anchor)
        if annotation is None:
            moved = Article.objects.published().at_old_slug(slug)
            current = moved.values_list("slug", flat=True).first()
            if current is not None:
                annotation = published_annotation(kind, current, anchor)
        return None if annotation is None else (annotation.article, annotation)
    if match.view_name != "articles:detail":
        return None
    cards = Article.objects.published().prefetch_related("authors", "key_facts")
    article = cards.filter(slug=slug).first() or cards.at_old_slug(slug).first()
    return None if article is None else (article, None)


def _resolve_page_url(url, host):
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    if parts.netloc.lower() != host.lower() and not is_our_host(parts.netloc):
        return None
    path = parts.path or "/"
    try:
        match = resolve(path)
    except Resolver404:
        if path.endswith("/"):
            return None
        try:
            match = resolve(f"{path}/")
        except Resolver404:
            return None
    return match


class OEmbedView(StrictQueryMixin, CacheHeadersMixin, APIView):
    """oEmbed provider: a published explainer's page address gives its Key Facts
    card; an annotation page's address, that annotation's card."""

    query_serializer = OEmbedQuerySerializer
    permission_classes = [AllowAny]
    content_negotiation_class = JSONOnlyNegotiation

    @extend_schema(
        summary="oEmbed for an explainer page (its Key Facts card) or an "
        "annotation page (that annotation's card)",
        parameters=[OEmbedQuerySerializer],
        responses={
            200: OEMBED_RESPONSE,
            501: OpenApiResponse(
                ErrorSerializer, description="A format other than json was asked for."
            ),
        },
    )
    def get(self, request):
        query = OEmbedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if params["format"] != "json":
            raise FormatNotImplemented()
        page = page_from_url(params["url"], request.get_host())
        if page is None:
            raise exceptions.NotFound("No published explainer has that address.")
        article, annotation = page
        surrogates.add(request, surrogates.article(article.pk))
        self.last_modified = article.updated_at
        width = min(EMBED_MAX_WIDTH, params.get("maxwidth", EMBED_WIDTH))
        if annotation is None:
            title = article.title
            frame_title = f"Key facts: {article.title}"
            height = card_height(article, article.key_facts.all(), width)
            path = reverse("embed:key-facts", kwargs={"slug": article.slug})
        else:
            title = annotation_texts(annotation)[0]
            frame_title = f"{capfirst(annotation._meta.verbose_name)}: {title}"
            height = annotation_card_height(article, annotation, width)
            path = annotation_url(annotation, "embed:annotation")
        if "maxheight" in params:
            # A cap, not a fit: the card then scrolls inside its frame.
            height = min(height, params["maxheight"])
        src = request.build_absolute_uri(path)
        data = {
            "type": "rich",
            "version": "1.0",
            "title": title,
            "provider_name": settings.NEWSROOM_SITE_NAME,
            "provider_url": request.build_absolute_uri("/"),
            "width": width,
            "height": height,
            "html": format_html(
                '<iframe src="{}" width="{}" height="{}" title="{}" '
                'loading="lazy" data-newsroom-embed="{}"></iframe>',
                src,
                width,
                height,
                frame_title,
                article.slug,
            ),
        }
        if article.hero_image and article.hero_width and article.hero_height:
            data["thumbnail_url"] = request.build_absolute_uri(article.hero_image.url)
            data["thumbnail_width"] = article.hero_width
            data["thumbnail_height"] = article.hero_height
        authors = ", ".join(author.name for author in article.authors.all())
        if authors:
            data["author_name"] = authors
        return Response(data)


@require_safe
@xframe_options_exempt
def embed_key_facts(request, slug):
    """A compact Key Facts card that any site may frame; published explainers only.

    It posts its height to the framing page (static/js/embed-height.js).
    """
    try:
        article = get_object_or_404(
            Article.objects.published().prefetch_related("key_facts"), slug=slug
        )
    except Http404:
        return old_slug_redirect(request, slug, "embed:key-facts")
    surrogates.add(request, surrogates.article(article.pk))
    response = render(
        request,
        "articles/embed_key_facts.html",
        {
            "article": article,
            "facts": article.key_facts.all(),
            "empty_text": EMPTY_TEXT,
            "footer_text": FOOTER_TEXT,
        },
    )
    # The card is the same for everyone (no per-reader state): public.
    return conditional_response(
        request, response, etag=etag_of(response.content), vary=()
    )


@require_safe
@xframe_options_exempt
def embed_annotation(request, slug, kind, anchor):
    """One Key Fact, Quick Answer or FAQ entry as a card any site may frame."""
    annotation = published_annotation(kind, slug, anchor)
    if annotation is None:
        if Article.objects.published().filter(slug=slug).exists():
            raise Http404
        return moved_annotation_redirect(
            request, slug, "embed:annotation", kind=kind, anchor=anchor
        )
    surrogates.add(request, surrogates.article(annotation.article_id))
    title, text = annotation_texts(annotation)
    response = render(
        request,
        "articles/embed_annotation.html",
        {
            "article": annotation.article,
            "annotation": annotation,
            "kind_name": annotation._meta.verbose_name,
            "annotation_title": title,
            "annotation_text": text,
            "page_url": annotation_url(annotation),
            "footer_text": FOOTER_TEXT,
        },
    )
    return conditional_response(
        request, response, etag=etag_of(response.content), vary=()
    )
