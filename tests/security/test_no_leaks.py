"""Unpublished explainers leak through no channel; a scheduled one appears on time."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import FAQ, Article, Correction, KeyFact, QuickAnswer
from articles.services import article_changed
from comments.models import Comment
from tests.factories import make_article, make_author, make_topic, make_user

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)

HIDDEN = {
    "draft": Article.Status.DRAFT,
    "review": Article.Status.REVIEW,
    "archived": Article.Status.ARCHIVED,
    "scheduled": Article.Status.PUBLISHED,
}


def word(name):
    return f"quokka{name}zebra"


def traces(name):
    """Text only the hidden explainer's own content holds (a search echoes the word)."""
    marker = word(name)
    return (
        f"{marker} title",
        f"The {marker} dek",
        f"The {marker} body",
        f"{marker} label",
        f"{marker} corrected",
        f"{marker} comment",
        f"hidden-{name}",
    )


def leaks(text, name, *, slug_in_url=False):
    found = [trace for trace in traces(name) if trace in text]
    return [t for t in found if not (slug_in_url and t == f"hidden-{name}")]


def make_hidden(name, status, *, topic, author, commenter):
    marker = word(name)
    article = make_article(
        title=f"{marker} title",
        slug=f"hidden-{name}",
        dek=f"The {marker} dek.",
        body=f"## About {marker}\n\nThe {marker} body.",
        background=f"Background on {marker}.",
        status=status,
        publish_at=NOW + dt.timedelta(days=2) if name == "scheduled" else None,
        topics=[topic],
        authors=[author],
        comments_mode=Article.CommentsMode.OPEN,
    )
    KeyFact.objects.create(article=article, label=f"{marker} label", text=marker)
    QuickAnswer.objects.create(article=article, question=f"{marker}?", answer=marker)
    FAQ.objects.create(article=article, question=f"{marker}?", answer=f"*{marker}*")
    Correction.objects.create(article=article, note=f"{marker} corrected.")
    article_changed(article)
    Comment.objects.create(
        article=article,
        author=commenter,
        body=f"{marker} comment",
        body_html=f"<p>{marker} comment</p>",
        status=Comment.Status.PUBLISHED,
    )
    return article


@pytest.fixture
def site():
    with time_machine.travel(NOW, tick=False):
        topic = make_topic("Wildlife", slug="wildlife")
        author = make_author("Lea Writer", slug="lea-writer")
        commenter = make_user()
        visible = make_article(
            title="Visible explainer",
            slug="visible",
            topics=[topic],
            authors=[author],
            publish_at=NOW - dt.timedelta(days=1),
            facts=1,
        )
        hidden = {
            name: make_hidden(
                name, status, topic=topic, author=author, commenter=commenter
            )
            for name, status in HIDDEN.items()
        }
    return {"topic": topic, "author": author, "visible": visible, "hidden": hidden}


def listing_urls(site):
    """The public lists a published explainer of the site's topic and author is on."""
    topic, author = site["topic"].slug, site["author"].slug
    return [
        "/",
        f"/topics/{topic}/",
        f"/authors/{author}/",
        "/feeds/rss/",
        "/feeds/atom/",
        f"/topics/{topic}/feed/rss/",
        f"/topics/{topic}/feed/atom/",
        "/sitemap.xml",
        site["visible"].get_absolute_url(),  # its related-explainer links
        "/api/v1/articles/",
        f"/api/v1/articles/?topic={topic}",
        f"/api/v1/articles/?author={author}",
    ]


def channel_urls(site):
    """Every public list, filter and search a hidden explainer could show in."""
    topic, author = site["topic"].slug, site["author"].slug
    urls = [
        *listing_urls(site),
        f"/embed/{site['visible'].slug}/key-facts/",
        "/api/v1/articles/?status=draft",
        "/api/v1/articles/?status=review",
        "/api/v1/articles/?status=archived",
        "/api/v1/articles/?ordering=-published_at",
        "/api/v1/topics/",
        f"/api/v1/topics/{topic}/",
        "/api/v1/authors/",
        f"/api/v1/authors/{author}/",
    ]
    for name in HIDDEN:
        urls += [f"/search/?q={word(name)}", f"/api/v1/articles/?q={word(name)}"]
    return urls


def direct_urls(article):
    absolute = f"http://testserver{article.get_absolute_url()}"
    comment = article.comments.get()
    return [
        article.get_absolute_url(),
        f"/api/v1/articles/{article.slug}/",
        f"/api/v1/articles/{article.slug}/comments/",
        f"/api/oembed/?url={absolute}",
        f"/embed/{article.slug}/key-facts/",
        f"/comments/{comment.pk}/",
        f"/api/v1/comments/{comment.pk}/",
        f"/explainers/{article.slug}/comments/",
    ]


def clients():
    anonymous = APIClient()
    reader = APIClient()
    reader.force_login(make_user())
    return {"anonymous": anonymous, "reader": reader}


def body(response):
    return response.content.decode()


def counts(client, site):
    topic = client.get(f"/api/v1/topics/{site['topic'].slug}/").json()
    author = client.get(f"/api/v1/authors/{site['author'].slug}/").json()
    return topic["article_count"], author["article_count"]


def test_unpublished_explainers_leak_through_no_channel(site):
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        for who, client in clients().items():
            for url in channel_urls(site):
                response = client.get(url)
                assert response.status_code in {200, 400}, (who, url)
                for name in HIDDEN:
                    assert not leaks(body(response), name), (who, url)
            for article in site["hidden"].values():
                for url in direct_urls(article):
                    response = client.get(url)
                    if response.status_code == 302:  # sign in first, as for any slug
                        assert response["Location"].startswith("/accounts/login/")
                    else:
                        assert response.status_code in {404, 405}, (who, url)
                    name = article.slug.removeprefix("hidden-")
                    assert not leaks(body(response), name, slug_in_url=True), url
            assert counts(client, site) == (1, 1)


def test_a_scheduled_explainer_appears_everywhere_once_its_time_comes(site):
    scheduled = site["hidden"]["scheduled"]
    marker = word("scheduled")
    with time_machine.travel(NOW + dt.timedelta(days=2, minutes=1), tick=False):
        # Cached pages catch up within their lifetime; this walk is about the
        # queries, so it starts from an empty cache.
        cache.clear()
        client = APIClient()
        for url in listing_urls(site):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "hidden-scheduled" in body(response), url
        for url in (f"/search/?q={marker}", f"/api/v1/articles/?q={marker}"):
            assert f"{marker} title" in body(client.get(url)), url
        for url in direct_urls(scheduled)[:5] + direct_urls(scheduled)[6:7]:
            response = client.get(url)
            assert response.status_code == 200, url
        assert marker in body(client.get(scheduled.get_absolute_url()))
        comments = client.get(f"/api/v1/articles/{scheduled.slug}/comments/").json()
        assert marker in str(comments)
        assert counts(client, site) == (2, 2)
        # The other three stay hidden.
        for name in ("draft", "review", "archived"):
            assert not leaks(body(client.get("/")), name)
            assert client.get(f"/explainers/hidden-{name}/").status_code == 404
        scheduled.refresh_from_db()
        assert scheduled.status == Article.Status.PUBLISHED  # nothing had to run
        assert scheduled.publish_at < timezone.now()
