"""Hostile HTML and Markdown through every writable field; nothing executable comes out.

Each write path gets all vectors at once (one explainer holding them all), then every
reader surface that shows that content is parsed with tests/security/vectors.py.
"""

import io
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from articles import markup
from articles.models import Article, Author, Topic
from comments.models import Comment
from tests.factories import make_article, make_author, make_reader, make_topic
from tests.helpers import add_rows, errors_of, form_data
from tests.security.vectors import (
    TEMPLATE_MARKER,
    VECTORS,
    assert_safe_html,
    chunks,
    dangerous_url,
    html_problems,
    html_values,
)

# PostgreSQL cannot store NUL; forms and the API refuse it with a field error, so
# those vectors go only through the sanitizer directly.
STORABLE = [v for v in VECTORS if "\x00" not in v]
ALL_TEXT = "\n\n".join(STORABLE)
TITLE = "Tide <script>alert(1)</script><img src=x onerror=alert(1)> {{ 7*7 }}"
SEARCH_WORD = "Tide"


def test_there_are_at_least_a_hundred_vectors():
    assert len(VECTORS) >= 100
    assert len(set(VECTORS)) == len(VECTORS)


@pytest.mark.parametrize("vector", VECTORS, ids=range(len(VECTORS)))
def test_markup_render_neutralises_the_vector(vector):
    for html in (
        markup.render(vector),
        markup.render(f"Some *text*.\n\n{vector}\n\nAfter."),
        markup.render_comment(vector),
    ):
        assert_safe_html(html, repr(vector))


@pytest.mark.parametrize("vector", VECTORS, ids=range(len(VECTORS)))
def test_sanitizing_rendered_output_again_changes_nothing(vector):
    article_html = markup.render(vector)
    assert markup.sanitize(article_html) == article_html
    comment_html = markup.render_comment(vector)
    assert markup.sanitize(comment_html, markup.COMMENT) == comment_html


def test_the_checker_catches_what_it_looks_for():
    assert html_problems('<a href="java&#x09;script:alert(1)">x</a>')
    assert html_problems("<p onclick=x>")
    assert html_problems('<img src="data:text/html,x">')
    assert html_problems("<svg></svg>")
    assert html_problems('<p style="x">')
    assert html_problems(
        '<script type="application/ld+json">{"a": </script>', page=True
    )
    assert html_problems("<script>alert(1)</script>", page=True)
    assert not html_problems('<script src="/static/js/site.js"></script>', page=True)
    assert not html_problems('<a href="https://example.org">&lt;script&gt;</a>')
    assert dangerous_url(" JaVa\nScRiPt:x") and not dangerous_url("https://x")


# Reader surfaces -----------------------------------------------------------


def _feed_html(content):
    """The HTML bodies of a feed's items (channel text is plain text)."""
    root = ET.fromstring(content)  # also proves the XML is well formed
    for item in root.iter():
        if item.tag.rsplit("}", 1)[-1] not in {"item", "entry"}:
            continue
        for element in item:
            name = element.tag.rsplit("}", 1)[-1]
            if name in {"description", "content", "summary", "encoded"}:
                yield element.text or ""


def assert_reader_surfaces_are_safe(article):
    """Walk every public page, feed and API answer that shows `article`."""
    client = APIClient()
    topic = article.topics.get()
    author = article.authors.get()
    pages = [
        article.get_absolute_url(),
        "/",
        topic.get_absolute_url(),
        author.get_absolute_url(),
        f"/search/?q={SEARCH_WORD}",
        f"/embed/{article.slug}/key-facts/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert article.slug in page, url
        assert_safe_html(page, url, page=True)

    detail = client.get(article.get_absolute_url()).content.decode()
    assert TEMPLATE_MARKER in detail  # shown as text, never evaluated

    feeds = [
        "/feeds/rss/",
        "/feeds/atom/",
        f"/topics/{topic.slug}/feed/rss/",
        f"/topics/{topic.slug}/feed/atom/",
    ]
    for url in feeds:
        response = client.get(url)
        assert response.status_code == 200, url
        texts = list(_feed_html(response.content))
        assert texts, url
        for html in texts:
            assert_safe_html(html, url)

    absolute = f"http://testserver{article.get_absolute_url()}"
    oembed = client.get("/api/oembed/", {"url": absolute})
    assert oembed.status_code == 200
    assert_safe_html(
        oembed.json()["html"],
        "oembed",
        iframe_src=f"http://testserver/embed/{article.slug}/",
    )

    for url in (
        "/api/v1/articles/",
        f"/api/v1/articles/{article.slug}/",
        f"/api/v1/articles/?q={SEARCH_WORD}",
        "/api/v1/topics/",
        "/api/v1/authors/",
        f"/api/v1/articles/{article.slug}/comments/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        values = list(html_values(response.json()))
        for where, html in values:
            assert_safe_html(html, f"{url} {where}")
    stored = Article.objects.get(pk=article.pk)
    for html in (stored.body_html, stored.background_html):
        assert_safe_html(html, "stored")
    for faq in stored.faqs.all():
        assert_safe_html(faq.answer_html, "stored faq")


def test_control_characters_in_saved_text_do_not_break_the_feeds(client, db):
    article = make_article(
        title="Bell\x07", body="Ring \x07 the bell.", dek="Tab\x0cfeed"
    )
    article.refresh_from_db()
    assert (article.title, article.dek) == ("Bell", "Tabfeed")
    assert client.get("/feeds/rss/").status_code == 200
    assert client.get("/feeds/atom/").status_code == 200


# Admin ------------------------------------------------------------------------


def test_every_admin_field_takes_the_vectors_and_pages_stay_safe(editor_client):
    response = editor_client.post(
        reverse("admin:articles_topic_add"),
        {
            "name": "Tides <svg onload=alert(1)>",
            "slug": "tides",
            "description": ALL_TEXT,
        },
    )
    assert response.status_code == 302
    response = editor_client.post(
        reverse("admin:articles_author_add"),
        {"name": "Ada <img src=x onerror=alert(1)>", "slug": "ada", "bio": ALL_TEXT},
    )
    assert response.status_code == 302

    data = form_data(editor_client.get(reverse("admin:articles_article_add")))
    data.update(
        title=TITLE,
        slug="tide-vectors",
        dek=ALL_TEXT,
        body=f"## Tide\n\n{ALL_TEXT}",
        background=ALL_TEXT,
        _action="publish",
        topics=[Topic.objects.get(slug="tides").pk],
        authors=[Author.objects.get(slug="ada").pk],
        source_title="<script>alert(1)</script>",
    )
    short = list(chunks(STORABLE, 120))
    add_rows(
        data,
        "key_facts",
        *[
            {"position": str(i), "label": piece[:120], "text": piece}
            for i, piece in enumerate(chunks(STORABLE, 500))
        ],
    )
    add_rows(
        data,
        "quick_answers",
        *[
            {"position": str(i), "question": piece, "answer": piece}
            for i, piece in enumerate(chunks(STORABLE, 300))
        ],
    )
    add_rows(
        data,
        "faqs",
        {"position": "0", "question": short[0], "answer": ALL_TEXT},
        {"position": "1", "question": short[1], "answer": "<iframe src=x></iframe>"},
    )
    add_rows(
        data,
        "corrections",
        {
            "created_at_0": "2026-11-20",
            "created_at_1": "10:00:00",
            "kind": "correction",
            "note": ALL_TEXT,
        },
    )
    # The extra blank rows the inlines offer are left empty.
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, [e for e in errors_of(response) if e]

    article = Article.objects.get(slug="tide-vectors")
    assert article.is_published()
    assert article.key_facts.count() == len(list(chunks(STORABLE, 500)))
    assert article.faqs.count() == 2 and article.corrections.count() == 1
    assert_reader_surfaces_are_safe(article)

    change = editor_client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    )
    assert change.status_code == 200
    # The form, without the admin's own SVG icon sprite that follows it.
    form = change.content.decode().split('id="article_form"', 1)[1]
    form = form.split('class="base-svgs"')[0]
    assert_safe_html(form, "admin change form", page=True)


# API ----------------------------------------------------------------------------


def test_api_writes_with_nested_annotations_stay_safe(api_as, editor):
    api = api_as(editor)
    topic = Topic.objects.create(name="Tides", description=ALL_TEXT)
    author = Author.objects.create(name="Ada", bio=ALL_TEXT)
    pieces = list(chunks(STORABLE, 300))
    response = api.post(
        "/api/v1/articles/",
        {
            "title": TITLE,
            "dek": ALL_TEXT,
            "body": f"## Tide\n\n{ALL_TEXT}",
            "background": ALL_TEXT,
            "status": "published",
            "topics": [topic.slug],
            "authors": [author.slug],
            "source": {"url": "https://example.org/x", "title": pieces[0]},
            "key_facts": [{"label": p[:120], "text": p} for p in pieces],
            "quick_answers": [{"question": p, "answer": p} for p in pieces],
            "faqs": [{"question": p, "answer": ALL_TEXT} for p in pieces[:3]],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    for where, html in html_values(response.json()):
        assert_safe_html(html, where)
    slug = response.json()["slug"]

    reversed_pieces = pieces[::-1]
    response = api.patch(
        f"/api/v1/articles/{slug}/",
        {
            "body": "\n\n".join(reversed(STORABLE)),
            "faqs": [{"question": p, "answer": p} for p in reversed_pieces],
            "key_facts": [{"label": "x", "text": p} for p in reversed_pieces],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    faqs = response.json()["faqs"]
    assert len(faqs) == len(pieces)
    for where, html in html_values(response.json()):
        assert_safe_html(html, where)
    assert_reader_surfaces_are_safe(Article.objects.get(slug=slug))


def test_api_refuses_dangerous_source_urls(api_as, editor):
    response = api_as(editor).post(
        "/api/v1/articles/",
        {"title": "Bad source", "source": {"url": "javascript:alert(1)"}},
        format="json",
    )
    assert response.status_code == 400
    assert not Article.objects.filter(title="Bad source").exists()


# Comments -------------------------------------------------------------------------


def test_comments_from_the_page_form_and_the_api_stay_safe(client, settings, api_as):
    settings.COMMENTS_RATE_PER_MINUTE = 1000
    article = make_article(
        title="Tide comments", topics=[make_topic()], authors=[make_author()], facts=1
    )
    commenter = make_reader(display_name="Hostile Reader")
    client.force_login(commenter)
    pieces = list(chunks(STORABLE, 2000))
    for piece in pieces:
        response = client.post(
            reverse("comments:post", args=[article.slug]), {"body": piece}
        )
        assert response.status_code == 302, response.content[:500]
    api = api_as(commenter)
    for piece in pieces:
        response = api.post(
            f"/api/v1/articles/{article.slug}/comments/",
            {"body": f"API: {piece}"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        for where, html in html_values(response.json()):
            assert_safe_html(html, where)

    assert Comment.objects.filter(article=article).count() == 2 * len(pieces)
    for comment in Comment.objects.filter(article=article):
        assert_safe_html(comment.body_html, "stored comment")
    assert_reader_surfaces_are_safe(article)
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count('class="comment-body"') >= 2 * len(pieces)


# Import -----------------------------------------------------------------------------


def test_imported_document_full_of_vectors_stays_safe(tmp_path, db):
    facts = "\n".join(
        f"- Fact {i}: {' '.join(piece.split())}"
        for i, piece in enumerate(chunks(STORABLE, 400))
    )
    faqs = "\n\n".join(
        f"### Question {i}?\n\n{piece}"
        for i, piece in enumerate(chunks(STORABLE, 3000))
    )
    document = f"""---
title: "Tide import <script>alert(1)</script> {{{{ 7*7 }}}}"
dek: "<img src=x onerror=alert(1)>"
slug: tide-import
authors: [Ada]
topics: [Tides]
status: published
---

{ALL_TEXT}

## Key Facts

{facts}

## Frequently Asked Questions

{faqs}

## Background

{ALL_TEXT}

## Corrections and updates

- 2026-11-21 correction: <script>alert(1)</script> <a href="javascript:x">x</a>
"""
    path = tmp_path / "hostile.md"
    path.write_text(document, encoding="utf-8")
    out = io.StringIO()
    call_command("import_explainer", str(path), "--publish", stdout=out)
    article = Article.objects.get(slug=out.getvalue().strip())
    assert article.is_published()
    assert article.key_facts.exists() and article.faqs.exists()
    assert_reader_surfaces_are_safe(article)


# Properties -----------------------------------------------------------------------

FRAGMENTS = [
    "<script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:",
    "java\tscript:",
    "&#106;",
    "&#x3A;",
    "<a href=",
    '"',
    "'",
    ">",
    "<",
    "[",
    "](",
    ")",
    "![",
    "<svg",
    "<math",
    " onload=",
    " style=",
    "<style>",
    "<!--",
    "-->",
    "<![CDATA[",
    "data:text/html,",
    "vbscript:",
    "\n\n",
    "`",
    "<iframe",
    "http://x.example/",
    "{{ 7*7 }}",
]

hostile_text = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=5)), max_size=40
    ).map("".join),
)


def _only_allowlisted(html, allowlist):
    from html.parser import HTMLParser

    seen = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            seen.append((tag, attrs))

    collector = Collect()
    collector.feed(html)
    collector.close()
    for tag, attrs in seen:
        assert tag in allowlist.tags, tag
        allowed = allowlist.attributes.get(tag, set()) | {"class", "rel"}
        for name, value in attrs:
            assert name in allowed, (tag, name)
            if name in {"href", "src"}:
                assert not dangerous_url(value), value


@hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(hostile_text)
def test_render_outputs_only_allowlisted_markup(text):
    html = markup.render(text)
    _only_allowlisted(html, markup.ARTICLE)
    assert_safe_html(html, repr(text))
    assert markup.sanitize(html) == html


@hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(hostile_text)
def test_render_comment_outputs_only_allowlisted_markup(text):
    html = markup.render_comment(text)
    _only_allowlisted(html, markup.COMMENT)
    assert_safe_html(html, repr(text))
    assert markup.sanitize(html, markup.COMMENT) == html
