"""RSS/Atom feeds, the sitemap and robots.txt, read the way crawlers read them."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.services import article_changed
from tests.factories import make_article, make_author, make_topic

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
RSS = reverse("articles:feed-rss")
ATOM = reverse("articles:feed-atom")
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def parse(response):
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


def as_utc(struct):
    return datetime(*struct[:6], tzinfo=UTC)


def hidden_articles():
    return [
        make_article(title="Draft piece", status=Article.Status.DRAFT),
        make_article(title="Review piece", status=Article.Status.REVIEW),
        make_article(title="Archived piece", status=Article.Status.ARCHIVED),
        make_article(
            title="Scheduled piece", publish_at=timezone.now() + timedelta(days=1)
        ),
    ]


def test_rss_feed_lists_published_explainers_newest_first(client):
    topic = make_topic("Energy")
    author = make_author("Ada Reporter")
    older = make_article(
        title="Older explainer",
        publish_at=timezone.now() - timedelta(days=2),
        topics=[topic],
        authors=[author, make_author("Bo Editor")],
    )
    newer = make_article(title="Newer explainer", dek="The dek, in one line.")
    hidden_articles()

    response = client.get(RSS)
    feed = parse(response)

    assert response["Content-Type"].startswith("application/rss+xml")
    assert feed.feed.title == "Newsroom: latest explainers"
    assert [e.title for e in feed.entries] == [newer.title, older.title]
    first, second = feed.entries
    assert first.link == f"{BASE}{newer.get_absolute_url()}"
    assert first.id == first.link
    assert first.summary == "The dek, in one line."
    assert as_utc(first.published_parsed) == newer.publish_at.replace(microsecond=0)
    assert [t.term for t in second.tags] == ["Energy"]
    assert second.author == "Ada Reporter, Bo Editor"


def test_atom_feed_carries_ids_updated_dates_and_categories(client):
    topic = make_topic("Health")
    article = make_article(title="Atom item", topics=[topic])
    article.refresh_from_db()

    feed = parse(client.get(ATOM))

    assert feed.version == "atom10"
    [entry] = feed.entries
    assert entry.id == f"{BASE}{article.get_absolute_url()}"
    assert entry.link == entry.id
    assert as_utc(entry.updated_parsed) == article.updated_at.replace(microsecond=0)
    assert as_utc(entry.published_parsed) == article.publish_at.replace(microsecond=0)
    assert [t.term for t in entry.tags] == ["Health"]


def test_an_entry_without_a_byline_is_authored_by_the_publication(client, settings):
    """RFC 4287 requires an author on every Atom entry (the feed names none)."""
    settings.NEWSROOM_SITE_NAME = "The Daily Explainer"
    make_article(title="Unsigned", authors=[])
    make_article(title="Signed", authors=[make_author("Ada Reporter")])

    atom = ET.fromstring(client.get(ATOM).content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    authors = {
        entry.findtext("a:title", namespaces=ns): entry.findtext(
            "a:author/a:name", namespaces=ns
        )
        for entry in atom.findall("a:entry", ns)
    }
    rss = parse(client.get(RSS))

    assert authors == {"Unsigned": "The Daily Explainer", "Signed": "Ada Reporter"}
    assert [entry.author for entry in rss.entries] == [
        "Ada Reporter",
        "The Daily Explainer",
    ]


def test_an_item_without_a_dek_is_described_by_the_first_paragraph(client):
    make_article(
        dek="",
        body="## Background\n\nThe first paragraph,[^1] *short*.\n\nThe second.\n\n"
        "[^1]: A note.",
    )

    [entry] = parse(client.get(RSS)).entries

    assert entry.summary == "The first paragraph, short."


def test_feed_holds_the_latest_twenty(client):
    start = timezone.now() - timedelta(days=30)
    for n in range(22):
        make_article(title=f"Item {n:02}", publish_at=start + timedelta(hours=n))
    titles = [e.title for e in parse(client.get(RSS)).entries]
    assert titles == [f"Item {n:02}" for n in range(21, 1, -1)]


def test_feed_description_is_escaped_text(client):
    make_article(dek="<script>alert(1)</script> Tax & <b>spend</b>")
    response = client.get(RSS)
    assert b"<script>" not in response.content
    [entry] = parse(response).entries
    assert "<script>" not in entry.summary and "<b>" not in entry.summary
    assert "&lt;b&gt;spend&lt;/b&gt;" in entry.summary


def test_scheduled_explainer_enters_the_feed_at_its_time(client):
    start = timezone.now()
    make_article(title="Now")
    make_article(title="Later", publish_at=start + timedelta(hours=2))
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        assert [e.title for e in parse(client.get(ATOM)).entries] == ["Now"]
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        assert [e.title for e in parse(client.get(ATOM)).entries] == ["Later", "Now"]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_topic_feed_lists_only_that_topics_published_explainers(client, kind):
    energy, health = make_topic("Energy"), make_topic("Health")
    mine = make_article(title="Grid upgrade", topics=[energy, health])
    make_article(title="Vaccines", topics=[health])
    make_article(title="Secret", topics=[energy], status=Article.Status.DRAFT)
    url = reverse(f"articles:topic-feed-{kind}", kwargs={"slug": energy.slug})

    feed = parse(client.get(url))

    assert "Energy" in feed.feed.title
    assert feed.feed.link == f"{BASE}{energy.get_absolute_url()}"
    assert [e.title for e in feed.entries] == [mine.title]
    missing = reverse(f"articles:topic-feed-{kind}", kwargs={"slug": "no-such"})
    assert client.get(missing).status_code == 404


def test_feed_answers_304_until_something_published_changes(client):
    article = make_article(title="First")
    first = client.get(RSS)
    etag, modified = first["ETag"], first["Last-Modified"]

    assert client.get(RSS, headers={"if-none-match": etag}).status_code == 304
    assert client.get(RSS, headers={"if-modified-since": modified}).status_code == 304

    draft = make_article(status=Article.Status.DRAFT)
    article_changed(draft)
    assert client.get(RSS, headers={"if-none-match": etag}).status_code == 304

    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        article.title = "First, corrected"
        article.save()
        article_changed(article)
    changed = client.get(RSS, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert parse(changed).entries[0].title == "First, corrected"

    article.status = Article.Status.DRAFT  # unpublishing must change it too
    article.save()
    gone = client.get(RSS, headers={"if-none-match": changed["ETag"]})
    assert gone.status_code == 200 and parse(gone).entries == []


@pytest.mark.parametrize("size", [2, 15])
def test_feed_query_count_does_not_grow_with_items(
    client, django_assert_num_queries, size
):
    topic = make_topic()
    authors = [make_author(), make_author()]
    for _ in range(size):
        make_article(topics=[topic, make_topic()], authors=authors, facts=2)
    # validator aggregate, items, authors, topics
    with django_assert_num_queries(4):
        assert len(parse(client.get(ATOM)).entries) == size
    topic_feed = reverse("articles:topic-feed-rss", kwargs={"slug": topic.slug})
    # + topic exists check and topic lookup
    with django_assert_num_queries(6):
        assert len(parse(client.get(topic_feed)).entries) == size


def sitemap_entries(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    return {
        url.findtext("sm:loc", namespaces=SITEMAP_NS): url.findtext(
            "sm:lastmod", namespaces=SITEMAP_NS
        )
        for url in root.findall("sm:url", SITEMAP_NS)
    }


def test_sitemap_lists_home_published_explainers_and_their_listing_pages(client):
    topic, quiet_topic = make_topic("Energy"), make_topic("Quiet")
    author, quiet_author = make_author("Ada"), make_author("Bo")
    article = make_article(topics=[topic], authors=[author])
    hidden = hidden_articles()
    for item in hidden:
        item.topics.set([quiet_topic])
        item.authors.set([quiet_author])

    entries = sitemap_entries(client)

    article.refresh_from_db()
    assert entries == {
        f"{BASE}/": f"{article.updated_at:%Y-%m-%d}",
        f"{BASE}{article.get_absolute_url()}": f"{article.updated_at:%Y-%m-%d}",
        f"{BASE}{topic.get_absolute_url()}": f"{article.updated_at:%Y-%m-%d}",
        f"{BASE}{author.get_absolute_url()}": f"{article.updated_at:%Y-%m-%d}",
    }


def test_sitemap_lastmod_follows_the_newest_published_change(client):
    topic = make_topic()
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=10), tick=False):
        old = make_article(topics=[topic])
    with time_machine.travel(start - timedelta(days=5), tick=False):
        newer = make_article(topics=[topic])
    with time_machine.travel(start - timedelta(days=1), tick=False):
        make_article(topics=[topic], status=Article.Status.DRAFT)

    entries = sitemap_entries(client)

    old.refresh_from_db()
    newer.refresh_from_db()
    assert entries[f"{BASE}{old.get_absolute_url()}"] == f"{old.updated_at:%Y-%m-%d}"
    assert entries[f"{BASE}{topic.get_absolute_url()}"] == (
        f"{newer.updated_at:%Y-%m-%d}"
    )


def test_robots_txt_points_at_the_sitemap_and_keeps_private_paths_out(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines
    for path in ["/admin/", "/preview/", "/search/", "/api/", "/accounts/"]:
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert client.get("/sitemap.xml").status_code == 200


@pytest.mark.parametrize("size", [2, 12])
def test_sitemap_query_count_does_not_grow(client, django_assert_num_queries, size):
    for _ in range(size):
        make_article(topics=[make_topic()], authors=[make_author()], facts=2)
    # home lastmod; count + page for explainers, topics and authors
    with django_assert_num_queries(7):
        assert len(sitemap_entries(client)) == 1 + 3 * size
